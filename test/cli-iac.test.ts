// `scan --iac`: the options' usage errors through the built binary, and the IaC scan path in
// process with a hand-built IacLoad (the adapters are tested in test/iac/).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IacLoad, IacOptions } from '../src/collectors/iac/types.js';
import { iacOptions, runScan, type ScanArgs } from '../src/commands/scan.js';
import { UserError } from '../src/errors.js';
import { iacArn } from '../src/model/arn.js';
import { validateSnapshot } from '../src/model/load.js';
import type { EndpointService, IacOrigin } from '../src/model/types.js';
import { validator } from '../src/schema/validate.js';
import { CLI, expectUserError, linkaudit } from './helpers/cli.js';
import { emptySnapshot, endpointService } from './helpers/snapshot.js';
import { allFindings } from '../src/engine/finding-list.js';

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
});

describe('scan --iac: usage errors (exit 2, one line, no stack)', () => {
  it('--iac with --snapshot, saying why', () => {
    expectUserError(linkaudit(['scan', '--iac', 't.yaml', '--snapshot', 's.json']), /--iac and --snapshot exclude each other: a scan judges one source/);
  });

  it.each([
    ['--profile', 'prod'],
    ['--role-arn', 'arn:aws:iam::{account}:role/a'],
    ['--accounts', '111122223333'],
    ['--org'],
    ['--shard', '1/2'],
    ['--endpoint-url', 'http://localhost:4566'],
    ['--save-snapshot', 'x.json'],
    ['--regions', 'all'],
    ['--external-id', 'x'],
  ])('--iac with the live-only %s names it', (flag, ...value) => {
    expectUserError(linkaudit(['scan', '--iac', 't.yaml', flag, ...value]), new RegExp(`^linkaudit: ${flag} goes with a live scan, not with --iac`));
  });

  it('--iac with no path', () => {
    expectUserError(linkaudit(['scan', '--iac']), /--iac: give a path/);
  });

  it('a malformed --iac-param names it, never echoing a value', () => {
    expectUserError(linkaudit(['scan', '--iac', 't.yaml', '--iac-param', 'NoEquals']), /^linkaudit: --iac-param "NoEquals": expected Key=Value/);
    const r = linkaudit(['scan', '--iac', 't.yaml', '--iac-param', 'bad-key=hunter2']);
    expectUserError(r, /^linkaudit: --iac-param "bad-key"=…: the key must be a CloudFormation parameter name/);
    expect(r.stderr).not.toContain('hunter2');
  });

  it('--account must be 12 digits; --region exactly one; --max-template-mb positive', () => {
    expectUserError(linkaudit(['scan', '--iac', 't.yaml', '--account', '1234']), /^linkaudit: --account: "1234" is not an account id \(12 digits\)$/);
    expectUserError(linkaudit(['scan', '--iac', 't.yaml', '--region', 'us-east-1', '--region', 'eu-west-1']), /--region: with --iac give exactly one region/);
    expectUserError(linkaudit(['scan', '--iac', 't.yaml', '--region', 'us-east-1,eu-west-1']), /--region: with --iac give exactly one region/);
    expectUserError(linkaudit(['scan', '--iac', 't.yaml', '--region', 'mars']), /--region: "mars" is not a region name/);
    expectUserError(linkaudit(['scan', '--iac', 't.yaml', '--max-template-mb', '0']), /--max-template-mb: 0 is not a positive number of MiB/);
  });

  it('IaC-only options without --iac', () => {
    for (const args of [['--iac-param', 'A=1'], ['--iac-params', 'p.json'], ['--account', '111122223333'], ['--max-template-mb', '2'], ['--sarif-root', '.']]) {
      expectUserError(linkaudit(['scan', '--snapshot', 's.json', ...args]), new RegExp(`^linkaudit: ${args[0]} goes with --iac PATH$`));
    }
  });

  it('single-value IaC options given twice are refused by the repeated-option check; --iac and --iac-param repeat', () => {
    for (const flag of ['--iac-params', '--account', '--max-template-mb', '--sarif-root']) {
      const v = flag === '--account' ? '111122223333' : flag === '--max-template-mb' ? '1' : 'x';
      expectUserError(linkaudit(['scan', '--iac', 't.yaml', flag, v, flag, v]), new RegExp(`${flag} given 2 times`));
    }
    // Repeatable: the error is about the missing file, not the repetition.
    expectUserError(linkaudit(['scan', '--iac', 'missing-a.yaml', '--iac', 'missing-b.yaml', '--iac-param', 'A=1', '--iac-param', 'B=2']), /^linkaudit: --iac missing-a\.yaml: /);
  });

  it('the built CLI reaches loadIac: a directory with no template is an error naming it and the skipped files', () => {
    const d = mkdtempSync(join(tmpdir(), 'linkaudit-iac-empty-'));
    try {
      writeFileSync(join(d, 'package.json'), '{"name": "x"}');
      writeFileSync(join(d, 'notes.yaml'), 'a: 1\n');
      expectUserError(linkaudit(['scan', '--iac', d]), /--iac .*: no CloudFormation template, CDK cloud assembly or Terraform plan found \(2 file\(s\) skipped\)$/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('--help lists the IaC options', () => {
    const help = linkaudit(['scan', '--help']).stdout;
    for (const flag of ['--iac ', '--iac-param ', '--iac-params ', '--account ', '--max-template-mb ', '--sarif-root ']) expect(help).toContain(flag);
  });
});

describe('iacOptions', () => {
  const base: ScanArgs = { format: ['json'], rulesDir: [], only: [], skip: [], allowPartial: false, quiet: true, iac: ['t.yaml'], region: [] };
  it('merges --iac-param over the file, with their sources; environment and limits', () => {
    const o = iacOptions({ ...base, iacParam: ['Env=prod', 'Url=https://x/?a=b'], account: '111122223333', region: ['eu-west-1'], maxTemplateMb: 2 }, '/repo');
    expect(o).toMatchObject({
      parameters: { Env: 'prod', Url: 'https://x/?a=b' },
      parameterSources: { Env: '--iac-param', Url: '--iac-param' },
      account: '111122223333',
      region: 'eu-west-1',
      maxTemplateBytes: 2 * 1024 * 1024,
      cwd: '/repo',
    });
    expect(iacOptions(base).maxTemplateBytes).toBe(1024 * 1024);
  });
  it('refuses what it cannot use', () => {
    expect(() => iacOptions({ ...base, maxTemplateMb: Number.NaN })).toThrow(UserError);
  });
});

describe('scan --iac in process (hand-built IacLoad)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-iac-scan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const origin = (file: string, logicalId: string, line: number): IacOrigin => ({
    format: 'cloudformation',
    id: `${file}#${logicalId}`,
    location: { file, line, column: 3, endLine: line + 5, endColumn: 20 },
    logicalId,
    properties: { acceptanceRequired: { file, line: line + 2, column: 7, endLine: line + 2, endColumn: 32 } },
  });
  const svc = (file: string, logicalId: string, line: number, extra: Partial<EndpointService> = {}): EndpointService => {
    const o = origin(file, logicalId, line);
    return endpointService(`iac:${o.id}`, { arn: iacArn('endpointService', 'aws', 'us-east-1', '111122223333', o.id), origin: o, ...extra });
  };
  const world = (label: string, services: EndpointService[]) => ({ label, snapshot: validateSnapshot(emptySnapshot({ source: { kind: 'iac' }, endpointServices: services }), label) });
  const load: IacLoad = {
    units: [
      { name: 'b.yaml', format: 'cloudformation', worlds: [world('', [svc('b.yaml', 'Open', 4, { acceptanceRequired: false })])] },
      {
        name: 'a.yaml',
        format: 'cloudformation',
        worlds: [world('Strict=true', [svc('a.yaml', 'Maybe', 10, { acceptanceRequired: true })]), world('Strict=false', [svc('a.yaml', 'Maybe', 10, { acceptanceRequired: false })])],
      },
    ],
    inputs: [
      { file: 'b.yaml', format: 'cloudformation', resources: 1, unmapped: 2 },
      { file: 'a.yaml', format: 'cloudformation', resources: 1, unmapped: 0 },
    ],
    skipped: [{ file: 'README.json', reason: 'not a template' }],
  };
  let seen: { paths: readonly string[]; options: IacOptions } | undefined;
  const loader = async (paths: readonly string[], options: IacOptions): Promise<IacLoad> => {
    seen = { paths, options };
    return load;
  };
  const scan = async (extra: Partial<ScanArgs>, lines: string[] = []) =>
    runScan({ format: ['json', 'sarif'], outputDir: join(dir, 'out'), rulesDir: [], only: ['endpoint-service-acceptance-disabled'], skip: [], allowPartial: false, quiet: false, iac: ['b.yaml', 'a.yaml'], region: [], iacLoader: loader, iacParam: ['Env=prod'], account: '111122223333', ...extra }, (l) => lines.push(l));

  it('evaluates each unit with its worlds merged, gates, and reports the inputs', async () => {
    const lines: string[] = [];
    const outcome = await scan({}, lines);
    expect(seen?.paths).toEqual(['b.yaml', 'a.yaml']);
    expect(seen?.options).toMatchObject({ parameters: { Env: 'prod' }, account: '111122223333' });
    expect(allFindings(outcome.input.findings).map((f) => [f.resource.origin?.id, f.status])).toEqual([
      ['a.yaml#Maybe', 'unknown'],
      ['b.yaml#Open', 'fail'],
    ]);
    expect(outcome.input.snapshot.source.kind).toBe('iac');
    expect(lines[0]).toBe('linkaudit: 1 rules over 2 IaC input(s) (b.yaml, a.yaml): 1 fail, 0 pass, 1 unknown; 2 resource(s) of unmapped types; 1 file(s) skipped (not a template)');
    const doc = JSON.parse(readFileSync(join(dir, 'out', 'linkaudit.json'), 'utf8')) as { snapshot: Record<string, unknown>; gate: { exitCode: number; reason: string } };
    const validate = validator('report');
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.snapshot).toMatchObject({ source: { kind: 'iac' }, inputs: load.inputs, skipped: 1 });
    const sarif = JSON.parse(readFileSync(join(dir, 'out', 'linkaudit.sarif'), 'utf8')) as Sarif.Log;
    const run = sarif.runs[0];
    expect(run?.automationDetails?.id).toBe('linkaudit/iac/a.yaml+b.yaml/');
    expect(run?.results?.map((r) => [r.locations?.[0]?.physicalLocation?.artifactLocation?.uri, r.locations?.[0]?.physicalLocation?.region?.startLine])).toEqual([['b.yaml', 4]]);
    // The fail is medium (below the default high); the unknown's rule can escalate to critical.
    expect([outcome.gate.exitCode, doc.gate.exitCode]).toEqual([2, 2]);
  });

  it('an unknown from an undecided value fails the gate closed (exit 2) unless --allow-partial', async () => {
    const closed = await scan({ failOn: 'critical' });
    expect(closed.gate.exitCode).toBe(2);
    expect(closed.gate.reason).toMatch(/unknown because the templates do not decide values/);
    expect((await scan({ failOn: 'critical', allowPartial: true })).gate.exitCode).toBe(0);
    expect((await scan({ failOn: 'medium' })).gate.exitCode).toBe(1);
  });

  it('--baseline of an earlier IaC report: new, unchanged and fixed by stable identity; the report stays valid', async () => {
    await scan({ outputDir: join(dir, 'before') });
    const fixedLoad: IacLoad = { ...load, units: [{ name: 'b.yaml', format: 'cloudformation', worlds: [world('', [svc('b.yaml', 'Open', 9, { acceptanceRequired: true })])] }, load.units[1] as IacLoad['units'][number]] };
    const after = await runScan(
      { format: ['json'], outputDir: join(dir, 'after'), rulesDir: [], only: ['endpoint-service-acceptance-disabled'], skip: [], allowPartial: false, quiet: true, iac: ['b.yaml', 'a.yaml'], region: [], iacLoader: async () => fixedLoad, baseline: join(dir, 'before', 'linkaudit.json') },
      () => {},
    );
    // The resource moved from line 4 to line 9 and was fixed: same identity, so "fixed", not "gone and new".
    expect(after.input.baseline).toMatchObject({ new: 0, unchanged: 1, fixed: [{ ruleId: 'endpoint-service-acceptance-disabled', now: 'pass' }] });
    const doc: unknown = JSON.parse(readFileSync(join(dir, 'after', 'linkaudit.json'), 'utf8'));
    const validate = validator('report');
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  it('--sarif-root moves the URIs', async () => {
    await scan({ sarifRoot: '..' });
    const sarif = JSON.parse(readFileSync(join(dir, 'out', 'linkaudit.sarif'), 'utf8')) as Sarif.Log;
    const base = process.cwd().split('/').at(-1);
    expect(sarif.runs[0]?.results?.[0]?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe(`${base}/b.yaml`);
  });
});
