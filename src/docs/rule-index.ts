import { ruleMaxSeverity } from '../engine/gate.js';
import { iacJudged, ruleKinds, type RuleMeta } from '../engine/types.js';

/** docs/rules/README.md: the table of built-in rules. */
export function ruleIndexMarkdown(rules: readonly RuleMeta[]): string {
  const lines = [
    '# Built-in rules',
    '',
    'Generated from the rules\' metadata (`npm run docs`); `linkaudit rules list` prints the same. IaC: whether `scan --iac` judges the rule on templates ("no result": runtime state a template does not declare; see each page). Each page names the compliance controls the rule supports; [docs/compliance.md](../compliance.md) says why.',
    '',
    '| id | severity | resource | IaC | title |',
    '|---|---|---|---|---|',
  ];
  for (const m of rules) {
    const sev = ruleMaxSeverity(m) === m.severity ? m.severity : `${m.severity} (up to ${ruleMaxSeverity(m)})`;
    lines.push(`| [${m.id}](${m.id}.md) | ${sev} | ${ruleKinds(m).map((k) => `\`${k}\``).join(', ')} | ${iacJudged(m) ? 'judged' : 'no result'} | ${m.title} |`);
  }
  lines.push('');
  return lines.join('\n');
}
