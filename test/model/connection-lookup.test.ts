import { describe, expect, it } from 'vitest';
import { connectionsUnread, consumersUnread, lookupConnection } from '../../src/model/connection-lookup.js';
import { emptySnapshot } from '../../src/model/empty.js';
import type { Connection, Snapshot } from '../../src/model/types.js';

const A = '111122223333';
const ID = '0347af09-f291-4cec-9665-42872c5e63c2';
const OLD = `arn:aws:codestar-connections:us-east-1:${A}:connection/${ID}`;
const NEW = `arn:aws:codeconnections:us-east-1:${A}:connection/${ID}`;
const conn: Connection = { arn: NEW, account: A, region: 'us-east-1', tags: {}, name: 'github-example-corp', providerType: 'GitHub', status: 'AVAILABLE' };

function snap(parts: Partial<Snapshot> = {}): Snapshot {
  return emptySnapshot({ generatedAt: '2026-11-01T06:00:00Z', source: { kind: 'file' }, scope: { partition: 'aws', accounts: [A], regions: ['us-east-1'] }, ...parts });
}

describe('lookupConnection', () => {
  it('finds a connection under either prefix', () => {
    const s = snap({ connections: [conn] });
    expect(lookupConnection(s, OLD)).toEqual({ state: 'deployed', connection: conn });
    expect(lookupConnection(s, NEW).state).toBe('deployed');
  });

  it('says absent only where the connections were read in full', () => {
    expect(lookupConnection(snap(), OLD)).toEqual({ state: 'absent', account: A, region: 'us-east-1' });
    const gap = snap({ coverage: [{ account: A, region: 'us-east-1', service: 'codeconnections', operation: 'ListConnections', errorCode: 'AccessDeniedException', message: 'denied', resourceKinds: ['connection'] }] });
    expect(lookupConnection(gap, OLD)).toMatchObject({ state: 'unknown', reason: expect.stringContaining('ListConnections') as string });
    expect(lookupConnection(snap(), OLD.replace('us-east-1', 'eu-west-1'))).toMatchObject({ state: 'unknown', reason: expect.stringContaining('outside') as string });
    // A field-level gap on connections does not hide their existence.
    const field = snap({ coverage: [{ account: A, region: 'us-east-1', service: 'codeconnections', operation: 'ListTagsForResource', errorCode: 'AccessDeniedException', message: 'denied', resourceKinds: ['connection'], field: 'tags' }] });
    expect(lookupConnection(field, OLD).state).toBe('absent');
  });

  it('tells templates from the estate', () => {
    const declared = { ...conn, origin: { format: 'cloudformation' as const, id: 't.yaml#Conn', location: { file: 't.yaml', line: 1, column: 1, endLine: 2, endColumn: 1 } } };
    expect(lookupConnection(snap({ source: { kind: 'iac' }, connections: [declared] }), OLD).state).toBe('declared');
    expect(lookupConnection(snap({ source: { kind: 'iac' } }), OLD)).toEqual({ state: 'undeclared' });
    expect(connectionsUnread(snap({ source: { kind: 'iac' } }), A, 'us-east-1')).toContain('templates');
  });

  it('refuses to guess variables and other ARNs', () => {
    expect(lookupConnection(snap(), '#{SourceVariables.ConnectionArn}')).toMatchObject({ state: 'unknown', reason: expect.stringContaining('variable') as string });
    expect(lookupConnection(snap(), `arn:aws:codeconnections:us-east-1:${A}:host/abc`)).toMatchObject({ state: 'unknown' });
  });
});

describe('consumersUnread', () => {
  it('names listing gaps and unreadable consumer fields of the account and region', () => {
    expect(consumersUnread(snap(), A, 'us-east-1')).toBeUndefined();
    expect(consumersUnread(snap(), A, 'eu-west-1')).toContain('outside');
    const listing = snap({ coverage: [{ account: A, region: 'us-east-1', service: 'codebuild', operation: 'ListSourceCredentials', errorCode: 'AccessDeniedException', message: 'denied', resourceKinds: ['sourceCredential'] }] });
    expect(consumersUnread(listing, A, 'us-east-1')).toContain('source credentials');
    const project = snap({
      buildProjects: [
        { arn: `arn:aws:codebuild:us-east-1:${A}:project/ci`, account: A, region: 'us-east-1', tags: {}, name: 'ci', serviceRole: 'r', source: { type: 'NO_SOURCE' }, secondarySources: [], environmentVariables: [], unreadable: [{ field: 'secondarySources', operation: 'BatchGetProjects', errorCode: 'InvalidResponse' }] },
      ],
    });
    expect(consumersUnread(project, A, 'us-east-1')).toContain('secondarySources');
  });
});
