import { UserError } from '../errors.js';
import { decideGate } from '../engine/gate.js';
import type { Finding, RuleMeta } from '../engine/types.js';
import { wrongKind } from '../io/file-kind.js';
import { parseJsonText, readUserFile } from '../io/files.js';
import type { CoverageGap, IacFormat, IacOrigin, SourceLocation } from '../model/types.js';
import { bestProblem, validator } from '../schema/validate.js';
import type { ReportInput } from './types.js';
import type { GateResult } from '../engine/gate.js';
import { REPORT_STATUSES, summarize, type ReportStatus, type Summary } from './json.js';
import { escapeControlChars } from '../io/untrusted-text.js';

/**
 * A JSON report as schemas/report.schema.json describes it, read back into findings: a
 * "suppressed" finding has its rule's status again, with its suppression beside it.
 */
export interface ReportDoc {
  reportVersion: 1 | 2 | 3;
  /** The statuses `findings` lists (version 3; absent: all). */
  results?: ReportStatus[];
  summary: Summary;
  tool: ReportInput['tool'];
  generatedAt: string;
  snapshot: ReportInput['snapshot'];
  gate: GateResult;
  rules: RuleMeta[];
  findings: Array<Finding & { fingerprint: string }>;
  coverage: CoverageGap[];
}

export function loadReportFile(file: string): ReportDoc {
  const data = parseJsonText(readUserFile(file, 'report', 'json'), file, 'report');
  const wrong = wrongKind(data, 'report');
  if (wrong !== undefined) throw new UserError(`${file}: ${wrong}`);
  const validate = validator('report');
  if (!validate(data)) {
    const problem = bestProblem(validate.errors);
    throw new UserError(`${file}: ${problem.pointer || '/'}: ${problem.message}`);
  }
  const doc = data as ReportDoc;
  type Stored = Finding & { fingerprint: string; status: string; suppression?: Finding['suppression'] & { status: Finding['status'] } } & StoredOrigin;
  doc.findings = (doc.findings as Stored[]).map((stored) => {
    const f = withOrigin(stored);
    if (!f.suppression) return f;
    const { status, ...suppression } = f.suppression;
    return { ...f, status, suppression };
  });
  return doc;
}

/** The statuses a report read back lists, and those it left out (`--results`). */
export function reportResults(doc: Pick<ReportDoc, 'results'>): { kept: ReportStatus[]; leftOut: ReportStatus[] } {
  const kept = new Set(doc.results ?? REPORT_STATUSES);
  return { kept: REPORT_STATUSES.filter((s) => kept.has(s)), leftOut: REPORT_STATUSES.filter((s) => !kept.has(s)) };
}

/**
 * merge, diff and --baseline tell a fail that is gone from one that was not written down only if
 * the report lists every fail, unknown and suppressed result; passes may be left out (a pass is
 * what "not a fail" means to them, and their counts stay in the summary). Returns whether the
 * report lists its passes.
 */
export function requireComparable(doc: Pick<ReportDoc, 'results'>, file: string, use: string): { passes: boolean } {
  const { leftOut } = reportResults(doc);
  const missing = leftOut.filter((s) => s !== 'pass');
  if (missing.length > 0) {
    throw new UserError(
      `${escapeControlChars(file)}: written with --results ${reportResults(doc).kept.join(',')}, so its ${missing.join(' and ')} results are not in it; ${use} cannot tell a result left out from one that is gone (write it with --results fail,unknown,suppressed, or without --results)`,
    );
  }
  return { passes: !leftOut.includes('pass') };
}

/** The IaC fields a JSON report gives a finding (json.ts projectOrigin). */
interface StoredOrigin {
  location?: SourceLocation;
  format?: IacFormat;
  originId?: string;
  logicalId?: string;
  stack?: string;
  constructPath?: string;
  address?: string;
}

/**
 * A finding of a report read back: the IaC fields go back into the resource's origin, so a merged
 * or re-rendered report places the finding on the template again (the property locations are not
 * in the JSON report, so related locations are not restored).
 */
