// The demo estate written as CloudFormation (scripts/demo-to-cloudformation.mjs) scans to the
// demo snapshot's findings, for every rule infrastructure as code can judge: one rule, every
// source. What a template cannot say (a listing AWS denied, a disabled notification, a
// requester-managed endpoint) is left out of the comparison by name, not by count.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iacArn } from '../../src/model/arn.js';
import type { ResourceKind, Snapshot } from '../../src/model/types.js';

const CLI = join(process.cwd(), 'dist', 'cli.js');
/** Runtime state: no result from a template (the rules' metadata says so; test/rules.test.ts checks it). */
const RUNTIME_RULES = new Set(['connection-not-available', 'connection-unused', 'host-not-available', 'host-predates-vpc-webhooks', 'endpoint-service-private-dns-unverified', 'endpoint-service-stale-pending-connection']);

interface ReportFinding {
  ruleId: string;
  status: string;
  resource: { arn: string; kind: ResourceKind };
  message: string;
}

let dir: string;
let config: string;
const demo = JSON.parse(readFileSync('fixtures/demo/snapshot.json', 'utf8')) as Snapshot;

function scan(args: string[]): ReportFinding[] {
  const r = spawnSync(process.execPath, [CLI, 'scan', ...args, '--config', config, '--format', 'json', '--fail-on', 'none', '--allow-partial', '--quiet'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`scan ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return (JSON.parse(r.stdout) as { findings: ReportFinding[] }).findings;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'linkaudit-diff-'));
  execFileSync(process.execPath, ['scripts/demo-to-cloudformation.mjs', dir], { stdio: 'ignore' });
  // The demo's trust by account only: a template holds no organization membership, so with
  // trustedOrganizations an account outside trustedAccounts is unknown from a template (tested in
  // test/iac/cli-iac-e2e.test.ts) where the demo snapshot knows the members. 777788889999, a member
  // of o-exampleorg1 in the demo, is trusted here by account on both sides.
  config = join(dir, 'diff.linkaudit.yaml');
  writeFileSync(config, 'trustedAccounts: ["111122223333", "444455556666", "777788889999"]\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the demo estate as CloudFormation', () => {
  it('gives the demo snapshot’s result for every judged rule and resource', () => {
    const mapping = JSON.parse(readFileSync(join(dir, 'mapping.json'), 'utf8')) as { resources: Record<string, { file: string; logicalId: string }> };
    const live = scan(['--snapshot', 'fixtures/demo/snapshot.json']);
    const iac = new Map<string, ReportFinding>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.template.json'))) {
      const [account = '', region = ''] = file.replace('.template.json', '').split(/-(?=[a-z]{2}-|global)/);
      for (const f of scan(['--iac', join(dir, file), '--account', account, '--region', region === 'global' ? 'us-east-1' : region])) iac.set(`${f.ruleId} ${f.resource.arn}`, f);
    }
    const byArn = new Map([...demoResources()].map((r) => [r.arn, r]));
    let compared = 0;
    const mismatches: string[] = [];
    for (const f of live) {
      const target = mapping.resources[f.resource.arn];
      const resource = byArn.get(f.resource.arn);
      // Coverage gaps and unreadable fields are the live side's own unknowns: no template twin.
      if (!target || !resource || (resource.unreadable?.length ?? 0) > 0) continue;
      // A notification left out (disabled) changes what no-notifications sees.
      if (f.ruleId === 'endpoint-service-no-notifications' && 'connectionNotifications' in resource && resource.connectionNotifications.some((n) => n.state.toLowerCase() !== 'enabled')) continue;
      const file = relative(process.cwd(), join(dir, target.file));
      const [account, region] = [resource.account, resource.region === 'global' ? 'us-east-1' : resource.region];
      // The generator writes codestar-connections connections as AWS::CodeStarConnections::Connection;
      // hosts are AWS::CodeConnections::Host whatever their ARN's prefix.
      const service = f.resource.kind === 'connection' && f.resource.arn.includes(':codestar-connections:') ? 'codestar-connections' : undefined;
      const arn = iacArn(f.resource.kind, 'aws', region, account, `${file}#${target.logicalId}`, service);
      const twin = iac.get(`${f.ruleId} ${arn}`);
      if (RUNTIME_RULES.has(f.ruleId)) {
        if (twin) mismatches.push(`${f.ruleId} ${f.resource.arn}: a runtime rule judged the template (${twin.status})`);
        continue;
      }
      compared += 1;
      if (!twin) mismatches.push(`${f.ruleId} ${f.resource.arn}: ${f.status} live, no result from the template (${arn})`);
      else if (twin.status !== f.status) mismatches.push(`${f.ruleId} ${f.resource.arn}: ${f.status} live, ${twin.status} from the template: ${twin.message}`);
    }
    expect(mismatches).toEqual([]);
    // Every judged rule took part (the demo exercises every rule).
    expect(compared).toBeGreaterThan(60);
  });
});

function* demoResources(): Generator<Snapshot['endpointServices'][number] | Snapshot['vpcEndpoints'][number] | Snapshot['iamRoles'][number] | Snapshot['iamUsers'][number] | Snapshot['hosts'][number] | Snapshot['connections'][number] | Snapshot['iamGroups'][number] | Snapshot['iamPolicies'][number]> {
  yield* demo.endpointServices;
  yield* demo.vpcEndpoints;
  yield* demo.iamRoles;
  yield* demo.iamUsers;
  yield* demo.iamGroups;
  yield* demo.iamPolicies;
  yield* demo.hosts;
  yield* demo.connections;
}
