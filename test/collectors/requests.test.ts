import { describe, expect, it } from 'vitest';
import { isThrottle, Pacer, RequestLimiter, type Clock } from '../../src/collectors/requests.js';

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
    // A request sent after the cut and still throttled means the rate is still too high.
    clock.at = 600;
    pacer.throttled(clock.now());
    expect(pacer.limit).toBeLessThan(once ?? 0);
  });

  it('never stops a client: the rate has a floor, and rises again while answers come', () => {
    const clock = manualClock();
    const pacer = new Pacer(clock);
    for (let i = 0; i < 30; i++) {
      clock.at += 10;
      pacer.throttled(clock.now());
    }
    expect(pacer.limit).toBe(0.5);
    pacer.answered();
    expect(pacer.limit).toBeGreaterThan(0.5);
  });
});

describe('isThrottle', () => {
  it('knows each service’s throttling answer as the SDK names it', () => {
    for (const name of ['RequestLimitExceeded', 'ThrottlingException', 'Throttling', 'TooManyRequestsException']) expect(isThrottle({ name })).toBe(true);
    expect(isThrottle({ name: 'Unknown', $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isThrottle({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toBe(false);
  });
});
