// The plan's `configuration`: what the .tf files wrote, per resource (expressions, with the
// `references` Terraform computed from them), where each module's files are (a local
// `module_calls[*].source`), and the aws provider's region. Read leniently: a plan without a
// configuration, or with odd shapes in it, still loads (joins then fall back to values, locations
// to the plan file); values come from resource_changes, which plan.ts checks strictly.

import { isAbsolute, join, normalize } from 'node:path';
import { isObject, type Json, type JsonObject } from './plan.js';

export interface ConfigResource {
  /** `module.ci.aws_iam_role.builder`. */
  configAddress: string;
  modulePath: string;
  /** Top-level argument/block name → its expression (or, for blocks, a list of expression maps). */
  expressions: JsonObject;
  /** References of `for_each` / `count` (`each.value.name` then names the resource iterated over). */
  iterationRefs: string[];
  providerKey?: string;
}

export interface ConfigModule {
  /** `module.ci.module.net`; '' for the root. */
  path: string;
  /** Directory of its .tf files, relative to the plan's directory (undefined: not a local module). */
  dir?: string;
  /** Output name → its expression (with `references`), to follow `module.NAME.OUTPUT`. */
  outputs: Map<string, Json>;
}

export interface Configuration {
  resources: Map<string, ConfigResource>;
  modules: Map<string, ConfigModule>;
  /** provider_config key → the region it names, when a constant (or a root variable's value). */
  regions: Map<string, string>;
  /** Whether a configuration was present at all (if not, nothing can be called unconfigured). */
  present: boolean;
}

const MAX_MODULE_DEPTH = 32;

export function readConfiguration(root: JsonObject): Configuration {
  const out: Configuration = { resources: new Map(), modules: new Map(), regions: new Map(), present: false };
  const config = root.configuration;
  if (!isObject(config)) return out;
  out.present = true;
  const variables = isObject(root.variables) ? root.variables : {};
  if (isObject(config.provider_config)) {
    for (const [key, p] of Object.entries(config.provider_config)) {
      if (!isObject(p) || p.name !== 'aws') continue;
      const region = regionOf(p.expressions, variables, typeof p.module_address === 'string' && p.module_address !== '');
      if (region !== undefined) out.regions.set(key, region);
    }
  }
  walkModule(config.root_module, '', '.', out, 0);
  return out;
}

function regionOf(expressions: Json | undefined, variables: JsonObject, inModule: boolean): string | undefined {
  if (!isObject(expressions) || !isObject(expressions.region)) return undefined;
  const e = expressions.region;
  if (typeof e.constant_value === 'string') return e.constant_value;
  // `region = var.region` in the root module: the variable's value is in the plan.
  const refs = e.references;
  if (!inModule && Array.isArray(refs) && refs.length === 1 && typeof refs[0] === 'string' && refs[0].startsWith('var.')) {
    const v = variables[refs[0].slice(4)];
    if (isObject(v) && typeof v.value === 'string') return v.value;
  }
  return undefined;
}

function walkModule(mod: Json | undefined, path: string, dir: string | undefined, out: Configuration, depth: number): void {
  if (!isObject(mod) || depth > MAX_MODULE_DEPTH) return;
  const outputs = new Map<string, Json>();
  if (isObject(mod.outputs)) for (const [name, o] of Object.entries(mod.outputs)) if (isObject(o) && o.expression !== undefined) outputs.set(name, o.expression);
  out.modules.set(path, { path, ...(dir !== undefined ? { dir } : {}), outputs });
  if (Array.isArray(mod.resources)) {
    for (const r of mod.resources) {
      if (!isObject(r) || r.mode !== 'managed' || typeof r.type !== 'string' || typeof r.name !== 'string') continue;
      const configAddress = `${path === '' ? '' : `${path}.`}${r.type}.${r.name}`;
      out.resources.set(configAddress, {
        configAddress,
        modulePath: path,
        expressions: isObject(r.expressions) ? r.expressions : {},
        iterationRefs: [...referencesOf(r.for_each_expression), ...referencesOf(r.count_expression)],
        ...(typeof r.provider_config_key === 'string' ? { providerKey: r.provider_config_key } : {}),
      });
    }
  }
  if (isObject(mod.module_calls)) {
    for (const [name, call] of Object.entries(mod.module_calls)) {
      if (!isObject(call)) continue;
      const childPath = `${path === '' ? '' : `${path}.`}module.${name}`;
      walkModule(call.module, childPath, localSource(dir, call.source), out, depth + 1);
    }
  }
}

/** `./modules/ci` or `../shared` relative to the calling module; registry and git sources have no local files. */
function localSource(parent: string | undefined, source: Json | undefined): string | undefined {
  if (parent === undefined || typeof source !== 'string') return undefined;
  if (!source.startsWith('./') && !source.startsWith('../') && source !== '.' && source !== '..') return undefined;
  if (isAbsolute(source) || source.includes('\0')) return undefined;
  return normalize(join(parent, source));
}

/** The expression of a top-level argument, or undefined when the configuration does not set it. */
export function expressionOf(c: ConfigResource | undefined, name: string): Json | undefined {
  return c?.expressions[name];
}

/**
 * The references of an argument's expression (`["aws_iam_role.builder.name", "aws_iam_role.builder"]`),
 * deepest first as Terraform lists them; nested blocks' expressions included.
 */
export function referencesOf(expr: Json | undefined, out: string[] = [], depth = 0): string[] {
  if (depth > 16 || expr === null || typeof expr !== 'object') return out;
  if (Array.isArray(expr)) {
    for (const e of expr) referencesOf(e, out, depth + 1);
    return out;
  }
  if (Array.isArray(expr.references)) {
    for (const r of expr.references) if (typeof r === 'string') out.push(r);
    return out;
  }
  for (const k in expr) if (k !== 'constant_value') referencesOf(expr[k], out, depth + 1);
  return out;
}
