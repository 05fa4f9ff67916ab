// Terraform plans (`terraform show -json PLAN`) → the snapshot model: the estate as it will be
// after apply, one unit per plan with one world (a plan has no conditions left), resources
// located in the .tf files of their module. See docs/iac.md.

import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError, located } from '../../../errors.js';
import { lineColAt, parseJsonText } from '../../../io/files.js';
import { IAC_UNKNOWN_ACCOUNT, IAC_UNKNOWN_REGION, iacArn, parseArn } from '../../../model/arn.js';
import { emptySnapshot } from '../../../model/empty.js';
import type { ResourceKind, Snapshot } from '../../../model/types.js';
import { displayPath } from '../index.js';
import type { IacLoad, IacOptions } from '../types.js';
import { CODECONNECTIONS_TYPES, mapCodeConnections } from './codeconnections.js';
import { readConfiguration, type Configuration } from './configuration.js';
import { blockFinder, originId, type Env, type MapContext } from './context.js';
import { cmp, EC2_TYPES, mapEc2 } from './ec2.js';
import { IAM_TYPES, mapIam } from './iam.js';
import { TfCiRefs } from './ci-refs.js';
import { CODEBUILD_TYPES, mapCodeBuild } from './codebuild.js';
import { mapPipelines, PIPELINE_TYPES } from './codepipeline.js';
import { attr, isObject, readPlan, type Json, type TfPlan, type TfResource } from './plan.js';

