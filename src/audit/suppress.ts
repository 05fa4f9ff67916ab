import { UserError, located } from '../errors.js';
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
export const SUPPRESS_EXPIRES_TAG = 'linkaudit:suppress-expires';
const MIN_REASON = 10;
/** The longest a suppression may run when the config does not say (`maxSuppressionDays`). */
export const DEFAULT_MAX_SUPPRESSION_DAYS = 365;

/** What the config allows suppressions to do. */
export interface SuppressionPolicy {
  /**
   * Whether `linkaudit:suppress` tags apply. Off by default: whoever may tag a resource could
   * otherwise hide its finding from SARIF and the gate.
   */
  allowTagSuppressions: boolean;
  /** How far from now a suppression may expire. */
  maxSuppressionDays: number;
}

export const DEFAULT_SUPPRESSION_POLICY: SuppressionPolicy = { allowTagSuppressions: false, maxSuppressionDays: DEFAULT_MAX_SUPPRESSION_DAYS };

export interface SuppressionReport {
  /** Findings suppressed, by source. */
  applied: { config: number; tag: number };
  /** Config suppressions past their date: they no longer apply. */
  expired: SuppressionEntry[];
  /** Config suppressions in force that matched no fail or unknown result of a rule that ran. */
  unmatched: SuppressionEntry[];
  /** Resource tags asking for a suppression that cannot be honoured (no reason, unknown rule, expiry). */
  invalidTags: Array<{ arn: string; problem: string }>;
  /** Resource tags asking for a suppression while the config does not allow tag suppressions. */
  ignoredTags: Array<{ arn: string; rules: string }>;
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

/** Days from `now` to the end of the expiry day, UTC. */
function daysUntil(expires: string, now: Date): number {
  return (Date.parse(`${expires}T00:00:00Z`) + 86_400_000 - now.getTime()) / 86_400_000;
}

/**
 * Refuses a config suppression that expires further than `maxSuppressionDays` from now, so one
 * written for 9999-12-31 cannot pass unnoticed. `places` are the `file:line:col` of each entry's
 * `expires`, as the config loader recorded them.
 */
export function checkSuppressionExpiry(entries: readonly SuppressionEntry[], maxDays: number, now: Date, file: string | undefined, places: readonly ({ line: number; col: number } | undefined)[] = []): void {
  entries.forEach((e, i) => {
    const days = daysUntil(e.expires, now);
    if (days > maxDays + 1) {
      const pos = places[i];
      throw new UserError(
        located(file ?? 'config', `/suppressions/${i}/expires: ${e.expires} is ${Math.floor(days)} days away, more than maxSuppressionDays (${maxDays}); choose an earlier date, or raise maxSuppressionDays`, pos?.line, pos?.col),
      );
    }
  });
}

/**
 * Marks the fail and unknown findings that a config suppression in force, or the resource's
 * `linkaudit:suppress` tag, accepts. Config entries are tried in order, then the tag, which
 * applies only when the policy allows tag suppressions and the tag carries an expiry in force and
 * within `maxSuppressionDays`. Pass results are never marked: there is nothing to accept.
 */
export function applySuppressions(
  findings: readonly Finding[],
  entries: readonly SuppressionEntry[],
  snapshot: Snapshot,
  ranRules: ReadonlySet<string>,
  now: Date,
  policy: SuppressionPolicy = DEFAULT_SUPPRESSION_POLICY,
): { findings: Finding[]; report: SuppressionReport } {
  const suppressor = new Suppressor(entries, ranRules, now, policy);
  const out = suppressor.apply(findings, resourcesOf(snapshot));
  return { findings: out, report: suppressor.report() };
}

export type Tagged = Pick<Snapshot['connections'][number], 'arn' | 'account' | 'tags'>;

/** Every resource of the snapshot, in the order its collections are listed. */
export function* resourcesOf(snapshot: Snapshot): Generator<Tagged> {
  for (const list of [snapshot.connections, snapshot.hosts, snapshot.vpcEndpoints, snapshot.endpointServices, snapshot.iamUsers, snapshot.iamGroups, snapshot.iamRoles, snapshot.iamPolicies, snapshot.pipelines, snapshot.buildProjects, snapshot.sourceCredentials]) yield* list;
}

/**
 * The suppressions applied a part of the findings at a time (a streamed scan: a group of accounts
 * at a time, each with its own resources' tags), and what they did over all the parts.
 */
export class Suppressor {
  private readonly active: SuppressionEntry[];
  private readonly expired: SuppressionEntry[];
  private readonly used = new Set<SuppressionEntry>();
  private readonly applied = { config: 0, tag: 0 };
  private readonly invalid: SuppressionReport['invalidTags'] = [];
  private readonly ignored: SuppressionReport['ignoredTags'] = [];

  constructor(
    entries: readonly SuppressionEntry[],
    private readonly ranRules: ReadonlySet<string>,
    private readonly now: Date,
    private readonly policy: SuppressionPolicy = DEFAULT_SUPPRESSION_POLICY,
  ) {
    this.active = entries.filter((e) => inForce(e.expires, now));
    this.expired = entries.filter((e) => !inForce(e.expires, now));
  }

