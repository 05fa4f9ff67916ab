// The contract between the CloudFormation template reader (parse, intrinsics, conditions, worlds:
// template.ts and its modules) and the service mappers (ec2.ts, codeconnections.ts, iam.ts:
// template resources → model kinds). The reader knows template syntax and nothing of the model;
// the mappers know resource types and the model, never an intrinsic.

import type { IacFormat, Snapshot, SourceLocation } from '../../../model/types.js';

/**
 * A value the template does not decide: a parameter without default or value, `Fn::ImportValue`,
 * a `!GetAtt` of something outside the template, a NoEcho parameter, an unexpanded macro.
 * `operation` names the intrinsic (`Ref`, `Fn::ImportValue`, `Fn::GetAtt`, `Transform`),
 * `reason` says in words what is missing, naming the parameter, export or macro.
 */
export class Unresolved {
  constructor(
    readonly operation: string,
    readonly reason: string,
  ) {}
}

/** A property value after intrinsic resolution in one world. `AWS::NoValue` removes the key. */
export type CfnValue = string | number | boolean | null | CfnValue[] | { [key: string]: CfnValue } | Unresolved;

export interface CfnResource {
  logicalId: string;
  type: string;
  /** `Properties`, resolved; absent properties are absent keys. */
  properties: Record<string, CfnValue>;
  /** The logical-id key through the resource's last line. */
  location: SourceLocation;
  /** Each key under `Properties` as written (top level only). */
  propertyLocations: Record<string, SourceLocation>;
  /** `Metadata['aws:cdk:path']` when present. */
  cdkPath?: string;
}

/** One stack in one world, as the mappers see it. */
export interface CfnStack {
  format: IacFormat;
  /** Display path of the template file (relative to the working directory, `/`-separated). */
  file: string;
  /** Origin id base: `net.yaml`, `MyStack`, `parent.yaml#Child` (nested). Origin id = `${idBase}#${logicalId}`. */
  idBase: string;
  stackName?: string;
  /**
   * What a finding names as the stack: the stack name, or for a nested stack its parent's plus the
   * nested resource's logical id (AWS names nested stacks at deployment, so AWS::StackName stays
   * unresolved there).
   */
  originStack?: string;
  partition: string;
  /** The environment, or IAC_UNKNOWN_ACCOUNT / IAC_UNKNOWN_REGION with the *Known flag false. */
  account: string;
  accountKnown: boolean;
  region: string;
  regionKnown: boolean;
  /** The resources that exist in this world (their `Condition` holds), mapped types or not. */
  resources: CfnResource[];
  /**
   * Set when the template has a `Transform` or macro the reader cannot expand: every mapped
   * resource's results are unknown, and so is the absence of anything (the macro may add it).
   */
  unexpanded?: Unresolved;
}

/**
 * What `Ref` and `Fn::GetAtt` of a template resource give, before deployment: strings the mappers
 * use as the model's ids and ARNs (`iac:` ids, `iacArn`), so a `!Ref OpenService` in a
 * permissions resource names the same service the service resource becomes.
 * `ref`: the `Ref` value; `attributes`: `GetAtt` attribute name → value. An attribute absent
 * here resolves to Unresolved.
 */
export interface ResourceIdentity {
  ref: string;
  attributes: Record<string, string>;
}

/**
 * Computes a resource's identity from its type, logical id and the properties written as plain
 * literals (e.g. `RoleName: builder`; a property given by an intrinsic is absent from
 * `literals`, so identities never depend on resolution, and resolution may depend on them).
 * Implemented by the mappers (identity.ts); every type, mapped or not, gets one.
 */
export type IdentityOf = (stack: Omit<CfnStack, 'resources'>, type: string, logicalId: string, literals: Record<string, unknown>) => ResourceIdentity;

/** The model resources one stack in one world maps to (the snapshot's collections and gaps). */
export type MappedStack = Pick<
  Snapshot,
  | 'connections'
  | 'hosts'
  | 'vpcEndpoints'
  | 'endpointServices'
  | 'iamUsers'
  | 'iamGroups'
  | 'iamRoles'
  | 'iamPolicies'
  | 'pipelines'
  | 'buildProjects'
  | 'sourceCredentials'
  | 'coverage'
> & {
  /** Resources of types no mapper knows (counted in the input summary, not judged). */
  unmapped: number;
};

/** Implemented by map.ts: one stack in one world → model resources. */
export type MapStack = (stack: CfnStack) => MappedStack;
