// loadCdkAssembly's side of the contract with the CloudFormation reader: what each stack is read
// with (the CloudFormation reader is replaced by a recorder here; end-to-end runs are in
// e2e.test.ts), how nested stacks' templates are found, and the one unit of the assembly.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CfnStackContext } from '../../../src/collectors/iac/cloudformation/index.js';
import type { IacLoad, IacOptions } from '../../../src/collectors/iac/types.js';
import { emptySnapshot } from '../../../src/model/empty.js';
import { UserError } from '../../../src/errors.js';

interface Call {
  file: string;
  text: string;
  ctx: CfnStackContext;
}
const calls: Call[] = [];

vi.mock('../../../src/collectors/iac/cloudformation/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/collectors/iac/cloudformation/index.js')>();
  return {
    ...real,
    loadCloudFormationStack: (file: string, text: string, ctx: CfnStackContext): IacLoad => {
      calls.push({ file, text, ctx });
      const role = (logicalId: string, constructPath?: string) => ({
        arn: `arn:aws:iam::${ctx.account ?? '000000000000'}:role/iac:${ctx.idBase}#${logicalId}`,
        account: ctx.account ?? '000000000000',
        region: 'global',
        tags: {},
        name: logicalId,
        inlinePolicies: [],
        attachedPolicies: [],
        assumeRolePolicy: { Statement: [] },
        origin: {
          format: 'cdk' as const,
          id: `${ctx.idBase}#${logicalId}`,
          logicalId,
          stack: ctx.idBase,
          location: { file, line: 1, column: 1, endLine: 1, endColumn: 1 },
          ...(constructPath !== undefined ? { constructPath } : {}),
        },
      });
      const snapshot = emptySnapshot({
        generatedAt: '2026-12-01T00:00:00.000Z',
        source: { kind: 'iac', tool: 'linkaudit' },
        scope: { partition: 'aws', accounts: [ctx.account ?? '000000000000'], regions: [ctx.region ?? 'aa-unknown-0'] },
        iamRoles: [role('GitHub'), role('Written', 'From/Template')],
      });
      return { units: [{ name: file, format: 'cdk', worlds: [{ label: '', snapshot }] }], inputs: [{ file, format: 'cdk', resources: 2, unmapped: 0 }], skipped: [] };
    },
  };
});

const { loadCdkAssembly } = await import('../../../src/collectors/iac/cdk/index.js');
const { nestedTemplateResolver } = await import('../../../src/collectors/iac/cdk/nested.js');

const ROOT = resolve('test/fixtures/iac/cdk');
const FIXTURE = join(ROOT, 'cdk.out');
const options = (extra: Partial<IacOptions> = {}): IacOptions => ({ parameters: {}, cwd: ROOT, now: new Date('2026-12-01T00:00:00Z'), ...extra });

beforeEach(() => {
  calls.length = 0;
});

