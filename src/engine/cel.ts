import { Environment } from '@marcbachmann/cel-js';
import { accountOf, organizationOf } from '../model/arn.js';
import { RESOURCE_KINDS, type PolicyDocument, type ResourceKind, type VpcEndpoint } from '../model/types.js';
import { schemaDocument } from '../schema/validate.js';
import { statementsOf } from './policy-view.js';
import { pipelineHelpers, PIPELINE_HELPER_DOCS } from './pipeline-helpers.js';
import { re2Matches } from './re2.js';
import type { EvalContext } from './types.js';
import { UnknownValue } from './unknown.js';

/**
 * One CEL runtime per rule set. Expressions are type-checked against an environment whose types
 * are generated from the snapshot schema (so `resource.allowedPrincipal` is a compile error), and
 * evaluated in an untyped environment over the plain model objects (no per-call conversion).
 * Helper functions read the scan being evaluated through `bind()`.
 */
export interface CelRuntime {
  checkEnv(kind: ResourceKind): Environment;
  evalEnv: Environment;
  bind(ctx: EvalContext): void;
  /** The helper functions by name, for compiled expressions. */
  helpers: Readonly<Record<string, (...args: never[]) => unknown>>;
  /** Model fields of a kind, for validating evidence paths. */
  fieldsOf(kind: ResourceKind): ReadonlySet<string>;
}

const ENDPOINT_GONE = new Set(['deleted', 'deleting', 'failed', 'rejected', 'expired']);

export interface HelperDoc {
  signature: string;
  description: string;
}

/** The functions rule authors may call, besides CEL's standard library. */
export const HELPER_DOCS: HelperDoc[] = [
  { signature: 'daysSince(string): double', description: 'Days from an RFC 3339 timestamp to the snapshot time (generatedAt). Unknown if the timestamp cannot be parsed.' },
  { signature: 'accountOf(string): string', description: 'The 12-digit account of an ARN or account id; "" for `*` and service principals.' },
  { signature: 'principalTrusted(string, string): bool', description: 'Whether a principal (ARN, account id, Organizations ARN, service principal or `*`) is trusted for a resource owned by the account given second: the owner itself, `trustedAccounts`, members of `trustedOrganizations` (membership from the snapshot\'s `organizations`; unknown when it holds none for a configured organization), and AWS service principals. `*` is never trusted.' },
  { signature: 'vpcHasEndpoint(string, string, string, string): bool', description: 'Whether the VPC (account, region, vpcId) has a live VPC endpoint (not deleted, deleting, failed, rejected or expired) for the service name given last. Unknown when the VPC endpoints of that account and region were not read.' },
  { signature: 'policyStatements(dyn): list<map>', description: 'The statements of a policy document as a list of maps with list-valued fields: sid, effect, principals, notPrincipal, actions, notAction, resources, notResource, hasCondition, conditionKeys.' },
  ...PIPELINE_HELPER_DOCS,
];

