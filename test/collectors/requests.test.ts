import { describe, expect, it } from 'vitest';
import { isThrottle, limitRequests, Pacer, RequestLimiter, type Clock } from '../../src/collectors/requests.js';
import { simulate } from './pacing-sim.js';

/** A clock that moves only when told to; sleeps are recorded and resolved at once. */
function manualClock(): Clock & { at: number; slept: number[] } {
  const clock = {
    at: 0,
    slept: [] as number[],
    now: () => clock.at,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.at += ms;
    },
  };
  return clock;
}

describe('RequestLimiter', () => {
  it('never runs more than its limit at once, and lets the waiting in by arrival order', async () => {
    const limiter = new RequestLimiter(2);
    const gates: Array<() => void> = [];
    const started: number[] = [];
    const runs = [0, 1, 2, 3, 4].map((i) =>
      limiter.run(async () => {
        started.push(i);
        await new Promise<void>((resolve) => gates.push(resolve));
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.inFlight).toBe(2);
    // Ending the second frees one slot: the third in line takes it, not a later one.
    gates[1]?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (let i = 0; i < 5; i++) {
      gates[i]?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    gates.forEach((g) => g());
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.peak).toBe(2);
    expect(limiter.inFlight).toBe(0);
  });

  it('frees the slot of a request that failed', async () => {
    const limiter = new RequestLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await limiter.run(async () => 'next')).toBe('next');
    expect(limiter.inFlight).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => new RequestLimiter(0)).toThrow(RangeError);
  });
});

describe('Pacer', () => {
  it('holds nothing back until AWS throttles', async () => {
    const clock = manualClock();
    const pacer = new Pacer(clock);
    for (let i = 0; i < 50; i++) {
      await pacer.turn();
      pacer.answered();
    }
    expect(clock.slept).toEqual([]);
    expect(pacer.limit).toBeUndefined();
  });

  it('after a throttle, spaces sends below what AWS answered over the last second', async () => {
    const clock = manualClock();
    const pacer = new Pacer(clock);
    for (let i = 0; i < 40; i++) {
      clock.at += 10;
      pacer.answered();
    }
    pacer.throttled(clock.now());
    // 40 answers in the last second, cut by 0.7.
    expect(pacer.limit).toBeCloseTo(28, 5);
    await pacer.turn();
    await pacer.turn();
    await pacer.turn();
    const gaps = clock.slept.slice(-2);
    for (const gap of gaps) expect(gap).toBeCloseTo(1000 / 28, 5);
  });

  it('cuts once for requests throttled together: those sent before the last cut were answered for', () => {
    const clock = manualClock();
    const pacer = new Pacer(clock);
    for (let i = 0; i < 100; i++) pacer.answered();
    clock.at = 500;
    const sentTogether = clock.now();
    clock.at = 520;
    pacer.throttled(sentTogether);
    const once = pacer.limit;
    for (let i = 0; i < 15; i++) pacer.throttled(sentTogether);
    expect(pacer.limit).toBe(once);
    // A request sent after the cut and still throttled, once the bucket has been dry long enough
    // to measure, means the rate is still too high.
    clock.at = 800;
    pacer.throttled(clock.now());
    expect(pacer.limit).toBeLessThan(once ?? 0);
  });

  it('never stops a client: the rate has a floor, and rises again while answers come', () => {
    const clock = manualClock();
    const pacer = new Pacer(clock);
    for (let i = 0; i < 60; i++) {
      clock.at += 20;
      pacer.throttled(clock.now());
    }
    expect(pacer.limit).toBe(0.5);
    pacer.answered();
    expect(pacer.limit).toBeGreaterThan(0.5);
  });

  it('paces a client that keeps sending to the refill rate of the bucket it emptied', async () => {
    // Virtual time: each run is seconds of a client against a token bucket, simulated in milliseconds.
    for (const workers of [4, 16, 64]) {
      for (const bucket of [
        { requests: 132, burst: 100, ratePerSecond: 20 },
        { requests: 400, burst: 100, ratePerSecond: 20 },
        { requests: 300, burst: 20, ratePerSecond: 5 },
      ]) {
        const run = await simulate({ ...bucket, workers, latencyMs: 20 });
        const ideal = ((bucket.requests - bucket.burst) / bucket.ratePerSecond) * 1000;
        expect(run.finishedAt, `${workers} workers, ${JSON.stringify(bucket)}`).toBeLessThanOrEqual(ideal * 1.1);
        // And without hammering: throttled answers stay a fraction of the requests.
        expect(run.throttled).toBeLessThan(bucket.requests * 0.75);
      }
    }
  });

  it('does not pace a client that sent little to a trickle for a bucket another client emptied', () => {
    const clock = manualClock();
    const pacer = new Pacer(clock);
    clock.at = 100;
    pacer.answered();
    clock.at = 120;
    pacer.throttled(110);
    expect(pacer.limit).toBe(10);
  });
});

