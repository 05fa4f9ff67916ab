// An organization's findings on disk between the evaluation and the reports. At 1,000 accounts
// they are about 850,000, some 240 MB as objects; here each group of accounts' findings is
// written as it is judged (a run, sorted as evaluateRules orders them), the runs are merged into
// one file in report order (rule, then ARN; ties in the order the groups came, as a stable sort of
// their concatenation would leave them), and what stays in memory is a byte offset and three
// small facts per finding. Reporters read the findings back in passes (finding-list.ts).
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { describeFsError } from '../io/fs-errors.js';
import { releaseTemporary, trackTemporary } from '../io/interrupt.js';
import { SEVERITIES, type Severity } from './severity.js';
import type { FindingList } from './finding-list.js';
import type { Finding, Status } from './types.js';

const STATUSES: readonly Status[] = ['fail', 'pass', 'unknown'];
const MARKS: readonly Finding['baseline'][] = [undefined, 'new', 'unchanged'];
/** What each reader of a run holds at first; a longer line grows it. */
const RUN_BUFFER = 16 << 10;
/** What a pass over the merged file reads at a time. */
const READ_WINDOW = 1 << 20;

interface Run {
  start: number;
  end: number;
}

/** Report order: by rule, then by resource ARN (as evaluateRules and evaluateStreamed sort). */
export function byRuleThenArn(a: Pick<Finding, 'ruleId' | 'resource'>, b: Pick<Finding, 'ruleId' | 'resource'>): number {
  if (a.ruleId !== b.ruleId) return a.ruleId < b.ruleId ? -1 : 1;
  return a.resource.arn < b.resource.arn ? -1 : a.resource.arn > b.resource.arn ? 1 : 0;
}

/**
 * A finding as a run's line: its rule id, ARN and facts ahead of it, tab-separated (JSON escapes
 * every tab inside a string), so that merging reads those and copies the rest as bytes; then the
 * finding as data, what every reporter reads of it, whatever object the engine made.
 */
function lineOf(f: Finding): string {
  const plain = {
    ruleId: f.ruleId,
    status: f.status,
    severity: f.severity,
    resource: f.resource,
    message: f.message,
    evidence: f.evidence,
    ...(f.suppression !== undefined ? { suppression: f.suppression } : {}),
    ...(f.baseline !== undefined ? { baseline: f.baseline } : {}),
  };
  return `${JSON.stringify(f.ruleId)}\t${JSON.stringify(f.resource.arn)}\t${factsOf(f)}\t${JSON.stringify(plain)}\n`;
}

function factsOf(f: Finding): number {
  return STATUSES.indexOf(f.status) | (SEVERITIES.indexOf(f.severity) << 2) | (f.suppression !== undefined ? 32 : 0) | (MARKS.indexOf(f.baseline) << 6);
}

export class FindingSpool {
  readonly dir: string;
  private readonly runsFile: string;
  private runsFd: number | undefined;
  private readonly runs: Run[] = [];
  private size = 0;
  private count = 0;
  private list: SpooledFindings | undefined;
  private closed = false;
  private readonly buffer = Buffer.allocUnsafe(READ_WINDOW);

  constructor(parent = tmpdir()) {
    try {
      this.dir = mkdtempSync(join(parent, 'linkaudit-findings-'));
    } catch (err) {
      throw new UserError(`${parent}: cannot make the directory the findings are kept in between the evaluation and the reports: ${describeFsError(err)}; set TMPDIR to a writable directory with room for them (about the JSON report's size)`);
    }
    trackTemporary(this.dir);
    this.runsFile = join(this.dir, 'runs.jsonl');
    this.runsFd = this.open(this.runsFile);
  }

  /** One group's findings. */
  add(findings: readonly Finding[]): void {
    if (this.list || this.runsFd === undefined) throw new Error('findings added to a finished spool (a linkaudit bug)');
    if (findings.length === 0) return;
    const fd = this.runsFd;
    const start = this.size;
    // Each line encoded into one reused buffer, written as it fills: no string of the whole run.
    const out = this.buffer;
    let used = 0;
    const flush = (): void => {
      this.write(fd, out.subarray(0, used), this.size, this.runsFile);
      this.size += used;
      used = 0;
    };
    for (const f of [...findings].sort(byRuleThenArn)) {
      const line = lineOf(f);
      // At most 3 bytes of UTF-8 per UTF-16 unit.
      if (used + line.length * 3 > out.length) flush();
      if (line.length * 3 > out.length) {
        const bytes = Buffer.from(line, 'utf8');
        this.write(fd, bytes, this.size, this.runsFile);
        this.size += bytes.length;
      } else used += out.write(line, used, 'utf8');
    }
    if (used > 0) flush();
    this.runs.push({ start, end: this.size });
    this.count += findings.length;
  }

