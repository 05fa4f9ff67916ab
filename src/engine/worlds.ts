// Infrastructure as code: a deployment unit (a template with its nested stacks, a CDK assembly, a
// Terraform plan) whose conditions the known parameters do not decide has several worlds, one per
// combination of the undecided conditions (src/collectors/iac/types.ts). Each world is a snapshot
// evaluated as any other; this module merges their findings per (rule, resource).

import type { IacLoad, IacUnit } from '../collectors/iac/types.js';
import { emptySnapshot } from '../model/empty.js';
import { KIND_COLLECTION, RESOURCE_KINDS, type AnyResource, type CoverageGap, type Snapshot } from '../model/types.js';
import { evaluateRules } from './evaluate.js';
import type { EvalContext, Evidence, Finding, Rule, RuleSettings, Status } from './types.js';

export interface UnitEvaluation {
  /** Sorted by rule id, then resource ARN. */
  findings: Finding[];
  /** (rule, resource) evaluations over all worlds, not-applicable ones included. */
  evaluations: number;
}

/** A world where the rule gives no result although the resource is there. */
type Outcome = Status | 'no result';

/**
 * Evaluates every world of a unit and merges: a (rule, resource) with the same outcome in every
 * world where the resource exists keeps that outcome (the first world's finding, message and
 * evidence); different outcomes (a "does not apply" included) give unknown, whose message says the
 * result depends on conditions the template does not decide and names each world's result, all
 * of them in the evidence. A unit of one world (the common case) returns the engine's findings as
 * they are, rendered lazily.
 */
export function evaluateUnit(rules: readonly Rule[], unit: IacUnit, settings: RuleSettings, bind?: (ctx: EvalContext) => void): UnitEvaluation {
  const [first, ...rest] = unit.worlds;
  if (!first) return { findings: [], evaluations: 0 };
  if (rest.length === 0) {
    const out = evaluateRules(rules, first.snapshot, settings, bind);
    return { findings: out.findings, evaluations: out.evaluations };
  }
  let evaluations = 0;
  const perWorld = unit.worlds.map((w) => {
    const out = evaluateRules(rules, w.snapshot, settings, bind);
    evaluations += out.evaluations;
    const byKey = new Map<string, Finding>();
    for (const f of out.findings) byKey.set(key(f.ruleId, f.resource.arn), f);
    return { label: w.label, arns: resourceArns(w.snapshot), byKey };
  });
  const keys = new Map<string, { ruleId: string; arn: string }>();
  for (const w of perWorld) for (const f of w.byKey.values()) if (!keys.has(key(f.ruleId, f.resource.arn))) keys.set(key(f.ruleId, f.resource.arn), { ruleId: f.ruleId, arn: f.resource.arn });
  const severityOf = new Map(rules.map((r) => [r.meta.id, r.meta.severity]));
  const findings: Finding[] = [];
  for (const [k, { ruleId, arn }] of keys) {
    const results: Array<{ label: string; outcome: Outcome; finding?: Finding }> = [];
    for (const w of perWorld) {
      const f = w.byKey.get(k);
      // A resource absent from a world (its Condition is false there) says nothing in that world.
      if (f) results.push({ label: w.label, outcome: f.status, finding: f });
      else if (w.arns.has(arn)) results.push({ label: w.label, outcome: 'no result' });
    }
    const firstFound = results.find((r) => r.finding)?.finding as Finding;
    if (results.every((r) => r.outcome === results[0]?.outcome)) {
      findings.push(firstFound);
      continue;
    }
    findings.push(dependsOnConditions(ruleId, severityOf.get(ruleId) ?? firstFound.severity, firstFound, results));
  }
  return { findings: sortFindings(findings), evaluations };
}

/**
 * Sorted by rule, then ARN, reading each finding's identity once: a lazily rendered finding makes
 * its resource on every read, and a sort reads it some n log n times.
 */
