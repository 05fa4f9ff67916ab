import { UserError } from '../errors.js';
import type { RuleMeta } from '../engine/types.js';
import { controlsOf, KNOWN_FRAMEWORKS } from '../reporters/compliance.js';
import { MULTI_FILE_FORMATS, RESULTS_FORMATS } from '../reporters/index.js';
import type { ReportStatus } from '../reporters/json.js';
import type { ReportFormat } from '../reporters/types.js';

/**
 * The report options scan and merge share, checked before any work: an option that would change
 * nothing in the formats asked for is refused (it was meant to do something), and ASFF, written
 * one file per batch, needs an output directory.
 */
export function checkReportOptions(formats: readonly ReportFormat[], args: { results?: readonly ReportStatus[]; framework?: string }, toDirectory: boolean, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  const multi = formats.find((f) => (MULTI_FILE_FORMATS as readonly string[]).includes(f));
  if (multi !== undefined && !toDirectory) {
    throw new UserError(`--format ${multi}: written as one file per batch of 100 findings (linkaudit.asff.json, linkaudit.asff-2.json, …), the way aws securityhub batch-import-findings takes them; give --output-dir DIR`);
  }
  if (args.results !== undefined) {
    if (args.results.length === 0) throw new UserError('--results: no status given (fail, pass, unknown, suppressed)');
    if (!formats.some((f) => (RESULTS_FORMATS as readonly string[]).includes(f))) {
      throw new UserError(`--results applies to the json, junit, ocsf and asff reports (sarif and markdown never list passes); --format is ${formats.join(', ')}`);
    }
    const sh = formats.filter((f) => f === 'ocsf' || f === 'asff');
    if (sh.length > 0 && !args.results.includes('pass')) {
      warn(`linkaudit: --results without pass: the ${sh.join(' and ')} findings include no pass, so Security Hub is not told when an earlier finding is resolved`);
    }
  }
  if (args.framework !== undefined) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(args.framework)) throw new UserError(`--framework: ${JSON.stringify(args.framework.slice(0, 80))} is not a framework id (e.g. ${KNOWN_FRAMEWORKS.join(', ')})`);
    if (!formats.includes('markdown') && !formats.includes('json')) throw new UserError(`--framework groups the markdown report and summarises the json report; --format is ${formats.join(', ')}`);
  }
}

/** A framework no rule that runs names a control of would group nothing: a typo, most likely. */
export function checkFramework(framework: string, rules: readonly RuleMeta[]): void {
  if (rules.some((r) => controlsOf(r, framework).length > 0)) return;
  const named = [...new Set(rules.flatMap((r) => Object.keys(r.controls ?? {}).filter((f) => controlsOf(r, f).length > 0)))].sort();
  throw new UserError(`--framework ${framework}: no rule that runs names a control of it${named.length > 0 ? ` (the rules name ${named.join(', ')})` : ''}`);
}
