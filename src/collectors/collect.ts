import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { DescribeOrganizationCommand, ListAccountsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { UserError } from '../errors.js';
import { escapeControlChars } from '../io/untrusted-text.js';
import { parseArn } from '../model/arn.js';
import { emptySnapshot } from '../model/empty.js';
import { normalizeSnapshot } from '../model/load.js';
import type { Collections } from '../engine/account-links.js';
import { isSharedResource } from '../model/arn.js';
import { COLLECTIONS, type CoverageGap, type Organization, type Snapshot } from '../model/types.js';
import { TOOL_NAME, toolVersion } from '../version.js';
import { RunDeadline } from './bounds.js';
import { clientsFor, sharedAgents, type AwsOptions } from './clients.js';
import { collectBuildProjects, collectSourceCredentials } from './codebuild.js';
import { collectConnections, collectHosts } from './codeconnections.js';
import { collectPipelines } from './codepipeline.js';
import { collectEc2 } from './ec2.js';
import { errorCode, gapFrom, isCredentialError } from './gaps.js';
import { holdCollected } from './hold.js';
import { collectIam } from './iam.js';
import { resolveSdkSettings } from './sdk-settings.js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { describeNetworkFailure, networkFailure } from './network.js';
import { mapPool } from './pool.js';
import type { Progress } from './progress.js';
import { RequestLimiter } from './requests.js';
import type { Collected, Target } from './types.js';
import { defaultPageThreads, PageReaders } from './wire/page-threads.js';

export interface CollectOptions extends AwsOptions {
  /** Regions to read; 'all' = each account's enabled regions; empty = the configured region. */
  regions: readonly string[] | 'all';
  /** HTTP requests in flight at once, over all accounts and regions. */
  concurrency: number;
  /** Worker threads reading large pages (wire/page-threads.ts); default: one fewer than the cores, at most 4; 0 reads every page on this thread. */
  pageThreads?: number;
  /** Where credentials come from, for messages ("profile prod", "the default chain"). */
  credentialSource: string;
  log: (line: string) => void;
  /** `arn:aws:iam::{account}:role/NAME`: assumed in each account (session name linkaudit). */
  roleArn?: string;
  externalId?: string;
  /** Accounts to read (with roleArn); default: the caller's own. */
  accounts?: readonly string[];
  /** Read every ACTIVE account of the organization (with roleArn). */
  org?: boolean;
  /** This process reads shard `index` (1-based) of `count`. */
  shard?: { index: number; count: number };
  progress?: Progress;
  /** --max-duration: the whole run's bound in seconds; what is unread when it passes becomes coverage gaps. */
  maxDurationSeconds?: number;
  /** Let every client resolve its own settings and credential chain, as the SDK does by default (benchmarks' "before"). */
  settingsPerClient?: boolean;
  /**
   * Threads collecting accounts side by side (lanes.ts): this one and up to n − 1 others, each
   * with its own clients and its share of --concurrency. Default 1 (this thread alone).
   */
  collectThreads?: number;
  /** `concurrency` is each collection thread's, not the whole collection's (the CLI's default: 64 per thread). */
  concurrencyPerThread?: boolean;
}

export interface Identity {
  account: string;
  arn: string;
  partition: string;
}

const REGIONAL_KINDS = ['connection', 'host', 'vpcEndpoint', 'endpointService', 'pipeline', 'buildProject', 'sourceCredential'] as const;
const IAM_KINDS = ['iamUser', 'iamGroup', 'iamRole', 'iamPolicy'] as const;

/**
 * Reads CodeConnections, PrivateLink and IAM in one account, or in many through an assumed role.
 * One account's failure (a role it will not let us assume) is that account's coverage gap; the
 * others go on.
 */
export async function collect(given: CollectOptions): Promise<Snapshot> {
  const parts: CollectedAccount[] = [];
  const head = await collectStreamed(given, (part) => void parts.push(part));
  return mergeAccounts(head, parts);
}

/** One account as collected and held: its resources, and its coverage gaps (also in the head). */
export interface CollectedAccount {
  account: string;
  collections: Collections;
  coverage: CoverageGap[];
}

/**
 * The collection account by account: each account, once read and held (hold.ts), goes to `sink`
 * and is not kept here, so a collection holds only the accounts under way. Returns the head: the
 * snapshot without resources (scope, organizations, every account's coverage, sorted).
 */
export async function collectStreamed(given: CollectOptions, sink: (part: CollectedAccount) => void | Promise<void>): Promise<Snapshot> {
  const progress = given.progress;
  const options: CollectOptions = progress
    ? {
        ...given,
        onRequest: () => {
          progress.request();
          given.onRequest?.();
        },
        onAnswer: (throttled) => {
          progress.answer(throttled);
          given.onAnswer?.(throttled);
        },
      }
    : given;
  let gaps: number | undefined;
  try {
    const head = await collectAll(options, sink);
    gaps = head.coverage.length;
    return head;
  } finally {
    // The final count is the snapshot's own, the one the reports give.
    progress?.stop(gaps !== undefined, gaps);
  }
}

/**
 * The accounts' parts as one snapshot: their resources in account order, an AWS managed policy
 * once (the first account's copy: every account attaching it lists it under the same ARN), then
 * sorted as a loaded snapshot is.
 */
export function mergeAccounts(head: Snapshot, parts: readonly CollectedAccount[]): Snapshot {
  const ordered = [...parts].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  const merged: Record<string, unknown[]> = {};
  const shared = new Set<string>();
  for (const c of COLLECTIONS) {
    const list: unknown[] = [];
    for (const p of ordered) {
      for (const r of p.collections[c] as Array<{ arn: string }>) {
        if (c === 'iamPolicies' && isSharedResource(r)) {
          if (shared.has(r.arn)) continue;
          shared.add(r.arn);
        }
        list.push(r);
      }
    }
    merged[c] = list;
  }
  return normalizeSnapshot({ ...head, ...(merged as unknown as Collections) });
}

/**
 * Accounts read at once. Requests are bounded by --concurrency whatever this is; this only keeps
 * a large organization from opening every account's clients and partial results at once. It is
 * well above any sensible --concurrency, so that no account waits for a slow one to finish while
 * requests could be made.
 */
const ACCOUNTS_AT_ONCE = 64;

async function collectAll(given: CollectOptions, sink: (part: CollectedAccount) => void | Promise<void>): Promise<Snapshot> {
  // Every client of the collection, the role's STS clients too, shares one bound on requests and
  // one pool of connections.
  const agents = given.agents ? undefined : sharedAgents(given.concurrency);
  const pages = given.pages ? undefined : new PageReaders(given.pageThreads ?? defaultPageThreads());
  const deadline = given.deadline === undefined && given.maxDurationSeconds !== undefined ? new RunDeadline(given.maxDurationSeconds) : undefined;
  try {
    const settings = given.settings ?? (given.settingsPerClient ? undefined : await resolveSdkSettings(given.regions === 'all' ? 'us-east-1' : (given.regions[0] ?? 'us-east-1')));
    // What a caller handed in is an object of this thread: no other thread can be given it.
    const handedIn = given.credentials || given.agents || given.requests || given.pages || given.settings || given.deadline || given.onOperation;
    return await collectWith({
      ...given,
      collectThreads: handedIn ? 1 : (given.collectThreads ?? 1),
      ...(settings ? { settings } : {}),
      ...(given.requests ? {} : { requests: new RequestLimiter(given.concurrency) }),
      ...(agents ? { agents } : {}),
      ...(pages ? { pages } : {}),
      ...(deadline ? { deadline } : {}),
    }, sink);
  } finally {
    deadline?.dispose();
    agents?.destroy();
    await pages?.close();
  }
}

async function collectWith(given: CollectOptions, sink: (part: CollectedAccount) => void | Promise<void>): Promise<Snapshot> {
  let options = given;
  const startedAt = new Date().toISOString();
  const home = await configuredRegion(options);
  if (!options.credentials && !options.settingsPerClient) {
    // One default chain for every client (each would otherwise walk it for itself), in the home region as a client's own would be.
    options = { ...options, credentials: fromNodeProviderChain({ clientConfig: { region: home } }) };
  }
  // One STS client for the caller: its identity, and every account's AssumeRole.
  const sts = clientsFor(home, options).sts;
  const caller = await callerIdentity(sts, options);
  options.log(`linkaudit: collecting as ${escapeControlChars(caller.arn)} (account ${caller.account}, credentials from ${escapeControlChars(options.credentialSource)})`);

  let organizations: Organization[] | undefined;
  let accounts: string[];
  if (options.org) {
    const org = await organization(home, options);
    organizations = [org];
    accounts = org.accounts;
  } else accounts = options.accounts && options.accounts.length > 0 ? [...new Set(options.accounts)] : [caller.account];
  if (accounts.some((a) => a !== caller.account) && options.roleArn === undefined) {
    throw new UserError('--accounts and --org need --role-arn (e.g. arn:aws:iam::{account}:role/linkaudit-audit) to read other accounts');
  }
  checkRoleAccount(options.roleArn, accounts);
  accounts = inShard(accounts.sort(), options.shard);
  options.log(`linkaudit: ${accounts.length} account(s)${options.shard ? ` (shard ${options.shard.index}/${options.shard.count})` : ''}`);

  const source = { kind: 'live' as const, tool: `${TOOL_NAME} ${toolVersion()}` };
  const regionsRead = new Set<string>();
  const coverage = new Array<CoverageGap[]>(accounts.length);
  const run: AccountRun = { caller, home, accounts, startedAt, source };
  const done = async (i: number, account: string, result: HeldAccount): Promise<void> => {
    for (const r of result.regions) regionsRead.add(r);
    coverage[i] = result.held.coverage;
    await sink({ account, collections: result.held, coverage: result.held.coverage });
  };
  const lanes = laneCount(options, accounts.length);
  if (lanes > 1) {
    const { collectOnLanes, laneShares } = await import('./lanes.js');
    // This thread is a lane too, with its share of the requests, and page threads only for the
    // cores the other lanes leave.
    const shares = laneShares(options.concurrencyPerThread ? options.concurrency * lanes : options.concurrency, lanes);
    const pages = new PageReaders(given.pageThreads ?? Math.max(0, Math.min(4, availableParallelism() - lanes)));
    const here: CollectOptions = { ...options, requests: new RequestLimiter(shares[0] ?? 1), pages };
    const hereSts = clientsFor(home, here).sts;
    try {
      const counts = await collectOnLanes({ accounts, lanes, accountsAtOnce: ACCOUNTS_AT_ONCE, run, options, shares, here: (account) => collectHeld(account, run, hereSts, here), done });
      options.log(`linkaudit: ${accounts.length} accounts on ${lanes} collection threads, ${counts.join(', ')} each (${shares.join(' + ')} requests in flight)`);
    } finally {
      await pages.close();
    }
  } else {
    await mapPool(accounts, ACCOUNTS_AT_ONCE, async (account, i) => done(i, account, await collectHeld(account, run, sts, options)));
  }
  return normalizeSnapshot(
    emptySnapshot({
      generatedAt: startedAt,
      source,
      scope: { partition: caller.partition, accounts, regions: [...regionsRead].sort() },
      ...(organizations ? { organizations } : {}),
      coverage: coverage.flat(),
    }),
  );
}

/** What every account of a collection is read with: who reads, from where, for which scope. */
export interface AccountRun {
  caller: Identity;
  home: string;
  /** Every account of this collection (each held account's scope). */
  accounts: readonly string[];
  startedAt: string;
  source: Snapshot['source'];
}

export interface HeldAccount {
  regions: string[];
  /** The account as the snapshot may hold it (hold.ts), its coverage gaps included. */
  held: Snapshot;
}

/** One account, read and held: what a collection thread (lanes.ts) does for each of its accounts. */
export async function collectHeld(account: string, run: AccountRun, sts: STSClient, options: CollectOptions): Promise<HeldAccount> {
  const result = await collectAccount(account, run.caller, run.home, sts, options);
  // What an endpoint sent that the snapshot cannot hold becomes gaps; what linkaudit made must fit.
  const held = holdCollected(
    emptySnapshot({
      generatedAt: run.startedAt,
      source: run.source,
      scope: { partition: run.caller.partition, accounts: [...run.accounts], regions: result.regions.length > 0 ? result.regions : [run.home] },
      ...(Object.fromEntries(COLLECTIONS.map((c) => [c, result.parts.flatMap((p) => (p[c] ?? []) as unknown[])])) as unknown as Collections),
      coverage: result.coverage,
    }),
  );
  return { regions: result.regions, held };
}

/**
 * Collection threads for this collection (lanes.ts): up to `collectThreads`, never more than the
 * accounts or the requests allowed in flight (collectAll makes it 1 when the caller handed in
 * objects of this thread: a credential provider, a shared limiter or pool, a deadline).
 */
function laneCount(options: CollectOptions, accounts: number): number {
  const wanted = options.collectThreads ?? 1;
  if (wanted <= 1 || accounts < 2) return 1;
  return Math.max(1, Math.min(wanted, accounts, options.concurrency));
}

/**
 * A role ARN naming one account (no {account}) enters that account whatever --accounts says: its
 * data would be labelled as each account's. Only one account, the same one, can go with it.
 */
function checkRoleAccount(roleArn: string | undefined, accounts: readonly string[]): void {
  if (roleArn === undefined || roleArn.includes('{account}')) return;
  const literal = parseArn(roleArn)?.account ?? '';
  if (accounts.length === 1 && accounts[0] === literal) return;
  const others = accounts.filter((a) => a !== literal);
  throw new UserError(
    `--role-arn ${escapeControlChars(roleArn)} names account ${escapeControlChars(literal)}, so it cannot read ${others.length === 1 ? `account ${others[0]}` : `${accounts.length} accounts (${accounts.slice(0, 5).join(', ')}${accounts.length > 5 ? ', …' : ''})`}: write the account as {account} (e.g. arn:aws:iam::{account}:role/linkaudit-audit) to assume the role in each`,
  );
}

interface AccountResult {
  regions: string[];
  parts: Collected[];
  coverage: CoverageGap[];
}

async function collectAccount(account: string, caller: Identity, home: string, sts: STSClient, options: CollectOptions): Promise<AccountResult> {
  const partition = caller.partition;
  const role = options.roleArn !== undefined ? assumed(account, sts, options) : undefined;
  const aws: AwsOptions = role ? { ...options, credentials: role } : options;
  const target = (region: string): Target => ({ partition, account, region });
  let regions: string[] = options.regions === 'all' ? [] : options.regions.length > 0 ? [...options.regions] : [home];
  if (role) {
    // Enter the account first: a role that cannot be assumed (denied, or throttled past every
    // retry) is one gap for the account, not a failure of every call made with it.
    try {
      await role();
    } catch (err) {
      // The caller's own credentials were proven by GetCallerIdentity: this failure is the role's.
      return unenterable(err, account, partition, home, regions, options);
    }
  }
  try {
    if (options.regions === 'all') {
      try {
        regions = await enabledRegions(home, account, aws);
      } catch (err) {
        // The run's time ran out before the regions were known: the account is unknown where it was to be read.
        if (isMaxDuration(err)) return unenterable(err, account, partition, home, regions, options, { service: 'ec2', operation: 'DescribeRegions' });
        throw err;
      }
    }
    options.progress?.total(regions.length);
    const homeClients = clientsFor(home, aws);
    // Everything of an account at once (its requests bounded by options.requests): connections
    // (global, so read once from the home region), IAM, and every region.
    const accountWide = Promise.all([collectConnections(homeClients.codeconnections, target(home)), collectIam(homeClients.iam, target('global'))]);
    // The regions wait one turn of the event loop: accounts entered together (their roles assumed
    // side by side) then all send their account-wide first calls (ListConnections, whose answer
    // leads to a tag call per connection) before any sends its regions' dozens of listings.
    // Until it is awaited below, a failure of the account-wide reads must not count as unhandled.
    accountWide.catch(() => {});
    await new Promise((resolve) => setImmediate(resolve));
    const perRegion = Promise.all(
      regions.map(async (region) => {
        const clients = clientsFor(region, aws);
        const at = target(region);
        const read = await Promise.all([
          collectEc2(clients.ec2, at),
          collectHosts(clients.codeconnections, at),
          collectPipelines(clients.codepipeline, at),
          collectBuildProjects(clients.codebuild, at),
          collectSourceCredentials(clients.codebuild, at),
        ]);
        const [ec2, hosts, pipelines, builds, credentials] = read;
        const line =
          `linkaudit: ${account} ${region}: ${ec2.vpcEndpoints?.length ?? 0} VPC endpoints, ${ec2.endpointServices?.length ?? 0} endpoint services, ${hosts.hosts?.length ?? 0} hosts, ` +
          `${pipelines.pipelines?.length ?? 0} pipelines, ${builds.buildProjects?.length ?? 0} build projects, ${credentials.sourceCredentials?.length ?? 0} source credentials${gapNote(read)}`;
        options.progress?.gaps(read.reduce((n, p) => n + p.coverage.length, 0));
        if (options.progress) options.progress.regionDone(line);
        else options.log(line);
        return read;
      }),
    );
    // One await for both, so that a failure of either never leaves the other's unobserved.
    const [wide, regional] = await Promise.all([accountWide, perRegion]);
    options.progress?.gaps(wide.reduce((n, p) => n + p.coverage.length, 0));
    const parts: Collected[] = [...wide, ...regional.flat()];
    return { regions, parts, coverage: parts.flatMap((p) => spreadConnectionGaps(p.coverage, regions)) };
  } catch (err) {
    // The caller's own credentials failing ends the run; a role in another account failing is
    // that account's gap.
    if (!role) {
      if (isCredentialError(err)) throw credentialError(err, options);
      throw err;
    }
    if (!isCredentialError(err) && !isAssumeRoleError(err)) throw err;
    return unenterable(err, account, partition, home, regions, options);
  }
}

const ASSUME_ROLE = { service: 'sts', operation: 'AssumeRole' };

function unenterable(err: unknown, account: string, partition: string, home: string, regions: string[], options: CollectOptions, scope = ASSUME_ROLE): AccountResult {
  const why = scope === ASSUME_ROLE ? `cannot assume ${roleFor(account, options)}` : `cannot read ${scope.operation}`;
  options.log(escapeControlChars(`linkaudit: ${account}: ${why} (${errorCode(err)}); its resources are unknown`));
  const gaps = accountGaps(err, { partition, account, region: home }, regions.length > 0 ? regions : [home], scope);
  options.progress?.gaps(gaps.length);
  return { regions, parts: [], coverage: gaps };
}

/** Every kind of an account that could not be entered is unknown, in every region scanned. */
function accountGaps(err: unknown, target: Target, regions: readonly string[], scope: { service: string; operation: string }): CoverageGap[] {
  return [
    ...regions.map((region) => gapFrom(err, { ...scope, target: { ...target, region }, resourceKinds: [...REGIONAL_KINDS] })),
    gapFrom(err, { ...scope, target: { ...target, region: 'global' }, resourceKinds: [...IAM_KINDS] }),
  ];
}

function roleFor(account: string, options: CollectOptions): string {
  return (options.roleArn ?? '').replace(/\{account\}/g, account);
}

type Provider = NonNullable<AwsOptions['credentials']>;

/**
 * The account's role, assumed once and shared by every client of the account (each client would
 * otherwise assume it for itself), renewed five minutes before the session expires. AssumeRole is
 * sent by the caller's STS client, so it is bounded, counted and retried as every other call. The
 * session must be in the account it is for: a role that enters another account (a literal account
 * in the ARN, a trust that leads elsewhere) would label that account's data as this one's, so it
 * fails the account with AccountMismatch instead.
 */
function assumed(account: string, sts: STSClient, options: CollectOptions): Provider {
  const RoleArn = roleFor(account, options);
  const enter = async (): Promise<Awaited<ReturnType<Provider>>> => {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'linkaudit', ...(options.externalId ? { ExternalId: options.externalId } : {}) }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw Object.assign(new Error(`AssumeRole of ${RoleArn} answered without credentials`), { name: 'InvalidResponse' });
    const sessionArn = out.AssumedRoleUser?.Arn ?? '';
    const entered = parseArn(sessionArn)?.account;
    if (entered !== account) {
      throw Object.assign(
        new Error(`AssumeRole of ${RoleArn} gave a session in account ${entered ?? 'unknown'} (${sessionArn.slice(0, 200) || 'no assumed-role ARN'}), not ${account}: nothing is read as ${account}'s`),
        { name: 'AccountMismatch' },
      );
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}), ...(c.Expiration ? { expiration: c.Expiration } : {}) };
  };
  let current: ReturnType<Provider> | undefined;
  return async () => {
    try {
      const creds = current ? await current : undefined;
      if (creds && !(creds.expiration && creds.expiration.getTime() - Date.now() < 300_000)) return creds;
    } catch {
      // The last attempt failed: try again below rather than repeat its error forever.
    }
    current = enter();
    return current;
  };
}

