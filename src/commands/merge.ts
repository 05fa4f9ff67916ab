import { UserError } from '../errors.js';
import { writeFilesAtomic } from '../io/atomic-write.js';
import { fileKind, KIND_NAMES } from '../io/file-kind.js';
import { parseJsonText, readUserFile } from '../io/files.js';
import { checkWritableTarget, ensureWritableDir } from '../io/output-dir.js';
import { escapeControlChars } from '../io/untrusted-text.js';
import { validateSnapshot } from '../model/load.js';
import { mergeSnapshots } from '../model/merge.js';
import { chunks, reportPaths, writeReports } from '../reporters/index.js';
import { loadReportFile, mergeReports } from '../reporters/merge.js';
import type { ReportFormat } from '../reporters/types.js';
import type { ReportStatus } from '../reporters/json.js';
import { checkFramework, checkReportOptions } from './report-options.js';
import { writeSnapshot } from './collect.js';

export interface MergeArgs {
  files: string[];
  /** Snapshots: the merged snapshot; reports: the merged report, in its one format. */
  output?: string;
  /** For reports: the formats to write (the merged report can be rendered as any of them). */
  format?: ReportFormat[];
  outputDir?: string;
  /** Reports: the statuses the merged per-finding formats list (default: what the inputs kept). */
  results?: ReportStatus[];
  /** Reports: group Markdown and summarise JSON by this framework's controls. */
  framework?: string;
}

/**
 * `linkaudit merge A.json B.json …`: the snapshots of shards into one snapshot, or their JSON
 * reports into one report (exit code: the merged gate's). A flag that does not apply to the kind
 * of files given is refused, never ignored:
 *
 * - snapshots: `--output FILE` or stdout; a snapshot has no report formats (scan it for reports);
 * - reports: `--format` (default json) to stdout, `--output FILE` with one format, or
 *   `--output-dir DIR` with any number.
 */
export async function mergeCommand(args: MergeArgs, out: (t: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const docs = args.files.map((file) => ({ file, data: readInput(file) }));
  const kinds = new Set(docs.map((d) => d.data.kind));
  if (kinds.size > 1) {
    const example = (k: 'snapshot' | 'report'): string => docs.find((d) => d.data.kind === k)?.file ?? '';
    throw new UserError(`merge: give only snapshots or only JSON reports, not both (${example('snapshot')} is a snapshot, ${example('report')} a report)`);
  }
  if (kinds.has('snapshot')) {
    if (args.format !== undefined || args.outputDir !== undefined || args.results !== undefined || args.framework !== undefined) {
      throw new UserError(
        `merge: ${args.format !== undefined ? '--format' : args.outputDir !== undefined ? '--output-dir' : args.results !== undefined ? '--results' : '--framework'} applies to merging JSON reports; these are snapshots, merged into one snapshot: give --output FILE (or nothing, for stdout), then linkaudit scan --snapshot FILE for reports`,
      );
    }
    if (args.output !== undefined) checkWritableTarget(args.output, 'snapshot');
    const merged = validateSnapshot(mergeSnapshots(docs.map(({ file, data }) => ({ file, snapshot: validateSnapshot(data.value, file) }))), 'merged snapshot');
    if (args.output !== undefined) await writeSnapshot(merged, args.output);
    else out(`${JSON.stringify(merged, null, 2)}\n`);
    return 0;
  }
  const formats: ReportFormat[] = [...new Set<ReportFormat>(args.format ?? ['json'])];
  if (formats.length === 0) throw new UserError('merge: --format: no format given (sarif, json, markdown, junit, ocsf, asff or html)');
  if (args.output !== undefined && args.outputDir !== undefined) throw new UserError('merge: --output and --output-dir exclude each other (--output FILE for one format, --output-dir DIR for several)');
  if (formats.length > 1 && args.outputDir === undefined) {
    throw new UserError(`merge: --format: ${formats.join(', ')} are several formats; give --output-dir DIR to write one file each (stdout or --output FILE take one format)`);
  }
  checkReportOptions(formats, args, args.outputDir !== undefined);
  if (args.outputDir !== undefined) {
    ensureWritableDir(args.outputDir);
    for (const file of reportPaths(formats, args.outputDir)) checkWritableTarget(file, 'report');
  }
  if (args.output !== undefined) checkWritableTarget(args.output, 'report');
  // SARIF tells stderr what it had to leave out, as a scan does.
  const merged = mergeReports(docs.map(({ file }) => ({ file, report: loadReportFile(file) })));
  if (args.framework !== undefined) checkFramework(args.framework, merged.rules);
  const input = {
    ...merged,
    ...(args.results !== undefined ? { results: narrowResults(args.results, merged.results) } : {}),
    ...(args.framework !== undefined ? { framework: args.framework } : {}),
    warn: (line: string) => process.stderr.write(`${escapeControlChars(line)}\n`),
  };
  const format = formats[0] ?? 'json';
  if (args.outputDir !== undefined) await writeReports(formats, input, args.outputDir);
  else if (args.output !== undefined) await writeFilesAtomic([{ file: args.output, chunks: chunks(format, input) }], 'report');
  else for (const chunk of chunks(format, input)) out(chunk);
  return input.gate.exitCode;
}

/** merge --results can list fewer statuses than the inputs did, never one they left out. */
function narrowResults(asked: readonly ReportStatus[], kept: readonly ReportStatus[] | undefined): ReportStatus[] {
  const missing = kept ? asked.filter((s) => !kept.includes(s)) : [];
  if (missing.length > 0) throw new UserError(`merge: --results ${asked.join(',')}: the reports list no ${missing.join(' or ')} results (written with --results ${kept?.join(',') ?? ''})`);
  return [...asked];
}

/**
 * Parsed once to tell snapshots from reports; a file recognised as another kind is named for what
 * it is. An unrecognisable one is taken as a snapshot, whose checks then say what is wrong.
 */
function readInput(file: string): { kind: 'snapshot' | 'report'; value: unknown } {
  const value = parseJsonText(readUserFile(file, 'snapshot or report', 'json'), file, 'snapshot or report');
  const kind = fileKind(value);
  if (kind === undefined || kind === 'snapshot' || kind === 'report') return { kind: kind ?? 'snapshot', value };
  throw new UserError(`${file}: this is ${KIND_NAMES[kind]}; merge takes the snapshots (linkaudit collect --shard) or the JSON reports (linkaudit.json) of shards`);
}
