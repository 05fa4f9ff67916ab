import { judgeEntry, type EntryVerdict } from './conditions.js';
import { compilePolicy, PolicyError, type CompiledPolicy, type CompiledStatement, type ConditionEntry } from './policy.js';
import { resolveVariables, type RequestFacts } from './request.js';
import { globMatch, textInShape, wildcardMatch, wildcardMeetsShape, type Shape } from './wildcard.js';
import type { PolicyDocument } from '../model/types.js';
import { pushAll } from '../arrays.js';

/**
 * How far a principal reaches with one action over a set of resources, from least to most:
 * none; scoped (only some connections, repositories, branches, provider actions or target
 * services); unknown (something could not be judged and might allow everything); unconditional
 * (every resource of the set, whatever the repository or target — context conditions such as a
 * source IP do not change that).
 */
export type Reach = 'none' | 'scoped' | 'unknown' | 'unconditional';
const ORDER: Record<Reach, number> = { none: 0, scoped: 1, unknown: 2, unconditional: 3 };
export const maxReach = (a: Reach, b: Reach): Reach => (ORDER[a] >= ORDER[b] ? a : b);
export const minReach = (a: Reach, b: Reach): Reach => (ORDER[a] <= ORDER[b] ? a : b);

/** A policy a principal is subject to, as the findings name it. */
export interface PolicySource {
  /** `inline policy NAME`, `managed policy ARN`, … with `(via group G)` where inherited. */
  label: string;
  /** Inline policy name or managed policy ARN. */
  policy: string;
  /** The group it comes through, for users. */
  via?: string;
  boundary: boolean;
  document?: PolicyDocument;
  /** Why the document is not available (not in the snapshot, not readable). */
  missing?: string;
}

/**
 * The resources a question is about. `probes` are ARNs that only a pattern covering the whole set
 * matches (e.g. two connection ids that share no character); `shape` describes the set's ARNs,
 * to tell whether a pattern reaches part of it; `glob` shows it in messages.
 */
export interface ResourceSet {
  describe: string;
  glob: string;
  shape: Shape;
  probes: string[];
  /** One named resource: `shape` is its ARN's characters, so reaching part of it is matching it. */
  exact?: boolean;
}

/** One statement that decided (part of) an answer. */
export interface Path {
  source: PolicySource;
  statement: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** `Action [..]` or `NotAction [..]`: the patterns that matched the action (all of NotAction). */
  actionMatch: string;
  /** `Resource [..]` or `NotResource [..]`: the patterns that reached the set. */
  resourceMatch: string;
  /** The statement's conditions, rendered, each with what it does to this question. */
  conditions: string[];
  reach: Reach;
  /** For unknown paths, why. */
  reason?: string;
  /** For a statement that grants nothing at the snapshot's time (it expired, or starts later), why. */
  note?: string;
}

export interface Answer {
  reach: Reach;
  /**
   * The allowing paths at the broadest level they reach, before denies and the boundary: when
   * `reach` is lower, `limits` say what lowered it (a pass that a Deny produced names both).
   */
  allows: Path[];
  /** Allowing statements that match but grant nothing at the snapshot's time (a time condition). */
  inactive: Path[];
  /** Deny statements or boundaries that lowered it, and the limit each set. */
  limits: Path[];
  /** Why the answer is unknown, when it is. */
  reasons: string[];
}

const NO_ACCESS: Answer = Object.freeze({ reach: 'none', allows: [], inactive: [], limits: [], reasons: [] }) as Answer;

