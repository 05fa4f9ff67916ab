// `linkaudit graph` through the built binary, as the README runs it: every format, both selectors,
// the JSON against its schema, files, IaC input, and each usage error as one line with exit 2.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validator } from '../src/schema/validate.js';
import { checkDot, checkMermaid } from './graph/checks.js';
import { expectTablesIntact } from './reporters/markdown-checks.js';
import { expectUserError, linkaudit } from './helpers/cli.js';
import { linkauditAsync } from './helpers/cli-async.js';
import { demoAccount } from './fake-aws/estate.js';
import { startFakeAws } from './fake-aws/server.js';

const DEMO = 'fixtures/demo/snapshot.json';
const PAYMENTS = 'arn:aws:codestar-connections:us-east-1:111122223333:connection/0347af09-f291-4cec-9665-42872c5e63c2';
const ADMIN_ROLE = 'arn:aws:iam::111122223333:role/service-role/payments-release-deployer';

const validJson = (text: string): Record<string, unknown> => {
  const doc = JSON.parse(text) as Record<string, unknown>;
  const validate = validator('graph');
  const ok = validate(doc);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  return doc;
};

describe('linkaudit graph', () => {
  it('runs the README snippet: acme/payments reaches an admin role', () => {
    const r = linkaudit(['graph', '--snapshot', DEMO, '--repository', 'acme/payments']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^# linkaudit graph: repository blast radius/);
    const mermaid = /```mermaid\n([\s\S]*?)\n```/.exec(r.stdout)?.[1];
    expect(mermaid).toBeDefined();
    checkMermaid(mermaid as string);
    expect(mermaid).toContain('ADMIN-EQUIVALENT');
    expect(r.stdout).toContain(ADMIN_ROLE);
    expectTablesIntact(r.stdout);
    expect(r.stderr).toBe('linkaudit: 1 connection(s), 2 role(s) reached, 2 admin-equivalent\n');
  });

  it('writes JSON that its schema accepts, the same for either prefix of --connection', () => {
    const a = linkaudit(['graph', '--snapshot', DEMO, '--connection', PAYMENTS, '--format', 'json', '-q']);
    const b = linkaudit(['graph', '--snapshot', DEMO, '--connection', PAYMENTS.replace('codestar-connections', 'codeconnections'), '--format', 'json', '-q']);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toBe('');
    const doc = validJson(a.stdout) as { connections: Array<{ arn: string }>; selection: { connection: string } };
    expect(doc.connections.map((c) => c.arn)).toEqual([PAYMENTS]);
    const other = validJson(b.stdout) as typeof doc;
    expect(other.connections).toEqual(doc.connections);
  });

  it('graphs the whole demo in every format', () => {
    const json = linkaudit(['graph', '--snapshot', DEMO, '--format', 'json', '-q']);
    expect(json.status, json.stderr).toBe(0);
    expect((validJson(json.stdout) as { connections: unknown[] }).connections.length).toBeGreaterThan(3);
    const dot = linkaudit(['graph', '--snapshot', DEMO, '--format', 'dot', '-q']);
    expect(dot.status).toBe(0);
    checkDot(dot.stdout);
    const mermaid = linkaudit(['graph', '--snapshot', DEMO, '--format', 'mermaid', '-q']);
    expect(mermaid.status).toBe(0);
    checkMermaid(mermaid.stdout.trimEnd());
    // Deterministic: the same snapshot gives the same text.
    expect(linkaudit(['graph', '--snapshot', DEMO, '--format', 'mermaid', '-q']).stdout).toBe(mermaid.stdout);
  });

  it('writes --output and says so', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'linkaudit-graph-')), 'graph.md');
    const r = linkaudit(['graph', '--snapshot', DEMO, '--repository', 'acme/payments', '--output', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toContain('```mermaid');
    expect(r.stderr).toContain(`wrote ${file}`);
  });

  it('reads infrastructure as code', () => {
    const r = linkaudit(['graph', '--iac', 'fixtures/demo-iac/cloudformation', '--account', '111122223333', '--region', 'us-east-1', '--format', 'json', '-q']);
    expect(r.status, r.stderr).toBe(0);
    const doc = validJson(r.stdout) as { snapshot: { source: { kind: string } } };
    expect(doc.snapshot.source.kind).toBe('iac');
  });

  it.each<[string, string[], RegExp]>([
    ['both selectors', ['--connection', PAYMENTS, '--repository', 'acme/payments'], /--connection and --repository exclude each other/],
    ['a connection that matches nothing', ['--connection', PAYMENTS.replace('0347af09', '00000000')], /--connection: .* matches no connection of the snapshot, and no pipeline, build project or source credential names it/],
    ['not a connection ARN', ['--connection', 'arn:aws:s3:::bucket'], /--connection: "arn:aws:s3:::bucket" is not a connection ARN/],
    ['a repository nothing names', ['--repository', 'acme/unknown'], /--repository: no pipeline or build project in the snapshot names acme\/unknown/],
    ['a repository that is not OWNER/NAME', ['--repository', 'payments'], /--repository: "payments" is not OWNER\/NAME/],
    ['an IaC option without --iac', ['--account', '111122223333'], /--account goes with --iac PATH/],
    ['an unknown format', ['--format', 'svg'], /Invalid values/],
  ])('refuses %s: one line, exit 2', (_name, args, message) => {
    expectUserError(linkaudit(['graph', '--snapshot', DEMO, ...args]), message);
  });

  it('refuses --iac with --snapshot', () => {
    expectUserError(linkaudit(['graph', '--snapshot', DEMO, '--iac', 'fixtures/demo-iac/cloudformation']), /--iac and --snapshot exclude each other/);
  });

  it('names a snapshot file it cannot read', () => {
    expectUserError(linkaudit(['graph', '--snapshot', 'no/such/file.json']), /no\/such\/file\.json/);
  });
});

