// The fake AWS endpoint in a child process, as the collection benchmarks run it: real AWS does its
// serialization elsewhere, so the measured process pays only for its own work. The child is the
// benchmark's own file run with `--serve-fake`; it sends {type: 'ready'} once listening, answers
// {type: 'stats'} with {type: 'stats', …} and exits on {type: 'close'}.
import { fork, type ChildProcess } from 'node:child_process';

export interface FakeChild<Ready, Stats> {
  child: ChildProcess;
  ready: Ready;
  stats(): Promise<Stats>;
  close(): Promise<void>;
}

export async function forkFake<Ready extends { type: 'ready' }, Stats extends { type: 'stats' }>(file: string, args: readonly string[], execArgv: readonly string[] = process.execArgv): Promise<FakeChild<Ready, Stats>> {
  // fork() keeps tsx's loader flags (process.execArgv), so the child runs TypeScript too.
  const child = fork(file, ['--serve-fake', ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...execArgv] });
  const next = <M extends { type: string }>(type: M['type']): Promise<M> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: { type: string }): void => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as M);
      };
      const onExit = (code: number | null): void => reject(new Error(`the fake AWS process exited (${code}) before answering`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next<Ready>('ready');
  return {
    child,
    ready,
    stats: () => {
      const answer = next<Stats>('stats');
      child.send({ type: 'stats' });
      return answer;
    },
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'close' });
      }),
  };
}