/** The question: may the principal, subject to these policies, do `action` on `resources`? */
export function answer(identity: readonly PolicySource[], boundary: PolicySource | undefined, facts: RequestFacts, resources: ResourceSet): Answer {
  // Most principals have no statement about most actions: answer those without allocating.
  if (!identity.some((source) => mayGrant(source, facts.action.index))) return NO_ACCESS;
  const reasons: string[] = [];
  const allows: Path[] = [];
  const limits: Path[] = [];
  const inactive: Path[] = [];
  let allowed: Reach = 'none';
  let cap: Reach = 'unconditional';
  const actionIndex = facts.action.index;

  const visit = (source: PolicySource, onAllow: (path: Path) => void): void => {
    const compiled = compiled_(source);
    if (typeof compiled === 'string') {
      const reason = `${source.label}: ${compiled}`;
      reasons.push(reason);
      onAllow(unreadPath(source, reason));
      // It could as well deny.
      cap = minReach(cap, 'unknown');
      return;
    }
    for (const st of compiled.byAction[actionIndex] ?? []) {
      const path = judgeStatement(source, st, facts, resources, actionIndex);
      if (!path) continue;
      if (path.note !== undefined && path.reach === 'none') {
        if (!source.boundary) inactive.push(path);
      } else if (st.effect === 'Allow') onAllow(path);
      else if (path.reach !== 'unconditional') {
        cap = minReach(cap, path.reach);
        limits.push(path);
        if (path.reach === 'unknown' && path.reason) reasons.push(path.reason);
      }
    }
  };

  for (const source of identity) {
    visit(source, (path) => {
      if (path.reach === 'unknown' && path.reason) reasons.push(path.reason);
      if (ORDER[path.reach] > ORDER[allowed]) {
        allowed = path.reach;
        allows.length = 0;
      }
      if (path.reach === allowed && path.reach !== 'none') allows.push(path);
    });
  }
  if (boundary) {
    let bounded: Reach = 'none';
    const boundaryAllows: Path[] = [];
    visit(boundary, (path) => {
      if (path.reach === 'unknown' && path.reason) reasons.push(path.reason);
      bounded = maxReach(bounded, path.reach);
      boundaryAllows.push(path);
    });
    if (ORDER[bounded] < ORDER[allowed]) {
      const best = boundaryAllows.filter((p) => p.reach === bounded);
      pushAll(limits, best.length > 0 ? best : [boundaryPath(boundary, bounded)]);
    }
    cap = minReach(cap, bounded);
  }
  const reach = minReach(allowed, cap);
  return { reach, allows, inactive, limits: reach === allowed ? [] : limits, reasons: reach === 'unknown' ? [...new Set(reasons)] : [] };
}

/** Whether a policy has a statement about the action, or cannot be read (and so might). */
function mayGrant(source: PolicySource, actionIndex: number): boolean {
  const compiled = compiled_(source);
  return typeof compiled === 'string' || (compiled.byAction[actionIndex]?.length ?? 0) > 0;
}

function compiled_(source: PolicySource): CompiledPolicy | string {
  if (source.missing !== undefined || !source.document) return source.missing ?? 'the policy document is missing';
  try {
    return compilePolicy(source.document);
  } catch (err) {
    if (err instanceof PolicyError) return `cannot be evaluated: ${err.message}`;
    throw err;
  }
}

function unreadPath(source: PolicySource, reason: string): Path {
  return { source, statement: -1, effect: 'Allow', actionMatch: '', resourceMatch: '', conditions: [], reach: 'unknown', reason };
}

function boundaryPath(source: PolicySource, reach: Reach): Path {
  return { source, statement: -1, effect: 'Allow', actionMatch: 'no statement allows the action', resourceMatch: '', conditions: [], reach };
}

type Coverage = 'all' | 'some' | 'allBut' | 'none';

/** wildcardMeetsShape for internal globs: escaped characters are literal (never `*` or `?` in an ARN shape). */
function globMeetsShape(glob: string, shape: Shape): boolean {
  if (!glob.includes('\\')) return /[*?]/.test(glob) ? wildcardMeetsShape(glob, shape) : textInShape(glob, shape);
  // An escaped `*` or `?` is a character no ARN holds; any other escaped character is itself.
  const literal = glob.replace(/\\(.)/g, (_, c: string) => (c === '*' || c === '?' ? '\u0000' : c));
  return wildcardMeetsShape(literal, shape);
}

