import { escapeControlChars } from '../io/untrusted-text.js';

/**
 * Progress of a collection, on stderr only (stdout may carry a report): on a terminal one line
 * redrawn in place; elsewhere (CI logs) a plain line every `intervalMs`, plus one per finished
 * account-region; nothing with --quiet. It counts HTTP requests (each retry too, not operations)
 * and, at the end, exactly the coverage gaps the snapshot and the reports hold.
 */
export interface Progress {
  total(accountRegions: number): void;
  regionDone(line: string): void;
  /** One HTTP request sent (a retry is another). */
  request(): void;
  answer(throttled: boolean): void;
  gaps(n: number): void;
  /**
   * Ends the display; `summary` prints the final counts (not after a run that failed), with
   * `finalGaps`, the snapshot's coverage, as the gap count when given.
   */
  stop(summary: boolean, finalGaps?: number): void;
}

export function createProgress(options: { write: (text: string) => void; tty: boolean; quiet: boolean; intervalMs?: number }): Progress {
  let total = 0;
  let done = 0;
  let requests = 0;
  let throttled = 0;
  let gaps = 0;
  const status = (): string => `linkaudit: ${done}/${total} account-regions, ${requests} HTTP requests, ${throttled} throttled, ${gaps} coverage gap(s)`;
  if (options.quiet) return { total: () => {}, regionDone: () => {}, request: () => {}, answer: () => {}, gaps: () => {}, stop: () => {} };
  const timer = setInterval(
    () => (options.tty ? options.write(`\r\u001b[2K${status()}`) : options.write(`${status()}\n`)),
    options.intervalMs ?? (options.tty ? 200 : 10_000),
  );
  timer.unref();
  return {
    total: (n) => {
      total += n;
    },
    regionDone: (line) => {
      done++;
      if (options.tty) options.write(`\r\u001b[2K${status()}`);
      // The line may carry text an endpoint sent (an account id from its answer, an error code).
      else options.write(`${escapeControlChars(line)}\n`);
    },
    request: () => {
      requests++;
    },
    answer: (t) => {
      if (t) throttled++;
    },
    gaps: (n) => {
      gaps += n;
    },
    stop: (summary, finalGaps) => {
      clearInterval(timer);
      if (finalGaps !== undefined) gaps = finalGaps;
      if (options.tty) options.write(summary ? `\r\u001b[2K${status()}\n` : '\r\u001b[2K');
      else if (summary) options.write(`${status()}\n`);
    },
  };
}
