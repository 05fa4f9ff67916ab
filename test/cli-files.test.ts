// Files in and out, through the built binary: report sets written as a set, signals, paths that
// cannot be written (/proc), inputs that cost too much (size, depth, alias bombs), files of the
// wrong kind, and control characters in what is printed.
import { closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, linkaudit } from './helpers/cli.js';
import { linkauditAsync, startLinkaudit } from './helpers/cli-async.js';
import { emptySnapshot } from './helpers/snapshot.js';
import { ruleYaml } from './helpers/rules.js';
import { syntheticSnapshot } from '../bench/synthetic.mjs';
import { buildOrgEstate, orgAccount } from '../bench/org-estate.js';
import { startFakeAws } from './fake-aws/server.js';

const DEMO = resolve('fixtures/demo/snapshot.json');
const DEMO_CONFIG = resolve('fixtures/demo/.linkaudit.yaml');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'linkaudit-files-'));
const FORMATS = { sarif: 'linkaudit.sarif', json: 'linkaudit.json', markdown: 'linkaudit.md', junit: 'linkaudit.junit.xml' } as const;

/** An output directory holding the reports of an earlier run. */
function earlierReports(): string {
  const out = tmp();
  for (const [format, name] of Object.entries(FORMATS)) writeFileSync(join(out, name), `earlier ${format}\n`);
  return out;
}

function expectEarlierIntact(out: string, formats: ReadonlyArray<keyof typeof FORMATS> = Object.keys(FORMATS) as Array<keyof typeof FORMATS>): void {
  for (const format of formats) expect(readFileSync(join(out, FORMATS[format]), 'utf8'), format).toBe(`earlier ${format}\n`);
}

const temporaries = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/**
 * Signals `run` and expects it to end with `code`, leaving nothing of linkaudit's in its TMPDIR
 * (Node 22+ keeps its compile cache there too) and the earlier reports in `out` as they were.
 */
async function expectInterrupted(run: ReturnType<typeof startLinkaudit>, signal: NodeJS.Signals, code: number, tmpDir: string, out: string): Promise<void> {
  run.child.kill(signal);
  const r = await run.done;
  expect(r.status, r.stderr).toBe(code);
  expect(readdirSync(tmpDir).filter((f) => f.startsWith('linkaudit-'))).toEqual([]);
  expect(temporaries(out)).toEqual([]);
  expectEarlierIntact(out);
}

/** AWS settings that reach only the given endpoint, with dummy credentials and no shared files. */
function awsEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** A TCP server that accepts connections and never answers. */
async function silentServer(): Promise<{ server: Server; url: string; connected: Promise<void>; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  let onConnect: () => void = () => {};
  const connected = new Promise<void>((r) => (onConnect = r));
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onConnect();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, connected, sockets };
}

async function closeServer(s: { server: Server; sockets: Socket[] }): Promise<void> {
  for (const socket of s.sockets) socket.destroy();
  await new Promise<void>((r) => s.server.close(() => r()));
}

/** Resolves once a temporary file appears in `dir` (the write has begun). */
function whenWriting(dir: string, deadlineMs = 60_000): Promise<void> {
  const start = Date.now();
  return new Promise((resolvePromise, reject) => {
    const timer = setInterval(() => {
      if (temporaries(dir).length > 0) {
        clearInterval(timer);
        resolvePromise();
      } else if (Date.now() - start > deadlineMs) {
        clearInterval(timer);
        reject(new Error(`no temporary file appeared in ${dir}`));
      }
    }, 1);
  });
}


let cachedReport: string | undefined;
/** A JSON report of the demo estate. */
function reportOf(): string {
  if (cachedReport) return cachedReport;
  const out = tmp();
  linkaudit(['scan', '--snapshot', DEMO, '--config', DEMO_CONFIG, '--format', 'json', '--output-dir', out, '--fail-on', 'none', '--quiet']);
  cachedReport = join(out, 'linkaudit.json');
  return cachedReport;
}

