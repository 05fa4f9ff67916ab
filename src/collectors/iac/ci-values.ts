// What the IaC sources share when they map pipelines and builds (cloudformation/codepipeline.ts,
// cloudformation/codebuild.ts, terraform/codepipeline.ts, terraform/codebuild.ts): which action
// configuration values are secrets, how a build source is stored (redact.ts decides what is
// never kept), which source-auth resources may be kept, and the defaults AWS documents. Nothing
// here knows a template's shape: callers hand in values they have read.

import type { BuildSource, BuildSourceAuth } from '../../model/types.js';
import { buildspecFields, MAX_LOCATION_INPUT, REDACTED, redactLocation, redactText } from '../redact.js';

/**
 * Configuration keys whose values are secrets in every action type that has them: `OAuthToken`
 * (GitHub version 1), and the names custom and partner action types give their secret
 * properties. Their value is never read into the model: the key maps to REDACTED, whether the
 * template writes the value, a NoEcho parameter, a dynamic reference or a sensitive variable.
 */
const SECRET_KEY = /token|secret|passw(or)?d|credential|api[-_]?key|private[-_]?key/i;

export function isSecretConfigurationKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** CodePipeline's limit for a configuration value is 1,000 characters; far longer ones are not read. */
const MAX_CONFIGURATION_VALUE = MAX_LOCATION_INPUT;

export type ConfigurationValue = { value: string } | { invalid: string };

/**
 * A configuration value as the model keeps it (`PipelineAction.configuration`): secrets REDACTED,
 * a CodeBuild action's `EnvironmentVariables` with every value REDACTED (names and types kept), a
 * value CodePipeline already masks (`****`) REDACTED, and credentials in URLs or tokens of known
 * forms removed from the rest (`redactText`).
 */
export function configurationValue(key: string, value: string): ConfigurationValue {
  if (isSecretConfigurationKey(key) || value === '****') return { value: REDACTED };
  if (value.length > MAX_CONFIGURATION_VALUE) return { invalid: `is ${value.length} characters long (CodePipeline takes at most 1,000), so it is not read` };
  if (key === 'EnvironmentVariables') return { value: environmentVariablesJson(value) };
  return { value: redactText(value) };
}

/**
 * The CodeBuild action's `EnvironmentVariables` (a JSON list of `{name, value, type}`): a
 * PLAINTEXT value is a secret as often as not, and the others name parameters and secrets the
 * model does not need, so every value is replaced. Anything but such a list is REDACTED whole.
 */
function environmentVariablesJson(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return REDACTED;
  }
  if (!Array.isArray(parsed)) return REDACTED;
  const out: Array<{ name: string; type: string; value: string }> = [];
  for (const v of parsed) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return REDACTED;
    const { name, type } = v as { name?: unknown; type?: unknown };
    if (typeof name !== 'string') return REDACTED;
    out.push({ name: redactText(name), type: typeof type === 'string' ? type : 'PLAINTEXT', value: REDACTED });
  }
  return JSON.stringify(out);
}

/** Source auth types whose `resource` is an ARN (a connection, a secret); OAUTH's is none and is never kept. */
const AUTH_RESOURCE: Record<string, RegExp> = {
  CODECONNECTIONS: /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]*:[0-9]{12}:connection\/.+$/,
  SECRETS_MANAGER: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]*:[0-9]{12}:secret:.+$/,
};

/**
 * The `resource` a source auth or source credential may keep: the connection or secret ARN of a
 * CODECONNECTIONS or SECRETS_MANAGER auth, when it is one. Anything else may be a token (an OAUTH
 * resource, a personal access token written where an ARN belongs) and is never kept: the reason
 * says what is wrong without the value.
 */
export function authResource(type: string, resource: string): { resource: string } | { problem: string } | undefined {
  const pattern = AUTH_RESOURCE[type];
  if (!pattern) return undefined;
  if (pattern.test(resource)) return { resource };
  return { problem: `is not a ${type === 'CODECONNECTIONS' ? 'connection' : 'Secrets Manager secret'} ARN (what ${type} takes), so it is not read` };
}

/**
 * CloudFormation dynamic references (`{{resolve:secretsmanager:…}}`, `{{resolve:ssm:…}}`,
 * `{{resolve:ssm-secure:…}}`): replaced by their value at deployment, so what a template writes
 * there is decided only then, and it is usually a secret.
 */
const DYNAMIC_REFERENCE = /\{\{resolve:(?:(?!\}\}).){0,2048}\}\}/gs;
const MARKER = 'linkauditdynamicreference';

export function hasDynamicReference(text: string): boolean {
  DYNAMIC_REFERENCE.lastIndex = 0;
  return DYNAMIC_REFERENCE.test(text);
}

