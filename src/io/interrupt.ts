import { rmSync } from 'node:fs';

/**
 * Temporary files (and the collection spool's directory) that exist only while a write or a collection is under way. A SIGINT or SIGTERM that arrives
 * meanwhile must not leave them behind (they are as large as the reports and would pile up across
 * runs), so the signal handler removes whatever is listed here before the process exits.
 */
const temporaries = new Set<string>();

export function trackTemporary(path: string): void {
  temporaries.add(path);
}

export function releaseTemporary(path: string): void {
  temporaries.delete(path);
}

/** Removes every temporary file still listed (best effort: the process is ending). */
export function removeTemporaries(): void {
  for (const path of temporaries) rmSync(path, { force: true, recursive: true });
  temporaries.clear();
}

/** The shell's convention: 128 + the signal's number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

let installed = false;

/**
 * Installed by the CLI (not by the library: an embedding program owns its signals). Writes and
 * collection yield to the event loop, so the handler runs within moments of the signal.
 */
export function exitCleanlyOnSignals(say: (line: string) => void): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as Array<keyof typeof SIGNAL_EXIT_CODES>) {
    process.on(signal, () => {
      removeTemporaries();
      say(`linkaudit: interrupted by ${signal}`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    });
  }
}

/** What a program killed by SIGPIPE exits with (128 + 13): the shell's convention for "reader went away". */
export const CLOSED_OUTPUT_EXIT_CODE = 141;

/**
 * `linkaudit rules list | head` closes standard output early: the next write fails with EPIPE,
 * which Node raises as an unhandled 'error' event (a stack trace). End as a C program killed by
 * SIGPIPE would, quietly and with 141, after removing temporary files. A closed standard error is
 * ignored: nothing can be told there any more.
 */
export function exitQuietlyOnClosedOutput(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    removeTemporaries();
    process.exit(CLOSED_OUTPUT_EXIT_CODE);
  });
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}
