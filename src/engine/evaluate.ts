import { scopeArn } from '../model/arn.js';
import { KIND_COLLECTION, type AnyResource, type ResourceKind, type Snapshot } from '../model/types.js';
import { buildIndex } from './snapshot-index.js';
import type { Severity } from './severity.js';
import { iacJudged, ruleKinds, type Detail, type EvalContext, type Evidence, type Finding, type FindingResource, type Rule, type RuleResult, type RuleSettings, type SnapshotIndex, type Status } from './types.js';
import { UnknownValue } from './unknown.js';

export interface EvaluationOutput {
  findings: Finding[];
  /** Rules that were run, sorted by id. */
  rules: Rule[];
  /** Number of (rule, resource) evaluations, including not-applicable ones. */
  evaluations: number;
}

// The index depends on the snapshot alone; a snapshot evaluated again (other settings, the
// bench's repeated passes, `rules validate` cases) reuses it.
const indexes = new WeakMap<Snapshot, SnapshotIndex>();

export function makeContext(snapshot: Snapshot, settings: RuleSettings): EvalContext {
  let index = indexes.get(snapshot);
  if (!index) {
    index = buildIndex(snapshot);
    indexes.set(snapshot, index);
  }
  return { snapshot, settings, now: new Date(snapshot.generatedAt), index };
}

/**
 * Runs every rule over every resource of its kind. One result per (rule, resource): fail, pass or
 * unknown; a rule that throws gives unknown for that resource and the scan goes on. Whole listings
 * that could not be read give one unknown per (rule, account, region), identified by a scope ARN.
 */
export function evaluateRules(rules: readonly Rule[], snapshot: Snapshot, settings: RuleSettings, bind?: (ctx: EvalContext) => void): EvaluationOutput {
  const ctx = makeContext(snapshot, settings);
  bind?.(ctx);
  const sorted = [...rules].sort((a, b) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0));
  const findings: Finding[] = [];
  let evaluations = 0;
  for (const rule of sorted) {
    const kinds = ruleKinds(rule.meta);
    // Listings that could not be read: one unknown per (account, region), placed among the
    // resources in ARN order like every other finding.
    const gaps: Finding[] = [];
    for (const gap of snapshot.coverage) {
      for (const kind of kinds) {
      if (gap.field !== undefined || !gap.resourceKinds.includes(kind)) continue;
      const arn = scopeArn(kind, snapshot.scope.partition, gap.account, gap.region);
      if (gaps.some((g) => g.resource.arn === arn)) continue; // two failed operations, one unknown
      gaps.push({
        ruleId: rule.meta.id,
        status: 'unknown',
        severity: rule.meta.severity,
        resource: { arn, kind, account: gap.account, region: gap.region },
        message: `Not evaluated: ${gap.operation} failed for account ${gap.account} in ${gap.region} (${gap.errorCode}: ${gap.message}).`,
        evidence: [],
      });
      }
    }
    // A rule IaC cannot judge has nothing to be unknown about in a snapshot made from templates.
    if (!appliesUnderSettings(rule, ctx) || (snapshot.source.kind === 'iac' && !iacJudged(rule.meta))) gaps.length = 0;
    gaps.sort((a, b) => (a.resource.arn < b.resource.arn ? -1 : 1));
    let g = 0;
    const run: RuleRun = { rule, ctx };
    const { resources, kindOf } = resourcesOf(snapshot, kinds);
    for (const resource of resources) {
      const kind = kindOf(resource);
      while (g < gaps.length && (gaps[g] as Finding).resource.arn < resource.arn) findings.push(gaps[g++] as Finding);
      evaluations++;
      const result = evaluateOne(rule, resource, ctx);
      if (result) findings.push(new EvaluatedFinding(run, result, resource, kind));
    }
    while (g < gaps.length) findings.push(gaps[g++] as Finding);
  }
  return { findings, rules: sorted, evaluations };
}

/**
 * The resources of the kinds in ARN order (each collection is sorted already; several kinds, as
 * users and roles, are merged).
 */