/** How a statement's Resource/NotResource meets the set. */
function coverage(st: CompiledStatement, facts: RequestFacts, resources: ResourceSet): { coverage: Coverage; matched: string[] } {
  const full: string[] = [];
  const part: string[] = [];
  for (const pattern of st.resources) {
    // A variable with no value for this principal (a session tag) stands for one unknown value: it
    // cannot cover a whole set, but may reach part of it.
    // Escapes (`${*}` is a literal star) and substituted values make internal globs; a plain
    // pattern is its own glob.
    const special = pattern.includes('\\') || (st.variables && pattern.includes('${'));
    const exact = special ? resolveVariables(pattern, facts, { glob: true, variables: st.variables, unresolved: '\u0000' }) : pattern;
    if (exact !== undefined && resources.probes.every((probe) => globMatch(exact, probe))) {
      full.push(pattern);
      continue;
    }
    const loose = special ? resolveVariables(pattern, facts, { glob: true, variables: st.variables, unresolved: '*' }) : pattern;
    if (loose === undefined) continue;
    if (resources.exact ? special && globMatch(loose, resources.probes[0] as string) : globMeetsShape(loose, resources.shape)) part.push(pattern);
  }
  if (!st.notResource) {
    if (full.length > 0) return { coverage: 'all', matched: full };
    if (part.length > 0) return { coverage: 'some', matched: part };
    return { coverage: 'none', matched: [] };
  }
  if (full.length > 0) return { coverage: 'none', matched: full };
  if (part.length > 0) return { coverage: 'allBut', matched: part };
  return { coverage: 'all', matched: [] };
}

/**
 * What a statement says to one question, before it is tied to the policy it came from. The texts
 * findings show are rendered when first read: most judgements only decide a verdict.
 */
class Judgement {
  private texts: { actionMatch: string; resourceMatch: string; conditions: string[] } | undefined;

  constructor(
    readonly reach: Reach,
    /** For unknown: why, without the policy's name. */
    readonly why: string | undefined,
    private readonly st: CompiledStatement,
    private readonly actionName: string,
    private readonly matched: readonly string[],
    private readonly verdicts: readonly EntryVerdict[],
    /** For a statement that grants nothing at the snapshot's time, why. */
    readonly note?: string,
  ) {}

  rendered(): { actionMatch: string; resourceMatch: string; conditions: string[] } {
    const st = this.st;
    this.texts ??= {
      actionMatch: st.notAction ? `NotAction ${list(st.actions)}` : `Action ${list(st.actions.filter((p) => wildcardMatch(p, this.actionName, true)))}`,
      resourceMatch: `${st.notResource ? 'NotResource' : 'Resource'} ${list(st.notResource ? st.resources : this.matched)}`,
      conditions: st.conditions.map((c, i) => renderCondition(c, this.verdicts[i] as EntryVerdict, st.effect)),
    };
    return this.texts;
  }
}

/** A judgement tied to the policy it came from. */
class JudgedPath implements Path {
  readonly statement: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly reach: Reach;
  readonly reason?: string;
  readonly note?: string;

  constructor(
    readonly source: PolicySource,
    st: CompiledStatement,
    private readonly judgement: Judgement,
  ) {
    this.statement = st.index;
    if (st.sid) this.sid = st.sid;
    this.effect = st.effect;
    this.reach = judgement.reach;
    if (judgement.why !== undefined) this.reason = `${source.label} statement ${label(st)}${st.effect === 'Deny' ? ' (Deny)' : ''}: ${judgement.why}`;
    if (judgement.note !== undefined) this.note = judgement.note;
  }

  get actionMatch(): string {
    return this.judgement.rendered().actionMatch;
  }

  get resourceMatch(): string {
    return this.judgement.rendered().resourceMatch;
  }

  get conditions(): string[] {
    return this.judgement.rendered().conditions;
  }
}

// Judgements of statements that do not depend on the principal, per question: a managed policy
// attached to 10,000 roles is judged once per question, not 10,000 times. A question is the
// action, the resource set and the fixed request keys (one context object per question).
const shared = new WeakMap<CompiledStatement, Map<number, Map<ResourceSet, Judgement | null>>>();
const sharedInContext = new WeakMap<object, WeakMap<CompiledStatement, Map<number, Map<ResourceSet, Judgement | null>>>>();

