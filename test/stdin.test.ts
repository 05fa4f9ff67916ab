// `--snapshot -`: the snapshot from standard input, bounded and named as a file is.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './helpers/cli.js';

const DEMO = resolve('fixtures/demo/snapshot.json');

function piped(args: string[], input: string | Buffer, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const withoutTimes = (json: string): unknown => {
  const j = JSON.parse(json) as { generatedAt?: string; snapshot: { file?: string } };
  delete j.generatedAt;
  delete j.snapshot.file;
  return j;
};

describe('--snapshot -', () => {
  it('scans what is piped in as it scans the file, and names it <stdin>', () => {
    const fromFile = spawnSync(process.execPath, [CLI, 'scan', '--snapshot', DEMO, '--format', 'json', '--fail-on', 'none'], { encoding: 'utf8' });
    for (const args of [['--snapshot', '-'], ['--snapshot=-']]) {
      const r = piped(['scan', ...args, '--format', 'json', '--fail-on', 'none'], readFileSync(DEMO));
      expect(r.status, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { snapshot: { file: string } }).snapshot.file).toBe('<stdin>');
      expect(withoutTimes(r.stdout)).toEqual(withoutTimes(fromFile.stdout));
    }
  });

  it('graph reads it too', () => {
    expect(piped(['graph', '--snapshot', '-', '--format', 'json'], readFileSync(DEMO)).status).toBe(0);
  });

  it.each([
    ['nothing', '', /^linkaudit: <stdin>: snapshot is empty \(nothing was piped in\?\)\n$/],
    ['white space', ' \n\t\n', /^linkaudit: <stdin>: snapshot is empty/],
    ['text that is no JSON', 'not json', /^linkaudit: <stdin>:1:1: snapshot is not valid JSON/],
    ['a JSON array', '[]', /^linkaudit: <stdin>: /],
    ['a report instead of a snapshot', JSON.stringify({ reportVersion: 1, findings: [] }), /^linkaudit: <stdin>: /],
  ])('%s: one line naming <stdin>, exit 2', (_what, input, message) => {
    const r = piped(['scan', '--snapshot', '-'], input);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is bounded by --max-input-mb as a file is', () => {
    const big = `{"schemaVersion":1,"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`;
    const r = piped(['scan', '--snapshot', '-', '--max-input-mb', '1'], big);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^linkaudit: <stdin>: .*1 MiB/);
  });
});
