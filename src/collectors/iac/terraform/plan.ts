// Reading `terraform show -json PLAN` output: the shape is checked here (a UserError naming the
// JSON pointer of what is wrong), so the mappers only ever see well-formed resources. Format:
// https://developer.hashicorp.com/terraform/internals/json-format (format_version 1.x; a minor
// version adds fields, a major version would change their meaning).

import { UserError, located } from '../../../errors.js';

/** The plan formats this reader understands: `1.0` … `1.N` (Terraform 1.0 and later). */
export const SUPPORTED_FORMAT = /^1\.[0-9]{1,4}$/;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One resource instance as the estate will hold it after apply. */
export interface TfResource {
  /** Full address: `module.ci["a"].aws_iam_role.builder["api"]`. */
  address: string;
  /** Module instance address (`module.ci["a"]`), '' for the root module. */
  moduleAddress: string;
  /** The module's configuration path without instance keys (`module.ci`), '' for the root. */
  modulePath: string;
  /** The configuration address (`module.ci.aws_iam_role.builder`). */
  configAddress: string;
  type: string;
  name: string;
  index?: string | number;
  /** Where the entry is in the plan, for messages. */
  pointer: string;
  after: JsonObject;
  /** `change.after_unknown`: `true` at a path means known only after apply. */
  unknown: Json;
  /** `change.after_sensitive`: `true` at a path means the value must never be shown. */
  sensitive: Json;
  /** True when the resource exists before apply (update, no-op, replace). */
  exists: boolean;
}

/** A data source's values: `aws_caller_identity` names the account. */
export interface TfData {
  type: string;
  after: JsonObject;
  unknown: Json;
}

export interface TfPlan {
  formatVersion: string;
  resources: TfResource[];
  data: TfData[];
  /** The whole document, for configuration and prior_state. */
  root: JsonObject;
}

const ACTIONS = new Set(['no-op', 'create', 'read', 'update', 'delete', 'forget']);

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function shapeError(file: string, pointer: string, message: string): UserError {
  return new UserError(located(file, `${pointer || '/'}: ${message}`));
}

/** Untrusted text in a message: bounded, with control characters shown as escapes. */
export function shown(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const cut = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  return JSON.stringify(cut);
}

export function readPlan(file: string, doc: unknown): TfPlan {
  if (!isObject(doc)) throw shapeError(file, '', 'a Terraform plan is a JSON object (terraform show -json PLAN)');
  const version = doc.format_version;
  if (typeof version !== 'string') throw shapeError(file, '/format_version', 'expected a string such as "1.2"');
  if (!SUPPORTED_FORMAT.test(version)) {
    throw shapeError(file, '/format_version', `unsupported plan format_version ${shown(version)} (supported: 1.x, from Terraform 1.0 and later)`);
  }
  const changes = doc.resource_changes ?? [];
  if (!Array.isArray(changes)) throw shapeError(file, '/resource_changes', 'expected an array');
  const resources: TfResource[] = [];
  const data: TfData[] = [];
  changes.forEach((entry, i) => {
    const pointer = `/resource_changes/${i}`;
    const rc = readChange(file, pointer, entry);
    if (rc) {
      if ('configAddress' in rc) resources.push(rc);
      else data.push(rc);
    }
  });
  return { formatVersion: version, resources, data, root: doc };
}

function str(file: string, pointer: string, o: JsonObject, key: string, optional = false): string | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v === '') throw shapeError(file, `${pointer}/${key}`, 'expected a non-empty string');
  return v;
}

