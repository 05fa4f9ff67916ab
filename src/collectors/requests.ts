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
 * At most `limit` requests in flight. The others wait, each in its client's lane, and the lanes
 * take turns: a client that has many requests queued (an account's region fanning out its
 * listings) does not make one with few (a chain: AssumeRole, then ListConnections, then the tag
 * calls into a throttled bucket) wait for all of them. Within a lane, requests keep their order.
 *
 * Each request also has a class (RequestClass): chain requests go before normal ones, and bulk
 * ones after both.
 */
export class RequestLimiter {
  private active = 0;
  private most = 0;
  /** Waiting requests by class, served in this order. */
  private readonly rings: Record<RequestClass, Lanes> = { chain: new Lanes(), normal: new Lanes(), bulk: new Lanes() };

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`request limit must be a whole number of at least 1, not ${limit}`);
  }

  /** Runs `work` when a slot is free; `lane` is the client it is for (one lane if not given). */
  async run<T>(work: () => Promise<T>, options: { lane?: object; class?: RequestClass } = {}): Promise<T> {
    const ring = this.rings[options.class ?? 'normal'];
    const lane = options.lane ?? this;
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => ring.push(lane, resolve));
    } else this.active++;
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
    const next = this.rings.chain.shift() ?? this.rings.normal.shift() ?? this.rings.bulk.shift();
    // The slot passes straight to the next in line (active stays the same), so a request arriving
    // meanwhile cannot overtake it.
    if (next === undefined) this.active--;
    else next();
  }
}

/** Lanes of waiting requests, served in turn: one from each lane that has any, round and round. */
class Lanes {
  private readonly waiting = new Map<object, Queue>();
  /** Lanes with requests waiting, in the order they will be served. */
  private ring: object[] = [];
  private at = 0;

  get empty(): boolean {
    return this.ring.length === 0;
  }

  push(lane: object, item: () => void): void {
    let queue = this.waiting.get(lane);
    if (!queue) {
      queue = new Queue();
      this.waiting.set(lane, queue);
    }
    if (queue.empty) this.ring.push(lane);
    queue.push(item);
  }

  shift(): (() => void) | undefined {
    if (this.ring.length === 0) return undefined;
    if (this.at >= this.ring.length) this.at = 0;
    const lane = this.ring[this.at] as object;
    const queue = this.waiting.get(lane) as Queue;
    const item = queue.shift();
    if (queue.empty) {
      // Out of the ring; the next lane moves into this place.
      this.ring.splice(this.at, 1);
      this.waiting.delete(lane);
    } else this.at++;
    return item;
  }
}

/** A first-in first-out queue that stays cheap with thousands waiting (no shift() per item). */
class Queue {
  private items: Array<(() => void) | undefined> = [];
  private head = 0;

  get empty(): boolean {
    return this.head >= this.items.length;
  }

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
 * in). It holds nothing back until AWS throttles a request; then it sends at the rate AWS grants,
 * and creeps up while answers come, to find out whether AWS grants more.
 *
 * AWS throttles with token buckets: a burst, then a steady refill. Once a bucket has run dry (the
 * first throttle), the answers that still come to a client that keeps sending arrive at the
 * refill rate; so the answers counted since then, over at least MEASURE_MS, are that rate, and
 * the client paces to it, getting there by cuts of at most BETA each. The first cut is to BETA of
 * what was answered over the last second. One throttling event cuts once: a throttled request
 * sent before the last cut was already answered for.
 *
 * It replaces the SDK's adaptive rate limiter, which against a token bucket first emptied by a
 * burst collapses to its floor of 0.5 requests a second for seconds: it cuts the rate once per
 * throttled answer, so a burst of N requests in flight when the bucket ran dry cuts it N times.
 */