export function createCelRuntime(): CelRuntime {
  let current: EvalContext | undefined;
  const ctx = (): EvalContext => {
    if (!current) throw new Error('CEL helper called outside an evaluation');
    return current;
  };

  const helpers = {
    daysSince: (ts: string): number => {
      const t = Date.parse(ts);
      if (ts === '') throw new UnknownValue('a timestamp it needs was not recorded');
      if (Number.isNaN(t)) throw new UnknownValue(`timestamp ${JSON.stringify(ts)} cannot be parsed`);
      return (ctx().now.getTime() - t) / 86_400_000;
    },
    accountOf: (p: string): string => cachedAccountOf(p) ?? '',
    principalTrusted: (principal: string, owner: string): boolean => principalTrusted(ctx(), principal, owner),
    vpcHasEndpoint: (account: string, region: string, vpcId: string, serviceName: string): boolean =>
      vpcHasEndpoint(ctx(), account, region, vpcId, serviceName),
    policyStatements: (doc: unknown): unknown[] => statementsOf(doc as PolicyDocument),
    ...pipelineHelpers(() => ctx().snapshot),
  };

  const withHelpers = (env: Environment): Environment =>
    env
      .registerVariable('config', 'Config')
      .registerVariable('now', 'google.protobuf.Timestamp')
      .registerFunction('daysSince(string): double', helpers.daysSince)
      .registerFunction('accountOf(string): string', helpers.accountOf)
      .registerFunction('principalTrusted(string, string): bool', helpers.principalTrusted)
      .registerFunction('vpcHasEndpoint(string, string, string, string): bool', helpers.vpcHasEndpoint)
      .registerFunction('policyStatements(dyn): list<map>', helpers.policyStatements)
      .registerFunction('connectionState(string): string', helpers.connectionState)
      .registerFunction('connectionStatus(string): string', helpers.connectionStatus)
      .registerFunction('connectionsRead(string, string): bool', helpers.connectionsRead)
      .registerFunction('connectionConsumers(string): list<map>', helpers.connectionConsumers)
      .registerFunction('pipelineActions(dyn): list<map>', helpers.pipelineActions)
      .registerFunction('sourceFlows(dyn, string, string): list<map>', helpers.sourceFlows)
      .registerFunction('buildGitCommands(dyn): list<string>', helpers.buildGitCommands);

  const configType = { fields: { trustedAccounts: 'list<string>', trustedOrganizations: 'list<string>', pendingAcceptanceMaxDays: 'int' } };

  const evalEnv = withHelpers(new Environment().registerType('Config', configType)).registerVariable('resource', 'map');
  routeInterpreterMatches(evalEnv);

  const model = modelTypes();
  const checkEnvs = new Map<ResourceKind, Environment>();
  const checkEnv = (kind: ResourceKind): Environment => {
    let env = checkEnvs.get(kind);
    if (!env) {
      env = new Environment().registerType('Config', configType);
      for (const [name, fields] of model.types) env.registerType(name, { fields });
      env = withHelpers(env).registerVariable('resource', model.kindType(kind));
      checkEnvs.set(kind, env);
    }
    return env;
  };

  return {
    checkEnv,
    evalEnv,
    helpers,
    bind: (c) => {
      current = c;
    },
    fieldsOf: (kind) => new Set(Object.keys(model.types.get(model.kindType(kind)) ?? {})),
  };
}

// Principals repeat across thousands of services; parse each distinct string once.
const accountCache = new Map<string, string | undefined>();
const orgCache = new Map<string, string | undefined>();
const CACHE_LIMIT = 100_000;

function memo(cache: Map<string, string | undefined>, key: string, compute: (k: string) => string | undefined): string | undefined {
  if (cache.has(key)) return cache.get(key);
  const v = compute(key);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, v);
  return v;
}

const cachedAccountOf = (p: string): string | undefined => memo(accountCache, p, accountOf);
const cachedOrganizationOf = (p: string): string | undefined => memo(orgCache, p, organizationOf);

function principalTrusted(ctx: EvalContext, principal: string, owner: string): boolean {
  if (principal === '*') return false;
  const { trustedAccounts, trustedOrganizations } = ctx.settings;
  const org = cachedOrganizationOf(principal);
  if (org) return trustedOrganizations.includes(org);
  const account = cachedAccountOf(principal);
  if (account === undefined) return !principal.startsWith('arn:'); // an AWS service principal
  if (account === owner || trustedAccounts.includes(account)) return true;
  if (trustedOrganizations.length === 0) return false;
  const members = ctx.index.organizationMembers;
  let unknownOrgs: string[] = [];
  for (const orgId of trustedOrganizations) {
    const set = members?.get(orgId);
    if (set === undefined) unknownOrgs.push(orgId);
    else if (set.has(account)) return true;
  }
  if (unknownOrgs.length > 0) {
    unknownOrgs = unknownOrgs.sort();
    throw new UnknownValue(
      `account ${account} is not in trustedAccounts and the snapshot holds no membership list for trusted organization(s) ${unknownOrgs.join(', ')}`,
    );
  }
  return false;
}

function vpcHasEndpoint(ctx: EvalContext, account: string, region: string, vpcId: string, serviceName: string): boolean {
  const gap = ctx.index.missingListings.get(`${account}|${region}|vpcEndpoint`);
  if (gap) {
    throw new UnknownValue(`VPC endpoints of ${account} in ${region} were not read (${gap.operation}: ${gap.errorCode})`);
  }
  if (!ctx.index.inScope(account, region)) {
    throw new UnknownValue(`VPC endpoints of ${account} in ${region} are outside the snapshot's scope`);
  }
  const endpoints = (ctx.index.vpcEndpointsByVpc.get(`${account}|${region}|${vpcId}`) ?? []) as VpcEndpoint[];
  return endpoints.some((e) => e.serviceName === serviceName && !ENDPOINT_GONE.has(e.state.toLowerCase()));
}

