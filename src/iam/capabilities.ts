import { connectionKey, parseArn } from '../model/arn.js';
import type { Connection, IamRole, IamUser, Snapshot } from '../model/types.js';
import { catalog, type CatalogAction } from './catalog.js';
import { ASSUME_ROLE, CODE_RUNNERS, EVERY_ACTION_PROBES, PASS_ROLE, SELF_ESCALATION, type CodeRunner } from './capability-table.js';
import { answer, maxReach, minReach, type Answer, type Path, type Reach, type ResourceSet } from './evaluate.js';
import { compilePolicy, PolicyError } from './policy.js';
import { policiesOf, type PrincipalPolicies } from './principals.js';
import { broadAnswer, everyResource as everyResourceOf_, factsFor, oneResource, questionsFor, regionsToAsk, snapshotTime } from './questions.js';
import type { RequestFacts } from './request.js';
import { wildcardMatch, type CharRun } from './wildcard.js';
import { pushAll } from '../arrays.js';

/**
 * What a role (or user) may do that decides how far its compromise reaches: docs/iam-analysis.md,
 * "Role capabilities". Every answer goes through the evaluator (evaluate.ts), so NotAction,
 * NotResource, Deny with conditions, boundaries and wildcards anywhere in an action name are
 * judged as for the connection rules, and stays three-valued: yes (unconditional), no (nothing,
 * or only within a scope), unknown (something could not be judged and might allow it).
 */

export type Verdict = 'yes' | 'no' | 'unknown';

export function verdictOf(reach: Reach): Verdict {
  return reach === 'unconditional' ? 'yes' : reach === 'unknown' ? 'unknown' : 'no';
}

/** One question's answer: its reach, the statements that decide it and what limited them. */
export interface CapabilityAnswer {
  verdict: Verdict;
  reach: Reach;
  /** The allowing statements at the answer's reach (before denies and the boundary). */
  allows: Path[];
  /** Denies or boundaries that lowered the answer. */
  limits: Path[];
  reasons: string[];
}

export type AdminRoute =
  /** Every action on every resource (`*` on `*`, or a NotAction that leaves IAM in). */
  | { kind: 'every-action' }
  /** iam:PassRole of every role to a service that runs code, with the service's actions. */
  | { kind: 'pass-role'; runner: CodeRunner }
  /** iam:PutRolePolicy or iam:AttachRolePolicy on itself. */
  | { kind: 'self-escalation' };

export interface AdminPath extends CapabilityAnswer {
  route: AdminRoute;
  /** The actions asked about on this route (for messages). */
  actions: string[];
}

export interface RoleCapabilities {
  principal: string;
  account: string;
  /** Admin-equivalent: the broadest route decides; `paths` are the routes at that reach. */
  admin: { verdict: Verdict; reach: Reach; paths: AdminPath[]; reasons: string[] };
  /** iam:PassRole on every role of its account, to any service. */
  passRole: CapabilityAnswer;
  /** UseConnection on every connection of its account (either prefix). */
  useConnection: CapabilityAnswer & { action?: string };
  /** sts:AssumeRole of roles in other accounts; `targets` are the resource patterns that reach them. */
  assumeRole: CapabilityAnswer & { targets: string[] };
  /** Principal fields that could not be read: every answer is unknown. */
  unread: string[];
}

const FIELDS = ['inlinePolicies', 'attachedPolicies', 'permissionsBoundary', 'groups'];

/** Fixed request keys, one object per service (judgements are shared per context object). */
const passedTo = new Map<string, RequestFacts['context']>();
function passedToContext(service: string): RequestFacts['context'] {
  let c = passedTo.get(service);
  if (!c) {
    c = Object.freeze({ 'iam:passedtoservice': Object.freeze([service]) });
    passedTo.set(service, c);
  }
  return c;
}

const cache = new WeakMap<Snapshot, WeakMap<IamUser | IamRole, RoleCapabilities>>();

