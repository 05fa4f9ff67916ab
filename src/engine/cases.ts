import { existsSync } from 'node:fs';
import { UserError, located } from '../errors.js';
import { readUserFile } from '../io/files.js';
import { YamlSource } from '../io/yaml-source.js';
import { validateSnapshot } from '../model/load.js';
import { emptySnapshot } from '../model/empty.js';
import { KIND_COLLECTION, type ResourceKind, type Snapshot } from '../model/types.js';
import { DEFAULT_PENDING_ACCEPTANCE_MAX_DAYS } from '../config.js';
import type { CelRuntime } from './cel.js';
import { evaluateRules } from './evaluate.js';
import { ruleKinds, type Rule, type RuleSettings, type Status } from './types.js';
import { CASES_FILE_SUFFIX, RULE_FILE_SUFFIX } from './yaml-rule.js';

export type Expectation = Status | 'not-applicable';

interface CaseDoc {
  name: string;
  kind?: ResourceKind;
  resource?: Record<string, unknown>;
  context?: Record<string, unknown>;
  config?: Partial<RuleSettings>;
  expect: Expectation;
  severity?: string;
  message?: string;
}

interface CasesDoc {
  kind?: ResourceKind;
  base?: Record<string, unknown>;
  context?: Record<string, unknown>;
  config?: Partial<RuleSettings>;
  cases: CaseDoc[];
}

export interface CaseOutcome {
  rule: string;
  name: string;
  expect: Expectation;
  ok: boolean;
  /** What happened, when it was not what the case expects. */
  detail?: string;
}

/** The fixed instant cases are evaluated at, so age-based rules are reproducible. */
export const CASES_NOW = '2026-01-15T00:00:00Z';

export function casesFileFor(rule: Rule): string {
  return rule.source.endsWith('.ts')
    ? rule.source.replace(/\.ts$/, CASES_FILE_SUFFIX)
    : rule.source.slice(0, -RULE_FILE_SUFFIX.length) + CASES_FILE_SUFFIX;
}

export function hasCases(rule: Rule): boolean {
  return existsSync(casesFileFor(rule));
}

/** Runs the cases file of a rule. Malformed files (or case snapshots) are UserErrors with places. */
export function runRuleCases(rule: Rule, runtime: CelRuntime, file = casesFileFor(rule)): CaseOutcome[] {
  const src = new YamlSource(file, readUserFile(file, 'rule cases file'));
  const doc = src.validated<CasesDoc>('rule-cases');
  return doc.cases.map((c, i) => {
    const resource = merge(doc.base ?? {}, c.resource ?? {});
    const kind = c.kind ?? doc.kind ?? (ruleKinds(rule.meta)[0] as ResourceKind);
    if (!ruleKinds(rule.meta).includes(kind)) {
      const pos = src.position(`/cases/${i}`);
      throw new UserError(located(file, `case "${c.name}" is a ${kind}, which ${rule.meta.id} does not judge`, pos?.line));
    }
    const snapshot = caseSnapshot(kind, resource, { ...(doc.context ?? {}), ...(c.context ?? {}) });
    let valid: Snapshot;
    try {
      valid = validateSnapshot(snapshot, `${file} case ${i} "${c.name}"`);
    } catch (err) {
      const pos = src.position(`/cases/${i}`);
      throw new UserError(located(file, `case "${c.name}" builds an invalid snapshot: ${(err as Error).message}`, pos?.line));
    }
    const settings: RuleSettings = {
      trustedAccounts: [],
      trustedOrganizations: [],
      pendingAcceptanceMaxDays: DEFAULT_PENDING_ACCEPTANCE_MAX_DAYS,
      ...doc.config,
      ...c.config,
    };
    const out = evaluateRules([rule], valid, settings, runtime.bind);
    const mine = out.findings.filter((f) => f.resource.arn === resource.arn);
    const outcome = (ok: boolean, detail?: string): CaseOutcome => ({ rule: rule.meta.id, name: c.name, expect: c.expect, ok, ...(detail ? { detail } : {}) });
    if (mine.length > 1) return outcome(false, `expected one result, got ${mine.length}`);
    const got = mine[0];
    if (c.expect === 'not-applicable') return got ? outcome(false, `expected not-applicable, got ${got.status}: ${got.message}`) : outcome(true);
    if (!got) return outcome(false, `expected ${c.expect}, got not-applicable`);
    if (got.status !== c.expect) return outcome(false, `expected ${c.expect}, got ${got.status}: ${got.message}`);
    const wantSeverity = c.severity ?? (c.expect === 'fail' ? rule.meta.severity : undefined);
    if (wantSeverity && got.severity !== wantSeverity) return outcome(false, `expected severity ${wantSeverity}, got ${got.severity}`);
    if (c.message && !got.message.includes(c.message)) return outcome(false, `message ${JSON.stringify(got.message)} lacks ${JSON.stringify(c.message)}`);
    return outcome(true);
  });
}

function merge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

function caseSnapshot(kind: ResourceKind, resource: Record<string, unknown>, context: Record<string, unknown>): Record<string, unknown> {
  const account = typeof resource.account === 'string' ? resource.account : '111122223333';
  const region = typeof resource.region === 'string' && resource.region !== 'global' ? resource.region : 'us-east-1';
  const snapshot = emptySnapshot({
    generatedAt: CASES_NOW,
    source: { kind: 'file', description: 'rule case' },
    scope: { partition: 'aws', accounts: [account], regions: [region] },
    ...context,
  }) as unknown as Record<string, unknown>;
  const collection = KIND_COLLECTION[kind];
  snapshot[collection] = [...(snapshot[collection] as unknown[]), resource];
  return snapshot;
}
