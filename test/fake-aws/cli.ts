// The built CLI pointed at a fake AWS: run asynchronously (the fake answers in this process) and
// killed if it outlives `boundMs`, which a test that bounds a hang then sees as a null status.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export function cliAgainst(url: string, args: string[], boundMs = 30_000): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve('dist/cli.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: mkdtempSync(join(tmpdir(), 'linkaudit-home-')), AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret', AWS_REGION: 'us-east-1' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), boundMs);
    child.on('close', (status) => {
      clearTimeout(killer);
      done({ status, stderr });
    });
  });
}

/** The home region of in-process collections (the SDK reads AWS_REGION), set for the file's tests and restored after. */
export function useHomeRegion(region = 'us-east-1'): void {
  const saved = process.env.AWS_REGION;
  beforeAll(() => {
    process.env.AWS_REGION = region;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.AWS_REGION;
    else process.env.AWS_REGION = saved;
  });
}
