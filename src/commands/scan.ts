import { STDIN, STDIN_NAME } from '../io/files.js';
import { renderTerminal, useColor } from '../reporters/terminal.js';
import { resolve } from 'node:path';
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
import { chunks, reportPaths, writeReports } from '../reporters/index.js';
import { statusAt, type ReportStatus } from '../reporters/json.js';
import { checkFramework, checkReportOptions } from './report-options.js';
import { loadReportFile, requireComparable } from '../reporters/merge.js';
import { DEFAULT_MAX_SUPPRESSION_DAYS, Suppressor, resourcesOf, type Tagged, checkSuppressionExpiry, checkSuppressionRules, ignoredTagNotes, suppressionProblems } from '../audit/suppress.js';
import { BaselineComparison } from '../audit/baseline.js';
import type { ReportFormat, ReportInput } from '../reporters/types.js';
import { INFORMATION_URI, TOOL_NAME, toolVersion } from '../version.js';
import { collectLive, collectLiveStreamed, writeSnapshot, writeStreamedSnapshot, type LiveArgs } from './collect.js';
import { liveArgs } from './live-args.js';
import type { IacLoad, IacOptions } from '../collectors/iac/types.js';
import { readCloudFormationParameterFile } from '../collectors/iac/cloudformation/parameters.js';
import { combinedSnapshot, evaluateIacLoad } from '../engine/worlds.js';
import { blastRadiusEntries, summarizeBlastRadius, type BlastRadiusEntry, type BlastRadiusSummary } from '../graph/summary.js';
import { evaluateGroups } from '../engine/streamed.js';
import { FindingSpool } from '../engine/finding-spool.js';
import { allFindings, findingList, type Findings } from '../engine/finding-list.js';

export { DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT_SECONDS } from './live-args.js';

export interface ScanArgs extends Partial<LiveArgs> {
  snapshot?: string;
  /** With a live scan: also write what was collected here. */
  saveSnapshot?: string;
  format: ReportFormat[];
  /** No --format and standard output a terminal: the coloured summary (src/reporters/terminal.ts) instead of Markdown. */
  terminal?: boolean;
  outputDir?: string;
  /** `--results`: the statuses the per-finding formats list (default all). */
  results?: ReportStatus[];
  /** `--framework`: group Markdown and summarise JSON by this framework's controls. */
  framework?: string;
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
  /** `--iac PATH` (repeatable): scan infrastructure as code instead of a snapshot or a live estate. */
  iac?: string[];
  /** `--iac-param Key=Value` (repeatable). */
  iacParam?: string[];
  /** `--iac-params FILE`: a CloudFormation parameter file. */
  iacParams?: string;
  /** `--account`: the account of templates that name none (12 digits). */
  account?: string;
  /** `--max-template-mb` (default 1). */
  maxTemplateMb?: number;
  /** `--sarif-root DIR`: SARIF artifact URIs are relative to it (default: the working directory). */
  sarifRoot?: string;
  /** Reads the --iac paths (default: loadIac); tests hand in a built IacLoad. */
  iacLoader?: (paths: readonly string[], options: IacOptions) => Promise<IacLoad>;
  /**
   * A live scan evaluates account by account (engine/streamed.ts) with each account spooled to
   * disk; true collects into one snapshot in memory and evaluates it whole instead (the tests'
   * reference: both give the same reports).
   */
  wholeSnapshot?: boolean;
}

/** Options that only a live collection reads: meaningless with --iac. */
const LIVE_ONLY: ReadonlyArray<[keyof ScanArgs, string]> = [
  ['profile', '--profile'],
  ['roleArn', '--role-arn'],
  ['externalId', '--external-id'],
  ['accounts', '--accounts'],
  ['org', '--org'],
  ['shard', '--shard'],
  ['endpointUrl', '--endpoint-url'],
  ['saveSnapshot', '--save-snapshot'],
  ['regions', '--regions'],
  ['maxDuration', '--max-duration'],
  ['collectThreads', '--collect-threads'],
];