function isMaxDuration(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === 'MaxDurationExceeded';
}

function isAssumeRoleError(err: unknown): boolean {
  const e = (err ?? {}) as { name?: string; message?: string };
  return e.name === 'AccessDenied' || e.name === 'AccessDeniedException' || e.name === 'AccountMismatch' || isMaxDuration(err) || /AssumeRole/i.test(e.message ?? '');
}

/**
 * Shards split accounts by a hash of their id, not by position, so adding an account moves no
 * other account to another shard (a matrix job keeps its history).
 */
export function inShard(accounts: readonly string[], shard: CollectOptions['shard']): string[] {
  if (!shard) return [...accounts];
  return accounts.filter((a) => createHash('sha256').update(a).digest().readUInt32BE(0) % shard.count === shard.index - 1);
}

/**
 * Connections are listed once per account, but each is homed in a region. A listing that failed
 * leaves every scanned region's connections unknown, not only the region that was asked.
 */
function spreadConnectionGaps(gaps: CoverageGap[], regions: readonly string[]): CoverageGap[] {
  return gaps.flatMap((g) =>
    g.field === undefined && g.resourceKinds.includes('connection') ? [...new Set([g.region, ...regions])].sort().map((region) => ({ ...g, region })) : [g],
  );
}

function gapNote(parts: Collected[]): string {
  const n = parts.reduce((sum, p) => sum + p.coverage.length, 0);
  return n > 0 ? `; ${n} coverage gap(s)` : '';
}

