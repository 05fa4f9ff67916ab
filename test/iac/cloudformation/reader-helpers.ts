// Test doubles for the mappers (cfn-map's identity.ts and map.ts): identities in the shape the
// contract describes, and a mapStack that records the stacks each world hands over.
import { readFileSync } from 'node:fs';
import { loadCloudFormationFile, loadCloudFormationStack, type CfnMappers, type CfnStackContext } from '../../../src/collectors/iac/cloudformation/index.js';
import type { CfnStack } from '../../../src/collectors/iac/cloudformation/template-types.js';
import type { IacLoad, IacOptions } from '../../../src/collectors/iac/types.js';

export const FIXTURES = 'test/fixtures/iac/cloudformation';

export interface Recorded {
  load: IacLoad;
  /** The stacks mapStack received, per world label, in order. */
  stacks: Array<{ stacks: CfnStack[] }>;
  all: CfnStack[];
}

export function recordingMappers(): { mappers: CfnMappers; seen: CfnStack[] } {
  const seen: CfnStack[] = [];
  const mappers: CfnMappers = {
    identityOf: (stack, type, logicalId, literals) => ({
      ref: typeof literals['RoleName'] === 'string' ? literals['RoleName'] : `iac:${stack.idBase}#${logicalId}`,
      attributes: (type === 'AWS::EC2::VPCEndpointService' ? { ServiceId: `iac:${stack.idBase}#${logicalId}`, ServiceName: `com.amazonaws.vpce.${stack.region}.iac-${logicalId}` } : { Arn: `arn:${stack.partition}:iam::${stack.account}:role/${logicalId}` }) as Record<string, string>,
    }),
    mapStack: (stack) => {
      seen.push(stack);
      return { connections: [], hosts: [], vpcEndpoints: [], endpointServices: [], iamUsers: [], iamGroups: [], iamRoles: [], iamPolicies: [], pipelines: [], buildProjects: [], sourceCredentials: [], coverage: [], unmapped: stack.resources.filter((r) => !r.type.startsWith('AWS::EC2::') && !r.type.startsWith('AWS::IAM::')).length };
    },
  };
  return { mappers, seen };
}

export const ENV: IacOptions = { parameters: {}, account: '111122223333', region: 'eu-west-1', now: new Date('2026-12-02T10:00:00Z') };

export async function readFixture(name: string, options: Partial<IacOptions> = {}): Promise<{ load: IacLoad; seen: CfnStack[] }> {
  const file = `${FIXTURES}/${name}`;
  const { mappers, seen } = recordingMappers();
  const load = await loadCloudFormationFile(file, readFileSync(file, 'utf8'), { ...ENV, ...options }, mappers);
  return { load, seen };
}

export function readStack(name: string, ctx: CfnStackContext, options: Partial<IacOptions> = {}): { load: IacLoad; seen: CfnStack[] } {
  const file = `${FIXTURES}/${name}`;
  const { mappers, seen } = recordingMappers();
  const load = loadCloudFormationStack(file, readFileSync(file, 'utf8'), ctx, { ...ENV, ...options }, mappers);
  return { load, seen };
}

/** The resources of a recorded stack as logicalId → resolved properties (Unresolved as plain objects). */
export function props(stack: CfnStack | undefined): Record<string, unknown> {
  return Object.fromEntries((stack?.resources ?? []).map((r) => [r.logicalId, JSON.parse(JSON.stringify(r.properties)) as unknown]));
}
