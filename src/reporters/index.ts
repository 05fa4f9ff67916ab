import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFilesAtomic, type FileToWrite } from '../io/atomic-write.js';
import { asffBatches, lazyAsffBatches, renderAsffBatch } from './asff.js';
import { jsonChunks, keptFindings, renderJson } from './json.js';
import { ocsfChunks, renderOcsf } from './ocsf.js';
import { renderMarkdown } from './markdown.js';
import { junitChunks, renderJunit } from './junit.js';
import { renderSarif, sarifChunks } from './sarif.js';
import { htmlChunks, renderHtml } from './html/index.js';
import type { ReportFormat, ReportInput } from './types.js';

export type { ReportFormat, ReportInput } from './types.js';

export const REPORT_FORMATS = ['sarif', 'json', 'markdown', 'junit', 'ocsf', 'asff', 'html'] as const satisfies readonly ReportFormat[];

/**
 * The formats that list findings of every status, which `--results` filters. SARIF and Markdown
 * list only what the gate reads (open fails, unknowns) and never passes, so it does not apply.
 */
export const RESULTS_FORMATS = ['json', 'junit', 'ocsf', 'asff'] as const satisfies readonly ReportFormat[];

/** Formats written as several files (ASFF: one per batch of 100): never to stdout. */
export const MULTI_FILE_FORMATS = ['asff'] as const satisfies readonly ReportFormat[];

/** Fixed names, so a workflow can upload `linkaudit.sarif` without knowing the command line. */
export const FILE_NAMES: Record<ReportFormat, string> = {
  sarif: 'linkaudit.sarif',
  json: 'linkaudit.json',
  markdown: 'linkaudit.md',
  junit: 'linkaudit.junit.xml',
  ocsf: 'linkaudit.ocsf.json',
  // The first batch; batch n (n ≥ 2) is linkaudit.asff-n.json.
  asff: 'linkaudit.asff.json',
  html: 'linkaudit.html',
};

/** ASFF batch n (1-based) of a report set. */
export function asffFileName(n: number): string {
  return n === 1 ? FILE_NAMES.asff : `linkaudit.asff-${n}.json`;
}

const ASFF_LATER_BATCH = /^linkaudit\.asff-([0-9]+)\.json$/;

export function render(format: ReportFormat, input: ReportInput): string {
  switch (format) {
    case 'sarif':
      return renderSarif(input);
    case 'json':
      return renderJson(input);
    case 'markdown':
      return renderMarkdown(input);
    case 'junit':
      return renderJunit({ ...input, findings: keptFindings(input) });
    case 'ocsf':
      return renderOcsf(input);
    case 'html':
      return renderHtml(input);
    case 'asff': {
      const batches = asffBatches(input);
      // Callers refuse asff without an output directory; one batch is still one valid file.
      if (batches.length > 1) throw new Error('asff: several batches need writeReports (one file each)');
      return renderAsffBatch(batches[0] ?? []);
    }
  }
}

/** A report, piece by piece: what writeReports writes and scan prints. */
export function* chunks(format: ReportFormat, input: ReportInput): Generator<string> {
  // The JSON, JUnit, OCSF and HTML reports hold a finding per result and SARIF up to 25,000 fails:
  // they are written piece by piece. The others are small (Markdown is capped at 1 MiB; ASFF is a
  // file per 100 findings).
  if (format === 'json') yield* jsonChunks(input);
  else if (format === 'sarif') yield* sarifChunks(input);
  else if (format === 'junit') yield* junitChunks({ ...input, findings: keptFindings(input) });
  else if (format === 'ocsf') yield* ocsfChunks(input);
  else if (format === 'html') yield* htmlChunks(input);
  else yield render(format, input);
}

/** Where `writeReports` puts each format, so a caller can check the paths before a long scan. */
export function reportPaths(formats: readonly ReportFormat[], outputDir: string): string[] {
  return [...new Set(formats)].map((format) => join(outputDir, FILE_NAMES[format]));
}

/**
 * Writes every format to a temporary file, then renames them all into place: a rendering or
 * writing error leaves every earlier report as it was, and each file appears whole. Returns the
 * paths written.
 */
export async function writeReports(formats: readonly ReportFormat[], input: ReportInput, outputDir: string): Promise<string[]> {
  const files = [...new Set(formats)].flatMap((format): FileToWrite[] =>
    format === 'asff'
      ? lazyAsffBatches(input).map((batch, i) => ({ file: join(outputDir, asffFileName(i + 1)), chunks: rendered(() => renderAsffBatch(batch())) }))
      : [{ file: join(outputDir, FILE_NAMES[format]), chunks: chunks(format, input) }],
  );
  await writeFilesAtomic(files, 'report');
  if (formats.includes('asff')) removeStaleBatches(outputDir, asffCount(files, outputDir));
  return files.map((f) => f.file);
}

/** A file's text made when the file is written, not when the set of files is listed. */
function* rendered(make: () => string): Generator<string> {
  yield make();
}

function asffCount(files: readonly FileToWrite[], outputDir: string): number {
  let n = 0;
  while (files.some((f) => f.file === join(outputDir, asffFileName(n + 1)))) n++;
  return n;
}

/**
 * A run with fewer batches than the last must not leave the last run's later batches behind: a
 * loop over linkaudit.asff*.json would import them again. Only names this writer gives are removed.
 */
function removeStaleBatches(outputDir: string, written: number): void {
  for (const name of readdirSync(outputDir)) {
    const m = ASFF_LATER_BATCH.exec(name);
    if (m && Number(m[1]) > written) rmSync(join(outputDir, name), { force: true });
  }
}
