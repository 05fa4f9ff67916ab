// What every service mapper shares: a resource's identity (origin, IaC ARN), its environment,
// its location in the .tf files, field reads that turn after_unknown / after_sensitive into
// unreadable fields, and joins between resources (by known value, else by the configuration's
// references).

import { join } from 'node:path';
import { iacArn, IAC_UNKNOWN_ACCOUNT } from '../../../model/arn.js';
import type { IacOrigin, ResourceKind, SourceLocation, Tags, UnreadableField } from '../../../model/types.js';
import { unresolvedField } from '../types.js';
import { expressionOf, referencesOf, type ConfigResource, type Configuration } from './configuration.js';
import { attr, isObject, type Attr, type Json, type TfResource } from './plan.js';
import { MAX_TF_TOTAL_BYTES, scanModuleDir, type ReadBudget, type TfBlock } from './tf-files.js';

export interface Env {
  partition: string;
  account: string;
  accountKnown: boolean;
  region: string;
}

export interface MapContext {
  /** Display path of the plan file. */
  planFile: string;
  config: Configuration;
  /** Every resource in the estate after apply, by type. */
  byType: Map<string, TfResource[]>;
  envOf(r: TfResource): Env;
  /** The `.tf` block of a resource, or undefined (then the plan file, line 1). */
  blockOf(r: TfResource): { block: TfBlock; file: string } | undefined;
  /** Real ARNs (of resources that exist) → the IaC ARN the plan's resource has in the model. */
  arnAliases: Map<string, string>;
}

export function originId(ctx: MapContext, r: TfResource): string {
  return `${ctx.planFile}#${r.address}`;
}

/** The ids the model gives VPC endpoints and services (and VPCs they name): `iac:` + origin id. */
export function iacId(ctx: MapContext, r: TfResource): string {
  return `iac:${originId(ctx, r)}`;
}

export function arnOf(ctx: MapContext, r: TfResource, kind: ResourceKind, service?: string): string {
  const env = ctx.envOf(r);
  const region = kind.startsWith('iam') ? '' : env.region;
  return iacArn(kind, env.partition, region, env.account, originId(ctx, r), service);
}

/** Resources a `TYPE.NAME` key does not locate: the plan file, line 1. */
export function planFallback(planFile: string): SourceLocation {
  return { file: planFile, line: 1, column: 1, endLine: 1, endColumn: 1 };
}

/**
 * `properties` maps model field → the Terraform argument that sets it (first one written wins);
 * extra locations (a permissions resource's `principal_arn`) are merged by the mappers.
 */
export function originOf(ctx: MapContext, r: TfResource, properties: Record<string, string>): IacOrigin {
  const found = ctx.blockOf(r);
  const location: SourceLocation = found ? { file: found.file, line: found.block.line, column: found.block.column, endLine: found.block.endLine, endColumn: found.block.endColumn } : planFallback(ctx.planFile);
  const props: Record<string, SourceLocation> = {};
  if (found) {
    for (const [field, arg] of Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const span = found.block.args.get(arg);
      if (span && !props[field]) props[field] = { file: found.file, ...span };
    }
  }
  return {
    format: 'terraform',
    id: originId(ctx, r),
    location,
    address: r.address,
    ...(Object.keys(props).length > 0 ? { properties: props } : {}),
  };
}

/** The locations of some of `r`'s arguments, keyed by the model field they go to (for joined resources). */
export function argLocations(ctx: MapContext, r: TfResource, properties: Record<string, string>): Record<string, SourceLocation> {
  return originOf(ctx, r, properties).properties ?? {};
}

export function configOf(ctx: MapContext, r: TfResource): ConfigResource | undefined {
  return ctx.config.resources.get(r.configAddress);
}

/**
 * Reads a resource's attributes into model fields. Unknown and sensitive values are never
 * returned: their field is listed as unreadable (sensitive values are not even looked at).
 */
export class Fields {
  readonly unreadable: UnreadableField[] = [];
  constructor(
    readonly ctx: MapContext,
    readonly r: TfResource,
  ) {
    const env = ctx.envOf(r);
    if (!env.accountKnown) this.mark(unresolvedField('account', 'account', `the account is not known: give --account (${IAC_UNKNOWN_ACCOUNT} stands in for it)`));
  }

  mark(u: UnreadableField): void {
    if (!this.unreadable.some((x) => x.field === u.field)) this.unreadable.push(u);
  }

  unknown(field: string, name: string): void {
    this.mark(unresolvedField(field, 'after_unknown', `${this.r.address}.${name} is known only after apply`));
  }

  sensitive(field: string, name: string): void {
    this.mark(unresolvedField(field, 'after_sensitive', `${this.r.address}.${name} is sensitive: its value is not read`, 'Sensitive'));
  }