const PARAM_KEY = /^[A-Za-z0-9]+$/;
const ACCOUNT_ID = /^[0-9]{12}$/;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

/**
 * The IaC options, checked before any work. Errors are usage errors (exit 2) naming the option;
 * a parameter's value is never echoed (it may be a NoEcho secret).
 */
export function iacOptions(args: ScanArgs, cwd = process.cwd()): IacOptions {
  if (args.snapshot !== undefined) {
    throw new UserError('--iac and --snapshot exclude each other: a scan judges one source, and a template\'s resources are not yet in any snapshot (scan them in two runs, or merge the JSON reports)');
  }
  for (const [field, flag] of LIVE_ONLY) {
    const v = args[field];
    if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) continue;
    throw new UserError(`${flag} goes with a live scan, not with --iac (templates are read from files; give their environment with --account and --region)`);
  }
  const parameters: Record<string, string> = {};
  const parameterSources: Record<string, string> = {};
  if (args.iacParams !== undefined) {
    const fromFile = readCloudFormationParameterFile(args.iacParams);
    for (const [k, v] of Object.entries(fromFile)) {
      parameters[k] = v;
      parameterSources[k] = args.iacParams;
    }
  }
  for (const p of args.iacParam ?? []) {
    const eq = p.indexOf('=');
    const k = eq < 0 ? p : p.slice(0, eq);
    // The key alone is shown: what follows `=` may be a secret.
    if (eq < 0) throw new UserError(`--iac-param ${JSON.stringify(escapeControlChars(k.slice(0, 80)))}: expected Key=Value (a CloudFormation parameter name, "=", its value)`);
    if (!PARAM_KEY.test(k)) throw new UserError(`--iac-param ${JSON.stringify(escapeControlChars(k.slice(0, 80)))}=…: the key must be a CloudFormation parameter name (letters and digits only)`);
    parameters[k] = p.slice(eq + 1);
    parameterSources[k] = '--iac-param';
  }
  if (args.account !== undefined && !ACCOUNT_ID.test(args.account)) throw new UserError(`--account: ${JSON.stringify(escapeControlChars(args.account.slice(0, 80)))} is not an account id (12 digits)`);
  const regions = (args.region ?? []).flatMap((r) => r.split(',')).map((r) => r.trim()).filter((r) => r !== '');
  if (regions.length > 1) throw new UserError(`--region: with --iac give exactly one region (the environment of templates that name none), not ${regions.length}`);
  const region = regions[0];
  if (region !== undefined && !REGION_NAME.test(region)) throw new UserError(`--region: "${escapeControlChars(region.slice(0, 80))}" is not a region name (e.g. us-east-1)`);
  let maxTemplateBytes = 1024 * 1024;
  if (args.maxTemplateMb !== undefined) {
    if (!Number.isFinite(args.maxTemplateMb) || args.maxTemplateMb <= 0) throw new UserError(`--max-template-mb: ${String(args.maxTemplateMb)} is not a positive number of MiB`);
    maxTemplateBytes = Math.floor(args.maxTemplateMb * 1024 * 1024);
  }
  return {
    parameters,
    parameterSources,
    ...(args.account !== undefined ? { account: args.account } : {}),
    ...(region !== undefined ? { region } : {}),
    maxTemplateBytes,
    cwd,
    now: args.now ?? new Date(),
  };
}

/** Options that mean something only with --iac: given without it, they would be silently ignored. */
function refuseIacOnlyOptions(args: ScanArgs): void {
  const given: Array<[string, unknown]> = [['--iac-param', args.iacParam], ['--iac-params', args.iacParams], ['--account', args.account], ['--max-template-mb', args.maxTemplateMb], ['--sarif-root', args.sarifRoot]];
  for (const [flag, v] of given) {
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) throw new UserError(`${flag} goes with --iac PATH`);
  }
}

export interface ScanOutcome {
  gate: GateResult;
  /**
   * What the reports were made from. A streamed live scan's findings were on disk and are gone
   * with its spool: its `findings` is empty (the reports and the gate have them all).
   */
  input: ReportInput;
  written: string[];
}

