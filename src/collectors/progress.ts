/**
 * Progress of a collection, on stderr only (stdout may carry a report): on a terminal one line
 * redrawn in place; elsewhere (CI logs) a plain line every `intervalMs`, plus one per finished
 * account-region; nothing with --quiet.
 */
export interface Progress {
  total(accountRegions: number): void;
  regionDone(line: string): void;
  call(): void;
  answer(throttled: boolean): void;
  gaps(n: number): void;
  /** Ends the display; `summary` prints the final counts (not after a run that failed). */
  stop(summary: boolean): void;
}

export function createProgress(options: { write: (text: string) => void; tty: boolean; quiet: boolean; intervalMs?: number }): Progress {
  let total = 0;
  let done = 0;
  let calls = 0;
  let throttled = 0;
  let gaps = 0;
  const status = (): string => `linkaudit: ${done}/${total} account-regions, ${calls} calls, ${throttled} throttled, ${gaps} coverage gap(s)`;
  if (options.quiet) return { total: () => {}, regionDone: () => {}, call: () => {}, answer: () => {}, gaps: () => {}, stop: () => {} };
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
      else options.write(`${line}\n`);
    },
    call: () => {
      calls++;
    },
    answer: (t) => {
      if (t) throttled++;
    },
    gaps: (n) => {
      gaps += n;
    },
    stop: (summary) => {
      clearInterval(timer);
      if (options.tty) options.write(summary ? `\r\u001b[2K${status()}\n` : '\r\u001b[2K');
      else if (summary) options.write(`${status()}\n`);
    },
  };
}
