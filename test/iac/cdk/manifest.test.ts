// The cloud assembly manifest: stacks, environments, stages, and every broken manifest as a
// UserError naming the file and line:col.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { parseEnvironment, readAssemblyStacks } from '../../../src/collectors/iac/cdk/manifest.js';

const FIXTURE = resolve('test/fixtures/iac/cdk/cdk.out');

function assemblyWith(manifest: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-'));
  writeFileSync(join(dir, 'manifest.json'), manifest);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('expected a UserError');
}

const TEMPLATE = '{\n "Resources": {}\n}\n';

describe('readAssemblyStacks: the fixture cdk.out', () => {
  const stacks = readAssemblyStacks(FIXTURE);

  it('finds every stack artifact, the stage\'s included, in manifest order', () => {
    expect(stacks.map((s) => s.id)).toEqual(['NetworkStack', 'PipelineStack', 'AgnosticStack', 'ProdApiStack5A1B2C3D']);
    expect(stacks.map((s) => s.displayName)).toEqual(['NetworkStack', 'PipelineStack', 'AgnosticStack', 'Prod/ApiStack']);
  });

  it('reads the environment; the unknown-* placeholders leave account and region undefined', () => {
    expect(stacks.map((s) => [s.account, s.region])).toEqual([
      ['111122223333', 'eu-west-1'],
      ['111122223333', 'us-east-1'],
      [undefined, undefined],
      ['444455556666', 'eu-west-1'],
    ]);
  });

  it('template files are under their own assembly directory; stack name and parameters as written', () => {
    expect(stacks.map((s) => s.templateFile)).toEqual([
      join(FIXTURE, 'NetworkStack.template.json'),
      join(FIXTURE, 'PipelineStack.template.json'),
      join(FIXTURE, 'AgnosticStack.template.json'),
      join(FIXTURE, 'assembly-Prod/ProdApiStack5A1B2C3D.template.json'),
    ]);
    expect(stacks[3]?.assemblyDir).toBe(join(FIXTURE, 'assembly-Prod'));
    expect(stacks.map((s) => s.stackName)).toEqual([undefined, 'ci-pipeline', undefined, 'Prod-ApiStack']);
    expect(stacks[1]?.parameters).toEqual({ GitHubOwner: 'example-org' });
    expect(stacks[0]?.parameters).toEqual({});
  });

  it('maps logical ids to construct paths from the manifest metadata (leading / dropped)', () => {
    expect(stacks[0]?.constructPaths.OpenService5C1B0F4A).toBe('NetworkStack/OpenService/Resource');
    expect(stacks[3]?.constructPaths.S3Endpoint0B5E9C2A).toBe('Prod/ApiStack/S3Endpoint/Resource');
    expect(stacks[1]?.constructPaths.GitHub).toBe('PipelineStack/GitHub');
  });
});

describe('parseEnvironment', () => {
  it.each([
    ['aws://111122223333/eu-west-1', { account: '111122223333', region: 'eu-west-1' }],
    ['aws://unknown-account/unknown-region', {}],
    ['aws://111122223333/unknown-region', { account: '111122223333' }],
    ['aws://unknown-account/us-gov-west-1', { region: 'us-gov-west-1' }],
    ['aws://123/eu-west-1', null],
    ['aws://111122223333', null],
    ['https://111122223333/eu-west-1', null],
    ['aws://111122223333/eu-west-1/x', null],
    ['aws://111122223333/EU', null],
    [42, null],
  ])('%j → %j', (env, expected) => {
    expect(parseEnvironment(env)).toEqual(expected);
  });

  it('any string gives a result or null, never throws; an accepted one round-trips', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const r = parseEnvironment(s);
        if (r !== null) expect(`aws://${r.account ?? 'unknown-account'}/${r.region ?? 'unknown-region'}`).toBe(s);
      }),
    );
  });
});

