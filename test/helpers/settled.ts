/**
 * Promise.all that waits for every run to end before it fails: a failed run must not have its
 * fake closed or its directory removed under the others. Throws the first failure.
 */
export async function settled(runs: Iterable<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(runs)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
