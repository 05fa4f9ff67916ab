// One template placed as a stack (its environment, parameters, resource identities), resolved
// world by world into the CfnStack the mappers read. Nested stacks are found here and read by
// nested.ts.

import { UserError } from '../../../errors.js';
import type { CoverageGap, IacFormat, ResourceKind } from '../../../model/types.js';
import { RESOURCE_KINDS } from '../../../model/types.js';
import { callOf, NO_VALUE, resolveTop, type Scope } from './intrinsics.js';
import { parseJsonTree } from './parse-json.js';
import { parseYamlTree } from './parse-yaml.js';
import { fastYamlTree } from './fast-yaml.js';
import { get, plain, TemplateText, type TNode } from './positions.js';
import { pseudoValue, stackEnv } from './pseudo.js';
import { readTemplate, type ResourceDef, type Template } from './template.js';
import { Unresolved, type CfnResource, type CfnStack, type CfnValue, type IdentityOf, type ResourceIdentity } from './template-types.js';
import { conditionLookup, isRelevantType, MAX_WORLD_CONDITIONS, planWorlds, type WorldPlan } from './worlds.js';

export const DEFAULT_MAX_TEMPLATE_BYTES = 1024 * 1024;
const MIB = 1024 * 1024;

/** Parses a template's text (JSON when it starts with `{`, YAML otherwise) and reads its sections. */
export function parseTemplate(display: string, text: string, maxBytes = DEFAULT_MAX_TEMPLATE_BYTES): Template {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    throw new UserError(
      `${display}: template is ${mib(bytes)} MiB (${bytes} bytes), over the limit of ${mib(maxBytes)} MiB (${maxBytes} bytes; CloudFormation's own limit for a template in S3 is 1 MiB); raise the limit with --max-template-mb`,
    );
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const json = /^\s*\{/.test(body.slice(0, 4096));
  const root = json ? parseJsonTree(body, display) : (fastYamlTree(body) ?? parseYamlTree(body, display));
  return readTemplate(new TemplateText(display, body, root));
}

function mib(bytes: number): string {
  const v = bytes / MIB;
  return v >= 0.01 ? v.toFixed(2).replace(/\.?0+$/, '') : v.toPrecision(3);
}

/** A value a stack receives for a parameter: text, or unknown (a parent's unresolved value). */
export type ParameterInput = string | Unresolved;

export interface StackPlacement {
  format: IacFormat;
  /** Path to read nested templates relative to. */
  path: string;
  idBase: string;
  stackName?: string;
  /** See CfnStack.originStack. */
  originStack?: string;
  account?: string;
  region?: string;
  parameters: Record<string, ParameterInput>;
  /** Says why a parameter without default has no value (differs for the root and a nested stack). */
  missingParameter: (name: string) => string;
  /** Caps the conditions enumerated (0 when a nested stack would exceed the unit's worlds). */
  maxConditions?: number;
}

export interface NestedRef {
  logicalId: string;
  resource: CfnResource;
  def: ResourceDef;
}

export interface StackWorld {
  stack: CfnStack;
  nested: NestedRef[];
  gaps: CoverageGap[];
}

const LIST_TYPE = /^(List<.*>|CommaDelimitedList|AWS::SSM::Parameter::Value<List<.*>>|AWS::SSM::Parameter::Value<CommaDelimitedList>)$/;

export class StackReader {
  readonly base: Omit<CfnStack, 'resources'>;
  readonly plan: WorldPlan;
  private readonly identities = new Map<string, ResourceIdentity>();
  private readonly parameters = new Map<string, CfnValue>();

  constructor(
    readonly tpl: Template,
    readonly placement: StackPlacement,
    identityOf: IdentityOf,
  ) {
    const env = stackEnv(placement.account, placement.region, placement.stackName);
    const unexpanded = unexpandedReason(tpl);
    const originStack = placement.originStack ?? env.stackName;
    this.base = {
      format: placement.format,
      file: tpl.text.file,
      idBase: placement.idBase,
      ...(env.stackName !== undefined ? { stackName: env.stackName } : {}),
      ...(originStack !== undefined ? { originStack } : {}),
      partition: env.partition,
      account: env.account,
      accountKnown: env.accountKnown,
      region: env.region,
      regionKnown: env.regionKnown,
      ...(unexpanded ? { unexpanded } : {}),
    };
    for (const [name, p] of tpl.parameters) this.parameters.set(name, this.parameterValue(name, p.type, p.noEcho, p.default));
    for (const r of tpl.resources) this.identities.set(r.logicalId, identityOf(this.base, r.type, r.logicalId, literalProperties(r)));
    const undecidedScope = this.scope(new Map());
    this.plan = planWorlds(tpl, (name) => undecidedScope.condition(name), placement.maxConditions ?? MAX_WORLD_CONDITIONS);
  }

  private parameterValue(name: string, type: string, noEcho: boolean, def: unknown): CfnValue {
    // A NoEcho value is a secret: never read, so it cannot reach a report.
    if (noEcho) return new Unresolved('Ref', `parameter ${name} is NoEcho; linkaudit does not use its value`);
    const given = Object.hasOwn(this.placement.parameters, name) ? this.placement.parameters[name] : undefined;
    let text: string;
    if (given instanceof Unresolved) return given;
    if (given !== undefined) text = given;
    else if (def === undefined) return new Unresolved('Ref', this.placement.missingParameter(name));
    else if (Array.isArray(def)) text = def.map(String).join(',');
    else if (def !== null && typeof def === 'object') return new Unresolved('Ref', `parameter ${name}: its Default is not a value`);
    else text = String(def);
    return LIST_TYPE.test(type) ? text.split(',') : text;
  }

  /** The resolution scope of one world. */
  private scope(assignment: Map<string, boolean>, exists?: (id: string) => boolean | Unresolved): Scope {
    const env = stackEnv(this.placement.account, this.placement.region, this.placement.stackName);
    const tpl = this.tpl;
    const scope: Scope = {
      tpl,
      parameter: (name) => this.parameters.get(name),
      pseudo: (name) => pseudoValue(name, env),
      ref: (id) => {
        const def = tpl.byId.get(id);
        if (!def) return undefined;
        const absent = this.absence(def, exists);
        return absent ?? (this.identities.get(id) as ResourceIdentity).ref;
      },
      getAtt: (id, attr) => {
        const def = tpl.byId.get(id);
        if (!def) return new Unresolved('Fn::GetAtt', `${id}.${attr}: ${id} is not a resource of this template`);
        const absent = this.absence(def, exists);
        if (absent) return new Unresolved('Fn::GetAtt', absent.reason);
        const v = (this.identities.get(id) as ResourceIdentity).attributes[attr];
        return v !== undefined && Object.hasOwn((this.identities.get(id) as ResourceIdentity).attributes, attr) ? v : new Unresolved('Fn::GetAtt', `${id}.${attr} is known only after deployment`);
      },
      condition: (name) => lookup(name),
      macro: () => undefined,
    };
    const lookup = conditionLookup(tpl, assignment, () => scope);
    return scope;
  }

  private absence(def: ResourceDef, exists?: (id: string) => boolean | Unresolved): Unresolved | undefined {
    if (!exists || def.condition === undefined) return undefined;
    return exists(def.logicalId) === false ? new Unresolved('Ref', `resource ${def.logicalId} does not exist when condition ${def.condition} is false`) : undefined;
  }

  /** The stack in one world: the resources whose condition holds, their properties resolved. */
  world(assignment: Map<string, boolean>): StackWorld {
    const tpl = this.tpl;
    const existence = new Map<string, boolean | Unresolved>();
    const exists = (id: string): boolean | Unresolved => existence.get(id) ?? true;
    const scope = this.scope(assignment, exists);
    for (const r of tpl.resources) if (r.condition !== undefined) existence.set(r.logicalId, scope.condition(r.condition));
    const resources: CfnResource[] = [];
    const nested: NestedRef[] = [];
    const gaps: CoverageGap[] = [];
    for (const r of tpl.resources) {
      const e = existence.get(r.logicalId) ?? true;
      if (e === false) continue;
      // Only where the model may hold the resource: an unmapped type's existence changes no result.
      if (e instanceof Unresolved && isRelevantType(r.type)) {
        gaps.push({
          account: this.base.account,
          region: kindsOf(r.type).every((k) => k.startsWith('iam')) ? 'global' : this.base.region,
          service: 'cloudformation',
          operation: 'Condition',
          errorCode: 'Unresolved',
          message: `${tpl.text.file}: resource ${r.logicalId} exists only if condition ${r.condition ?? '?'} holds, which is not decided (${e.reason}) and is not among the conditions enumerated as worlds; it is read as existing`,
          resourceKinds: kindsOf(r.type),
        });
      }
      const properties: Record<string, CfnValue> = {};
      const propertyLocations: CfnResource['propertyLocations'] = {};
      const props = r.properties;
      if (props) {
        for (let i = 0; i < props.keys.length; i++) {
          const key = props.keys[i] as TNode;
          const valueNode = props.values[i] as TNode;
          const name = String((key as { value: unknown }).value);
          const v = resolveTop(valueNode, scope);
          propertyLocations[name] = tpl.text.location(key, valueNode);
          if (v !== NO_VALUE) properties[name] = v;
        }
      }
      const resource: CfnResource = {
        logicalId: r.logicalId,
        type: r.type,
        properties,
        location: tpl.text.location(r.key, r.node),
        propertyLocations,
        ...(r.cdkPath !== undefined ? { cdkPath: r.cdkPath } : {}),
      };
      resources.push(resource);
      if (r.type === 'AWS::CloudFormation::Stack') nested.push({ logicalId: r.logicalId, resource, def: r });
    }
    return { stack: { ...this.base, resources }, nested, gaps };
  }

  /** A nested stack's `Parameters` property as its parameters. */
  static childParameters(resource: CfnResource): Record<string, ParameterInput> {
    const out: Record<string, ParameterInput> = {};
    const p = resource.properties['Parameters'];
    if (p === undefined || p === null || typeof p !== 'object' || Array.isArray(p) || p instanceof Unresolved) return out;
    for (const [k, v] of Object.entries(p)) {
      if (v instanceof Unresolved) out[k] = v;
      else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) out[k] = v.join(',');
      else out[k] = new Unresolved('Parameters', `the value ${resource.logicalId} passes for parameter ${k} is not resolved`);
    }
    return out;
  }

  /** The written (unresolved) TemplateURL of a nested stack, for CDK's asset lookup. */
  static writtenTemplateUrl(def: ResourceDef): unknown {
    const n = def.properties ? get(def.properties, 'TemplateURL') : undefined;
    return n ? plain(n) : undefined;
  }
}

