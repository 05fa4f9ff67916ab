// What an endpoint answers that is not what AWS answers: error pages that are not AWS's, values
// the model cannot hold, members an emulator leaves out. The run goes on, and says what came.
import { DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { GetAccountAuthorizationDetailsCommand } from '@aws-sdk/client-iam';
import { ListConnectionsCommand } from '@aws-sdk/client-codestar-connections';
import fc from 'fast-check';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientsFor } from '../../src/collectors/clients.js';
import { collect } from '../../src/collectors/collect.js';
import { principalTypeOf } from '../../src/collectors/ec2.js';
import { errorCode, gapFrom } from '../../src/collectors/gaps.js';
import { loadConfig } from '../../src/config.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { loadRuleSet } from '../../src/engine/rule-set.js';
import { endpointServiceArn, vpcEndpointArn } from '../../src/model/arn.js';
import { validateSnapshot } from '../../src/model/load.js';
import type { Snapshot } from '../../src/model/types.js';
import { useHomeRegion } from '../fake-aws/cli.js';
import { startFakeAws } from '../fake-aws/server.js';
import { withCi } from '../fake-aws/ci-estate.js';
import { DEMO_ACCOUNT, DEMO_REGIONS, demoAccount } from '../fake-aws/estate.js';

const credentials = async () => ({ accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' });
const estate = withCi(demoAccount());
type Options = Parameters<typeof collect>[0];
const options = (url: string, extra: Partial<Options> = {}): Options => ({
  regions: DEMO_REGIONS,
  concurrency: 4,
  maxAttempts: 1,
  timeoutMs: 5000,
  endpointUrl: url,
  credentials,
  credentialSource: 'test credentials',
  log: () => {},
  pageThreads: 0,
  ...extra,
});

useHomeRegion();

describe('error answers that are not the service\'s say status, content type and body', () => {
  const bodies: Array<{ name: string; status: number; type: string; body: Buffer; shown: RegExp }> = [
    { name: 'an HTML 500 page', status: 500, type: 'text/html', body: Buffer.from('<html><body><h1>Internal Server Error</h1>\u001b[2J</body></html>'), shown: /"<html><body><h1>Internal Server Error<\/h1>\\x1b\[2J<\/body><\/html>"$/ },
    { name: 'an HTML 502 page', status: 502, type: 'text/html; charset=utf-8', body: Buffer.from(`<html>${'x'.repeat(400)}</html>`), shown: /"<html>x{194}…"$/ },
    { name: 'an empty 502', status: 502, type: '', body: Buffer.alloc(0), shown: /an empty body$/ },
    { name: 'binary junk', status: 500, type: 'application/octet-stream', body: Buffer.from([0, 1, 2, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a]), shown: /"\\x00\\x01\\x02\ufffd\ufffd\\x1b\[2J"$/ },
  ];
  const services = [
    { service: 'EC2 (XML)', send: (url: string) => client(url).ec2.send(new DescribeVpcEndpointsCommand({})), operation: 'DescribeVpcEndpoints', expected: 'XML error' },
    { service: 'IAM (XML)', send: (url: string) => client(url).iam.send(new GetAccountAuthorizationDetailsCommand({})), operation: 'GetAccountAuthorizationDetails', expected: 'XML error' },
    { service: 'CodeConnections (JSON)', send: (url: string) => client(url).codeconnections.send(new ListConnectionsCommand({})), operation: 'ListConnections', expected: 'JSON error' },
  ];
  const client = (url: string) => clientsFor('us-east-1', { endpointUrl: url, maxAttempts: 1, timeoutMs: 5000, credentials });
  for (const b of bodies) {
    for (const s of services) {
      it(`${s.service}: ${b.name}`, async () => {
        const server = createServer((req, res) => {
          req.resume();
          req.on('end', () => res.writeHead(b.status, b.type ? { 'content-type': b.type } : {}).end(b.body));
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        try {
          const err = await s.send(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).catch((e: unknown) => e);
          const gap = gapFrom(err, { target: { partition: 'aws', account: DEMO_ACCOUNT, region: 'us-east-1' }, service: 'x', operation: s.operation, resourceKinds: ['vpcEndpoint'] });
          expect(errorCode(err)).toBe(`HTTP${b.status}`);
          expect(gap.message.startsWith(`HTTP ${b.status} answer (content-type ${b.type || 'none'}) to ${s.operation} is not the service's ${s.expected}: `)).toBe(true);
          expect(gap.message).toMatch(b.shown);
          expect(gap.message).not.toMatch(/[\u0000-\u001f]/);
        } finally {
          await new Promise<void>((r) => server.close(() => r()));
        }
      });
    }
  }
});

describe('principals without PrincipalType (moto 5.2)', () => {
  it('the type is inferred from the principal', () => {
    expect(principalTypeOf('*')).toBe('All');
    expect(principalTypeOf('arn:aws:iam::444455556666:root')).toBe('Account');
    expect(principalTypeOf('arn:aws-us-gov:iam::444455556666:role/x/y')).toBe('Role');
    expect(principalTypeOf('arn:aws:iam::444455556666:user/u')).toBe('User');
    expect(principalTypeOf('arn:aws:organizations::444455556666:ou/o-abcdefghij/ou-ab12-cdefghij')).toBe('OrganizationUnit');
    expect(principalTypeOf('elasticloadbalancing.amazonaws.com')).toBe('Service');
    expect(principalTypeOf('something else')).toBe('Unknown');
  });

  it('an endpoint service that allows * over the wire without principalType is fail, not unknown', async () => {
    const service = estate.endpointServices[0] as Snapshot['endpointServices'][number];
    // The fake writes the botocore members it is given; without principalType the element is left out, as moto does.
    const served = { ...estate, endpointServices: [{ ...service, allowedPrincipals: [{ principal: '*' } as unknown as Snapshot['endpointServices'][number]['allowedPrincipals'][number]] }, ...estate.endpointServices.slice(1)] };
    const fake = await startFakeAws({ snapshot: served, account: DEMO_ACCOUNT });
    try {
      const snapshot = await collect(options(fake.url));
      const read = snapshot.endpointServices.find((s) => s.arn === service.arn);
      expect(read?.allowedPrincipals).toEqual([{ principal: '*', principalType: 'All', servicePermissionId: 'sp-0' }]);
      expect(read?.unreadable ?? []).toEqual([]);
      const ruleSet = loadRuleSet();
      const findings = evaluateRules(ruleSet.rules, snapshot, loadConfig('fixtures/demo/.linkaudit.yaml'), ruleSet.runtime.bind).findings;
      expect(findings.find((f) => f.ruleId === 'endpoint-service-allows-any-principal' && f.resource.arn === service.arn)?.status).toBe('fail');
    } finally {
      await fake.close();
    }
  });
});

describe('collected values the model cannot hold', () => {
  it('an emulator\'s ids (vpc-emulator42) are kept', async () => {
    const e = estate.vpcEndpoints[0] as Snapshot['vpcEndpoints'][number];
    const id = 'vpce-emulator42';
    const served = { ...estate, vpcEndpoints: [{ ...e, id, vpcId: 'vpc-emulator42', arn: vpcEndpointArn('aws', e.region, DEMO_ACCOUNT, id) }, ...estate.vpcEndpoints.slice(1)] };
    const fake = await startFakeAws({ snapshot: served, account: DEMO_ACCOUNT });
    try {
      const snapshot = await collect(options(fake.url));
      expect(snapshot.vpcEndpoints.find((x) => x.id === id)?.vpcId).toBe('vpc-emulator42');
      expect(snapshot.coverage).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('an id that is no id is an InvalidResponse gap naming the operation, the resource and the value (escaped)', async () => {
    const s = estate.endpointServices[0] as Snapshot['endpointServices'][number];
    const id = 'vpce-svc-\u001b[2J!';
    const served = { ...estate, endpointServices: [{ ...s, id, arn: endpointServiceArn('aws', s.region, DEMO_ACCOUNT, id) }, ...estate.endpointServices.slice(1)] };
    const fake = await startFakeAws({ snapshot: served, account: DEMO_ACCOUNT });
    try {
      const snapshot = await collect(options(fake.url));
      expect(snapshot.endpointServices.find((x) => x.id === id)).toBeUndefined();
      const gap = snapshot.coverage.find((g) => g.errorCode === 'InvalidResponse');
      expect(gap).toMatchObject({ operation: 'DescribeVpcEndpointServiceConfigurations', region: s.region, resourceKinds: ['endpointService'] });
      expect(gap?.message).toBe(
        `DescribeVpcEndpointServiceConfigurations: the snapshot cannot hold endpointService "${endpointServiceArn('aws', s.region, DEMO_ACCOUNT, 'vpce-svc-')}\\u001b[2J!": id "vpce-svc-\\u001b[2J!": must match pattern "^vpce-svc-[A-Za-z0-9]{1,64}$"; it is not read`,
      );
    } finally {
      await fake.close();
    }
  });

  it('a field value the model cannot hold makes that field unreadable, not the resource: the other rules still judge it', async () => {
    const s = estate.endpointServices[0] as Snapshot['endpointServices'][number];
    // An endpoint connection whose owner is no account id (an emulator's placeholder).
    const connection = { vpcEndpointId: 'vpce-0a1b2c3d4e5f60718', vpcEndpointOwner: 'owner\u001b[2J', state: 'available' };
    const served = { ...estate, endpointServices: [{ ...s, endpointConnections: [connection] }, ...estate.endpointServices.slice(1)] } as unknown as Snapshot;
    const fake = await startFakeAws({ snapshot: served, account: DEMO_ACCOUNT });
    try {
      const snapshot = await collect(options(fake.url));
      const kept = snapshot.endpointServices.find((x) => x.arn === s.arn);
      expect(kept?.endpointConnections).toEqual([]);
      expect(kept?.acceptanceRequired).toBe(s.acceptanceRequired);
      expect(kept?.allowedPrincipals.map((p) => p.principal)).toEqual(s.allowedPrincipals.map((p) => p.principal));
      expect(kept?.unreadable).toEqual([expect.objectContaining({ field: 'endpointConnections', errorCode: 'InvalidResponse' })]);
      const gap = snapshot.coverage.find((g) => g.errorCode === 'InvalidResponse');
      expect(gap).toMatchObject({ field: 'endpointConnections', region: s.region, resourceKinds: ['endpointService'] });
      expect(gap?.message).toContain('owner\\u001b[2J');
      expect(gap?.message).not.toMatch(/\u001b/);
    } finally {
      await fake.close();
    }
  });

  // Every id, name and enum member of each collector's answer, set to any string: collection
  // completes with the value kept or a gap, and the snapshot validates.
  type Mutation = (s: Snapshot, value: string) => void;
  const at = <K extends 'vpcEndpoints' | 'endpointServices' | 'connections' | 'hosts' | 'iamRoles' | 'iamUsers' | 'iamPolicies' | 'pipelines' | 'buildProjects' | 'sourceCredentials'>(k: K, f: (x: Snapshot[K][number], v: string) => void): Mutation => (s, v) => {
    const x = s[k][0];
    if (x) f(x as Snapshot[K][number], v);
  };
  const MUTATIONS: Record<string, Mutation> = {
    'endpoint id': at('vpcEndpoints', (x, v) => ((x as { id: string }).id = v)),
    'endpoint vpcId': at('vpcEndpoints', (x, v) => ((x as { vpcId: string }).vpcId = v)),
    'endpoint serviceName': at('vpcEndpoints', (x, v) => ((x as { serviceName: string }).serviceName = v)),
    'endpoint type': at('vpcEndpoints', (x, v) => ((x as { endpointType: string }).endpointType = v)),
    'endpoint state': at('vpcEndpoints', (x, v) => ((x as { state: string }).state = v)),
    'endpoint tag': at('vpcEndpoints', (x, v) => ((x as { tags: Record<string, string> }).tags = { [v]: v })),
    'service id': at('endpointServices', (x, v) => ((x as { id: string }).id = v)),
    'service name': at('endpointServices', (x, v) => ((x as { serviceName: string }).serviceName = v)),
    'service type': at('endpointServices', (x, v) => ((x as { serviceType: string }).serviceType = v)),
    'service state': at('endpointServices', (x, v) => ((x as { state: string }).state = v)),
    'service principal': at('endpointServices', (x, v) => ((x as { allowedPrincipals: unknown[] }).allowedPrincipals = [{ principal: v, principalType: v }])),
    'connection arn': at('connections', (x, v) => ((x as { arn: string }).arn = v)),
    'connection name': at('connections', (x, v) => ((x as { name: string }).name = v)),
    'connection status': at('connections', (x, v) => ((x as { status: string }).status = v)),
    'host arn': at('hosts', (x, v) => ((x as { arn: string }).arn = v)),
    'host status': at('hosts', (x, v) => ((x as { status: string }).status = v)),
    'role arn': at('iamRoles', (x, v) => ((x as { arn: string }).arn = v)),
    'role name': at('iamRoles', (x, v) => ((x as { name: string }).name = v)),
    'user arn': at('iamUsers', (x, v) => ((x as { arn: string }).arn = v)),
    'policy arn': at('iamPolicies', (x, v) => ((x as { arn: string }).arn = v)),
    'policy version': at('iamPolicies', (x, v) => ((x as { defaultVersionId: string }).defaultVersionId = v)),
    'pipeline name': at('pipelines', (x, v) => ((x as { name: string }).name = v)),
    'pipeline type': at('pipelines', (x, v) => ((x as { pipelineType: string }).pipelineType = v)),
    'pipeline action provider': at('pipelines', (x, v) => ((x.stages[0]?.actions[0] as { actionType: { provider: string } }).actionType.provider = v)),
    'pipeline configuration': at('pipelines', (x, v) => ((x.stages[0]?.actions[0] as { configuration: Record<string, string> }).configuration = { [v]: v })),
    'project name': at('buildProjects', (x, v) => ((x as { name: string }).name = v)),
    'project arn': at('buildProjects', (x, v) => ((x as { arn: string }).arn = v)),
    'project location': at('buildProjects', (x, v) => ((x as { source: { location?: string } }).source.location = v)),
    'project buildspec': at('buildProjects', (x, v) => ((x as { source: { buildspec?: string } }).source.buildspec = v)),
    'project variable': at('buildProjects', (x, v) => ((x as { environmentVariables: unknown[] }).environmentVariables = [{ name: v, type: v }])),
    'credential arn': at('sourceCredentials', (x, v) => ((x as { arn: string }).arn = v)),
    'credential auth type': at('sourceCredentials', (x, v) => ((x as { authType: string }).authType = v)),
  };

  it('any string in any id, name or enum member gives the value kept or a gap, and a valid snapshot', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(MUTATIONS)), fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', 'vpc-', 'vpce-svc-x'.repeat(30), 'arn:aws:ec2::1:x', '\u001b]0;pwned\u0007')), async (where, value) => {
        const served = structuredClone(estate) as Snapshot;
        (MUTATIONS[where] as Mutation)(served, value);
        const fake = await startFakeAws({ snapshot: served, account: DEMO_ACCOUNT, pageSize: 'max' });
        try {
          const snapshot = await collect(options(fake.url));
          validateSnapshot(JSON.parse(JSON.stringify(snapshot)), 'collected');
        } finally {
          await fake.close();
        }
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
