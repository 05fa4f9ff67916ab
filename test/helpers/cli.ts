// Running the built binary as a user or a pipeline would, and what a user error must look like.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';

export const CLI = resolve('dist/cli.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function linkaudit(args: string[], cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A user error: exit 2, one line on stderr starting with "linkaudit: ", no stack trace. */
export function expectUserError(r: Run, pattern: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^linkaudit: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(lines[0]).toMatch(pattern);
}
