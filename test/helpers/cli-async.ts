// The built binary run asynchronously, so many runs can share the machine's cores, and a run can
// be signalled while it works.
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, type Run } from './cli.js';

export interface Started {
  child: ChildProcess;
  done: Promise<Run & { signal: NodeJS.Signals | null }>;
}

export function startLinkaudit(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Started {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Run & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done };
}

export function linkauditAsync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run & { signal: NodeJS.Signals | null }> {
  return startLinkaudit(args, options).done;
}

/** Runs `tasks` with at most `limit` at once (the CI machines have two cores). */
export async function inBatches<T>(tasks: ReadonlyArray<() => Promise<T>>, limit = 3): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
