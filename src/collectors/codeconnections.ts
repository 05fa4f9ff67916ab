// CodeConnections (formerly CodeStar Connections): connections and hosts with their tags.
//
// Connections are global resources: ListConnections in any region returns every connection of
// the account, each ARN naming the region that controls it. They are therefore listed once per
// account and placed in the ARN's region. Hosts are regional and listed per region.

import {
  ListConnectionsCommand,
  ListHostsCommand,
  ListTagsForResourceCommand,
  type CodeStarConnectionsClient,
  type Connection as SdkConnection,
  type Host as SdkHost,
} from '@aws-sdk/client-codestar-connections';
import { parseArn } from '../model/arn.js';
import type { Connection, CoverageGap, Host, ResourceKind, Tags, UnreadableField } from '../model/types.js';
import { gapFrom, isCredentialError } from './gaps.js';
import { listAll } from './paging.js';
import { mapPool } from './pool.js';
import type { Collected, Target } from './types.js';

export const CODECONNECTIONS_OPERATIONS: readonly string[] = ['ListConnections', 'ListHosts', 'ListTagsForResource'];

const SERVICE = 'codeconnections';
/** botocore codestar-connections 2019-12-01: MaxResults is 0..100 for ListConnections and ListHosts. */
const PAGE_SIZE = 100;
/**
 * ListTagsForResource calls in flight at once for one account. Throttling is the Pacer's (it
 * paces to the bucket's refill and sends throttled calls again), so this only keeps an account
 * with hundreds of connections from holding the collection's whole request budget.
 */
const TAG_CONCURRENCY = 16;

export async function collectConnections(client: CodeStarConnectionsClient, target: Target): Promise<Collected> {
  let listed: SdkConnection[];
  try {
    listed = await listAll(async (NextToken) => {
      const page = await client.send(new ListConnectionsCommand({ MaxResults: PAGE_SIZE, NextToken }));
      return { items: page.Connections ?? [], next: page.NextToken };
    });
  } catch (err) {
    return { connections: [], coverage: [listingGap(err, target, 'ListConnections', 'connection')] };
  }

  // A page boundary can repeat an entry; the ARN is the identity, so keep its first sighting.
  const byArn = new Map<string, SdkConnection & { ConnectionArn: string }>();
  for (const c of listed) {
    // An entry without an ARN cannot be named, judged or de-duplicated; AWS always sends one.
    if (c.ConnectionArn && !byArn.has(c.ConnectionArn)) byArn.set(c.ConnectionArn, { ...c, ConnectionArn: c.ConnectionArn });
  }
  const sorted = [...byArn.values()].sort((a, b) => compare(a.ConnectionArn, b.ConnectionArn));
  const { tags, coverage } = await readTags(client, target, sorted.map((c) => c.ConnectionArn), 'connection');

  const connections = sorted.map((c, i): Connection => {
    const t = tags[i] as TagResult;
    return {
      arn: c.ConnectionArn,
      account: target.account,
      // Not target.region: the connection lives in (is controlled from) the region its ARN names.
      region: regionOf(c.ConnectionArn) ?? target.region,
      tags: t.tags,
      ...(t.unreadable ? { unreadable: [t.unreadable] } : {}),
      name: c.ConnectionName ?? '',
      providerType: c.ProviderType ?? '',
      ...(c.OwnerAccountId !== undefined && /^[0-9]{12}$/.test(c.OwnerAccountId) ? { ownerAccountId: c.OwnerAccountId } : {}),
      status: c.ConnectionStatus ?? '',
      ...(c.HostArn ? { hostArn: c.HostArn } : {}),
    };
  });
  return { connections, coverage };
}

export async function collectHosts(client: CodeStarConnectionsClient, target: Target): Promise<Collected> {
  let listed: SdkHost[];
  try {
    listed = await listAll(async (NextToken) => {
      const page = await client.send(new ListHostsCommand({ MaxResults: PAGE_SIZE, NextToken }));
      return { items: page.Hosts ?? [], next: page.NextToken };
    });
  } catch (err) {
    return { hosts: [], coverage: [listingGap(err, target, 'ListHosts', 'host')] };
  }

  const byArn = new Map<string, SdkHost & { HostArn: string }>();
  for (const h of listed) if (h.HostArn && !byArn.has(h.HostArn)) byArn.set(h.HostArn, { ...h, HostArn: h.HostArn });
  const sorted = [...byArn.values()].sort((a, b) => compare(a.HostArn, b.HostArn));
  const { tags, coverage } = await readTags(client, target, sorted.map((h) => h.HostArn), 'host');

  const hosts = sorted.map((h, i): Host => {
    const t = tags[i] as TagResult;
    const vpc = h.VpcConfiguration;
    return {
      arn: h.HostArn,
      account: target.account,
      region: target.region,
      tags: t.tags,
      ...(t.unreadable ? { unreadable: [t.unreadable] } : {}),
      name: h.Name ?? '',
      providerType: h.ProviderType ?? '',
      providerEndpoint: h.ProviderEndpoint ?? '',
      status: h.Status ?? '',
      ...(h.StatusMessage !== undefined ? { statusMessage: h.StatusMessage } : {}),
      ...(vpc?.VpcId
        ? {
            vpcConfiguration: {
              vpcId: vpc.VpcId,
              subnetIds: vpc.SubnetIds ?? [],
              securityGroupIds: vpc.SecurityGroupIds ?? [],
              ...(vpc.TlsCertificate !== undefined ? { tlsCertificate: vpc.TlsCertificate } : {}),
            },
          }
        : {}),
    };
  });
  return { hosts, coverage };
}

interface TagResult {
  tags: Tags;
  unreadable?: UnreadableField;
  gap?: CoverageGap;
}

/**
 * Tags of each ARN, in the order given. ListTagsForResource has no paging (a resource holds at
 * most 200 tags, all returned at once). A failure makes that resource's tags unreadable rather
 * than empty, and is reported as one gap per error code however many resources it hit (the
 * first resource in ARN order gives the message, so the output does not depend on timing).
 */
async function readTags(
  client: CodeStarConnectionsClient,
  target: Target,
  arns: string[],
  kind: ResourceKind,
): Promise<{ tags: TagResult[]; coverage: CoverageGap[] }> {
  const tags = await mapPool(arns, TAG_CONCURRENCY, async (arn): Promise<TagResult> => {
    try {
      const out = await client.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
      const map: Tags = {};
      for (const t of out.Tags ?? []) if (t.Key !== undefined) map[t.Key] = t.Value ?? '';
      return { tags: map };
    } catch (err) {
      if (isCredentialError(err)) throw err;
      const gap = gapFrom(err, { target, service: SERVICE, operation: 'ListTagsForResource', resourceKinds: [kind], field: 'tags' });
      return { tags: {}, unreadable: { field: 'tags', operation: 'ListTagsForResource', errorCode: gap.errorCode, message: gap.message }, gap };
    }
  });
  const byCode = new Map<string, CoverageGap>();
  for (const t of tags) if (t.gap && !byCode.has(t.gap.errorCode)) byCode.set(t.gap.errorCode, t.gap);
  return { tags, coverage: [...byCode.values()] };
}

/** The gap for a listing that failed; credential errors end the run instead (no account is readable). */
function listingGap(err: unknown, target: Target, operation: string, kind: ResourceKind): CoverageGap {
  if (isCredentialError(err)) throw err;
  return gapFrom(err, { target, service: SERVICE, operation, resourceKinds: [kind] });
}

function regionOf(arn: string): string | undefined {
  const region = parseArn(arn)?.region;
  return region ? region : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
