import { basename } from 'node:path';
import { UserError, located } from '../errors.js';
import { YamlSource } from '../io/yaml-source.js';
import type { AnyResource, ResourceKind } from '../model/types.js';
import type { CelRuntime } from './cel.js';
import { isNode } from './cel-ast.js';
import { compileCel } from './cel-compile.js';
import { generateFast } from './cel-codegen.js';
import { evidenceReader } from './evidence.js';
import type { Severity } from './severity.js';
import type { Detail, EvalContext, Rule, RuleMeta, RuleResult } from './types.js';
import { UnknownValue } from './unknown.js';
import { re2Problem } from './re2.js';
import { unreadableAmong } from './evaluate.js';

export const RULE_FILE_SUFFIX = '.yaml';
export const CASES_FILE_SUFFIX = '.test.yaml';

interface RuleDoc extends Omit<RuleMeta, 'escalations' | 'resource'> {
  /** One kind: the schema allows lists only in TypeScript rules' metadata. */
  resource: ResourceKind;
  match?: string;
  fail: string;
  message: string;
  passMessage?: string;
  evidence?: string[];
  escalations?: Array<{ severity: Severity; description: string; when?: string }>;
}

type CompiledExpr = ((vars: Record<string, unknown>) => unknown) & {
  fields: ReadonlySet<string>;
};

const RULE_VARIABLES = new Set(['resource', 'config', 'now']);

/**
 * A built-in rule as the build left it (dist/rules.d.json, scripts/compile-rules.mjs): its text,
 * the validated document, and the fields each expression reads. Used only when the file's text is
 * still that text, so an edited rule is never judged by its old form.
 */
export interface PrecompiledRule {
  text: string;
  doc: RuleDoc;
  /** Pointer of each expression (`/fail`, `/match`, …) → the resource fields it reads. */
  fields: Record<string, string[]>;
}

/** Parses, validates and compiles one rules.d YAML file. Errors name file:line:col. */
export function compileYamlRule(file: string, text: string, runtime: CelRuntime, pre?: PrecompiledRule): Rule {
  if (pre !== undefined && pre.text === text) return precompiledRule(file, text, runtime, pre);
  const src = new YamlSource(file, text);
  const doc = src.validated<RuleDoc>('rule');
  const exprs = compileAll(src, doc, file, runtime);
  return ruleOf(file, doc, runtime, () => exprs, fieldsOfExprs(exprs));
}

/** What the build stores for a rule file; throws as compileYamlRule does on a bad rule. */
export function precompileRule(file: string, text: string, runtime: CelRuntime): PrecompiledRule {
  const src = new YamlSource(file, text);
  const doc = src.validated<RuleDoc>('rule');
  const fields = fieldsOfExprs(compileAll(src, doc, file, runtime));
  return { text, doc, fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, [...v].sort()])) };
}

/**
 * A rule whose text the build compiled: its expressions are type-checked and compiled on first
 * use, so a scan pays only for the rules its resources need (a small template: a third of them).
 */
function precompiledRule(file: string, text: string, runtime: CelRuntime, pre: PrecompiledRule): Rule {
  let exprs: Compiled | undefined;
  const compiled = (): Compiled => (exprs ??= compileAll(new DeferredSource(file, text, pre.doc), pre.doc, file, runtime));
  const fields = Object.fromEntries(Object.entries(pre.fields).map(([k, v]) => [k, new Set(v) as ReadonlySet<string>]));
  return ruleOf(file, pre.doc, runtime, compiled, fields);
}

/** Where a rule's values are, for its error messages: the parsed YAML, or (built-ins) parsed only if asked. */
type RuleSource = Pick<YamlSource, 'file' | 'data' | 'position' | 'positionInString'>;

/**
 * A built-in rule's source: the build's document, with the YAML parsed only for an error's
 * position (which the build has already ruled out for this text).
 */
class DeferredSource implements RuleSource {
  private yaml: YamlSource | undefined;
  constructor(
    readonly file: string,
    private readonly text: string,
    readonly data: unknown,
  ) {}
  private parsed(): YamlSource {
    return (this.yaml ??= new YamlSource(this.file, this.text));
  }
  position(pointer: string, atKey?: boolean): { line: number; col: number } | undefined {
    return this.parsed().position(pointer, atKey);
  }
  positionInString(pointer: string, offset: number): { line: number; col: number } | undefined {
    return this.parsed().positionInString(pointer, offset);
  }
}

