// A page thread's entry point (started by page-threads.ts): reads the pages it is sent and sends
// back what they hold, or what was wrong with them.
import { parentPort } from 'node:worker_threads';
import { readPage } from './pages.js';
import type { PageAnswer, PageJob } from './page-threads.js';
import { XmlDecodeError } from './xml-decode.js';

const port = parentPort;
if (port === null) throw new Error('page-thread.js runs as a worker thread (page-threads.ts starts it)');
port.on('message', (job: PageJob) => {
  let answer: PageAnswer;
  try {
    answer = { id: job.id, json: JSON.stringify(readPage(job.set, job.operation, job.bytes)) };
  } catch (err) {
    // A malformed answer is the collector's coverage gap, told as the decoder told it; anything
    // else is a fault of this thread, and the page is read again on the collector's thread.
    answer = err instanceof XmlDecodeError ? { id: job.id, problem: err.problem } : { id: job.id, fault: String(err) };
  }
  port.postMessage(answer);
});
