// What a snapshot can say about the connection an ARN names, and whether it saw every consumer a
// connection could have: the answers pipeline and build rules (and the graph) give as fail, pass
// or unknown. One lookup per snapshot (a WeakMap), linear in the snapshot.

import { connectionKey, parseArn } from './arn.js';
import type { Connection, Snapshot } from './types.js';

export type ConnectionLookup =
  /** A connection read from the estate (live or a snapshot file). */
  | { state: 'deployed'; connection: Connection }
  /** A connection the scanned templates declare: its status is runtime state (PENDING until the console handshake). */
  | { state: 'declared'; connection: Connection }
  /** None with that id in the ARN's account and region, whose connections were read in full. */
  | { state: 'absent'; account: string; region: string }
  /** A scan of templates that do not declare it: it would be in the deployed estate, which such a scan does not read. */
  | { state: 'undeclared' }
  /** The snapshot cannot tell (why: not read, outside the scope, no connection ARN). */
  | { state: 'unknown'; reason: string };

interface Lookups {
  byKey: Map<string, Connection>;
  connectionGaps: Map<string, string>;
  consumerGaps: Map<string, string>;
  accounts: Set<string>;
  regions: Set<string>;
  fromTemplates: boolean;
  /** Answers by ARN text: thousands of pipelines name each connection, and several rules ask. */
  answers: Map<string, ConnectionLookup>;
}

const CACHE = new WeakMap<Snapshot, Lookups>();

function lookups(snapshot: Snapshot): Lookups {
  let l = CACHE.get(snapshot);
  if (l) return l;
  const byKey = new Map<string, Connection>();
  for (const c of snapshot.connections) {
    const key = connectionKey(c.arn);
    if (key !== undefined && !byKey.has(key)) byKey.set(key, c);
  }
  const connectionGaps = new Map<string, string>();
  const consumerGaps = new Map<string, string>();
  const note = (map: Map<string, string>, key: string, why: string): void => {
    if (!map.has(key)) map.set(key, why);
  };
  for (const gap of snapshot.coverage) {
    const key = `${gap.account}|${gap.region}`;
    const why = `${gap.operation}: ${gap.errorCode}`;
    if (gap.field === undefined && gap.resourceKinds.includes('connection')) note(connectionGaps, key, `connections of ${gap.account} in ${gap.region} were not read (${why})`);
    for (const kind of ['pipeline', 'buildProject', 'sourceCredential'] as const) {
      if (!gap.resourceKinds.includes(kind)) continue;
      const what = kind === 'pipeline' ? 'pipelines' : kind === 'buildProject' ? 'build projects' : 'source credentials';
      note(consumerGaps, key, gap.field === undefined ? `${what} of ${gap.account} in ${gap.region} were not read (${why})` : `the ${gap.field} of ${what} of ${gap.account} in ${gap.region} could not be read (${why})`);
    }
  }
  // A consumer whose connection-naming fields were not read may name any connection of its region.
  const unread = (r: { account: string; region: string; arn: string; unreadable?: Array<{ field: string; operation: string; errorCode: string }> }, fields: readonly string[]): void => {
    const u = r.unreadable?.find((x) => x.field === '*' || fields.includes(x.field));
    if (!u) return;
    const what = u.field === '*' ? r.arn : `the ${u.field} of ${r.arn}`;
    note(consumerGaps, `${r.account}|${r.region}`, `${what} could not be read (${u.operation}: ${u.errorCode})`);
  };
  for (const p of snapshot.pipelines) unread(p, ['stages']);
  for (const b of snapshot.buildProjects) unread(b, ['source', 'secondarySources']);
  for (const c of snapshot.sourceCredentials) unread(c, ['authType', 'resource']);
  l = {
    byKey,
    connectionGaps,
    consumerGaps,
    accounts: new Set(snapshot.scope.accounts),
    regions: new Set(snapshot.scope.regions),
    fromTemplates: snapshot.source.kind === 'iac',
    answers: new Map(),
  };
  CACHE.set(snapshot, l);
  return l;
}

/** What the snapshot says about the connection an ARN names (either prefix). */
export function lookupConnection(snapshot: Snapshot, arn: string): ConnectionLookup {
  const answers = lookups(snapshot).answers;
  let answer = answers.get(arn);
  if (answer === undefined) {
    answer = lookUp(snapshot, arn);
    answers.set(arn, answer);
  }
  return answer;
}

function lookUp(snapshot: Snapshot, arn: string): ConnectionLookup {
  const key = connectionKey(arn);
  if (key === undefined) {
    return { state: 'unknown', reason: arn.includes('#{') ? `${arn} is a variable resolved at run time` : `${JSON.stringify(arn)} is not a connection ARN` };
  }
  const l = lookups(snapshot);
  const found = l.byKey.get(key);
  if (found) return { state: found.origin === undefined ? 'deployed' : 'declared', connection: found };
  if (l.fromTemplates) return { state: 'undeclared' };
  const parsed = parseArn(arn) as NonNullable<ReturnType<typeof parseArn>>;
  const why = connectionsUnread(snapshot, parsed.account, parsed.region);
  return why === undefined ? { state: 'absent', account: parsed.account, region: parsed.region } : { state: 'unknown', reason: why };
}

/** Why the connections of an account and region were not read in full; undefined when they were. */
export function connectionsUnread(snapshot: Snapshot, account: string, region: string): string | undefined {
  const l = lookups(snapshot);
  if (l.fromTemplates) return 'a scan of templates reads no deployed connections';
  const gap = l.connectionGaps.get(`${account}|${region}`);
  if (gap !== undefined) return gap;
  if (!l.accounts.has(account) || !l.regions.has(region)) return `connections of ${account} in ${region} are outside the snapshot's scope`;
  return undefined;
}

/**
 * Why the pipelines, build projects and source credentials that could name a connection of this
 * account and region were not all read; undefined when they were. Connections serve their own
 * account and region (CodePipeline source actions run in the pipeline's region, and CodeConnections
 * has no resource policies to share a connection with another account).
 */
export function consumersUnread(snapshot: Snapshot, account: string, region: string): string | undefined {
  const l = lookups(snapshot);
  if (l.fromTemplates) return 'a scan of templates sees only the consumers the templates declare';
  if (!l.accounts.has(account) || !l.regions.has(region)) return `pipelines and build projects of ${account} in ${region} are outside the snapshot's scope`;
  return l.consumerGaps.get(`${account}|${region}`);
}
