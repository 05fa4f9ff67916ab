// The package a user installs: `npm pack` of this tree (dist/ built by `npm test`), installed into
// an empty directory with nothing of the repository around it, then run as a user would run it.
// `prepack` builds on a fresh clone; here the build is already done, so the pack skips scripts.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(relative('.', path).split('\\').join('/'));
  }
  return out;
}

/** What the package must hold: exactly what a user needs to run linkaudit and read its docs. */
function expectedFiles(): string[] {
  return [
    ...walk('dist').filter((f) => !f.endsWith('.map')),
    ...walk('rules.d'),
    ...walk('schemas'),
    ...walk('data'),
    ...walk('docs'),
    'fixtures/demo/snapshot.json',
    'fixtures/demo/.linkaudit.yaml',
    'fixtures/demo/README.md',
    'LICENSE',
    'README.md',
    'package.json',
  ].sort();
}

let tarball = '';
let packed: string[] = [];
let home = '';

beforeAll(() => {
  const dest = mkdtempSync(join(tmpdir(), 'linkaudit-pack-'));
  const out = execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], { encoding: 'utf8' });
  const info = (JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>)[0];
  if (!info) throw new Error('npm pack gave no package');
  tarball = join(dest, info.filename);
  packed = info.files.map((f) => f.path).sort();
  home = mkdtempSync(join(tmpdir(), 'linkaudit-user-'));
  writeFileSync(join(home, 'package.json'), JSON.stringify({ name: 'someone-else', private: true }));
  // From npm's cache (filled by `npm ci`); the registry only for what it lacks.
  execFileSync(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: home, encoding: 'utf8', stdio: 'pipe' });
}, 300_000);

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(home, 'node_modules', '.bin', 'linkaudit'), args, { cwd: home, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: home } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the npm package', () => {
  it('holds exactly the built code, rules, schemas, data, docs and the demo snapshot', () => {
    expect(packed).toEqual(expectedFiles());
    for (const f of packed) expect(f).not.toMatch(/^(src|test|bench|scripts|examples|node_modules)\/|\.map$|\.ts$(?<!\.d\.ts$)/);
  });

  it('runs from an empty directory: --version, rules list, a scan of the bundled demo', () => {
    const version = run(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+ \(\d+ built-in rules, reads snapshot schemaVersion 1\)\n$/);
    const rules = run(['rules', 'list', '--format', 'json']);
    expect(rules.status).toBe(0);
    expect((JSON.parse(rules.stdout) as unknown[]).length).toBe(Number(/\((\d+) built-in/.exec(version.stdout)?.[1]));
    const demo = join(home, 'node_modules', 'linkaudit', 'fixtures', 'demo');
    const scan = run(['scan', '--snapshot', join(demo, 'snapshot.json'), '--config', join(demo, '.linkaudit.yaml'), '--format', 'json', '--fail-on', 'none']);
    expect(scan.stderr).not.toMatch(/\n\s+at /);
    expect(scan.status).toBe(0);
    const report = JSON.parse(scan.stdout) as { summary: { total: Record<string, number> } };
    expect(report.summary.total.fail).toBeGreaterThan(0);
  });
});
