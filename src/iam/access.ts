import type { Connection, IamRole, IamUser, Snapshot } from '../model/types.js';
import { catalog, type CatalogAction, type ConnectionPrefix } from './catalog.js';
import { answer, type Path, type Reach, type ResourceSet } from './evaluate.js';
import { compilePolicy, PolicyError, type CompiledStatement } from './policy.js';
import { policiesOf, type PrincipalPolicies } from './principals.js';
import { everyResource, factsFor, oneResource, snapshotTime } from './questions.js';
import { textInShape, wildcardMatch, wildcardMeetsShape } from './wildcard.js';

/** The actions `linkaudit access` reports, per connection. */
export const ACCESS_ACTIONS = ['UseConnection', 'GetConnectionToken', 'PassConnection'] as const;

export interface AccessGrant {
  action: string;
  reach: Exclude<Reach, 'none'>;
  /** The statements that allow it (at that reach), and the denies or boundary that limit it. */
  through: Path[];
  limits: Path[];
  reasons: string[];
}

export interface AccessEntry {
  principal: string;
  kind: 'iamUser' | 'iamRole';
  grants: AccessGrant[];
}

export interface AccessReport {
  connection: string;
  /** Whether the connection is in the snapshot (its tags then decide aws:ResourceTag conditions). */
  inSnapshot: boolean;
  tagsKnown: boolean;
  principalsEvaluated: number;
  principals: AccessEntry[];
  /** IAM listings or fields of the connection's account that could not be read. */
  gaps: string[];
}

const CONNECTION_ARN = /^arn:(aws[a-z-]*):(codestar-connections|codeconnections):([a-z0-9-]+):([0-9]{12}):connection\/[A-Za-z0-9-]+$/;

export function parseConnectionArn(arn: string): { partition: string; prefix: ConnectionPrefix; region: string; account: string } | undefined {
  const m = CONNECTION_ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1] as string, prefix: m[2] as ConnectionPrefix, region: m[3] as string, account: m[4] as string };
}

// A template's connection has a pre-deploy identity (`connection/iac:…`): asked about the same way.
const ANY_CONNECTION_ARN = /^arn:(aws[a-z-]*):(codestar-connections|codeconnections):([a-z0-9-]+):([0-9]{12}):connection\/(.+)$/;
// What ListConnections gives: a connection id is a UUID (what the "every connection" probes stand for).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const PRINCIPAL_FIELDS = ['inlinePolicies', 'attachedPolicies', 'permissionsBoundary', 'groups'];

interface AccountPrincipals {
  all: Array<IamUser | IamRole>;
  /** Per prefix: those with a statement about an access action, or a field or policy that could not be read. */
  candidates: Map<string, Array<IamUser | IamRole>>;
  /** IAM listings or fields of the account that could not be read. */
  gaps: string[];
}

interface SnapshotAccess {
  accounts: Map<string, AccountPrincipals>;
  connections: Map<string, Connection>;
  time: number | undefined;
}

// Per snapshot: `linkaudit graph` asks about thousands of connections of one account, and most
// principals have no statement about any connection action.
const bySnapshot = new WeakMap<Snapshot, SnapshotAccess>();

function snapshotAccess(snapshot: Snapshot): SnapshotAccess {
  let s = bySnapshot.get(snapshot);
  if (!s) {
    s = { accounts: new Map(), connections: new Map(snapshot.connections.map((c) => [c.arn, c])), time: snapshotTime(snapshot) };
    bySnapshot.set(snapshot, s);
  }
  return s;
}

function accountPrincipals(snapshot: Snapshot, account: string): AccountPrincipals {
  const map = snapshotAccess(snapshot).accounts;
  let entry = map.get(account);
  if (!entry) {
    const all: Array<IamUser | IamRole> = [...snapshot.iamUsers, ...snapshot.iamRoles].filter((p) => p.account === account).sort((a, b) => (a.arn < b.arn ? -1 : 1));
    const gaps = snapshot.coverage
      .filter((g) => g.account === account && g.resourceKinds.some((k) => k.startsWith('iam')))
      .map((g) => `${g.service}:${g.operation} in ${g.account} (${g.errorCode}: ${g.message})`);
    entry = { all, candidates: new Map(), gaps };
    map.set(account, entry);
  }
  return entry;
}

