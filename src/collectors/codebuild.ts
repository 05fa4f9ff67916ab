// CodeBuild: the build projects of one account and region (ListProjects, then BatchGetProjects in
// chunks of 100 names) and its source credentials (ListSourceCredentials).
//
// Never stored: environment variable values (a PLAINTEXT one may be a token), credentials in a
// source location, the values of a buildspec's env.variables, a webhook's secret. The redaction
// is redact.ts's, shared with the IaC sources.
//
// A chunk BatchGetProjects cannot read leaves its projects out and makes the region's project
// listing a gap (one per error code, no field): the projects read are judged, and every rule on
// build projects also gives one unknown for the account and region, since the set is incomplete.
// A name in projectsNotFound was deleted between the two calls: it is not there, and not an error.

import {
  BatchGetProjectsCommand,
  ListProjectsCommand,
  ListSourceCredentialsCommand,
  type CodeBuildClient,
  type Project,
  type ProjectSource,
  type SourceCredentialsInfo,
  type Webhook,
} from '@aws-sdk/client-codebuild';
import { buildProjectArn } from '../model/arn.js';
import type { BuildProject, BuildSource, BuildWebhook, CoverageGap, SourceCredential, Tags, UnreadableField, WebhookFilter } from '../model/types.js';
import { gapFrom, isCredentialError } from './gaps.js';
import { listAll } from './paging.js';
import { mapPool } from './pool.js';
import { buildspecFields, redactLocation } from './redact.js';
import type { Collected, Target } from './types.js';
import { compare, list, str } from './untyped.js';

export const CODEBUILD_OPERATIONS: readonly string[] = ['ListProjects', 'BatchGetProjects', 'ListSourceCredentials'];

const SERVICE = 'codebuild';
/** BatchGetProjects takes at most 100 names (botocore ProjectNames: max 100). */
export const PROJECTS_PER_BATCH = 100;
const BATCH_CONCURRENCY = 4;

export async function collectBuildProjects(client: CodeBuildClient, target: Target): Promise<Collected> {
  let names: string[];
  try {
    names = await listAll(async (nextToken) => {
      const page = await client.send(new ListProjectsCommand({ nextToken }));
      return { items: Array.isArray(page.projects) ? page.projects.filter((n): n is string => typeof n === 'string' && n !== '') : [], next: page.nextToken };
    });
  } catch (err) {
    if (isCredentialError(err)) throw err;
    return { buildProjects: [], coverage: [gapFrom(err, { target, service: SERVICE, operation: 'ListProjects', resourceKinds: ['buildProject'] })] };
  }
  const unique = [...new Set(names)].sort(compare);
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += PROJECTS_PER_BATCH) chunks.push(unique.slice(i, i + PROJECTS_PER_BATCH));

  const read = await mapPool(chunks, BATCH_CONCURRENCY, async (chunk): Promise<{ projects: BuildProject[]; gap?: CoverageGap }> => {
    try {
      const out = await client.send(new BatchGetProjectsCommand({ names: chunk }));
      const asked = new Set(chunk);
      // Only what was asked for: an answer naming other projects is not this chunk's.
      const projects = (Array.isArray(out.projects) ? out.projects : []).filter((p) => typeof p?.name === 'string' && asked.has(p.name));
      return { projects: projects.map((p) => fromProject(p, target)) };
    } catch (err) {
      if (isCredentialError(err)) throw err;
      return { projects: [], gap: gapFrom(err, { target, service: SERVICE, operation: 'BatchGetProjects', resourceKinds: ['buildProject'] }) };
    }
  });
  const byCode = new Map<string, CoverageGap>();
  for (const r of read) if (r.gap && !byCode.has(r.gap.errorCode)) byCode.set(r.gap.errorCode, r.gap);
  const seen = new Set<string>();
  const buildProjects = read
    .flatMap((r) => r.projects)
    .filter((p) => !seen.has(p.arn) && seen.add(p.arn))
    .sort((a, b) => compare(a.arn, b.arn));
  return { buildProjects, coverage: [...byCode.values()] };
}

export async function collectSourceCredentials(client: CodeBuildClient, target: Target): Promise<Collected> {
  let infos: SourceCredentialsInfo[];
  try {
    const out = await client.send(new ListSourceCredentialsCommand({}));
    infos = Array.isArray(out.sourceCredentialsInfos) ? out.sourceCredentialsInfos : [];
  } catch (err) {
    if (isCredentialError(err)) throw err;
    return { sourceCredentials: [], coverage: [gapFrom(err, { target, service: SERVICE, operation: 'ListSourceCredentials', resourceKinds: ['sourceCredential'] })] };
  }
  const byArn = new Map<string, SourceCredential>();
  for (const c of infos) {
    // An entry without an ARN cannot be named or told apart; AWS always sends one.
    if (typeof c?.arn !== 'string' || c.arn === '' || byArn.has(c.arn)) continue;
    byArn.set(c.arn, {
      arn: c.arn,
      account: target.account,
      region: target.region,
      tags: {},
      serverType: str(c.serverType) ?? '',
      authType: str(c.authType) ?? '',
      ...(str(c.resource) !== undefined && c.resource !== '' ? { resource: c.resource as string } : {}),
    });
  }
  return { sourceCredentials: [...byArn.values()].sort((a, b) => compare(a.arn, b.arn)), coverage: [] };
}

