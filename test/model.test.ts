import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountOf, connectionKey, endpointServiceArn, iacArn, isIacArn, organizationOf, parseArn, resourcePseudoPath, scopeArn, vpcEndpointArn } from '../src/model/arn.js';
import { loadSnapshotFile, validateSnapshot } from '../src/model/load.js';
import { KIND_COLLECTION, RESOURCE_KINDS } from '../src/model/types.js';
import { buildProject, emptySnapshot, endpointService, pipeline, sourceCredential } from './helpers/snapshot.js';

function fileWith(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'linkaudit-snap-')), 'snapshot.json');
  writeFileSync(file, text);
  return file;
}

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
};

describe('snapshot loader', () => {
  it('accepts a valid snapshot and sorts every collection by ARN', () => {
    const s = validateSnapshot(emptySnapshot({ endpointServices: [endpointService('vpce-svc-0b'), endpointService('vpce-svc-0a')] }), 'x');
    expect(s.endpointServices.map((e) => e.id)).toEqual(['vpce-svc-0a', 'vpce-svc-0b']);
  });

  it('names the file for a missing file and for text that is not JSON, with line and column', () => {
    expect(errorOf(() => loadSnapshotFile('/nonexistent/snap.json'))).toBe('/nonexistent/snap.json: snapshot not found');
    const file = fileWith('{\n  "schemaVersion": 1,\n  oops\n}');
    expect(errorOf(() => loadSnapshotFile(file))).toMatch(new RegExp(`^${file}:3:3: snapshot is not valid JSON: `));
  });

  it('never quotes the text of JSON that does not parse (it may hold a token), wherever it breaks', () => {
    // V8 quotes a piece of the text in some of its messages (`Unexpected token 'g', "…"`).
    const secret = 'ghp_S3cretT0ken0123456789abcdefABCDEF';
    fc.assert(
      fc.property(fc.constantFrom(`{"token": ${secret}}`, `{"a": 1, ${secret}}`, `[${secret}]`, `${secret}`, `{"t": "${secret}"} x${secret}`, `{"t": "${secret}`), fc.nat(40), (text, cut) => {
        const file = fileWith(cut > 30 ? text : text.slice(0, text.length - cut % 8));
        let message = '';
        try {
          loadSnapshotFile(file);
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).toMatch(new RegExp(`^${file}(:\\d+:\\d+)?: snapshot is not valid JSON: `));
        expect(message).not.toContain('S3cret');
      }),
    );
  });

  it('gives unknown schemaVersion its own message', () => {
    const file = fileWith(JSON.stringify({ ...emptySnapshot(), schemaVersion: 2 }));
    expect(errorOf(() => loadSnapshotFile(file))).toBe(
      `${file}: /schemaVersion: unknown snapshot schemaVersion 2; this linkaudit reads schemaVersion 1 (upgrade linkaudit, or re-collect the snapshot)`,
    );
  });

  it('points at schema violations with a JSON pointer and what was expected', () => {
    const bad = (patch: object): string => errorOf(() => validateSnapshot({ ...emptySnapshot(), ...patch }, 'f.json'));
    expect(bad({ endpointServices: [{ ...endpointService('vpce-svc-0a'), acceptanceRequired: 'yes' }] })).toBe('f.json: /endpointServices/0/acceptanceRequired: expected boolean, got string');
    expect(bad({ endpointServices: [{ ...endpointService('vpce-svc-0a'), colour: 'red' }] })).toBe('f.json: /endpointServices/0/colour: unknown field "colour"');
    expect(bad({ scope: { partition: 'aws', accounts: ['12345'], regions: [] } })).toBe('f.json: /scope/accounts/0: expected a value matching ^[0-9]{12}$, got "12345"');
    const { connections: _c, ...noConnections } = emptySnapshot();
    expect(errorOf(() => validateSnapshot(noConnections, 'f.json'))).toBe('f.json: /: missing required field "connections"');
  });

  it('takes an iac: id only on a resource declared in infrastructure as code (with an origin)', () => {
    const bad = (patch: object): string => errorOf(() => validateSnapshot({ ...emptySnapshot(), ...patch }, 'f.json'));
    const origin = { format: 'cloudformation', id: 'net.yaml#Svc', location: { file: 'net.yaml', line: 3, column: 3, endLine: 9, endColumn: 1 } };
    // A live answer holding an iac: id would pass for a template resource: refused.
    expect(bad({ endpointServices: [endpointService('iac:net.yaml#Svc')] })).toMatch(/^f\.json: \/endpointServices\/0\/id: expected a value matching \^vpce-svc-/);
    expect(() => validateSnapshot({ ...emptySnapshot(), endpointServices: [{ ...endpointService('iac:net.yaml#Svc'), origin }] }, 'f.json')).not.toThrow();
    expect(bad({ endpointServices: [{ ...endpointService('vpce-svc-0a'), origin: { ...origin, location: { ...origin.location, line: 0 } } }] })).toMatch(/origin\/location\/line/);
  });

  it('validates policy documents (bad policy JSON is a schema error)', () => {
    const vpce = {
      arn: 'arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0a',
      account: '111122223333',
      region: 'us-east-1',
      tags: {},
      id: 'vpce-0a',
      vpcId: 'vpc-0a',
      serviceName: 'com.amazonaws.us-east-1.sts',
      endpointType: 'Interface',
      state: 'available',
      privateDnsEnabled: true,
      requesterManaged: false,
      policy: { Statement: [{ Effect: 'Permit', Action: '*' }] },
    };
    expect(errorOf(() => validateSnapshot({ ...emptySnapshot(), vpcEndpoints: [vpce] }, 'f.json'))).toBe(
      'f.json: /vpcEndpoints/0/policy/Statement/0/Effect: expected one of "Allow", "Deny", got "Permit"',
    );
  });

  it('refuses duplicate ARNs', () => {
    const s = emptySnapshot({ endpointServices: [endpointService('vpce-svc-0a'), endpointService('vpce-svc-0a')] });
    expect(errorOf(() => validateSnapshot(s, 'f.json'))).toBe(
      'f.json: /endpointServices/1/arn: duplicate ARN arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/vpce-svc-0a (also at /endpointServices/0)',
    );
  });
});

