// aws_codepipeline, aws_codebuild_project, aws_codebuild_webhook and aws_codebuild_source_credential
// → the model: the demo twin's plan (every argument, joins through references and existing
// resources, locations in main.tf, secrets) and small plans for what a plan leaves undecided.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pipeline } from '../../../src/model/types.js';
import { UserError } from '../../../src/errors.js';
import { validator } from '../../../src/schema/validate.js';
import { ESTATE, loadFixture, loadText, snapshotOf } from './helpers.js';

const PLAN = `${ESTATE}/plan.json`;
const MAIN = `${ESTATE}/main.tf`;
const id = (address: string): string => `iac:${PLAN}#${address}`;
const ROLE = (address: string): string => `arn:aws:iam::111122223333:role/${id(address)}`;
const lines = readFileSync(MAIN, 'utf8').split('\n');
/** The 1-based line of the first line equal to `text` after line `after`. */
const line = (text: string, after = 0): number => lines.findIndex((l, i) => i >= after && l === text) + 1;
const validate = validator('snapshot');

describe('the demo plan’s pipelines, builds and credentials', async () => {
  const load = await loadFixture('estate/plan.json', { account: '111122223333' });
  const s = snapshotOf(load);
  const pipeline = (name: string) => s.pipelines.find((p) => p.name === name) as Pipeline;
  const project = (name: string) => s.buildProjects.find((p) => p.name === name);

  it('maps a V2 pipeline: stages, actions, configuration, trigger, joins and its .tf places', () => {
    const at = line('resource "aws_codepipeline" "payments" {');
    const { origin, ...p } = pipeline('payments');
    expect(p).toEqual({
      arn: `arn:aws:codepipeline:eu-west-1:111122223333:${id('aws_codepipeline.payments')}`,
      account: '111122223333',
      region: 'eu-west-1',
      tags: {},
      name: 'payments',
      pipelineType: 'V2',
      // A new role's ARN, known only after apply, followed through role_arn's references.
      roleArn: ROLE('aws_iam_role.pipeline'),
      executionMode: 'SUPERSEDED',
      stages: [
        {
          name: 'Source',
          actions: [
            {
              name: 'Source',
              actionType: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
              // run_order and region unset (Optional+Computed): CodePipeline's 1, the pipeline's region.
              runOrder: 1,
              configuration: {
                BranchName: 'main',
                // The existing connection's real ARN is its model identity.
                ConnectionArn: `arn:aws:codeconnections:eu-west-1:111122223333:connection/${id('aws_codeconnections_connection.platform')}`,
                FullRepositoryId: 'example-corp/payments',
                OutputArtifactFormat: 'CODEBUILD_CLONE_REF',
              },
              inputArtifacts: [],
              outputArtifacts: ['source'],
            },
          ],
        },
        {
          name: 'Build',
          actions: [
            {
              name: 'Build',
              actionType: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
              runOrder: 1,
              configuration: { ProjectName: 'payments-build' },
              inputArtifacts: ['source'],
              outputArtifacts: [],
            },
          ],
        },
      ],
      triggers: [{ providerType: 'CodeStarSourceConnection', sourceActionName: 'Source', push: [], pullRequest: [{ events: ['OPEN', 'UPDATED'], branches: { includes: ['main'], excludes: [] } }] }],
    });
    expect(origin).toMatchObject({ format: 'terraform', id: `${PLAN}#aws_codepipeline.payments`, address: 'aws_codepipeline.payments', location: { file: MAIN, line: at, column: 1 } });
    expect(origin?.properties?.roleArn).toMatchObject({ line: at + 2, column: 3 });
    expect(origin?.properties?.stages).toMatchObject({ line: line('  stage {', at), column: 3 });
    expect(origin?.properties?.triggers).toMatchObject({ line: line('  trigger {', at), column: 3 });
    expect(pipeline('payments').stages[1]?.actions[0]?.configuration.ProjectName).toBe(project('payments-build')?.name);
  });

  it('keeps a GitHub version 1 action’s OAuthToken REDACTED, unread, and a deleted connection’s ARN as written', () => {
    const reports = pipeline('reports');
    expect(reports.pipelineType).toBe('V1');
    expect(reports.stages[0]?.actions.map((a) => a.configuration)).toEqual([
      { Branch: 'main', OAuthToken: 'REDACTED', Owner: 'example-corp', Repo: 'dashboards' },
      // The plan deletes this connection: nothing in the estate after apply has the ARN.
      { BranchName: 'main', ConnectionArn: 'arn:aws:codestar-connections:eu-west-1:111122223333:connection/6a1f0c3e-8b2d-4e5f-9a7b-1c2d3e4f5a6b', FullRepositoryId: 'example-corp/report-queries' },
    ]);
    // The sensitive token is a secret key: REDACTED without making the stages unknown. The
    // trigger blocks, unset, are the computed default (none declared).
    expect(reports.unreadable).toBeUndefined();
    expect(reports.triggers).toEqual([]);
    expect(s.connections.some((c) => c.arn.includes('6a1f0c3e'))).toBe(false);
  });

  it('maps build projects: sources, buildspecs, roles through references, variables without values, the webhook', () => {
    expect(project('payments-build')).toMatchObject({
      serviceRole: ROLE('aws_iam_role.payments_build'),
      source: { type: 'CODEPIPELINE', buildspecFile: 'buildspec.yml', gitCloneDepth: 0, reportBuildStatus: false },
      secondarySources: [],
      environmentVariables: [{ name: 'DEPLOY_ENV', type: 'PLAINTEXT' }],
    });
    expect(project('reports-build')?.source.buildspec).toBe('version: 0.2\nphases:\n  build:\n    commands:\n      - git log -1 --format=%H > COMMIT\n      - make reports\n');
    expect(project('infra-modules-test')?.source).toMatchObject({ type: 'GITLAB', location: 'https://REDACTED@gitlab.com/example-corp/infra-modules.git', locationHadCredentials: true });
    const lint = project('lint');
    expect(lint?.source).toMatchObject({ type: 'GITHUB', location: 'https://github.com/example-corp/payments.git' });
    expect(lint?.source.locationHadCredentials).toBeUndefined();
    expect(lint?.webhook).toEqual({
      filterGroups: [[{ type: 'EVENT', pattern: 'PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED', excludeMatchedPattern: false }, { type: 'BASE_REF', pattern: '^refs/heads/main$', excludeMatchedPattern: false }]],
      buildType: 'BUILD',
    });
    // The webhook's place is its own filter_group block.
    expect(lint?.origin?.properties?.webhook).toMatchObject({ line: line('  filter_group {', line('resource "aws_codebuild_webhook" "lint" {')) });
    for (const p of s.buildProjects) expect(p.unreadable, p.name).toBeUndefined();
  });

  it('a CODECONNECTIONS source credential names its connection through the token’s references, never its value', () => {
    const [bitbucket, github] = s.sourceCredentials;
    expect(bitbucket).toMatchObject({
      serverType: 'BITBUCKET',
      authType: 'CODECONNECTIONS',
      resource: `arn:aws:codestar-connections:eu-west-1:111122223333:connection/${id('aws_codestarconnections_connection.bitbucket')}`,
    });
    expect(github).toMatchObject({ serverType: 'GITHUB', authType: 'PERSONAL_ACCESS_TOKEN' });
    expect(github?.resource).toBeUndefined();
    expect(github?.unreadable).toBeUndefined();
  });

  it('existing connections keep their status; created ones are runtime state', () => {
    expect(s.connections.map((c) => [c.name, c.status, c.unreadable?.map((u) => u.errorCode) ?? []])).toEqual([
      ['partner-gitlab', 'PENDING', []],
      ['platform-github', 'AVAILABLE', []],
      ['archive-bitbucket', 'AVAILABLE', []],
      ['bitbucket', 'PENDING', ['RuntimeState']],
      ['github', 'PENDING', ['RuntimeState']],
    ]);
  });

  it('is schema-valid and carries no secret of the plan', () => {
    expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
    const text = JSON.stringify(load);
    expect(text).not.toMatch(/ghp_|glpat-|DemoFixtureToken/);
  });
});