describe('readAssemblyStacks: broken manifests are UserErrors naming the file and line:col', () => {
  it('malformed JSON', () => {
    const dir = assemblyWith('{\n  "version": "41.0.0",\n  "artifacts": {,\n}\n');
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'manifest.json')}:3:17: CDK cloud assembly manifest is not valid JSON: Expected property name or '}'`);
  });

  it('no manifest.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-'));
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'manifest.json')}: CDK cloud assembly manifest not found`);
  });

  it('not an object', () => {
    const dir = assemblyWith('[1]\n');
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'manifest.json')}:1:1: a CDK cloud assembly manifest is a JSON object (with "version" and "artifacts")`);
  });

  it('no artifacts', () => {
    const dir = assemblyWith('{\n  "version": "41.0.0"\n}\n');
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'manifest.json')}:1:1: no "artifacts" object: not a cloud assembly cdk synth wrote`);
  });

  it('artifacts not an object', () => {
    const dir = assemblyWith('{\n  "version": "41.0.0",\n  "artifacts": []\n}\n');
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'manifest.json')}:3:16: /artifacts: no "artifacts" object: not a cloud assembly cdk synth wrote`);
  });

  it.each([
    ['"version": "tree-0.1",', '2:14: /version: unsupported manifest version "tree-0.1"'],
    ['"version": 41,', '2:14: /version: unsupported manifest version 41'],
    ['', '1:1: unsupported manifest version (none)'],
  ])('unsupported manifest version: %s', (line, expected) => {
    const dir = assemblyWith(`{\n  ${line}\n  "artifacts": {}\n}\n`.replace('\n  \n', '\n'));
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'manifest.json')}:${expected}: expected the cloud-assembly-schema version cdk synth writes, like "36.0.0"`);
  });

  it('a stack without templateFile: the place is its properties', () => {
    const dir = assemblyWith(['{', '  "version": "41.0.0",', '  "artifacts": {', '    "Api": {', '      "type": "aws:cloudformation:stack",', '      "properties": {', '        "stackName": "api"', '      }', '    }', '  }', '}', ''].join('\n'));
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'manifest.json')}:6:21: /artifacts/Api/properties: stack "Api" has no properties.templateFile`);
  });

  it('a stack without properties', () => {
    const text = '{"version": "41.0.0", "artifacts": {"Api": {"type": "aws:cloudformation:stack"}}}';
    const dir = assemblyWith(text);
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'manifest.json')}:1:${text.indexOf('{"type"') + 1}: /artifacts/Api: stack "Api" has no "properties" (with templateFile)`);
  });

  it('a missing template file names the stack, the file and the place', () => {
    const dir = assemblyWith(['{', '  "version": "41.0.0",', '  "artifacts": {', '    "Api": {', '      "type": "aws:cloudformation:stack",', '      "properties": { "templateFile": "Api.template.json" }', '    }', '  }', '}'].join('\n'));
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'manifest.json')}:6:39: /artifacts/Api/properties/templateFile: stack "Api": template "Api.template.json" not found in ${dir}`);
  });

  it.each(['../outside.template.json', '/etc/hosts', 'sub/../../x.json'])('a template file outside the assembly (%s) is refused', (name) => {
    const dir = assemblyWith(JSON.stringify({ version: '41.0.0', artifacts: { Api: { type: 'aws:cloudformation:stack', properties: { templateFile: name } } } }));
    const at = JSON.stringify({ version: '41.0.0', artifacts: { Api: { type: 'aws:cloudformation:stack', properties: { templateFile: '' } } } }).indexOf('""}') + 1;
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'manifest.json')}:1:${at}: /artifacts/Api/properties/templateFile: stack "Api": templateFile ${JSON.stringify(name)} is outside the assembly directory`);
  });

  it('a malformed environment', () => {
    const dir = assemblyWith(JSON.stringify({ version: '41.0.0', artifacts: { Api: { type: 'aws:cloudformation:stack', environment: 'aws://me/here', properties: { templateFile: 'Api.template.json' } } } }, null, 2), { 'Api.template.json': TEMPLATE });
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'manifest.json')}:6:22: /artifacts/Api/environment: stack "Api": environment "aws://me/here" is not aws://ACCOUNT/REGION`);
  });

  it('parameters that are not strings', () => {
    const dir = assemblyWith(JSON.stringify({ version: '41.0.0', artifacts: { Api: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Api.template.json', parameters: { Size: 3 } } } } }, null, 1), { 'Api.template.json': TEMPLATE });
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'manifest.json')}:9:14: /artifacts/Api/properties/parameters/Size: stack "Api": parameter "Size" is not a string`);
  });

  it('control characters in an artifact id are escaped in the message', () => {
    const dir = assemblyWith(JSON.stringify({ version: '41.0.0', artifacts: { 'A\u001b[31mB': { type: 'aws:cloudformation:stack', properties: {} } } }));
    const msg = errorOf(() => readAssemblyStacks(dir));
    expect(msg).toContain('/artifacts/A\\u001b[31mB: stack artifact id "A\\u001b[31mB": an id with');
    expect(msg).not.toContain('\u001b');
  });

  it.each(['Api#1', 'Stage/Api', ''])('a stack artifact id that cannot start an origin id (%j) is refused', (id) => {
    const dir = assemblyWith(JSON.stringify({ version: '41.0.0', artifacts: { [id]: { type: 'aws:cloudformation:stack', properties: { templateFile: 'x.json' } } } }));
    expect(errorOf(() => readAssemblyStacks(dir))).toMatch(new RegExp(`: stack artifact id ${JSON.stringify(id).replace(/[/#]/g, '\\$&')}: an id with "#", "/" or control characters cannot name a stack$`));
  });

  it('a nested assembly without directoryName, outside (a symlink to itself too), missing, or read twice', () => {
    const base = (props: unknown): string => JSON.stringify({ version: '41.0.0', artifacts: { 'assembly-Prod': { type: 'cdk:cloud-assembly', properties: props } } });
    expect(errorOf(() => readAssemblyStacks(assemblyWith(base({}))))).toMatch(/:1:\d+: \/artifacts\/assembly-Prod\/properties: nested cloud assembly "assembly-Prod" has no properties.directoryName$/);
    expect(errorOf(() => readAssemblyStacks(assemblyWith(base({ directoryName: '..' }))))).toMatch(/\/artifacts\/assembly-Prod\/properties\/directoryName: nested cloud assembly "assembly-Prod": directoryName "\.\." is outside the assembly directory$/);
    expect(errorOf(() => readAssemblyStacks(assemblyWith(base({ directoryName: '.' }))))).toMatch(/directoryName "\." is outside the assembly directory$/);
    expect(errorOf(() => readAssemblyStacks(assemblyWith(base({ directoryName: 'assembly-Prod' }))))).toMatch(/nested cloud assembly "assembly-Prod": directory "assembly-Prod" not found$/);
    const loop = assemblyWith(base({ directoryName: 'assembly-Prod' }));
    symlinkSync(loop, join(loop, 'assembly-Prod'));
    expect(errorOf(() => readAssemblyStacks(loop))).toMatch(/directoryName "assembly-Prod" is outside the assembly directory$/);
    const twice = assemblyWith(JSON.stringify({ version: '41.0.0', artifacts: { A: { type: 'cdk:cloud-assembly', properties: { directoryName: 'sub' } }, B: { type: 'cdk:cloud-assembly', properties: { directoryName: 'sub/.' } } } }), { 'sub/manifest.json': JSON.stringify({ version: '41.0.0', artifacts: {} }) });
    expect(errorOf(() => readAssemblyStacks(twice))).toBe(`${join(twice, 'sub', 'manifest.json')}: this cloud assembly was read already (two cdk:cloud-assembly artifacts name its directory, or it contains itself)`);
  });

  it('a broken manifest in a stage names the stage\'s manifest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-'));
    cpSync(FIXTURE, dir, { recursive: true });
    writeFileSync(join(dir, 'assembly-Prod/manifest.json'), '{"version": "41.0.0"}');
    expect(errorOf(() => readAssemblyStacks(dir))).toBe(`${join(dir, 'assembly-Prod/manifest.json')}:1:1: no "artifacts" object: not a cloud assembly cdk synth wrote`);
    rmSync(join(dir, 'assembly-Prod'), { recursive: true });
    expect(errorOf(() => readAssemblyStacks(dir))).toMatch(/^.*manifest\.json:\d+:\d+: \/artifacts\/assembly-Prod\/properties\/directoryName: nested cloud assembly "assembly-Prod": directory "assembly-Prod" not found$/);
  });

  it('artifacts of other types are ignored; an assembly of none gives no stacks', () => {
    const dir = assemblyWith(JSON.stringify({ version: '41.0.0', artifacts: { Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } }, X: { type: 'cdk:asset-manifest' } } }));
    expect(readAssemblyStacks(dir)).toEqual([]);
  });
});

