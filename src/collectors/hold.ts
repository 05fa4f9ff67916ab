// What a collection read must fit the snapshot schema, but what an endpoint sends is not ours to
// trust: an emulator's `vpc-emulator42`, an ARN that is not one, an id listed twice. A resource
// the snapshot cannot hold is kept without the value where it can be: a list or optional field
// becomes unreadable (empty or absent, listed in the resource's `unreadable`) with an InvalidResponse
// field gap naming the operation, the resource and the value, so that only the rules that read it
// say unknown. Where the bad value is the resource's identity or a required scalar, the resource is
// left out and its listing becomes that gap instead. Either way the run goes on. Only data that linkaudit itself made (scope, gaps) failing the schema is a
// bug, and that still ends the run with an internal error.

import { escapeControlChars } from '../io/untrusted-text.js';
import { validateSnapshot } from '../model/load.js';
import { KIND_COLLECTION, RESOURCE_KINDS, type CoverageGap, type ResourceKind, type Snapshot } from '../model/types.js';
import { validator } from '../schema/validate.js';

type Collection = (typeof KIND_COLLECTION)[ResourceKind];

/** The listing each collection is read from, named in its gaps. */
const SOURCE: Readonly<Record<Collection, { service: string; operation: string }>> = {
  connections: { service: 'codeconnections', operation: 'ListConnections' },
  hosts: { service: 'codeconnections', operation: 'ListHosts' },
  vpcEndpoints: { service: 'ec2', operation: 'DescribeVpcEndpoints' },
  endpointServices: { service: 'ec2', operation: 'DescribeVpcEndpointServiceConfigurations' },
  iamUsers: { service: 'iam', operation: 'GetAccountAuthorizationDetails' },
  iamGroups: { service: 'iam', operation: 'GetAccountAuthorizationDetails' },
  iamRoles: { service: 'iam', operation: 'GetAccountAuthorizationDetails' },
  iamPolicies: { service: 'iam', operation: 'GetAccountAuthorizationDetails' },
  pipelines: { service: 'codepipeline', operation: 'GetPipeline' },
  buildProjects: { service: 'codebuild', operation: 'BatchGetProjects' },
  sourceCredentials: { service: 'codebuild', operation: 'ListSourceCredentials' },
};

const KIND_OF = Object.fromEntries(RESOURCE_KINDS.map((k) => [KIND_COLLECTION[k], k])) as Record<Collection, ResourceKind>;
const RESOURCE_POINTER = new RegExp(`^/(${Object.values(KIND_COLLECTION).join('|')})/([0-9]+)(/[^/]*)?`);
const ACCOUNT = /^[0-9]{12}$/;
const REGION = /^(global|[a-z]{2}(-[a-z]+)+-[0-9]+)$/;
const SHOWN = 200;
// What names a resource: without a valid one it cannot be judged or told apart, so it is left out.
const IDENTITY = new Set(['arn', 'account', 'region', 'id', 'name', 'unreadable']);
// Required fields that have no "not read" form (a list becomes empty, tags an empty map).
const REQUIRED_SCALARS = new Set(['status', 'providerType', 'providerEndpoint', 'vpcId', 'serviceName', 'endpointType', 'state', 'privateDnsEnabled', 'requesterManaged', 'serviceType', 'acceptanceRequired', 'defaultVersionId', 'assumeRolePolicy', 'pipelineType', 'roleArn', 'serviceRole', 'source', 'serverType', 'authType']);

/** The collected snapshot, validated; resources it cannot hold replaced by gaps. */
export function holdCollected(collected: Snapshot): Snapshot {
  let snapshot = withoutRepeatedArns(withoutForeignArns(collected));
  const validate = validator('snapshot');
  // Fields already made unreadable: should one still not fit, its resource is left out (so this ends).
  const fixed = new Set<string>();
  // Each round leaves out at least one resource, so this ends; rounds are few (one, in practice).
  for (;;) {
    const valid: boolean = validate(snapshot);
    if (valid) break;
    const bad = new Map<string, { collection: Collection; index: number; field?: string; message: string }>();
    for (const e of validate.errors ?? []) {
      const m = RESOURCE_POINTER.exec(e.instancePath);
      if (!m) throw new Error(`collected data does not match the snapshot schema (a linkaudit bug): ${e.instancePath || '/'}: ${e.message ?? ''}`);
      const collection = m[1] as Collection;
      const index = Number(m[2]);
      const key = `${collection}/${index}`;
      if (!bad.has(key)) bad.set(key, { collection, index, ...(m[3] ? { field: m[3].slice(1) } : {}), message: e.message ?? 'not valid' });
    }
    const next: Snapshot = { ...snapshot, coverage: [...snapshot.coverage] };
    for (const collection of new Set([...bad.values()].map((b) => b.collection))) {
      const items = [...(snapshot[collection] as unknown as Array<Record<string, unknown>>)];
      const dropped = new Set<number>();
      for (const b of bad.values()) {
        if (b.collection !== collection) continue;
        const item = items[b.index] ?? {};
        const value = b.field !== undefined ? item[b.field] : undefined;
        const what = `${SOURCE[collection].operation}: the snapshot cannot hold ${KIND_OF[collection]} ${shown(item.arn)}: ${b.field !== undefined ? `${b.field} ${shown(value)}` : 'the resource'}: ${b.message}`;
        const fieldKey = `${String(item.arn)}\u0000${b.field ?? ''}`;
        if (b.field !== undefined && !IDENTITY.has(b.field) && !fixed.has(fieldKey) && (Array.isArray(value) || !REQUIRED_SCALARS.has(b.field))) {
          fixed.add(fieldKey);
          const { [b.field]: _bad, ...rest } = item;
          const message = `${what}; this field is not read`;
          const unreadable = [...((item.unreadable as unknown[] | undefined) ?? []), { field: b.field, operation: SOURCE[collection].operation, errorCode: 'InvalidResponse', message }];
          items[b.index] = { ...rest, ...(Array.isArray(value) ? { [b.field]: [] } : {}), ...(b.field === 'tags' ? { tags: {} } : {}), unreadable };
          next.coverage.push(...gapsFor(snapshot, collection, item, message).map((g) => ({ ...g, field: b.field as string })));
        } else {
          dropped.add(b.index);
          next.coverage.push(...gapsFor(snapshot, collection, item, `${what}; it is not read`));
        }
      }
      (next as unknown as Record<string, unknown[]>)[collection] = items.filter((_, i) => !dropped.has(i));
    }
    snapshot = next;
  }
  return validateSnapshot(snapshot, 'collected snapshot');
}

