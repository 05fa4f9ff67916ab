// A collection thread (lanes.ts): collects the accounts it is sent, as the collection's own thread
// does (collectHeld), with clients, credentials, a connection pool and a request bound of its own.
// Its progress, request counts and log lines go back in batches; each account goes back as JSON.
import { parentPort, workerData } from 'node:worker_threads';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { UserError } from '../errors.js';
import { RunDeadline } from './bounds.js';
import { clientsFor, sharedAgents } from './clients.js';
import { collectHeld, type CollectOptions } from './collect.js';
import type { LaneCommand, LaneError, LaneEvent, LaneInit, LaneMessage } from './lanes.js';
import { RequestLimiter } from './requests.js';
import { resolveSdkSettings } from './sdk-settings.js';
import { PageReaders } from './wire/page-threads.js';

const FLUSH_MS = 100;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('lane-thread.ts runs as a worker thread');
  const init = workerData as LaneInit;
  let requests = 0;
  let answers = 0;
  let throttled = 0;
  let events: LaneEvent[] = [];
  const flush = (): void => {
    if (requests === 0 && answers === 0 && throttled === 0 && events.length === 0) return;
    port.postMessage({ type: 'events', requests, answers, throttled, events } satisfies LaneMessage);
    requests = answers = throttled = 0;
    events = [];
  };
  setInterval(flush, FLUSH_MS).unref();

  const home = init.run.home;
  const settings = init.settingsPerClient ? undefined : await resolveSdkSettings(init.regions === 'all' ? 'us-east-1' : (init.regions[0] ?? 'us-east-1'));
  const options: CollectOptions = {
    regions: init.regions,
    concurrency: init.concurrency,
    maxAttempts: init.maxAttempts,
    timeoutMs: init.timeoutMs,
    credentialSource: init.credentialSource,
    ...(init.endpointUrl !== undefined ? { endpointUrl: init.endpointUrl } : {}),
    ...(init.roleArn !== undefined ? { roleArn: init.roleArn } : {}),
    ...(init.externalId !== undefined ? { externalId: init.externalId } : {}),
    ...(init.settingsPerClient ? { settingsPerClient: true } : { credentials: fromNodeProviderChain({ clientConfig: { region: home } }) }),
    ...(settings ? { settings } : {}),
    ...(init.deadline ? { deadline: new RunDeadline(init.deadline.seconds, init.deadline.endsAt) } : {}),
    requests: new RequestLimiter(init.concurrency),
    agents: sharedAgents(init.concurrency),
    // This thread is one of the cores' lanes already: its pages are read here.
    pages: new PageReaders(0),
    log: (line) => void events.push(['log', line]),
    onRequest: () => void requests++,
    onAnswer: (t) => void (t ? throttled++ : answers++),
    ...(init.hasProgress
      ? {
          progress: {
            total: (n: number) => void events.push(['total', n]),
            regionDone: (line: string) => void events.push(['line', line]),
            gaps: (n: number) => void events.push(['gaps', n]),
            // Counted through onRequest and onAnswer, as the collection's own thread counts them.
            request: () => {},
            answer: () => {},
            stop: () => {},
          },
        }
      : {}),
  };
  const sts = clientsFor(home, options).sts;
  port.on('message', (m: LaneCommand) => {
    collectHeld(m.account, init.run, sts, options).then(
      (result) => {
        const json = JSON.stringify(result);
        flush();
        port.postMessage({ type: 'held', i: m.i, json } satisfies LaneMessage);
      },
      (err: unknown) => {
        flush();
        port.postMessage({ type: 'failed', i: m.i, error: laneError(err) } satisfies LaneMessage);
      },
    );
  });
}

function laneError(err: unknown): LaneError {
  const e = (err ?? {}) as { name?: unknown; message?: unknown; stack?: unknown };
  return {
    user: err instanceof UserError,
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(err),
    ...(typeof e.stack === 'string' ? { stack: e.stack } : {}),
  };
}

main().catch((err: unknown) => {
  // Nothing was sent for: the collection's thread learns of it from the thread's error event.
  throw err;
});