describe('linkaudit graph live', () => {
  it('collects as scan does (AWS_ENDPOINT_URL) and graphs what it read', async () => {
    const estate = demoAccount();
    const fake = await startFakeAws({ snapshot: estate, account: '111122223333' });
    try {
      const r = await linkauditAsync(['graph', '--regions', 'us-east-1,eu-west-1', '--max-attempts', '2', '--format', 'json', '-q'], {
        env: { ...process.env, AWS_ENDPOINT_URL: fake.url, AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' },
      });
      expect(r.status, r.stderr).toBe(0);
      const doc = validJson(r.stdout) as { snapshot: { source: { kind: string } }; connections: Array<{ arn: string; access: { evaluated: boolean } }> };
      expect(doc.snapshot.source.kind).toBe('live');
      // Every connection read, and those the pipelines name that no longer exist (a deleted one).
      const named = new Set(estate.pipelines.flatMap((p) => p.stages.flatMap((st) => st.actions.flatMap((a) => (a.configuration['ConnectionArn'] ? [a.configuration['ConnectionArn']] : [])))));
      const graphed = doc.connections.map((c) => c.arn);
      expect(graphed).toEqual(expect.arrayContaining(estate.connections.map((c) => c.arn)));
      for (const arn of graphed.filter((a) => !estate.connections.some((c) => c.arn === a))) expect(named, arn).toContain(arn);
      expect(doc.connections.every((c) => c.access.evaluated)).toBe(true);
    } finally {
      await fake.close();
    }
  });
});

describe('the scan report\'s blast radius section', () => {
  it('lists the demo\'s connection behind the admin build role and points at linkaudit graph', () => {
    const r = linkaudit(['scan', '--snapshot', DEMO, '--config', 'fixtures/demo/.linkaudit.yaml', '--fail-on', 'none', '-q']);
    expect(r.status, r.stderr).toBe(0);
    const section = /## Blast radius\n([\s\S]*?)\n## /.exec(r.stdout)?.[1] ?? '';
    expect(section).toContain(PAYMENTS);
    expect(section).toContain(ADMIN_ROLE);
    expect(section).toContain(`linkaudit graph --snapshot ${DEMO} --connection ${PAYMENTS}`);
    expectTablesIntact(section);
  });
});
