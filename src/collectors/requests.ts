// How a collection sends requests: one bound on the HTTP requests in flight, shared by every
// client of every account and region, and each client paced once AWS throttles it.
//
// Bounding requests rather than whole account-region tasks lets every account-region make
// progress from the start: a task waiting on a throttled bucket, or on a long chain of dependent
// calls, holds no slot while it waits, so it never keeps other buckets from being read, and the
// busiest bucket is not queued behind other accounts' work.

/** The slice of the SDK's middleware stack this module needs. */
interface Stack {
  addRelativeTo(
    middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
    options: { name: string; relation: 'before' | 'after'; toMiddleware: string },
  ): void;
}

/**
 * At most `limit` requests in flight; the others wait their turn in arrival order, except that
 * `bulk` requests wait behind every other. Bulk requests are the few that bring large pages (a
 * thousand VPC endpoints, a thousand IAM entities): each costs the collector real CPU time to
 * read, and no other call waits on them. The small calls are the ones chains are made of
 * (AssumeRole, then ListConnections, then a tag call per connection into a throttled bucket), and
 * a chain that waits behind a queue of pages to read is time added to the whole collection.
 */
export class RequestLimiter {
  private active = 0;
  private most = 0;
  private readonly queues = { first: new Queue(), bulk: new Queue() };

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`request limit must be a whole number of at least 1, not ${limit}`);
  }

  async run<T>(work: () => Promise<T>, bulk = false): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => (bulk ? this.queues.bulk : this.queues.first).push(resolve));
    else this.active++;
    this.most = Math.max(this.most, this.active);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.active;
  }

  /** The most requests that were ever in flight at once. */
  get peak(): number {
    return this.most;
  }

  private release(): void {
    const next = this.queues.first.shift() ?? this.queues.bulk.shift();
    // The slot passes straight to the next in line (active stays the same), so a request arriving
    // meanwhile cannot overtake it.
    if (next === undefined) this.active--;
    else next();
  }
}

/** A first-in first-out queue that stays cheap with thousands waiting (no shift() per item). */
class Queue {
  private items: Array<(() => void) | undefined> = [];
  private head = 0;

  push(item: () => void): void {
    this.items.push(item);
  }

  shift(): (() => void) | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.items[this.head] = undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/**
 * Client-side pacing of one client (one service in one account and region, the scope AWS throttles
 * in). It holds nothing back until AWS throttles a request; then it spaces sends at a rate below
 * what AWS was granting, and creeps back up while answers come.
 *
 * It replaces the SDK's adaptive rate limiter, which against a token bucket that is first emptied
 * by a burst collapses to its floor of 0.5 requests a second for seconds: it cuts the rate once per
 * throttled answer, so a burst of N requests in flight when the bucket ran dry cuts it N times, and
 * a new client measures its own sending rate over the time since it was created, idle time
 * included. Here one throttling event cuts once: a throttled request sent before the last cut was
 * already answered for. Retries (with the SDK's standard back-off and retry quota) are unchanged.
 */
export class Pacer {
  /** Sends per second; undefined until the first throttle. */
  private rate: number | undefined;
  private nextSend = 0;
  private cutAt = -Infinity;
  /** When recent answers (not throttles) arrived, for the rate AWS was granting. */
  private readonly answers: number[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  /** Waits for this client's turn to send. */
  async turn(): Promise<void> {
    if (this.rate === undefined) return;
    const now = this.clock.now();
    const at = Math.max(now, this.nextSend);
    this.nextSend = at + 1000 / this.rate;
    if (at > now) await this.clock.sleep(at - now);
  }

  now(): number {
    return this.clock.now();
  }

  answered(): void {
    const now = this.clock.now();
    this.answers.push(now);
    while ((this.answers[0] ?? now) < now - WINDOW_MS) this.answers.shift();
    // Additive increase: about INCREASE_PER_S more each second while AWS keeps answering.
    if (this.rate !== undefined) this.rate += INCREASE_PER_S / this.rate;
  }

  /** A request sent at `sentAt` (this.now()) was throttled. */
  throttled(sentAt: number): void {
    if (sentAt < this.cutAt) return;
    const now = this.clock.now();
    // What AWS answered over the last second: above its refill rate while a burst lasted, at it
    // once the bucket is dry. Each cut takes BETA of the lower of that and the current rate, so a
    // few round trips bring the rate under the refill, with one throttled answer per round trip.
    while ((this.answers[0] ?? now) < now - WINDOW_MS) this.answers.shift();
    const granted = (this.answers.length * 1000) / WINDOW_MS;
    this.rate = Math.max(MIN_RATE, BETA * Math.min(this.rate ?? Infinity, granted));
    this.cutAt = now;
    this.nextSend = Math.max(this.nextSend, now + 1000 / this.rate);
  }

  /** The current rate limit (requests per second), undefined while there is none. */
  get limit(): number | undefined {
    return this.rate;
  }
}

/** The operations whose pages are large (see RequestLimiter). */
const BULK = new Set(['DescribeVpcEndpointsCommand', 'GetAccountAuthorizationDetailsCommand']);

const WINDOW_MS = 1000;
const BETA = 0.7;
/** The SDK's adaptive limiter's floor too: even a heavily throttled client makes progress. */
const MIN_RATE = 0.5;
const INCREASE_PER_S = 1;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * The error names the SDK's retry strategy treats as throttling (THROTTLING_ERROR_CODES in
 * @smithy/core's retry module), and HTTP 429.
 */
const THROTTLING = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

export function isThrottle(err: unknown): boolean {
  const e = (err ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  return THROTTLING.has(e.name ?? '') || e.$metadata?.httpStatusCode === 429;
}

/**
 * Each HTTP attempt of a client: paced by the client's own Pacer, then run inside the collection's
 * `limiter`. It sits after the retry middleware, so a request sleeping in its retry back-off holds
 * no slot, and before signing, so a request that waited is signed when it is sent, not when it
 * queued. The slot is held until the answer is deserialized: that bounds the answers buffered in
 * memory too, not only the sockets.
 */
export function limitRequests(limiter: RequestLimiter, pacer: Pacer = new Pacer()): { applyToStack(stack: unknown): void } {
  return {
    applyToStack(stack) {
      (stack as Stack).addRelativeTo(
        (next, context) => async (args) => {
          const bulk = BULK.has(context.commandName ?? '');
          await pacer.turn();
          return limiter.run(async () => {
            const sentAt = pacer.now();
            try {
              const out = await next(args);
              pacer.answered();
              return out;
            } catch (err) {
              if (isThrottle(err)) pacer.throttled(sentAt);
              throw err;
            }
          }, bulk);
        },
        { name: 'linkauditRequestLimit', relation: 'before', toMiddleware: 'httpSigningMiddleware' },
      );
    },
  };
}
