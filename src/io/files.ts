import { readFileSync } from 'node:fs';
import { UserError, located } from '../errors.js';

/** Reads a UTF-8 file a user named, turning file-system errors into one clear message. */
export function readUserFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: ${what} not found`);
    if (code === 'EISDIR') throw new UserError(`${file}: ${what} is a directory, expected a file`);
    if (code === 'EACCES') throw new UserError(`${file}: ${what} is not readable (permission denied)`);
    throw new UserError(`${file}: cannot read ${what}: ${(err as Error).message}`);
  }
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
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const where = pos?.[1] !== undefined ? lineColAt(text, Number(pos[1])) : undefined;
    const reason = msg.replace(/ in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, '');
    throw new UserError(located(file, `${what} is not valid JSON: ${reason}`, where?.line, where?.col));
  }
}
