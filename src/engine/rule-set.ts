import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { UserError } from '../errors.js';
import { readUserFile } from '../io/files.js';
import { packagePath } from '../paths.js';
import { typescriptRules } from '../rules/index.js';
import { bestProblem, validator } from '../schema/validate.js';
import { createCelRuntime, type CelRuntime } from './cel.js';
import { ruleKinds, type Rule } from './types.js';
import { CASES_FILE_SUFFIX, compileYamlRule, RULE_FILE_SUFFIX, type PrecompiledRule } from './yaml-rule.js';

export const BUILTIN_RULES_DIR = packagePath('rules.d');
/** Written by `npm run build` (scripts/compile-rules.mjs): the built-in rules, parsed and checked. */
export const BUILTIN_RULES_CACHE = packagePath('dist', 'rules.d.json');

let builtinCache: Map<string, PrecompiledRule> | undefined;

/**
 * The build's form of the built-in rules by file name; empty when there is none (a source
 * checkout before its first build) or it cannot be read: then every rule is parsed and compiled.
 */
function precompiledBuiltins(): Map<string, PrecompiledRule> {
  if (builtinCache) return builtinCache;
  builtinCache = new Map();
  try {
    const parsed = JSON.parse(readFileSync(BUILTIN_RULES_CACHE, 'utf8')) as { rules?: Record<string, PrecompiledRule> };
    for (const [name, rule] of Object.entries(parsed.rules ?? {})) builtinCache.set(name, rule);
  } catch {
    // No cache: the slower path gives the same rules.
  }
  return builtinCache;
}

export interface RuleSet {
  /** Sorted by id. */
  rules: Rule[];
  runtime: CelRuntime;
}

/** Rule files of a pack, sorted (`*.yaml` but not the `*.test.yaml` cases). */
export function ruleFiles(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UserError(`${dir}: rules directory is a file, expected a directory`);
    entries = readdirSync(dir);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${dir}: rules directory not found or not readable`);
  }
  return entries
    .filter((f) => f.endsWith(RULE_FILE_SUFFIX) && !f.endsWith(CASES_FILE_SUFFIX))
    .sort()
    .map((f) => join(dir, f));
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/**
 * The built-ins plus user packs. Ids are global: a pack may not redefine a built-in, nor two packs
 * one another (a silent override would change what a gate means).
 */
export function loadRuleSet(userDirs: readonly string[] = [], options: { builtins?: boolean; typescript?: readonly Rule[]; precompiled?: boolean } = {}): RuleSet {
  const runtime = createCelRuntime();
  const rules: Rule[] = [];
  const byId = new Map<string, Rule>();
  const add = (rule: Rule): void => {
    const prior = byId.get(rule.meta.id);
    if (prior) throw new UserError(`${rule.source}: duplicate rule id "${rule.meta.id}" (already defined in ${prior.source})`);
    byId.set(rule.meta.id, rule);
    rules.push(rule);
  };
  const dirs = options.builtins === false ? [...userDirs] : [BUILTIN_RULES_DIR, ...userDirs];
  for (const dir of dirs) {
    const files = ruleFiles(dir);
    if (files.length === 0 && dir !== BUILTIN_RULES_DIR) throw new UserError(`${displayPath(dir)}: no rule files (*.yaml) in this rules directory`);
    const cache = dir === BUILTIN_RULES_DIR && options.precompiled !== false ? precompiledBuiltins() : undefined;
    for (const file of files) add(compileYamlRule(displayPath(file), readUserFile(file, 'rule file'), runtime, cache?.get(basename(file))));
  }
  if (options.builtins !== false) for (const rule of options.typescript ?? typescriptRules) add(checkMeta(rule));
  rules.sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1));
  return { rules, runtime };
}

function checkMeta(rule: Rule): Rule {
  const validate = validator('rule');
  // TypeScript rules have no CEL, so validate their metadata with stand-in expressions, once per
  // kind they judge (the rule schema's top level takes one).
  const kinds = ruleKinds(rule.meta);
  if (kinds.length === 0 || new Set(kinds).size !== kinds.length) throw new Error(`${rule.source}: invalid rule metadata at /resource: kinds must be distinct and at least one`);
  for (const kind of kinds) {
    if (!validate({ ...rule.meta, resource: kind, fail: 'false', message: '""' })) {
      const problem = bestProblem(validate.errors);
      // A built-in TypeScript rule is ours, not the user's: a bug, reported with its stack.
      throw new Error(`${rule.source}: invalid rule metadata at ${problem.pointer}: ${problem.message}`);
    }
  }
  return rule;
}

/** Applies --only / --skip, refusing ids that name no rule (a typo would silently weaken a gate). */
export function selectRules(rules: readonly Rule[], only: readonly string[], skip: readonly string[]): Rule[] {
  const ids = new Set(rules.map((r) => r.meta.id));
  for (const [flag, list] of [['--only', only], ['--skip', skip]] as const) {
    for (const id of list) {
      if (!ids.has(id)) throw new UserError(`${flag}: unknown rule "${id}"${suggest(id, [...ids])} (see: linkaudit rules list)`);
    }
  }
  return rules.filter((r) => (only.length === 0 || only.includes(r.meta.id)) && !skip.includes(r.meta.id));
}

function suggest(id: string, ids: string[]): string {
  const close = ids.filter((x) => x.includes(id) || id.includes(x) || editDistance(x, id) <= 3).slice(0, 3);
  return close.length ? `; did you mean ${close.join(', ')}?` : '';
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