describe('pipelines, build projects and source credentials', () => {
  const bad = (patch: object): string => errorOf(() => validateSnapshot({ ...emptySnapshot(), ...patch }, 'f.json'));

  it('accepts typed fixtures of each kind (the TypeScript types and the schema agree) and sorts them by ARN', () => {
    const s = validateSnapshot(
      emptySnapshot({
        pipelines: [pipeline('b'), pipeline('a', { pipelineType: 'V1', triggers: [], executionMode: undefined })],
        buildProjects: [buildProject('web', { secondarySources: [{ type: 'S3', location: 'bucket/key', sourceIdentifier: 'assets' }] }), buildProject('api')],
        sourceCredentials: [sourceCredential('GITHUB'), sourceCredential('BITBUCKET', { authType: 'BASIC_AUTH', resource: undefined })],
      }),
      'x',
    );
    expect(s.pipelines.map((p) => p.name)).toEqual(['a', 'b']);
    expect(s.buildProjects.map((p) => p.name)).toEqual(['api', 'web']);
    expect(s.sourceCredentials.map((c) => c.serverType)).toEqual(['BITBUCKET', 'GITHUB']);
  });

  it('loads a snapshot written before these kinds existed: the collections read as empty', () => {
    const { pipelines: _p, buildProjects: _b, sourceCredentials: _c, ...old } = emptySnapshot({ endpointServices: [endpointService('vpce-svc-0a')] });
    const file = fileWith(JSON.stringify(old));
    const s = loadSnapshotFile(file);
    expect([s.pipelines, s.buildProjects, s.sourceCredentials]).toEqual([[], [], []]);
    for (const kind of RESOURCE_KINDS) expect(Array.isArray(s[KIND_COLLECTION[kind]]), kind).toBe(true);
  });

  it('refuses what the model must never hold or cannot mean, with a pointer', () => {
    // A variable's value has no place in the model: a PLAINTEXT value may be a secret.
    expect(bad({ buildProjects: [buildProject('api', { environmentVariables: [{ name: 'T', type: 'PLAINTEXT', value: 'x' } as never] })] })).toBe(
      'f.json: /buildProjects/0/environmentVariables/0/value: unknown field "value"',
    );
    expect(bad({ pipelines: [pipeline('a', { pipelineType: 'V3' as never })] })).toMatch(/^f\.json: \/pipelines\/0\/pipelineType: expected one of "V1", "V2"/);
    expect(bad({ pipelines: [{ ...pipeline('a'), stages: undefined }] })).toBe('f.json: /pipelines/0: missing required field "stages"');
    expect(bad({ sourceCredentials: [{ ...sourceCredential('GITHUB'), token: 'ghp_x' }] })).toBe('f.json: /sourceCredentials/0/token: unknown field "token"');
    const action = pipeline('a').stages[0]?.actions[0];
    expect(bad({ pipelines: [pipeline('a', { stages: [{ name: 'S', actions: [{ ...action, configuration: { DetectChanges: true } } as never] }] })] })).toBe(
      'f.json: /pipelines/0/stages/0/actions/0/configuration/DetectChanges: expected string, got boolean',
    );
  });

  it('takes an iac: name only on a resource declared in infrastructure as code (with an origin)', () => {
    const origin = { format: 'cloudformation', id: 'ci.yaml#Build', location: { file: 'ci.yaml', line: 3, column: 3, endLine: 9, endColumn: 1 } };
    expect(bad({ buildProjects: [buildProject('iac:ci.yaml#Build')] })).toMatch(/^f\.json: \/buildProjects\/0\/name: expected a value matching/);
    expect(bad({ pipelines: [pipeline('iac:ci.yaml#Pipe')] })).toMatch(/^f\.json: \/pipelines\/0\/name: expected a value matching/);
    expect(() => validateSnapshot({ ...emptySnapshot(), buildProjects: [{ ...buildProject('iac:ci.yaml#Build'), origin }] }, 'f.json')).not.toThrow();
    expect(() => validateSnapshot({ ...emptySnapshot(), pipelines: [{ ...pipeline('iac:ci.yaml#Pipe'), origin }] }, 'f.json')).not.toThrow();
  });

  it('refuses duplicate ARNs in the new collections too', () => {
    expect(errorOf(() => validateSnapshot(emptySnapshot({ pipelines: [pipeline('a'), pipeline('a')] }), 'f.json'))).toBe(
      'f.json: /pipelines/1/arn: duplicate ARN arn:aws:codepipeline:us-east-1:111122223333:a (also at /pipelines/0)',
    );
  });
});

