import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { evaluateRules } from '../engine/evaluate.js';
import { decideGate, type GateResult } from '../engine/gate.js';
import { loadRuleSet, selectRules } from '../engine/rule-set.js';
import { FAIL_ON_VALUES, type FailOn } from '../engine/severity.js';
import type { Finding } from '../engine/types.js';
import { checkWritableTarget, ensureWritableDir } from '../io/output-dir.js';
import { escapeControlChars } from '../io/untrusted-text.js';
import { loadSnapshotFile } from '../model/load.js';
import type { Snapshot } from '../model/types.js';
import { render, reportPaths, writeReports } from '../reporters/index.js';
import { reportStatus, type ReportStatus } from '../reporters/json.js';
import { loadReportFile } from '../reporters/merge.js';
import { DEFAULT_MAX_SUPPRESSION_DAYS, applySuppressions, checkSuppressionExpiry, checkSuppressionRules, ignoredTagNotes, suppressionProblems } from '../audit/suppress.js';
import { compareWithBaseline } from '../audit/baseline.js';
import type { ReportFormat, ReportInput } from '../reporters/types.js';
import { INFORMATION_URI, TOOL_NAME, toolVersion } from '../version.js';
import { collectLive, writeSnapshot, type LiveArgs } from './collect.js';

export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_TIMEOUT_SECONDS = 30;
export const DEFAULT_CONCURRENCY = 64;

export interface ScanArgs extends Partial<LiveArgs> {
  snapshot?: string;
  /** With a live scan: also write what was collected here. */
  saveSnapshot?: string;
  format: ReportFormat[];
  outputDir?: string;
  failOn?: FailOn;
  config?: string;
  rulesDir: string[];
  only: string[];
  skip: string[];
  allowPartial: boolean;
  sarifCategory?: string;
  quiet: boolean;
  /** An earlier JSON report: mark findings new or unchanged, list the fixed ones. */
  baseline?: string;
  /** Gate only on findings new against the baseline. */
  failOnNew?: boolean;
  /** Exit 2 when a suppression has expired, matched nothing, or a suppress tag is invalid. */
  strictSuppressions?: boolean;
  /** The time suppressions are judged at (tests); default now. */
  now?: Date;
}

export interface ScanOutcome {
  gate: GateResult;
  input: ReportInput;
  written: string[];
}