  /** The findings added, as one list in report order. */
  finish(): FindingList {
    if (this.list) return this.list;
    const runsFd = this.runsFd;
    if (runsFd === undefined) throw new Error('findings spool closed (a linkaudit bug)');
    const file = join(this.dir, 'findings.jsonl');
    const fd = this.open(file);
    const n = this.count;
    const offsets = new Float64Array(n + 1);
    const facts = new Uint8Array(n);
    const rules = new Uint16Array(n);
    const ruleIds: string[] = [];
    const ruleIndex = new Map<string, number>();
    const heap = new RunHeap(this.runs.map((r, i) => new RunReader(runsFd, r, i, this.runsFile)).filter((r) => r.advance()));
    const out = Buffer.allocUnsafe(READ_WINDOW);
    let used = 0;
    let at = 0;
    let i = 0;
    const flush = (): void => {
      this.write(fd, out.subarray(0, used), at - used, file);
      used = 0;
    };
    for (let r = heap.pop(); r !== undefined; r = heap.pop()) {
      const head = r.head as Head;
      const { line } = head;
      if (i >= n) throw new Error(`findings spool: more findings read back than written (a linkaudit bug)`);
      let rule = ruleIndex.get(head.ruleId);
      if (rule === undefined) {
        rule = ruleIds.push(head.ruleId) - 1;
        ruleIndex.set(head.ruleId, rule);
      }
      rules[i] = rule;
      facts[i] = head.facts;
      offsets[i] = at;
      const length = line.length + 1;
      if (used + length > out.length) flush();
      if (length > out.length) {
        this.write(fd, Buffer.concat([line, NEWLINE]), at, file);
      } else {
        line.copy(out, used);
        out[used + line.length] = 0x0a;
        used += length;
      }
      at += length;
      i++;
      if (r.advance()) heap.push(r);
    }
    if (used > 0) flush();
    if (i !== n) throw new Error(`findings spool: ${i} findings read back of ${n} written (a linkaudit bug)`);
    offsets[n] = at;
    closeSync(runsFd);
    this.runsFd = undefined;
    rmSync(this.runsFile, { force: true });
    this.list = new SpooledFindings(fd, file, offsets, facts, rules, ruleIds, () => this.closed);
    return this.list;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.runsFd !== undefined) closeSync(this.runsFd);
    this.list?.closeFile();
    rmSync(this.dir, { recursive: true, force: true });
    releaseTemporary(this.dir);
  }

  private open(file: string): number {
    try {
      return openSync(file, 'w+');
    } catch (err) {
      throw new UserError(`${file}: cannot keep the findings here between the evaluation and the reports: ${describeFsError(err)}; set TMPDIR to a writable directory`);
    }
  }

  private write(fd: number, bytes: Buffer, position: number, file: string): void {
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
    } catch (err) {
      throw new UserError(`${file}: cannot keep the findings here between the evaluation and the reports: ${describeFsError(err)}; set TMPDIR to a directory with room for them (about the JSON report's size)`);
    }
  }
}

const NEWLINE = Buffer.from('\n');

interface Head {
  /** The finding's bytes (the line without its keys), valid until the reader advances. */
  line: Buffer;
  ruleId: string;
  arn: string;
  facts: number;
}

/** One run, read a line at a time through a small buffer. */
class RunReader {
  head: Head | undefined;
  private buf = Buffer.allocUnsafe(RUN_BUFFER);
  private at = 0;
  private len = 0;
  private next: number;

  constructor(
    private readonly fd: number,
    private readonly run: Run,
    readonly index: number,
    private readonly file: string,
  ) {
    this.next = run.start;
    if (run.end - run.start < RUN_BUFFER) this.buf = Buffer.allocUnsafe(Math.max(1, run.end - run.start));
  }

  /** The next line as the head; false when the run is done. */
  advance(): boolean {
    for (;;) {
      const nl = this.buf.indexOf(0x0a, this.at);
      if (nl >= 0 && nl < this.len) {
        this.head = this.parse(this.at, nl);
        this.at = nl + 1;
        return true;
      }
      if (this.next >= this.run.end) {
        if (this.at < this.len) throw new Error(`${this.file}: a run ends without a newline (a linkaudit bug, or the file was changed meanwhile)`);
        this.head = undefined;
        return false;
      }
      this.refill();
    }
  }

  private parse(from: number, to: number): Head {
    const t1 = this.buf.indexOf(0x09, from);
    const t2 = t1 < 0 ? -1 : this.buf.indexOf(0x09, t1 + 1);
    const t3 = t2 < 0 ? -1 : this.buf.indexOf(0x09, t2 + 1);
    if (t3 < 0 || t3 >= to) throw new Error(`${this.file}: a line without its keys (a linkaudit bug, or the file was changed meanwhile)`);
    return {
      ruleId: JSON.parse(this.buf.toString('utf8', from, t1)) as string,
      arn: JSON.parse(this.buf.toString('utf8', t1 + 1, t2)) as string,
      facts: Number(this.buf.toString('latin1', t2 + 1, t3)),
      line: this.buf.subarray(t3 + 1, to),
    };
  }

