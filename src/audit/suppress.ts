import { UserError } from '../errors.js';
import type { Finding, Suppression } from '../engine/types.js';
import { wildcardMatch } from '../iam/wildcard.js';
import type { Snapshot } from '../model/types.js';
import { annotate } from './annotate.js';

/** A suppression as written in .linkaudit.yaml (schemas/config.schema.json#/properties/suppressions). */
export interface SuppressionEntry {
  rule: string;
  /** An exact ARN, or a glob (`*`, `?`) that must match the whole ARN. */
  resource: string;
  reason: string;
  /** YYYY-MM-DD: applies through the end of that day, UTC. */
  expires: string;
  ticket?: string;
}

export const SUPPRESS_TAG = 'linkaudit:suppress';
export const SUPPRESS_REASON_TAG = 'linkaudit:suppress-reason';
const MIN_REASON = 10;

export interface SuppressionReport {
  /** Findings suppressed, by source. */
  applied: { config: number; tag: number };
  /** Config suppressions past their date: they no longer apply. */
  expired: SuppressionEntry[];
  /** Config suppressions in force that matched no fail or unknown result of a rule that ran. */
  unmatched: SuppressionEntry[];
  /** Resource tags asking for a suppression that cannot be honoured (no reason, unknown rule). */
  invalidTags: Array<{ arn: string; problem: string }>;
}

/** True while `now` is on or before the expiry date (UTC). */
export function inForce(expires: string, now: Date): boolean {
  const end = Date.parse(`${expires}T00:00:00Z`) + 86_400_000;
  return now.getTime() < end;
}

/** Refuses suppressions of rules that do not exist: a typo would otherwise suppress nothing, silently. */
export function checkSuppressionRules(entries: readonly SuppressionEntry[], ruleIds: ReadonlySet<string>, file: string | undefined): void {
  entries.forEach((e, i) => {
    if (!ruleIds.has(e.rule)) throw new UserError(`${file ?? 'config'}: /suppressions/${i}/rule: no rule "${e.rule}" (see linkaudit rules list)`);
  });
}

/**
 * Marks the fail and unknown findings that a config suppression in force, or the resource's
 * `linkaudit:suppress` tag, accepts. Config entries are tried in order, then the tag. Pass results
 * are never marked: there is nothing to accept.
 */
export function applySuppressions(
  findings: readonly Finding[],
  entries: readonly SuppressionEntry[],
  snapshot: Snapshot,
  ranRules: ReadonlySet<string>,
  now: Date,
): { findings: Finding[]; report: SuppressionReport } {
  const active = entries.filter((e) => inForce(e.expires, now));
  const expired = entries.filter((e) => !inForce(e.expires, now));
  const used = new Set<SuppressionEntry>();
  const tags = tagSuppressions(snapshot, ranRules);
  const applied = { config: 0, tag: 0 };
  const out = findings.map((f) => {
    if (f.status === 'pass') return f;
    const entry = active.find((e) => e.rule === f.ruleId && wildcardMatch(e.resource, f.resource.arn));
    if (entry) {
      used.add(entry);
      applied.config++;
      return annotate(f, { suppression: { source: 'config', reason: entry.reason, expires: entry.expires, ...(entry.ticket ? { ticket: entry.ticket } : {}) } });
    }
    const tagged = tags.valid.get(f.resource.arn);
    if (tagged && tagged.rules.has(f.ruleId)) {
      applied.tag++;
      return annotate(f, { suppression: { source: 'tag', reason: tagged.reason } satisfies Suppression });
    }
    return f;
  });
  const unmatched = active.filter((e) => !used.has(e) && ranRules.has(e.rule));
  return { findings: out, report: { applied, expired, unmatched, invalidTags: tags.invalid } };
}

function tagSuppressions(snapshot: Snapshot, ranRules: ReadonlySet<string>): { valid: Map<string, { rules: Set<string>; reason: string }>; invalid: SuppressionReport['invalidTags'] } {
  const valid = new Map<string, { rules: Set<string>; reason: string }>();
  const invalid: SuppressionReport['invalidTags'] = [];
  const collections = [snapshot.connections, snapshot.hosts, snapshot.vpcEndpoints, snapshot.endpointServices, snapshot.iamUsers, snapshot.iamGroups, snapshot.iamRoles, snapshot.iamPolicies];
  for (const list of collections) {
    for (const r of list) {
      const value = r.tags[SUPPRESS_TAG];
      if (value === undefined) continue;
      const rules = new Set(value.split(/[\s,]+/).filter((x) => x !== ''));
      const reason = (r.tags[SUPPRESS_REASON_TAG] ?? '').trim();
      if (reason.length < MIN_REASON) {
        invalid.push({ arn: r.arn, problem: `tag ${SUPPRESS_TAG} needs a ${SUPPRESS_REASON_TAG} tag of at least ${MIN_REASON} characters; not applied` });
        continue;
      }
      const unknown = [...rules].filter((id) => !ranRules.has(id));
      if (unknown.length > 0) invalid.push({ arn: r.arn, problem: `tag ${SUPPRESS_TAG} names rule(s) that did not run: ${unknown.join(', ')}` });
      valid.set(r.arn, { rules, reason });
    }
  }
  invalid.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return { valid, invalid };
}

/** One line per problem, for stderr and --strict-suppressions. */
export function suppressionProblems(report: SuppressionReport): string[] {
  return [
    ...report.expired.map((e) => `suppression of ${e.rule} on ${e.resource} expired on ${e.expires}: it no longer applies`),
    ...report.unmatched.map((e) => `suppression of ${e.rule} on ${e.resource} matched nothing: remove it (fixed, or a typo in the ARN)`),
    ...report.invalidTags.map((t) => `${t.arn}: ${t.problem}`),
  ];
}
