// The summary a person reads on a terminal (scan with no --format, standard output a TTY): the
// gate, counts by severity, the most severe fails and the unknowns, the coverage gaps, each on a
// line of its own and cut to a readable length. Not a report: --format markdown (or json, sarif…)
// writes those. Everything from AWS or a file is escaped for the terminal.

import { escapeControlChars } from '../io/untrusted-text.js';
import type { Finding } from '../engine/types.js';
import { SEVERITIES, type Severity } from '../engine/severity.js';
import type { ReportInput } from './types.js';
import { findingList, positionsWhere, type FindingList } from '../engine/finding-list.js';

const SHOWN_FAILS = 25;
const SHOWN_UNKNOWNS = 10;
const SHOWN_GAPS = 10;
const MESSAGE_CHARS = 200;

/** Whether to colour: NO_COLOR (non-empty) wins, then FORCE_COLOR (0 or false: no), then whether it is a terminal. */
export function useColor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return isTTY;
}

interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  severity(sev: Severity, s: string): string;
}

function paint(color: boolean): Paint {
  const sgr = (code: string) => (s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const red = sgr('31');
  const yellow = sgr('33');
  const magenta = sgr('35;1');
  const cyan = sgr('36');
  return {
    bold: sgr('1'),
    dim: sgr('2'),
    red,
    green: sgr('32'),
    yellow,
    severity: (sev, s) => (sev === 'critical' ? magenta(s) : sev === 'high' ? red(s) : sev === 'medium' ? yellow(s) : cyan(s)),
  };
}

/** One line of untrusted text: control characters escaped, cut to `max` characters. */
function line(text: string, max = MESSAGE_CHARS): string {
  const safe = escapeControlChars(text);
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

function where(f: Finding): string {
  const r = f.resource;
  return `${line(r.name ?? r.arn, 100)} ${`(${line(r.account, 20)} ${line(r.region, 30)})`}`;
}

/** The findings at `positions`, in that order (a list is read in ascending order). */
function inOrder(list: FindingList, positions: readonly number[]): Finding[] {
  const ascending = [...positions].sort((a, b) => a - b);
  const read = new Map<number, Finding>();
  let k = 0;
  for (const f of list.read(ascending)) read.set(ascending[k++] as number, f);
  return positions.map((p) => read.get(p) as Finding);
}

export function renderTerminal(input: ReportInput, options: { color: boolean }): string {
  const p = paint(options.color);
  const out: string[] = [];
  const g = input.gate;
  const verdict = g.exitCode === 0 ? p.green('PASS') : p.red(g.exitCode === 1 ? 'FAIL' : 'FAIL (incomplete)');
  out.push(`${p.bold(`linkaudit ${input.tool.version}`)}  gate ${p.bold(verdict)} (exit ${g.exitCode}): ${line(g.reason)}`);
  const s = input.snapshot;
  out.push(p.dim(`${input.rules.length} rules · accounts ${line(s.scope.accounts.join(', '), 120)} · regions ${line(s.scope.regions.join(', '), 120)} · snapshot ${line(s.generatedAt, 40)}${s.file !== undefined ? ` (${line(s.file, 120)})` : ''}`));
  out.push('');

  const counts = new Map<Severity, { fail: number; pass: number; unknown: number }>();
  for (const sev of SEVERITIES) counts.set(sev, { fail: 0, pass: 0, unknown: 0 });
  const list = findingList(input.findings);
  for (let i = 0; i < list.length; i++) {
    const c = counts.get(list.severity(i));
    if (c) c[list.status(i)] += 1;
  }
  const width = Math.max(...[...counts.values()].map((c) => String(Math.max(c.fail, c.pass, c.unknown)).length), 1);
  for (const sev of SEVERITIES) {
    if (sev === 'info' && Object.values(counts.get(sev) ?? {}).every((n) => n === 0)) continue;
    const c = counts.get(sev) as { fail: number; pass: number; unknown: number };
    const fail = `${String(c.fail).padStart(width)} fail`;
    out.push(`  ${p.severity(sev, sev.padEnd(8))}  ${c.fail > 0 ? p.red(fail) : fail}  ${String(c.pass).padStart(width)} pass  ${c.unknown > 0 ? p.yellow(`${String(c.unknown).padStart(width)} unknown`) : `${String(c.unknown).padStart(width)} unknown`}`);
  }

  // SEVERITIES runs from critical down; a stable sort keeps the report's order within a severity.
  if (g.suppressed) out.push(p.dim(`  ${g.suppressed} suppressed (accepted risks: see the config's suppressions)`));
  // Positions from the list's facts; only the findings shown are read.
  const bySeverity = (a: number, b: number): number => rank(list.severity(a)) - rank(list.severity(b));
  const fails = positionsWhere(list, (i) => list.status(i) === 'fail').sort(bySeverity);
  if (fails.length > 0) {
    out.push('', p.bold(`Failing (${fails.length}), most severe first:`));
    for (const f of inOrder(list, fails.slice(0, SHOWN_FAILS))) {
      out.push(`  ${p.severity(f.severity, f.severity.toUpperCase().padEnd(8))}  ${p.bold(f.ruleId)}  ${where(f)}`);
      out.push(`            ${line(f.message)}`);
    }
    if (fails.length > SHOWN_FAILS) out.push(p.dim(`  … and ${fails.length - SHOWN_FAILS} more.`));
  }
  const unknowns = positionsWhere(list, (i) => list.status(i) === 'unknown').sort(bySeverity);
  if (unknowns.length > 0) {
    out.push('', p.bold(`Unknown (${unknowns.length}): could not be judged, never counted as passing:`));
    for (const f of inOrder(list, unknowns.slice(0, SHOWN_UNKNOWNS))) out.push(`  ${p.yellow('?')} ${f.ruleId}  ${where(f)}: ${line(f.message, 160)}`);
    if (unknowns.length > SHOWN_UNKNOWNS) out.push(p.dim(`  … and ${unknowns.length - SHOWN_UNKNOWNS} more.`));
  }
  if (input.coverage.length > 0) {
    out.push('', p.bold(`Coverage gaps (${input.coverage.length}): what could not be read:`));
    for (const c of input.coverage.slice(0, SHOWN_GAPS)) out.push(`  ${p.yellow('!')} ${line(c.account, 20)} ${line(c.region, 30)} ${line(c.operation, 60)}: ${line(c.errorCode, 60)}${c.message ? ` - ${line(c.message, 120)}` : ''}`);
    if (input.coverage.length > SHOWN_GAPS) out.push(p.dim(`  … and ${input.coverage.length - SHOWN_GAPS} more.`));
  }
  out.push('', p.dim('Every finding, evidence and remediation: --format markdown (or json, sarif, junit) on standard output, or several with --output-dir DIR.'));
  return `${out.join('\n')}\n`;
}