function writeFile(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A file of `bytes` that takes no disk space. */
function sparseFile(dir: string, name: string, bytes: number): string {
  const file = join(dir, name);
  const fd = openSync(file, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return file;
}

describe('a report set is written as a set', () => {
  it('one report path that is a directory: exit 2 naming it, every earlier report as it was, no temporary file', () => {
    for (const blocked of ['sarif', 'markdown'] as const) {
      const out = earlierReports();
      rmSync(join(out, FORMATS[blocked]));
      mkdirSync(join(out, FORMATS[blocked]));
      const r = linkaudit(['scan', '--snapshot', DEMO, '--config', DEMO_CONFIG, '--format', 'json,markdown,sarif,junit', '--output-dir', out]);
      expectUserError(r, new RegExp(`${FORMATS[blocked].replace('.', '\\.')}: cannot write report: it is a directory$`));
      expect(r.stderr).not.toMatch(/EISDIR/);
      expectEarlierIntact(out, (['json', 'junit', 'markdown', 'sarif'] as const).filter((f) => f !== blocked));
      expect(temporaries(out)).toEqual([]);
    }
  });

  it.each([
    ['scan --save-snapshot', (d: string) => ['scan', '--region', 'us-east-1', '--save-snapshot', d], /: cannot write snapshot: it is a directory$/],
    ['collect -o', (d: string) => ['collect', '--region', 'us-east-1', '-o', d], /: cannot write snapshot: it is a directory$/],
    ['merge -o (snapshots)', (d: string) => ['merge', DEMO, '-o', d], /: cannot write snapshot: it is a directory$/],
    ['merge -o (reports)', (d: string) => ['merge', reportOf(), '-o', d], /: cannot write report: it is a directory$/],
    ['diff -o', (d: string) => ['diff', reportOf(), reportOf(), '-o', d], /: cannot write diff: it is a directory$/],
    ['init -o --force', (d: string) => ['init', '-o', d, '--force'], /: cannot write config: it is a directory$/],
  ] as const)('%s onto a directory: exit 2 naming it, before any work', (_name, args, pattern) => {
    const dir = tmp();
    const target = join(dir, 'target');
    mkdirSync(target);
    // An endpoint that refuses: had the path not been checked first, the live commands would collect.
    expectUserError(linkaudit([...args(target)], dir, awsEnv('http://127.0.0.1:9')), pattern);
    expect(temporaries(dir)).toEqual([]);
  });
});

describe('signals leave no temporary file and every earlier report as it was', () => {
  let big: string;
  beforeAll(() => {
    // Large enough that writing its reports takes a good part of a second.
    big = writeFile(tmp(), 'big.json', JSON.stringify(syntheticSnapshot({ accounts: 10, resources: 30_000 })));
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while the reports are written: exit %i', async (signal, code) => {
    const out = earlierReports();
    const run = startLinkaudit(['scan', '--snapshot', big, '--format', 'sarif,json,junit,markdown', '--output-dir', out, '--allow-partial', '--quiet']);
    await whenWriting(out);
    run.child.kill(signal);
    const r = await run.done;
    expect(r.status, r.stderr).toBe(code);
    expect(r.stderr).toMatch(new RegExp(`interrupted by ${signal}`));
    expect(temporaries(out)).toEqual([]);
    expectEarlierIntact(out);
  }, 120_000);

  // One signal: both go through the same handler (the cases above and below).
  it.each([['SIGINT', 130]] as const)('%s while a live scan writes its reports from the findings spool: exit %i, nothing left in TMPDIR', async (signal, code) => {
    // One account of 20,000 endpoints: its findings wait in a spool in TMPDIR while the reports are written.
    const { snapshot } = buildOrgEstate(1, { regions: ['us-east-1'], endpointsPerCell: 20_000, rolesPerAccount: 2 });
    const fake = await startFakeAws({ snapshot, account: orgAccount(0), pageSize: 'max' });
    try {
      const out = earlierReports();
      const spoolParent = tmp();
      const run = startLinkaudit(['scan', '--region', 'us-east-1', '--format', 'sarif,json,junit,markdown', '--output-dir', out, '--quiet'], { env: { ...awsEnv(fake.url), TMPDIR: spoolParent } });
      await whenWriting(out);
      expect(readdirSync(spoolParent).filter((f) => f.startsWith('linkaudit-findings-'))).toHaveLength(1);
      await expectInterrupted(run, signal, code, spoolParent, out);
    } finally {
      await fake.close();
    }
  }, 120_000);

  describe('during a live collection', () => {
    let endpoint: Awaited<ReturnType<typeof silentServer>>;
    beforeAll(async () => {
      endpoint = await silentServer();
    });
    afterAll(() => closeServer(endpoint));

    it.each([
      ['SIGINT', 130, 'scan'],
      ['SIGTERM', 143, 'scan'],
      ['SIGTERM', 143, 'collect'],
    ] as const)('%s: exit %i (%s)', async (signal, code, command) => {
      const out = earlierReports();
      const snapshot = join(out, 'snapshot.json');
      writeFileSync(snapshot, 'earlier snapshot\n');
      const args =
        command === 'scan'
          ? ['scan', '--region', 'us-east-1', '--format', 'json,sarif', '--output-dir', out, '--save-snapshot', snapshot, '--quiet']
          : ['collect', '--region', 'us-east-1', '-o', snapshot, '--quiet'];
      const connectedBefore = endpoint.sockets.length;
      // The collection's spool (one file per account) is made in TMPDIR and must go with the signal too.
      const spoolParent = tmp();
      const run = startLinkaudit(args, { env: { ...awsEnv(endpoint.url), TMPDIR: spoolParent } });
      while (endpoint.sockets.length === connectedBefore) await new Promise((r) => setTimeout(r, 5));
      expect(readdirSync(spoolParent).filter((f) => f.startsWith('linkaudit-collect-'))).toHaveLength(1);
      await expectInterrupted(run, signal, code, spoolParent, out);
      expect(readFileSync(snapshot, 'utf8')).toBe('earlier snapshot\n');
    }, 60_000);
  });
});

describe.skipIf(!existsSync('/proc/self'))('a path under /proc ends in bounded time with a clear error', () => {
  it.each([
    ['scan --output-dir', () => ['scan', '--snapshot', DEMO, '--format', 'json', '--output-dir', '/proc/linkaudit-x'], /\/proc\/linkaudit-x: cannot create output directory: /],
    ['scan --save-snapshot', () => ['scan', '--region', 'us-east-1', '--save-snapshot', '/proc/linkaudit-x/y.json'], /\/proc\/linkaudit-x\/?: cannot create the directory of snapshot/],
    ['collect -o', () => ['collect', '--region', 'us-east-1', '-o', '/proc/linkaudit-x/y.json'], /cannot create the directory of snapshot \/proc\/linkaudit-x\/y\.json/],
    ['merge -o', () => ['merge', DEMO, '-o', '/proc/linkaudit-x/m.json'], /cannot create the directory of snapshot/],
    ['merge --output-dir', () => ['merge', reportOf(), '--format', 'json', '--output-dir', '/proc/linkaudit-x'], /cannot create output directory/],
    ['diff -o', () => ['diff', reportOf(), reportOf(), '-o', '/proc/linkaudit-x/d.md'], /cannot create the directory of diff/],
    ['init -o', () => ['init', '-o', '/proc/linkaudit-x/c.yaml'], /cannot create the directory of config/],
  ] as const)('%s', async (_name, args, pattern) => {
    const r = await Promise.race([
      linkauditAsync([...args()], { cwd: tmp(), env: awsEnv('http://127.0.0.1:9') }),
      new Promise<never>((_r, reject) => setTimeout(() => reject(new Error('did not end within 20 s')), 20_000)),
    ]);
    expectUserError(r, pattern);
  }, 30_000);
});

describe('inputs that would cost without bound are refused', () => {
  const dir = tmp();
  const aliasBomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n';

  it('a YAML alias bomb in a config: a user error at its file and line', () => {
    const config = writeFile(dir, 'bomb.yaml', `trustedAccounts: []\n${aliasBomb}`);
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--config', config]), /bomb\.yaml:3:\d+: YAML aliases expand too much/);
  });

  it('a YAML alias bomb in a rule file (--rules-dir): a user error at its file and line', () => {
    const pack = join(dir, 'pack-bomb');
    mkdirSync(pack);
    writeFile(pack, 'bomb-rule.yaml', `${ruleYaml('bomb-rule')}x-anchors:\n${aliasBomb.replace(/^/gm, '  ')}`);
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--rules-dir', pack]), /bomb-rule\.yaml:\d+:\d+: YAML aliases expand too much/);
    expectUserError(linkaudit(['rules', 'validate', pack]), /bomb-rule\.yaml:\d+:\d+: YAML aliases expand too much/);
  });

  it('YAML nested too deeply (flow and block): a user error at its file', () => {
    const flow = writeFile(dir, 'deep-flow.yaml', `only: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--config', flow]), /deep-flow\.yaml:\d+:\d+: YAML nests too deeply|deep-flow\.yaml:\d+:\d+: .*nests more than 100 levels/);
    const block = writeFile(dir, 'deep-block.yaml', `only:\n${Array.from({ length: 150 }, (_v, i) => `${'  '.repeat(i + 1)}- `).join('\n')}x\n`);
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--config', block]), /deep-block\.yaml:\d+:\d+: .*nests more than 100 levels|deep-block\.yaml:\d+:\d+: YAML nests too deeply/);
  });

  it('JSON nested deeper than 100 levels is refused before it is parsed, at its line and column', () => {
    const deep = writeFile(dir, 'deep.json', `{"schemaVersion": 1,\n "x": ${'['.repeat(2_000_000)}${']'.repeat(2_000_000)}}`);
    expectUserError(linkaudit(['snapshot', 'validate', deep]), /deep\.json:2:\d+: snapshot nests arrays and objects more than 100 deep/);
  });

  it.each([
    ['scan --snapshot', (f: string) => ['scan', '--snapshot', f], /snapshot is too large/],
    ['snapshot validate', (f: string) => ['snapshot', 'validate', f], /snapshot is too large/],
    ['scan --baseline', (f: string) => ['scan', '--snapshot', DEMO, '--baseline', f], /report is too large/],
    ['diff', (f: string) => ['diff', f, reportOf()], /report is too large/],
    ['merge', (f: string) => ['merge', f, DEMO], /snapshot or report is too large/],
    ['scan --config', (f: string) => ['scan', '--snapshot', DEMO, '--config', f], /config file is too large/],
  ] as const)('a file over the limit, and /dev/zero, are refused: %s', (_name, args, pattern) => {
    // Sparse: 600 MiB that take no disk space, over the 500 MiB default.
    const huge = sparseFile(dir, `huge-${_name.replace(/\W/g, '')}.json`, 600 * 1024 * 1024);
    expectUserError(linkaudit([...args(huge)]), new RegExp(`${pattern.source} \\(600\\.0 MiB; the limit is \\d+ MiB; raise it with --max-input-mb or LINKAUDIT_MAX_INPUT_MB\\)`));
    // A device is read only up to the limit (here lowered, so the test stays light).
    expectUserError(linkaudit(['--max-input-mb', '4', ...args('/dev/zero')]), new RegExp(`/dev/zero: ${pattern.source} \\(more than 4 MiB`));
  });

  it('a rule file over the limit is refused', () => {
    const pack = join(dir, 'pack-huge');
    mkdirSync(pack);
    sparseFile(pack, 'huge-rule.yaml', 20 * 1024 * 1024);
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--rules-dir', pack]), /huge-rule\.yaml: rule file is too large \(20\.0 MiB; the limit is 16 MiB/);
  });

  it('the limit can be raised or lowered with --max-input-mb or LINKAUDIT_MAX_INPUT_MB', () => {
    const size = readFileSync(DEMO).length;
    const mib = size / 1024 / 1024;
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--max-input-mb', String(mib / 2)]), /snapshot is too large/);
    expectUserError(linkaudit(['scan', '--snapshot', DEMO], process.cwd(), { ...process.env, LINKAUDIT_MAX_INPUT_MB: String(mib / 2) }), /snapshot is too large/);
    expect(linkaudit(['snapshot', 'validate', DEMO, '--max-input-mb', String(mib * 2)], process.cwd(), { ...process.env, LINKAUDIT_MAX_INPUT_MB: String(mib / 2) }).status).toBe(0);
    expectUserError(linkaudit(['snapshot', 'validate', DEMO, '--max-input-mb', '0']), /--max-input-mb: expected a size in MiB above 0/);
    expectUserError(linkaudit(['snapshot', 'validate', DEMO], process.cwd(), { ...process.env, LINKAUDIT_MAX_INPUT_MB: 'lots' }), /LINKAUDIT_MAX_INPUT_MB: expected a size in MiB above 0/);
  });
});

describe('a file of the wrong kind says what it is and what was expected', () => {
  const dir = tmp();
  const sarif = (): string => {
    const out = tmp();
    linkaudit(['scan', '--snapshot', DEMO, '--format', 'sarif', '--output-dir', out, '--fail-on', 'none', '--quiet']);
    return join(out, 'linkaudit.sarif');
  };
  const snapshotJson = (): string => writeFile(dir, 'snap.json', JSON.stringify(emptySnapshot()));
  it.each([
    ['diff given a snapshot', () => ['diff', DEMO, reportOf()], /snapshot\.json: this is a snapshot \(.*\), but a JSON report \(.*\) is expected here$/],
    ['diff given a SARIF file', () => ['diff', reportOf(), sarif()], /linkaudit\.sarif: this is a SARIF report \(linkaudit\.sarif\), but a JSON report/],
    ['--baseline given a snapshot', () => ['scan', '--snapshot', DEMO, '--baseline', DEMO], /this is a snapshot .*, but a JSON report .* is expected here$/],
    ['--baseline given a config', () => ['scan', '--snapshot', DEMO, '--baseline', writeFile(dir, 'c.json', '{"trustedAccounts": []}')], /c\.json: this is a linkaudit config .*, but a JSON report/],
    ['--snapshot given a report', () => ['scan', '--snapshot', reportOf()], /linkaudit\.json: this is a JSON report .*, but a snapshot .* is expected here$/],
    ['--config given a snapshot', () => ['scan', '--snapshot', DEMO, '--config', snapshotJson()], /snap\.json: this is a snapshot .*, but a linkaudit config .* is expected here$/],
    ['merge given a SARIF file', () => ['merge', sarif(), reportOf()], /linkaudit\.sarif: this is a SARIF report .*; merge takes the snapshots/],
    ['merge given a snapshot and a report', () => ['merge', DEMO, reportOf()], /merge: give only snapshots or only JSON reports, not both/],
  ] as const)('%s', (_name, args, pattern) => {
    const r = linkaudit([...args()]);
    expectUserError(r, pattern);
    expect(r.stderr).not.toMatch(/unknown field/);
  });
});

describe('merge: flags that do not apply to the kind of files are refused, never ignored', () => {
  it.each([
    ['snapshots with --format', () => ['merge', DEMO, '--format', 'sarif'], /merge: --format applies to merging JSON reports; these are snapshots/],
    ['snapshots with --output-dir', () => ['merge', DEMO, '--output-dir', tmp()], /merge: --output-dir applies to merging JSON reports; these are snapshots/],
    ['reports with --output and --output-dir', () => ['merge', reportOf(), '-o', join(tmp(), 'm.json'), '--output-dir', tmp()], /--output and --output-dir exclude each other/],
    ['reports in several formats to stdout', () => ['merge', reportOf(), '--format', 'json,sarif'], /several formats; give --output-dir/],
  ] as const)('%s', (_name, args, pattern) => {
    const r = linkaudit([...args()]);
    expectUserError(r, pattern);
    expect(r.stdout).toBe('');
  });

  it('reports with --output FILE write the merged report there, in its format', () => {
    const file = join(tmp(), 'merged.md');
    const r = linkaudit(['merge', reportOf(), '--format', 'markdown', '-o', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toMatch(/^#/);
  });

  it('reports with --output-dir write one file per format', () => {
    const out = tmp();
    expect(linkaudit(['merge', reportOf(), '--format', 'sarif,json', '--output-dir', out]).status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['linkaudit.json', 'linkaudit.sarif']);
  });
});

describe('control characters in what is printed are escaped', () => {
  it('a file name in an error message', () => {
    const r = linkaudit(['scan', '--snapshot', join(tmp(), 'evil\u001b[2J\u001b]0;title\u0007.json')]);
    expectUserError(r, /evil\\x1b\[2J\\x1b\]0;title\\x07\.json: snapshot not found$/);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('a user rule\'s title in rules list', () => {
    const pack = join(tmp(), 'pack-evil');
    mkdirSync(pack);
    writeFile(pack, 'evil-title.yaml', ruleYaml('evil-title').replace('title: Endpoint service is in one zone only', 'title: "Evil \\e[2J\\e]0;owned\\a title"'));
    const r = linkaudit(['rules', 'list', '--rules-dir', pack]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Evil \\x1b[2J\\x1b]0;owned\\x07 title');
    expect(r.stdout).not.toMatch(/\u001b/);
  });

  it('a suppression problem logged by scan', () => {
    // In force and within maxSuppressionDays whenever the test runs.
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const config = writeFile(tmp(), 'c.yaml', `suppressions:\n  - rule: endpoint-service-single-az\n    resource: "arn:aws:ec2:*:111122223333:vpc-endpoint-service/\\e[31mnope"\n    reason: accepted for the test only\n    expires: "${expires}"\n`);
    const r = linkaudit(['scan', '--snapshot', DEMO, '--config', config, '--fail-on', 'none']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('vpc-endpoint-service/\\x1b[31mnope matched nothing');
    expect(r.stderr).not.toMatch(/\u001b/);
  });
});