function fromProject(p: Project, target: Target): BuildProject {
  const name = p.name as string;
  const unreadable: UnreadableField[] = [];
  const missing = (field: string, what: string): void => {
    unreadable.push({ field, operation: 'BatchGetProjects', errorCode: 'InvalidResponse', message: `BatchGetProjects answered ${name} ${what}` });
  };
  const serviceRole = str(p.serviceRole);
  if (serviceRole === undefined) missing('serviceRole', 'without a serviceRole');
  let source: BuildSource = { type: '' };
  if (p.source !== null && typeof p.source === 'object') {
    const read = fromSource(p.source);
    source = read.source;
    if (read.unread) missing('source', `with a source it cannot hold: ${read.unread}`);
  } else missing('source', 'without a source');
  const secondary = list(p.secondarySources).map(fromSource);
  const unreadSecondary = secondary.find((s) => s.unread);
  if (unreadSecondary) missing('secondarySources', `with a secondary source it cannot hold: ${unreadSecondary.unread}`);
  const webhook = fromWebhook(p.webhook);
  return {
    // Built, not taken: the account and region are the ones read, whatever the answer names.
    arn: buildProjectArn(target.partition, target.region, target.account, name),
    account: target.account,
    region: target.region,
    tags: tagsOf(p.tags),
    ...(unreadable.length > 0 ? { unreadable } : {}),
    name,
    serviceRole: serviceRole ?? '',
    source,
    secondarySources: secondary.map((s) => s.source),
    ...(str(p.sourceVersion) !== undefined ? { sourceVersion: p.sourceVersion as string } : {}),
    ...(webhook ? { webhook } : {}),
    // Names and types: a value, PLAINTEXT above all, is never kept.
    environmentVariables: list(p.environment?.environmentVariables).flatMap((v) => (str(v?.name) !== undefined ? [{ name: v.name as string, type: str(v.type) ?? 'PLAINTEXT' }] : [])),
  };
}

/** A source with credentials removed; `unread` when its location could not be read at all. */
function fromSource(s: ProjectSource): { source: BuildSource; unread?: string } {
  const out: BuildSource = { type: str(s?.type) ?? '' };
  let unread: string | undefined;
  const location = str(s?.location);
  if (location !== undefined && location !== '') {
    const r = redactLocation(location);
    if (r.unread !== undefined) unread = r.unread;
    else {
      out.location = r.location;
      out.locationHadCredentials = r.hadCredentials;
    }
  }
  if (str(s?.sourceIdentifier) !== undefined) out.sourceIdentifier = s.sourceIdentifier as string;
  if (s?.auth !== null && typeof s?.auth === 'object' && str(s.auth.type) !== undefined) {
    out.auth = { type: s.auth.type as string, ...(str(s.auth.resource) !== undefined && s.auth.resource !== '' ? { resource: s.auth.resource as string } : {}) };
  }
  const spec = buildspecFields(str(s?.buildspec));
  if (spec.buildspec !== undefined) out.buildspec = spec.buildspec;
  if (spec.buildspecFile !== undefined) out.buildspecFile = spec.buildspecFile;
  if (typeof s?.gitCloneDepth === 'number' && Number.isInteger(s.gitCloneDepth) && s.gitCloneDepth >= 0) out.gitCloneDepth = s.gitCloneDepth;
  if (typeof s?.reportBuildStatus === 'boolean') out.reportBuildStatus = s.reportBuildStatus;
  return { source: out, ...(unread !== undefined ? { unread } : {}) };
}

/** The webhook's filter groups and build type; its secret and URLs are not kept. */
function fromWebhook(w: Webhook | undefined): BuildWebhook | undefined {
  if (w === null || typeof w !== 'object') return undefined;
  const filterGroups = list(w.filterGroups).map((group) =>
    list(group).flatMap((f): WebhookFilter[] =>
      str(f?.type) !== undefined && str(f?.pattern) !== undefined
        ? [{ type: f.type as string, pattern: f.pattern as string, ...(typeof f.excludeMatchedPattern === 'boolean' ? { excludeMatchedPattern: f.excludeMatchedPattern } : {}) }]
        : [],
    ),
  );
  return { filterGroups, ...(str(w.buildType) !== undefined ? { buildType: w.buildType as string } : {}) };
}

function tagsOf(tags: Project['tags']): Tags {
  const out: Tags = {};
  for (const t of list(tags)) if (typeof t?.key === 'string') Object.defineProperty(out, t.key, { value: typeof t.value === 'string' ? t.value : '', enumerable: true, writable: true, configurable: true });
  return out;
}
