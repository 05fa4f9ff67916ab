// Every temporary file of a test run goes under one folder of its own, removed when the run ends:
// tests make thousands of `linkaudit-*` folders (fixtures, homes, report directories), and the ones
// a failed or interrupted test leaves behind must not pile up in the machine's /tmp. Set before
// vitest forks its workers, TMPDIR reaches them and every process they start with the inherited
// environment (os.tmpdir() reads it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-tests-'));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