export async function runScan(args: ScanArgs, logRaw: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<ScanOutcome> {
  // Every line names files, rule ids or suppression texts that came from the user's files or AWS.
  const log = (line: string): void => logRaw(escapeControlChars(line));
  const formats = [...new Set(args.format)];
  // `--format ,` splits into nothing: a silent default would not be what was asked for.
  if (formats.length === 0) throw new UserError('--format: no format given (sarif, json, markdown, junit, ocsf, asff or html)');
  if (formats.length > 1 && args.outputDir === undefined) {
    throw new UserError(`--format: ${formats.join(', ')} are several formats; give --output-dir DIR to write one file each (stdout takes one format)`);
  }
  checkReportOptions(formats, args, args.outputDir !== undefined);
  if (args.iac !== undefined && (formats.includes('ocsf') || formats.includes('asff'))) {
    throw new UserError(`--format ${formats.includes('ocsf') ? 'ocsf' : 'asff'}: Security Hub holds findings on deployed resources; scan --iac judges templates (use sarif, json or markdown for them)`);
  }
  // `--iac` with no path would fall back to a live scan of whatever credentials are around.
  if (args.iac !== undefined && args.iac.length === 0) throw new UserError('--iac: give a path (a CloudFormation template, a directory, a cdk.out or a Terraform plan JSON)');
  const iacPaths = args.iac ?? [];
  // Before any other work: a usage error should not wait for a config or a rule pack.
  if (iacPaths.length === 0) refuseIacOnlyOptions(args);
  const iacOpts = iacPaths.length > 0 ? iacOptions(args) : undefined;
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
  // A baseline without its unknowns would make every unknown "new"; without passes it is whole.
  if (baselineDoc && args.baseline !== undefined) requireComparable(baselineDoc, args.baseline, '--baseline');
  const only = args.only.length > 0 ? args.only : config.only;
  const skip = [...config.skip, ...args.skip];
  const rules = selectRules(ruleSet.rules, only, skip);
  if (rules.length === 0) throw new UserError(noRuleLeft(args, config));
  if (args.framework !== undefined) checkFramework(args.framework, rules.map((r) => r.meta));
  const settings = {
    trustedAccounts: config.trustedAccounts,
    trustedOrganizations: config.trustedOrganizations,
    pendingAcceptanceMaxDays: config.pendingAcceptanceMaxDays,
  };
  let snapshot: Snapshot;
  let iacLoad: IacLoad | undefined;
  // From a streamed live scan: the blast radius, gathered group by group while each was in memory.
  let streamedBlast: { entries: BlastRadiusEntry[] } | undefined;
  const ranRules = new Set(rules.map((r) => r.meta.id));
  const wantsBlast = formats.includes('markdown') || formats.includes('html') || args.terminal === true;
  const now = args.now ?? new Date();
  const suppressor = new Suppressor(config.suppressions, ranRules, now, suppressionPolicy);
  const comparison = baselineDoc && args.baseline !== undefined ? new BaselineComparison(baselineDoc, args.baseline) : undefined;
  /** The findings as reports show them: suppressions applied, then baseline marks. */
  const marked = (found: readonly Finding[], resources: Iterable<Tagged>): Finding[] => {
    const out = suppressor.apply(found, resources);
    return comparison ? comparison.mark(out) : out;
  };
  let findings: Findings;
  // A streamed live scan keeps its findings on disk until the reports are written.
  let spool: FindingSpool | undefined;
  try {
    if (iacOpts) {
      const loader = args.iacLoader ?? (await import('../collectors/iac/index.js')).loadIac;
      iacLoad = await loader(iacPaths, iacOpts);
      snapshot = combinedSnapshot(iacLoad, (iacOpts.now ?? new Date()).toISOString(), unitNames(iacLoad));
      findings = marked(evaluateIacLoad(rules, iacLoad, settings, ruleSet.runtime.bind).findings, resourcesOf(snapshot));
    } else if (args.snapshot !== undefined || args.wholeSnapshot) {
      snapshot = args.snapshot !== undefined ? loadSnapshotFile(args.snapshot) : await collectLive(liveArgs(args), log);
      findings = marked(evaluateRules(rules, snapshot, settings, ruleSet.runtime.bind).findings, resourcesOf(snapshot));
      if (args.saveSnapshot !== undefined) {
        await writeSnapshot(snapshot, args.saveSnapshot);
        if (!args.quiet) log(`linkaudit: wrote ${args.saveSnapshot}`);
      }
    } else {
      const live = await collectLiveStreamed(liveArgs(args), log);
      try {
        const entries: BlastRadiusEntry[] = [];
        const kept = (spool = new FindingSpool());
        evaluateGroups(rules, live.source, settings, ruleSet.runtime.bind, (group) => {
          // A group's snapshot has the resources every group shares too; a tag counts in its own account's group.
          const own = (function* (): Generator<Tagged> {
            for (const r of resourcesOf(group.snapshot)) if (group.accounts.has(r.account)) yield r;
          })();
          const shown = marked(group.findings, own);
          kept.add(shown);
          if (wantsBlast) for (const e of blastRadiusEntries(group.snapshot, shown)) entries.push(e);
        });
        streamedBlast = { entries };
        snapshot = live.head;
        if (args.saveSnapshot !== undefined) {
          await writeStreamedSnapshot(live, args.saveSnapshot);
          if (!args.quiet) log(`linkaudit: wrote ${args.saveSnapshot}`);
        }
      } finally {
        live.close();
      }
      // Merged once the accounts' spool is gone: TMPDIR never holds it and the merged findings at once.
      findings = spool.finish();
    }

    const suppressions = suppressor.report();
    const compared = comparison ? { summary: comparison.summary() } : undefined;
    const problems = suppressionProblems(suppressions);
    let gate = decideGate(findings, rules, failOn, allowPartial, { newOnly: args.failOnNew === true, ...(iacLoad ? { source: 'iac' as const } : {}) });
    if (args.strictSuppressions && problems.length > 0) {
      gate = { ...gate, exitCode: 2, reason: `--strict-suppressions: ${problems.length} suppression problem(s); the findings alone: ${gate.reason}` };
    }
    const reportsSuppressions = config.suppressions.length > 0 || suppressions.applied.tag > 0 || suppressions.invalidTags.length > 0 || suppressions.ignoredTags.length > 0;
    const input: ReportInput = {
      tool: { name: TOOL_NAME, version: toolVersion(), informationUri: INFORMATION_URI },
      generatedAt: new Date().toISOString(),
      snapshot: {
        ...(args.snapshot !== undefined ? { file: args.snapshot === STDIN ? STDIN_NAME : args.snapshot } : {}),
        schemaVersion: snapshot.schemaVersion,
        generatedAt: snapshot.generatedAt,
        source: snapshot.source,
        scope: snapshot.scope,
        ...(iacLoad ? { inputs: iacLoad.inputs, skipped: iacLoad.skipped.length } : {}),
      },
      rules: rules.map((r) => r.meta),
      findings,
      coverage: snapshot.coverage,
      gate,
      sarifCategory: args.sarifCategory ?? config.sarifCategory ?? (iacLoad ? iacCategory(iacLoad) : defaultCategory(snapshot)),
      ...(iacLoad ? { sarifRoot: resolve(args.sarifRoot ?? '.'), cwd: iacOpts?.cwd ?? process.cwd() } : {}),
      ...(reportsSuppressions ? { suppressions } : {}),
      ...(compared ? { baseline: compared.summary } : {}),
      ...(args.results !== undefined ? { results: args.results } : {}),
      ...(args.framework !== undefined ? { framework: args.framework } : {}),
      ...(wantsBlast ? (streamedBlast ? summarized(streamedBlast.entries, args) : blastRadiusOf(snapshot, allFindings(findings), args)) : {}),
      warn: log,
    };
    // ARNs and tag values come from the estate: escaped before they reach a terminal.
    for (const p of [...problems, ...ignoredTagNotes(suppressions)]) log(`linkaudit: ${p}`);

    let written: string[] = [];
    if (args.outputDir !== undefined) {
      written = await writeReports(formats, input, args.outputDir);
    } else {
      if (args.terminal) process.stdout.write(renderTerminal(input, { color: useColor(process.env, process.stdout.isTTY === true) }));
      else for (const chunk of chunks(formats[0] ?? 'markdown', input)) if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
    }
    if (!args.quiet) {
      log(iacLoad ? iacSummaryLine(findings, rules.length, iacLoad) : summaryLine(findings, rules.length, snapshot));
      if (compared) log(`linkaudit: against ${args.baseline}: ${compared.summary.new} new, ${compared.summary.unchanged} unchanged, ${compared.summary.fixed.length} fixed`);
      for (const file of written) log(`linkaudit: wrote ${file}`);
      log(`linkaudit: exit ${gate.exitCode}: ${gate.reason}`);
    }
    // A streamed scan's findings are gone with its spool: the outcome lists them only when in memory.
    return { gate, input: spool ? { ...input, findings: [] } : input, written };
  } finally {
    spool?.close();
  }
}

/** The Markdown report's blast radius section, with the `linkaudit graph` command that reads the same source. */
function blastRadiusOf(snapshot: Snapshot, findings: readonly Finding[], args: ScanArgs): { blastRadius?: BlastRadiusSummary } {
  return summarized(blastRadiusEntries(snapshot, findings), args);
}

function summarized(entries: readonly BlastRadiusEntry[], args: ScanArgs): { blastRadius?: BlastRadiusSummary } {
  const q = (p: string): string => (/^[A-Za-z0-9_./:@=-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);
  const source = args.snapshot !== undefined ? ` --snapshot ${q(args.snapshot)}` : args.iac !== undefined ? args.iac.map((p) => ` --iac ${q(p)}`).join('') : '';
  const summary = summarizeBlastRadius(entries, `linkaudit graph${source}`);
  return summary ? { blastRadius: summary } : {};
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


function summaryLine(findings: Findings, ruleCount: number, snapshot: Snapshot): string {
  return `linkaudit: ${ruleCount} rules over ${snapshot.scope.accounts.length} account(s), ${snapshot.scope.regions.length} region(s): ${counts(findings)}; ${snapshot.coverage.length} coverage gap(s)`;
}

function counts(findings: Findings): string {
  const list = findingList(findings);
  const tally = new Map<ReportStatus, number>();
  for (let i = 0; i < list.length; i++) tally.set(statusAt(list, i), (tally.get(statusAt(list, i)) ?? 0) + 1);
  const count = (s: ReportStatus): number => tally.get(s) ?? 0;
  const suppressed = count('suppressed');
  return `${count('fail')} fail, ${count('pass')} pass, ${count('unknown')} unknown${suppressed > 0 ? `, ${suppressed} suppressed` : ''}`;
}

/** The units' display names, the first few: a directory of hundreds of templates stays one line. */
function unitNames(load: IacLoad, max = 5): string {
  const names = load.units.map((u) => u.name);
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

function iacSummaryLine(findings: Findings, ruleCount: number, load: IacLoad): string {
  const skipped = load.skipped.length > 0 ? `; ${load.skipped.length} file(s) skipped (not a template)` : '';
  const unmapped = load.inputs.reduce((n, i) => n + i.unmapped, 0);
  return `linkaudit: ${ruleCount} rules over ${load.units.length} IaC input(s) (${unitNames(load)}): ${counts(findings)}${unmapped > 0 ? `; ${unmapped} resource(s) of unmapped types` : ''}${skipped}`;
}

/**
 * IaC: the category follows the inputs, so a workflow scanning cdk.out and one scanning a plan in
 * the same repository keep separate alert sets; stable across runs (paths, not lines).
 */
export function iacCategory(load: IacLoad): string {
  const files = [...new Set(load.inputs.map((i) => i.file))].sort();
  if (files.length === 0) return 'linkaudit/iac';
  if (files.length <= 3) return `linkaudit/iac/${files.join('+')}`;
  return `linkaudit/iac/${files.length}-inputs-${files[0]}-${files[files.length - 1]}`;
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