function resourcesOf(snapshot: Snapshot, kinds: readonly ResourceKind[]): { resources: AnyResource[]; kindOf: (r: AnyResource) => ResourceKind } {
  if (kinds.length === 1) {
    const kind = kinds[0] as ResourceKind;
    return { resources: snapshot[KIND_COLLECTION[kind]] as AnyResource[], kindOf: () => kind };
  }
  // Merged once per snapshot and set of kinds: several rules (and repeated evaluations) ask again.
  let merged = mergedKinds.get(snapshot);
  if (merged === undefined) mergedKinds.set(snapshot, (merged = new Map()));
  const key = kinds.join(',');
  let hit = merged.get(key);
  if (hit === undefined) {
    const kindOf = new Map<AnyResource, ResourceKind>();
    for (const kind of kinds) for (const r of snapshot[KIND_COLLECTION[kind]] as AnyResource[]) kindOf.set(r, kind);
    const resources = [...kindOf.keys()].sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
    hit = { resources, kindOf: (r) => kindOf.get(r) as ResourceKind };
    merged.set(key, hit);
  }
  return hit;
}

const mergedKinds = new WeakMap<Snapshot, Map<string, { resources: AnyResource[]; kindOf: (r: AnyResource) => ResourceKind }>>();

/** A rule run over one scan: shared by all its findings, which stay four fields small. */
interface RuleRun {
  rule: Rule;
  ctx: EvalContext;
}

/**
 * A finding whose message and evidence are rendered when first read, then kept. A scan of 100,000
 * resources holds ~300,000 of these, so they keep references only.
 */
class EvaluatedFinding implements Finding {
  private detail: Detail | undefined;

  constructor(
    private readonly run: RuleRun,
    private readonly result: RuleResult,
    private readonly subject: AnyResource,
    private readonly kind: ResourceKind,
  ) {
    this.detail = result.detail;
  }

  get resource(): FindingResource {
    return findingResource(this.kind, this.subject);
  }

  get ruleId(): string {
    return this.run.rule.meta.id;
  }

  get status(): Status {
    return this.result.status;
  }

  get severity(): Severity {
    return this.result.severity ?? this.run.rule.meta.severity;
  }

  private rendered(): Detail {
    const { rule, ctx } = this.run;
    this.detail ??= rule.describe ? rule.describe(this.subject, ctx, this.result) : { message: `${rule.meta.title}.`, evidence: [] };
    return this.detail;
  }

  get message(): string {
    return this.rendered().message;
  }

  get evidence(): Evidence[] {
    return this.rendered().evidence;
  }

  toJSON(): Finding {
    const { message, evidence } = this.rendered();
    return { ruleId: this.ruleId, status: this.status, severity: this.severity, resource: this.resource, message, evidence };
  }
}

// One identity per resource, shared by every rule's finding on it, made when a report asks.
const identities = new WeakMap<AnyResource, FindingResource>();

function findingResource(kind: ResourceKind, r: AnyResource): FindingResource {
  let ref = identities.get(r);
  if (!ref) {
    const name = 'name' in r && r.name ? r.name : 'id' in r && r.id ? r.id : undefined;
    ref = { arn: r.arn, kind, account: r.account, region: r.region, ...(name ? { name } : {}), ...(r.origin ? { origin: r.origin } : {}) };
    identities.set(r, ref);
  }
  return ref;
}

/**
 * One (rule, resource): applicability first (a rule that does not apply gives no result, whatever
 * could not be read), then the fields the verdict reads, then the verdict.
 */