function candidatesFor(snapshot: Snapshot, entry: AccountPrincipals, prefix: string, actions: readonly CatalogAction[]): Array<IamUser | IamRole> {
  let list = entry.candidates.get(prefix);
  if (!list) {
    list = entry.all.filter((principal) => {
      if (principal.unreadable?.some((u) => PRINCIPAL_FIELDS.includes(u.field))) return true;
      const mentions = policiesOf(principal, snapshot).mentions;
      return mentions === 'all' || actions.some((a) => mentions.has(a.index));
    });
    entry.candidates.set(prefix, list);
  }
  return list;
}

/**
 * How one principal's answer about one action depends on which connection of its account is
 * asked about. `uniform`: every statement about the action reaches every connection of the
 * account or none (Resource `*`, `connection/*` in every region, or another service's ARNs) and no
 * condition reads the connection's tags, so the answer is the same for every connection whose id
 * is a UUID. Otherwise `filter`: the ARNs and patterns its Allow statements name, since a
 * connection none of them reaches is not allowed (`always`: NotResource, a policy variable or a
 * policy that cannot be read: every connection must be asked).
 */
type Plan = { kind: 'uniform' } | { kind: 'filter'; always: boolean; literals: Set<string>; globs: string[] };

const plans = new WeakMap<PrincipalPolicies, Map<number, Plan>>();

function planOf(policies: PrincipalPolicies, action: CatalogAction, every: ResourceSet): Plan {
  let byAction = plans.get(policies);
  if (!byAction) {
    byAction = new Map();
    plans.set(policies, byAction);
  }
  let plan = byAction.get(action.index);
  if (!plan) {
    plan = makePlan(policies, action, every);
    byAction.set(action.index, plan);
  }
  return plan;
}

function makePlan(policies: PrincipalPolicies, action: CatalogAction, every: ResourceSet): Plan {
  let uniform = true;
  let always = false;
  const literals = new Set<string>();
  const globs: string[] = [];
  const sources = [...policies.identity, ...(policies.boundary ? [policies.boundary] : [])];
  for (const source of sources) {
    // A policy that cannot be read makes every answer unknown (an identity policy: it might allow
    // anything) or leaves the others as they are (a boundary: it might allow all of them): either
    // way, the same for every connection.
    if (source.missing !== undefined || !source.document) {
      if (source.boundary) continue;
      return { kind: 'uniform' };
    }
    let statements: readonly CompiledStatement[];
    try {
      statements = compilePolicy(source.document).byAction[action.index] ?? [];
    } catch (err) {
      if (err instanceof PolicyError) {
        if (source.boundary) continue;
        return { kind: 'uniform' };
      }
      throw err;
    }
    for (const st of statements) {
      const variables = st.variables && st.resources.some((r) => r.includes('${'));
      if (variables || st.conditions.some((c) => c.keyLower.startsWith('aws:resourcetag/'))) uniform = false;
      for (const pattern of st.resources) {
        const all = every.probes.every((probe) => wildcardMatch(pattern, probe));
        if (!all && (/[*?]/.test(pattern) ? wildcardMeetsShape(pattern, every.shape) : textInShape(pattern, every.shape))) uniform = false;
      }
      if (source.boundary || st.effect !== 'Allow') continue;
      if (st.notResource || variables) always = true;
      else for (const pattern of st.resources) (/[*?]/.test(pattern) ? globs.push(pattern) : literals.add(pattern));
    }
  }
  return uniform ? { kind: 'uniform' } : { kind: 'filter', always, literals, globs };
}

function mayReach(plan: Plan, arn: string): boolean {
  if (plan.kind === 'uniform' || plan.always || plan.literals.has(arn)) return true;
  return plan.globs.some((g) => wildcardMatch(g, arn));
}

export interface WhoCanUseOptions {
  /**
   * Leave out the grants that are the same for every connection of the account (reported once by
   * `accountWideAccess`): what `linkaudit graph` does, asking about thousands of connections.
   */
  skipAccountWide?: boolean;
}

