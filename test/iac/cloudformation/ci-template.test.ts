// Pipelines and builds through the real template reader: intrinsics resolved or left unknown,
// names built by !Sub joined by !Ref, conditions as worlds, and findings' places on the lines of
// the demo's ci-pipeline.yaml.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCloudFormationFile } from '../../../src/collectors/iac/cloudformation/index.js';
import type { IacOptions } from '../../../src/collectors/iac/types.js';
import { validator } from '../../../src/schema/validate.js';

const ENV: IacOptions = { parameters: {}, account: '111122223333', region: 'eu-west-1', now: new Date('2026-12-02T10:00:00Z') };
const validate = validator('snapshot');

async function load(file: string, options: Partial<IacOptions> = {}) {
  return loadCloudFormationFile(file, readFileSync(file, 'utf8'), { ...ENV, ...options });
}

describe('CI resources through the template reader', () => {
  const FILE = 'test/fixtures/iac/cloudformation/ci-intrinsics.yaml';
  const id = (logicalId: string): string => `iac:${FILE}#${logicalId}`;

  it('joins a !Ref to a project named by !Sub, and resolves what the template decides', async () => {
    const l = await load(FILE, { parameters: { Env: 'dev' } });
    const worlds = l.units[0]?.worlds ?? [];
    expect(worlds.map((w) => w.label)).toEqual(['']);
    const s = worlds[0]!.snapshot;
    expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
    const [project] = s.buildProjects;
    const [pipeline] = s.pipelines;
    expect(project?.name).toBe('eu-west-1-app-build');
    expect(pipeline?.stages[1]?.actions[0]?.configuration.ProjectName).toBe('eu-west-1-app-build');
    expect(pipeline?.stages[0]?.actions[0]?.configuration).toEqual({ ConnectionArn: `arn:aws:codestar-connections:eu-west-1:111122223333:connection/${id('Connection')}`, FullRepositoryId: 'example/app', BranchName: 'main' });
    // Env=dev: the role given by name (its Ref) is the template role.
    expect(project?.serviceRole).toBe(`arn:aws:iam::111122223333:role/${id('BuildRole')}`);
    expect(project?.source.buildspec).toBe('version: 0.2\nphases:\n  build:\n    commands:\n      - echo building example/app\n');
    expect(project?.environmentVariables).toEqual([{ name: 'REPO', type: 'PLAINTEXT' }]);
    // The pipeline's role is imported: unknown, naming the export; the rest of it stands.
    expect(pipeline?.unreadable).toEqual([{ field: 'roleArn', operation: 'Fn::ImportValue', errorCode: 'Unresolved', message: 'Pipeline.RoleArn: the value of the export ci-pipeline-role is known only in the deployed account' }]);
  });

  it('an undecided condition gives a world per value, each with its own service role', async () => {
    const l = await load(FILE);
    const worlds = l.units[0]?.worlds ?? [];
    expect(worlds.map((w) => [w.label, w.snapshot.buildProjects[0]?.serviceRole])).toEqual([
      ['IsProd=true', `arn:aws:iam::111122223333:role/${id('AdminRole')}`],
      ['IsProd=false', `arn:aws:iam::111122223333:role/${id('BuildRole')}`],
    ]);
  });
});

describe('demo-iac ci-pipeline.yaml', () => {
  const FILE = 'fixtures/demo-iac/cloudformation/ci-pipeline.yaml';
  const line = (text: string): number => readFileSync(FILE, 'utf8').split('\n').findIndex((l) => l === text) + 1;

  it('places each resource on its logical-id line and each property on its key', async () => {
    const s = (await load(FILE, { region: 'us-east-1' })).units[0]!.worlds[0]!.snapshot;
    expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
    const api = s.pipelines.find((p) => p.origin?.logicalId === 'ApiPipeline');
    expect(api?.origin?.location).toMatchObject({ line: line('  ApiPipeline:'), column: 3 });
    expect(api?.origin?.properties?.stages).toMatchObject({ line: line('  ApiPipeline:') + 7, column: 7 });
    const site = s.buildProjects.find((p) => p.origin?.logicalId === 'SiteBuild');
    expect(site?.origin?.location).toMatchObject({ line: line('  SiteBuild:'), column: 3, endLine: line('  SiteBuild:') + 12 });
    expect(site?.origin?.properties?.source).toMatchObject({ line: line('  SiteBuild:') + 5, column: 7, endLine: line('  SiteBuild:') + 7 });
    const cred = s.sourceCredentials.find((c) => c.origin?.logicalId === 'BitbucketCredential');
    expect(cred?.origin?.properties?.resource).toMatchObject({ line: line('  BitbucketCredential:') + 5 });
  });

  it('holds no secret: the NoEcho token, the dynamic reference, the buildspec variable', async () => {
    const text = JSON.stringify(await load(FILE, { region: 'us-east-1', parameters: { LegacyGitHubToken: 'ghp_GivenNoEchoTokenJJJJJJJJJJJJJJJJJJJJJ' } }));
    expect(text).not.toMatch(/ghp_|bitbucket-site-token|stable/);
    expect(text).toContain('"OAuthToken":"REDACTED"');
  });
});
