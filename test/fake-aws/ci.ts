// The fake's CodePipeline and CodeBuild (JSON 1.1, targets CodePipeline_20150709.* and
// CodeBuild_20161006.*), served from a snapshot's pipelines, build projects and source
// credentials; member names from botocore's models and the SDK's (for what came after 2022).
//
// What the snapshot holds redacted is served as AWS would hold it: with a secret in its place
// (PLANTED_SECRET: an OAuth token, a PLAINTEXT variable's value, credentials in a source URL, a
// buildspec variable, a webhook secret), so that a collection that keeps any of it shows the
// planted text, and one that keeps none reads back the snapshot.
import { parseDocument } from 'yaml';
import type { BuildProject, BuildSource, GitFilterList, Pipeline, SourceCredential } from '../../src/model/types.js';

export const PLANTED_SECRET = 'PLANTEDwireSECRET0123456789';

const SECRET_KEY = /token|secret|password|passwd|credential|api_?key|private_?key/i;
const EPOCH = 1767225600;

export interface CiRequest {
  account: string;
  region: string;
  operation: string;
  json: Record<string, unknown>;
}

type Json = (status: number, value: unknown) => void;
type Page = <T>(items: readonly T[], token: unknown) => { items: T[]; next?: string };

/** Answers a CodePipeline request from the snapshot's pipelines of the request's account and region. */
export function answerCodePipeline(r: CiRequest, pipelines: readonly Pipeline[], json: Json, page: Page): void {
  if (r.operation === 'ListPipelines') {
    const p = page(pipelines, r.json.nextToken);
    return json(200, {
      pipelines: p.items.map((x) => ({ name: x.name, version: 1, pipelineType: x.pipelineType, ...(x.executionMode ? { executionMode: x.executionMode } : {}), created: EPOCH, updated: EPOCH })),
      ...(p.next ? { nextToken: p.next } : {}),
    });
  }
  if (r.operation === 'GetPipeline') {
    const x = pipelines.find((p) => p.name === r.json.name);
    if (!x) return json(400, { __type: 'PipelineNotFoundException', message: `Account ${r.account} does not have a pipeline with name ${String(r.json.name)}` });
    return json(200, { pipeline: declaration(x), metadata: { pipelineArn: x.arn, created: EPOCH, updated: EPOCH } });
  }
  return json(400, { __type: 'UnknownOperationException', message: r.operation });
}

function declaration(p: Pipeline): Record<string, unknown> {
  return {
    name: p.name,
    roleArn: p.roleArn,
    artifactStore: { type: 'S3', location: `codepipeline-${p.region}-artifacts` },
    stages: p.stages.map((s) => ({
      name: s.name,
      actions: s.actions.map((a) => ({
        name: a.name,
        actionTypeId: a.actionType,
        ...(a.runOrder !== undefined ? { runOrder: a.runOrder } : {}),
        configuration: Object.fromEntries(Object.entries(a.configuration).map(([k, v]) => [k, planted(k, v)])),
        outputArtifacts: a.outputArtifacts.map((name) => ({ name })),
        inputArtifacts: a.inputArtifacts.map((name) => ({ name })),
        ...(a.roleArn ? { roleArn: a.roleArn } : {}),
        ...(a.region ? { region: a.region } : {}),
        ...(a.namespace ? { namespace: a.namespace } : {}),
      })),
    })),
    version: 1,
    ...(p.executionMode ? { executionMode: p.executionMode } : {}),
    // A V1 pipeline created before V2 existed answers without a type.
    ...(p.pipelineType === 'V2' ? { pipelineType: 'V2' } : {}),
    ...(p.triggers.length > 0
      ? {
          triggers: p.triggers.map((t) => ({
            providerType: t.providerType,
            gitConfiguration: {
              sourceActionName: t.sourceActionName,
              push: t.push.map((f) => ({ ...criteria('branches', f.branches), ...criteria('tags', f.tags), ...criteria('filePaths', f.filePaths) })),
              pullRequest: t.pullRequest.map((f) => ({ events: f.events, ...criteria('branches', f.branches), ...criteria('filePaths', f.filePaths) })),
            },
          })),
        }
      : {}),
  };
}

function criteria(key: string, list: GitFilterList | undefined): Record<string, unknown> {
  if (!list) return {};
  return { [key]: { ...(list.includes.length > 0 ? { includes: list.includes } : {}), ...(list.excludes.length > 0 ? { excludes: list.excludes } : {}) } };
}

