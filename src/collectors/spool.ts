// Where a streamed collection keeps each account's resources between collecting and judging them:
// on disk, not in memory. An organization's snapshot is millions of resources; each account is
// written here as it is read (held: hold.ts), then read back, one group of accounts at a time,
// for evaluation (engine/streamed.ts) and for the snapshot file, which is assembled from here
// without ever being in memory whole.
//
// Each account's file holds, per collection, its items as the snapshot file shows them
// (JSON.stringify(item, null, 2), indented for their place in the file), so assembling the file is
// copying bytes. The AWS managed policies accounts attach are one object under one ARN in every
// account: they are kept once, apart (the copy of the first account in order, as merging the
// accounts' snapshots would keep it), and added after the accounts' own policies.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Collections } from '../engine/account-links.js';
import { isSharedResource } from '../model/arn.js';
import { UserError } from '../errors.js';
import { describeFsError } from '../io/fs-errors.js';
import { releaseTemporary, trackTemporary } from '../io/interrupt.js';
import { COLLECTIONS, type IamPolicy, type Snapshot } from '../model/types.js';

export { COLLECTIONS };

type Collection = (typeof COLLECTIONS)[number];

/** Indentation of an item in a snapshot file written with JSON.stringify(snapshot, null, 2). */
const ITEM_INDENT = '    ';

function itemText(item: unknown): string {
  return ITEM_INDENT + JSON.stringify(item, null, 2).replace(/\n/g, `\n${ITEM_INDENT}`);
}

interface Stored {
  file: string;
  /** Per collection: [byte offset, byte length, items]. */
  ranges: Partial<Record<Collection, [number, number, number]>>;
}

export class AccountSpool {
  readonly dir: string;
  private readonly stored = new Map<string, Stored>();
  private readonly shared = new Map<string, IamPolicy>();
  private closed = false;

  constructor(parent = tmpdir()) {
    try {
      this.dir = mkdtempSync(join(parent, 'linkaudit-collect-'));
    } catch (err) {
      throw new UserError(`${parent}: cannot make the collection's spool directory (each account is kept on disk between collecting and judging it): ${describeFsError(err)}; set TMPDIR to a writable directory with room for the snapshot`);
    }
    trackTemporary(this.dir);
  }

  /** One account's held resources. Its AWS managed policies go to the shared set. */
  put(account: string, part: Collections): void {
    if (this.stored.has(account)) throw new Error(`account ${account} spooled twice (a linkaudit bug)`);
    const ranges: Stored['ranges'] = {};
    const chunks: Buffer[] = [];
    let offset = 0;
    for (const c of COLLECTIONS) {
      let items = part[c] as ReadonlyArray<{ arn: string }>;
      if (c === 'iamPolicies') {
        for (const p of part.iamPolicies) {
          if (!isSharedResource(p)) continue;
          const kept = this.shared.get(p.arn);
          // The first account in order keeps it, whichever finished first.
          if (!kept || account < kept.account) this.shared.set(p.arn, p);
        }
        items = part.iamPolicies.filter((p) => !isSharedResource(p));
      }
      if (items.length === 0) continue;
      const bytes = Buffer.from(items.map(itemText).join(',\n'), 'utf8');
      ranges[c] = [offset, bytes.length, items.length];
      chunks.push(bytes);
      offset += bytes.length;
    }
    const file = join(this.dir, `${this.stored.size}.json`);
    try {
      writeFileSync(file, Buffer.concat(chunks));
    } catch (err) {
      throw new UserError(`${file}: cannot write account ${account} to the collection's spool: ${describeFsError(err)}; set TMPDIR to a directory with room for the snapshot (about its size)`);
    }
    this.stored.set(account, { file, ranges });
  }

  get accounts(): string[] {
    return [...this.stored.keys()].sort();
  }

  /** The AWS managed policies, one copy each, in ARN order. */
  sharedPolicies(): IamPolicy[] {
    return [...this.shared.values()].sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  }

  /** One account's resources, read back (new objects each time). */
  read(account: string): Collections {
    const s = this.stored.get(account);
    const out = Object.fromEntries(COLLECTIONS.map((c) => [c, [] as unknown[]])) as unknown as Record<Collection, unknown[]>;
    if (!s) return out as unknown as Collections;
    const fd = openSync(s.file, 'r');
    try {
      for (const c of COLLECTIONS) {
        const r = s.ranges[c];
        if (r) out[c] = JSON.parse(`[${this.bytes(fd, r[0], r[1]).toString('utf8')}]`) as unknown[];
      }
    } finally {
      closeSync(fd);
    }
    return out as unknown as Collections;
  }

  private bytes(fd: number, offset: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) throw new Error(`collection spool ${this.dir}: a file ended early (a linkaudit bug, or the spool was changed meanwhile)`);
      got += n;
    }
    return buf;
  }

  /**
   * The snapshot file's text, chunk by chunk: `head` (its collections empty, its coverage sorted)
   * with every account's items in account order, the shared policies after the accounts' own. The
   * same text JSON.stringify(snapshot, null, 2) gives for the snapshot with those items in that order.
   */
  *snapshotText(head: Snapshot): Generator<string> {
    const nonce = randomUUID();
    const marker = (c: string): string => `@@linkaudit-spool-${nonce}:${c}@@`;
    const skeleton = { ...head, ...Object.fromEntries(COLLECTIONS.map((c) => [c, marker(c)])) };
    let text = `${JSON.stringify(skeleton, null, 2)}\n`;
    const accounts = this.accounts;
    for (const c of COLLECTIONS) {
      const quoted = `"${marker(c)}"`;
      const at = text.indexOf(quoted);
      if (at < 0) throw new Error(`snapshot head without ${c} (a linkaudit bug)`);
      yield text.slice(0, at);
      text = text.slice(at + quoted.length);
      const extra = c === 'iamPolicies' ? this.sharedPolicies() : (head[c] as unknown[]);
      let first = true;
      for (const account of accounts) {
        const s = this.stored.get(account) as Stored;
        const r = s.ranges[c];
        if (!r) continue;
        yield first ? '[\n' : ',\n';
        first = false;
        const fd = openSync(s.file, 'r');
        try {
          yield this.bytes(fd, r[0], r[1]).toString('utf8');
        } finally {
          closeSync(fd);
        }
      }
      for (const item of extra) {
        yield first ? '[\n' : ',\n';
        first = false;
        yield itemText(item);
      }
      yield first ? '[]' : '\n  ]';
    }
    yield text;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    rmSync(this.dir, { recursive: true, force: true });
    releaseTemporary(this.dir);
  }
}