describe('loadCdkAssembly: what each stack is read with', () => {
  it('every stack, the stage\'s too, as format cdk with its artifact id, name (default: the artifact id) and environment', async () => {
    await loadCdkAssembly(FIXTURE, options());
    expect(calls.map((c) => c.file)).toEqual([
      join(FIXTURE, 'NetworkStack.template.json'),
      join(FIXTURE, 'PipelineStack.template.json'),
      join(FIXTURE, 'AgnosticStack.template.json'),
      join(FIXTURE, 'assembly-Prod/ProdApiStack5A1B2C3D.template.json'),
    ]);
    expect(calls.map(({ ctx }) => [ctx.format, ctx.idBase, ctx.stackName, ctx.account, ctx.region])).toEqual([
      ['cdk', 'NetworkStack', 'NetworkStack', '111122223333', 'eu-west-1'],
      ['cdk', 'PipelineStack', 'ci-pipeline', '111122223333', 'us-east-1'],
      ['cdk', 'AgnosticStack', 'AgnosticStack', undefined, undefined],
      ['cdk', 'ProdApiStack5A1B2C3D', 'Prod-ApiStack', '444455556666', 'eu-west-1'],
    ]);
    expect(calls[1]?.text).toContain('"GitHubOwner"');
  });

  it('an env-agnostic stack takes --account/--region; a stack with an environment keeps its own', async () => {
    await loadCdkAssembly(FIXTURE, options({ account: '999988887777', region: 'ap-southeast-2' }));
    expect(calls.map(({ ctx }) => [ctx.idBase, ctx.account, ctx.region])).toEqual([
      ['NetworkStack', '111122223333', 'eu-west-1'],
      ['PipelineStack', '111122223333', 'us-east-1'],
      ['AgnosticStack', '999988887777', 'ap-southeast-2'],
      ['ProdApiStack5A1B2C3D', '444455556666', 'eu-west-1'],
    ]);
  });

  it('parameters: the manifest\'s, with --iac-param over them', async () => {
    await loadCdkAssembly(FIXTURE, options({ parameters: { GitHubOwner: 'other-org', Extra: 'x' } }));
    expect(calls[1]?.ctx.parameters).toEqual({ GitHubOwner: 'other-org', Extra: 'x' });
    await loadCdkAssembly(FIXTURE, options());
    expect(calls[5]?.ctx.parameters).toEqual({ GitHubOwner: 'example-org' });
  });

  it('a nested stack\'s template is its aws:asset:path, found by the parent resource\'s logical id', async () => {
    await loadCdkAssembly(FIXTURE, options());
    const nested = calls[0]?.ctx.nestedTemplate;
    expect(nested?.({ 'Fn::Join': ['', ['https://s3.eu-west-1.', 'x']] }, 'EndpointsNestedStackEndpointsNestedStackResource3B1A5F2C')).toBe(join(FIXTURE, 'NetworkStackEndpoints6A3F1C2D.nested.template.json'));
    expect(nested?.('https://example.com/x.json', 'Vpc8378EB38')).toBeUndefined();
    expect(calls[1]?.ctx.nestedTemplate?.('x', 'EndpointsNestedStackEndpointsNestedStackResource3B1A5F2C')).toBeUndefined();
  });

  it('one unit for the assembly, named by its path relative to the working directory', async () => {
    const load = await loadCdkAssembly(FIXTURE, options());
    expect(load.units.map((u) => [u.name, u.format, u.worlds.length])).toEqual([['cdk.out (4 stacks)', 'cdk', 1]]);
    expect(load.inputs.map((i) => i.file)).toEqual(calls.map((c) => c.file));
    const roles = load.units[0]?.worlds[0]?.snapshot.iamRoles ?? [];
    expect(roles.map((r) => r.origin?.id).sort()).toEqual([
      'AgnosticStack#GitHub', 'AgnosticStack#Written', 'NetworkStack#GitHub', 'NetworkStack#Written', 'PipelineStack#GitHub', 'PipelineStack#Written', 'ProdApiStack5A1B2C3D#GitHub', 'ProdApiStack5A1B2C3D#Written',
    ]);
    expect(roles.map((r) => r.arn)).toEqual(roles.map((r) => r.arn).sort());
  });

  it('a construct path missing from the template is taken from the manifest metadata; one the template wrote is kept', async () => {
    const load = await loadCdkAssembly(FIXTURE, options());
    const roles = load.units[0]?.worlds[0]?.snapshot.iamRoles ?? [];
    const byId = new Map(roles.map((r) => [r.origin?.id, r.origin?.constructPath]));
    expect(byId.get('PipelineStack#GitHub')).toBe('PipelineStack/GitHub');
    expect(byId.get('PipelineStack#Written')).toBe('From/Template');
    expect(byId.get('NetworkStack#GitHub')).toBeUndefined();
  });

  it('an assembly without stacks is a UserError, not a pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '41.0.0', artifacts: { Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } } } }));
    await expect(loadCdkAssembly(dir, options())).rejects.toThrow(new UserError(`${join(dir, 'manifest.json')}: no aws:cloudformation:stack artifact: nothing to scan (did cdk synth fail?)`));
  });

  it('the same artifact id in a stage and its parent: the second is qualified by its assembly directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-'));
    const stack = { type: 'aws:cloudformation:stack', properties: { templateFile: 'Api.template.json' } };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '41.0.0', artifacts: { Api: stack, 'assembly-Beta': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Beta' } } } }));
    writeFileSync(join(dir, 'Api.template.json'), '{"Resources": {}}');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'assembly-Beta'));
    writeFileSync(join(dir, 'assembly-Beta/manifest.json'), JSON.stringify({ version: '41.0.0', artifacts: { Api: stack } }));
    writeFileSync(join(dir, 'assembly-Beta/Api.template.json'), '{"Resources": {}}');
    await loadCdkAssembly(dir, options());
    expect(calls.map((c) => c.ctx.idBase)).toEqual(['Api', 'assembly-Beta:Api']);
  });
});