  /** `findings` marked; `resources` are those they are about whose tags may suppress them (each given once over all parts). */
  apply(findings: readonly Finding[], resources: Iterable<Tagged>): Finding[] {
    const tags = tagSuppressions(resources, this.ranRules, this.policy, this.now);
    for (const t of tags.invalid) this.invalid.push(t);
    for (const t of tags.ignored) this.ignored.push(t);
    return findings.map((f) => {
      if (f.status === 'pass') return f;
      const entry = this.active.find((e) => e.rule === f.ruleId && wildcardMatch(e.resource, f.resource.arn));
      if (entry) {
        this.used.add(entry);
        this.applied.config++;
        return annotate(f, { suppression: { source: 'config', reason: entry.reason, expires: entry.expires, ...(entry.ticket ? { ticket: entry.ticket } : {}) } });
      }
      const tagged = tags.valid.get(f.resource.arn);
      if (tagged && tagged.rules.has(f.ruleId)) {
        this.applied.tag++;
        return annotate(f, { suppression: { source: 'tag', reason: tagged.reason, expires: tagged.expires } satisfies Suppression });
      }
      return f;
    });
  }

  report(): SuppressionReport {
    const byArn = (a: { arn: string }, b: { arn: string }): number => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0);
    const unmatched = this.active.filter((e) => !this.used.has(e) && this.ranRules.has(e.rule));
    return { applied: { ...this.applied }, expired: this.expired, unmatched, invalidTags: [...this.invalid].sort(byArn), ignoredTags: [...this.ignored].sort(byArn) };
  }
}

interface TagSuppression {
  rules: Set<string>;
  reason: string;
  expires: string;
}

function tagSuppressions(
  resources: Iterable<Tagged>,
  ranRules: ReadonlySet<string>,
  policy: SuppressionPolicy,
  now: Date,
): { valid: Map<string, TagSuppression>; invalid: SuppressionReport['invalidTags']; ignored: SuppressionReport['ignoredTags'] } {
  const valid = new Map<string, TagSuppression>();
  const invalid: SuppressionReport['invalidTags'] = [];
  const ignored: SuppressionReport['ignoredTags'] = [];
  for (const r of resources) {
    const value = r.tags[SUPPRESS_TAG];
    if (value === undefined) continue;
    if (!policy.allowTagSuppressions) {
      ignored.push({ arn: r.arn, rules: value });
      continue;
    }
    const rules = new Set(value.split(/[\s,]+/).filter((x) => x !== ''));
    const reason = (r.tags[SUPPRESS_REASON_TAG] ?? '').trim();
    if (reason.length < MIN_REASON) {
      invalid.push({ arn: r.arn, problem: `tag ${SUPPRESS_TAG} needs a ${SUPPRESS_REASON_TAG} tag of at least ${MIN_REASON} characters; not applied` });
      continue;
    }
    const expires = (r.tags[SUPPRESS_EXPIRES_TAG] ?? '').trim();
    const problem = tagExpiryProblem(expires, policy.maxSuppressionDays, now);
    if (problem) {
      invalid.push({ arn: r.arn, problem: `tag ${SUPPRESS_TAG}: ${problem}; not applied` });
      continue;
    }
    const unknown = [...rules].filter((id) => !ranRules.has(id));
    if (unknown.length > 0) invalid.push({ arn: r.arn, problem: `tag ${SUPPRESS_TAG} names rule(s) that did not run: ${unknown.join(', ')}` });
    valid.set(r.arn, { rules, reason, expires });
  }
  return { valid, invalid, ignored };
}

/**
 * A tag suppression must expire as a config one does: a tag without a date would hide a finding
 * for ever, so it is not applied.
 */
function tagExpiryProblem(expires: string, maxDays: number, now: Date): string | undefined {
  if (expires === '') return `needs a ${SUPPRESS_EXPIRES_TAG} tag (YYYY-MM-DD, at most maxSuppressionDays = ${maxDays} days away)`;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(`${expires}T00:00:00Z`))) return `${SUPPRESS_EXPIRES_TAG} ${JSON.stringify(expires)} is not a YYYY-MM-DD date`;
  if (!inForce(expires, now)) return `expired on ${expires}`;
  if (daysUntil(expires, now) > maxDays + 1) return `${SUPPRESS_EXPIRES_TAG} ${expires} is more than maxSuppressionDays (${maxDays}) away`;
  return undefined;
}

/** One line per suppress tag the config does not allow, for stderr and the reports. */
export function ignoredTagNotes(report: SuppressionReport): string[] {
  return (report.ignoredTags ?? []).map(
    (t) => `${t.arn}: tag ${SUPPRESS_TAG}=${t.rules} ignored: tag suppressions are off (allowTagSuppressions: true in the config turns them on); its findings stay as they are`,
  );
}

/** One line per problem, for stderr and --strict-suppressions. */
export function suppressionProblems(report: SuppressionReport): string[] {
  return [
    ...report.expired.map((e) => `suppression of ${e.rule} on ${e.resource} expired on ${e.expires}: it no longer applies`),
    ...report.unmatched.map((e) => `suppression of ${e.rule} on ${e.resource} matched nothing: remove it (fixed, or a typo in the ARN)`),
    ...report.invalidTags.map((t) => `${t.arn}: ${t.problem}`),
  ];
}
