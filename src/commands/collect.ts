import { availableParallelism } from 'node:os';
import { UserError } from '../errors.js';
import { DEFAULT_CONCURRENCY } from './live-args.js';
import { writeFilesAtomic } from '../io/atomic-write.js';
import { checkWritableTarget } from '../io/output-dir.js';
import { escapeControlChars } from '../io/untrusted-text.js';
import type { Snapshot } from '../model/types.js';
import type { CollectOptions } from '../collectors/collect.js';
import type { AccountSource } from '../engine/streamed.js';

/** The flags that say how to reach AWS, shared by `collect` and a live `scan`. */
export interface LiveArgs {
  profile?: string;
  region: string[];
  /** "all", or a comma-separated list. */
  regions?: string;
  endpointUrl?: string;
  maxAttempts: number;
  /** Seconds, per HTTP attempt (connection, headers and body). */
  timeout: number;
  /** Seconds for the whole collection (--max-duration); what is unread then becomes coverage gaps. */
  maxDuration?: number;
  /** --concurrency: requests in flight over the whole collection; default 64 per collection thread. */
  concurrency?: number;
  /** Threads collecting accounts side by side (--collect-threads); default: the cores, at most 4. */
  collectThreads?: number;
  quiet: boolean;
  /** `arn:aws:iam::{account}:role/NAME`, assumed in each account. */
  roleArn?: string;
  externalId?: string;
  accounts?: string[];
  org?: boolean;
  /** "i/n". */
  shard?: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

export function parseRegions(args: Pick<LiveArgs, 'region' | 'regions'>): string[] | 'all' {
  if (args.regions?.trim() === 'all') {
    if (args.region.length > 0) throw new UserError('--regions all and --region exclude each other');
    return 'all';
  }
  const list = [...args.region.flatMap((r) => r.split(',')), ...(args.regions ?? '').split(',')].map((r) => r.trim()).filter((r) => r !== '');
  for (const r of list) if (!REGION.test(r)) throw new UserError(`--region: "${r}" is not a region name (e.g. us-east-1), nor is it "all"`);
  return [...new Set(list)].sort();
}

/**
 * Collects live, into one snapshot in memory. The AWS SDK is imported here, not at start-up, so
 * commands that do not collect (and `--version`) never load it.
 */
export async function collectLive(args: LiveArgs, log: (line: string) => void): Promise<Snapshot> {
  const options = await liveOptions(args, log);
  const { collect } = await import('../collectors/collect.js');
  return collect(options);
}

/** A live collection account by account: each account spooled to disk as it is read (collectors/spool.ts). */
export interface StreamedLive {
  /** The snapshot without its accounts' resources: scope, organizations, coverage, and the AWS managed policies they share. */
  head: Snapshot;
  /** For evaluation account by account (engine/streamed.ts). */
  source: AccountSource;
  /** The snapshot file's text, chunk by chunk (what collectLive's snapshot, written, would be). */
  snapshotText(): Iterable<string>;
  /** Removes the spool. */
  close(): void;
}

export async function collectLiveStreamed(args: LiveArgs, log: (line: string) => void): Promise<StreamedLive> {
  const options = await liveOptions(args, log);
  const [{ collectStreamed }, { AccountSpool }, { linkedAccounts }] = await Promise.all([import('../collectors/collect.js'), import('../collectors/spool.js'), import('../engine/account-links.js')]);
  const spool = new AccountSpool();
  try {
    const links = new Map<string, Set<string>>();
    const collected = await collectStreamed(options, (part) => {
      links.set(part.account, linkedAccounts(part.collections, part.account));
      spool.put(part.account, part.collections);
    });
    const head: Snapshot = { ...collected, iamPolicies: spool.sharedPolicies() };
    return {
      head,
      source: { head, accounts: spool.accounts, links, read: (account) => spool.read(account) },
      snapshotText: () => spool.snapshotText(collected),
      close: () => spool.close(),
    };
  } catch (err) {
    spool.close();
    throw err;
  }
}

async function liveOptions(args: LiveArgs, log: (line: string) => void): Promise<CollectOptions> {
  const regions = parseRegions(args);
  if (!Number.isInteger(args.maxAttempts) || args.maxAttempts < 1) throw new UserError('--max-attempts must be a whole number of at least 1');
  if (!(args.timeout > 0) || !Number.isFinite(args.timeout)) throw new UserError('--timeout must be a number of seconds above 0');
  if (args.maxDuration !== undefined && (!(args.maxDuration > 0) || !Number.isFinite(args.maxDuration))) throw new UserError('--max-duration must be a number of seconds above 0');
  {
    // The SDK reads AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> itself; a bad one is the user's to fix, said by name.
    const { checkEndpointUrl } = await import('../collectors/network.js');
    const given: Array<[string, string]> = [
      ...(args.endpointUrl !== undefined ? [['--endpoint-url', args.endpointUrl] as [string, string]] : []),
      ...Object.entries(process.env).filter((e): e is [string, string] => /^AWS_ENDPOINT_URL(_[A-Z0-9_]+)?$/.test(e[0]) && e[1] !== undefined && e[1] !== ''),
    ];
    for (const [name, url] of given) {
      const problem = checkEndpointUrl(url);
      if (problem) throw new UserError(problem.replace(/^--endpoint-url/, name));
    }
  }
  if (args.concurrency !== undefined && (!Number.isInteger(args.concurrency) || args.concurrency < 1)) throw new UserError('--concurrency must be a whole number of at least 1');
  if (args.collectThreads !== undefined && (!Number.isInteger(args.collectThreads) || args.collectThreads < 1 || args.collectThreads > MAX_COLLECT_THREADS)) {
    throw new UserError(`--collect-threads must be a whole number from 1 to ${MAX_COLLECT_THREADS}`);
  }
  // As the AWS CLI does: --profile selects the profile for credentials and region alike.
  if (args.profile !== undefined) process.env.AWS_PROFILE = args.profile;
  const source = process.env.AWS_PROFILE ? `profile ${process.env.AWS_PROFILE}` : 'the default credential chain (environment, shared files, SSO, web identity, instance metadata)';
  // The SDK warns on Node < 22 that its releases after January 2027 will need Node 22. linkaudit
  // pins its SDK version, so the warning is ours to act on, not the user's: keep it off stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const shard = parseShard(args.shard);
  const accounts = (args.accounts ?? []).flatMap((a) => a.split(',')).map((a) => a.trim()).filter((a) => a !== '');
  for (const a of accounts) if (!/^[0-9]{12}$/.test(a)) throw new UserError(`--accounts: "${a}" is not a 12-digit account id`);
  if (args.org && accounts.length > 0) throw new UserError('--org and --accounts exclude each other');
  if (args.roleArn !== undefined && !/^arn:aws[a-z-]*:iam::(\{account\}|[0-9]{12}):role\/.+$/.test(args.roleArn)) {
    throw new UserError(`--role-arn: "${args.roleArn}" is not a role ARN template like arn:aws:iam::{account}:role/linkaudit-audit`);
  }
  if ((accounts.length > 0 || args.org) && args.roleArn === undefined) throw new UserError('--accounts and --org need --role-arn to enter the other accounts');
  // A literal account in --role-arn reads that account only (collect.ts checks it against --org's accounts too).
  const literal = args.roleArn !== undefined && !args.roleArn.includes('{account}') ? args.roleArn.split(':')[4] : undefined;
  if (literal !== undefined && (args.org || accounts.some((a) => a !== literal))) {
    throw new UserError(`--role-arn names account ${literal}, so it cannot read ${args.org ? 'the organization\'s accounts' : `account ${accounts.find((a) => a !== literal) ?? ''}`}: write the account as {account} (e.g. arn:aws:iam::{account}:role/linkaudit-audit) to assume the role in each`);
  }
  const { createProgress } = await import('../collectors/progress.js');
  return {
    progress: createProgress({ write: (t) => process.stderr.write(t), tty: process.stderr.isTTY === true, quiet: args.quiet }),
    ...(args.roleArn !== undefined ? { roleArn: args.roleArn } : {}),
    ...(args.externalId !== undefined ? { externalId: args.externalId } : {}),
    ...(accounts.length > 0 ? { accounts } : {}),
    ...(args.org ? { org: true } : {}),
    ...(shard ? { shard } : {}),
    regions,
    // Not given: each collection thread has the default's worth (lanes.ts), as one thread alone has.
    ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : { concurrency: DEFAULT_CONCURRENCY, concurrencyPerThread: true }),
    collectThreads: args.collectThreads ?? defaultCollectThreads(),
    maxAttempts: args.maxAttempts,
    timeoutMs: Math.max(1, Math.round(args.timeout * 1000)),
    ...(args.maxDuration !== undefined ? { maxDurationSeconds: args.maxDuration } : {}),
    ...(args.endpointUrl !== undefined ? { endpointUrl: args.endpointUrl } : {}),
    credentialSource: source,
    log: args.quiet ? () => {} : log,
  };
}