  private refill(): void {
    const rest = this.len - this.at;
    if (rest > 0 && this.at > 0) this.buf.copy(this.buf, 0, this.at, this.len);
    this.at = 0;
    this.len = rest;
    if (this.len === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
    const want = Math.min(this.buf.length - this.len, this.run.end - this.next);
    const got = readSync(this.fd, this.buf, this.len, want, this.next);
    if (got === 0) throw new Error(`${this.file}: a run ended early (a linkaudit bug, or the file was changed meanwhile)`);
    this.len += got;
    this.next += got;
  }
}

function before(a: RunReader, b: RunReader): boolean {
  const x = a.head as Head;
  const y = b.head as Head;
  if (x.ruleId !== y.ruleId) return x.ruleId < y.ruleId;
  if (x.arn !== y.arn) return x.arn < y.arn;
  return a.index < b.index;
}

/** The runs by their heads, least first. */
class RunHeap {
  constructor(private readonly items: RunReader[]) {
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  push(r: RunReader): void {
    const items = this.items;
    items.push(r);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i] as RunReader, items[parent] as RunReader)) break;
      [items[i], items[parent]] = [items[parent] as RunReader, items[i] as RunReader];
      i = parent;
    }
  }

  pop(): RunReader | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.down(0);
    }
    return top;
  }

  private down(start: number): void {
    const items = this.items;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < items.length && before(items[l] as RunReader, items[least] as RunReader)) least = l;
      if (r < items.length && before(items[r] as RunReader, items[least] as RunReader)) least = r;
      if (least === i) return;
      [items[i], items[least]] = [items[least] as RunReader, items[i] as RunReader];
      i = least;
    }
  }
}

/** The merged file and its facts. */
class SpooledFindings implements FindingList {
  private fd: number | undefined;

  constructor(
    fd: number,
    private readonly file: string,
    private readonly offsets: Float64Array,
    private readonly facts: Uint8Array,
    private readonly rules: Uint16Array,
    private readonly ruleIds: readonly string[],
    private readonly closed: () => boolean,
  ) {
    this.fd = fd;
  }

  get length(): number {
    return this.facts.length;
  }

  private fact(i: number): number {
    const f = this.facts[i];
    if (f === undefined) throw new RangeError(`finding ${i} of ${this.facts.length} (a linkaudit bug)`);
    return f;
  }

  ruleId(i: number): string {
    return this.ruleIds[this.rules[i] ?? -1] ?? this.missing(i);
  }
  status(i: number): Status {
    return STATUSES[this.fact(i) & 3] ?? this.missing(i);
  }
  severity(i: number): Severity {
    return SEVERITIES[(this.fact(i) >> 2) & 7] ?? this.missing(i);
  }
  suppressed(i: number): boolean {
    return (this.fact(i) & 32) !== 0;
  }
  baseline(i: number): Finding['baseline'] {
    return MARKS[this.fact(i) >> 6];
  }

  private missing(i: number): never {
    throw new RangeError(`finding ${i} of ${this.facts.length} (a linkaudit bug)`);
  }

  *read(positions?: Iterable<number>): Generator<Finding> {
    // A window never reads past the last line asked for: a batch of 100 costs its own bytes.
    const last = Array.isArray(positions) ? (positions as readonly number[])[positions.length - 1] : undefined;
    const end = last !== undefined ? (this.offsets[last + 1] ?? 0) : (this.offsets[this.length] ?? 0);
    const window = new ReadWindow(this.handle(), this.file, end);
    if (positions === undefined) {
      for (let i = 0; i < this.length; i++) yield window.finding(this.offsets, i);
    } else {
      for (const p of positions) {
        if (!(p >= 0 && p < this.length)) this.missing(p);
        yield window.finding(this.offsets, p);
      }
    }
  }

  private handle(): number {
    if (this.fd === undefined || this.closed()) throw new Error('findings read after their spool was closed (a linkaudit bug)');
    return this.fd;
  }

  closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads lines of the merged file through a window of about 1 MiB. */
class ReadWindow {
  private buf = Buffer.allocUnsafe(0);
  private start = 0;
  private end = 0;

  constructor(
    private readonly fd: number,
    private readonly file: string,
    /** Where the last line asked for ends. */
    private readonly size: number,
  ) {}

  finding(offsets: Float64Array, i: number): Finding {
    const from = offsets[i] as number;
    const to = (offsets[i + 1] as number) - 1;
    if (from < this.start || to > this.end) this.fill(from, to);
    return JSON.parse(this.buf.toString('utf8', from - this.start, to - this.start)) as Finding;
  }

  private fill(from: number, to: number): void {
    const length = Math.max(to - from, Math.min(READ_WINDOW, this.size - from));
    // A read of one line (a Markdown row printed) costs that line, not a whole window.
    if (this.buf.length < length) this.buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, this.buf, got, length - got, from + got);
      if (n === 0) throw new Error(`${this.file}: ended early (a linkaudit bug, or the file was changed meanwhile)`);
      got += n;
    }
    this.start = from;
    this.end = from + length;
  }
}