/** The capabilities of one principal of the snapshot, computed once per snapshot. */
export function capabilitiesOf(principal: IamUser | IamRole, snapshot: Snapshot): RoleCapabilities {
  let bySnapshot = cache.get(snapshot);
  if (!bySnapshot) {
    bySnapshot = new WeakMap();
    cache.set(snapshot, bySnapshot);
  }
  let caps = bySnapshot.get(principal);
  if (!caps) {
    caps = compute(principal, snapshot);
    bySnapshot.set(principal, caps);
  }
  return caps;
}

function action(name: string): CatalogAction {
  const a = catalog().byName.get(name.toLowerCase());
  if (!a) throw new Error(`${name} is not in the IAM action catalogue`);
  return a;
}

/** Nothing allows it: shared, never changed. */
const NONE: CapabilityAnswer = Object.freeze({ verdict: 'no', reach: 'none', allows: [], limits: [], reasons: [] }) as CapabilityAnswer;

function unknownAnswer(reasons: string[]): CapabilityAnswer {
  return { verdict: 'unknown', reach: 'unknown', allows: [], limits: [], reasons };
}

function toCapability(a: Answer): CapabilityAnswer {
  return { verdict: verdictOf(a.reach), reach: a.reach, allows: a.allows, limits: a.limits, reasons: a.reasons };
}

/** The narrowest of several answers (each must hold), or the broadest (any one suffices). */
function narrowest(answers: readonly CapabilityAnswer[]): CapabilityAnswer {
  let out = answers[0] as CapabilityAnswer;
  for (const a of answers.slice(1)) if (minReach(out.reach, a.reach) !== out.reach) out = a;
  return out;
}
function broadest<T extends CapabilityAnswer>(answers: readonly T[]): T {
  let out = answers[0] as T;
  for (const a of answers.slice(1)) if (maxReach(out.reach, a.reach) !== out.reach) out = a;
  return out;
}

function compute(principal: IamUser | IamRole, snapshot: Snapshot): RoleCapabilities {
  const unread = (principal.unreadable ?? []).filter((u) => FIELDS.includes(u.field)).map((u) => `${u.field} not readable (${u.operation}: ${u.errorCode})`);
  const base = { principal: principal.arn, account: principal.account, unread };
  if (unread.length > 0) {
    const u = unknownAnswer(unread);
    return { ...base, admin: { verdict: 'unknown', reach: 'unknown', paths: [], reasons: unread }, passRole: u, useConnection: u, assumeRole: { ...u, targets: [] } };
  }
  const policies = policiesOf(principal, snapshot);
  const time = timeOf(snapshot);
  const partition = snapshot.scope.partition;
  const ask = (name: string, set: ResourceSet, context?: RequestFacts['context']): CapabilityAnswer => {
    const a = action(name);
    if (policies.mentions !== 'all' && !policies.mentions.has(a.index)) return NONE;
    const facts = factsFor(principal, a, { account: principal.account }, time);
    return toCapability(answer(policies.identity, policies.boundary, context ? { ...facts, context } : facts, set));
  };
  /** Every resource of the action in the principal's account: each resource type it requires must be reached. */
  const everyOf = (name: string, context?: RequestFacts['context']): CapabilityAnswer => {
    const a = action(name);
    if (policies.mentions !== 'all' && !policies.mentions.has(a.index)) return NONE;
    const sets = setsOf(a, partition, principal.account);
    const perType = sets.map((set) => {
      let best = ask(name, set.all, context);
      // A grant on one region's resources (`…:lambda:eu-west-1:…:function:*`) reaches every resource there.
      if (set.perRegion && best.reach !== 'unconditional' && best.reach !== 'none') {
        for (const region of regionsToAsk(policies, a)) {
          const r = ask(name, set.perRegion(region), context);
          if (maxReach(best.reach, r.reach) !== best.reach) best = r;
          if (best.reach === 'unconditional') break;
        }
      }
      return best;
    });
    return narrowest(perType);
  };

  // Roles of one account with the same policies (generated roles, roles with managed policies
  // only) answer alike but for what names the role itself: computed once.
  const sig = signatureOf(principal, policies);
  const bySig = sig === undefined ? undefined : sharedOf(snapshot);
  let shared = sig === undefined ? undefined : bySig?.get(sig);
  if (!shared) {
    shared = sharedAnswers(principal, policies, snapshot, ask, everyOf);
    if (sig !== undefined) bySig?.set(sig, shared);
  }
  const { passRole, use, assume } = shared;
  const self = broadest(SELF_ESCALATION.map((name) => ask(name, ownArn(principal.arn))));
  const paths: AdminPath[] = [...shared.paths, { ...self, route: { kind: 'self-escalation' }, actions: [...SELF_ESCALATION] }];
  const top = broadest(paths);
  const admin = {
    verdict: verdictOf(top.reach),
    reach: top.reach,
    paths: top.reach === 'none' ? [] : paths.filter((p) => p.reach === top.reach),
    reasons: top.reach === 'unknown' ? [...new Set(paths.filter((p) => p.reach === 'unknown').flatMap((p) => p.reasons))] : [],
  };
  return { ...base, admin, passRole, useConnection: use, assumeRole: assume };
}