/**
 * A resource read in one account whose ARN names another (an endpoint making one up) would be
 * judged, and identified in every report, as the other account's, and could meet that account's
 * own resource of the same ARN: it is left out, with a gap. The AWS managed policies principals
 * attach are the one exception: their ARNs name no account (`arn:aws:iam::aws:policy/…`).
 */
function withoutForeignArns(snapshot: Snapshot): Snapshot {
  let out = snapshot;
  for (const kind of RESOURCE_KINDS) {
    const collection = KIND_COLLECTION[kind];
    const items = out[collection] as ReadonlyArray<{ arn: string; account: string }>;
    const foreign: Array<{ item: Record<string, unknown>; named: string }> = [];
    const kept = items.filter((r) => {
      const named = typeof r.arn === 'string' ? /^arn:[^:]*:[^:]*:[^:]*:([^:]*):/.exec(r.arn)?.[1] : undefined;
      if (named === undefined || named === r.account || (kind === 'iamPolicy' && named === 'aws')) return true;
      foreign.push({ item: r as unknown as Record<string, unknown>, named });
      return false;
    });
    if (foreign.length === 0) continue;
    out = {
      ...out,
      [collection]: kept,
      coverage: [
        ...out.coverage,
        ...foreign.flatMap(({ item, named }) => gapsFor(snapshot, collection, item, `${SOURCE[collection].operation} gave ${kind} ${shown(item.arn)}, whose ARN names account ${shown(named)}, not the account it was read from; it is not read`)),
      ],
    };
  }
  return out;
}

/** An ARN listed twice (a page boundary AWS repeated, an emulator's duplicate ids): the first is kept. */
function withoutRepeatedArns(snapshot: Snapshot): Snapshot {
  let out = snapshot;
  for (const kind of RESOURCE_KINDS) {
    const collection = KIND_COLLECTION[kind];
    const items = snapshot[collection] as ReadonlyArray<{ arn: string }>;
    const seen = new Set<string>();
    const repeated: Array<Record<string, unknown>> = [];
    const kept = items.filter((r) => {
      if (!seen.has(r.arn)) return seen.add(r.arn);
      repeated.push(r as unknown as Record<string, unknown>);
      return false;
    });
    if (repeated.length === 0) continue;
    out = {
      ...out,
      [collection]: kept,
      coverage: [...out.coverage, ...repeated.flatMap((r) => gapsFor(snapshot, collection, r, `${SOURCE[collection].operation} listed ${shown(r.arn)} more than once; the first is kept`))],
    };
  }
  return out;
}

function gapsFor(snapshot: Snapshot, collection: Collection, item: Record<string, unknown>, message: string): CoverageGap[] {
  const account = typeof item.account === 'string' && ACCOUNT.test(item.account) ? item.account : snapshot.scope.accounts[0];
  if (account === undefined) throw new Error(`collected data does not match the snapshot schema (a linkaudit bug): ${message}`);
  const kind = KIND_OF[collection];
  const regions = kind.startsWith('iam') ? ['global'] : typeof item.region === 'string' && REGION.test(item.region) ? [item.region] : snapshot.scope.regions;
  return regions.map((region) => ({ account, region, ...SOURCE[collection], errorCode: 'InvalidResponse', message, resourceKinds: [kind] }));
}

/** A value as a gap message shows it: JSON, escaped, at most SHOWN characters. */
function shown(value: unknown): string {
  const text = value === undefined ? 'missing' : (JSON.stringify(value) ?? String(value));
  return escapeControlChars(text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text);
}