function readChange(file: string, pointer: string, entry: Json): TfResource | TfData | undefined {
  if (!isObject(entry)) throw shapeError(file, pointer, 'expected an object');
  const address = str(file, pointer, entry, 'address') as string;
  const mode = str(file, pointer, entry, 'mode') as string;
  if (mode !== 'managed' && mode !== 'data') throw shapeError(file, `${pointer}/mode`, `expected "managed" or "data", got ${shown(mode)}`);
  const type = str(file, pointer, entry, 'type') as string;
  const name = str(file, pointer, entry, 'name') as string;
  const moduleAddress = str(file, pointer, entry, 'module_address', true) ?? '';
  const index = entry.index;
  if (index !== undefined && typeof index !== 'string' && typeof index !== 'number') throw shapeError(file, `${pointer}/index`, 'expected a string or a number');
  const change = entry.change;
  if (!isObject(change)) throw shapeError(file, `${pointer}/change`, 'expected an object');
  const actions = change.actions;
  if (!Array.isArray(actions) || actions.length === 0 || actions.length > 2) throw shapeError(file, `${pointer}/change/actions`, 'expected an array of one or two actions');
  actions.forEach((a, j) => {
    if (typeof a !== 'string' || !ACTIONS.has(a)) throw shapeError(file, `${pointer}/change/actions/${j}`, `unknown action ${shown(a)} (known: ${[...ACTIONS].join(', ')})`);
  });
  // A deposed object is an old instance on its way out: never part of the estate after apply.
  if (entry.deposed !== undefined) return undefined;
  const acts = actions as string[];
  // Delete alone removes it; forget (a `removed` block) leaves it unmanaged, outside the plan's estate.
  if (!acts.includes('create') && !acts.includes('update') && !acts.includes('no-op') && !(mode === 'data' && acts.includes('read'))) return undefined;
  const after = change.after;
  if (!isObject(after)) throw shapeError(file, `${pointer}/change/after`, `expected an object for actions ${acts.join(', ')}`);
  const unknown = change.after_unknown ?? false;
  const sensitive = change.after_sensitive ?? false;
  if (mode === 'data') return { type, after, unknown };
  const modulePath = stripKeys(moduleAddress);
  return {
    address,
    moduleAddress,
    modulePath,
    configAddress: `${modulePath === '' ? '' : `${modulePath}.`}${type}.${name}`,
    type,
    name,
    ...(index !== undefined ? { index } : {}),
    pointer,
    after,
    unknown,
    sensitive,
    exists: !acts.includes('create') || acts.includes('delete'),
  };
}

/**
 * `module.ci["a"].module.net[0]` → `module.ci.module.net`: the configuration path of a module
 * instance. Keys are quoted strings (with `\"` escapes) or numbers; one linear pass.
 */
export function stripKeys(address: string): string {
  let out = '';
  let i = 0;
  while (i < address.length) {
    const c = address[i];
    if (c === '[') {
      i++;
      if (address[i] === '"') {
        i++;
        while (i < address.length && address[i] !== '"') i += address[i] === '\\' ? 2 : 1;
        i++;
      }
      while (i < address.length && address[i] !== ']') i++;
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The value's status at one attribute: unknown, sensitive, absent (null or missing) or known. */
export type Attr = { kind: 'known'; value: Json } | { kind: 'absent' } | { kind: 'unknown' } | { kind: 'sensitive' };

/** Whether a marker tree (after_unknown / after_sensitive) holds `true` anywhere. */
export function anyTrue(tree: Json | undefined, depth = 0): boolean {
  if (tree === true) return true;
  if (depth > 64 || tree === null || typeof tree !== 'object') return false;
  if (Array.isArray(tree)) return tree.some((t) => anyTrue(t, depth + 1));
  for (const k in tree) if (anyTrue(tree[k], depth + 1)) return true;
  return false;
}

export function markerAt(tree: Json, attr: string): Json | undefined {
  if (tree === true) return true;
  return isObject(tree) ? tree[attr] : undefined;
}

export function attr(r: Pick<TfResource, 'after' | 'unknown' | 'sensitive'>, name: string): Attr {
  // Sensitive first: a sensitive value that is also unknown must still never be shown.
  if (anyTrue(markerAt(r.sensitive, name))) return { kind: 'sensitive' };
  if (anyTrue(markerAt(r.unknown, name))) return { kind: 'unknown' };
  const v = r.after[name];
  if (v === undefined || v === null) return { kind: 'absent' };
  return { kind: 'known', value: v };
}