interface Compiled {
  match: CompiledExpr | undefined;
  fail: CompiledExpr;
  message: CompiledExpr;
  passMessage: CompiledExpr | undefined;
  escalations: Array<{ severity: Severity; description: string; when: CompiledExpr }>;
}

function fieldsOfExprs(c: Compiled): Record<string, ReadonlySet<string>> {
  return { '/fail': c.fail.fields, ...(c.match ? { '/match': c.match.fields } : {}) };
}

function compileAll(src: RuleSource, doc: RuleDoc, file: string, runtime: CelRuntime): Compiled {
  const expectedId = basename(file, RULE_FILE_SUFFIX);
  if (doc.id !== expectedId) {
    const pos = src.position('/id');
    throw new UserError(located(file, `rule id "${doc.id}" must equal the file name "${expectedId}"`, pos?.line, pos?.col));
  }
  const kind = doc.resource;
  const compile = (pointer: string, expected: 'bool' | 'string'): CompiledExpr =>
    compileExpression(src, pointer, expected, kind, runtime);

  const match = doc.match !== undefined ? compile('/match', 'bool') : undefined;
  const fail = compile('/fail', 'bool');
  const message = compile('/message', 'string');
  const passMessage = doc.passMessage !== undefined ? compile('/passMessage', 'string') : undefined;
  const escalations = (doc.escalations ?? []).map((e, i) => {
    if (e.when === undefined) {
      const pos = src.position(`/escalations/${i}`);
      throw new UserError(located(file, `/escalations/${i}: missing required field "when" (a CEL bool expression)`, pos?.line, pos?.col));
    }
    return { severity: e.severity, description: e.description, when: compile(`/escalations/${i}/when`, 'bool') };
  });
  const modelFields = runtime.fieldsOf(kind);
  const evidencePaths = doc.evidence ?? [];
  evidencePaths.forEach((path, i) => {
    const head = path.split('.')[0] ?? '';
    if (!modelFields.has(head)) {
      const pos = src.position(`/evidence/${i}`);
      throw new UserError(located(file, `/evidence/${i}: "${head}" is not a field of ${kind}`, pos?.line, pos?.col));
    }
  });
  return { match, fail, message, passMessage, escalations };
}

/** The rule over its expressions, compiled now or (built-ins) on first use. */
function ruleOf(file: string, doc: RuleDoc, runtime: CelRuntime, compiled: () => Compiled, exprFields: Record<string, ReadonlySet<string>>): Rule {
  const kind = doc.resource;
  const evidencePaths = doc.evidence ?? [];

  const meta: RuleMeta = {
    id: doc.id,
    title: doc.title,
    severity: doc.severity,
    resource: doc.resource,
    description: doc.description,
    rationale: doc.rationale,
    remediation: doc.remediation,
    references: doc.references,
    tags: doc.tags,
    ...(doc.controls ? { controls: doc.controls } : {}),
    ...(doc.iac ? { iac: doc.iac.judged ? { judged: true } : { judged: false, reason: doc.iac.reason ?? '' } } : {}),
    ...(doc.escalations ? { escalations: doc.escalations.map((e) => ({ severity: e.severity, description: e.description })) } : {}),
  };

  const fields = exprFields['/fail'] as ReadonlySet<string>;
  const matchFields = exprFields['/match'];
  const readers = evidencePaths.map((p) => evidenceReader(kind, p));
  // One variables object per scan, its `resource` swapped per evaluation: evaluation is
  // synchronous and never re-entrant, and this saves an allocation per (rule, resource).
  let varsCtx: EvalContext | undefined;
  let vars: { resource: AnyResource | undefined; config: Record<string, unknown>; now: Date } | undefined;
  const varsFor = (resource: AnyResource, ctx: EvalContext): NonNullable<typeof vars> => {
    if (!vars || varsCtx !== ctx) {
      vars = { resource: undefined, config: celConfig(ctx), now: ctx.now };
      varsCtx = ctx;
    }
    vars.resource = resource;
    return vars;
  };
  return {
    meta,
    source: file,
    fields,
    ...(matchFields
      ? {
          matchFields,
          applies: (resource: AnyResource, ctx: EvalContext): boolean => {
            const applies = (compiled().match as CompiledExpr)(varsFor(resource, ctx));
            if (typeof applies !== 'boolean') throw new Error(`match expression returned ${typeof applies}, not bool`);
            return applies;
          },
        }
      : {}),
    // The engine has asked applies() first (evaluateOne).
    evaluate(resource: AnyResource, ctx: EvalContext): RuleResult | undefined {
      const vars = varsFor(resource, ctx);
      const { fail, escalations } = compiled();
      const failed = fail(vars);
      if (typeof failed !== 'boolean') throw new Error(`fail expression returned ${typeof failed}, not bool`);
      if (!failed) return PASS;
      if (escalations.length === 0) return FAIL;
      const { severity, note } = escalate(escalations, vars, resource);
      return severity ? { status: 'fail', severity, ...(note ? { note } : {}) } : FAIL;
    },
    // Rendered when a report first reads the finding, possibly after other scans were bound.
    describe(resource: AnyResource, ctx: EvalContext, result: RuleResult): Detail {
      runtime.bind(ctx);
      const v = { resource, config: celConfig(ctx), now: ctx.now };
      const { message, passMessage } = compiled();
      const expr = result.status === 'fail' ? message : passMessage;
      const base = expr ? render(expr, v, meta) : `Passes: ${meta.title}.`;
      return { message: result.note ? `${base} ${result.note}` : base, evidence: readers.map((read) => read(resource)) };
    },
  };
}

