// Array helpers for sizes that come from outside. `target.push(...items)` and `Math.max(...items)`
// pass every item as an argument, and V8 throws RangeError (maximum call stack size exceeded) past
// roughly 100,000 of them: a report with that many fails of one rule, an endpoint's page, a long
// pattern in a hostile policy. These loop instead.

/** Appends every item of `items` to `target`; returns `target`. */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The largest of `values`, or `floor` when there is none (or none larger). */
export function maxOf(values: Iterable<number>, floor = -Infinity): number {
  let max = floor;
  for (const v of values) if (v > max) max = v;
  return max;
}
