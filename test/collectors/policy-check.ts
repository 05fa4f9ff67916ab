import { readFileSync } from 'node:fs';

interface Statement {
  Effect: string;
  Action: string | string[];
}

/** AWS action matching: case-insensitive, `*` any run, `?` one character. */
function matches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(action);
}

/** Actions of docs/iam-policy.json's Allow statements. */
export function allowedActions(file = 'docs/iam-policy.json'): string[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { Statement: Statement[] };
  return doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => (typeof s.Action === 'string' ? [s.Action] : s.Action));
}

// GetCallerIdentity needs no permission: AWS answers it for any valid credentials.
const NEEDS_NO_PERMISSION = new Set(['sts:GetCallerIdentity']);

/** The operations (as `prefix:Operation`) the policy does not allow. */
export function notAllowed(operations: Iterable<string>, actions = allowedActions()): string[] {
  return [...new Set(operations)].filter((op) => !NEEDS_NO_PERMISSION.has(op) && !actions.some((a) => matches(a, op))).sort();
}