// Shared results: most evaluations allocate nothing but their finding.
const PASS: RuleResult = Object.freeze({ status: 'pass' });
const FAIL: RuleResult = Object.freeze({ status: 'fail' });

/**
 * The first escalation that holds sets the severity. One that cannot be decided (a field it reads
 * was not collected) is assumed to hold: a gate must not under-rate what it could not see.
 */
function escalate(
  escalations: Array<{ severity: Severity; description: string; when: CompiledExpr }>,
  vars: Record<string, unknown>,
  resource: AnyResource,
): { severity?: Severity; note?: string } {
  for (const e of escalations) {
    const unread = unreadableAmong(resource, e.when.fields);
    if (unread.length > 0) {
      return { severity: e.severity, note: `(Severity assumed ${e.severity}: ${unread.map((u) => u.field).join(', ')} could not be read.)` };
    }
    try {
      if (e.when(vars) === true) return { severity: e.severity, note: `(${e.severity[0]?.toUpperCase()}${e.severity.slice(1)}: ${e.description})` };
    } catch (err) {
      const why = err instanceof UnknownValue ? err.reason : (err as Error).message.split('\n')[0];
      return { severity: e.severity, note: `(Severity assumed ${e.severity}: ${why}.)` };
    }
  }
  return {};
}

function render(expr: CompiledExpr, vars: Record<string, unknown>, meta: RuleMeta): string {
  try {
    const v = expr(vars);
    return typeof v === 'string' ? v : String(v);
  } catch {
    return `${meta.title}.`;
  }
}

const configCache = new WeakMap<EvalContext, Record<string, unknown>>();

/** The `config` variable: settings with CEL-typed numbers (cel-js ints are BigInt). */
function celConfig(ctx: EvalContext): Record<string, unknown> {
  let c = configCache.get(ctx);
  if (!c) {
    c = {
      trustedAccounts: ctx.settings.trustedAccounts,
      trustedOrganizations: ctx.settings.trustedOrganizations,
      pendingAcceptanceMaxDays: BigInt(ctx.settings.pendingAcceptanceMaxDays),
    };
    configCache.set(ctx, c);
  }
  return c;
}

function compileExpression(
  src: RuleSource,
  pointer: string,
  expected: 'bool' | 'string',
  kind: ResourceKind,
  runtime: CelRuntime,
): CompiledExpr {
  const expression = pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], src.data) as string;
  const fail = (offset: number, message: string): never => {
    const pos = src.positionInString(pointer, offset);
    throw new UserError(located(src.file, `${pointer}: ${message}`, pos?.line, pos?.col));
  };
  // Depth first: the type checker recurses over the tree, and how deep it gets before the stack
  // runs out depends on what ran before it (a cold checker overflows on a 3,000-operand chain).
  let early: ReturnType<CelRuntime['evalEnv']['parse']> | undefined;
  try {
    early = runtime.evalEnv.parse(expression);
  } catch {
    // A syntax error: the checker below reports it at its place.
  }
  if (early) {
    const depth = astDepth(early.ast);
    if (depth > MAX_EXPRESSION_DEPTH) fail(0, `expression nests ${depth} levels deep, more than ${MAX_EXPRESSION_DEPTH}: split it (a long chain of && or || nests too)`);
  }
  let checked: ReturnType<ReturnType<CelRuntime['checkEnv']>['check']>;
  try {
    checked = runtime.checkEnv(kind).check(expression);
  } catch (err) {
    const e = err as { range?: { start: number }; message: string };
    return fail(e.range?.start ?? 0, `CEL error: ${firstLine(e.message)}`);
  }
  if (!checked.valid) {
    const e = checked.error as unknown as { range?: { start: number }; message: string; constructor: { name: string } };
    const what = e.constructor.name === 'ParseError' ? 'CEL syntax error' : 'CEL type error';
    return fail(e.range?.start ?? 0, `${what}: ${firstLine(e.message)}`);
  }
  if (checked.type !== expected && checked.type !== 'dyn') {
    return fail(0, `expected a CEL ${expected} expression, this one gives ${checked.type}`);
  }
  const parsed = early ?? runtime.evalEnv.parse(expression);
  for (const { pattern, offset } of literalPatterns(parsed.ast)) {
    const problem = re2Problem(pattern);
    if (problem) fail(offset, `matches(): ${problem} (CEL regular expressions are RE2: no backreferences or lookarounds)`);
  }
  const fn = compiledForm(parsed, runtime) as CompiledExpr;
  (fn as { fields: ReadonlySet<string> }).fields = referencedFields(parsed.ast);
  return fn;
}

