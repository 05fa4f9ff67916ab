import { ruleMaxSeverity } from '../engine/gate.js';
import { iacJudged, ruleKinds, type RuleMeta } from '../engine/types.js';
import { compareControls, frameworkTitle } from '../reporters/compliance.js';

/**
 * The documentation page of a rule, generated from its metadata: `linkaudit rules show` prints it
 * and docs/rules/<id>.md holds it (a test keeps the two identical).
 */
export function ruleMarkdown(meta: RuleMeta, source: string): string {
  const lines: string[] = [];
  lines.push(`# ${meta.id}`, '', `**${meta.title}**`, '');
  lines.push('| | |', '|---|---|');
  lines.push(`| Severity | ${meta.severity}${meta.escalations?.length ? ` (up to ${ruleMaxSeverity(meta)})` : ''} |`);
  lines.push(`| Resource | ${ruleKinds(meta).map((k) => `\`${k}\``).join(', ')} |`);
  lines.push(`| Tags | ${meta.tags.map((t) => `\`${t}\``).join(', ') || '-'} |`);
  lines.push(`| Controls | ${controlsLine(meta)} |`);
  lines.push(`| Infrastructure as code | ${iacLine(meta)} |`);
  lines.push(`| Defined in | \`${source}\` |`, '');
  lines.push('## What it checks', '', meta.description, '');
  if (meta.escalations?.length) {
    lines.push('## Severity', '', `Default **${meta.severity}**, raised when:`, '');
    for (const e of meta.escalations) lines.push(`- **${e.severity}**: ${e.description}`);
    lines.push('');
  }
  lines.push('## Why it matters', '', meta.rationale, '');
  lines.push('## Remediation', '', meta.remediation.text, '');
  if (meta.remediation.cli) lines.push('AWS CLI:', '', '```sh', meta.remediation.cli, '```', '');
  if (meta.remediation.cloudformation) lines.push('CloudFormation:', '', '```yaml', meta.remediation.cloudformation, '```', '');
  lines.push('## Results', '');
  lines.push('- **fail**: the condition above holds for the resource.');
  lines.push('- **pass**: it does not.');
  lines.push('- **unknown**: a field the rule reads (or data it depends on) could not be collected; reported as a coverage gap, never as pass.');
  lines.push('');
  lines.push('## References', '');
  for (const r of meta.references) lines.push(`- <${r}>`);
  lines.push('');
  return lines.join('\n');
}

/** The rule's IaC applicability in one line (docs, `rules show`, the docs/iac.md table). */
export function iacLine(meta: Pick<RuleMeta, 'iac'>): string {
  if (iacJudged(meta)) return 'judged (`scan --iac` gives fail, pass or unknown)';
  return `no result from templates: ${(meta.iac?.reason ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim()}`;
}

/**
 * The controls a rule supports, by framework, in one line (docs, `rules show`); "none" for a
 * framework the rule lists with no control (none exists), "-" for a rule that names none.
 */
export function controlsLine(meta: Pick<RuleMeta, 'controls'>): string {
  const c = meta.controls ?? {};
  const parts = Object.keys(c)
    .sort()
    .map((f) => `${frameworkTitle(f)}: ${[...(c[f] ?? [])].sort(compareControls).join(', ') || 'none'}`);
  return parts.length > 0 ? parts.join('; ').replace(/\|/g, '\\|') : '-';
}