const MAX_COLLECT_THREADS = 64;

/**
 * One collection thread per core, at most 4: a large organization's collection is CPU-bound
 * (lanes.ts), and past 4 threads the accounts' own rate limits, not the cores, set its pace.
 */
export function defaultCollectThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export function parseShard(text: string | undefined): { index: number; count: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^([0-9]+)\/([0-9]+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new UserError(`--shard: "${text}" is not i/n with 1 <= i <= n (e.g. 2/4)`);
  return { index, count };
}

export async function writeSnapshot(snapshot: Snapshot, file: string): Promise<void> {
  await writeFilesAtomic([{ file, chunks: [`${JSON.stringify(snapshot, null, 2)}\n`] }], 'snapshot');
}

/** A streamed collection's snapshot, written as a set (atomically) without being in memory whole. */
export async function writeStreamedSnapshot(live: StreamedLive, file: string): Promise<void> {
  await writeFilesAtomic([{ file, chunks: live.snapshotText() }], 'snapshot');
}

/** Chunks to stdout, waiting while the pipe is full rather than buffering the whole text. */
async function writeStdout(chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (!process.stdout.write(chunk)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}

export async function collectCommand(args: LiveArgs & { output?: string }, logRaw: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  // The lines name files and carry what the collectors report from AWS.
  const log = (line: string): void => logRaw(escapeControlChars(line));
  // Checked first: a collection can take minutes, and its output must not then be lost.
  if (args.output !== undefined) checkWritableTarget(args.output, 'snapshot');
  const live = await collectLiveStreamed(args, log);
  try {
    if (args.output !== undefined) {
      await writeStreamedSnapshot(live, args.output);
      if (!args.quiet) log(`linkaudit: wrote ${args.output} (${live.head.coverage.length} coverage gap(s))`);
    } else await writeStdout(live.snapshotText());
  } finally {
    live.close();
  }
  return 0;
}