function judgeStatement(source: PolicySource, st: CompiledStatement, facts: RequestFacts, resources: ResourceSet, actionIndex: number): Path | undefined {
  let j: Judgement | null | undefined;
  // Time-dependent statements are rare: judged afresh, so that snapshots of other times never share.
  if (!st.perPrincipal && !st.timeDependent && facts.resource.tags === undefined) {
    let table = shared;
    if (facts.context !== undefined) {
      let t = sharedInContext.get(facts.context);
      if (!t) {
        t = new WeakMap();
        sharedInContext.set(facts.context, t);
      }
      table = t;
    }
    let byAction = table.get(st);
    if (!byAction) {
      byAction = new Map();
      table.set(st, byAction);
    }
    let bySet = byAction.get(actionIndex);
    if (!bySet) {
      bySet = new Map();
      byAction.set(actionIndex, bySet);
    }
    j = bySet.get(resources);
    if (j === undefined) {
      j = judge(st, facts, resources) ?? null;
      bySet.set(resources, j);
    }
  } else j = judge(st, facts, resources) ?? null;
  return j ? new JudgedPath(source, st, j) : undefined;
}

function judge(st: CompiledStatement, facts: RequestFacts, resources: ResourceSet): Judgement | undefined {
  const { coverage: cov, matched } = coverage(st, facts, resources);
  if (cov === 'none') return undefined;
  const verdicts = st.conditions.map((c) => judgeEntry(c, facts, st.variables));
  const never = verdicts.filter((v): v is Extract<EntryVerdict, { kind: 'never' }> => v.kind === 'never');
  if (never.length > 0) {
    // An Allow that only the snapshot's time switches off is kept, so that the pass can say so.
    if (st.effect === 'Allow' && never.every((v) => v.time)) {
      const why = st.conditions
        .filter((_, i) => verdicts[i]?.kind === 'never')
        .map((c) => `${c.operatorText} ${c.key} ${list(c.values)}`)
        .join(' and ');
      return new Judgement('none', undefined, st, facts.action.name, matched, verdicts, `grants nothing at the snapshot's time (${new Date(facts.time as number).toISOString()}): ${why} does not hold then`);
    }
    return undefined;
  }
  const unknown = verdicts.find((v): v is Extract<EntryVerdict, { kind: 'unknown' }> => v.kind === 'unknown');
  let reach: Reach;
  if (st.effect === 'Allow') {
    // Conditions are ANDed: the narrowest decides (scoped < unknown < unconditional).
    let fromConditions: Reach = 'unconditional';
    for (const v of verdicts) fromConditions = minReach(fromConditions, v.kind === 'target' ? v.allow : v.kind === 'unknown' ? 'unknown' : 'unconditional');
    reach = minReach(cov === 'some' ? 'scoped' : 'unconditional', fromConditions);
  } else {
    // A Deny leaves allowed the requests one of its conditions does not hold for: nothing when it
    // always applies to the whole set; a scope when what it leaves is narrow (NotResource of some
    // connections, "deny unless the connection is tagged pipeline=release"); everything when it
    // applies only to some targets or some contexts.
    const fromResource: Reach = cov === 'all' ? 'none' : cov === 'allBut' ? 'scoped' : 'unconditional';
    let fromConditions: Reach = 'none';
    for (const v of verdicts) {
      if (v.kind === 'always') continue;
      fromConditions = maxReach(fromConditions, v.kind === 'target' ? v.deny : v.kind === 'unknown' ? 'unknown' : 'unconditional');
    }
    reach = maxReach(fromResource, fromConditions);
  }
  return new Judgement(reach, reach === 'unknown' ? (unknown?.reason ?? 'cannot be judged') : undefined, st, facts.action.name, matched, verdicts);
}

function label(st: CompiledStatement): string {
  return `${st.index}${st.sid ? ` (Sid ${st.sid})` : ''}`;
}

function list(items: readonly string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

function verdictWords(v: EntryVerdict, effect: 'Allow' | 'Deny'): string {
  switch (v.kind) {
    case 'always':
      return v.note ?? 'always holds here';
    case 'never':
      return v.note ?? 'never holds here';
    case 'context':
      return 'limits the context only';
    case 'unknown':
      return 'cannot be judged';
    case 'target':
      if (effect === 'Allow') return v.allow === 'scoped' ? 'scopes the grant' : `scopes nothing: ${v.note}`;
      return v.deny === 'scoped' ? `leaves only a scope allowed: ${v.note}` : `denies only some targets: ${v.note}`;
  }
}

function renderCondition(c: ConditionEntry, v: EntryVerdict, effect: 'Allow' | 'Deny'): string {
  return `${c.operatorText} ${c.key} ${list(c.values)} (${verdictWords(v, effect)})`;
}
