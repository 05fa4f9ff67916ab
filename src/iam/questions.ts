import type { IamRole, IamUser, Snapshot } from '../model/types.js';
import { catalog, CONNECTION_PREFIXES, type CatalogAction } from './catalog.js';
import { answer, maxReach, type Answer, type ResourceSet } from './evaluate.js';
import { compilePolicy, PolicyError, type CompiledStatement } from './policy.js';
import type { PrincipalPolicies } from './principals.js';
import type { RequestFacts } from './request.js';
import type { CharRun } from './wildcard.js';

export type ResourceType = 'connection' | 'host';

// Two ids of each kind that share no character where an id may vary: a pattern matching both
// matches every id of that shape (connection ids are UUIDs; host ids are NAME-xxxxxxxx).
const PROBES: Record<ResourceType, [string, string]> = {
  connection: ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
  host: ['a-00000000', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-ffffffff'],
};

// Two region names with no character in common (but the dash): only a pattern whose region part
// is a wildcard matches both.
const REGION_PROBES = ['aa-aaaa-1', 'zz-zzzz-9'];

const REGION_CHARS: CharRun = { run: (c) => /[a-z0-9-]/.test(c) };
const ID_CHARS: CharRun = { run: (c) => /[A-Za-z0-9_.-]/.test(c) };

// Sets are asked about for every principal of an account: made once each.
const sets = new Map<string, ResourceSet>();

/** Every connection (or host) of one prefix and account, in one region or (`*`) in every region. */
export function everyResource(type: ResourceType, prefix: string, partition: string, region: string, account: string): ResourceSet {
  const key = `${type}|${prefix}|${partition}|${region}|${account}`;
  let set = sets.get(key);
  if (!set) {
    set = makeSet(type, prefix, partition, region, account);
    sets.set(key, set);
  }
  return set;
}

/**
 * Every connection (or host) of a region, or of the regions a region pattern names (`*`: every
 * region; `us-*`: the regions it matches). A wildcard in the region becomes a run of region
 * characters in the shape and is filled with two disjoint region-like texts in the probes.
 */
function makeSet(type: ResourceType, prefix: string, partition: string, region: string, account: string): ResourceSet {
  const fill = (probe: string): string => region.replace(/\*/g, probe).replace(/\?/g, probe.slice(0, 1));
  const regions = /[*?]/.test(region) ? REGION_PROBES.map(fill) : [region];
  const regionShape = [...region].map((c) => (c === '*' || c === '?' ? REGION_CHARS : c));
  return {
    describe: region === '*' ? `every ${type} in every region` : /[*?]/.test(region) ? `every ${type} in the regions ${region}` : `every ${type} in ${region}`,
    glob: `arn:${partition}:${prefix}:${region}:${account}:${type}/*`,
    shape: [...`arn:${partition}:${prefix}:`, ...regionShape, ...`:${account}:${type}/`, ID_CHARS],
    probes: regions.flatMap((r) => PROBES[type].map((id) => `arn:${partition}:${prefix}:${r}:${account}:${type}/${id}`)),
  };
}

/** One named resource. */
export function oneResource(arn: string): ResourceSet {
  // Exact: the evaluator matches the ARN itself and never reads the shape.
  return { describe: arn, glob: arn, shape: [], probes: [arn], exact: true };
}

/** The time a snapshot's requests are judged at: when it was taken (undefined if unreadable). */
export function snapshotTime(snapshot: Snapshot): number | undefined {
  const t = Date.parse(snapshot.generatedAt);
  return Number.isNaN(t) ? undefined : t;
}

// The principal's part of every question it is asked: made once per principal.
const principalFacts = new WeakMap<IamUser | IamRole, RequestFacts['principal']>();

export function factsFor(principal: IamUser | IamRole, action: CatalogAction, resource: RequestFacts['resource'], time?: number): RequestFacts {
  let who = principalFacts.get(principal);
  if (!who) {
    who = { arn: principal.arn, account: principal.account, kind: 'groups' in principal ? 'user' : 'role', name: principal.name, tags: principal.tags };
    principalFacts.set(principal, who);
  }
  return time !== undefined ? { action, principal: who, resource, time } : { action, principal: who, resource };
}

export interface BroadAnswer extends Answer {
  action: CatalogAction;
  type: ResourceType;
  region: string;
  resources: ResourceSet;
}

/**
 * May the principal do `action` on every resource of the type in its own account? Asked for
 * every region at once; when that is not already unconditional, also for each region a policy
 * names (a grant on `…:eu-west-1:…:connection/*` reaches every connection there, one on
 * `…:us-*:…:connection/*` every connection of the regions it matches). The broadest answer wins;
 * among equals, the one about every region.
 */
export function broadAnswer(principal: IamUser | IamRole, policies: PrincipalPolicies, snapshot: Snapshot, action: CatalogAction, type: ResourceType): BroadAnswer {
  if (policies.mentions !== 'all' && !policies.mentions.has(action.index)) {
    const resources = everyResource(type, action.prefix, snapshot.scope.partition, '*', principal.account);
    return { reach: 'none', allows: [], inactive: [], limits: [], reasons: [], action, type, region: '*', resources };
  }
  const facts = factsFor(principal, action, { account: principal.account }, snapshotTime(snapshot));
  const ask = (region: string): BroadAnswer => {
    const resources = everyResource(type, action.prefix, snapshot.scope.partition, region, principal.account);
    const a = answer(policies.identity, policies.boundary, facts, resources);
    return { reach: a.reach, allows: a.allows, inactive: a.inactive, limits: a.limits, reasons: a.reasons, action, type, region, resources };
  };
  let best = ask('*');
  // Unconditional cannot be outdone; and with no statement about the action, no region differs.
  if (best.reach === 'unconditional' || best.reach === 'none') return best;
  for (const region of regionsToAsk(policies, action)) {
    const a = ask(region);
    if (maxReach(best.reach, a.reach) !== best.reach) best = a;
    if (best.reach === 'unconditional') break;
  }
  return best;
}

/** The regions the principal's statements about the action name, literally or by a pattern. */
export function regionsToAsk(policies: PrincipalPolicies, action: CatalogAction): string[] {
  const regions = new Set<string>();
  const index = action.index;
  for (const source of [...policies.identity, ...(policies.boundary ? [policies.boundary] : [])]) {
    if (!source.document) continue;
    let statements: readonly CompiledStatement[];
    try {
      statements = compilePolicy(source.document).byAction[index] ?? [];
    } catch (err) {
      if (err instanceof PolicyError) continue;
      throw err;
    }
    for (const st of statements) {
      for (const r of st.namedRegions) regions.add(r);
    }
  }
  return [...regions].sort();
}

/** The catalogue actions a rule asks about, under both prefixes, with the resource types they act on. */
export function questionsFor(shortNames: readonly string[]): Array<{ action: CatalogAction; type: ResourceType }> {
  const out: Array<{ action: CatalogAction; type: ResourceType }> = [];
  for (const prefix of CONNECTION_PREFIXES) {
    for (const short of shortNames) {
      const action = catalog().byName.get(`${prefix}:${short}`.toLowerCase());
      if (!action) throw new Error(`${prefix}:${short} is not in the IAM action catalogue`);
      for (const type of ['connection', 'host'] as const) if (action.resourceTypes.includes(type)) out.push({ action, type });
    }
  }
  return out;
}

/**
 * Actions that delete or re-point connections and hosts, or re-tag them (tags are what scoped
 * grants often rely on): the catalogue's Write and Tagging actions on connections or hosts,
 * except Create*, which makes new resources rather than changing existing ones.
 */
export function adminActions(): string[] {
  const names = new Set<string>();
  for (const a of catalog().actions) {
    if (!a.connection || !/Write|Tagging/.test(a.accessLevel) || a.short.startsWith('Create')) continue;
    if (a.resourceTypes.includes('connection') || a.resourceTypes.includes('host')) names.add(a.short);
  }
  return [...names].sort();
}

