import { expect } from 'vitest';

/** Cells of a Markdown table row; an escaped `\|` is text, not a border. */
export const cellCount = (line: string): number => line.split(/(?<!\\)\|/).length - 2;

/** Every row of every table has as many cells as its header: no value broke out of its cell. */
export function expectTablesIntact(markdown: string): void {
  let header = -1;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      header = -1;
      continue;
    }
    if (header < 0) header = cellCount(line);
    else expect(cellCount(line), line).toBe(header);
  }
}
