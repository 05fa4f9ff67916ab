import { loadSnapshotFile, validateSnapshot } from '../model/load.js';
import { mergeSnapshots } from '../model/merge.js';
import { writeSnapshot } from './collect.js';

/** `linkaudit merge A.json B.json … [--output FILE]`: one snapshot from the shards' snapshots. */
export function mergeCommand(args: { files: string[]; output?: string }, out: (t: string) => void = (t) => process.stdout.write(t)): number {
  const merged = validateSnapshot(mergeSnapshots(args.files.map((file) => ({ file, snapshot: loadSnapshotFile(file) }))), 'merged snapshot');
  if (args.output !== undefined) writeSnapshot(merged, args.output);
  else out(`${JSON.stringify(merged, null, 2)}\n`);
  return 0;
}
