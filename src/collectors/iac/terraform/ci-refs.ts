// How a plan's pipelines and build projects name its roles, connections and projects, so the
// model joins them as a live collection of the applied plan would. A known value is kept (an
// existing resource's real ARN becomes its model identity through arnAliases; a role's real ARN
// written out becomes the plan role of that name); a value known only after apply (`role_arn =
// aws_iam_role.builder.arn` of a new role) is followed through the configuration's references to
// the one resource of the wanted types it names. A reference that cannot pick one is unresolved.

import type { Json, TfResource } from './plan.js';
import { attr } from './plan.js';
import { referencesOf } from './configuration.js';
import { arnOf, iacId, joinOf, type MapContext } from './context.js';
import { PROJECT_NAME } from '../ci-values.js';

export const CONNECTION_SERVICE: Record<string, string> = { aws_codestarconnections_connection: 'codestar-connections', aws_codeconnections_connection: 'codeconnections' };
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::([0-9]{12}):role\/(?:.*\/)?([^/]+)$/;
const ADDRESS = /^([a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?)/;

export type Joined = { value: string } | { unresolved: string };

export class TfCiRefs {
  private readonly roleByName = new Map<string, TfResource>();

  constructor(private readonly ctx: MapContext) {
    for (const r of ctx.byType.get('aws_iam_role') ?? []) {
      const name = attr(r, 'name');
      if (name.kind === 'known' && typeof name.value === 'string' && !this.roleByName.has(`${ctx.envOf(r).account}|${name.value}`)) this.roleByName.set(`${ctx.envOf(r).account}|${name.value}`, r);
    }
  }

  /** A role ARN: an existing resource's model identity, a plan role of the ARN's name, else the ARN. */
  roleArn(r: TfResource, value: string): string {
    const alias = this.ctx.arnAliases.get(value);
    if (alias !== undefined) return alias;
    const m = ROLE_ARN.exec(value);
    const own = m ? this.roleByName.get(`${m[2]}|${m[3]}`) : undefined;
    return own && this.ctx.envOf(own).account === this.ctx.envOf(r).account ? arnOf(this.ctx, own, 'iamRole') : value;
  }

  /** A known ARN of a connection or other resource: the model identity of an existing one of the plan, else as written. */
  known(value: string): string {
    return this.ctx.arnAliases.get(value) ?? value;
  }

  /**
   * A value known only after apply, through the references of `expr` (else of `fallback`, the
   * whole attribute's expression, when the block's own is not in the configuration) to one
   * resource of `types`: `model` gives what the model calls it.
   */
  follow(r: TfResource, what: string, types: readonly string[], expr: Json | undefined, fallback: Json | undefined, model: (t: TfResource) => string): Joined {
    const pick = (e: Json | undefined): string[] => referencesOf(e).filter((ref) => types.some((t) => ref.startsWith(`${t}.`)) || ref.startsWith('module.') || ref.startsWith('each.'));
    let refs = pick(expr);
    if (refs.length === 0) refs = pick(fallback);
    const direct = new Set(refs.flatMap((ref) => (ref.startsWith('module.') || ref.startsWith('each.') ? [] : [ADDRESS.exec(ref)?.[1] ?? ref])));
    if (direct.size > 1) return { unresolved: `${r.address}.${what} is known only after apply and its expression names ${direct.size} resources (${[...direct].sort().join(', ')})` };
    const join = joinOf(this.ctx, r, what, types, () => [], { references: refs }, { kind: 'unknown' });
    if (join.kind === 'targets' && join.targets.length === 1) return { value: model(join.targets[0] as TfResource) };
    if (join.kind === 'unresolved') return { unresolved: join.reason };
    return { unresolved: `${r.address}.${what} is known only after apply and names no resource of the plan` };
  }

  roleOf = (t: TfResource): string => arnOf(this.ctx, t, 'iamRole');
  connectionOf = (t: TfResource): string => arnOf(this.ctx, t, 'connection', CONNECTION_SERVICE[t.type]);
  projectOf = (t: TfResource): string => projectName(this.ctx, t).name;
}

/**
 * A project's name in the model: its `name` when known and one CodeBuild takes, else the
 * stand-in `iac:` + origin id (the name is then unreadable, with `why`).
 */
export function projectName(ctx: MapContext, r: TfResource): { name: string; why?: 'unknown' | 'sensitive' | 'invalid' } {
  const a = attr(r, 'name');
  if (a.kind === 'known' && typeof a.value === 'string' && PROJECT_NAME.test(a.value)) return { name: a.value };
  return { name: iacId(ctx, r), why: a.kind === 'unknown' ? 'unknown' : a.kind === 'sensitive' ? 'sensitive' : 'invalid' };
}
