// Time bounds of a collection: each HTTP attempt (--timeout) and the whole run (--max-duration).
//
// The SDK's Node handler bounds a request only until its answer's headers arrive, and the pinned
// @smithy/node-http-handler only warns at its requestTimeout unless throwOnRequestTimeout is set
// (clients.ts sets it). An answer whose body stalls midway is bounded by nothing there: the
// attempt bound here covers connection, headers and body alike.

import { setMaxListeners } from 'node:events';

/** The whole run's bound: once it passes, every call not yet answered fails with MaxDurationExceeded. */
export class RunDeadline {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;

  /** `endsAt` (epoch ms): a collection thread's share of its run's bound ends when the run's does. */
  constructor(
    readonly seconds: number,
    readonly endsAt = Date.now() + seconds * 1000,
  ) {
    // Every call in flight listens for it (up to --concurrency of them, each removed when its call
    // settles): past Node's default of 10, a MaxListenersExceededWarning on stderr would be noise.
    setMaxListeners(0, this.controller.signal);
    this.timer = setTimeout(() => this.controller.abort(), Math.max(0, endsAt - Date.now()));
    // A collection that ends earlier must not be kept alive by its bound.
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  /** The error a call gets when the run's time is up: a coverage gap naming what was not read. */
  error(operation: string): Error {
    return Object.assign(new Error(`--max-duration of ${this.seconds} s ran out before ${operation || 'the call'} was answered; not read`), { name: 'MaxDurationExceeded' });
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

export function timeoutError(operation: string, ms: number, phase: 'answer' | 'body'): Error {
  const what = phase === 'body' ? 'the rest of its answer body' : 'an answer';
  return Object.assign(new Error(`${operation || 'request'}: no ${what} within --timeout of ${ms / 1000} s`), {
    // TimeoutError and ETIMEDOUT are what the SDK's retry strategy retries as transient.
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
  });
}

/**
 * Settles as `work` does, unless `ms` pass first (then `onTimeout`'s error) or the run's deadline
 * passes first (then the deadline's error). `cleanup` runs when it gives up on `work`, to free
 * what `work` holds (a socket).
 */
export function bounded<T>(
  work: Promise<T>,
  bound: { ms?: number; onTimeout: () => Error; deadline?: RunDeadline; operation: string; cleanup?: () => void },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      bound.deadline?.signal.removeEventListener('abort', onDeadline);
      return true;
    };
    const giveUp = (err: Error): void => {
      if (!finish()) return;
      bound.cleanup?.();
      reject(err);
    };
    const onDeadline = (): void => giveUp((bound.deadline as RunDeadline).error(bound.operation));
    const timer = bound.ms !== undefined ? setTimeout(() => giveUp(bound.onTimeout()), bound.ms) : undefined;
    if (bound.deadline) {
      if (bound.deadline.expired) return onDeadline();
      bound.deadline.signal.addEventListener('abort', onDeadline, { once: true });
    }
    work.then(
      (value) => {
        if (finish()) resolve(value);
      },
      (err: unknown) => {
        if (finish()) reject(err);
      },
    );
  });
}
