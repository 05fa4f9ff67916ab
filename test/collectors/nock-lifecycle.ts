import nock from 'nock';
import { clientsFor, type Clients } from '../../src/collectors/clients.js';
import type { Collected } from '../../src/collectors/types.js';
import { emptySnapshot } from '../../src/model/empty.js';
import { validateSnapshot } from '../../src/model/load.js';
import type { Snapshot } from '../../src/model/types.js';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/** No real network; every mock a test sets up must be used by it. */
export function useNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());
}

/** JSON.parse's message for `text` (what the SDK reports): its wording differs between Node versions. */
export function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${text} parses`);
}

/** Clients against nock with test credentials, recording each operation issued (once per command, not per retry). */
export function testClients(region = 'us-east-1', maxAttempts = 3): { clients: Clients; calls: string[] } {
  const calls: string[] = [];
  const clients = clientsFor(region, {
    maxAttempts,
    timeoutMs: 5000,
    credentials: async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }),
    onOperation: (op) => calls.push(op),
  });
  return { clients, calls };
}

/**
 * What a live scan would write: the collected data in a snapshot of account 111122223333, through
 * JSON (as it is saved) and the loader. Throws if the collector broke the contract.
 */
export function asSnapshot(collected: Collected, region = 'us-east-1'): Snapshot {
  const snapshot = emptySnapshot({
    generatedAt: '2026-01-15T00:00:00Z',
    source: { kind: 'live' },
    scope: { partition: 'aws', accounts: ['111122223333'], regions: [region] },
    ...collected,
  });
  return validateSnapshot(JSON.parse(JSON.stringify(snapshot)), 'collected');
}

export function validates(collected: Collected): void {
  expect(() => asSnapshot(collected)).not.toThrow();
}