interface SharedAnswers {
  passRole: CapabilityAnswer;
  /** The admin routes but rewriting itself. */
  paths: AdminPath[];
  use: CapabilityAnswer & { action?: string };
  assume: CapabilityAnswer & { targets: string[] };
}

type Ask = (name: string, set: ResourceSet, context?: RequestFacts['context']) => CapabilityAnswer;

function sharedAnswers(principal: IamUser | IamRole, policies: PrincipalPolicies, snapshot: Snapshot, ask: Ask, everyOf: (name: string, context?: RequestFacts['context']) => CapabilityAnswer): SharedAnswers {
  const partition = snapshot.scope.partition;
  const passRole = everyOf(PASS_ROLE);
  const everyAction = narrowest([...EVERY_ACTION_PROBES.map((p) => ask(p, anyResource(partition))), passRole]);
  const paths: AdminPath[] = [{ ...everyAction, route: { kind: 'every-action' }, actions: ['*'] }];
  for (const runner of CODE_RUNNERS) {
    const pass = everyOf(PASS_ROLE, passedToContext(runner.service));
    // Cheap first: most roles may not pass every role, and then the service's actions do not matter.
    if (pass.reach === 'none' || pass.reach === 'scoped') {
      paths.push({ ...pass, route: { kind: 'pass-role', runner }, actions: [PASS_ROLE, ...runner.actions] });
      continue;
    }
    const answers = [pass, ...runner.actions.map((name) => everyOf(name))];
    paths.push({ ...narrowest(answers), route: { kind: 'pass-role', runner }, actions: [PASS_ROLE, ...runner.actions] });
  }
  const use = broadest(
    useQuestions().map((q) => {
      const b = broadAnswer(principal, policies, snapshot, q.action, q.type);
      return { ...toCapability(b), action: q.action.name };
    }),
  );
  const assume = assumeRoleElsewhere(principal, partition, ask);
  return { passRole, paths, use, assume };
}

let useQs: ReturnType<typeof questionsFor> | undefined;
function useQuestions(): ReturnType<typeof questionsFor> {
  useQs ??= questionsFor(['UseConnection']).filter((q) => q.type === 'connection');
  return useQs;
}

const sharedBySnapshot = new WeakMap<Snapshot, Map<string, SharedAnswers>>();
function sharedOf(snapshot: Snapshot): Map<string, SharedAnswers> {
  let m = sharedBySnapshot.get(snapshot);
  if (!m) {
    m = new Map();
    sharedBySnapshot.set(snapshot, m);
  }
  return m;
}

