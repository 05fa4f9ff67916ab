// A discrete-event simulation of one client against a token bucket (burst, then a steady refill),
// for the Pacer: virtual time, so a run of seconds takes milliseconds and gives the same figures
// every time.
import { Pacer, type Clock } from '../../src/collectors/requests.js';

export interface Simulation {
  /** When the last answer came (ms). */
  finishedAt: number;
  throttled: number;
  /** Sends per second in each second (answered and throttled). */
  answeredAt: number[];
}

/** A virtual clock: sleepers wake in time order as the simulation advances. */
class VirtualClock implements Clock {
  at = 0;
  private readonly timers: Array<{ at: number; seq: number; wake: () => void }> = [];
  private seq = 0;

  now(): number {
    return this.at;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.timers.push({ at: this.at + Math.max(0, ms), seq: this.seq++, wake }));
  }

  /** Runs until nothing is left to wake. */
  async run(): Promise<void> {
    for (;;) {
      // Let every promise continuation settle before the next timer fires.
      for (let i = 0; i < 20; i++) await Promise.resolve();
      if (this.timers.length === 0) return;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift() as { at: number; wake: () => void };
      this.at = Math.max(this.at, next.at);
      next.wake();
    }
  }
}

/**
 * `requests` requests sent by `workers` at once (each sends its next when its last is answered),
 * each throttled answer sent again after the client's next turn; `latencyMs` per round trip, the
 * bucket drawn on arrival (half-way).
 */
export async function simulate(o: { requests: number; workers: number; burst: number; ratePerSecond: number; latencyMs: number }): Promise<Simulation> {
  const clock = new VirtualClock();
  const pacer = new Pacer(clock);
  let tokens = o.burst;
  let refilledAt = 0;
  let throttled = 0;
  let finishedAt = 0;
  const answeredAt: number[] = [];
  let left = o.requests;
  const take = (): boolean => {
    tokens = Math.min(o.burst, tokens + ((clock.now() - refilledAt) / 1000) * o.ratePerSecond);
    refilledAt = clock.now();
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left--;
      for (;;) {
        await pacer.turn();
        const sentAt = pacer.now();
        await clock.sleep(o.latencyMs / 2);
        const ok = take();
        await clock.sleep(o.latencyMs / 2);
        if (ok) {
          pacer.answered();
          const second = Math.floor(clock.now() / 1000);
          answeredAt[second] = (answeredAt[second] ?? 0) + 1;
          finishedAt = clock.now();
          break;
        }
        throttled++;
        pacer.throttled(sentAt);
      }
    }
  };
  const done = Promise.all(Array.from({ length: o.workers }, worker));
  await clock.run();
  await done;
  return { finishedAt, throttled, answeredAt: Array.from(answeredAt, (n) => n ?? 0) };
}