export function evaluateOne(rule: Rule, resource: AnyResource, ctx: EvalContext): RuleResult | undefined {
  // Runtime state a template does not declare: no result for a resource from infrastructure as code.
  if (resource.origin !== undefined && !iacJudged(rule.meta)) return undefined;
  if (rule.applies) {
    const unreadMatch = unreadableAmong(resource, rule.matchFields ?? rule.fields);
    let applies: boolean;
    try {
      applies = rule.applies(unreadMatch.length > 0 ? withUnreadable(resource, unreadMatch) : resource, ctx);
    } catch (err) {
      // What was read does not decide applicability: unknown, never "does not apply" (a false pass).
      return unreadMatch.length > 0 && err instanceof UnreadField ? notRead(unreadMatch) : errorResult(err);
    }
    if (!applies) return undefined;
  }
  const unread = unreadableAmong(resource, rule.fields);
  if (unread.length > 0) return notRead(unread);
  try {
    return rule.evaluate(resource, ctx);
  } catch (err) {
    return errorResult(err);
  }
}

/**
 * Whether a rule applies at all under these settings, when its applicability depends on the
 * settings alone (no resource field): such a rule that does not apply gives no unknown for a
 * listing that could not be read either. `true` when it cannot be told without a resource.
 */
export function appliesUnderSettings(rule: Rule, ctx: EvalContext): boolean {
  if (!rule.applies || !rule.matchFields || rule.matchFields.size > 0) return true;
  try {
    // The match reads no resource field: any resource answers for all of them.
    return rule.applies({} as AnyResource, ctx);
  } catch {
    return true;
  }
}

type Unread = NonNullable<AnyResource['unreadable']>[number];

/**
 * The unreadable entries among the fields a rule reads. An entry for `*` (the whole resource is
 * undecided: a template Transform that cannot be expanded) meets every rule that reads any field;
 * a rule that reads none (its verdict depends on the settings alone) is not touched by it.
 */
export function unreadableAmong(resource: Pick<AnyResource, 'unreadable'>, fields: ReadonlySet<string>): Unread[] {
  if (!resource.unreadable || resource.unreadable.length === 0) return [];
  const readsAny = fields.size > 0;
  return resource.unreadable.filter((u) => fields.has(u.field) || fields.has('*') || (u.field === '*' && readsAny));
}

function notRead(unread: readonly Unread[]): RuleResult {
  const what = unread.map((u) => `${u.field} (${u.operation}: ${u.errorCode}${u.message ? ` - ${u.message}` : ''})`).join('; ');
  return { status: 'unknown', detail: { message: `Not evaluated: could not read ${what}.`, evidence: [] } };
}

function errorResult(err: unknown): RuleResult {
  if (err instanceof UnknownValue) return { status: 'unknown', detail: { message: `Not evaluated: ${err.reason}.`, evidence: [] } };
  const msg = (err as Error).message.split('\n')[0] ?? String(err);
  return { status: 'unknown', detail: { message: `Rule error: ${msg}`, evidence: [] } };
}

const IDENTITY_FIELDS = new Set(['arn', 'id', 'account', 'region', 'origin', 'unreadable']);

/** Thrown by a field that could not be collected when an applicability check reads it. */
class UnreadField extends Error {
  constructor(message: string) {
    // Caught by evaluateOne for every such resource and never shown: no stack to capture.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/**
 * The resource as applicability sees it: reading or testing (`has()`) an unreadable field throws,
 * so CEL's `&&` / `||` decide the match from what was read when they can, and error otherwise.
 * A match reading the resource whole (`*`, given to a helper) meets every unreadable field.
 */
function withUnreadable(resource: AnyResource, unread: readonly Unread[]): AnyResource {
  const fields = new Set(unread.map((u) => u.field));
  // `*`: every field is undecided but the identity (ARN, id, account, region), which the origin decides.
  const all = fields.has('*');
  const hidden = (key: string | symbol): boolean => typeof key === 'string' && (all ? !IDENTITY_FIELDS.has(key) : fields.has(key));
  const fail = (key: string): never => {
    throw new UnreadField(`${key} could not be read`);
  };
  return new Proxy(resource, {
    get: (t, key, r) => (hidden(key) ? fail(key as string) : Reflect.get(t, key, r)),
    has: (t, key) => (hidden(key) ? fail(key as string) : Reflect.has(t, key)),
    getOwnPropertyDescriptor: (t, key) => (hidden(key) ? fail(key as string) : Reflect.getOwnPropertyDescriptor(t, key)),
  });
}
