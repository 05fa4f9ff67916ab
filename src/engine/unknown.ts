/**
 * Thrown (by CEL helper functions and TypeScript rules) when the answer depends on data the
 * snapshot does not hold. CEL absorbs it where the other operand decides (`x || true`), so it only
 * surfaces when the result really is unknown.
 */
export class UnknownValue extends Error {
  override readonly name = 'UnknownValue';
  constructor(readonly reason: string) {
    // Thrown for every resource whose data is missing, and never shown with a stack: skip
    // capturing one (the costliest part of constructing an Error).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(reason);
    Error.stackTraceLimit = limit;
  }
}