/** `terraform show -json` output: an object with `format_version` and `resource_changes`. */
export function isTerraformPlanText(text: string): boolean {
  const head = text.slice(0, 4096);
  return /^\s*\{/.test(head) && /"format_version"\s*:/.test(head) && text.includes('"resource_changes"');
}

const MAPPED = new Set<string>([...EC2_TYPES, ...CODECONNECTIONS_TYPES, ...IAM_TYPES, ...PIPELINE_TYPES, ...CODEBUILD_TYPES]);

/** Resource types whose `arn` names a model resource: the kind (and ARN service) of its IaC identity. */
const KIND_OF: Record<string, [ResourceKind, string?]> = {
  aws_vpc_endpoint_service: ['endpointService'],
  aws_vpc_endpoint: ['vpcEndpoint'],
  aws_codestarconnections_connection: ['connection', 'codestar-connections'],
  aws_codeconnections_connection: ['connection', 'codeconnections'],
  aws_codestarconnections_host: ['host', 'codestar-connections'],
  aws_codeconnections_host: ['host', 'codeconnections'],
  aws_iam_role: ['iamRole'],
  aws_iam_user: ['iamUser'],
  aws_iam_group: ['iamGroup'],
  aws_iam_policy: ['iamPolicy'],
  aws_codepipeline: ['pipeline'],
  aws_codebuild_project: ['buildProject'],
  aws_codebuild_source_credential: ['sourceCredential'],
};

const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

export async function loadTerraformPlan(file: string, text: string, options: IacOptions): Promise<IacLoad> {
  const shownFile = displayPath(file, options);
  const doc = parsePlanJson(text, shownFile);
  const plan = readPlan(shownFile, doc);
  const config = readConfiguration(plan.root);
  const account = accountOf(plan, options);
  const rootDir = tfRootDir(file, options);
  const find = blockFinder(rootDir, config);

  const byType = new Map<string, TfResource[]>();
  let unmapped = 0;
  // Every managed resource, mapped or not: joins follow references to unmapped ones (aws_vpc).
  for (const r of plan.resources) {
    if (!MAPPED.has(r.type)) unmapped++;
    let list = byType.get(r.type);
    if (!list) byType.set(r.type, (list = []));
    list.push(r);
  }

  const envs = new Map<TfResource, Env>();
  const blocks = new Map<TfResource, ReturnType<MapContext['blockOf']>>();
  const regionFor = regionResolver(config, options);
  const ctx: MapContext = {
    planFile: shownFile,
    config,
    byType,
    envOf(r) {
      let env = envs.get(r);
      if (!env) {
        const region = regionFor(r);
        env = { partition: partitionOf(region), account: account ?? IAC_UNKNOWN_ACCOUNT, accountKnown: account !== undefined, region };
        envs.set(r, env);
      }
      return env;
    },
    blockOf(r) {
      // Asked again for every resource joined to another: found (and its path made relative) once.
      if (blocks.has(r)) return blocks.get(r);
      const found = find(r);
      const out = found ? { block: found.block, file: displayPath(join(found.dir, found.block.file), options) } : undefined;
      blocks.set(r, out);
      return out;
    },
    arnAliases: new Map(),
  };
  // A resource that exists keeps the plan's identity; attachments naming its real ARN follow it.
  for (const [type, list] of byType) {
    const k = KIND_OF[type];
    if (!k) continue;
    for (const r of list) {
      const a = attr(r, 'arn');
      if (a.kind !== 'known' || typeof a.value !== 'string') continue;
      const env = ctx.envOf(r);
      ctx.arnAliases.set(a.value, iacArn(k[0], env.partition, k[0].startsWith('iam') ? '' : env.region, env.account, originId(ctx, r), k[1]));
    }
  }

  const ec2 = mapEc2(ctx);
  const cc = mapCodeConnections(ctx);
  const iam = mapIam(ctx);
  const refs = new TfCiRefs(ctx);
  const builds = mapCodeBuild(ctx, refs);
  const pipelines = mapPipelines(ctx, refs);
  const regions = [...new Set(plan.resources.filter((r) => MAPPED.has(r.type)).map((r) => ctx.envOf(r).region))].sort();
  const partition = partitionOf(regions[0] ?? options.region ?? IAC_UNKNOWN_REGION);
  const snapshot: Snapshot = emptySnapshot({
    generatedAt: (options.now ?? new Date()).toISOString(),
    source: { kind: 'iac', description: shownFile },
    scope: { partition, accounts: [account ?? IAC_UNKNOWN_ACCOUNT], regions: regions.length > 0 ? regions : [options.region && REGION.test(options.region) ? options.region : IAC_UNKNOWN_REGION] },
    connections: byArn(cc.connections),
    hosts: byArn(cc.hosts),
    vpcEndpoints: byArn(ec2.vpcEndpoints),
    endpointServices: byArn(ec2.endpointServices),
    iamUsers: byArn(iam.iamUsers),
    iamGroups: byArn(iam.iamGroups),
    iamRoles: byArn(iam.iamRoles),
    iamPolicies: byArn(iam.iamPolicies),
    pipelines: byArn(pipelines),
    buildProjects: byArn(builds.buildProjects),
    sourceCredentials: byArn(builds.sourceCredentials),
  });
  return {
    units: [{ name: shownFile, format: 'terraform', worlds: [{ label: '', snapshot }] }],
    inputs: [{ file: shownFile, format: 'terraform', resources: plan.resources.length, unmapped }],
    skipped: [],
  };
}

/** The plan's JSON: parseJsonText bounds nesting, places errors and never quotes the text (a plan holds tokens). */
function parsePlanJson(text: string, file: string): unknown {
  return parseJsonText(text, file, 'Terraform plan');
}

function byArn<T extends { arn: string }>(list: T[]): T[] {
  return list.sort((a, b) => cmp(a.arn, b.arn));
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

/**
 * The account: `--account`, else the first 12-digit account in an ARN the plan knows (a
 * resource that exists, in resource_changes then prior_state; `aws_caller_identity`), else none.
 */
function accountOf(plan: TfPlan, options: IacOptions): string | undefined {
  if (options.account !== undefined) {
    if (!/^[0-9]{12}$/.test(options.account)) throw new UserError(`--account: expected a 12-digit account id, got ${JSON.stringify(options.account.slice(0, 40))}`);
    return options.account;
  }
  for (const d of plan.data) {
    if (d.type === 'aws_caller_identity' && typeof d.after.account_id === 'string' && /^[0-9]{12}$/.test(d.after.account_id) && attr({ after: d.after, unknown: d.unknown, sensitive: false }, 'account_id').kind === 'known') return d.after.account_id;
  }
  for (const r of plan.resources) {
    if (!r.type.startsWith('aws_')) continue;
    const a = attr(r, 'arn');
    if (a.kind === 'known' && typeof a.value === 'string') {
      const acct = parseArn(a.value)?.account;
      if (acct && /^[0-9]{12}$/.test(acct)) return acct;
    }
  }
  return priorStateAccount(plan.root.prior_state);
}

function priorStateAccount(prior: Json | undefined): string | undefined {
  if (!isObject(prior) || !isObject(prior.values)) return undefined;
  const stack: Json[] = [prior.values.root_module ?? null];
  let budget = 100_000;
  while (stack.length > 0 && budget-- > 0) {
    const mod = stack.pop();
    if (!isObject(mod)) continue;
    if (Array.isArray(mod.resources)) {
      for (const r of mod.resources) {
        if (!isObject(r) || typeof r.type !== 'string' || !r.type.startsWith('aws_') || !isObject(r.values)) continue;
        if (r.type === 'aws_caller_identity' && typeof r.values.account_id === 'string' && /^[0-9]{12}$/.test(r.values.account_id)) return r.values.account_id;
        const arn = r.values.arn;
        const acct = typeof arn === 'string' ? parseArn(arn)?.account : undefined;
        if (acct && /^[0-9]{12}$/.test(acct)) return acct;
      }
    }
    if (Array.isArray(mod.child_modules)) for (let i = mod.child_modules.length - 1; i >= 0; i--) stack.push(mod.child_modules[i] as Json);
  }
  return undefined;
}

/**
 * Region of a resource: its provider configuration's region when a constant (or a root variable's
 * value), else the default `aws` provider's, else `--region`, else the symbolic unknown region.
 */
function regionResolver(config: Configuration, options: IacOptions): (r: TfResource) => string {
  const fallback = options.region !== undefined && REGION.test(options.region) ? options.region : IAC_UNKNOWN_REGION;
  const valid = (s: string | undefined): string | undefined => (s !== undefined && REGION.test(s) ? s : undefined);
  const root = valid(config.regions.get('aws'));
  return (r) => {
    const key = config.resources.get(r.configAddress)?.providerKey;
    return valid(key !== undefined ? config.regions.get(key) : undefined) ?? root ?? fallback;
  };
}

/**
 * The root module's directory: the plan file's, when .tf files are there (`terraform show -json
 * plan > plan.json` in the module), else the working directory (a plan written elsewhere, e.g.
 * `out/plan.json`, scanned from the module's directory).
 */
function tfRootDir(file: string, options: IacOptions): string {
  const dir = dirname(file);
  if (hasTf(dir)) return dir;
  return options.cwd ?? process.cwd();
}

function hasTf(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => n.endsWith('.tf'));
  } catch {
    return false;
  }
}
