// Accounts collected on several threads at once: this one and `lanes − 1` collection threads
// (lane-thread.ts), each with its own SDK clients, connection pool and share of --concurrency.
//
// Why: a large organization's collection is CPU-bound on one thread (signing, HTTP, the SDK's
// middleware, reading pages: about a millisecond per call), so one process used one core of the
// machine. Accounts are independent (each has its own credentials, rate limits and resources), so
// they split across threads without any coordination but the queue: each lane takes the next
// account when it has room, so a lane slowed by a large account takes fewer. What each thread
// reads is the same code (collectHeld); a thread's account comes back as JSON (parsed here in
// about half the time structured cloning takes) and goes to the same sink as this thread's own.
//
// Progress, request counts and log lines are sent here in batches and replayed into this thread's
// progress and listeners, so the display and the counts are those of one collection. An account's
// failure in a thread stops the collection as this thread's own failure would: a UserError stays
// one (exit 2, its message), anything else is an internal error naming the thread. A thread that
// cannot start or stops hands its accounts back: they are collected on this thread.
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { escapeControlChars } from '../io/untrusted-text.js';
import type { AccountRun, CollectOptions, HeldAccount } from './collect.js';

/** What a collection thread is started with: plain data only (a thread shares no object with this one). */
export interface LaneInit {
  run: AccountRun;
  regions: CollectOptions['regions'];
  /** This thread's share of --concurrency. */
  concurrency: number;
  maxAttempts: number;
  timeoutMs: number;
  credentialSource: string;
  endpointUrl?: string;
  roleArn?: string;
  externalId?: string;
  /** --max-duration: its seconds (for messages) and when it ends (epoch ms), the same for every thread. */
  deadline?: { seconds: number; endsAt: number };
  settingsPerClient?: boolean;
  /** Whether region lines go to progress (regionDone) or to the log. */
  hasProgress: boolean;
}

/** An event of a thread's progress or log, replayed in order here. */
export type LaneEvent = ['total', number] | ['gaps', number] | ['line', string] | ['log', string];

export interface LaneError {
  user: boolean;
  name: string;
  message: string;
  stack?: string;
}

export type LaneMessage =
  | { type: 'events'; requests: number; answers: number; throttled: number; events: LaneEvent[] }
  | { type: 'held'; i: number; json: string }
  | { type: 'failed'; i: number; error: LaneError };

export type LaneCommand = { type: 'account'; i: number; account: string };

/** --concurrency split over the lanes: every lane at least one request, this thread (lane 0) the remainder. */
export function laneShares(concurrency: number, lanes: number): number[] {
  const each = Math.max(1, Math.floor(concurrency / lanes));
  return [Math.max(1, concurrency - each * (lanes - 1)), ...Array.from({ length: lanes - 1 }, () => each)];
}

export interface LaneRun {
  accounts: readonly string[];
  lanes: number;
  /** Accounts under way at once over all lanes. */
  accountsAtOnce: number;
  run: AccountRun;
  /** This thread's options: its listeners and progress receive the other threads' events too. */
  options: CollectOptions;
  shares: readonly number[];
  /** Collects one account on this thread. */
  here: (account: string) => Promise<HeldAccount>;
  /** Each account as it completes, on whichever lane (`i`: its index in `accounts`). */
  done: (i: number, account: string, result: HeldAccount) => Promise<void>;
  /** Starts a collection thread (tests give one that fails). */
  startThread?: (init: LaneInit) => Worker;
}

/**
 * A thread that could not start or stopped (not an account's failure, which the thread reports):
 * its accounts are collected on this thread instead, as page-threads.ts falls back for pages.
 */
class LaneFault extends Error {
  override readonly name = 'LaneFault';
}

