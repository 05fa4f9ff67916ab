import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction, Options } from 'ajv';
import { packagePath } from '../paths.js';

export type SchemaName = 'snapshot' | 'rule' | 'rule-cases' | 'config' | 'report' | 'graph';
export const SCHEMA_NAMES: readonly SchemaName[] = ['snapshot', 'rule', 'rule-cases', 'config', 'report', 'graph'];

/** allErrors + verbose: the loader picks the most telling error and quotes the offending value. */
export const AJV_OPTIONS: Options = { allErrors: true, strict: true, strictRequired: false, strictTypes: false, allowUnionTypes: true, verbose: true };

const compiled = new Map<SchemaName, ValidateFunction>();
const require = createRequire(import.meta.url);

export function schemaDocument(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(packagePath('schemas', `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

/**
 * The build precompiles every schema to standalone code (scripts/compile-schemas.mjs) because
 * compiling them at start-up cost ~170 ms of each run; running from source (tests) compiles here.
 */
export function validator(name: SchemaName): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    v = precompiled(name) ?? compileAtRuntime(name);
    compiled.set(name, v);
  }
  return v;
}

function precompiled(name: SchemaName): ValidateFunction | undefined {
  try {
    return require(`./compiled/${name}.cjs`) as ValidateFunction;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

function compileAtRuntime(name: SchemaName): ValidateFunction {
  // Loaded on demand: the precompiled path never needs the compiler.
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  // ajv-formats is CommonJS with a default export.
  const addFormats = require('ajv-formats') as { default: (a: InstanceType<typeof Ajv2020>) => unknown };
  const ajv = new Ajv2020(AJV_OPTIONS);
  addFormats.default(ajv);
  return ajv.compile(schemaDocument(name));
}

export interface SchemaProblem {
  /** JSON pointer of the offending value. */
  pointer: string;
  message: string;
  /** The problem is the key itself (an unknown field), not its value. */
  atKey: boolean;
}

/**
 * ajv reports every branch of every oneOf; a user needs the one that explains the mistake. Take the
 * deepest error, preferring concrete keywords over the oneOf/anyOf summaries.
 */
export function bestProblem(errors: ErrorObject[] | null | undefined): SchemaProblem {
  const list = errors ?? [];
  const summary = new Set(['oneOf', 'anyOf', 'allOf', 'not', 'if']);
  const score = (e: ErrorObject): number =>
    pointerOf(e).split('/').length * 10 + (summary.has(e.keyword) ? 0 : 5) + (e.keyword === 'const' ? -1 : 0);
  let best: ErrorObject | undefined;
  for (const e of list) if (!best || score(e) > score(best)) best = e;
  if (!best) return { pointer: '', message: 'does not match the schema', atKey: false };
  const atKey = best.keyword === 'additionalProperties' || best.keyword === 'unevaluatedProperties';
  return { pointer: pointerOf(best), message: describe(best), atKey };
}

function pointerOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `${e.instancePath}/${escapePointer(String(p.additionalProperty))}`;
  if (e.keyword === 'unevaluatedProperties') return `${e.instancePath}/${escapePointer(String(p.unevaluatedProperty))}`;
  return e.instancePath;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field "${String(p.additionalProperty)}"`;
    case 'unevaluatedProperties':
      return `unknown field "${String(p.unevaluatedProperty)}"`;
    case 'required':
      return `missing required field "${String(p.missingProperty)}"`;
    case 'enum':
      return `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(e.data)}`;
    case 'const':
      return `expected ${JSON.stringify(p.allowedValue)}, got ${JSON.stringify(e.data)}`;
    case 'type':
      return `expected ${String(p.type)}, got ${typeName(e.data)}`;
    case 'pattern':
      return `expected a value matching ${String(p.pattern)}, got ${JSON.stringify(e.data)}`;
    case 'format':
      return `expected a ${String(p.format)} value, got ${JSON.stringify(e.data)}`;
    default:
      return e.message ?? `fails ${e.keyword}`;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
