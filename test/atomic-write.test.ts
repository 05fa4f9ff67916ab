// The write of a report set when the file system fails part-way: after some files are already
// renamed into place (a rename fails), or while one is written (a full disk). Failures are
// injected into node:fs, since neither can be produced on demand on a test machine.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const failures = vi.hoisted(() => ({ rename: undefined as undefined | ((to: string) => string | undefined), write: undefined as undefined | string }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const fail = (code: string): never => {
    throw Object.assign(new Error(`${code}: injected`), { code });
  };
  return {
    ...fs,
    renameSync: (from: string, to: string) => {
      const code = failures.rename?.(to);
      if (code !== undefined) fail(code);
      fs.renameSync(from, to);
    },
    writeSync: (fd: number, data: string) => {
      if (failures.write !== undefined) fail(failures.write);
      return fs.writeSync(fd, data);
    },
  };
});

const { writeFilesAtomic } = await import('../src/io/atomic-write.js');
const { UserError } = await import('../src/errors.js');

afterEach(() => {
  failures.rename = undefined;
  failures.write = undefined;
});

function earlier(): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-atomic-'));
  const files = ['a.json', 'b.sarif', 'c.md'].map((n) => join(dir, n));
  for (const f of files) writeFileSync(f, `earlier ${f}\n`);
  return { dir, files };
}

describe('writeFilesAtomic', () => {
  it('a rename that fails after others succeeded puts the renamed ones back, names the path, leaves no temporary file', async () => {
    for (const failing of [1, 2]) {
      const { dir, files } = earlier();
      const newFile = join(dir, 'new.txt');
      const set = [...files, newFile];
      failures.rename = (to) => (to === set[failing] ? 'ENOSPC' : undefined);
      const error = await writeFilesAtomic(set.map((file) => ({ file, chunks: [`new ${file}\n`] }))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(new RegExp(`^${(set[failing] as string).replace(/[.]/g, '\\.')}: cannot write report: no space left on device`));
      for (const f of files) expect(readFileSync(f, 'utf8')).toBe(`earlier ${f}\n`);
      expect(readdirSync(dir).sort()).toEqual(['a.json', 'b.sarif', 'c.md']);
    }
  });

  it.each(['ENOSPC', 'EDQUOT', 'EIO', 'EACCES'])('%s while writing: a user error naming the path, every earlier file as it was', async (code) => {
    const { dir, files } = earlier();
    failures.write = code;
    const error = await writeFilesAtomic(files.map((file) => ({ file, chunks: ['x'] })), 'snapshot').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/a\.json: cannot write snapshot: (no space left on device|disk quota exceeded|input\/output error|permission denied)$/);
    for (const f of files) expect(readFileSync(f, 'utf8')).toBe(`earlier ${f}\n`);
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'b.sarif', 'c.md']);
  });

  it('an error while rendering (not a file-system error) keeps its stack, and leaves no temporary file', async () => {
    const { dir, files } = earlier();
    function* broken(): Generator<string> {
      yield 'start';
      throw new TypeError('a bug in a reporter');
    }
    await expect(writeFilesAtomic([{ file: files[0] as string, chunks: ['ok'] }, { file: files[1] as string, chunks: broken() }])).rejects.toThrow(TypeError);
    for (const f of files) expect(readFileSync(f, 'utf8')).toBe(`earlier ${f}\n`);
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'b.sarif', 'c.md']);
  });
});
