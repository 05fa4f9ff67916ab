import { ruleMaxSeverity } from '../engine/gate.js';
import { ruleKinds, type RuleMeta } from '../engine/types.js';

/** docs/rules/README.md: the table of built-in rules. */
export function ruleIndexMarkdown(rules: readonly RuleMeta[]): string {
  const lines = [
    '# Built-in rules',
    '',
    'Generated from the rules\' metadata (`npm run docs`); `linkaudit rules list` prints the same.',
    '',
    '| id | severity | resource | title |',
    '|---|---|---|---|',
  ];
  for (const m of rules) {
    const sev = ruleMaxSeverity(m) === m.severity ? m.severity : `${m.severity} (up to ${ruleMaxSeverity(m)})`;
    lines.push(`| [${m.id}](${m.id}.md) | ${sev} | ${ruleKinds(m).map((k) => `\`${k}\``).join(', ')} | ${m.title} |`);
  }
  lines.push('');
  return lines.join('\n');
}