/** A build source as read from a template, before redaction. */
export interface SourceInput {
  type: string;
  location?: string;
  buildspec?: string;
  gitCloneDepth?: number;
  reportBuildStatus?: boolean;
  sourceIdentifier?: string;
  auth?: BuildSourceAuth;
}

export interface SourceIssue {
  /** Unresolved (the value is decided at deployment) rather than a value AWS would refuse. */
  unresolved: boolean;
  message: string;
}

/**
 * The model's BuildSource: the location with its credentials removed (`redactLocation`), the
 * buildspec inline (values under env.variables removed) or as a file path (`buildspecFields`).
 * `issues` say what could not be kept (the caller makes the field unreadable): a buildspec that
 * is neither a YAML mapping nor a path, a location too long to be one, a dynamic reference whose
 * value decides what the rules read. `dynamicReferences` (CloudFormation): a dynamic reference in
 * a location's user-info is a credential whatever it resolves to (`x-token-auth:{{resolve:…}}@`);
 * one anywhere else in the location, or in a buildspec outside env.variables, is unresolved.
 */
export function buildSource(input: SourceInput, dynamicReferences = false): { source: BuildSource; issues: SourceIssue[] } {
  const issues: SourceIssue[] = [];
  const source: BuildSource = { type: input.type };
  if (input.location !== undefined) {
    const dynamic = dynamicReferences && hasDynamicReference(input.location);
    const loc = redactLocation(dynamic ? input.location.replace(DYNAMIC_REFERENCE, MARKER) : input.location);
    if (loc.unread !== undefined) issues.push({ unresolved: false, message: `its location is not read: ${loc.unread}` });
    else if (dynamic && loc.location.includes(MARKER)) {
      issues.push({ unresolved: true, message: 'its location holds a dynamic reference ({{resolve:…}}) outside the user-info, resolved only at deployment' });
      source.location = REDACTED;
    } else {
      source.location = loc.location;
      if (loc.hadCredentials || dynamic) source.locationHadCredentials = true;
    }
  }
  if (input.sourceIdentifier !== undefined) source.sourceIdentifier = input.sourceIdentifier;
  if (input.auth !== undefined) source.auth = input.auth;
  const dynamicSpec = dynamicReferences && input.buildspec !== undefined && hasDynamicReference(input.buildspec);
  const spec = buildspecFields(dynamicSpec ? input.buildspec?.replace(DYNAMIC_REFERENCE, MARKER) : input.buildspec);
  if (dynamicSpec && [spec.buildspec, spec.buildspecFile].some((t) => t?.includes(MARKER))) {
    issues.push({ unresolved: true, message: 'its buildspec holds a dynamic reference ({{resolve:…}}) outside env.variables, resolved only at deployment' });
  } else {
    if (spec.buildspec !== undefined) source.buildspec = spec.buildspec;
    if (spec.buildspecFile !== undefined) source.buildspecFile = spec.buildspecFile;
  }
  if (spec.unparsed) issues.push({ unresolved: false, message: 'its buildspec is neither a YAML mapping nor a path, so no part of it is kept' });
  if (input.gitCloneDepth !== undefined) source.gitCloneDepth = input.gitCloneDepth;
  if (input.reportBuildStatus !== undefined) source.reportBuildStatus = input.reportBuildStatus;
  return { source, issues };
}

/**
 * A pipeline's type when the template names none. CodePipeline: "Including V2 parameters, such as
 * triggers on Git tags, in the pipeline JSON when creating or updating a pipeline will result in
 * the pipeline having the V2 type" (PipelineDeclaration.pipelineType, API reference); without
 * them it is V1, as GetPipeline reports pipelines that never set one.
 */
export function defaultPipelineType(hasV2Parameters: boolean): 'V1' | 'V2' {
  return hasV2Parameters ? 'V2' : 'V1';
}

/** "The default mode is SUPERSEDED" (PipelineDeclaration.executionMode, CodePipeline API reference). */
export const DEFAULT_EXECUTION_MODE = 'SUPERSEDED';

/** "The default runOrder value for an action is 1" (ActionDeclaration.runOrder, CodePipeline API reference). */
export const DEFAULT_RUN_ORDER = 1;

/** An environment variable's type when none is given (EnvironmentVariable.type: "The default is PLAINTEXT"). */
export const DEFAULT_VARIABLE_TYPE = 'PLAINTEXT';

/** A pipeline or action name CodePipeline takes: `[A-Za-z0-9.@_-]{1,100}`. */
export const PIPELINE_NAME = /^[A-Za-z0-9.@_-]{1,100}$/;

/** A CodeBuild project name: a letter or digit, then `[A-Za-z0-9_-]`, 2 to 255 characters. */
export const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;

export { REDACTED };
