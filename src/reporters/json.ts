import { SEVERITIES, type Severity } from '../engine/severity.js';
import type { GateResult } from '../engine/gate.js';
import type { Finding, FindingResource, RuleMeta, Status } from '../engine/types.js';
import type { CoverageGap, IacOrigin } from '../model/types.js';
import { originNames, positive } from './origin.js';
import { fingerprint } from './fingerprint.js';
import { complianceSummary, projectControls } from './compliance.js';
import { aroundMember } from './pretty-json.js';
import type { ReportInput } from './types.js';
import { findingList, positionsWhere, subList, type FindingList } from '../engine/finding-list.js';

/**
 * Bumped on any change a consumer of schemas/report.schema.json would notice. 2: status
 * "suppressed", baseline marks, the suppressions and baseline sections. 3: `results` (the statuses
 * the findings list kept, --results), rules' `controls`, the `compliance` summary (--framework).
 * Version 1 and 2 reports still load (as baselines, for diff and merge).
 */
export const REPORT_VERSION = 3;

/** How a finding is counted and shown: its status, or "suppressed" when a suppression accepts it. */
export type ReportStatus = Status | 'suppressed';
export type Counts = Record<ReportStatus, number>;

/** Every status a report can list, in the order reports name them. */
export const REPORT_STATUSES = ['fail', 'pass', 'unknown', 'suppressed'] as const satisfies readonly ReportStatus[];

/** The statuses a report lists (`--results`), in REPORT_STATUSES order; all by default. */
export function keptStatuses(input: Pick<ReportInput, 'results'>): ReportStatus[] {
  const kept = new Set(input.results ?? REPORT_STATUSES);
  return REPORT_STATUSES.filter((s) => kept.has(s));
}

/** The findings the per-finding formats list: those whose status `--results` keeps. */
export function keptFindings(input: Pick<ReportInput, 'results' | 'findings'>): FindingList {
  const list = findingList(input.findings);
  if (input.results === undefined) return list;
  const kept = new Set(input.results);
  return subList(list, positionsWhere(list, (i) => kept.has(statusAt(list, i))));
}

/** `reportStatus` of the finding at `i`, from the list's facts. */
export function statusAt(list: FindingList, i: number): ReportStatus {
  return list.suppressed(i) ? 'suppressed' : list.status(i);
}

export function reportStatus(f: Finding): ReportStatus {
  return f.suppression ? 'suppressed' : f.status;
}

export interface Summary {
  total: Counts;
  bySeverity: Record<Severity, Counts>;
  byRule: Record<string, Counts>;
}

const zero = (): Counts => ({ fail: 0, pass: 0, unknown: 0, suppressed: 0 });

/**
 * Counts by status, severity and rule. Every severity and every rule that ran gets an entry even
 * at zero, so a dashboard can tell "checked and clean" from "not checked".
 */
export function summarize(input: Pick<ReportInput, 'rules' | 'findings' | 'leftOut'>): Summary {
  const total = zero();
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, zero()])) as Record<Severity, Counts>;
  const byRule = new Map<string, Counts>(input.rules.map((r) => [r.id, zero()]));
  const list = findingList(input.findings);
  for (let i = 0; i < list.length; i++) {
    const status = statusAt(list, i);
    const ruleId = list.ruleId(i);
    total[status]++;
    bySeverity[list.severity(i)][status]++;
    let c = byRule.get(ruleId);
    if (!c) byRule.set(ruleId, (c = zero()));
    c[status]++;
  }
  const left = input.leftOut;
  if (left) {
    add(total, left.total);
    for (const s of SEVERITIES) add(bySeverity[s], left.bySeverity[s]);
    for (const [id, c] of Object.entries(left.byRule)) {
      let mine = byRule.get(id);
      if (!mine) byRule.set(id, (mine = zero()));
      add(mine, c);
    }
  }
  // fromEntries defines own properties, so no rule id can reach Object.prototype.
  return { total, bySeverity, byRule: Object.fromEntries(byRule) };
}

function add(to: Counts, from: Partial<Counts>): void {
  for (const s of REPORT_STATUSES) to[s] += from[s] ?? 0;
}

// The projections below copy named fields only: the report's shape is its schema, not whatever
// extra fields a rule loader or collector happened to leave on the objects it passed in.

export function projectRule(r: RuleMeta): RuleMeta {
  return {
    id: r.id,
    title: r.title,
    severity: r.severity,
    resource: typeof r.resource === 'string' ? r.resource : [...r.resource],
    description: r.description,
    rationale: r.rationale,
    remediation: {
      text: r.remediation.text,
      ...(r.remediation.cli !== undefined ? { cli: r.remediation.cli } : {}),
      ...(r.remediation.cloudformation !== undefined ? { cloudformation: r.remediation.cloudformation } : {}),
    },
    references: [...r.references],
    tags: [...r.tags],
    ...(r.controls ? { controls: projectControls(r.controls) } : {}),
    ...(r.iac ? { iac: { judged: r.iac.judged, ...(r.iac.reason !== undefined ? { reason: r.iac.reason } : {}) } } : {}),
    // An escalation's `when` is rule internals (CEL); the report only says what it means.
    ...(r.escalations?.length ? { escalations: r.escalations.map((e) => ({ severity: e.severity, description: e.description })) } : {}),
  };
}