  /** Whether the configuration sets the argument (no configuration: assume it does). */
  configured(name: string): boolean {
    const c = configOf(this.ctx, this.r);
    // Without the resource's configuration nothing can be called unset: an unknown stays unknown.
    if (!c) return true;
    return expressionOf(c, name) !== undefined;
  }

  /**
   * The known value of `name` for `field`, or undefined when absent; unknown/sensitive mark the
   * field. `computed`: an Optional+Computed argument the configuration does not set is the
   * provider's default, not an unknown (the caller applies that default).
   */
  read(name: string, field: string, computed = false): Json | undefined {
    const a = attr(this.r, name);
    if (a.kind === 'known') return a.value;
    if (a.kind === 'absent') return undefined;
    if (a.kind === 'unknown' && computed && !this.configured(name)) return undefined;
    if (a.kind === 'unknown') this.unknown(field, name);
    else this.sensitive(field, name);
    return undefined;
  }

  /**
   * Runtime state (a status, a state): the plan's value for a resource that exists, else what AWS
   * reports for one being created. Never unreadable: no IaC rule judges it, and an unknown would
   * stop rules that only match on it (an endpoint's state) from judging anything.
   */
  runtime(name: string, created: string): string {
    const a = attr(this.r, name);
    return a.kind === 'known' && typeof a.value === 'string' && a.value !== '' ? a.value : created;
  }

  /** Whether reading `name` would give a usable value (no marking). */
  state(name: string): ReturnType<typeof attr>['kind'] {
    return attr(this.r, name).kind;
  }

  string(name: string, field: string, computed = false): string | undefined {
    const v = this.read(name, field, computed);
    return typeof v === 'string' ? v : undefined;
  }

  bool(name: string, field: string, computed = false): boolean | undefined {
    const v = this.read(name, field, computed);
    if (typeof v === 'boolean') return v;
    // The provider's schema types booleans; a string from an older state is what Terraform means.
    if (v === 'true') return true;
    if (v === 'false') return false;
    return undefined;
  }

  strings(name: string, field: string, computed = false): string[] | undefined {
    const v = this.read(name, field, computed);
    if (!Array.isArray(v)) return undefined;
    return v.filter((x): x is string => typeof x === 'string');
  }

  /** `tags_all` (with the provider's default_tags, what AWS will hold) else `tags`; sensitive or unknown → unreadable. */
  tags(): Tags {
    for (const name of ['tags_all', 'tags']) {
      const a = attr(this.r, name);
      if (a.kind === 'known' && isObject(a.value)) {
        const out: Tags = {};
        for (const [k, v] of Object.entries(a.value)) if (typeof v === 'string') out[k] = v;
        return out;
      }
      if (a.kind === 'sensitive') {
        this.sensitive('tags', name);
        return {};
      }
      if (a.kind === 'unknown' && name === 'tags') {
        this.unknown('tags', name);
        return {};
      }
    }
    return {};
  }

  done(): { unreadable?: UnreadableField[] } {
    return this.unreadable.length > 0 ? { unreadable: this.unreadable } : {};
  }
}

export type Join = { kind: 'targets'; targets: TfResource[] } | { kind: 'outside' } | { kind: 'unresolved'; reason: string; candidates: TfResource[] };

const REF = /^([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[(?:"((?:[^"\\]|\\.)*)"|([0-9]+))\])?/;

/**
 * The resources of `types` that `r`'s argument `name` points to. A known value is looked up with
 * `byValue`; a value known only after apply is followed through the configuration's references
 * (relative to `r`'s module, in the same module instance; an instance key written in the
 * reference, else `r`'s own key under for_each/count, else the only instance).
 */
export function joinOf(ctx: MapContext, r: TfResource, name: string, types: readonly string[], byValue: (value: string) => TfResource[], expr?: Json, value?: Attr): Join {
  const a = value ?? attr(r, name);
  if (a.kind === 'sensitive') return { kind: 'unresolved', reason: `${r.address}.${name} is sensitive`, candidates: [] };
  if (a.kind === 'known' && typeof a.value === 'string') {
    const found = byValue(a.value);
    if (found.length > 0) return { kind: 'targets', targets: found };
  }
  const c = configOf(ctx, r);
  const refs = referencesOf(expr ?? expressionOf(c, name));
  const viaEach = refs.some((x) => x.startsWith('each.'));
  const all = viaEach && c ? [...refs, ...c.iterationRefs] : refs;
  const found = followRefs(ctx, { modulePath: r.modulePath, moduleAddress: r.moduleAddress, index: r.index }, all, types, `${r.address}.${name}`, 0);
  if (found) return found;
  if (a.kind === 'known') return { kind: 'outside' };
  if (a.kind === 'absent') return { kind: 'outside' };
  return { kind: 'unresolved', reason: `${r.address}.${name} is known only after apply and names no resource of the plan`, candidates: [] };
}

interface Scope {
  modulePath: string;
  moduleAddress: string;
  index?: string | number | undefined;
}

const MODULE_REF = /^module\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[(?:"((?:[^"\\]|\\.)*)"|([0-9]+))\])?\.([A-Za-z_][A-Za-z0-9_-]*)/;
const MAX_OUTPUT_DEPTH = 8;