interface ModelTypes {
  /** CEL type name → field name → CEL type. */
  types: Map<string, Record<string, string>>;
  kindType(kind: ResourceKind): string;
}

// Definitions whose shape CEL cannot express as one static type (string-or-list, principal
// object-or-star) or that are plain maps.
const DYN_DEFS = new Set(['policyDocument', 'policyPrincipal', 'stringOrList', 'policyStatement']);
const STRING_DEFS = new Set(['accountId', 'regionName', 'regionOrGlobal', 'arn', 'timestamp', 'resourceKind']);

type JsonSchema = Record<string, unknown>;

/** Derives CEL object types from the snapshot JSON Schema, so the two can never drift. */
function modelTypes(): ModelTypes {
  const schema = schemaDocument('snapshot');
  const defs = schema.$defs as Record<string, JsonSchema>;
  const types = new Map<string, Record<string, string>>();
  const typeName = (def: string): string => `Model.${def[0]?.toUpperCase()}${def.slice(1)}`;

  const propertiesOf = (node: JsonSchema): Record<string, JsonSchema> => {
    let props: Record<string, JsonSchema> = {};
    for (const part of (node.allOf as JsonSchema[] | undefined) ?? []) {
      const target = part.$ref ? defs[String(part.$ref).split('/').pop() ?? ''] ?? {} : part;
      props = { ...props, ...propertiesOf(target) };
    }
    return { ...props, ...((node.properties as Record<string, JsonSchema> | undefined) ?? {}) };
  };

  const celType = (node: JsonSchema): string => {
    if (typeof node.$ref === 'string') {
      const def = node.$ref.split('/').pop() ?? '';
      if (DYN_DEFS.has(def)) return 'dyn';
      if (STRING_DEFS.has(def)) return 'string';
      if (def === 'tags' || def === 'stringMap') return 'map<string, string>';
      return objectType(def);
    }
    if (node.enum || node.const !== undefined) return 'string';
    switch (node.type) {
      case 'string':
        return 'string';
      case 'boolean':
        return 'bool';
      case 'integer':
      case 'number':
        // JSON numbers arrive as JS numbers, which cel-js treats as doubles.
        return 'double';
      case 'array':
        return `list<${celType((node.items as JsonSchema | undefined) ?? {})}>`;
      default:
        return 'dyn';
    }
  };

  const objectType = (def: string): string => {
    const name = typeName(def);
    if (!types.has(name)) {
      types.set(name, {}); // placeholder guards against cycles
      const fields: Record<string, string> = {};
      for (const [field, node] of Object.entries(propertiesOf(defs[def] ?? {}))) fields[field] = celType(node);
      types.delete(name);
      types.set(name, fields); // dependencies were registered first, as cel-js needs
    }
    return name;
  };

  for (const kind of RESOURCE_KINDS) objectType(kind);
  return { types, kindType: typeName };
}

const MATCHES_SIGNATURE = 'string.matches(string): bool';

/**
 * cel-js implements `matches()` with JavaScript's backtracking RegExp and refuses a second
 * overload of the same signature. Its declarations live in per-environment candidate lists that
 * an evaluated call keeps on its AST node; this swaps the declaration in this environment's list
 * (its own since helpers were registered on it) for one that calls RE2. Throws when cel-js no
 * longer exposes the list, so an upgrade cannot silently bring the backtracking engine back.
 */
function routeInterpreterMatches(env: Environment): void {
  const probe = env.parse('"".matches("")');
  probe({});
  // cel-js's AST is untyped JavaScript: the shape is checked field by field below.
  const node = probe.ast as unknown as { candidates?: { declarations?: unknown[] } };
  const declarations = node.candidates?.declarations;
  const index = declarations?.findIndex((d) => (d as { signature?: unknown }).signature === MATCHES_SIGNATURE) ?? -1;
  if (!declarations || index < 0) throw new Error('cel-js: cannot route matches() to RE2 (no candidate list on the call)');
  const original = declarations[index] as object;
  const handler = (text: string, pattern: string): boolean => re2Matches(text, pattern);
  declarations[index] = Object.freeze(Object.assign(Object.create(Object.getPrototypeOf(original) as object) as object, original, { handler }));
  if (env.evaluate('"aaaa".matches("^(?i)A+$")') !== true) throw new Error('cel-js: matches() is not routed to RE2');
}