// Small plans: one pipeline or project, with what the plan leaves open.
function change(address: string, type: string, after: Record<string, unknown>, unknown: Record<string, unknown> = {}, sensitive: Record<string, unknown> = {}) {
  const name = address.split('.').pop() ?? address;
  return { address, mode: 'managed', type, name, change: { actions: ['create'], before: null, after, after_unknown: unknown, after_sensitive: sensitive } };
}
function config(address: string, type: string, expressions: Record<string, unknown>) {
  return { address, mode: 'managed', type, name: address.split('.').pop(), expressions };
}
const plan = (changes: unknown[], resources: unknown[] = []) => JSON.stringify({ format_version: '1.2', resource_changes: changes, configuration: { root_module: { resources } } });
const ref = (...refs: string[]) => ({ references: refs });
const source = (configuration: Record<string, unknown>) => ({ name: 'Source', category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1', configuration, output_artifacts: ['src'], input_artifacts: null, role_arn: null, run_order: 1, region: null, namespace: null });
const stagePipeline = (configuration: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'p', role_arn: 'arn:aws:iam::111122223333:role/p', pipeline_type: 'V2', execution_mode: 'QUEUED', stage: [{ name: 'Source', action: [source(configuration)] }], trigger: [], ...extra });
const conn = (name: string) => change(`aws_codestarconnections_connection.${name}`, 'aws_codestarconnections_connection', { name, provider_type: 'GitHub' }, { arn: true, id: true, connection_status: true });

describe('what a plan leaves open', () => {
  it('a ConnectionArn known only after apply names the plan’s connection; two candidates are unknown', async () => {
    const one = snapshotOf(
      await loadText(
        plan([conn('a'), change('aws_codepipeline.p', 'aws_codepipeline', stagePipeline({ BranchName: 'main' }), { stage: [{ action: [{ configuration: { ConnectionArn: true } }] }] })], [config('aws_codepipeline.p', 'aws_codepipeline', { stage: [{ action: [{ configuration: ref('aws_codestarconnections_connection.a.arn', 'aws_codestarconnections_connection.a') }] }] })]),
        { account: '111122223333', region: 'us-east-1' },
      ),
    );
    expect(one.pipelines[0]?.stages[0]?.actions[0]?.configuration.ConnectionArn).toBe(one.connections[0]?.arn);
    expect(one.pipelines[0]?.unreadable).toBeUndefined();
    const two = snapshotOf(
      await loadText(
        plan(
          [conn('a'), conn('b'), change('aws_codepipeline.p', 'aws_codepipeline', stagePipeline({}), { stage: [{ action: [{ configuration: { ConnectionArn: true, Other: true } }] }] })],
          [config('aws_codepipeline.p', 'aws_codepipeline', { stage: [{ action: [{ configuration: ref('aws_codestarconnections_connection.a.arn', 'aws_codestarconnections_connection.a', 'aws_codestarconnections_connection.b.arn', 'aws_codestarconnections_connection.b') }] }] })],
        ),
        { account: '111122223333', region: 'us-east-1' },
      ),
    );
    const p = two.pipelines[0];
    expect(p?.stages[0]?.actions[0]?.configuration).toEqual({ ConnectionArn: '(known after apply)', Other: '(known after apply)' });
    expect(p?.unreadable).toEqual([
      {
        field: 'stages',
        operation: 'after_unknown',
        errorCode: 'Unresolved',
        message: 'aws_codepipeline.p.stage[0].action[0].configuration.ConnectionArn is known only after apply and its expression names 2 resources (aws_codestarconnections_connection.a, aws_codestarconnections_connection.b)',
      },
    ]);
    expect(validate(two), JSON.stringify(validate.errors)).toBe(true);
  });

  it('a sensitive value under a key that is no secret is REDACTED and unknown; a secret key is REDACTED only', async () => {
    const s = snapshotOf(
      await loadText(plan([change('aws_codepipeline.p', 'aws_codepipeline', stagePipeline({ BranchName: 'ghp_SensitiveBranchKKKKKKKKKKKKKKKKKKKK', OAuthToken: 'ghp_SensitiveTokenLLLLLLLLLLLLLLLLLLLLLL' }), {}, { stage: [{ action: [{ configuration: { BranchName: true, OAuthToken: true } }] }] })]), { account: '111122223333' }),
    );
    const p = s.pipelines[0];
    expect(p?.stages[0]?.actions[0]?.configuration).toEqual({ BranchName: 'REDACTED', OAuthToken: 'REDACTED' });
    expect(p?.unreadable).toEqual([{ field: 'stages', operation: 'after_sensitive', errorCode: 'Sensitive', message: 'aws_codepipeline.p.stage[0].action[0].configuration.BranchName is sensitive: its value is not read' }]);
    expect(JSON.stringify(s)).not.toContain('ghp_');
  });

  it('a pipeline whose name and stages are known only after apply keeps its identity and says what is open', async () => {
    const s = snapshotOf(await loadText(plan([change('aws_codepipeline.p', 'aws_codepipeline', { role_arn: 'arn:aws:iam::111122223333:role/p', pipeline_type: null }, { name: true, stage: true, trigger: true })]), { account: '111122223333' }));
    const p = s.pipelines[0];
    expect([p?.name, p?.pipelineType, p?.stages, p?.triggers]).toEqual(['iac:test/fixtures/iac/terraform/inline/plan.json#aws_codepipeline.p', 'V1', [], []]);
    // trigger unknown without configuration: assumed written (no configuration, nothing can be called unset).
    expect(p?.unreadable?.map((u) => u.field)).toEqual(['name', 'stages', 'triggers']);
    expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
  });

  it('a project’s service role given by name, a webhook joined by references, a value never read', async () => {
    const s = snapshotOf(
      await loadText(
        plan(
          [
            change('aws_iam_role.b', 'aws_iam_role', { name: 'builder', assume_role_policy: '{"Statement":[]}' }, { arn: true }),
            change('aws_codebuild_project.a', 'aws_codebuild_project', {
              service_role: 'builder',
              source: [{ type: 'GITHUB', location: 'https://github.com/e/a.git', buildspec: '', git_clone_depth: 1, report_build_status: true }],
              secondary_sources: [{ type: 'S3', source_identifier: 'assets', location: 'bucket/assets.zip' }],
              source_version: 'main',
              environment: [{ environment_variable: [{ name: 'NPM_TOKEN', value: 'npm_PlantedValueMMMMMMMMMMMMMMMMM', type: 'PLAINTEXT' }, { name: 'DB', value: '/ci/db', type: 'PARAMETER_STORE' }] }],
            }, { name: true }),
            change('aws_codebuild_webhook.a', 'aws_codebuild_webhook', { filter_group: [{ filter: [{ type: 'EVENT', pattern: 'PUSH', exclude_matched_pattern: false }] }], secret: 'webhook-secret-NNNN' }, { project_name: true }, { secret: true }),
          ],
          [config('aws_codebuild_webhook.a', 'aws_codebuild_webhook', { project_name: ref('aws_codebuild_project.a.name', 'aws_codebuild_project.a') })],
        ),
        { account: '111122223333', region: 'us-east-1' },
      ),
    );
    const p = s.buildProjects[0];
    expect(p).toMatchObject({
      name: `iac:test/fixtures/iac/terraform/inline/plan.json#aws_codebuild_project.a`,
      serviceRole: 'arn:aws:iam::111122223333:role/iac:test/fixtures/iac/terraform/inline/plan.json#aws_iam_role.b',
      source: { type: 'GITHUB', location: 'https://github.com/e/a.git', gitCloneDepth: 1, reportBuildStatus: true },
      secondarySources: [{ type: 'S3', sourceIdentifier: 'assets', location: 'bucket/assets.zip' }],
      sourceVersion: 'main',
      environmentVariables: [{ name: 'NPM_TOKEN', type: 'PLAINTEXT' }, { name: 'DB', type: 'PARAMETER_STORE' }],
      webhook: { filterGroups: [[{ type: 'EVENT', pattern: 'PUSH', excludeMatchedPattern: false }]] },
    });
    expect(p?.unreadable?.map((u) => u.field)).toEqual(['name']);
    expect(JSON.stringify(s)).not.toMatch(/npm_Planted|webhook-secret/);
    expect(validate(s), JSON.stringify(validate.errors)).toBe(true);
  });

  it('a CODECONNECTIONS credential whose token names nothing in the plan keeps no resource, unknown', async () => {
    const s = snapshotOf(
      await loadText(plan([change('aws_codebuild_source_credential.c', 'aws_codebuild_source_credential', { auth_type: 'CODECONNECTIONS', server_type: 'GITHUB', token: 'arn:aws:codeconnections:us-east-1:111122223333:connection/abc' }, {}, { token: true })]), { account: '111122223333' }),
    );
    expect(s.sourceCredentials[0]?.resource).toBeUndefined();
    expect(s.sourceCredentials[0]?.unreadable?.map((u) => [u.field, u.errorCode])).toEqual([['resource', 'Sensitive']]);
    expect(JSON.stringify(s)).not.toContain('connection/abc');
  });
});

describe('secrets in the demo plan’s CI resources, wherever a plan carries them', () => {
  const TOKEN = 'ghp_TfFuzzPlantedToken0123456789ABCDEFGH';
  type J = Record<string, unknown>;
  const doc = JSON.parse(readFileSync(PLAN, 'utf8')) as { resource_changes: Array<{ type: string; change: { after: J | null; after_sensitive: unknown } }> };

  it('never reach the model, sensitive-marked or not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.boolean(), async (marked, inUrl) => {
        const d = structuredClone(doc);
        for (const r of d.resource_changes) {
          const a = r.change.after;
          if (!a) continue;
          if (r.type === 'aws_codepipeline') {
            for (const st of (a.stage as J[] | undefined) ?? []) for (const act of (st.action as J[] | undefined) ?? []) {
              act.configuration = { ...(act.configuration as J), OAuthToken: TOKEN, ClientSecret: TOKEN, EnvironmentVariables: JSON.stringify([{ name: 'T', value: TOKEN }]) };
            }
            if (marked) r.change.after_sensitive = { stage: ((a.stage as J[]) ?? []).map((st) => ({ action: ((st.action as J[]) ?? []).map(() => ({ configuration: { OAuthToken: true, ClientSecret: true } })) })) };
          }
          if (r.type === 'aws_codebuild_project') {
            for (const e of (a.environment as J[] | undefined) ?? []) e.environment_variable = [{ name: 'T', value: TOKEN, type: 'PLAINTEXT' }];
            for (const src of (a.source as J[] | undefined) ?? []) {
              if (inUrl) src.location = `https://x-access-token:${TOKEN}@github.com/e/a.git`;
              src.buildspec = `version: 0.2\nenv:\n  variables:\n    T: ${TOKEN}\n`;
            }
          }
          if (r.type === 'aws_codebuild_source_credential') a.token = TOKEN;
          if (r.type === 'aws_codebuild_webhook') a.secret = TOKEN;
        }
        const text = JSON.stringify(await loadText(JSON.stringify(d), { account: '111122223333' }, PLAN));
        expect(text).not.toContain('TfFuzzPlanted');
      }),
      { numRuns: 8 },
    );
  });
});

