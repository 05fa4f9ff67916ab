/**
 * `compute` remembered by its text argument, for texts an estate repeats thousands of times
 * (endpoint policies, trust policies, escaped text). At most `limit` texts are kept; past that the
 * memory is cleared at once, which costs only recomputation. `compute` must not return undefined.
 */
export function memoByText<V>(compute: (text: string) => V, limit: number): (text: string) => V {
  const known = new Map<string, V>();
  return (text) => {
    let value = known.get(text);
    if (value === undefined) {
      value = compute(text);
      if (known.size >= limit) known.clear();
      known.set(text, value);
    }
    return value;
  };
}
