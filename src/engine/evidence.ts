import type { AnyResource, ResourceKind } from '../model/types.js';
import type { Evidence } from './types.js';

/** The value at a dot path of a resource, reported as `<kind>.<path>`. */
export function evidenceAt(kind: ResourceKind, resource: AnyResource, path: string): Evidence {
  let value: unknown = resource;
  for (const seg of path.split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[seg] : undefined;
  }
  return { path: `${kind}.${path}`, value: value === undefined ? null : value };
}