function credentialError(err: unknown, options: CollectOptions): UserError {
  return new UserError(`AWS credentials from ${escapeControlChars(options.credentialSource)} are missing or not valid: ${errorText(err)}`);
}

/** An error's name and first line, escaped and bounded: it may be what an endpoint sent. */
function errorText(err: unknown): string {
  const e = (err ?? {}) as { name?: string; message?: string };
  return escapeControlChars(`${e.name ?? 'Error'}: ${(e.message ?? '').split('\n')[0] ?? ''}`.slice(0, 500));
}

/** Why no answer came, when that is what happened (then it is not the credentials' fault). */
function unanswered(err: unknown, options: CollectOptions, service: string): string | undefined {
  const network = networkFailure(err);
  if (network) return `cannot reach ${service}: ${describeNetworkFailure(network, err)}`;
  const name = (err as { name?: string } | undefined)?.name;
  if (name === 'TimeoutError') {
    const endpoint = (err as { linkauditEndpoint?: string }).linkauditEndpoint ?? options.endpointUrl;
    return `${service} did not answer within --timeout of ${options.timeoutMs / 1000} s${endpoint ? ` at ${escapeControlChars(endpoint)}` : ''}`;
  }
  if (isMaxDuration(err)) return `--max-duration ran out before ${service} answered`;
  return undefined;
}

