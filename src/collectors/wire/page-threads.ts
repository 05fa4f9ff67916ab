// Large pages read on worker threads, beside the collector's own thread.
//
// Why: a collection of a large estate is CPU-bound on one thread. Reading a 1,000-endpoint
// DescribeVpcEndpoints page (0.8 MB of XML) there costs about 8 ms (UTF-8, the decoder, and the
// garbage both leave behind); parsing the JSON a page thread sends back costs about 3.5 ms. The
// SDK's own work (signing, HTTP, retries) stays where it is: only the reading moves. On
// `npm run bench:collect` (2 cores, so one page thread) that took the collection from 4.8 s to
// 4.2 s and its peak RSS from about 710 to 630 MB.
//
// A page thread runs pages.ts, the code the collector's thread runs for small pages, so a page
// reads the same wherever it is read. The bytes are copied to the thread, not moved: if a thread
// fails (it cannot start, or it stops), the pages it held are read here instead, and so is every
// later page. A malformed answer is a coverage gap either way, with the decoder's own message.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { readPage, type DecoderSet } from './pages.js';
import { XmlDecodeError } from './xml-decode.js';

/** A page sent to a thread. */
export interface PageJob {
  id: number;
  set: DecoderSet;
  operation: string;
  bytes: Uint8Array;
}

/**
 * A thread's answer: what the page holds, as JSON; the decoder's complaint; or the thread's own
 * fault. JSON, not the object itself: the collector's thread parses a page's JSON in about half
 * the time that structured cloning takes to rebuild the same objects, and the projection holds
 * only strings, booleans, numbers, lists and structures (timestamps are ISO strings).
 */
export type PageAnswer = { id: number; json: string } | { id: number; problem: string } | { id: number; fault: string };

/**
 * Pages smaller than this are read where they arrive: below it, the thread's round trip and the
 * copies cost about what reading does. Every page of DescribeVpcEndpoints and of
 * GetAccountAuthorizationDetails in a large account is well above it; most other answers are below.
 */
export const THREADED_BYTES = 64 * 1024;

/** The page threads a collection starts by default: one fewer than the cores, at most 4. */
export function defaultPageThreads(): number {
  return Math.max(0, Math.min(4, availableParallelism() - 1));
}

interface Thread {
  worker: Worker;
  /** Pages sent and not yet answered: the thread holds the process open only while it has some. */
  busy: number;
}

interface Pending {
  set: DecoderSet;
  operation: string;
  bytes: Uint8Array;
  thread: Thread;
  resolve(output: Record<string, unknown>): void;
  reject(err: unknown): void;
}

/** Reads a collection's pages: on up to `size` page threads when a page is large, else here. */
export class PageReaders {
  private threads: Thread[] | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** Set once a thread has failed: from then on every page is read here. */
  private failed = false;
  private closed = false;

  /** `start` makes a page thread; tests give one that fails. */
  constructor(
    private readonly size: number,
    private readonly start: () => Worker = startWorker,
  ) {}

  /** How many pages were read on a thread and how many here (the tests check where pages went). */
  readonly counts = { threaded: 0, here: 0 };

  read(set: DecoderSet, operation: string, bytes: Uint8Array): Promise<Record<string, unknown>> {
    if (this.size === 0 || this.failed || this.closed || bytes.byteLength < THREADED_BYTES) return this.readHere(set, operation, bytes);
    const thread = this.leastBusy();
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { set, operation, bytes, thread, resolve, reject });
      if (thread.busy++ === 0) thread.worker.ref();
      thread.worker.postMessage({ id, set, operation, bytes } satisfies PageJob);
    });
  }

  /** Stops the threads. Pages still out (none, once a collection is over) are read here. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads ?? [];
    this.threads = undefined;
    await Promise.all(threads.map((t) => t.worker.terminate()));
    for (const [id, job] of this.pending) this.fallBack(id, job);
  }

  private async readHere(set: DecoderSet, operation: string, bytes: Uint8Array): Promise<Record<string, unknown>> {
    await readingTurn();
    this.counts.here++;
    return readPage(set, operation, bytes);
  }

  private leastBusy(): Thread {
    this.threads ??= Array.from({ length: this.size }, () => this.thread());
    let best = this.threads[0] as Thread;
    for (const t of this.threads) if (t.busy < best.busy) best = t;
    return best;
  }

  private thread(): Thread {
    const thread: Thread = { worker: this.start(), busy: 0 };
    thread.worker.unref();
    thread.worker.on('message', (answer: PageAnswer) => this.answered(thread, answer));
    // A thread that cannot start or that stops leaves its pages to this thread, and every later one.
    const fail = (): void => {
      if (this.closed) return;
      this.failed = true;
      for (const [id, job] of this.pending) if (job.thread === thread) this.fallBack(id, job);
    };
    thread.worker.on('error', fail);
    thread.worker.on('exit', fail);
    return thread;
  }

  private answered(thread: Thread, answer: PageAnswer): void {
    const job = this.pending.get(answer.id);
    if (job === undefined) return;
    this.pending.delete(answer.id);
    if (--thread.busy === 0) thread.worker.unref();
    if ('json' in answer) {
      this.counts.threaded++;
      // Parsing a page's JSON takes a few milliseconds: one page per turn, as for reading here.
      const json = answer.json;
      readingTurn().then(() => JSON.parse(json) as Record<string, unknown>).then(job.resolve, job.reject);
    } else if ('problem' in answer) job.reject(new XmlDecodeError(answer.problem));
    else this.readHere(job.set, job.operation, job.bytes).then(job.resolve, job.reject);
  }

  private fallBack(id: number, job: Pending): void {
    this.pending.delete(id);
    job.thread.busy = Math.max(0, job.thread.busy - 1);
    this.readHere(job.set, job.operation, job.bytes).then(job.resolve, job.reject);
  }
}

function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Run from source (the tests, tsx): the thread loads TypeScript through tsx, a dev dependency.
    const entry = new URL('./page-thread.ts', here).href;
    return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}))`, { eval: true });
  }
  return new Worker(new URL('./page-thread.js', here));
}

/**
 * Pages read here are read one per turn of the event loop. Reading a page takes milliseconds of
 * CPU; when dozens of pages arrive together, reading them back to back would keep every small
 * answer that came in meanwhile (an AssumeRole, a ListConnections page, a tag call: the links of
 * the chains that set a collection's length) waiting for all of them. Between two pages, whatever
 * else has arrived is handled first. (A thread's answers arrive as events of their own.)
 */
const readers: Array<() => void> = [];
let turning = false;

function readingTurn(): Promise<void> {
  return new Promise((resolve) => {
    readers.push(resolve);
    if (!turning) {
      turning = true;
      setImmediate(nextReader);
    }
  });
}

function nextReader(): void {
  readers.shift()?.();
  // Scheduled from the check phase, the next reader waits for the next loop, after its I/O.
  if (readers.length > 0) setImmediate(nextReader);
  else turning = false;
}
