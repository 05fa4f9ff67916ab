import { relative } from 'node:path';
import { packagePath } from '../paths.js';

/**
 * Where a TypeScript rule is defined, named as YAML rules are (relative to the working directory
 * when under it): the cases file sits beside it, and `rules show` prints it.
 */
export function tsRuleSource(id: string): string {
  const file = packagePath('src', 'rules', `${id}.ts`);
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