/**
 * Every user and role of the connection's account that may use, take a token from, or pass this
 * connection, with how (unconditionally, within a scope, or unknown). Principals with no access
 * are left out. Only actions of the ARN's own prefix apply to it.
 */
export function whoCanUse(snapshot: Snapshot, connectionArn: string, options: WhoCanUseOptions = {}): AccessReport {
  const m = ANY_CONNECTION_ARN.exec(connectionArn);
  const parsed = m ? { partition: m[1] as string, prefix: m[2] as ConnectionPrefix, region: m[3] as string, account: m[4] as string, id: m[5] as string } : undefined;
  if (!parsed) throw new Error(`not a connection ARN: ${connectionArn}`);
  const access = snapshotAccess(snapshot);
  const connection = access.connections.get(connectionArn);
  const tagsKnown = connection !== undefined && !connection.unreadable?.some((u) => u.field === 'tags');
  const resource = { account: parsed.account, ...(tagsKnown && connection ? { tags: connection.tags } : {}) };
  const set = oneResource(connectionArn);
  const every = everyResource('connection', parsed.prefix, parsed.partition, '*', parsed.account);
  // Only a connection with a UUID id is one the "every connection" probes stand for.
  const standard = UUID.test(parsed.id);
  const actions = accessActions(parsed.prefix);
  const account = accountPrincipals(snapshot, parsed.account);
  const entries: AccessEntry[] = [];
  // Principals with no statement about these actions have no access: not asked. Asked about
  // thousands of connections, only the principals whose grants may name this one are.
  const principals = options.skipAccountWide && standard ? specificCandidates(snapshot, account, parsed.prefix, actions, every, connectionArn) : candidatesFor(snapshot, account, parsed.prefix, actions);
  for (const principal of principals) {
    const unread = principal.unreadable?.filter((u) => PRINCIPAL_FIELDS.includes(u.field)) ?? [];
    const policies = policiesOf(principal, snapshot);
    const grants: AccessGrant[] = [];
    for (const action of actions) {
      if (unread.length > 0) {
        if (!(options.skipAccountWide && standard)) grants.push({ action: action.name, reach: 'unknown', through: [], limits: [], reasons: unread.map((u) => `${u.field} not readable (${u.operation}: ${u.errorCode})`) });
        continue;
      }
      const plan = planOf(policies, action, every);
      if (options.skipAccountWide && standard && plan.kind === 'uniform') continue;
      // No Allow reaches this ARN: nothing to ask.
      if (!mayReach(plan, connectionArn)) continue;
      const a = answer(policies.identity, policies.boundary, factsFor(principal, action, resource, access.time), set);
      if (a.reach === 'none') continue;
      grants.push({ action: action.name, reach: a.reach, through: a.allows, limits: a.limits, reasons: a.reasons });
    }
    if (grants.length > 0) entries.push({ principal: principal.arn, kind: 'groups' in principal ? 'iamUser' : 'iamRole', grants });
  }
  return { connection: connectionArn, inSnapshot: connection !== undefined, tagsKnown, principalsEvaluated: account.all.length, principals: entries, gaps: account.gaps };
}

interface SpecificIndex {
  /** Principals whose Allow statements name this exact ARN. */
  literals: Map<string, Array<IamUser | IamRole>>;
  /** Principals with patterns (tested per ARN), or that must be asked about every connection. */
  patterns: Array<{ principal: IamUser | IamRole; plans: Plan[] }>;
}

const specific = new WeakMap<AccountPrincipals, Map<string, SpecificIndex>>();

/**
 * The candidates whose grants depend on the connection and may name this one, in account order:
 * an index by the ARNs their statements name, built once per account and prefix.
 */
