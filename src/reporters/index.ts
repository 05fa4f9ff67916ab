import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import type { ReportFormat, ReportInput } from './types.js';

export type { ReportFormat, ReportInput } from './types.js';

export const REPORT_FORMATS = ['sarif', 'json', 'markdown'] as const satisfies readonly ReportFormat[];

/** Fixed names, so a workflow can upload `linkaudit.sarif` without knowing the command line. */
export const FILE_NAMES: Record<ReportFormat, string> = {
  sarif: 'linkaudit.sarif',
  json: 'linkaudit.json',
  markdown: 'linkaudit.md',
};

export function render(format: ReportFormat, input: ReportInput): string {
  switch (format) {
    case 'sarif':
      return renderSarif(input);
    case 'json':
      return renderJson(input);
    case 'markdown':
      return renderMarkdown(input);
  }
}

/**
 * Renders every format before writing any, so a rendering error leaves no mix of new and stale
 * reports behind; each file then appears whole (atomic rename). Returns the paths written.
 */
export function writeReports(formats: readonly ReportFormat[], input: ReportInput, outputDir: string): string[] {
  const rendered = [...new Set(formats)].map((format) => ({ file: join(outputDir, FILE_NAMES[format]), content: render(format, input) }));
  for (const { file, content } of rendered) writeFileAtomic(file, content);
  return rendered.map((r) => r.file);
}
