import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { describeFsError } from './fs-errors.js';

/**
 * `mkdir -p`, one directory at a time. Node 20's `mkdirSync(…, { recursive: true })` loops forever
 * under /proc (it keeps retrying a parent it cannot create), so every write path creates its
 * directories here: the work is bounded by the number of path components.
 */
export function makeDirs(dir: string, what: string): void {
  const missing: string[] = [];
  let current = resolve(dir);
  for (;;) {
    const kind = pathKind(current);
    if (kind === 'directory') break;
    if (kind === 'blocked') throw new UserError(`${dir}: cannot create ${what}: a path component is a file, not a directory`);
    if (kind !== 'absent') throw new UserError(`${dir}: cannot create ${what}: ${current} is ${kind === 'file' ? 'a file' : 'a device, FIFO or socket'}, not a directory`);
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      // Another process may have created it meanwhile; anything else is final.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && pathKind(d) === 'directory') continue;
      throw new UserError(`${dir}: cannot create ${what}: ${describeFsError(err)}`);
    }
  }
}

function pathKind(p: string): 'directory' | 'file' | 'other' | 'absent' | 'blocked' {
  try {
    const st = statSync(p);
    return st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'absent';
    if (code === 'ENOTDIR') return 'blocked';
    throw new UserError(`${p}: ${describeFsError(err)}`);
  }
}

/** Checked before a scan starts, so a long scan never ends in "cannot write the report". */
export function ensureWritableDir(dir: string): void {
  makeDirs(dir, 'output directory');
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir}: output directory is a file, not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UserError(`${dir}: output directory is not writable (permission denied)`);
  }
}

/**
 * A file about to be written (a report, a snapshot): its directory can be made and written, and
 * the path itself is not a directory or a device. Checked before any work, then again when writing.
 */
export function checkWritableTarget(file: string, what: string): void {
  const kind = pathKind(resolve(file));
  if (kind === 'directory') throw new UserError(`${file}: cannot write ${what}: it is a directory`);
  if (kind === 'blocked') throw new UserError(`${file}: cannot write ${what}: a path component is a file, not a directory`);
  if (kind === 'other') throw new UserError(`${file}: cannot write ${what}: not a regular file (a device, FIFO or socket); write to a file, or leave out the option to write to stdout`);
  const dir = dirname(file);
  makeDirs(dir, `the directory of ${what} ${file}`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UserError(`${file}: cannot write ${what}: ${dir} is not writable (permission denied)`);
  }
}
