import { diffMarkdown, diffReports } from '../audit/diff.js';
import { writeFilesAtomic } from '../io/atomic-write.js';
import { loadReportFile } from '../reporters/merge.js';

export interface DiffArgs {
  old: string;
  new: string;
  format: 'markdown' | 'json';
  output?: string;
}

/** `linkaudit diff OLD.json NEW.json`: the heart of a scheduled audit. */
export async function diffCommand(args: DiffArgs): Promise<number> {
  const d = diffReports(loadReportFile(args.old), args.old, loadReportFile(args.new), args.new);
  const text = args.format === 'json' ? `${JSON.stringify(d, null, 2)}\n` : diffMarkdown(d);
  if (args.output !== undefined) await writeFilesAtomic([{ file: args.output, chunks: [text] }], 'diff');
  else process.stdout.write(text);
  return 0;
}