/** Properties written as plain values (no intrinsic anywhere inside): what identities may use. */
function literalProperties(r: ResourceDef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = r.properties;
  if (!props) return out;
  props.keys.forEach((k, i) => {
    const v = props.values[i] as TNode;
    if (isLiteral(v)) Object.defineProperty(out, String(k.value), { value: plain(v), enumerable: true, writable: true, configurable: true });
  });
  return out;
}

function isLiteral(n: TNode): boolean {
  if (n.kind === 'scalar') return true;
  if (callOf(n, false) !== undefined) return false;
  return n.kind === 'map' ? n.values.every(isLiteral) : n.items.every(isLiteral);
}

function unexpandedReason(tpl: Template): Unresolved | undefined {
  const t = tpl.transforms[0];
  if (t !== undefined) {
    const extra = t === 'AWS::LanguageExtensions' ? ' (its loops and functions are not run)' : '';
    return new Unresolved('Transform', `the template uses the ${t} transform, which linkaudit does not expand${extra}`);
  }
  const m = tpl.macros[0];
  if (m !== undefined) return new Unresolved('Fn::Transform', `the template calls the macro ${m} (Fn::Transform), which linkaudit does not expand`);
  return undefined;
}

/** The model kinds a resource type can become (for coverage notes); every kind when not known. */
export function kindsOf(type: string): ResourceKind[] {
  if (type.startsWith('AWS::IAM::Role')) return ['iamRole'];
  if (type.startsWith('AWS::IAM::User')) return ['iamUser', 'iamGroup'];
  if (type.startsWith('AWS::IAM::Group')) return ['iamGroup'];
  if (type.startsWith('AWS::IAM::')) return ['iamPolicy', 'iamRole', 'iamUser', 'iamGroup'];
  if (type === 'AWS::EC2::VPCEndpoint') return ['vpcEndpoint'];
  if (type.startsWith('AWS::EC2::VPCEndpoint')) return ['endpointService'];
  if (type.endsWith('::Host')) return ['host'];
  if (type.endsWith('::Connection')) return ['connection'];
  if (type === 'AWS::CodePipeline::Pipeline') return ['pipeline'];
  if (type === 'AWS::CodeBuild::Project') return ['buildProject'];
  if (type === 'AWS::CodeBuild::SourceCredential') return ['sourceCredential'];
  return [...RESOURCE_KINDS];
}
