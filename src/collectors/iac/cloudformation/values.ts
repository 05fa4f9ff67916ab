// Reading resolved property values into model fields. A value the template does not decide
// (Unresolved anywhere inside it) or one CloudFormation would refuse makes that model field
// unreadable, with a schema-valid placeholder in the field: rules reading it give unknown.

import type { IacOrigin, ResourceBase, SourceLocation, Tags, UnreadableField } from '../../../model/types.js';
import { unresolvedField } from '../types.js';
import { Unresolved, type CfnResource, type CfnStack, type CfnValue } from './template-types.js';
import { originIdOf } from './identity.js';

/** The first Unresolved inside a value (depth-first, in written order), if any. */
export function findUnresolved(value: CfnValue | undefined): Unresolved | undefined {
  if (value instanceof Unresolved) return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const u = findUnresolved(v);
      if (u) return u;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) {
      const u = findUnresolved(v);
      if (u) return u;
    }
  }
  return undefined;
}

/**
 * CloudFormation takes `true`/`false` in any case, and the strings of them, for Boolean
 * properties (its YAML/JSON has no other spelling of a boolean a deploy accepts).
 */
export function booleanOf(value: CfnValue): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

/** Strings CloudFormation takes for String properties: numbers and booleans are stringified by it. */
export function stringOf(value: CfnValue): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * One model resource being built from one template resource: the unreadable fields it collects
 * (the first reason per field) and where each model field was written.
 */
export class FieldReader {
  readonly unreadable: UnreadableField[] = [];
  readonly properties: Record<string, SourceLocation> = {};

  constructor(
    readonly stack: CfnStack,
    readonly resource: CfnResource,
  ) {}

  /** Records where `field` comes from: property `prop` of `from` (default: this resource). */
  at(field: string, prop: string, from: CfnResource = this.resource): void {
    const loc = from.propertyLocations[prop];
    if (loc && !(field in this.properties)) this.properties[field] = loc;
  }

  has(field: string): boolean {
    return this.unreadable.some((u) => u.field === field);
  }

  mark(entry: UnreadableField): void {
    if (!this.has(entry.field)) this.unreadable.push(entry);
  }

  unresolved(field: string, prop: string, u: Unresolved, from: CfnResource = this.resource): void {
    this.mark(unresolvedField(field, u.operation, `${from.logicalId}.${prop}: ${u.reason}`, 'Unresolved'));
  }

  /** A value CloudFormation would refuse: what is wrong, never the value itself (it may be a secret). */
  invalid(field: string, prop: string, problem: string, from: CfnResource = this.resource): void {
    this.mark(unresolvedField(field, 'Properties', `${from.logicalId}.${prop} ${problem}`, 'InvalidValue'));
  }

  /** The raw property, with its location recorded; Unresolved anywhere in it marks the field. */
  raw(field: string, prop: string, from: CfnResource = this.resource): CfnValue | undefined {
    const value = from.properties[prop];
    if (value === undefined) return undefined;
    this.at(field, prop, from);
    const u = findUnresolved(value);
    if (u) {
      this.unresolved(field, prop, u, from);
      return undefined;
    }
    return value;
  }

  /** A String property; `fallback` (schema-valid) when absent, unresolved or not a string. */
  string(field: string, prop: string, fallback: string, from: CfnResource = this.resource): string {
    return this.optionalString(field, prop, from) ?? fallback;
  }

  optionalString(field: string, prop: string, from: CfnResource = this.resource): string | undefined {
    const value = this.raw(field, prop, from);
    if (value === undefined) return undefined;
    const s = stringOf(value);
    if (s === undefined) this.invalid(field, prop, 'is not a string', from);
    return s;
  }

  /** A Boolean property: `absent` is what an omitted one means (or undefined: the caller decides). */
  boolean(field: string, prop: string, from: CfnResource = this.resource): boolean | undefined {
    const value = this.raw(field, prop, from);
    if (value === undefined) return undefined;
    const b = booleanOf(value);
    if (b === undefined) this.invalid(field, prop, 'is not a boolean (true or false)', from);
    return b;
  }

  /** A List of String property: entries that resolved; any other marks the field. */
  stringList(field: string, prop: string, from: CfnResource = this.resource): string[] | undefined {
    const value = this.raw(field, prop, from);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) {
      this.invalid(field, prop, 'is not a list', from);
      return [];
    }
    const out: string[] = [];
    for (const v of value) {
      const s = stringOf(v);
      if (s === undefined) this.invalid(field, prop, 'has an entry that is not a string', from);
      else out.push(s);
    }
    return out;
  }

  /** `Tags: [{Key, Value}]`; an unresolved or malformed list makes `tags` unreadable. */
  tags(): Tags {
    const value = this.raw('tags', 'Tags');
    const out: Tags = {};
    if (value === undefined) return out;
    if (!Array.isArray(value)) {
      this.invalid('tags', 'Tags', 'is not a list of {Key, Value}');
      return out;
    }
    for (const t of value) {
      const key = t !== null && typeof t === 'object' && !Array.isArray(t) && !(t instanceof Unresolved) ? stringOf(t.Key ?? null) : undefined;
      const val = t !== null && typeof t === 'object' && !Array.isArray(t) && !(t instanceof Unresolved) ? stringOf(t.Value ?? '') : undefined;
      if (key === undefined || val === undefined) {
        this.invalid('tags', 'Tags', 'has an entry that is not {Key, Value} strings');
        return {};
      }
      out[key] = val;
    }
    return out;
  }

  origin(): IacOrigin {
    const r = this.resource;
    const origin: IacOrigin = {
      format: this.stack.format,
      id: originIdOf(this.stack, r.logicalId),
      location: r.location,
      logicalId: r.logicalId,
    };
    if (this.stack.originStack !== undefined) origin.stack = this.stack.originStack;
    if (r.cdkPath !== undefined) origin.constructPath = r.cdkPath;
    if (Object.keys(this.properties).length > 0) origin.properties = sortedRecord(this.properties);
    return origin;
  }

  /**
   * Sets the model resource's origin and unreadable fields from what the reads recorded. Called
   * once every template resource that adds to it (permissions, attachments, …) has been read. An
   * unknown account is itself an unreadable field (rules comparing accounts give unknown); the
   * symbolic account stands in its place.
   */
  seal(model: ResourceBase): void {
    if (!this.stack.accountKnown) {
      this.mark(unresolvedField('account', 'AWS::AccountId', "the stack's account is not known: give --account or a CDK env"));
    }
    model.origin = this.origin();
    if (this.unreadable.length > 0) model.unreadable = this.unreadable;
    else delete model.unreadable;
  }
}

function sortedRecord<V>(r: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k] as V;
  return out;
}