/**
 * What a role's answers (but rewriting itself) depend on: its account and policies, when no
 * statement depends on who asks (policy variables, principal keys, principal tags). Users are
 * not shared (groups). Undefined: not shareable.
 */
function signatureOf(principal: IamUser | IamRole, policies: PrincipalPolicies): string | undefined {
  if ('groups' in principal) return undefined;
  const parts: string[] = [principal.account, principal.permissionsBoundary ?? ''];
  for (const source of [...policies.identity, ...(policies.boundary ? [policies.boundary] : [])]) {
    if (source.document) {
      try {
        if (compilePolicy(source.document).statements.some((st) => st.perPrincipal)) return undefined;
      } catch (err) {
        if (!(err instanceof PolicyError)) throw err;
      }
    }
    parts.push(`${source.label}\u0001${source.policy.startsWith('arn:') ? '' : JSON.stringify(source.document ?? null)}`);
  }
  return parts.join('\u0000');
}

/**
 * sts:AssumeRole of roles outside the principal's account. Unconditional: any role of any account;
 * scoped: the roles of some accounts (listed as targets). The target's trust policy decides too;
 * that is the other account's half and is not judged here.
 */
function assumeRoleElsewhere(principal: IamUser | IamRole, partition: string, ask: (name: string, set: ResourceSet) => CapabilityAnswer): CapabilityAnswer & { targets: string[] } {
  const a = ask(ASSUME_ROLE, otherAccountsRoles(partition, principal.account));
  const targets = new Set<string>();
  for (const p of a.allows) for (const t of statementTargets(p, principal.account)) targets.add(t);
  // A pattern that can only name the principal's own account's roles reaches no other account;
  // a grant a Deny or the boundary removed reaches none.
  if (a.reach === 'none' || (a.reach === 'scoped' && targets.size === 0)) return { verdict: 'no', reach: 'none', allows: [], limits: [], reasons: [], targets: [] };
  return { ...a, verdict: a.reach === 'unknown' ? 'unknown' : 'yes', targets: [...targets].sort() };
}

/** The Resource patterns of an allowing statement that may name a role of another account. */
function statementTargets(p: Path, ownAccount: string): string[] {
  if (!p.source.document || p.statement < 0) return [];
  let resources: readonly string[];
  let not: boolean;
  try {
    const st = compilePolicy(p.source.document).statements[p.statement];
    if (!st) return [];
    resources = st.resources;
    not = st.notResource;
  } catch (err) {
    if (err instanceof PolicyError) return [];
    throw err;
  }
  if (not) return [`every role but ${resources.join(', ')}`];
  return resources.filter((r) => {
    if (r === '*') return true;
    const account = r.split(':')[4];
    return account === undefined || account !== ownAccount;
  });
}

// --- resource sets ---------------------------------------------------------------------------

const REGION_CHARS: CharRun = { run: (c) => /[a-z0-9-]/.test(c) };
const ACCOUNT_CHARS: CharRun = { run: (c) => /[0-9]/.test(c) };
const ID_CHARS: CharRun = { run: (c) => c !== ':' };
// Fillers that share no character: only a pattern whose part is a wildcard matches both.
const REGION_PROBES = ['aa-aaaa-1', 'zz-zzzz-9'];
const ID_PROBES = ['0', 'Zz_9/x.y-w+=,@'];

const sets = new Map<string, ResourceSet>();
function memo(key: string, make: () => ResourceSet): ResourceSet {
  let s = sets.get(key);
  if (!s) {
    s = make();
    sets.set(key, s);
  }
  return s;
}

interface TypeSets {
  all: ResourceSet;
  /** The same resources in one region (or the regions a pattern names), when the ARN has a region. */
  perRegion?: (region: string) => ResourceSet;
}

/**
 * The resources an action needs, from the catalogue's ARN formats: every resource of each required
 * type in the account (`${Region}` every region, other `${…}` every id). An action with no
 * resource type is authorized on `*` only.
 */
