import { emptySnapshot as baseSnapshot } from '../../src/model/empty.js';
import type { EndpointService, Snapshot } from '../../src/model/types.js';

export function emptySnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return baseSnapshot({
    generatedAt: '2026-01-15T00:00:00Z',
    source: { kind: 'file', description: 'test' },
    scope: { partition: 'aws', accounts: ['111122223333'], regions: ['us-east-1'] },
    ...overrides,
  });
}

export function endpointService(id: string, overrides: Partial<EndpointService> = {}): EndpointService {
  return {
    arn: `arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/${id}`,
    account: '111122223333',
    region: 'us-east-1',
    tags: {},
    id,
    serviceName: `com.amazonaws.vpce.us-east-1.${id}`,
    serviceType: 'Interface',
    state: 'Available',
    acceptanceRequired: true,
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    allowedPrincipals: [],
    endpointConnections: [],
    connectionNotifications: [],
    ...overrides,
  };
}
