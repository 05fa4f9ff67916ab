// A reader that goes away (`linkaudit … | head`): the next write to standard output fails with
// EPIPE. Whatever the command and however much it was writing, linkaudit ends quietly with the
// shell's SIGPIPE code, leaves no temporary file, and never prints a stack.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './helpers/cli.js';

const DEMO = resolve('fixtures/demo/snapshot.json');

function closedAfter(args: string[], bytes: number): Promise<{ status: number | null; stderr: string; read: number }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let read = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      read += d.length;
      // What `head -c N` does: read N bytes, then close the pipe.
      if (read >= bytes) child.stdout.destroy();
    });
    child.on('close', (status) => done({ status, stderr, read }));
  });
}

describe('standard output closed by its reader', () => {
  const cases: Array<[string, string[]]> = [
    ['rules list', ['rules', 'list', '--format', 'json']],
    ['scan, JSON on stdout', ['scan', '--snapshot', DEMO, '--format', 'json', '--fail-on', 'none']],
    ['scan, Markdown on stdout', ['scan', '--snapshot', DEMO, '--format', 'markdown', '--fail-on', 'none']],
    ['graph', ['graph', '--snapshot', DEMO, '--format', 'json']],
  ];
  for (const [name, args] of cases) {
    it(`${name}: exit 141, no stack`, async () => {
      const r = await closedAfter(args, 1);
      expect(r.read).toBeGreaterThan(0);
      // 0 only if everything fit the pipe before the reader left; never an error with a stack.
      expect([0, 141]).toContain(r.status);
      expect(r.stderr).not.toMatch(/EPIPE|\n\s+at |Error:/);
    });
  }

  it('a large report cut short leaves no temporary file beside the output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-epipe-'));
    const child = spawn(process.execPath, [CLI, 'scan', '--snapshot', DEMO, '--format', 'json', '--fail-on', 'none'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((done) => child.on('close', done));
    expect([0, 141]).toContain(status);
    expect(readdirSync(dir)).toEqual([]);
  });
});
