import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { UserError } from '../errors.js';
import { parseArn } from '../model/arn.js';
import { emptySnapshot } from '../model/empty.js';
import { validateSnapshot } from '../model/load.js';
import type { CoverageGap, Snapshot } from '../model/types.js';
import { TOOL_NAME, toolVersion } from '../version.js';
import { clientsFor, type AwsOptions } from './clients.js';
import { collectConnections, collectHosts } from './codeconnections.js';
import { collectEc2 } from './ec2.js';
import { gapFrom, isCredentialError } from './gaps.js';
import { collectIam } from './iam.js';
import { mapPool } from './pool.js';
import type { Collected, Target } from './types.js';

export interface CollectOptions extends AwsOptions {
  /** Regions to read; 'all' = the account's enabled regions; empty = the configured region. */
  regions: readonly string[] | 'all';
  /** Account-regions read at once. */
  concurrency: number;
  /** Where credentials come from, for messages ("profile prod", "the default chain"). */
  credentialSource: string;
  log: (line: string) => void;
}

export interface Identity {
  account: string;
  arn: string;
  partition: string;
}

/** Reads one account: CodeConnections, PrivateLink and IAM, in the given regions. */
export async function collectAccount(options: CollectOptions): Promise<Snapshot> {
  const startedAt = new Date().toISOString();
  const home = await configuredRegion(options);
  const identity = await callerIdentity(home, options);
  options.log(`linkaudit: collecting as ${identity.arn} (account ${identity.account}, credentials from ${options.credentialSource})`);
  const regions = options.regions === 'all' ? await enabledRegions(home, identity, options) : options.regions.length > 0 ? [...options.regions] : [home];

  const parts: Collected[] = [];
  const coverage: CoverageGap[] = [];
  const target = (region: string): Target => ({ partition: identity.partition, account: identity.account, region });
  await guard(options, async () => {
    const homeClients = clientsFor(home, options);
    // Connections are global: every region lists all of them, so one region reads them once.
    parts.push(await collectConnections(homeClients.codeconnections, target(home)));
    parts.push(await collectIam(homeClients.iam, target('global')));
    const perRegion = await mapPool(regions, options.concurrency, async (region) => {
      const clients = clientsFor(region, options);
      const [ec2, hosts] = await Promise.all([collectEc2(clients.ec2, target(region)), collectHosts(clients.codeconnections, target(region))]);
      options.log(`linkaudit: ${identity.account} ${region}: ${ec2.vpcEndpoints?.length ?? 0} VPC endpoints, ${ec2.endpointServices?.length ?? 0} endpoint services, ${hosts.hosts?.length ?? 0} hosts${gapNote([ec2, hosts])}`);
      return [ec2, hosts];
    });
    parts.push(...perRegion.flat());
  });
  for (const p of parts) coverage.push(...spreadConnectionGaps(p.coverage, regions));

  const merged = emptySnapshot({
    generatedAt: startedAt,
    source: { kind: 'live', tool: `${TOOL_NAME} ${toolVersion()}` },
    scope: { partition: identity.partition, accounts: [identity.account], regions: [...regions].sort() },
    connections: dedupe(parts.flatMap((p) => p.connections ?? [])),
    hosts: parts.flatMap((p) => p.hosts ?? []),
    vpcEndpoints: parts.flatMap((p) => p.vpcEndpoints ?? []),
    endpointServices: parts.flatMap((p) => p.endpointServices ?? []),
    iamUsers: parts.flatMap((p) => p.iamUsers ?? []),
    iamGroups: parts.flatMap((p) => p.iamGroups ?? []),
    iamRoles: parts.flatMap((p) => p.iamRoles ?? []),
    iamPolicies: parts.flatMap((p) => p.iamPolicies ?? []),
    coverage,
  });
  // What a collector builds must meet the contract; if it does not, that is our bug.
  try {
    return validateSnapshot(merged, 'collected snapshot');
  } catch (err) {
    throw new Error(`collected data does not match the snapshot schema (a linkaudit bug): ${(err as Error).message}`);
  }
}

/**
 * Connections are listed once per account, but each is homed in a region. A listing that failed
 * leaves every scanned region's connections unknown, not only the region that was asked.
 */
function spreadConnectionGaps(gaps: CoverageGap[], regions: readonly string[]): CoverageGap[] {
  return gaps.flatMap((g) =>
    g.field === undefined && g.resourceKinds.includes('connection') ? [...new Set([g.region, ...regions])].sort().map((region) => ({ ...g, region })) : [g],
  );
}

function gapNote(parts: Collected[]): string {
  const n = parts.reduce((sum, p) => sum + p.coverage.length, 0);
  return n > 0 ? `; ${n} coverage gap(s)` : '';
}

function dedupe<T extends { arn: string }>(items: T[]): T[] {
  return [...new Map(items.map((i) => [i.arn, i])).values()];
}

/** Credential failures stop the run with one message; every other failure is already a gap. */
async function guard<T>(options: CollectOptions, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isCredentialError(err)) throw credentialError(err, options);
    throw err;
  }
}

function credentialError(err: unknown, options: CollectOptions): UserError {
  const e = err as { name?: string; message?: string };
  return new UserError(`AWS credentials from ${options.credentialSource} are missing or not valid: ${e.name ?? 'Error'}: ${(e.message ?? '').split('\n')[0]}`);
}

async function configuredRegion(options: CollectOptions): Promise<string> {
  const probe = new STSClient({});
  try {
    const region = await probe.config.region();
    if (region) return region;
  } catch {
    // No region configured anywhere: said below.
  } finally {
    probe.destroy();
  }
  if (options.regions !== 'all' && options.regions[0]) return options.regions[0];
  throw new UserError(`no AWS region configured for ${options.credentialSource}: pass --region, or set AWS_REGION or a region in the profile`);
}

async function callerIdentity(region: string, options: CollectOptions): Promise<Identity> {
  const sts = clientsFor(region, options).sts;
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    const arn = out.Arn ?? '';
    const account = out.Account ?? parseArn(arn)?.account ?? '';
    return { account, arn, partition: parseArn(arn)?.partition || 'aws' };
  } catch (err) {
    const e = err as { name?: string; message?: string };
    throw new UserError(`cannot identify the caller with credentials from ${options.credentialSource}: ${e.name ?? 'Error'}: ${(e.message ?? '').split('\n')[0]}`);
  }
}

async function enabledRegions(home: string, identity: Identity, options: CollectOptions): Promise<string[]> {
  const ec2 = clientsFor(home, options).ec2;
  try {
    const out = await ec2.send(new DescribeRegionsCommand({ AllRegions: false }));
    return (out.Regions ?? []).map((r) => r.RegionName ?? '').filter((r) => r !== '').sort();
  } catch (err) {
    if (isCredentialError(err)) throw credentialError(err, options);
    const gap = gapFrom(err, { target: { partition: identity.partition, account: identity.account, region: home }, service: 'ec2', operation: 'DescribeRegions', resourceKinds: ['vpcEndpoint'] });
    throw new UserError(`--regions all: cannot list the enabled regions of ${identity.account} (${gap.errorCode}: ${gap.message}); name the regions with --region`);
  }
}
