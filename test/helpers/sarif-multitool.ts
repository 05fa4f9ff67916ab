import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Microsoft's config with GitHub's ingestion rules (GH1001–GH1007) enabled as errors. */
export const GITHUB_VALIDATION_CONFIG = resolve(process.cwd(), '../shared/sarif/github-validation-config.xml');

export interface MultitoolResult {
  ruleId: string;
  level: string;
  message: string;
}

/**
 * The platform binary. The package's postinstall makes it executable; `npm ci --ignore-scripts`
 * skips that, so restore the bit rather than fail with EACCES.
 */
function multitoolBinary(): string {
  const require = createRequire(import.meta.url);
  const bin = require('@microsoft/sarif-multitool') as string;
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    try {
      chmodSync(bin, statSync(bin).mode | 0o111);
    } catch (err) {
      throw new Error(`${bin} is not executable and cannot be made so (${(err as Error).message}); run chmod +x on it`);
    }
  }
  return bin;
}

/**
 * Runs `Sarif.Multitool validate` with the GitHub rule kinds and returns every result it reports.
 * Its exit code is 0 even when the file breaks a rule, so the verdict is read from its own SARIF.
 */
export function validateWithMultitool(sarifFile: string): MultitoolResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-multitool-'));
  const out = join(dir, 'validation.sarif');
  try {
    const run = spawnSync(
      multitoolBinary(),
      ['validate', resolve(sarifFile), '--rule-kind', 'Sarif;Ghas', '--config', GITHUB_VALIDATION_CONFIG, '-o', out],
      // Without ICU, .NET aborts at start-up unless told to run culture-invariant.
      { encoding: 'utf8', env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' }, timeout: 120_000 },
    );
    let text: string;
    try {
      text = readFileSync(out, 'utf8');
    } catch {
      throw new Error(`Sarif.Multitool wrote no output (status ${String(run.status)}): ${run.error?.message ?? ''}\n${run.stdout}\n${run.stderr}`);
    }
    return readResults(JSON.parse(text) as OutputLog);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface OutputMessage {
  text?: string;
  id?: string;
  arguments?: string[];
}

interface OutputLog {
  runs?: Array<{
    tool?: { driver?: { rules?: Array<{ id?: string; messageStrings?: Record<string, { text?: string }> }> } };
    results?: Array<{ ruleId?: string; level?: string; message?: OutputMessage }>;
    invocations?: Array<{
      executionSuccessful?: boolean;
      toolExecutionNotifications?: Array<{ level?: string; message?: OutputMessage; descriptor?: { id?: string } }>;
    }>;
  }>;
}

/** The multitool's own findings, plus its invocation failures (an unreadable file is one). */
function readResults(log: OutputLog): MultitoolResult[] {
  return (log.runs ?? []).flatMap((run) => {
    const templates = new Map((run.tool?.driver?.rules ?? []).map((r) => [r.id ?? '', r.messageStrings ?? {}]));
    // Its messages are templates (`{0}: '{1}' is not a file path…`) filled from `arguments`.
    const format = (ruleId: string, m: OutputMessage | undefined): string => {
      if (m?.text !== undefined) return m.text;
      const template = templates.get(ruleId)?.[m?.id ?? '']?.text;
      const args = m?.arguments ?? [];
      return template ? template.replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)] ?? '') : `${m?.id ?? ''} ${args.join(' ')}`;
    };
    const results = (run.results ?? []).map((x) => ({
      ruleId: x.ruleId ?? '',
      // SARIF's default level for a result that states none.
      level: x.level ?? 'warning',
      message: format(x.ruleId ?? '', x.message),
    }));
    const failures = (run.invocations ?? []).flatMap((inv) => [
      ...(inv.executionSuccessful === false ? [{ ruleId: 'multitool', level: 'error', message: 'validation did not complete' }] : []),
      ...(inv.toolExecutionNotifications ?? [])
        .filter((n) => n.level === 'error')
        .map((n) => ({ ruleId: n.descriptor?.id ?? 'multitool', level: 'error', message: format('', n.message) })),
    ]);
    return [...results, ...failures];
  });
}

/** The results that would make GitHub code scanning reject the upload (or that SARIF calls errors). */
export function multitoolErrors(sarifFile: string): MultitoolResult[] {
  return validateWithMultitool(sarifFile).filter((r) => r.level === 'error');
}
