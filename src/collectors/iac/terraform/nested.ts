// Reading inside nested blocks and maps of a planned resource (a pipeline's stage[].action[]
// .configuration, a project's source[0]): the value, its after_unknown and after_sensitive marker
// trees and the configuration's expressions are walked together, so one value known only after
// apply (a new connection's ARN) or sensitive (an OAuth token) leaves its neighbours readable.

import { anyTrue, isObject, type Json, type TfResource } from './plan.js';

export interface View {
  after: Json | undefined;
  unknown: Json | undefined;
  sensitive: Json | undefined;
  /** The configuration's expression here (blocks: a list of expression maps), if any. */
  expr: Json | undefined;
}

export type Leaf = { kind: 'known'; value: Json } | { kind: 'absent' } | { kind: 'unknown' } | { kind: 'sensitive' };

export function rootView(r: TfResource, expressions: Json | undefined): View {
  return { after: r.after, unknown: r.unknown, sensitive: r.sensitive, expr: expressions };
}

function markerChild(tree: Json | undefined, key: string | number): Json | undefined {
  if (tree === true) return true;
  if (Array.isArray(tree)) return typeof key === 'number' ? tree[key] : undefined;
  if (isObject(tree)) return typeof key === 'string' ? tree[key] : undefined;
  return undefined;
}

function valueChild(v: Json | undefined, key: string | number): Json | undefined {
  if (Array.isArray(v)) return typeof key === 'number' ? v[key] : undefined;
  if (isObject(v)) return typeof key === 'string' && Object.hasOwn(v, key) ? v[key] : undefined;
  return undefined;
}

export function child(v: View, key: string | number): View {
  return { after: valueChild(v.after, key), unknown: markerChild(v.unknown, key), sensitive: markerChild(v.sensitive, key), expr: valueChild(v.expr, key) };
}

/** A value read whole: sensitive anywhere inside is sensitive (never looked at), then unknown anywhere inside. */
export function leaf(v: View): Leaf {
  if (anyTrue(v.sensitive ?? false)) return { kind: 'sensitive' };
  if (anyTrue(v.unknown ?? false)) return { kind: 'unknown' };
  if (v.after === undefined || v.after === null) return { kind: 'absent' };
  return { kind: 'known', value: v.after };
}

/**
 * A container (block list, block, map) to descend into: its own marker `true` makes it unknown
 * or sensitive as a whole; otherwise its parts are read one by one.
 */
export function container(v: View): Leaf {
  if (v.sensitive === true) return { kind: 'sensitive' };
  if (v.unknown === true) return { kind: 'unknown' };
  if (v.after === undefined || v.after === null) return { kind: 'absent' };
  return { kind: 'known', value: v.after };
}

/** The elements of a block list (or list attribute) as views; [] when it is not a list. */
export function items(v: View): View[] {
  return Array.isArray(v.after) ? v.after.map((_, i) => child(v, i)) : [];
}

/** Whether the configuration writes the argument at this place (no expression map: assume it does). */
export function configured(v: View, key: string): boolean {
  if (v.expr === undefined) return true;
  if (!isObject(v.expr)) return true;
  return v.expr[key] !== undefined;
}