async function configuredRegion(options: CollectOptions): Promise<string> {
  const probe = new STSClient({});
  try {
    const region = await probe.config.region();
    if (region) return region;
  } catch {
    // No region configured anywhere: said below.
  } finally {
    probe.destroy();
  }
  if (options.regions !== 'all' && options.regions[0]) return options.regions[0];
  throw new UserError(`no AWS region configured for ${options.credentialSource}: pass --region, or set AWS_REGION or a region in the profile`);
}

async function callerIdentity(sts: STSClient, options: CollectOptions): Promise<Identity> {
  let arn: string;
  let account: string;
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    arn = out.Arn ?? '';
    account = out.Account ?? parseArn(arn)?.account ?? '';
  } catch (err) {
    const why = unanswered(err, options, 'AWS STS (GetCallerIdentity)');
    if (why) throw new UserError(why);
    throw new UserError(`cannot identify the caller with credentials from ${escapeControlChars(options.credentialSource)}: ${errorText(err)}`);
  }
  // Everything collected is labelled with this account: an answer that names none cannot be used.
  if (!/^[0-9]{12}$/.test(account)) throw new UserError(`GetCallerIdentity answered account ${escapeControlChars(JSON.stringify(account.slice(0, 100)))}, not a 12-digit account id`);
  const partition = parseArn(arn)?.partition || 'aws';
  return { account, arn, partition: /^aws[a-z-]*$/.test(partition) ? partition : 'aws' };
}

