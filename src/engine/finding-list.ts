// The findings as reporters, the gate and the counts read them: a list whose facts (rule, status,
// severity, suppressed, baseline mark) are at hand by position, and whose findings are read in
// passes. An array is one such list; an organization's findings are another, kept on disk
// (finding-spool.ts), so that what is in memory between the evaluation and the reports is a few
// bytes per finding, not the findings.
import type { Severity } from './severity.js';
import type { Finding, Status } from './types.js';

export interface FindingList {
  readonly length: number;
  ruleId(i: number): string;
  status(i: number): Status;
  severity(i: number): Severity;
  /** Whether a suppression accepts the finding at `i`. */
  suppressed(i: number): boolean;
  baseline(i: number): Finding['baseline'];
  /** The findings at `positions` (ascending; every position when omitted), read in one pass. */
  read(positions?: Iterable<number>): Iterable<Finding>;
}

/** What a report is given: the findings in memory, or a list of them. */
export type Findings = readonly Finding[] | FindingList;

class ArrayList implements FindingList {
  constructor(private readonly items: readonly Finding[]) {}
  get length(): number {
    return this.items.length;
  }
  private at(i: number): Finding {
    const f = this.items[i];
    if (f === undefined) throw new RangeError(`finding ${i} of ${this.items.length} (a linkaudit bug)`);
    return f;
  }
  ruleId(i: number): string {
    return this.at(i).ruleId;
  }
  status(i: number): Status {
    return this.at(i).status;
  }
  severity(i: number): Severity {
    return this.at(i).severity;
  }
  suppressed(i: number): boolean {
    return this.at(i).suppression !== undefined;
  }
  baseline(i: number): Finding['baseline'] {
    return this.at(i).baseline;
  }
  *read(positions?: Iterable<number>): Generator<Finding> {
    if (positions === undefined) yield* this.items;
    else for (const p of positions) yield this.at(p);
  }
}

export function findingList(findings: Findings): FindingList {
  return isList(findings) ? findings : new ArrayList(findings);
}

function isList(findings: Findings): findings is FindingList {
  return !Array.isArray(findings);
}

/** The positions of `list` for which `keep` holds, ascending. */
export function positionsWhere(list: FindingList, keep: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < list.length; i++) if (keep(i)) out.push(i);
  return out;
}

/** The findings of `list` for which `keep` (on their facts) holds, read in one pass. */
export function readWhere(list: FindingList, keep: (i: number) => boolean): Iterable<Finding> {
  return list.read(positionsWhere(list, keep));
}

/** The findings of `list` at `positions` (ascending), as a list of their own. */
export function subList(list: FindingList, positions: readonly number[]): FindingList {
  return new SubList(list, positions);
}

class SubList implements FindingList {
  constructor(
    private readonly list: FindingList,
    private readonly positions: readonly number[],
  ) {}
  get length(): number {
    return this.positions.length;
  }
  private at(i: number): number {
    const p = this.positions[i];
    if (p === undefined) throw new RangeError(`finding ${i} of ${this.positions.length} (a linkaudit bug)`);
    return p;
  }
  ruleId(i: number): string {
    return this.list.ruleId(this.at(i));
  }
  status(i: number): Status {
    return this.list.status(this.at(i));
  }
  severity(i: number): Severity {
    return this.list.severity(this.at(i));
  }
  suppressed(i: number): boolean {
    return this.list.suppressed(this.at(i));
  }
  baseline(i: number): Finding['baseline'] {
    return this.list.baseline(this.at(i));
  }
  read(positions?: Iterable<number>): Iterable<Finding> {
    return this.list.read(positions === undefined ? this.positions : Array.from(positions, (p) => this.at(p)));
  }
}

/** Every finding of `findings`, in memory: for callers that hold few (tests, small reports). */
export function allFindings(findings: Findings): Finding[] {
  return Array.isArray(findings) ? [...(findings as readonly Finding[])] : [...findingList(findings).read()];
}
