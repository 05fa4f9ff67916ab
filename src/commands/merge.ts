import { UserError } from '../errors.js';
import { parseJsonText, readUserFile } from '../io/files.js';
import { loadSnapshotFile, validateSnapshot } from '../model/load.js';
import { mergeSnapshots } from '../model/merge.js';
import { render, writeReports } from '../reporters/index.js';
import { loadReportFile, mergeReports } from '../reporters/merge.js';
import type { ReportFormat } from '../reporters/types.js';
import { writeSnapshot } from './collect.js';

export interface MergeArgs {
  files: string[];
  output?: string;
  /** For reports: the formats to write (the merged report can be rendered as any of them). */
  format?: ReportFormat[];
  outputDir?: string;
}

/**
 * `linkaudit merge A.json B.json …`: the snapshots of shards into one snapshot, or their JSON
 * reports into one report (exit code: the merged gate's).
 */
export function mergeCommand(args: MergeArgs, out: (t: string) => void = (t) => process.stdout.write(t)): number {
  const kinds = new Set(args.files.map(kindOf));
  if (kinds.size > 1) throw new UserError('merge: give only snapshots or only JSON reports, not both');
  if (kinds.has('snapshot')) {
    const merged = validateSnapshot(mergeSnapshots(args.files.map((file) => ({ file, snapshot: loadSnapshotFile(file) }))), 'merged snapshot');
    if (args.output !== undefined) writeSnapshot(merged, args.output);
    else out(`${JSON.stringify(merged, null, 2)}\n`);
    return 0;
  }
  // SARIF tells stderr what it had to leave out, as a scan does.
  const input = { ...mergeReports(args.files.map((file) => ({ file, report: loadReportFile(file) }))), warn: (line: string) => process.stderr.write(`${line}\n`) };
  const formats: ReportFormat[] = [...new Set<ReportFormat>(args.format ?? ['json'])];
  if (args.outputDir !== undefined) writeReports(formats, input, args.outputDir);
  else if (formats.length > 1) throw new UserError('--format: several formats need --output-dir');
  else out(render(formats[0] ?? 'json', input));
  return input.gate.exitCode;
}

function kindOf(file: string): 'snapshot' | 'report' {
  const data = parseJsonText(readUserFile(file, 'snapshot or report'), file, 'snapshot or report') as Record<string, unknown>;
  if (data !== null && typeof data === 'object' && 'reportVersion' in data) return 'report';
  return 'snapshot';
}