export function projectGate(gate: GateResult): GateResult {
  return {
    exitCode: gate.exitCode,
    failOn: gate.failOn,
    allowPartial: gate.allowPartial,
    failing: gate.failing,
    blockingUnknowns: gate.blockingUnknowns,
    reason: gate.reason,
    ...(gate.suppressed !== undefined ? { suppressed: gate.suppressed } : {}),
    ...(gate.newOnly ? { newOnly: true } : {}),
  };
}

/** IaC: where the resource is declared and what it is called there (schemas/report.schema.json). */
function projectOrigin(origin: IacOrigin): Record<string, unknown> {
  const l = origin.location;
  return {
    location: { file: l.file, line: positive(l.line), column: positive(l.column), endLine: Math.max(positive(l.line), positive(l.endLine)), endColumn: positive(l.endColumn) },
    format: origin.format,
    originId: origin.id,
    ...originNames(origin),
  };
}

function projectResource(r: FindingResource): Record<string, unknown> {
  const { arn, kind, account, region, name } = r;
  return { arn, kind, account, region, ...(name !== undefined ? { name } : {}) };
}

/** The baseline's fixed findings name their resource as findings do (an IaC origin read back stays out). */
function projectBaseline(b: NonNullable<ReportInput['baseline']>): NonNullable<ReportInput['baseline']> {
  return { ...b, fixed: b.fixed.map((f) => ({ ...f, resource: projectResource(f.resource) as unknown as FindingResource })) };
}

function projectFinding(f: Finding): Record<string, unknown> {
  const { arn, origin } = f.resource;
  return {
    fingerprint: fingerprint(f.ruleId, arn),
    ruleId: f.ruleId,
    status: reportStatus(f),
    severity: f.severity,
    resource: projectResource(f.resource),
    ...(origin ? projectOrigin(origin) : {}),
    message: f.message,
    // JSON.stringify drops an undefined value, which would leave {path} alone; null says "absent".
    evidence: f.evidence.map((e) => ({ path: e.path, value: e.value === undefined ? null : e.value })),
    ...(f.suppression
      ? {
          suppression: {
            source: f.suppression.source,
            status: f.status,
            reason: f.suppression.reason,
            ...(f.suppression.expires !== undefined ? { expires: f.suppression.expires } : {}),
            ...(f.suppression.ticket !== undefined ? { ticket: f.suppression.ticket } : {}),
          },
        }
      : {}),
    ...(f.baseline ? { baseline: f.baseline } : {}),
  };
}

function projectGap(g: CoverageGap): CoverageGap {
  return {
    account: g.account,
    region: g.region,
    service: g.service,
    operation: g.operation,
    errorCode: g.errorCode,
    message: g.message,
    resourceKinds: [...g.resourceKinds],
    ...(g.field !== undefined ? { field: g.field } : {}),
  };
}

/** The machine-readable report (schemas/report.schema.json): every rule, every result `--results` keeps, every count. */
export function renderJson(input: ReportInput): string {
  return [...jsonChunks(input)].join('');
}

/**
 * The report in pieces, one finding per line: a scan of 100,000 resources has ~300,000 findings,
 * and writing them one by one keeps the report out of memory as a single string (hundreds of MB).
 * One finding per line also keeps the file greppable and its diffs readable.
 */
export function* jsonChunks(input: ReportInput): Generator<string> {
  const { snapshot, gate } = input;
  const summary = summarize(input);
  const findings = keptFindings(input);
  const doc = {
    reportVersion: REPORT_VERSION,
    tool: { name: input.tool.name, version: input.tool.version, informationUri: input.tool.informationUri },
    generatedAt: input.generatedAt,
    snapshot: {
      ...(snapshot.file !== undefined ? { file: snapshot.file } : {}),
      schemaVersion: snapshot.schemaVersion,
      generatedAt: snapshot.generatedAt,
      source: {
        kind: snapshot.source.kind,
        ...(snapshot.source.tool !== undefined ? { tool: snapshot.source.tool } : {}),
        ...(snapshot.source.description !== undefined ? { description: snapshot.source.description } : {}),
      },
      scope: { partition: snapshot.scope.partition, accounts: [...snapshot.scope.accounts], regions: [...snapshot.scope.regions] },
      ...(snapshot.inputs ? { inputs: snapshot.inputs.map((i) => ({ file: i.file, format: i.format, resources: i.resources, unmapped: i.unmapped })) } : {}),
      ...(snapshot.skipped !== undefined ? { skipped: snapshot.skipped } : {}),
    },
    gate: projectGate(gate),
    summary,
    // Which statuses `findings` lists: a reader (merge, diff, --baseline) must not take a result
    // that was left out for one that did not happen.
    results: keptStatuses(input),
    ...(input.framework !== undefined ? { compliance: complianceSummary(input.rules, summary, input.framework) } : {}),
    rules: input.rules.map(projectRule),
    // Written below, a finding per line.
    findings: [],
    coverage: input.coverage.map(projectGap),
    ...(input.suppressions ? { suppressions: input.suppressions } : {}),
    ...(input.baseline ? { baseline: projectBaseline(input.baseline) } : {}),
  };
  const { before, after } = aroundMember(doc, 'findings', 0);
  yield before;
  if (findings.length === 0) yield '[]';
  else {
    yield '[\n';
    const last = findings.length - 1;
    let i = 0;
    for (const f of findings.read()) yield `    ${JSON.stringify(projectFinding(f))}${i++ < last ? ',\n' : '\n  ]'}`;
  }
  yield `${after}\n`;
}