const setsCache = new Map<string, TypeSets[]>();
function setsOf(a: CatalogAction, partition: string, account: string): TypeSets[] {
  const key = `${a.index}|${partition}|${account}`;
  let out = setsCache.get(key);
  if (!out) {
    out = makeSets(a, partition, account);
    setsCache.set(key, out);
  }
  return out;
}

function makeSets(a: CatalogAction, partition: string, account: string): TypeSets[] {
  const required = a.resourceArns.filter((r) => r.required);
  const formats = (required.length > 0 ? required : a.resourceArns).map((r) => r.arn);
  if (formats.length === 0) return [{ all: memo('*', () => ({ describe: 'resource "*"', glob: '*', shape: ['*'], probes: ['*'] })) }];
  return formats.map((format) => {
    const hasRegion = format.includes('${Region}');
    const make = (region: string): ResourceSet => memo(`${format}|${partition}|${account}|${region}`, () => templateSet(format, partition, account, region));
    return { all: make('*'), ...(hasRegion ? { perRegion: make } : {}) };
  });
}

function templateSet(format: string, partition: string, account: string, region: string): ResourceSet {
  const parts = format.split(/(\$\{[A-Za-z]+\})/).filter((p) => p !== '');
  const shape: Array<string | CharRun> = [];
  const fill = (regionProbe: string, idProbe: string): string =>
    parts
      .map((p) => {
        if (p === '${Partition}') return partition;
        if (p === '${Account}') return account;
        if (p === '${Region}') return /[*?]/.test(region) ? region.replace(/\*/g, regionProbe).replace(/\?/g, regionProbe.slice(0, 1)) : region;
        return p.startsWith('${') ? idProbe : p;
      })
      .join('');
  for (const p of parts) {
    if (p === '${Partition}') pushAll(shape, partition);
    else if (p === '${Account}') pushAll(shape, account);
    else if (p === '${Region}') pushAll(shape, [...region].map((c) => (c === '*' || c === '?' ? REGION_CHARS : c)));
    else if (p.startsWith('${')) shape.push(ID_CHARS);
    else pushAll(shape, p);
  }
  const glob = parts
    .map((p) => (p === '${Partition}' ? partition : p === '${Account}' ? account : p === '${Region}' ? region : p.startsWith('${') ? '*' : p))
    .join('');
  const probes = REGION_PROBES.flatMap((r) => ID_PROBES.map((id) => fill(r, id)));
  return { describe: glob, glob, shape, probes: [...new Set(probes)] };
}

/** Any resource at all (for "every action"): ARNs of any service, region and account. */
function anyResource(partition: string): ResourceSet {
  return memo(`any|${partition}`, () => ({
    describe: 'every resource',
    glob: '*',
    shape: [...'arn:', ID_CHARS, ':', ID_CHARS, ':', REGION_CHARS, ':', ACCOUNT_CHARS, ':', { run: () => true }],
    probes: [`arn:${partition}:a:aa-aaaa-1:000000000000:0`, `arn:${partition}:zq9-x:zz-zzzz-9:999999999999:Zz_9/x.y-w+=,@:q`, `arn:${partition}:s3:::Zz_9`],
  }));
}

function everyResourceOf(prefix: string, partition: string, account: string, region: string): ResourceSet {
  return everyResourceOf_('connection', prefix, partition, region, account);
}

/** Roles of every account but `own`. */
function otherAccountsRoles(partition: string, own: string): ResourceSet {
  return memo(`assume|${partition}|${own}`, () => {
    const accounts = ['000000000000', '999999999999', '111111111111', '888888888888'].filter((a) => a !== own).slice(0, 2);
    const probes = accounts.flatMap((a) => ID_PROBES.map((id) => `arn:${partition}:iam::${a}:role/${id}`));
    return { describe: 'roles of other accounts', glob: `arn:${partition}:iam::*:role/*`, shape: [...`arn:${partition}:iam::`, ACCOUNT_CHARS, ...':role/', ID_CHARS], probes };
  });
}

