import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { UserError } from '../errors.js';

/** Checked before a scan starts, so a long scan never ends in "cannot write the report". */
export function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a path component is a file, not a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message;
    throw new UserError(`${dir}: cannot create output directory: ${why}`);
  }
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir}: output directory is a file, not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UserError(`${dir}: output directory is not writable (permission denied)`);
  }
}
