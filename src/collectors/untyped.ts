// What an endpoint sends is typed by the SDK but not checked by it (a JSON answer can hold any
// value anywhere): the JSON collectors read every value through these.

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function list<T>(v: T[] | undefined | null): T[] {
  return Array.isArray(v) ? v : [];
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
