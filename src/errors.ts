/**
 * An error the user can cause and fix: a bad flag, file, rule or config. The CLI prints its
 * message alone (no stack) and exits 2. Everything else is a bug and keeps its stack.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string) {
    super(message);
  }
}

/** `file:line:col: message`, omitting parts that are unknown. */
export function located(file: string, message: string, line?: number, col?: number): string {
  if (line === undefined) return `${file}: ${message}`;
  return col === undefined ? `${file}:${line}: ${message}` : `${file}:${line}:${col}: ${message}`;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