/** Collects every account of `p`; returns how many each lane collected (this thread's first). */
export async function collectOnLanes(p: LaneRun): Promise<number[]> {
  let next = 0;
  let failed = false;
  const take = (): number | undefined => (!failed && next < p.accounts.length ? next++ : undefined);
  const threads = p.shares.slice(1).map((share) => new LaneThread(laneInit(p, share), p.options, p.startThread ?? startLaneWorker));
  const perLane = Math.max(1, Math.floor(p.accountsAtOnce / p.lanes));
  const lanes: Array<(i: number, account: string) => Promise<HeldAccount>> = [(_, account) => p.here(account), ...threads.map((t) => (i: number, account: string) => t.collect(i, account))];
  const counts = lanes.map(() => 0);
  const runner = async (lane: number): Promise<void> => {
    const collect = lanes[lane] as (i: number, account: string) => Promise<HeldAccount>;
    for (let i = take(); i !== undefined; i = take()) {
      const account = p.accounts[i] as string;
      let on = lane;
      const result = await collect(i, account).catch((err: unknown) => {
        if (!(err instanceof LaneFault)) throw err;
        p.options.log(`linkaudit: ${err.message}; account ${account} is collected on the main thread instead`);
        on = 0;
        return p.here(account);
      });
      counts[on] = (counts[on] ?? 0) + 1;
      await p.done(i, account, result);
    }
  };
  const runners: Array<Promise<void>> = [];
  // Round the lanes: a collection smaller than accountsAtOnce is still spread over every lane.
  for (let k = 0; k < perLane; k++) lanes.forEach((_, lane) => runners.push(runner(lane)));
  try {
    await Promise.all(runners);
    return counts;
  } catch (err) {
    // No lane takes another account; those under way on this thread run out on their own.
    failed = true;
    throw err;
  } finally {
    await Promise.all(threads.map((t) => t.stop()));
  }
}

function laneInit(p: LaneRun, share: number): LaneInit {
  const o = p.options;
  return {
    run: p.run,
    regions: o.regions,
    concurrency: share,
    maxAttempts: o.maxAttempts,
    timeoutMs: o.timeoutMs,
    credentialSource: o.credentialSource,
    ...(o.endpointUrl !== undefined ? { endpointUrl: o.endpointUrl } : {}),
    ...(o.roleArn !== undefined ? { roleArn: o.roleArn } : {}),
    ...(o.externalId !== undefined ? { externalId: o.externalId } : {}),
    ...(o.deadline ? { deadline: { seconds: o.deadline.seconds, endsAt: o.deadline.endsAt } } : {}),
    ...(o.settingsPerClient ? { settingsPerClient: true } : {}),
    hasProgress: o.progress !== undefined,
  };
}

interface Pending {
  resolve(result: HeldAccount): void;
  reject(err: unknown): void;
}

class LaneThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private fault: LaneFault | undefined;

  constructor(
    init: LaneInit,
    private readonly options: CollectOptions,
    start: (init: LaneInit) => Worker,
  ) {
    this.worker = start(init);
    this.worker.on('message', (m: LaneMessage) => this.receive(m));
    this.worker.on('error', (err) => this.failAll(new LaneFault(`a collection thread failed (${escapeControlChars(String(err.message).split('\n')[0] ?? '').slice(0, 300)})`)));
    this.worker.on('exit', (code) => this.failAll(new LaneFault(`a collection thread stopped (exit code ${code})`)));
  }

  collect(i: number, account: string): Promise<HeldAccount> {
    if (this.fault) return Promise.reject(this.fault);
    return new Promise<HeldAccount>((resolve, reject) => {
      this.pending.set(i, { resolve, reject });
      this.worker.postMessage({ type: 'account', i, account } satisfies LaneCommand);
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private receive(m: LaneMessage): void {
    if (m.type === 'events') {
      const o = this.options;
      for (let k = 0; k < m.requests; k++) o.onRequest?.();
      for (let k = 0; k < m.answers; k++) o.onAnswer?.(false);
      for (let k = 0; k < m.throttled; k++) o.onAnswer?.(true);
      for (const [kind, value] of m.events) {
        if (kind === 'total') o.progress?.total(value);
        else if (kind === 'gaps') o.progress?.gaps(value);
        else if (kind === 'line') {
          if (o.progress) o.progress.regionDone(value);
          else o.log(value);
        } else o.log(value);
      }
      return;
    }
    const waiting = this.pending.get(m.i);
    if (!waiting) return;
    this.pending.delete(m.i);
    if (m.type === 'held') waiting.resolve(JSON.parse(m.json) as HeldAccount);
    else waiting.reject(laneError(m.error));
  }

  private failAll(err: LaneFault): void {
    this.fault ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/** A thread's failure as this thread's own would be: a UserError stays one. */
function laneError(e: LaneError): Error {
  if (e.user) return new UserError(e.message);
  return Object.assign(new Error(`${e.message} (in a collection thread)`), { name: e.name, ...(e.stack !== undefined ? { stack: `${e.stack}\n    (in a collection thread)` } : {}) });
}

export function startLaneWorker(init: LaneInit): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Run from source (the tests, tsx): the thread loads TypeScript through tsx, a dev dependency.
    const entry = new URL('./lane-thread.ts', here).href;
    return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}))`, { eval: true, workerData: init });
  }
  return new Worker(new URL('./lane-thread.js', here), { workerData: init });
}