describe('nestedTemplateResolver', () => {
  const nestedStack = (asset: string): object => ({ Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'https://s3/x.json' }, Metadata: { 'aws:asset:path': asset, 'aws:asset:property': 'TemplateURL' } });

  it('follows nested stacks of nested stacks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-'));
    const root = JSON.stringify({ Resources: { Outer: nestedStack('Outer.nested.template.json') } });
    writeFileSync(join(dir, 'Outer.nested.template.json'), JSON.stringify({ Resources: { Inner: nestedStack('Inner.nested.template.json') } }));
    writeFileSync(join(dir, 'Inner.nested.template.json'), '{"Resources": {}}');
    const resolveNested = nestedTemplateResolver(join(dir, 'Root.template.json'), root, dir);
    expect(resolveNested('u', 'Outer')).toBe(join(dir, 'Outer.nested.template.json'));
    expect(resolveNested('u', 'Inner')).toBe(join(dir, 'Inner.nested.template.json'));
  });

  it('a logical id used for two different nested templates is ambiguous: undefined, never a guess', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-'));
    const root = JSON.stringify({ Resources: { A: nestedStack('A.nested.template.json'), Child: nestedStack('One.nested.template.json') } });
    writeFileSync(join(dir, 'A.nested.template.json'), JSON.stringify({ Resources: { Child: nestedStack('Two.nested.template.json') } }));
    const resolveNested = nestedTemplateResolver(join(dir, 'Root.template.json'), root, dir);
    expect(resolveNested('u', 'A')).toBe(join(dir, 'A.nested.template.json'));
    expect(resolveNested('u', 'Child')).toBeUndefined();
  });

  it('an asset path outside the assembly is not followed; a missing or malformed nested template is left to the reader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-'));
    const root = JSON.stringify({ Resources: { Out: nestedStack('../x.json'), Gone: nestedStack('Gone.json'), Bad: nestedStack('Bad.json') } });
    writeFileSync(join(dir, 'Bad.json'), '{"Resources": aws:asset:path');
    const resolveNested = nestedTemplateResolver(join(dir, 'Root.template.json'), root, dir);
    expect(resolveNested('u', 'Out')).toBeUndefined();
    expect(resolveNested('u', 'Gone')).toBe(join(dir, 'Gone.json'));
    expect(resolveNested('u', 'Bad')).toBe(join(dir, 'Bad.json'));
  });

  it('a template that names itself as its nested stack stops', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-cdk-'));
    const text = JSON.stringify({ Resources: { Self: nestedStack('Self.nested.template.json') } });
    writeFileSync(join(dir, 'Self.nested.template.json'), text);
    const resolveNested = nestedTemplateResolver(join(dir, 'Root.template.json'), text, dir);
    expect(resolveNested('u', 'Self')).toBe(join(dir, 'Self.nested.template.json'));
  });
});