function ownArn(arn: string): ResourceSet {
  return memo(`own|${arn}`, () => oneResource(arn));
}

// --- one connection ----------------------------------------------------------------------------

const CONNECTION = /^arn:([^:]+):(codestar-connections|codeconnections):([^:]*):([^:]*):connection\/.+$/;

const repositoryContexts = new Map<string, RequestFacts['context']>();
function repositoryContext(prefix: string, repository: string): RequestFacts['context'] {
  const key = `${prefix}|${repository}`;
  let c = repositoryContexts.get(key);
  if (!c) {
    c = Object.freeze({ [`${prefix}:fullrepositoryid`]: Object.freeze([repository]) });
    // Bounded: a snapshot naming many repositories shares less, but never grows this without end.
    if (repositoryContexts.size < 10_000) repositoryContexts.set(key, c);
  }
  return c;
}

export interface ConnectionUse extends CapabilityAnswer {
  /** The action asked: UseConnection under the ARN's own prefix. */
  action: string;
  /** Whether the connection's tags (from the snapshot) decided tag conditions. */
  tagsKnown: boolean;
}

/**
 * May the principal call UseConnection on this connection ARN (for this repository, when one is
 * named)? Prefix-aware: only the action of the ARN's own prefix applies to it. The connection's
 * tags, when the snapshot has it under either prefix, decide aws:ResourceTag conditions.
 */
export function mayUseConnection(principal: IamUser | IamRole, snapshot: Snapshot, connectionArn: string, repository?: string): ConnectionUse | undefined {
  const m = CONNECTION.exec(connectionArn);
  if (!m) return undefined;
  const prefix = m[2] as string;
  const account = m[4] as string;
  const a = action(`${prefix}:UseConnection`);
  const unread = (principal.unreadable ?? []).filter((u) => FIELDS.includes(u.field)).map((u) => `${u.field} not readable (${u.operation}: ${u.errorCode})`);
  if (unread.length > 0) return { ...unknownAnswer(unread), action: a.name, tagsKnown: false };
  const connection = connectionByKey(snapshot, connectionArn);
  const tagsKnown = connection !== undefined && !connection.unreadable?.some((u) => u.field === 'tags' || u.field === '*');
  const policies = policiesOf(principal, snapshot);
  if (policies.mentions !== 'all' && !policies.mentions.has(a.index)) return { verdict: 'no', reach: 'none', allows: [], limits: [], reasons: [], action: a.name, tagsKnown };
  const facts = factsFor(principal, a, { account, ...(tagsKnown && connection ? { tags: connection.tags } : {}) }, timeOf(snapshot));
  const withRepo = repository !== undefined && repository !== '' ? { ...facts, context: repositoryContext(prefix, repository) } : facts;
  return { ...toCapability(answer(policies.identity, policies.boundary, withRepo, ownArn(connectionArn))), action: a.name, tagsKnown };
}

const times = new WeakMap<Snapshot, number | undefined>();
function timeOf(snapshot: Snapshot): number | undefined {
  if (!times.has(snapshot)) times.set(snapshot, snapshotTime(snapshot));
  return times.get(snapshot);
}

const connectionIndex = new WeakMap<Snapshot, Map<string, Connection>>();
/** The snapshot's connection of this ARN under either prefix. */
export function connectionByKey(snapshot: Snapshot, arn: string): Connection | undefined {
  let index = connectionIndex.get(snapshot);
  if (!index) {
    index = new Map();
    for (const c of snapshot.connections) {
      const k = connectionKey(c.arn);
      if (k !== undefined) index.set(k, c);
    }
    connectionIndex.set(snapshot, index);
  }
  const key = connectionKey(arn);
  return key === undefined ? undefined : index.get(key);
}