function withOrigin<T extends Finding & StoredOrigin>(f: T): T {
  const { location, format, originId, logicalId, stack, constructPath, address, ...rest } = f;
  if (location === undefined || format === undefined || originId === undefined) return f;
  const origin: IacOrigin = {
    format,
    id: originId,
    location,
    ...(logicalId !== undefined ? { logicalId } : {}),
    ...(stack !== undefined ? { stack } : {}),
    ...(constructPath !== undefined ? { constructPath } : {}),
    ...(address !== undefined ? { address } : {}),
  };
  return { ...rest, resource: { ...f.resource, origin } } as unknown as T;
}

/**
 * Combines the JSON reports of shards into the report one scan of all of them would have given:
 * findings and gaps together (a finding in two inputs must say the same), counts and the gate
 * decided again. The inputs must have been gated alike (same --fail-on and --allow-partial).
 */
export function mergeReports(inputs: ReadonlyArray<{ file: string; report: ReportDoc }>): ReportInput {
  const first = inputs[0];
  if (!first) throw new UserError('merge: give at least one report file');
  for (const { file, report } of inputs) {
    if (report.gate.failOn !== first.report.gate.failOn || report.gate.allowPartial !== first.report.gate.allowPartial || (report.gate.newOnly === true) !== (first.report.gate.newOnly === true)) {
      throw new UserError(`${file}: gated with --fail-on ${report.gate.failOn}${report.gate.allowPartial ? ' --allow-partial' : ''}, unlike ${first.file}; merge reports of one configuration`);
    }
    if (report.snapshot.scope.partition !== first.report.snapshot.scope.partition) {
      throw new UserError(`${file}: partition ${report.snapshot.scope.partition} differs from ${first.file}'s ${first.report.snapshot.scope.partition}`);
    }
  }
  const kept = reportResults(first.report).kept;
  for (const { file, report } of inputs) {
    requireComparable(report, file, 'merge');
    if (reportResults(report).kept.join(',') !== kept.join(',')) {
      throw new UserError(`${escapeControlChars(file)}: lists ${reportResults(report).kept.join(', ')} results, unlike ${escapeControlChars(first.file)} (${kept.join(', ')}); merge reports written with the same --results`);
    }
  }
  const leftOut = kept.includes('pass') ? undefined : leftOutCounts(inputs);
  const rules = new Map<string, RuleMeta>();
  for (const { report } of inputs) for (const r of report.rules) if (!rules.has(r.id)) rules.set(r.id, r);
  const findings = new Map<string, { file: string; finding: Finding & { fingerprint: string } }>();
  for (const { file, report } of inputs) {
    for (const f of report.findings) {
      const prior = findings.get(f.fingerprint);
      if (!prior) findings.set(f.fingerprint, { file, finding: f });
      else if (prior.finding.status !== f.status || prior.finding.severity !== f.severity) {
        throw new UserError(`${file}: ${f.ruleId} on ${f.resource.arn} is ${f.status} here but ${prior.finding.status} in ${prior.file}; merge takes reports of shards`);
      }
    }
  }
  const sortedRules = [...rules.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const sortedFindings = [...findings.values()]
    .map((x) => x.finding)
    .sort((a, b) => (a.ruleId !== b.ruleId ? (a.ruleId < b.ruleId ? -1 : 1) : a.resource.arn < b.resource.arn ? -1 : a.resource.arn > b.resource.arn ? 1 : 0));
  const coverage = [...new Map(inputs.flatMap((i) => i.report.coverage).map((g) => [JSON.stringify(g), g])).values()];
  const newest = (xs: string[]): string => xs.sort().at(-1) ?? '';
  return {
    tool: first.report.tool,
    generatedAt: newest(inputs.map((i) => i.report.generatedAt)),
    snapshot: {
      schemaVersion: first.report.snapshot.schemaVersion,
      generatedAt: newest(inputs.map((i) => i.report.snapshot.generatedAt)),
      source: { kind: first.report.snapshot.source.kind, ...sameTool(inputs), description: `merged from ${inputs.length} report(s): ${inputs.map((i) => i.file).join(', ')}` },
      scope: {
        partition: first.report.snapshot.scope.partition,
        accounts: [...new Set(inputs.flatMap((i) => i.report.snapshot.scope.accounts))].sort(),
        regions: [...new Set(inputs.flatMap((i) => i.report.snapshot.scope.regions))].sort(),
      },
      // IaC reports: every input once (by file), the skipped files counted over all.
      ...(inputs.some((i) => i.report.snapshot.inputs)
        ? {
            inputs: [...new Map(inputs.flatMap((i) => i.report.snapshot.inputs ?? []).map((x) => [x.file, x])).values()],
            skipped: inputs.reduce((n, i) => n + (i.report.snapshot.skipped ?? 0), 0),
          }
        : {}),
    },
    rules: sortedRules,
    findings: sortedFindings,
    coverage,
    gate: decideGate(sortedFindings, sortedRules.map((meta) => ({ meta })), first.report.gate.failOn, first.report.gate.allowPartial, {
      newOnly: first.report.gate.newOnly === true,
      ...(first.report.snapshot.source.kind === 'iac' ? { source: 'iac' as const } : {}),
    }),
    sarifCategory: `linkaudit/merged-${inputs.length}`,
    ...(kept.length < REPORT_STATUSES.length ? { results: kept } : {}),
    ...(leftOut ? { leftOut } : {}),
  };
}

/** The tool that wrote the inputs' snapshots, when they all name the same one (shards of one run do). */
function sameTool(inputs: ReadonlyArray<{ report: ReportDoc }>): { tool?: string } {
  const tools = new Set(inputs.map((i) => i.report.snapshot.source.tool));
  const [tool] = tools;
  return tools.size === 1 && tool !== undefined ? { tool } : {};
}

/**
 * The passes the inputs left out, from their summaries: each input's counts less what it lists.
 * Summed over inputs, which is right only when no result is in two of them: shards of distinct
 * accounts (merge otherwise drops a finding two inputs both list, but cannot see the left-out ones).
 */
function leftOutCounts(inputs: ReadonlyArray<{ file: string; report: ReportDoc }>): Summary {
  const seen = new Map<string, string>();
  for (const { file, report } of inputs) {
    for (const account of report.snapshot.scope.accounts) {
      const other = seen.get(account);
      if (other !== undefined && other !== file) {
        throw new UserError(`${escapeControlChars(file)} and ${escapeControlChars(other)} both cover account ${escapeControlChars(account)} and list no passes (--results): their passes cannot be counted once; merge shards of distinct accounts, or reports with their passes`);
      }
      seen.set(account, file);
    }
  }
  const total = summarize({ rules: [], findings: [] });
  for (const { report } of inputs) {
    const listed = summarize({ rules: report.rules, findings: report.findings });
    const minus = (a: Summary['total'], b: Summary['total'] | undefined): Summary['total'] => ({
      fail: 0,
      pass: Math.max(0, a.pass - (b?.pass ?? 0)),
      unknown: 0,
      suppressed: 0,
    });
    const add = (to: Summary['total'], x: Summary['total']): void => {
      to.pass += x.pass;
    };
    add(total.total, minus(report.summary.total, listed.total));
    for (const s of Object.keys(total.bySeverity) as Array<keyof Summary['bySeverity']>) add(total.bySeverity[s], minus(report.summary.bySeverity[s], listed.bySeverity[s]));
    for (const [id, c] of Object.entries(report.summary.byRule)) {
      const byRule = total.byRule as Record<string, Summary['total']>;
      if (!Object.prototype.hasOwnProperty.call(byRule, id)) byRule[id] = { fail: 0, pass: 0, unknown: 0, suppressed: 0 };
      add(byRule[id] as Summary['total'], minus(c, listed.byRule[id]));
    }
  }
  return total;
}