export async function runScan(args: ScanArgs, logRaw: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<ScanOutcome> {
  // Every line names files, rule ids or suppression texts that came from the user's files or AWS.
  const log = (line: string): void => logRaw(escapeControlChars(line));
  const formats = [...new Set(args.format)];
  // `--format ,` splits into nothing: a silent default would not be what was asked for.
  if (formats.length === 0) throw new UserError('--format: no format given (sarif, json, markdown or junit)');
  if (formats.length > 1 && args.outputDir === undefined) {
    throw new UserError(`--format: ${formats.join(', ')} are several formats; give --output-dir DIR to write one file each (stdout takes one format)`);
  }
  if (args.snapshot !== undefined && args.saveSnapshot !== undefined) throw new UserError('--save-snapshot goes with a live scan, not with --snapshot');
  const config = loadConfig(args.config);
  // Checked before any work: a long live scan must not end in "cannot write".
  if (args.outputDir !== undefined) {
    ensureWritableDir(args.outputDir);
    for (const file of reportPaths(formats, args.outputDir)) checkWritableTarget(file, 'report');
  }
  if (args.saveSnapshot !== undefined) checkWritableTarget(args.saveSnapshot, 'snapshot');
  const failOn: FailOn = args.failOn ?? config.failOn ?? 'high';
  // A gate with a threshold it does not know would be off; the CLI and the config schema refuse
  // such values, and so does the API.
  if (!FAIL_ON_VALUES.includes(failOn)) throw new UserError(`--fail-on: ${JSON.stringify(failOn)} is not one of ${FAIL_ON_VALUES.join(', ')}`);
  const allowPartial = args.allowPartial || config.allowPartial === true;

  if (args.failOnNew && args.baseline === undefined) throw new UserError('--fail-on-new needs --baseline PREVIOUS.json (the JSON report of an earlier run)');
  const ruleSet = loadRuleSet([...config.rulesDirs, ...args.rulesDir]);
  checkSuppressionRules(config.suppressions, new Set(ruleSet.rules.map((r) => r.meta.id)), config.file);
  const suppressionPolicy = { allowTagSuppressions: config.allowTagSuppressions === true, maxSuppressionDays: config.maxSuppressionDays ?? DEFAULT_MAX_SUPPRESSION_DAYS };
  checkSuppressionExpiry(config.suppressions, suppressionPolicy.maxSuppressionDays, args.now ?? new Date(), config.file, config.suppressionPlaces);
  const baselineDoc = args.baseline !== undefined ? loadReportFile(args.baseline) : undefined;
  const only = args.only.length > 0 ? args.only : config.only;
  const skip = [...config.skip, ...args.skip];
  const rules = selectRules(ruleSet.rules, only, skip);
  if (rules.length === 0) throw new UserError(noRuleLeft(args, config));
  const snapshot = args.snapshot !== undefined ? loadSnapshotFile(args.snapshot) : await collectLive(liveArgs(args), log);
  if (args.saveSnapshot !== undefined) {
    await writeSnapshot(snapshot, args.saveSnapshot);
    if (!args.quiet) log(`linkaudit: wrote ${args.saveSnapshot}`);
  }

  const settings = {
    trustedAccounts: config.trustedAccounts,
    trustedOrganizations: config.trustedOrganizations,
    pendingAcceptanceMaxDays: config.pendingAcceptanceMaxDays,
  };
  const evaluated = evaluateRules(rules, snapshot, settings, ruleSet.runtime.bind).findings;
  const suppressed = applySuppressions(evaluated, config.suppressions, snapshot, new Set(rules.map((r) => r.meta.id)), args.now ?? new Date(), suppressionPolicy);
  const compared = baselineDoc && args.baseline !== undefined ? compareWithBaseline(suppressed.findings, baselineDoc, args.baseline) : undefined;
  const findings = compared ? compared.findings : suppressed.findings;
  const { report: suppressions } = suppressed;
  const problems = suppressionProblems(suppressions);
  let gate = decideGate(findings, rules, failOn, allowPartial, { newOnly: args.failOnNew === true });
  if (args.strictSuppressions && problems.length > 0) {
    gate = { ...gate, exitCode: 2, reason: `--strict-suppressions: ${problems.length} suppression problem(s); the findings alone: ${gate.reason}` };
  }
  const reportsSuppressions = config.suppressions.length > 0 || suppressions.applied.tag > 0 || suppressions.invalidTags.length > 0 || suppressions.ignoredTags.length > 0;
  const input: ReportInput = {
    tool: { name: TOOL_NAME, version: toolVersion(), informationUri: INFORMATION_URI },
    generatedAt: new Date().toISOString(),
    snapshot: {
      ...(args.snapshot !== undefined ? { file: args.snapshot } : {}),
      schemaVersion: snapshot.schemaVersion,
      generatedAt: snapshot.generatedAt,
      source: snapshot.source,
      scope: snapshot.scope,
    },
    rules: rules.map((r) => r.meta),
    findings,
    coverage: snapshot.coverage,
    gate,
    sarifCategory: args.sarifCategory ?? config.sarifCategory ?? defaultCategory(snapshot),
    ...(reportsSuppressions ? { suppressions } : {}),
    ...(compared ? { baseline: compared.summary } : {}),
    warn: log,
  };
  // ARNs and tag values come from the estate: escaped before they reach a terminal.
  for (const p of [...problems, ...ignoredTagNotes(suppressions)]) log(`linkaudit: ${p}`);

  let written: string[] = [];
  if (args.outputDir !== undefined) {
    written = await writeReports(formats, input, args.outputDir);
  } else {
    process.stdout.write(render(formats[0] ?? 'markdown', input));
  }
  if (!args.quiet) {
    log(summaryLine(findings, rules.length, snapshot));
    if (compared) log(`linkaudit: against ${args.baseline}: ${compared.summary.new} new, ${compared.summary.unchanged} unchanged, ${compared.summary.fixed.length} fixed`);
    for (const file of written) log(`linkaudit: wrote ${file}`);
    log(`linkaudit: exit ${gate.exitCode}: ${gate.reason}`);
  }
  return { gate, input, written };
}

/** A gate that runs no rule passes everything: that is a mistake in the selection, never a pass. */
function noRuleLeft(args: ScanArgs, config: { only: string[]; skip: string[]; file?: string }): string {
  const parts: string[] = [];
  const configFile = config.file ?? 'the config';
  if (args.only.length > 0) parts.push(`--only ${args.only.join(',')}`);
  else if (config.only.length > 0) parts.push(`only: [${config.only.join(', ')}] in ${configFile}`);
  if (args.skip.length > 0) parts.push(`--skip ${args.skip.join(',')}`);
  if (config.skip.length > 0) parts.push(`skip: [${config.skip.join(', ')}] in ${configFile}`);
  return `no rule left to run: ${parts.join(' with ')} select(s) no rule; a gate that runs no rule cannot pass`;
}

function liveArgs(args: ScanArgs): LiveArgs {
  return {
    region: args.region ?? [],
    ...(args.regions !== undefined ? { regions: args.regions } : {}),
    ...(args.profile !== undefined ? { profile: args.profile } : {}),
    ...(args.endpointUrl !== undefined ? { endpointUrl: args.endpointUrl } : {}),
    ...(args.roleArn !== undefined ? { roleArn: args.roleArn } : {}),
    ...(args.externalId !== undefined ? { externalId: args.externalId } : {}),
    ...(args.accounts !== undefined ? { accounts: args.accounts } : {}),
    ...(args.org !== undefined ? { org: args.org } : {}),
    ...(args.shard !== undefined ? { shard: args.shard } : {}),
    maxAttempts: args.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    timeout: args.timeout ?? DEFAULT_TIMEOUT_SECONDS,
    ...(args.maxDuration !== undefined ? { maxDuration: args.maxDuration } : {}),
    concurrency: args.concurrency ?? DEFAULT_CONCURRENCY,
    quiet: args.quiet,
  };
}

function summaryLine(findings: readonly Finding[], ruleCount: number, snapshot: Snapshot): string {
  const count = (s: ReportStatus): number => findings.filter((f) => reportStatus(f) === s).length;
  const suppressed = count('suppressed');
  return `linkaudit: ${ruleCount} rules over ${snapshot.scope.accounts.length} account(s), ${snapshot.scope.regions.length} region(s): ${count('fail')} fail, ${count('pass')} pass, ${count('unknown')} unknown${suppressed > 0 ? `, ${suppressed} suppressed` : ''}; ${snapshot.coverage.length} coverage gap(s)`;
}

/**
 * GitHub keeps one set of alerts per category, so the default must be stable for the same scope
 * and differ between scopes uploaded to one repository (e.g. one workflow job per account).
 */
export function defaultCategory(snapshot: Snapshot): string {
  const accounts = [...snapshot.scope.accounts].sort();
  if (accounts.length === 0) return 'linkaudit';
  if (accounts.length <= 3) return `linkaudit/${accounts.join('+')}`;
  return `linkaudit/${accounts.length}-accounts-${accounts[0]}-${accounts[accounts.length - 1]}`;
}