describe('RequestLimiter lanes', () => {
  it('serves waiting lanes in turn, so a short chain does not wait behind a long fan-out', async () => {
    const limiter = new RequestLimiter(1);
    const order: string[] = [];
    const fanOut = {};
    const chain = {};
    let release: () => void = () => {};
    const blocker = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
    const runs = [
      ...[1, 2, 3, 4].map((i) => limiter.run(async () => void order.push(`fan-${i}`), { lane: fanOut })),
      limiter.run(async () => void order.push('chain-1'), { lane: chain }),
      limiter.run(async () => void order.push('bulk'), { lane: chain, class: 'bulk' }),
      limiter.run(async () => void order.push('tags'), { lane: {}, class: 'chain' }),
    ];
    release();
    await Promise.all([blocker, ...runs]);
    // The chain class first, then lanes in turn, bulk last.
    expect(order).toEqual(['tags', 'fan-1', 'chain-1', 'fan-2', 'fan-3', 'fan-4', 'bulk']);
  });
});

describe('limitRequests', () => {
  type Handler = (args: unknown) => Promise<unknown>;
  const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

  /** The middleware limitRequests installs, around `next`, for a command of this name. */
  function installed(next: Handler, commandName = 'ListTagsForResourceCommand', pacer = new Pacer(manualClock())): Handler {
    let middleware: ((next: Handler, context: { commandName?: string }) => Handler) | undefined;
    limitRequests(new RequestLimiter(4), pacer).applyToStack({ addRelativeTo: (m: typeof middleware) => (middleware = m) });
    if (!middleware) throw new Error('no middleware installed');
    return middleware(next, { commandName });
  }

  it('sends a throttled request again at the client’s next turn, signed afresh, without the SDK’s back-off', async () => {
    const pacer = new Pacer(manualClock());
    const seen: unknown[] = [];
    const handler = installed(async (args) => {
      seen.push(args);
      if (seen.length <= 2) throw throttle();
      return { output: 'tags' };
    }, 'ListTagsForResourceCommand', pacer);
    const args = { request: { method: 'POST', headers: { 'x-amz-target': 'ListTagsForResource' }, query: {} } };
    await expect(handler(args)).resolves.toEqual({ output: 'tags' });
    expect(seen).toHaveLength(3);
    // The first send is the request itself; each resend a copy whose headers signing may overwrite.
    expect(seen[0]).toBe(args);
    const resent = seen[1] as typeof args;
    expect(resent.request).not.toBe(args.request);
    expect(resent.request.headers).not.toBe(args.request.headers);
    expect(resent.request.headers).toEqual(args.request.headers);
    expect(pacer.limit).toBeDefined();
  });

  it('hands a request throttled again and again to the SDK’s retries, and any other error at once', async () => {
    let sends = 0;
    const always = installed(async () => {
      sends++;
      throw throttle();
    });
    await expect(always({ request: { headers: {} } })).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(sends).toBe(9);

    let denied = 0;
    const refused = installed(async () => {
      denied++;
      throw Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    });
    await expect(refused({ request: { headers: {} } })).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(denied).toBe(1);
  });
});

describe('isThrottle', () => {
  it('knows each service’s throttling answer as the SDK names it', () => {
    for (const name of ['RequestLimitExceeded', 'ThrottlingException', 'Throttling', 'TooManyRequestsException']) expect(isThrottle({ name })).toBe(true);
    expect(isThrottle({ name: 'Unknown', $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isThrottle({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toBe(false);
  });
});