describe('ARNs', () => {
  it('gives the scope ARN of each new kind, and IaC identities that read as such', () => {
    expect(scopeArn('pipeline', 'aws', '111122223333', 'eu-west-1')).toBe('arn:aws:codepipeline:eu-west-1:111122223333:*');
    expect(scopeArn('buildProject', 'aws', '111122223333', 'eu-west-1')).toBe('arn:aws:codebuild:eu-west-1:111122223333:project/*');
    expect(scopeArn('sourceCredential', 'aws', '111122223333', 'eu-west-1')).toBe('arn:aws:codebuild:eu-west-1:111122223333:token/*');
    const p = iacArn('pipeline', 'aws', 'us-east-1', '111122223333', 'ci.yaml#Pipe');
    expect(p).toBe('arn:aws:codepipeline:us-east-1:111122223333:iac:ci.yaml#Pipe');
    expect(iacArn('buildProject', 'aws', 'us-east-1', '111122223333', 'ci.yaml#Build')).toBe('arn:aws:codebuild:us-east-1:111122223333:project/iac:ci.yaml#Build');
    expect([isIacArn(p), isIacArn('arn:aws:codepipeline:us-east-1:111122223333:release'), isIacArn('arn:aws:codebuild:us-east-1:111122223333:project/iac:x')]).toEqual([true, false, true]);
  });

  it('connectionKey: one key for both prefixes of one connection, none for anything else', () => {
    const id = '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
    const old = connectionKey(`arn:aws:codestar-connections:us-east-1:111122223333:connection/${id}`);
    expect(old).toBe(`aws:us-east-1:111122223333:${id}`);
    expect(connectionKey(`arn:aws:codeconnections:us-east-1:111122223333:connection/${id}`)).toBe(old);
    // Same id elsewhere: another connection.
    expect(connectionKey(`arn:aws:codeconnections:eu-west-1:111122223333:connection/${id}`)).not.toBe(old);
    expect(connectionKey(`arn:aws:codeconnections:us-east-1:444455556666:connection/${id}`)).not.toBe(old);
    expect(connectionKey(`arn:aws-cn:codeconnections:us-east-1:111122223333:connection/${id}`)).not.toBe(old);
    for (const other of [
      `arn:aws:codeconnections:us-east-1:111122223333:host/${id}`,
      `arn:aws:codebuild:us-east-1:111122223333:connection/${id}`,
      'arn:aws:codeconnections:us-east-1:111122223333:connection/',
      'arn:aws:codeconnections:us-east-1::connection/x',
      `connection/${id}`,
      '',
      '*',
    ]) {
      expect(connectionKey(other), other).toBeUndefined();
    }
  });

  it('connectionKey: the two prefixes of any ARN agree, and different connections never share a key', () => {
    const part = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    const conn = fc.record({ partition: fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'), region: part, account: fc.constantFrom('111122223333', '444455556666'), id: fc.stringMatching(/^[A-Za-z0-9:/#._-]{1,24}$/) });
    const arnOf = (c: { partition: string; region: string; account: string; id: string }, service: string): string => `arn:${c.partition}:${service}:${c.region}:${c.account}:connection/${c.id}`;
    fc.assert(
      fc.property(conn, conn, (a, b) => {
        expect(connectionKey(arnOf(a, 'codestar-connections'))).toBe(connectionKey(arnOf(a, 'codeconnections')));
        const same = a.partition === b.partition && a.region === b.region && a.account === b.account && a.id === b.id;
        expect(connectionKey(arnOf(a, 'codeconnections')) === connectionKey(arnOf(b, 'codestar-connections'))).toBe(same);
      }),
    );
  });

  it('builds the ARNs EC2 does not return', () => {
    expect(vpcEndpointArn('aws', 'us-east-1', '111122223333', 'vpce-0a')).toBe('arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0a');
    expect(endpointServiceArn('aws-cn', 'cn-north-1', '111122223333', 'vpce-svc-0a')).toBe('arn:aws-cn:ec2:cn-north-1:111122223333:vpc-endpoint-service/vpce-svc-0a');
    expect(scopeArn('iamRole', 'aws', '111122223333', 'global')).toBe('arn:aws:iam::111122223333:role/*');
  });

  it('finds accounts and organizations of principals', () => {
    expect(accountOf('arn:aws:iam::444455556666:root')).toBe('444455556666');
    expect(accountOf('444455556666')).toBe('444455556666');
    expect(accountOf('*')).toBeUndefined();
    expect(accountOf('elasticloadbalancing.amazonaws.com')).toBeUndefined();
    expect(organizationOf('arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-cdef3456')).toBe('o-a1b2c3d4e5');
    expect(organizationOf('arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5')).toBe('o-a1b2c3d4e5');
  });

  it('makes readable pseudo paths', () => {
    expect(resourcePseudoPath('arn:aws:iam::111122223333:role/team/deploy')).toBe('aws/aws/111122223333/global/iam/role/team/deploy');
    expect(resourcePseudoPath('arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0a')).toBe('aws/aws/111122223333/us-east-1/ec2/vpc-endpoint/vpce-0a');
    expect(resourcePseudoPath('arn:aws:iam::aws:policy/AWSCodeStarFullAccess')).toBe('aws/aws/aws/global/iam/policy/AWSCodeStarFullAccess');
  });

  const segment = fc.stringMatching(/^[A-Za-z0-9+=,.@_:*-]{1,12}$/);
  const arn = fc
    .record({
      partition: fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
      service: fc.constantFrom('ec2', 'iam', 'codestar-connections', 'codeconnections'),
      region: fc.constantFrom('', 'us-east-1', 'eu-west-1'),
      account: fc.constantFrom('111122223333', '444455556666', 'aws'),
      type: fc.constantFrom('vpc-endpoint', 'role', 'connection', 'host'),
      id: fc.array(segment, { minLength: 1, maxLength: 4 }),
    })
    .map((a) => `arn:${a.partition}:${a.service}:${a.region}:${a.account}:${a.type}/${a.id.join('/')}`);

  it('pseudo paths never hold a colon or a scheme, whatever the ARN (GitHub rejects those uploads)', () => {
    fc.assert(
      fc.property(arn, (a) => {
        const p = resourcePseudoPath(a);
        expect(p).not.toContain(':');
        expect(p).toMatch(/^aws\//);
        expect(parseArn(a)).toBeDefined();
      }),
    );
  });

  it('different ARNs get different pseudo paths', () => {
    fc.assert(
      fc.property(arn, arn, (a, b) => {
        fc.pre(a !== b);
        expect(resourcePseudoPath(a)).not.toBe(resourcePseudoPath(b));
      }),
    );
  });
});
