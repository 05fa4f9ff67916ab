import { join } from 'node:path';
import { writeFilesAtomic } from '../io/atomic-write.js';
import { jsonChunks, renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { junitChunks, renderJunit } from './junit.js';
import { renderSarif } from './sarif.js';
import type { ReportFormat, ReportInput } from './types.js';

export type { ReportFormat, ReportInput } from './types.js';

export const REPORT_FORMATS = ['sarif', 'json', 'markdown', 'junit'] as const satisfies readonly ReportFormat[];

/** Fixed names, so a workflow can upload `linkaudit.sarif` without knowing the command line. */
export const FILE_NAMES: Record<ReportFormat, string> = {
  sarif: 'linkaudit.sarif',
  json: 'linkaudit.json',
  markdown: 'linkaudit.md',
  junit: 'linkaudit.junit.xml',
};

export function render(format: ReportFormat, input: ReportInput): string {
  switch (format) {
    case 'sarif':
      return renderSarif(input);
    case 'json':
      return renderJson(input);
    case 'markdown':
      return renderMarkdown(input);
    case 'junit':
      return renderJunit(input);
  }
}

function* chunks(format: ReportFormat, input: ReportInput): Generator<string> {
  // The JSON and JUnit reports hold every finding and are written piece by piece; the others are
  // small (SARIF has fails only, capped; Markdown is capped at 1 MiB).
  if (format === 'json') yield* jsonChunks(input);
  else if (format === 'junit') yield* junitChunks(input);
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
  const files = [...new Set(formats)].map((format) => ({ file: join(outputDir, FILE_NAMES[format]), chunks: chunks(format, input) }));
  await writeFilesAtomic(files, 'report');
  return files.map((f) => f.file);
}
