import type { AnyResource, ResourceKind } from '../model/types.js';
import type { Evidence } from './types.js';

/** Reads the value at a dot path of a resource, reported as `<kind>.<path>`; built once per rule. */
export type EvidenceReader = (resource: AnyResource) => Evidence;

export function evidenceReader(kind: ResourceKind, path: string): EvidenceReader {
  const segments = path.split('.');
  const label = `${kind}.${path}`;
  return (resource) => {
    let value: unknown = resource;
    for (const seg of segments) {
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[seg] : undefined;
    }
    return { path: label, value: value === undefined ? null : value };
  };
}
