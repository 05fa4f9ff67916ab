import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { jsonErrorAt } from './json-error.js';
import { UserError, located } from '../errors.js';
import { jsonTooDeepAt, maxInputBytes, MAX_NESTING_DEPTH, sizeLimitMessage, type InputSyntax } from './input-limits.js';

const CHUNK = 16 * 1024 * 1024;
const PROBE = 64 * 1024;

/**
 * Reads a UTF-8 file a user named, turning file-system errors into one clear message. At most
 * the input limit of its syntax is read (`input-limits.ts`): a regular file over it is refused
 * before reading, a device or pipe once it has sent that much. Rule packs and configs are YAML.
 */
export function readUserFile(file: string, what: string, syntax: InputSyntax = 'yaml'): string {
  const limit = maxInputBytes(syntax);
  // `-` is standard input (`--snapshot -`), bounded as a file is; read whole, then left open.
  if (file === STDIN) return readStandardInput(limit, what);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw readError(err, file, what);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UserError(`${file}: ${what} is a directory, expected a file`);
    if (st.isFile() && st.size > limit) throw new UserError(sizeLimitMessage(file, what, limit, st.size));
    // A regular file says how big it is: one buffer of that size (a 16 MiB buffer per rule file
    // made every scan collect garbage for external memory); pipes and devices start small.
    return readBounded(fd, limit, file, what, st.isFile() ? st.size + 1 : 64 * 1024).toString('utf8');
  } catch (err) {
    throw err instanceof UserError ? err : readError(err, file, what);
  } finally {
    closeSync(fd);
  }
}

function readBounded(fd: number, limit: number, file: string, what: string, firstChunk: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    // After the first read, a small probe finds the end: a regular file's first buffer already
    // holds it all (size + 1), and a 16 MiB buffer per rule file only to read 0 bytes cost the
    // start-up of every scan a collection of external memory.
    const next = parts.length === 0 ? Math.max(firstChunk, 1) : parts.length === 1 ? PROBE : CHUNK;
    const buf = Buffer.allocUnsafe(Math.min(next, CHUNK, limit - total + 1));
    const n = readWaiting(fd, buf);
    if (n === 0) break;
    total += n;
    if (total > limit) throw new UserError(sizeLimitMessage(file, what, limit));
    parts.push(n === buf.length ? buf : buf.subarray(0, n));
  }
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, total);
}

/** A non-blocking standard input answers EAGAIN until data arrives: wait a little and read again. */
function readWaiting(fd: number, buf: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

function readError(err: unknown, file: string, what: string): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserError(`${file}: ${what} not found`);
  if (code === 'EISDIR') return new UserError(`${file}: ${what} is a directory, expected a file`);
  if (code === 'EACCES' || code === 'EPERM') return new UserError(`${file}: ${what} is not readable (permission denied)`);
  if (code === 'ENOTDIR') return new UserError(`${file}: ${what} not found (a path component is a file, not a directory)`);
  if (code === 'ERR_STRING_TOO_LONG') return new UserError(`${file}: ${what} is too large to hold as text`);
  return new UserError(`${file}: cannot read ${what}: ${code ?? (err as Error).message}`);
}

/** Line and column (1-based) of a character offset. */
export function lineColAt(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

export function parseJsonText(text: string, file: string, what: string): unknown {
  const deep = jsonTooDeepAt(text);
  if (deep !== undefined) {
    const where = lineColAt(text, deep);
    throw new UserError(located(file, `${what} nests arrays and objects more than ${MAX_NESTING_DEPTH} deep`, where.line, where.col));
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    // V8 quotes a piece of the text in some messages (`Unexpected token 'g', "{"token": ghp_…"
    // is not valid JSON`) and gives no position there; the text may hold secrets, so such a
    // message is never shown: the place and reason come from our own scan, which quotes nothing.
    if (pos?.[1] === undefined || /is not valid JSON/.test(msg)) {
      const at = jsonErrorAt(text);
      const where = at ? lineColAt(text, at.offset) : undefined;
      throw new UserError(located(file, `${what} is not valid JSON: ${at?.reason ?? 'unexpected end of the text'}`, where?.line, where?.col));
    }
    const where = lineColAt(text, Number(pos[1]));
    const reason = msg.replace(/ in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, '');
    throw new UserError(located(file, `${what} is not valid JSON: ${reason}`, where.line, where.col));
  }
}

/** The name `-` stands for standard input; messages call it STDIN_NAME. */
export const STDIN = '-';
export const STDIN_NAME = '<stdin>';

function readStandardInput(limit: number, what: string): string {
  try {
    if (fstatSync(0).isDirectory()) throw new UserError(`${STDIN_NAME}: ${what} is a directory, expected a file`);
    const text = readBounded(0, limit, STDIN_NAME, what, 64 * 1024).toString('utf8');
    if (text.trim() === '') throw new UserError(`${STDIN_NAME}: ${what} is empty (nothing was piped in?)`);
    return text;
  } catch (err) {
    throw err instanceof UserError ? err : readError(err, STDIN_NAME, what);
  }
}