function sortFindings(findings: readonly Finding[]): Finding[] {
  const keyed = findings.map((f) => ({ ruleId: f.ruleId, arn: f.resource.arn, f }));
  keyed.sort((a, b) => (a.ruleId !== b.ruleId ? (a.ruleId < b.ruleId ? -1 : 1) : a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return keyed.map((k) => k.f);
}

function dependsOnConditions(ruleId: string, severity: Finding['severity'], like: Finding, results: ReadonlyArray<{ label: string; outcome: Outcome; finding?: Finding }>): Finding {
  const parts = results.map((r) => `${r.label}: ${r.outcome}${r.finding ? ` (${trimStop(r.finding.message)})` : ''}`);
  const evidence: Evidence[] = results.map((r) => ({
    path: `world ${r.label}`,
    value: r.finding ? { status: r.finding.status, message: r.finding.message, evidence: r.finding.evidence } : { status: 'no result' },
  }));
  return {
    ruleId,
    status: 'unknown',
    severity,
    resource: like.resource,
    message: `Not evaluated: the result depends on conditions the template does not decide; ${parts.join('; ')}.`,
    evidence,
  };
}

function trimStop(s: string): string {
  return s.trim().replace(/\.$/, '');
}

function key(ruleId: string, arn: string): string {
  return `${ruleId}\n${arn}`;
}

function resourceArns(snapshot: Snapshot): Set<string> {
  const arns = new Set<string>();
  for (const kind of RESOURCE_KINDS) for (const r of snapshot[KIND_COLLECTION[kind]] as AnyResource[]) arns.add(r.arn);
  return arns;
}

/**
 * The findings of every unit, in the engine's order. Units' ARNs are disjoint (each is built from
 * its own origin id), so concatenating and sorting keeps one finding per (rule, resource).
 */
export function evaluateIacLoad(rules: readonly Rule[], load: IacLoad, settings: RuleSettings, bind?: (ctx: EvalContext) => void): UnitEvaluation {
  const parts = load.units.map((u) => evaluateUnit(rules, u, settings, bind));
  if (parts.length === 1) return parts[0] as UnitEvaluation;
  return { findings: sortFindings(parts.flatMap((p) => p.findings)), evaluations: parts.reduce((n, p) => n + p.evaluations, 0) };
}

/**
 * One snapshot standing for the whole load, for what reads a snapshot after the rules (tag
 * suppressions, the report's scope): every unit's and world's resources, one per ARN (the first
 * world's), sorted by ARN; the scopes' accounts and regions; every coverage gap once.
 */
export function combinedSnapshot(load: IacLoad, generatedAt: string, description: string): Snapshot {
  const partitions = new Set<string>();
  const accounts = new Set<string>();
  const regions = new Set<string>();
  const gaps = new Map<string, CoverageGap>();
  const out = emptySnapshot({ generatedAt, source: { kind: 'iac', tool: 'linkaudit', description }, scope: { partition: 'aws', accounts: [], regions: [] } });
  const seen = new Set<string>();
  for (const unit of load.units) {
    for (const { snapshot } of unit.worlds) {
      partitions.add(snapshot.scope.partition);
      for (const a of snapshot.scope.accounts) accounts.add(a);
      for (const r of snapshot.scope.regions) regions.add(r);
      for (const g of snapshot.coverage) gaps.set(JSON.stringify([g.account, g.region, g.service, g.operation, g.errorCode, g.message, g.resourceKinds, g.field ?? null]), g);
      for (const kind of RESOURCE_KINDS) {
        const into = out[KIND_COLLECTION[kind]] as AnyResource[];
        for (const r of snapshot[KIND_COLLECTION[kind]] as AnyResource[]) {
          if (seen.has(r.arn)) continue;
          seen.add(r.arn);
          into.push(r);
        }
      }
    }
  }
  for (const kind of RESOURCE_KINDS) (out[KIND_COLLECTION[kind]] as AnyResource[]).sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  const sorted = (s: Set<string>): string[] => [...s].sort();
  // Templates of one partition are the rule; several are listed by the first (sorted) one.
  out.scope = { partition: sorted(partitions)[0] ?? 'aws', accounts: sorted(accounts), regions: sorted(regions) };
  out.coverage = [...gaps.values()];
  return out;
}
