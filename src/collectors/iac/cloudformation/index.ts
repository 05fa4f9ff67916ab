// CloudFormation templates (YAML with short-form tags, or JSON) → the snapshot model: the template
// is read and checked (template.ts), placed as a stack with its nested stacks (stack.ts,
// nested.ts), resolved world by world (worlds.ts, intrinsics.ts), and each world's stacks are
// mapped to model resources (map.ts via wiring.ts). docs/iac.md.

import { emptySnapshot } from '../../../model/empty.js';
import type { IacFormat, Snapshot } from '../../../model/types.js';
import { TOOL_NAME, toolVersion } from '../../../version.js';
import { displayPath } from '../index.js';
import type { IacInputSummary, IacLoad, IacOptions, IacUnit } from '../types.js';
import { readUnit, type UnitWorld } from './nested.js';
import { parseTemplate, type ParameterInput } from './stack.js';
import type { MappedStack, MapStack, IdentityOf } from './template-types.js';
import * as wiring from './wiring.js';
import { pushAll } from '../../../arrays.js';

/** How one stack is placed: what CDK (or a parent stack) knows that the template does not. */
export interface CfnStackContext {
  format: IacFormat;
  /** The origin id base: the template's display path (CloudFormation) or the stack artifact id (CDK). */
  idBase: string;
  stackName?: string;
  account?: string;
  region?: string;
  /** Parameters of this stack (a nested stack: its parent's `Parameters` property, resolved). */
  parameters: Record<string, string>;
  /** A nested stack's `TemplateURL` as a local file (CDK: the asset), or undefined when not local. */
  nestedTemplate?: (templateUrl: unknown, logicalId: string) => string | undefined;
}

/** The mappers a load hands stacks to (tests give doubles; the CLI the real ones). */
export interface CfnMappers {
  identityOf: IdentityOf;
  mapStack: MapStack;
}

const defaultMappers: CfnMappers = { identityOf: wiring.identityOf, mapStack: wiring.mapStack };

/** Whether text is a template a directory search should take: `Resources` with `Type: AWS::…`. */
export function isCloudFormationTemplateText(text: string): boolean {
  return /(^|[\s{,"])Resources["']?\s*:/m.test(text) && /Type["']?\s*:\s*["']?AWS::/.test(text);
}

/** One standalone template: one unit, its origin ids based on the template's display path. */
export async function loadCloudFormationFile(file: string, text: string, options: IacOptions, mappers: CfnMappers = defaultMappers): Promise<IacLoad> {
  const ctx: CfnStackContext = {
    format: 'cloudformation',
    idBase: displayPath(file, options),
    ...(options.account !== undefined ? { account: options.account } : {}),
    ...(options.region !== undefined ? { region: options.region } : {}),
    parameters: options.parameters,
  };
  return loadCloudFormationStack(file, text, ctx, options, mappers);
}

/** One stack (CDK: each stack artifact of an assembly) with its nested stacks: one unit. */
export function loadCloudFormationStack(file: string, text: string, ctx: CfnStackContext, options: IacOptions, mappers: CfnMappers = defaultMappers): IacLoad {
  const display = displayPath(file, options);
  const template = parseTemplate(display, text, options.maxTemplateBytes);
  const parameters: Record<string, ParameterInput> = { ...ctx.parameters };
  const reading = readUnit(
    { path: file, display, template },
    {
      format: ctx.format,
      path: file,
      idBase: ctx.idBase,
      ...(ctx.stackName !== undefined ? { stackName: ctx.stackName } : {}),
      ...(ctx.account !== undefined ? { account: ctx.account } : {}),
      ...(ctx.region !== undefined ? { region: ctx.region } : {}),
      parameters,
      missingParameter: (name) => `parameter ${name} has no default and no value (--iac-param ${name}=…)`,
    },
    { options, identityOf: mappers.identityOf, ...(ctx.nestedTemplate ? { nestedTemplate: ctx.nestedTemplate } : {}) },
  );
  const unmapped = new Map<string, number>();
  const now = (options.now ?? new Date()).toISOString();
  const unit: IacUnit = {
    name: display,
    format: ctx.format,
    worlds: reading.worlds.map((w) => ({ label: w.label, snapshot: snapshotOf(w, display, ctx.format, now, mappers.mapStack, unmapped) })),
  };
  const inputs: IacInputSummary[] = reading.templates.map((t) => ({
    file: t.display,
    format: ctx.format,
    resources: t.template.resources.length,
    unmapped: unmapped.get(t.display) ?? 0,
  }));
  return { units: [unit], inputs, skipped: [] };
}

type Collections = Omit<MappedStack, 'unmapped' | 'coverage'>;
const COLLECTIONS: Array<keyof Collections> = [
  'connections', 'hosts', 'vpcEndpoints', 'endpointServices', 'iamUsers', 'iamGroups', 'iamRoles', 'iamPolicies', 'pipelines', 'buildProjects', 'sourceCredentials',
];

function snapshotOf(world: UnitWorld, description: string, format: IacFormat, generatedAt: string, mapStack: MapStack, unmapped: Map<string, number>): Snapshot {
  const root = world.stacks[0];
  const snapshot: Snapshot = emptySnapshot({
    generatedAt,
    source: { kind: 'iac', tool: `${TOOL_NAME} ${toolVersion()} (${format})`, description },
    scope: { partition: root?.partition ?? 'aws', accounts: root ? [root.account] : [], regions: root ? [root.region] : [] },
    coverage: [...world.gaps],
  });
  for (const stack of world.stacks) {
    const mapped = mapStack(stack);
    // Each stack file's unmapped count is its largest over the worlds (a resource absent in one world still counts).
    unmapped.set(stack.file, Math.max(unmapped.get(stack.file) ?? 0, mapped.unmapped));
    for (const c of COLLECTIONS) pushAll(snapshot[c] as unknown[], mapped[c] as unknown[]);
    pushAll(snapshot.coverage, mapped.coverage);
  }
  // Sorted by ARN as the snapshot loader sorts, so output does not depend on template order.
  for (const c of COLLECTIONS) (snapshot[c] as Array<{ arn: string }>).sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return snapshot;
}
