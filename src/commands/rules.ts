import { resolve } from 'node:path';
import { maxOf } from '../arrays.js';
import { UserError } from '../errors.js';
import { ruleMarkdown } from '../docs/rule-markdown.js';
import { hasCases, runRuleCases, type CaseOutcome } from '../engine/cases.js';
import { ruleMaxSeverity } from '../engine/gate.js';
import { iacJudged, ruleKinds, type RuleMeta } from '../engine/types.js';
import { compareControls, controlsOf } from '../reporters/compliance.js';
import { BUILTIN_RULES_DIR, displayPath, loadRuleSet, ruleFiles } from '../engine/rule-set.js';
import { realpathSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { escapeControlChars, escapeControlCharsKeepLayout } from '../io/untrusted-text.js';

type Out = (text: string) => void;
const stdout: Out = (t) => process.stdout.write(t);

function userRuleSet(configFile: string | undefined, rulesDirs: readonly string[]) {
  const config = loadConfig(configFile);
  return loadRuleSet([...config.rulesDirs, ...rulesDirs]);
}

export function rulesList(args: { format: 'table' | 'json'; config?: string; rulesDir: string[] }, out: Out = stdout): number {
  const { rules } = userRuleSet(args.config, args.rulesDir);
  if (args.format === 'json') {
    out(`${JSON.stringify(rules.map((r) => ({ ...r.meta, iac: r.meta.iac ?? { judged: true }, maxSeverity: ruleMaxSeverity(r.meta), source: r.source })), null, 2)}\n`);
    return 0;
  }
  // User packs' titles and ids are printed on a terminal.
  const rows = rules.map((r) => [r.meta.id, ruleMaxSeverity(r.meta) === r.meta.severity ? r.meta.severity : `${r.meta.severity}+`, ruleKinds(r.meta).join(', '), iacJudged(r.meta) ? 'judged' : 'no result', nistColumn(r.meta), r.meta.title].map(escapeControlChars));
  const header = ['ID', 'SEVERITY', 'RESOURCE', 'IAC', 'NIST 800-53', 'TITLE'];
  const widths = header.map((h, i) => maxOf(rows.map((r) => (r[i] ?? '').length), h.length));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  out(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  return 0;
}

/** The table's controls column: NIST SP 800-53 (every built-in names some); `rules show` has all frameworks. */
function nistColumn(meta: RuleMeta): string {
  return [...controlsOf(meta, 'nist-800-53')].sort(compareControls).join(',') || '-';
}

export function rulesShow(args: { id: string; config?: string; rulesDir: string[] }, out: Out = stdout): number {
  const { rules } = userRuleSet(args.config, args.rulesDir);
  const rule = rules.find((r) => r.meta.id === args.id);
  if (!rule) throw new UserError(`rules show: unknown rule "${args.id}" (see: linkaudit rules list)`);
  out(escapeControlCharsKeepLayout(ruleMarkdown(rule.meta, rule.source)));
  return 0;
}

/**
 * Validates a rule pack: schema, CEL compile and type errors, ids (against the built-ins too), and
 * runs each rule's cases file. Exit 2 for an invalid pack, 1 when a case does not hold.
 */
export function rulesValidate(args: { dir: string }, rawOut: Out = stdout, rawErr: Out = (t) => process.stderr.write(t)): number {
  // Ids, case names and details come from the pack's files.
  const out: Out = (t) => rawOut(escapeControlCharsKeepLayout(t));
  const err: Out = (t) => rawErr(escapeControlCharsKeepLayout(t));
  const dir = resolve(args.dir);
  // The built-in pack is validated on its own; any other pack also against the built-in ids.
  const builtin = safeRealpath(dir) === safeRealpath(BUILTIN_RULES_DIR);
  const { rules, runtime } = builtin ? loadRuleSet() : loadRuleSet([dir]);
  const files = new Set(ruleFiles(dir).map(displayPath));
  const mine = rules.filter((r) => files.has(r.source));
  let failed = 0;
  let total = 0;
  for (const rule of mine) {
    if (!hasCases(rule)) {
      out(`${rule.meta.id}: valid (no cases file ${rule.meta.id}.test.yaml)\n`);
      continue;
    }
    const outcomes: CaseOutcome[] = runRuleCases(rule, runtime);
    const bad = outcomes.filter((o) => !o.ok);
    total += outcomes.length;
    failed += bad.length;
    out(`${rule.meta.id}: valid, ${outcomes.length - bad.length}/${outcomes.length} cases hold\n`);
    for (const b of bad) err(`  case "${b.name}": ${b.detail}\n`);
  }
  out(`${displayPath(dir)}: ${mine.length} rule(s) valid; ${total - failed}/${total} cases hold\n`);
  return failed > 0 ? 1 : 0;
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