async function organization(region: string, options: CollectOptions): Promise<Organization> {
  const client = clientsFor(region, options).organizations;
  try {
    const described = await client.send(new DescribeOrganizationCommand({}));
    const accounts: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListAccountsCommand({ MaxResults: 20, NextToken }));
      for (const a of page.Accounts ?? []) {
        if (!a.Id || (a.State ?? a.Status) !== 'ACTIVE') continue;
        if (!/^[0-9]{12}$/.test(a.Id)) throw Object.assign(new Error(`ListAccounts named account ${JSON.stringify(a.Id.slice(0, 100))}, not a 12-digit account id`), { name: 'InvalidResponse' });
        accounts.push(a.Id);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    const id = described.Organization?.Id ?? '';
    if (!/^o-[a-z0-9]{10,32}$/.test(id)) throw Object.assign(new Error(`DescribeOrganization answered organization id ${JSON.stringify(id.slice(0, 100))}, not an o-… id`), { name: 'InvalidResponse' });
    const management = described.Organization?.MasterAccountId;
    if (management !== undefined && !/^[0-9]{12}$/.test(management)) throw Object.assign(new Error(`DescribeOrganization answered management account ${JSON.stringify(management.slice(0, 100))}`), { name: 'InvalidResponse' });
    return { id, ...(described.Organization?.MasterAccountId ? { managementAccount: described.Organization.MasterAccountId } : {}), accounts: accounts.sort() };
  } catch (err) {
    const why = unanswered(err, options, 'AWS Organizations');
    throw new UserError(`--org: cannot list the organization's accounts${why ? `: ${why}` : ` (run from the management or a delegated-admin account): ${errorText(err)}`}`);
  }
}

async function enabledRegions(home: string, account: string, aws: AwsOptions): Promise<string[]> {
  try {
    const out = await clientsFor(home, aws).ec2.send(new DescribeRegionsCommand({ AllRegions: false }));
    return (out.Regions ?? []).map((r) => r.RegionName ?? '').filter((r) => r !== '').sort();
  } catch (err) {
    if (isCredentialError(err) || isAssumeRoleError(err)) throw err;
    throw new UserError(`--regions all: cannot list the enabled regions of ${account} (${escapeControlChars(errorCode(err))}); name the regions with --region`);
  }
}
