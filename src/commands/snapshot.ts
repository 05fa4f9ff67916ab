import { loadSnapshotFile } from '../model/load.js';
import { KIND_COLLECTION, RESOURCE_KINDS } from '../model/types.js';
import { escapeControlChars } from '../io/untrusted-text.js';

export function snapshotValidate(args: { file: string }, out: (t: string) => void = (t) => process.stdout.write(t)): number {
  const s = loadSnapshotFile(args.file);
  const counts = RESOURCE_KINDS.map((k) => `${s[KIND_COLLECTION[k]].length} ${KIND_COLLECTION[k]}`).join(', ');
  out(
    `${escapeControlChars(args.file)}: valid snapshot (schemaVersion ${s.schemaVersion}, generated ${escapeControlChars(s.generatedAt)}, ` +
      `${s.scope.accounts.length} account(s), ${s.scope.regions.length} region(s)): ${counts}; ${s.coverage.length} coverage gap(s)\n`,
  );
  return 0;
}