export class Pacer {
  /** Sends per second; undefined until the first throttle. */
  private rate: number | undefined;
  private nextSend = 0;
  private cutAt = -Infinity;
  /** When the bucket last ran dry: the first throttle after a quiet spell. */
  private dryAt = -Infinity;
  /** Throttled answers since then. */
  private throttles = 0;
  private lastThrottle = -Infinity;
  /** When recent answers (not throttles) arrived. */
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
    this.forget(now);
    // Additive increase: about INCREASE_PER_S more each second while AWS keeps answering.
    if (this.rate !== undefined) this.rate += INCREASE_PER_S / this.rate;
  }

  /** A request sent at `sentAt` (this.now()) was throttled. */
  throttled(sentAt: number): void {
    const now = this.clock.now();
    if (now - this.lastThrottle > QUIET_MS) {
      this.dryAt = now;
      this.throttles = 0;
    }
    this.throttles++;
    this.lastThrottle = now;
    if (sentAt < this.cutAt) return;
    this.forget(now);
    const since = Math.max(this.dryAt, now - WINDOW_MS);
    if (now - since < MEASURE_MS) {
      // Too early to measure the refill: BETA of what was answered over the last second (a burst
      // included), and not below FIRST_RATE, for a client that sends little and shares a bucket
      // with a busy one would otherwise be paced to a trickle for what the busy one did.
      this.rate = Math.min(this.rate ?? Infinity, Math.max(FIRST_RATE, BETA * ((this.answers.length * 1000) / WINDOW_MS)));
    } else {
      // Sending faster than the refill (this throttle says so), a client that kept sending has
      // had its answers since the bucket ran dry at the refill rate. One that sent little (a
      // service sharing the bucket with a busy one) has had fewer, which is why a client is only
      // measured after MIN_SAMPLES sends, and one cut never goes below BETA of the rate before it.
      const answered = this.answers.filter((t) => t >= since).length;
      if (answered + this.throttles >= MIN_SAMPLES) {
        const measured = (answered * 1000) / (now - since);
        this.rate = Math.max(MIN_RATE, Math.min(this.rate ?? Infinity, Math.max(measured, BETA * (this.rate ?? measured))));
      }
      // Fewer sends than that since the bucket ran dry: this client is not what empties it.
    }
    this.cutAt = now;
    if (this.rate !== undefined) this.nextSend = Math.max(this.nextSend, now + 1000 / this.rate);
  }

  /** The current rate limit (requests per second), undefined while there is none. */
  get limit(): number | undefined {
    return this.rate;
  }

  private forget(now: number): void {
    while ((this.answers[0] ?? now) < now - WINDOW_MS) this.answers.shift();
  }
}

/** Throttled requests are sent again after the client's next turn, up to this many times, before the SDK's own retries (with their back-off) take over. */
const RESENDS = 8;
/**
 * How a request shapes a collection's length, and so its place in the limiter's queue:
 * - chain: the calls of the longest chain into one throttled bucket, one call per connection or
 *   host (ListTagsForResource) after the listings that name them; anything they wait behind is
 *   time added to the whole collection;
 * - bulk: the few calls that bring large pages, CPU time to read that nothing else waits on;
 * - normal: everything else (a region's handful of listings).
 */
export type RequestClass = 'chain' | 'normal' | 'bulk';

const CLASSES: Readonly<Record<string, RequestClass>> = {
  ListConnectionsCommand: 'chain',
  ListHostsCommand: 'chain',
  ListTagsForResourceCommand: 'chain',
  // A GetPipeline per pipeline: a chain as long as the region's pipelines, into one bucket.
  ListPipelinesCommand: 'chain',
  GetPipelineCommand: 'chain',
  DescribeVpcEndpointsCommand: 'bulk',
  GetAccountAuthorizationDetailsCommand: 'bulk',
};

function classOf(commandName: string): RequestClass {
  return Object.hasOwn(CLASSES, commandName) ? (CLASSES[commandName] as RequestClass) : 'normal';
}

const WINDOW_MS = 1000;
/** How long after a bucket ran dry its answers are taken as its refill rate. */
const MEASURE_MS = 250;
/** A throttle this long after the last one means the bucket filled up and ran dry again. */
const QUIET_MS = 2000;
const BETA = 0.7;
const FIRST_RATE = 10;
/** Sends (answered or throttled) since the bucket ran dry before a client's answers are taken as its refill rate. */
const MIN_SAMPLES = 12;
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
 *
 * A throttled request is sent again here, when the Pacer gives the client its next turn, rather
 * than handed to the SDK's retry back-off (random waits of up to 1, 2, 4 s…, the same for every
 * request whatever the bucket's rate): the Pacer already spaces the client's sends at the rate AWS
 * grants, and the back-off would leave the bucket's refills unused. After RESENDS throttles in a
 * row the SDK's retries take over.
 */
export function limitRequests(limiter: RequestLimiter, pacer: Pacer = new Pacer()): { applyToStack(stack: unknown): void } {
  return {
    applyToStack(stack) {
      (stack as Stack).addRelativeTo(
        (next, context) => async (args) => {
          const requestClass = classOf(context.commandName ?? '');
          for (let resend = 0; ; resend++) {
            await pacer.turn();
            try {
              return await limiter.run(async () => {
                const sentAt = pacer.now();
                try {
                  const out = await next(resend === 0 ? args : freshRequest(args));
                  pacer.answered();
                  return out;
                } catch (err) {
                  if (isThrottle(err)) pacer.throttled(sentAt);
                  throw err;
                }
              }, { lane: pacer, class: requestClass });
            } catch (err) {
              if (!isThrottle(err) || resend >= RESENDS) throw err;
            }
          }
        },
        { name: 'linkauditRequestLimit', relation: 'before', toMiddleware: 'httpSigningMiddleware' },
      );
    },
  };
}

/** The request again, with headers and query of its own: signing writes its headers into the request it is given. */
function freshRequest(args: unknown): unknown {
  const a = args as { request?: { headers?: object; query?: object } };
  if (a.request === undefined) return args;
  const request = Object.assign(Object.create(Object.getPrototypeOf(a.request) as object) as object, a.request, {
    headers: { ...a.request.headers },
    ...(a.request.query ? { query: { ...a.request.query } } : {}),
  });
  return { ...a, request };
}
