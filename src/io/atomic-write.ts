import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a path component is a file, not a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    default:
      return e.message;
  }
}

/**
 * Several files written in pieces, then moved into place together: a failure while writing any of
 * them leaves every previous version untouched and no temporary file behind.
 */
export function writeFilesAtomic(files: ReadonlyArray<{ file: string; chunks: Iterable<string> }>): void {
  const temps: Array<{ tmp: string; file: string }> = [];
  try {
    for (const { file, chunks } of files) {
      const dir = dirname(file);
      mkdirSync(dir, { recursive: true });
      const tmp = join(dir, `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
      temps.push({ tmp, file });
      const fd = openSync(tmp, 'w');
      try {
        for (const chunk of chunks) writeSync(fd, chunk);
      } finally {
        closeSync(fd);
      }
    }
    for (const { tmp, file } of temps) renameSync(tmp, file);
  } catch (err) {
    for (const { tmp } of temps) rmSync(tmp, { force: true });
    if (err instanceof UserError) throw err;
    const failed = temps[temps.length - 1]?.file ?? files[0]?.file ?? '';
    throw new UserError(`${failed}: cannot write report: ${describeFsError(err)}`);
  }
}
