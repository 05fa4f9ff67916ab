import type { Rule } from '../engine/types.js';

/**
 * Built-in rules written in TypeScript: only checks CEL cannot express (IAM policy evaluation
 * arrives with the IAM analysis). Each lives in `src/rules/<id>.ts` with cases in
 * `src/rules/<id>.test.yaml`, and is held to the same metadata schema and meta-tests as rules.d.
 */
export const typescriptRules: readonly Rule[] = [];
