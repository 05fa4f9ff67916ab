// Regenerates docs/rules/<id>.md from rule metadata (run: npm run docs). test/rules.test.ts fails
// when a page is missing or out of date, so the docs cannot drift from the rules.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadRuleSet } from '../dist/engine/rule-set.js';
import { ruleMarkdown } from '../dist/docs/rule-markdown.js';
import { ruleIndexMarkdown } from '../dist/docs/rule-index.js';

const dir = new URL('../docs/rules/', import.meta.url);
mkdirSync(dir, { recursive: true });
const { rules } = loadRuleSet();
const ids = new Set(rules.map((r) => r.meta.id));
for (const f of readdirSync(dir)) if (f.endsWith('.md') && f !== 'README.md' && !ids.has(f.slice(0, -3))) rmSync(new URL(f, dir));
for (const r of rules) writeFileSync(new URL(`${r.meta.id}.md`, dir), ruleMarkdown(r.meta, r.source));
writeFileSync(new URL('README.md', dir), ruleIndexMarkdown(rules.map((r) => r.meta)));
console.log(`wrote ${rules.length} rule pages and the index to docs/rules/`);
