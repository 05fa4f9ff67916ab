// The shape of cel-js's parsed expressions, and the idioms both compiled forms recognise.

export interface AstNode {
  op: string;
  args: unknown;
}

/** Thrown while compiling when an expression leaves the supported subset. */
export class Unsupported extends Error {}

export const isNode = (v: unknown): v is AstNode => typeof v === 'object' && v !== null && 'op' in v;

export const MACROS = new Set(['exists', 'all', 'exists_one', 'filter', 'map']);
/** The target of `t.lowerAscii()`, or undefined. */
export function lowerTarget(node: unknown): unknown {
  if (!isNode(node) || node.op !== 'rcall') return undefined;
  const [name, target, args] = node.args as [string, unknown, unknown[]];
  return name === 'lowerAscii' && args.length === 0 ? target : undefined;
}

export function lowerLiteral(node: unknown): string | undefined {
  if (!isNode(node) || node.op !== 'value' || typeof node.args !== 'string') return undefined;
  return node.args === node.args.toLowerCase() ? node.args : undefined;
}

/** The operand of `size(x)` or `x.size()`, or undefined. */
export function sizeTarget(node: unknown): unknown {
  if (!isNode(node)) return undefined;
  if (node.op === 'call') {
    const [name, args] = node.args as [string, unknown[]];
    return name === 'size' && args.length === 1 ? args[0] : undefined;
  }
  if (node.op === 'rcall') {
    const [name, target, args] = node.args as [string, unknown, unknown[]];
    return name === 'size' && args.length === 0 ? target : undefined;
  }
  return undefined;
}

export function intLiteral(node: unknown): number | undefined {
  return isNode(node) && node.op === 'value' && typeof node.args === 'bigint' ? Number(node.args) : undefined;
}
