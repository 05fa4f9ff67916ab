// What the service mappers of one stack share: the template's resources by type, their
// identities (as the reader resolved `Ref`/`GetAtt` to them) and the model resources built so
// far, sealed together at the end (permissions, notifications and IAM attachments add to
// resources other template resources declared).

import type { ResourceBase } from '../../../model/types.js';
import { identityOf } from './identity.js';
import type { CfnResource, CfnStack, ResourceIdentity } from './template-types.js';
import { FieldReader } from './values.js';

export class MapContext {
  private readonly byType = new Map<string, CfnResource[]>();
  private readonly identities = new Map<CfnResource, ResourceIdentity>();
  private readonly built: Array<{ model: ResourceBase; reader: FieldReader }> = [];

  constructor(readonly stack: CfnStack) {
    for (const r of stack.resources) {
      const list = this.byType.get(r.type);
      if (list) list.push(r);
      else this.byType.set(r.type, [r]);
    }
  }

  of(...types: string[]): CfnResource[] {
    return types.flatMap((t) => this.byType.get(t) ?? []);
  }

  /**
   * The identity the reader gave the resource. Computed from the properties that are plain
   * values, as the reader computes it from the literals it read (the two agree on every literal).
   */
  identity(r: CfnResource): ResourceIdentity {
    let id = this.identities.get(r);
    if (!id) {
      const literals: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r.properties)) if (v === null || typeof v !== 'object') literals[k] = v;
      id = identityOf(this.stack, r.type, r.logicalId, literals);
      this.identities.set(r, id);
    }
    return id;
  }

  private readonly byRefs = new Map<string, Map<string, CfnResource>>();

  /** The template's resources of a type by what their `Ref` gives (built once per type). */
  byRef(type: string): Map<string, CfnResource> {
    let map = this.byRefs.get(type);
    if (!map) {
      map = new Map(this.of(type).map((r) => [this.identity(r).ref, r]));
      this.byRefs.set(type, map);
    }
    return map;
  }

  reader(r: CfnResource): FieldReader {
    return new FieldReader(this.stack, r);
  }

  /** Registers a model resource for sealing (origin, unreadable) once every mapper has run. */
  add<T extends ResourceBase>(model: T, reader: FieldReader): T {
    this.built.push({ model, reader });
    return model;
  }

  seal(): void {
    for (const { model, reader } of this.built) reader.seal(model);
  }
}