function specificCandidates(snapshot: Snapshot, account: AccountPrincipals, prefix: ConnectionPrefix, actions: readonly CatalogAction[], every: ResourceSet, arn: string): Array<IamUser | IamRole> {
  let byPrefix = specific.get(account);
  if (!byPrefix) {
    byPrefix = new Map();
    specific.set(account, byPrefix);
  }
  let index = byPrefix.get(prefix);
  if (!index) {
    index = { literals: new Map(), patterns: [] };
    for (const principal of candidatesFor(snapshot, account, prefix, actions)) {
      if (principal.unreadable?.some((u) => PRINCIPAL_FIELDS.includes(u.field))) continue;
      const policies = policiesOf(principal, snapshot);
      const plans = actions.map((a) => planOf(policies, a, every)).filter((p): p is Extract<Plan, { kind: 'filter' }> => p.kind === 'filter');
      if (plans.length === 0) continue;
      if (plans.some((p) => p.always || p.globs.length > 0)) index.patterns.push({ principal, plans });
      else for (const p of plans) for (const l of p.literals) index.literals.set(l, [...new Set([...(index.literals.get(l) ?? []), principal])]);
    }
    byPrefix.set(prefix, index);
  }
  const out = new Set<IamUser | IamRole>(index.literals.get(arn) ?? []);
  for (const { principal, plans } of index.patterns) if (plans.some((p) => mayReach(p, arn))) out.add(principal);
  return [...out].sort((a, b) => (a.arn < b.arn ? -1 : 1));
}

/** Whether `whoCanUse` with `skipAccountWide` leaves the account-wide grants of this ARN to `accountWideAccess`. */
export function accountWideApplies(connectionArn: string): { account: string; prefix: ConnectionPrefix } | undefined {
  const m = ANY_CONNECTION_ARN.exec(connectionArn);
  return m && UUID.test(m[5] as string) ? { account: m[4] as string, prefix: m[2] as ConnectionPrefix } : undefined;
}

const actionsByPrefix = new Map<ConnectionPrefix, CatalogAction[]>();
function accessActions(prefix: ConnectionPrefix): CatalogAction[] {
  let list = actionsByPrefix.get(prefix);
  if (!list) {
    list = ACCESS_ACTIONS.map((short) => catalog().byName.get(`${prefix}:${short}`.toLowerCase())).filter((a) => a !== undefined);
    actionsByPrefix.set(prefix, list);
  }
  return list;
}

export interface AccountAccess {
  account: string;
  prefix: ConnectionPrefix;
  /** The grants that are the same for every connection of the account with this prefix (and a UUID id). */
  principals: AccessEntry[];
  principalsEvaluated: number;
  gaps: string[];
}

const accountWide = new WeakMap<Snapshot, Map<string, AccountAccess>>();

/**
 * What `whoCanUse` with `skipAccountWide` leaves out, for one account and prefix: the principals
 * whose access does not depend on which connection is asked about, with that access.
 */
export function accountWideAccess(snapshot: Snapshot, accountId: string, prefix: ConnectionPrefix): AccountAccess {
  let map = accountWide.get(snapshot);
  if (!map) {
    map = new Map();
    accountWide.set(snapshot, map);
  }
  const key = `${accountId}|${prefix}`;
  const hit = map.get(key);
  if (hit) return hit;
  const access = snapshotAccess(snapshot);
  const every = everyResource('connection', prefix, snapshot.scope.partition, '*', accountId);
  const actions = accessActions(prefix);
  const account = accountPrincipals(snapshot, accountId);
  const entries: AccessEntry[] = [];
  for (const principal of candidatesFor(snapshot, account, prefix, actions)) {
    const unread = principal.unreadable?.filter((u) => PRINCIPAL_FIELDS.includes(u.field)) ?? [];
    const policies = policiesOf(principal, snapshot);
    const grants: AccessGrant[] = [];
    for (const action of actions) {
      if (unread.length > 0) {
        grants.push({ action: action.name, reach: 'unknown', through: [], limits: [], reasons: unread.map((u) => `${u.field} not readable (${u.operation}: ${u.errorCode})`) });
        continue;
      }
      if (planOf(policies, action, every).kind !== 'uniform') continue;
      const a = answer(policies.identity, policies.boundary, factsFor(principal, action, { account: accountId }, access.time), every);
      if (a.reach === 'none') continue;
      grants.push({ action: action.name, reach: a.reach, through: a.allows, limits: a.limits, reasons: a.reasons });
    }
    if (grants.length > 0) entries.push({ principal: principal.arn, kind: 'groups' in principal ? 'iamUser' : 'iamRole', grants });
  }
  const out = { account: accountId, prefix, principals: entries, principalsEvaluated: account.all.length, gaps: account.gaps };
  map.set(key, out);
  return out;
}
