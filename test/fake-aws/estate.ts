// The demo estate as one account would be read from a healthy AWS (test/collect.test.ts explains
// why policySupported is spread per service name), for the suites that serve it over the wire.
import { loadSnapshotFile, validateSnapshot } from '../../src/model/load.js';
import type { Snapshot } from '../../src/model/types.js';

export const DEMO_ACCOUNT = '111122223333';
export const DEMO_REGIONS = ['eu-west-1', 'us-east-1'];

export function demoAccount(): Snapshot {
  const demo = loadSnapshotFile('fixtures/demo/snapshot.json');
  const mine = <T extends { account: string }>(xs: T[]): T[] =>
    xs.filter((x) => x.account === DEMO_ACCOUNT).map((x) => {
      const { unreadable: _u, ...rest } = x as T & { unreadable?: unknown };
      return rest as T;
    });
  const endpoints = mine(demo.vpcEndpoints);
  const supported = new Map(endpoints.filter((e) => e.policySupported !== undefined).map((e) => [`${e.region}|${e.serviceName}`, e.policySupported]));
  const { organizations: _o, ...rest } = demo;
  return validateSnapshot(
    {
      ...rest,
      scope: { partition: 'aws', accounts: [DEMO_ACCOUNT], regions: DEMO_REGIONS },
      connections: mine(demo.connections),
      hosts: mine(demo.hosts),
      vpcEndpoints: endpoints.map((e) => {
        const s = supported.get(`${e.region}|${e.serviceName}`);
        return s === undefined ? e : { ...e, policySupported: s };
      }),
      endpointServices: mine(demo.endpointServices),
      iamUsers: mine(demo.iamUsers),
      iamGroups: mine(demo.iamGroups),
      iamRoles: mine(demo.iamRoles),
      iamPolicies: mine(demo.iamPolicies),
      pipelines: mine(demo.pipelines),
      buildProjects: mine(demo.buildProjects),
      sourceCredentials: mine(demo.sourceCredentials),
      coverage: [],
    },
    'one account of the demo',
  );
}