describe('readAssemblyStacks: any manifest gives stacks or a UserError naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-fuzz-'));
  cpSync(FIXTURE, dir, { recursive: true });
  rmSync(join(dir, 'assembly-Prod'), { recursive: true });
  const original = JSON.parse(readFileSync(join(FIXTURE, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  delete (original.artifacts as Record<string, unknown>)['assembly-Prod'];

  /** The fixture manifest with the value at one path (chosen by `pick`) replaced. */
  function mutate(pick: number, value: unknown): unknown {
    const copy = structuredClone(original);
    const paths: Array<Array<string | number>> = [];
    const walk = (v: unknown, path: Array<string | number>): void => {
      paths.push(path);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    };
    walk(copy, []);
    const path = paths[pick % paths.length] as Array<string | number>;
    if (path.length === 0) return value;
    let parent: Record<string | number, unknown> = copy as Record<string, unknown>;
    for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
    parent[path.at(-1) as string | number] = value;
    return copy;
  }

  const value = fc.oneof(
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('../x.json', '/etc/hosts', 'aws://unknown-account/unknown-region', 'aws://1/x', 'cdk:cloud-assembly', 'aws:cloudformation:stack', '.', 'missing.template.json', 'AgnosticStack.template.json'),
  );

  it('mutated manifests', () => {
    fc.assert(
      fc.property(fc.nat(), value, (pick, v) => {
        writeFileSync(join(dir, 'manifest.json'), JSON.stringify(mutate(pick, v), null, 2) ?? '');
        try {
          for (const s of readAssemblyStacks(dir)) {
            expect(s.templateFile.startsWith(dir)).toBe(true);
            expect(typeof s.id).toBe('string');
          }
        } catch (err) {
          expect(err).toBeInstanceOf(UserError);
          expect((err as Error).message.startsWith(join(dir, 'manifest.json'))).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('truncated manifests', () => {
    const text = readFileSync(join(FIXTURE, 'manifest.json'), 'utf8');
    fc.assert(
      fc.property(fc.nat({ max: text.length }), (n) => {
        writeFileSync(join(dir, 'manifest.json'), text.slice(0, n));
        expect(() => readAssemblyStacks(dir)).toThrow(UserError);
      }),
      { numRuns: 100 },
    );
  });
});

describe('readAssemblyStacks: files outside the assembly through symlinks', () => {
  it('a template file that is a symlink to a file outside the assembly is refused, never read', () => {
    const outside = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-secret-'));
    writeFileSync(join(outside, 'credentials'), '[default]\naws_secret_access_key = SECRET\n');
    const dir = assemblyWith(JSON.stringify({ version: '41.0.0', artifacts: { Api: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Api.template.json' } } } }));
    symlinkSync(join(outside, 'credentials'), join(dir, 'Api.template.json'));
    const msg = errorOf(() => readAssemblyStacks(dir));
    expect(msg).toMatch(/: stack "Api": templateFile "Api\.template\.json" is outside the assembly directory$/);
    expect(msg).not.toContain('SECRET');
  });

  it('a symlink inside the assembly, and an assembly reached through a symlink, are fine', () => {
    const dir = assemblyWith(JSON.stringify({ version: '41.0.0', artifacts: { Api: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Api.template.json' } } } }), { 'real/Api.json': TEMPLATE });
    symlinkSync(join(dir, 'real/Api.json'), join(dir, 'Api.template.json'));
    expect(readAssemblyStacks(dir).map((s) => s.templateFile)).toEqual([join(dir, 'Api.template.json')]);
    const link = join(mkdtempSync(join(tmpdir(), 'linkaudit-cdk-link-')), 'cdk.out');
    symlinkSync(dir, link);
    expect(readAssemblyStacks(link).map((s) => s.templateFile)).toEqual([join(link, 'Api.template.json')]);
  });

  it('a nested assembly directory that is a symlink out of the assembly is refused', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-elsewhere-'));
    const dir = assemblyWith(JSON.stringify({ version: '41.0.0', artifacts: { 'assembly-Prod': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Prod' } } } }));
    symlinkSync(elsewhere, join(dir, 'assembly-Prod'));
    expect(errorOf(() => readAssemblyStacks(dir))).toMatch(/directoryName "assembly-Prod" is outside the assembly directory$/);
  });
});
