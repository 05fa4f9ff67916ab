import { closeSync, copyFileSync, linkSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { describeFsError } from './fs-errors.js';
import { releaseTemporary, trackTemporary } from './interrupt.js';
import { checkWritableTarget } from './output-dir.js';

export interface FileToWrite {
  file: string;
  chunks: Iterable<string>;
}

/** How long a write may hold the event loop before it lets a signal handler run. */
const YIELD_EVERY_MS = 20;

/**
 * Several files written as one set: each to a temporary file beside it, and only when every one
 * is complete are they renamed into place. When one cannot be written (its path is a directory,
 * permission, a full disk), every earlier version is left as it was, no temporary file remains,
 * and the error names the path. A SIGINT/SIGTERM meanwhile removes the temporaries too
 * (`exitCleanlyOnSignals`). `what` names the files in messages ("report", "snapshot").
 */
export async function writeFilesAtomic(files: readonly FileToWrite[], what = 'report'): Promise<void> {
  for (const { file } of files) checkWritableTarget(file, what);
  const temps: Array<{ tmp: string; file: string }> = [];
  try {
    for (const { file, chunks } of files) {
      const tmp = temporaryName(file, 'tmp');
      trackTemporary(tmp);
      temps.push({ tmp, file });
      await writeChunks(tmp, file, chunks, what);
    }
    commit(temps, what);
  } finally {
    for (const { tmp } of temps) removeQuietly(tmp);
  }
}

async function writeChunks(tmp: string, file: string, chunks: Iterable<string>, what: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(tmp, 'wx');
  } catch (err) {
    throw new UserError(`${file}: cannot write ${what}: ${describeFsError(err)}`);
  }
  try {
    let since = Date.now();
    for (const chunk of chunks) {
      writeAll(fd, chunk, file, what);
      if (Date.now() - since >= YIELD_EVERY_MS) {
        await new Promise((r) => setImmediate(r));
        since = Date.now();
      }
    }
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, chunk: string, file: string, what: string): void {
  try {
    writeSync(fd, chunk);
  } catch (err) {
    throw new UserError(`${file}: cannot write ${what}: ${describeFsError(err)}`);
  }
}

/**
 * The renames, with nothing awaited in between, so no signal handler can run half-way. The
 * current versions are kept as hard links first: if a rename fails, the ones already done are
 * put back.
 */
function commit(temps: ReadonlyArray<{ tmp: string; file: string }>, what: string): void {
  const done: Array<{ file: string; backup?: string }> = [];
  const backups: string[] = [];
  try {
    for (const { tmp, file } of temps) {
      const backup = keepCurrent(file);
      if (backup !== undefined) backups.push(backup);
      try {
        renameSync(tmp, file);
      } catch (err) {
        throw new UserError(`${file}: cannot write ${what}: ${describeFsError(err)}${done.length > 0 ? `; ${done.map((d) => d.file).join(', ')} left as they were` : ''}`);
      }
      done.push({ file, ...(backup !== undefined ? { backup } : {}) });
    }
  } catch (err) {
    for (const { file, backup } of done.reverse()) {
      if (backup !== undefined) renameSync(backup, file);
      else removeQuietly(file);
    }
    throw err;
  } finally {
    for (const b of backups) removeQuietly(b);
  }
}

/** A hard link to the file's current version, or undefined when there is none. */
function keepCurrent(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const backup = temporaryName(file, 'bak.tmp');
  trackTemporary(backup);
  try {
    linkSync(file, backup);
  } catch {
    copyBackup(file, backup);
  }
  return backup;
}

/** For file systems without hard links. */
function copyBackup(file: string, backup: string): void {
  try {
    copyFileSync(file, backup);
  } catch (err) {
    removeQuietly(backup);
    throw new UserError(`${file}: cannot keep the current version while replacing it: ${describeFsError(err)}`);
  }
}

function temporaryName(file: string, suffix: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.${suffix}`);
}

function removeQuietly(path: string): void {
  rmSync(path, { force: true });
  releaseTemporary(path);
}
