// Reading the nested parts of one property (a pipeline's Stages, a project's Source) into one
// model field. The model marks whole fields unreadable, so the first part that is not resolved
// or that CloudFormation would refuse makes the field unreadable, with the path of that part in
// the message (`Pipeline.Stages[1].Actions[0].Configuration.BranchName: parameter Branch has no
// value`); what the part held is never quoted (it may be a secret).

import { unresolvedField } from '../types.js';
import { Unresolved, type CfnValue } from './template-types.js';
import { booleanOf, stringOf, type FieldReader } from './values.js';

export type CfnObject = { [key: string]: CfnValue };

export class PartReader {
  constructor(
    readonly rd: FieldReader,
    readonly field: string,
  ) {}

  private where(path: string): string {
    return `${this.rd.resource.logicalId}.${path}`;
  }

  unresolved(path: string, u: Unresolved): void {
    this.rd.mark(unresolvedField(this.field, u.operation, `${this.where(path)}: ${u.reason}`));
  }

  invalid(path: string, problem: string): void {
    this.rd.mark(unresolvedField(this.field, 'Properties', `${this.where(path)} ${problem}`, 'InvalidValue'));
  }

  /** Whether the value is usable: an Unresolved marks the field. */
  private resolved(v: CfnValue, path: string): v is Exclude<CfnValue, Unresolved> {
    if (v instanceof Unresolved) {
      this.unresolved(path, v);
      return false;
    }
    return true;
  }

  obj(v: CfnValue | undefined, path: string): CfnObject | undefined {
    if (v === undefined || !this.resolved(v, path)) return undefined;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      this.invalid(path, 'is not a mapping');
      return undefined;
    }
    return v;
  }

  list(v: CfnValue | undefined, path: string): CfnValue[] | undefined {
    if (v === undefined || !this.resolved(v, path)) return undefined;
    if (!Array.isArray(v)) {
      this.invalid(path, 'is not a list');
      return undefined;
    }
    return v;
  }

  str(v: CfnValue | undefined, path: string): string | undefined {
    if (v === undefined || !this.resolved(v, path)) return undefined;
    const s = stringOf(v);
    if (s === undefined) this.invalid(path, 'is not a string');
    return s;
  }

  /** A required string: absent is a value CloudFormation refuses. */
  required(v: CfnValue | undefined, path: string): string | undefined {
    if (v === undefined) {
      this.invalid(path, 'is not set');
      return undefined;
    }
    return this.str(v, path);
  }

  bool(v: CfnValue | undefined, path: string): boolean | undefined {
    if (v === undefined || !this.resolved(v, path)) return undefined;
    const b = booleanOf(v);
    if (b === undefined) this.invalid(path, 'is not a boolean (true or false)');
    return b;
  }

  /** An integer of at least `min` (CloudFormation takes `'3'` for 3). */
  int(v: CfnValue | undefined, path: string, min: number): number | undefined {
    if (v === undefined || !this.resolved(v, path)) return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?[0-9]{1,9}$/.test(v) ? Number(v) : undefined;
    if (n === undefined || !Number.isInteger(n) || n < min) {
      this.invalid(path, `is not an integer of at least ${min}`);
      return undefined;
    }
    return n;
  }

  strings(v: CfnValue | undefined, path: string): string[] | undefined {
    const items = this.list(v, path);
    if (items === undefined) return undefined;
    const out: string[] = [];
    items.forEach((item, i) => {
      const s = this.str(item, `${path}[${i}]`);
      if (s !== undefined) out.push(s);
    });
    return out;
  }
}
