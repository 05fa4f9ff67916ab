// The contract between the IaC adapters (cloudformation/, cdk/, terraform/) and the scan. Every
// adapter turns its source into the snapshot model (src/model/types.ts); rules never see a
// template. See docs/iac.md.

import type { IacFormat, Snapshot, UnreadableField } from '../../model/types.js';

export interface IacOptions {
  /** `--iac-param Key=Value` and `--iac-params FILE`, merged (the flag wins over the file). */
  parameters: Record<string, string>;
  /** Where each parameter came from, for messages: `--iac-param`, or `params.json`. */
  parameterSources?: Record<string, string>;
  /** `--account` / `--region`: the environment of a template that does not name its own. */
  account?: string;
  region?: string;
  /** `--max-template-mb` (default 1, CloudFormation's limit for a template in S3). */
  maxTemplateBytes?: number;
  /** The working directory the origin files are relative to (default process.cwd()). */
  cwd?: string;
  /** The snapshots' generatedAt: the scan's time (default now), so only timestamps differ between runs. */
  now?: Date;
}

/**
 * One alternative of a deployment unit: the conditions that could not be decided from the known
 * parameters take these values. A unit whose conditions are all decided has one world.
 */
export interface IacWorld {
  /** `IsProd=true, UseVpc=false`; '' when the unit has one world. */
  label: string;
  snapshot: Snapshot;
}

/**
 * What is evaluated together: a root stack with its nested stacks, a CDK assembly's stacks, a
 * Terraform plan. The scan evaluates every world, then merges each (rule, resource): the same
 * status in every world where the resource exists is that status; different statuses are unknown,
 * with each world's result in the evidence.
 */
export interface IacUnit {
  /** Display name: the template path, `cdk.out (2 stacks)`, the plan path. */
  name: string;
  format: IacFormat;
  worlds: IacWorld[];
}

export interface IacInputSummary {
  file: string;
  format: IacFormat;
  resources: number;
  /** Resources of types no adapter maps (counted, not judged). */
  unmapped: number;
}

export interface IacLoad {
  units: IacUnit[];
  inputs: IacInputSummary[];
  /** Files a directory search looked at and skipped (not a template), with the reason. */
  skipped: Array<{ file: string; reason: string }>;
}

/**
 * The unknown of a value the template does not decide, as the model's field-level `unreadable`
 * entry: rules that read the field give unknown, naming what was not resolved.
 * `operation` is the intrinsic or source (`Ref`, `Fn::ImportValue`, `Transform`, `after_unknown`);
 * `errorCode` is `Unresolved`, except `NoDefault` for an undocumented AWS default.
 */
export function unresolvedField(field: string, operation: string, message: string, errorCode = 'Unresolved'): UnreadableField {
  return { field, operation, errorCode, message };
}