/**
 * The first reference that names resources of `types` in `scope`: directly (`aws_iam_role.r`), or
 * through a child module's output (`module.ci.role_name` → the output's own references, in the
 * child module's instance).
 */
function followRefs(ctx: MapContext, scope: Scope, refs: readonly string[], types: readonly string[], what: string, depth: number): Join | undefined {
  for (const ref of refs) {
    const out = MODULE_REF.exec(ref);
    if (out && depth < MAX_OUTPUT_DEPTH) {
      const childPath = `${scope.modulePath === '' ? '' : `${scope.modulePath}.`}module.${out[1]}`;
      const key = out[2] !== undefined ? JSON.stringify(out[2].replace(/\\(.)/g, '$1')) : out[3];
      const childAddress = `${scope.moduleAddress === '' ? '' : `${scope.moduleAddress}.`}module.${out[1]}${key !== undefined ? `[${key}]` : ''}`;
      const expr = ctx.config.modules.get(childPath)?.outputs.get(out[4] as string);
      const found = followRefs(ctx, { modulePath: childPath, moduleAddress: childAddress }, referencesOf(expr), types, what, depth + 1);
      if (found) return found;
      continue;
    }
    const m = REF.exec(ref);
    if (!m || !types.includes(m[1] as string)) continue;
    const configAddress = `${scope.modulePath === '' ? '' : `${scope.modulePath}.`}${m[1]}.${m[2]}`;
    const instances = instancesOf(ctx, configAddress, scope.moduleAddress);
    if (instances.length === 0) continue;
    const key = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[4] !== undefined ? Number(m[4]) : undefined;
    if (key !== undefined) {
      const hit = instances.filter((t) => t.index === key);
      if (hit.length > 0) return { kind: 'targets', targets: hit };
      continue;
    }
    if (instances.length === 1 && instances[0]?.index === undefined) return { kind: 'targets', targets: instances };
    if (scope.index !== undefined) {
      const same = instances.filter((t) => t.index === scope.index);
      if (same.length === 1) return { kind: 'targets', targets: same };
    }
    if (instances.length === 1) return { kind: 'targets', targets: instances };
    return { kind: 'unresolved', reason: `${what} names one of ${instances.length} instances of ${configAddress}, which is known only after apply`, candidates: instances };
  }
  return undefined;
}

const instanceIndex = new WeakMap<MapContext, Map<string, TfResource[]>>();

/** The instances of a configuration address in one module instance (indexed once per plan). */
export function instancesOf(ctx: MapContext, configAddress: string, moduleAddress: string): TfResource[] {
  let index = instanceIndex.get(ctx);
  if (!index) {
    index = new Map();
    for (const list of ctx.byType.values()) {
      for (const t of list) {
        const key = `${t.configAddress}\0${t.moduleAddress}`;
        const at = index.get(key);
        if (at) at.push(t);
        else index.set(key, [t]);
      }
    }
    instanceIndex.set(ctx, index);
  }
  return index.get(`${configAddress}\0${moduleAddress}`) ?? [];
}

/**
 * Resources of some types by a known string attribute (`id`, `arn`, `name`): the lookup a join
 * by value makes, indexed once.
 */
export function indexBy(resources: readonly TfResource[], name: string): (value: string) => TfResource[] {
  const index = new Map<string, TfResource[]>();
  for (const r of resources) {
    const a = attr(r, name);
    if (a.kind !== 'known' || typeof a.value !== 'string') continue;
    const at = index.get(a.value);
    if (at) at.push(r);
    else index.set(a.value, [r]);
  }
  return (value) => index.get(value) ?? [];
}

/** Module directory (relative to the root module's) → its blocks, scanned once per plan. */
export function blockFinder(rootDir: string, config: Configuration): (r: TfResource) => { block: TfBlock; dir: string } | undefined {
  const scanned = new Map<string, Map<string, TfBlock>>();
  const budget: ReadBudget = { bytes: MAX_TF_TOTAL_BYTES };
  return (r) => {
    const mod = config.modules.get(r.modulePath) ?? (r.modulePath === '' ? { path: '', dir: '.', outputs: new Map() } : undefined);
    if (mod?.dir === undefined) return undefined;
    const dir = join(rootDir, mod.dir);
    let blocks = scanned.get(dir);
    if (!blocks) {
      blocks = scanModuleDir(dir, budget);
      scanned.set(dir, blocks);
    }
    const block = blocks.get(`${r.type}.${r.name}`);
    return block ? { block, dir } : undefined;
  };
}