describe('the CI resources of the demo plan, mutated', () => {
  type J = null | boolean | number | string | J[] | { [k: string]: J };
  const CI = new Set(['aws_codepipeline', 'aws_codebuild_project', 'aws_codebuild_webhook', 'aws_codebuild_source_credential']);
  const doc = JSON.parse(readFileSync(PLAN, 'utf8')) as { [k: string]: J };
  const paths: Array<Array<string | number>> = [];
  const walk = (v: J, at: Array<string | number>): void => {
    paths.push(at);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) walk(v[k] as J, [...at, k]);
  };
  (doc.resource_changes as J[]).forEach((r, i) => {
    if (r !== null && typeof r === 'object' && !Array.isArray(r) && CI.has(r.type as string)) walk(r, ['resource_changes', i]);
  });
  const root = (doc.configuration as { [k: string]: J }).root_module as { [k: string]: J };
  (root.resources as J[]).forEach((r, i) => {
    if (r !== null && typeof r === 'object' && !Array.isArray(r) && CI.has(r.type as string)) walk(r, ['configuration', 'root_module', 'resources', i]);
  });
  const setAt = (d: J, path: Array<string | number>, value: J | undefined): void => {
    let node = d as { [k: string]: J };
    for (const k of path.slice(0, -1)) node = (node as { [k: string]: J })[k as string] as { [k: string]: J };
    if (node === null || typeof node !== 'object') return;
    const last = path[path.length - 1] as string;
    if (value === undefined) {
      if (Array.isArray(node)) node.splice(Number(last), 1);
      else delete node[last];
    } else node[last] = value;
  };

  it('give a schema-valid load or a UserError, never another error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(paths.length - 1), fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined })), { minLength: 1, maxLength: 4 }), async (edits) => {
        const d = structuredClone(doc) as J;
        for (const [i, v] of edits) {
          try {
            setAt(d, paths[i] as Array<string | number>, v as J | undefined);
          } catch {
            // The path went away with an earlier edit.
          }
        }
        try {
          const l = await loadText(JSON.stringify(d), { account: '111122223333' }, PLAN);
          for (const u of l.units) for (const w of u.worlds) expect(validate(w.snapshot), JSON.stringify(validate.errors?.[0])).toBe(true);
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
        }
      }),
      { numRuns: 200 },
    );
  });
});