/**
 * Generated JavaScript first; when it throws, the careful closures, which absorb errors as CEL
 * does; cel-js's interpreter for expressions outside the compiled subset.
 */
function compiledForm(parsed: ((vars: Record<string, unknown>) => unknown) & { ast: unknown }, runtime: CelRuntime): (vars: Record<string, unknown>) => unknown {
  const careful = compileCel(parsed.ast, runtime.helpers, RULE_VARIABLES);
  const fast = careful && generateFast(parsed.ast, runtime.helpers, RULE_VARIABLES);
  if (careful && fast) {
    return (vars) => {
      try {
        return fast(vars);
      } catch {
        return careful(vars);
      }
    };
  }
  return careful ?? ((vars) => parsed(vars));
}

/**
 * As deep as cel-js lets parentheses nest. A chain of `&&` nests one level per operand, and
 * compiled code that deep overflows the JavaScript parser (or the stack at evaluation).
 */
const MAX_EXPRESSION_DEPTH = 250;

/** The depth of an AST, walked without recursion (the AST may be deeper than the stack). */
function astDepth(ast: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[ast, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (Array.isArray(v)) {
      for (const x of v) stack.push([x, d]);
      continue;
    }
    if (!isNode(v)) continue;
    if (d > max) max = d;
    stack.push([v.args, d + 1]);
  }
  return max;
}

/** The string literals given to `matches()`, with their offsets in the expression. */
function literalPatterns(ast: unknown): Array<{ pattern: string; offset: number }> {
  const out: Array<{ pattern: string; offset: number }> = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (!isNode(v)) return;
    if (v.op === 'rcall' && Array.isArray(v.args) && v.args[0] === 'matches') {
      const arg = (v.args[2] as unknown[] | undefined)?.[0];
      if (isNode(arg) && arg.op === 'value' && typeof arg.args === 'string') {
        out.push({ pattern: arg.args, offset: (arg as { start?: number }).start ?? 0 });
      }
    }
    if (v.op === 'call' && Array.isArray(v.args) && v.args[0] === 'matches') {
      const arg = (v.args[1] as unknown[] | undefined)?.[1];
      if (isNode(arg) && arg.op === 'value' && typeof arg.args === 'string') {
        out.push({ pattern: arg.args, offset: (arg as { start?: number }).start ?? 0 });
      }
    }
    visit(v.args);
  };
  visit(ast);
  return out;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}


/**
 * The top-level resource fields an expression reads. `resource` used whole (passed to a function)
 * yields `*`: every field counts.
 */
export function referencedFields(ast: unknown): ReadonlySet<string> {
  const out = new Set<string>();
  const visit = (v: unknown, parentSelects: boolean): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x, false);
      return;
    }
    if (!isNode(v)) return;
    const args = v.args;
    if ((v.op === '.' || v.op === '.?') && Array.isArray(args) && isNode(args[0]) && args[0].op === 'id' && args[0].args === 'resource') {
      out.add(String(args[1]));
      return;
    }
    if ((v.op === '[]' || v.op === '[?]') && Array.isArray(args) && isNode(args[0]) && args[0].op === 'id' && args[0].args === 'resource') {
      const key = args[1];
      if (isNode(key) && key.op === 'value' && typeof key.args === 'string') out.add(key.args);
      else out.add('*');
      visit(key, false);
      return;
    }
    if (v.op === 'id' && v.args === 'resource' && !parentSelects) {
      out.add('*');
      return;
    }
    visit(args, v.op === '.' || v.op === '[]');
  };
  visit(ast, false);
  return out;
}