/** The account of a role ARN (`arn:aws:iam::ACCOUNT:role/…`), or undefined. */
export function roleAccount(arn: string): string | undefined {
  const p = parseArn(arn);
  return p && p.service === 'iam' && p.resource.startsWith('role/') && p.account !== '' ? p.account : undefined;
}

/**
 * The connections of the snapshot (in the principal's account) that its UseConnection grants name,
 * when it may not use every one: by ARN, by a pattern that reaches some connections only, or by
 * their tags (every connection is asked, with its tags). A grant on every connection within
 * another condition's scope (a repository) names none: that is what the "every connection" answer
 * says. Each is then asked about as `mayUseConnection` does.
 */
export function namedConnections(principal: IamUser | IamRole, snapshot: Snapshot): Array<{ connection: string; access: Exclude<Reach, 'none'> }> {
  const policies = policiesOf(principal, snapshot);
  const literals = new Set<string>();
  const globs: string[] = [];
  let every = false;
  for (const prefix of ['codestar-connections', 'codeconnections']) {
    const a = action(`${prefix}:UseConnection`);
    const all = (region: string): ResourceSet => memo(`every|${prefix}|${principal.account}|${region}`, () => everyResourceOf(prefix, snapshot.scope.partition, principal.account, region));
    for (const source of policies.identity) {
      // A policy that cannot be read makes the "every connection" answer unknown, which says it:
      // listing every connection as unknown too would add nothing.
      if (!source.document) continue;
      let statements;
      try {
        statements = compilePolicy(source.document).byAction[a.index] ?? [];
      } catch (err) {
        if (err instanceof PolicyError) continue;
        throw err;
      }
      for (const st of statements) {
        // A grant scoped by the connections' tags: the snapshot has the tags, so each is asked.
        if (st.conditions.some((c) => c.keyLower.startsWith('aws:resourcetag/'))) every = true;
        if (st.effect !== 'Allow') continue;
        if (st.notResource || (st.variables && st.resources.some((r) => r.includes('${')))) {
          every = true;
          continue;
        }
        for (const pattern of st.resources) {
          if (!/[*?]/.test(pattern)) literals.add(pattern);
          else if (!all('*').probes.every((probe) => wildcardMatch(pattern, probe))) globs.push(pattern);
        }
      }
    }
  }
  const asked = new Set<string>();
  if (every || globs.length > 0) {
    for (const c of accountConnections(snapshot, principal.account)) {
      for (const arn of [c.arn, otherPrefix(c.arn)]) if (every || globs.some((g) => wildcardMatch(g, arn))) asked.add(arn);
    }
  }
  // A named ARN counts when the snapshot has that connection under either prefix, in the account.
  for (const arn of literals) {
    const c = connectionByKey(snapshot, arn);
    if (c && c.account === principal.account) asked.add(arn);
  }
  const out: Array<{ connection: string; access: Exclude<Reach, 'none'> }> = [];
  for (const arn of asked) {
    const use = mayUseConnection(principal, snapshot, arn);
    if (use && use.reach !== 'none') out.push({ connection: arn, access: use.reach });
  }
  return out.sort((x, y) => (x.connection < y.connection ? -1 : 1));
}

function otherPrefix(arn: string): string {
  return arn.includes(':codestar-connections:') ? arn.replace(':codestar-connections:', ':codeconnections:') : arn.replace(':codeconnections:', ':codestar-connections:');
}

const byAccount = new WeakMap<Snapshot, Map<string, Connection[]>>();
function accountConnections(snapshot: Snapshot, account: string): Connection[] {
  let map = byAccount.get(snapshot);
  if (!map) {
    map = new Map();
    for (const c of snapshot.connections) map.set(c.account, [...(map.get(c.account) ?? []), c]);
    byAccount.set(snapshot, map);
  }
  return map.get(account) ?? [];
}