/** A configuration value as AWS holds it: the secret the snapshot redacted put back. */
function planted(key: string, value: string): string {
  if (value === 'REDACTED') return SECRET_KEY.test(key) ? PLANTED_SECRET : '****';
  return value.replaceAll('REDACTED@', `ci:${PLANTED_SECRET}@`).replaceAll('"value":"REDACTED"', `"value":"${PLANTED_SECRET}"`);
}

/** Answers a CodeBuild request from the snapshot's projects and source credentials of the request's account and region. */
export function answerCodeBuild(r: CiRequest, projects: readonly BuildProject[], credentials: readonly SourceCredential[], json: Json, page: Page): void {
  if (r.operation === 'ListProjects') {
    const p = page(projects.map((x) => x.name), r.json.nextToken);
    return json(200, { projects: p.items, ...(p.next ? { nextToken: p.next } : {}) });
  }
  if (r.operation === 'BatchGetProjects') {
    const names = Array.isArray(r.json.names) ? (r.json.names as string[]) : [];
    if (names.length === 0 || names.length > 100) return json(400, { __type: 'InvalidInputException', message: `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 100` });
    const found = names.flatMap((n) => projects.filter((x) => x.name === n));
    return json(200, { projects: found.map(wireProject), projectsNotFound: names.filter((n) => !found.some((x) => x.name === n)) });
  }
  if (r.operation === 'ListSourceCredentials') {
    return json(200, { sourceCredentialsInfos: credentials.map((c) => ({ arn: c.arn, serverType: c.serverType, authType: c.authType, ...(c.resource ? { resource: c.resource } : {}) })) });
  }
  return json(400, { __type: 'InvalidInputException', message: `unknown operation ${r.operation}` });
}

function wireProject(p: BuildProject): Record<string, unknown> {
  return {
    name: p.name,
    arn: p.arn,
    source: wireSource(p.source),
    secondarySources: p.secondarySources.map(wireSource),
    ...(p.sourceVersion !== undefined ? { sourceVersion: p.sourceVersion } : {}),
    artifacts: { type: 'NO_ARTIFACTS' },
    environment: {
      type: 'LINUX_CONTAINER',
      image: 'aws/codebuild/standard:7.0',
      computeType: 'BUILD_GENERAL1_SMALL',
      environmentVariables: p.environmentVariables.map((v) => ({ name: v.name, type: v.type, value: v.type === 'PLAINTEXT' ? PLANTED_SECRET : `/ci/${v.name}` })),
      privilegedMode: false,
    },
    serviceRole: p.serviceRole,
    timeoutInMinutes: 60,
    tags: Object.entries(p.tags).map(([key, value]) => ({ key, value })),
    created: EPOCH,
    lastModified: EPOCH,
    ...(p.webhook
      ? {
          webhook: {
            url: `https://api.github.com/repos/example/${p.name}/hooks/1`,
            payloadUrl: `https://codebuild.${p.region}.amazonaws.com/webhooks?t=x&v=1`,
            secret: PLANTED_SECRET,
            filterGroups: p.webhook.filterGroups,
            ...(p.webhook.buildType ? { buildType: p.webhook.buildType } : {}),
            lastModifiedSecret: EPOCH,
          },
        }
      : {}),
  };
}

function wireSource(s: BuildSource): Record<string, unknown> {
  return {
    type: s.type,
    ...(s.location !== undefined ? { location: s.locationHadCredentials ? s.location.replace('REDACTED@', `x-token-auth:${PLANTED_SECRET}@`) : s.location } : {}),
    ...(s.gitCloneDepth !== undefined ? { gitCloneDepth: s.gitCloneDepth } : {}),
    ...(s.buildspec !== undefined ? { buildspec: plantedBuildspec(s.buildspec) } : s.buildspecFile !== undefined ? { buildspec: s.buildspecFile } : {}),
    ...(s.auth ? { auth: s.auth } : {}),
    ...(s.reportBuildStatus !== undefined ? { reportBuildStatus: s.reportBuildStatus } : {}),
    insecureSsl: false,
    ...(s.sourceIdentifier !== undefined ? { sourceIdentifier: s.sourceIdentifier } : {}),
  };
}

/** The buildspec as its author wrote it: a secret in each env.variables value, and a comment. */
function plantedBuildspec(text: string): string {
  const doc = parseDocument(text);
  const variables = doc.getIn(['env', 'variables']) as { items?: Array<{ value: unknown }> } | undefined;
  for (const pair of variables?.items ?? []) pair.value = doc.createNode(PLANTED_SECRET);
  return `# deploy token: ${PLANTED_SECRET}\n${doc.toString()}`;
}
