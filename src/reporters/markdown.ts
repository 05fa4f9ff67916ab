import { SEVERITIES, maxSeverity, severityRank } from '../engine/severity.js';
import type { Finding } from '../engine/types.js';
import { ignoredTagNotes, suppressionProblems } from '../audit/suppress.js';
import type { FixedFinding } from '../audit/baseline.js';
import { escapeControlCharsKeepLayout } from '../io/untrusted-text.js';
import { summarize } from './json.js';
import { declaredAs, placeOf } from './origin.js';
import { complianceSummary, controlsOf, compareControls, frameworkTitle, controlTitle } from './compliance.js';
import { ruleHelpUri } from './rule-docs.js';
import type { ReportInput } from './types.js';
import { findingList, positionsWhere, type FindingList } from '../engine/finding-list.js';
import { pushAll, maxOf } from '../arrays.js';

export interface MarkdownOptions {
  /** Upper bound on the UTF-8 size of the document. */
  maxBytes?: number;
}

/** GitHub refuses a $GITHUB_STEP_SUMMARY over 1 MiB; keep a margin for what a workflow appends. */
export const DEFAULT_MARKDOWN_MAX_BYTES = 1024 * 1024 - 1024;

/** Past this many, the scope line gives a count: a 300-account estate is not a sentence. */
const MAX_LISTED = 20;

/**
 * One output line. `row` marks a table row of a list that truncation may shorten (findings,
 * unknowns, suppressed, fixed, coverage gaps); `rank` is its severity rank, most severe kept first.
 */
type Line = { text: string; row?: true; rank?: number } | LazyRow<never>;

/**
 * A row of a list as long as the findings (an organization has hundreds of thousands of fails):
 * its text is made to be measured, dropped, and made again only if the row is kept. Holding every
 * row's text until the document is cut to 1 MiB cost more memory than the findings themselves, so
 * a row is one small object: what it shows and a function shared by its whole list.
 */
class LazyRow<T> {
  readonly row = true;
  /** UTF-8 size plus the newline, once measured. */
  bytes = 0;
  constructor(
    readonly item: T,
    readonly render: (item: T) => string,
    readonly rank?: number,
    bytes = 0,
  ) {
    this.bytes = bytes;
  }
}

/**
 * The rows of the findings, measured in one pass over the list (an organization's findings are on
 * disk: finding-spool.ts). A row keeps its finding's position; its text is made again from the
 * list only when it is printed, and the document prints at most 1 MiB of them.
 */
class FindingRows {
  /** Each row's UTF-8 size plus the newline, by position. */
  private readonly bytes: Uint32Array;
  /** A fail's full-message line's size, by position; 0 when its message fits its cell. */
  private readonly full: Uint32Array;
  readonly fail = (p: number): string => failRow(this.at(p));
  readonly unknown = (p: number): string => unknownRow(this.at(p));
  readonly suppressed = (p: number): string => suppressedRow(this.at(p));
  readonly fullMessage = (p: number): string => fullMessage(this.at(p));

  constructor(readonly list: FindingList) {
    this.bytes = new Uint32Array(list.length);
    this.full = new Uint32Array(list.length);
    const listed = positionsWhere(list, (i) => list.suppressed(i) || list.status(i) !== 'pass');
    let k = 0;
    for (const f of list.read(listed)) {
      const p = listed[k++] as number;
      const render = f.suppression ? suppressedRow : f.status === 'fail' ? failRow : unknownRow;
      this.bytes[p] = size(escapeControlCharsKeepLayout(render(f)));
      if (!f.suppression && f.status === 'fail' && isLong(f.message)) this.full[p] = size(escapeControlCharsKeepLayout(fullMessage(f)));
    }
  }

  private at(p: number): Finding {
    for (const f of this.list.read([p])) return f;
    throw new RangeError(`finding ${p} of ${this.list.length} (a linkaudit bug)`);
  }

  /** The row of position `p`, drawn by `render` (one of this object's). */
  row(p: number, render: (p: number) => string): Line {
    return lazy(p, render, severityRank(this.list.severity(p)), render === this.fullMessage ? this.full[p] : this.bytes[p]);
  }

  isLong(p: number): boolean {
    return (this.full[p] ?? 0) > 0;
  }
}

/** A line measured: `bytes` is its UTF-8 size plus the newline; a lazy row keeps no text. */
type Sized = { text: string; bytes: number; row?: true; rank?: number } | LazyRow<never>;

/** A line's text as printed: no control character from the estate reaches a terminal or page. */
function textOf(l: Line): string {
  return l instanceof LazyRow ? escapeControlCharsKeepLayout(l.render(l.item)) : l.text;
}

function sized(l: Line): Sized {
  if (l instanceof LazyRow) {
    if (l.bytes === 0) l.bytes = size(textOf(l));
    return l;
  }
  const t = escapeControlCharsKeepLayout(l.text);
  return { ...l, text: t, bytes: size(t) };
}

/** A row of `item` in a list of such rows, made by `render` when measured and when printed. */
function lazy<T>(item: T, render: (item: T) => string, rank?: number, bytes = 0): Line {
  // The row only ever hands its item back to its own render: the list's element type is erased.
  return new LazyRow(item, render, rank, bytes) as unknown as LazyRow<never>;
}

/** A GitHub-flavoured summary for a job page or pull request comment; the JSON report is the full record. */
export function renderMarkdown(input: ReportInput, options: MarkdownOptions = {}): string {
  const rows = new FindingRows(findingList(input.findings));
  const lines: Line[] = [
    ...header(input),
    ...summaryTable(input),
    ...controlsSection(input),
    ...failSection(input, rows),
    ...blastRadiusSection(input),
    ...fixedSection(input),
    ...unknownSection(rows),
    ...suppressedSection(input, rows),
    ...coverageSection(input),
  ];
  // Names, tags and messages come from the estate: no control character (ESC sequences, bidi
  // overrides) reaches whoever reads the summary in a terminal or a page (textOf).
  return fit(lines.map(sized), options.maxBytes ?? DEFAULT_MARKDOWN_MAX_BYTES);
}

const VERDICT: Record<0 | 1 | 2, string> = { 0: 'PASS', 1: 'FAIL', 2: 'INCOMPLETE' };

function header(input: ReportInput): Line[] {
  const { gate, snapshot } = input;
  const { scope } = snapshot;
  const from = snapshot.file !== undefined ? `, read from ${codeSpan(snapshot.file)}` : '';
  return text(
    `# ${input.tool.name} ${input.tool.version} report`,
    '',
    `**Gate: ${VERDICT[gate.exitCode]}** (exit code ${gate.exitCode}, fail on ${gate.failOn}): ${inline(gate.reason)}.`,
    '',
    `Scope: ${listed('account', scope.accounts)} and ${listed('region', scope.regions)} in partition ${inline(scope.partition)}; ` +
      `${snapshot.source.kind === 'iac' ? 'infrastructure as code read' : 'snapshot taken'} ${snapshot.generatedAt} (source ${snapshot.source.kind}${from}).`,
    '',
    ...inputsLine(input),
  );
}

function listed(noun: string, items: readonly string[]): string {
  if (items.length === 0) return `no ${noun}s`;
  if (items.length > MAX_LISTED) return `${items.length} ${noun}s`;
  return `${noun}${items.length === 1 ? '' : 's'} ${inline(items.join(', '))}`;
}

function summaryTable(input: ReportInput): Line[] {
  const { total, bySeverity } = summarize(input);
  const b = input.baseline;
  return text(
    '## Summary',
    '',
    '| Severity | Fail | Pass | Unknown | Suppressed |',
    '|---|---:|---:|---:|---:|',
    ...SEVERITIES.map((s) => `| ${s} | ${bySeverity[s].fail} | ${bySeverity[s].pass} | ${bySeverity[s].unknown} | ${bySeverity[s].suppressed} |`),
    `| **total** | **${total.fail}** | **${total.pass}** | **${total.unknown}** | **${total.suppressed}** |`,
    '',
    ...(b ? [`Against the baseline ${codeSpan(b.file)} (${b.generatedAt}): ${b.new} new, ${b.unchanged} unchanged, ${b.fixed.length} fixed.`, ''] : []),
  );
}

function failSection(input: ReportInput, rows: FindingRows): Line[] {
  const { list } = rows;
  const byRule = new Map<string, number[]>();
  for (let i = 0; i < list.length; i++) {
    if (list.status(i) !== 'fail' || list.suppressed(i)) continue;
    const id = list.ruleId(i);
    const positions = byRule.get(id);
    if (positions) positions.push(i);
    else byRule.set(id, [i]);
  }
  const framework = input.framework;
  const out = text(framework !== undefined ? `## Findings by ${inline(frameworkTitle(framework))} control` : '## Findings', '');
  if (byRule.size === 0) return [...out, ...text('None.', '')];
  const rules = new Map(input.rules.map((r) => [r.id, r]));
  // Worst first: an escalated fail is more severe than its rule's default, so rank rules by their
  // worst fail, then by id; the heading shows that severity, each row its own.
  const worst = new Map([...byRule].map(([id, fails]) => [id, maxSeverity(fails.map((p) => list.severity(p)))]));
  const order = [...byRule.keys()].sort((a, b) => severityRank(worst.get(b) ?? 'info') - severityRank(worst.get(a) ?? 'info') || (a < b ? -1 : 1));
  const block = (id: string, level: string): Line[] => {
    const fails = byRule.get(id) ?? [];
    const rule = rules.get(id);
    const label = (worst.get(id) ?? 'info').toUpperCase();
    const messages = folded(fails, rows);
    return [
      ...text(`${level} ${label} ${ruleLink(id, rule)}${rule ? ` — ${inline(rule.title)}` : ''}`, '', '| Severity | Resource | Account | Region | Message |', '|---|---|---|---|---|'),
      ...fails.map((p) => rows.row(p, rows.fail)),
      ...text(''),
      ...messages,
      ...(rule ? text(`**Remediation:** ${rule.remediation.text.trim()}`, '') : []),
    ];
  };
  if (framework === undefined) {
    for (const id of order) pushAll(out, block(id, '###'));
    return out;
  }
  // Grouped by control, as an auditor reads it: a rule that supports several controls is shown
  // under each of them (the Controls table above counts each result once per control).
  const byControl = new Map<string, string[]>();
  const unmapped: string[] = [];
  for (const id of order) {
    const controls = rules.has(id) ? controlsOf(rules.get(id) as (typeof input.rules)[number], framework) : [];
    if (controls.length === 0) unmapped.push(id);
    for (const c of controls) byControl.set(c, [...(byControl.get(c) ?? []), id]);
  }
  for (const control of [...byControl.keys()].sort(compareControls)) {
    const ids = byControl.get(control) ?? [];
    const fails = ids.reduce((n, id) => n + (byRule.get(id)?.length ?? 0), 0);
    const title = controlTitle(framework, control);
    out.push(...text(`### ${inline(control)}${title !== undefined ? ` ${inline(title)}` : ''}: ${fails} fail(s) in ${ids.length} rule(s)`, ''));
    for (const id of ids) pushAll(out, block(id, '####'));
  }
  if (unmapped.length > 0) {
    out.push(...text(`### Not mapped to a ${inline(frameworkTitle(framework))} control`, ''));
    for (const id of unmapped) pushAll(out, block(id, '####'));
  }
  return out;
}

/** At most 3 ids in a cell, then how many more (the JSON report's compliance section lists all). */
function listShort(ids: readonly string[]): string {
  return ids.length <= 4 ? ids.map(cell).join(', ') : `${ids.slice(0, 3).map(cell).join(', ')} and ${ids.length - 3} more`;
}

/** --framework: each control of the framework, what its rules found (every result, also passes). */
function controlsSection(input: ReportInput): Line[] {
  const framework = input.framework;
  if (framework === undefined) return [];
  const s = complianceSummary(input.rules, summarize(input), framework);
  const status: Record<string, string> = { fail: '**FAIL**', unknown: 'UNKNOWN', pass: 'PASS', 'no result': 'no result' };
  const out = text(`## Controls: ${inline(s.title)}`, '');
  if (s.controls.length === 0) out.push(...text(`No rule that ran names a ${inline(s.title)} control.`, ''));
  else {
    out.push(
      ...text('| Control | Status | Fail | Pass | Unknown | Suppressed | Rules |', '|---|---|---:|---:|---:|---:|---|'),
      ...s.controls.map((c) =>
        row(`${cell(c.control)}${c.title !== undefined ? ` ${cell(c.title)}` : ''}`, status[c.status] ?? c.status, String(c.counts.fail), String(c.counts.pass), String(c.counts.unknown), String(c.counts.suppressed), listShort(c.rules)),
      ),
      ...text(''),
    );
  }
  if (s.unmapped.length > 0) out.push(...text(`Rules that name no ${inline(s.title)} control: ${s.unmapped.map(inline).join(', ')}.`, ''));
  out.push(...text('A control passes here when every result of its rules passed; a pass means these rules found nothing, not that the control is implemented.', ''));
  return out;
}

/**
 * The rule id, linked to its docs page (built-in rules) or its first reference (a user's rule).
 * The address is built from a checked id, or is a reference the rule schema holds to https://;
 * either way it is percent-encoded down to characters no Markdown construct reads.
 */
/** encodeURIComponent throws on half a surrogate pair, which a rule file's JSON string may hold. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function ruleLink(id: string, rule: ReportInput['rules'][number] | undefined): string {
  const uri = ruleHelpUri(rule ?? { id, references: [] });
  if (uri === undefined || !/^https:\/\//.test(uri) || LONE_SURROGATE.test(uri)) return inline(id);
  return `[${inline(id)}](${uri.replace(/[^A-Za-z0-9\-._~:/?#@!$&'+,;=%]/gu, (c) => encodeURIComponent(c).replace(/[!'()*]/g, (x) => `%${x.charCodeAt(0).toString(16).toUpperCase()}`))})`;
}

/**
 * Table cells stay short: a message over MAX_CELL characters shows its first words in the cell and
 * whole under the table, folded in a <details> block (the JSON report has every message too).
 */
export const MAX_CELL = 200;

function messageCell(message: string): string {
  const m = message.trim();
  if ([...m].length <= MAX_CELL) return cell(m);
  return `${cell(shorten(m, MAX_CELL - 40))} … (full message below)`;
}

/** Whether a fail's message is longer than its cell shows (messageCell). */
function isLong(message: string): boolean {
  return message.length > MAX_CELL && [...message.trim()].length > MAX_CELL;
}

/** The full text of the fails (positions) whose message the table shortened, folded. */
function folded(fails: readonly number[], rows: FindingRows): Line[] {
  const long = fails.filter((p) => rows.isLong(p));
  if (long.length === 0) return [];
  return [
    ...text(`<details><summary>Full messages (${long.length})</summary>`, ''),
    // Rows, so that the size limit shortens this list like the table above it.
    ...long.map((p) => rows.row(p, rows.fullMessage)),
    ...text('', '</details>', ''),
  ];
}

/** At most `max` code points of `s`, cut at a space when one is near the end. */
function shorten(s: string, max: number): string {
  const points = [...s];
  if (points.length <= max) return s;
  const cut = points.slice(0, max).join('');
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd();
}

/** A few lines on the connections behind the worst fails; `linkaudit graph` draws the whole path. */
function blastRadiusSection(input: ReportInput): Line[] {
  const b = input.blastRadius;
  if (!b || b.entries.length === 0) return [];
  const shown = b.entries.length < b.total ? `the ${b.entries.length} with the most admin-equivalent roles` : b.total === 1 ? 'it' : 'all of them';
  return [
    ...text('## Blast radius', '', `${b.total} connection(s) with a fail of severity high or above (on the connection, or on a pipeline or build that uses it); ${shown}:`, ''),
    ...text('| Connection | Provider | Repositories | Pipelines and builds | Admin-equivalent roles |', '|---|---|---|---|---|'),
    ...b.entries.map((e) =>
      row(
        `${codeCell(e.connection)}${e.name !== undefined ? ` (${cell(e.name)})` : ''}`,
        cell(e.providerType ?? 'unknown (not in the snapshot)'),
        e.repositories.length > 0 ? `${e.repositories.slice(0, 3).map(codeCell).join(', ')}${e.repositories.length > 3 ? ` and ${e.repositories.length - 3} more` : ''}` : '—',
        String(e.consumers),
        `${e.adminRoles.length > 0 ? `**${e.adminRoles.length}**: ${e.adminRoles.slice(0, 2).map(codeCell).join(', ')}${e.adminRoles.length > 2 ? ', …' : ''}` : '0'}${e.unknownRoles > 0 ? `; ${e.unknownRoles} unknown` : ''}`,
      ),
    ),
    ...text('', `The whole path, from each repository through pipelines and builds to the roles they run as, and who may use the connection: ${codeSpan(`${b.command} --connection ${b.entries[0]?.connection ?? 'ARN'}`)}.`, ''),
  ];
}

function fixedSection(input: ReportInput): Line[] {
  const fixed = input.baseline?.fixed ?? [];
  if (!input.baseline) return [];
  const out = text('## Fixed since the baseline', '');
  if (fixed.length === 0) return [...out, ...text('None.', '')];
  return [
    ...out,
    ...text('| Rule | Severity | Resource | Now |', '|---|---|---|---|'),
    ...fixed.map((f) => lazy(f, fixedRow)),
    ...text(''),
  ];
}

function suppressedSection(input: ReportInput, rows: FindingRows): Line[] {
  const suppressed = positionsWhere(rows.list, (i) => rows.list.suppressed(i));
  const problems = input.suppressions ? suppressionProblems(input.suppressions) : [];
  const ignored = input.suppressions ? ignoredTagNotes(input.suppressions) : [];
  if (suppressed.length === 0 && problems.length === 0 && ignored.length === 0) return [];
  const out = text('## Suppressed (accepted risks)', '');
  if (suppressed.length > 0) {
    pushAll(out, [
      ...text('| Rule | Resource | Status | Reason | Expires | Ticket |', '|---|---|---|---|---|---|'),
      ...suppressed.map((p) => rows.row(p, rows.suppressed)),
      ...text(''),
    ]);
  }
  if (problems.length > 0) pushAll(out, [...text('Suppression problems:', ''), ...problems.map((p) => ({ text: `- ${inline(p)}` })), ...text('')]);
  if (ignored.length > 0) pushAll(out, [...text('Ignored suppress tags (the findings stay):', ''), ...ignored.map((p) => ({ text: `- ${inline(p)}` })), ...text('')]);
  return out;
}

function unknownSection(rows: FindingRows): Line[] {
  const { list } = rows;
  const unknowns = positionsWhere(list, (i) => list.status(i) === 'unknown' && !list.suppressed(i));
  const out = text('## Not evaluated (unknown)', '');
  if (unknowns.length === 0) return [...out, ...text('None.', '')];
  return [
    ...out,
    ...text('| Rule | Resource | Message |', '|---|---|---|'),
    ...unknowns.map((p) => rows.row(p, rows.unknown)),
    ...text(''),
  ];
}

function coverageSection(input: ReportInput): Line[] {
  const out = text('## Coverage gaps', '');
  if (input.coverage.length === 0) return [...out, ...text('None.')];
  return [
    ...out,
    ...text('| Account | Region | Service | Operation | Error code | Message |', '|---|---|---|---|---|---|'),
    ...input.coverage.map((g) => row(...[g.account, g.region, g.service, g.operation, g.errorCode].map(cell), shortCell(g.message))),
  ];
}

/**
 * The resource cell: its ARN, or for a resource declared in infrastructure as code where it is
 * (`file:line`) and what it is called there (logical id, construct path, address). All of it is
 * user-controlled text, so it is code-spanned (and `|` escaped) like an ARN.
 */
function resourceCell(f: Finding): string {
  const origin = f.resource.origin;
  if (!origin) return codeCell(f.resource.arn);
  return `${codeCell(placeOf(origin.location))} ${codeCell(declaredAs(origin))}`;
}

/** scan --iac: the inputs read, after the scope line. */
function inputsLine(input: ReportInput): string[] {
  const inputs = input.snapshot.inputs;
  if (!inputs) return [];
  const shown = inputs.slice(0, MAX_LISTED).map((i) => `${codeSpan(i.file.replace(/[\r\n]+/g, ' '))} (${i.format}, ${i.resources} resource(s)${i.unmapped > 0 ? `, ${i.unmapped} of unmapped types` : ''})`);
  const more = inputs.length > MAX_LISTED ? ` and ${inputs.length - MAX_LISTED} more` : '';
  const skipped = input.snapshot.skipped ? `; ${input.snapshot.skipped} file(s) skipped (not a template)` : '';
  return [`Inputs: ${shown.join(', ') || 'none'}${more}${skipped}.`, ''];
}

function rowText(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function row(...cells: string[]): Line {
  return { text: rowText(cells), row: true };
}

const failRow = (f: Finding): string => rowText([`${cell(f.severity)}${f.baseline === 'new' ? ' **new**' : ''}`, resourceCell(f), cell(f.resource.account), cell(f.resource.region), messageCell(f.message)]);
const unknownRow = (f: Finding): string => rowText([cell(f.ruleId), resourceCell(f), shortCell(f.message)]);
const suppressedRow = (f: Finding): string => rowText([cell(f.ruleId), resourceCell(f), f.status, shortCell(f.suppression?.reason ?? ''), cell(f.suppression?.expires ?? (f.suppression?.source === 'tag' ? 'resource tag' : '')), cell(f.suppression?.ticket ?? '')]);
const fullMessage = (f: Finding): string => `- ${resourceCell(f)}: ${inline(f.message.trim())}`;
const fixedRow = (f: FixedFinding): string => rowText([cell(f.ruleId), cell(f.severity), codeCell(f.resource.arn), f.now === 'pass' ? 'passes' : 'gone']);

function text(...l: string[]): Line[] {
  return l.map((t) => ({ text: t }));
}

const size = (t: string): number => Buffer.byteLength(t, 'utf8') + 1;

/** A run of consecutive rows: one table's body, in the section named by the last `## ` heading. */
interface List {
  section: string;
  rows: Sized[];
}

type Piece = Sized | List;

/**
 * Fits the document in `maxBytes` (UTF-8) by shortening the lists, never by dropping a section:
 * every heading, count and table header stays. The bytes left after them are shared between the
 * sections that have lists (a section needing less than its share gives the rest to the others);
 * within a section, lists are filled in document order (findings come worst rule first) and each
 * list keeps its most severe rows. A shortened list says how many rows it left out.
 */
function fit(lines: readonly Sized[], maxBytes: number): string {
  if (lines.reduce((n, l) => n + l.bytes, 0) <= maxBytes) return joined(lines.map(textOf));
  const pieces: Piece[] = [];
  let section = '';
  for (const l of lines) {
    if (!(l instanceof LazyRow) && l.text.startsWith('## ')) section = l.text;
    const last = pieces[pieces.length - 1];
    if (l.row && last && 'rows' in last) last.rows.push(l);
    else if (l.row) pieces.push({ section, rows: [l] });
    else pieces.push(l);
  }
  const lists = pieces.filter((p): p is List => 'rows' in p);
  // What stays whatever happens: every line but the rows, and a note for every list (sized with
  // its full count, so the real note can only be shorter).
  const fixed = pieces.reduce((n, p) => n + ('rows' in p ? size('') + size(leftOutNote(p.rows.length, p.rows.length)) : p.bytes), 0);
  if (fixed > maxBytes) return cutFromEnd(lines, maxBytes);
  const keep = allocate(lists, maxBytes - fixed);
  const out: string[] = [];
  for (const p of pieces) {
    if (!('rows' in p)) {
      out.push(textOf(p));
      continue;
    }
    const kept = keep.get(p) ?? new Set<Sized>();
    for (const r of p.rows) if (kept.has(r)) out.push(textOf(r));
    if (kept.size < p.rows.length) out.push('', leftOutNote(p.rows.length - kept.size, p.rows.length));
  }
  const text = joined(out);
  return Buffer.byteLength(text, 'utf8') <= maxBytes ? text : cutFromEnd(lines, maxBytes);
}

const joined = (texts: readonly string[]): string => `${texts.join('\n')}\n`;

function leftOutNote(left: number, total: number): string {
  return `> Truncated: ${left} of ${total} rows left out here (the most severe are shown); the JSON report has all of them.`;
}

/** Which rows of each list fit in `budget` bytes, shared between sections as fit() says. */
function allocate(lists: readonly List[], budget: number): Map<List, Set<Sized>> {
  const sections = [...new Set(lists.map((l) => l.section))];
  const need = new Map(sections.map((s) => [s, lists.filter((l) => l.section === s).reduce((n, l) => n + l.rows.reduce((m, r) => m + r.bytes, 0), 0)]));
  const share = new Map<string, number>();
  let left = budget;
  let open = sections.filter((s) => (need.get(s) ?? 0) > 0);
  // Equal shares; a section that needs less than its share is given what it needs, and the
  // others share the rest, until every remaining section needs more than its share.
  for (;;) {
    const each = open.length > 0 ? Math.floor(left / open.length) : 0;
    const small = open.filter((s) => (need.get(s) ?? 0) <= each);
    if (small.length === 0) {
      for (const s of open) share.set(s, each);
      break;
    }
    for (const s of small) {
      share.set(s, need.get(s) ?? 0);
      left -= need.get(s) ?? 0;
    }
    open = open.filter((s) => !small.includes(s));
  }
  const keep = new Map<List, Set<Sized>>();
  const remaining = new Map(share);
  for (const list of lists) {
    let room = remaining.get(list.section) ?? 0;
    // Indexes, not a record per row: a list may hold every fail of an organization.
    const rank = (i: number): number => list.rows[i]?.rank ?? 0;
    const byRank = Array.from(list.rows.keys()).sort((a, b) => rank(b) - rank(a) || a - b);
    const kept = new Set<Sized>();
    for (const i of byRank) {
      const r = list.rows[i] as Sized;
      if (r.bytes > room) break;
      kept.add(r);
      room -= r.bytes;
    }
    remaining.set(list.section, room);
    keep.set(list, kept);
  }
  return keep;
}

/**
 * The last resort when even the headings and counts do not fit: whole lines from the top, cut
 * from the end, with a note saying how many rows were shown.
 */
function cutFromEnd(lines: readonly Sized[], maxBytes: number): string {
  const totalRows = lines.filter((l) => l.row).length;
  const note = (shown: number): string => `> Truncated: ${shown} of ${totalRows} rows shown; the JSON report has all of them.\n`;
  const budget = maxBytes - Buffer.byteLength(`\n${note(totalRows)}`, 'utf8');
  const kept: string[] = [];
  let used = 0;
  let shown = 0;
  for (const l of lines) {
    if (used + l.bytes > budget) break;
    kept.push(textOf(l));
    used += l.bytes;
    if (l.row) shown++;
  }
  const gap = kept.length > 0 && kept[kept.length - 1] !== '' ? '\n' : '';
  const out = `${kept.map((t) => `${t}\n`).join('')}${gap}${note(shown)}`;
  return Buffer.byteLength(out, 'utf8') <= maxBytes ? out : cutUtf8(note(shown), maxBytes);
}

/** The longest prefix of `s` within `max` UTF-8 bytes, whole code points only. */
function cutUtf8(s: string, max: number): string {
  let out = '';
  let used = 0;
  for (const ch of s) {
    used += Buffer.byteLength(ch, 'utf8');
    if (used > max) break;
    out += ch;
  }
  return out;
}

// Cell text comes from AWS resource data (names, messages quoting them), so Markdown in it must
// render as the characters it is: backslash-escape every punctuation mark Markdown or GFM acts on.
const MARKDOWN_PUNCTUATION = /[\\`*_{}[\]<>|&~!#]/g;

/** Free text other than a fail's message (an unknown's cause, a reason, an AWS error): cut, the JSON report has it whole. */
function shortCell(s: string): string {
  const m = s.trim();
  return [...m].length <= MAX_CELL ? cell(m) : `${cell(shorten(m, MAX_CELL - 30))} … (cut; see the JSON report)`;
}

/** Plain text for a table cell: literal characters, on one line. */
export function cell(s: string): string {
  return s.replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '<br>');
}

/** Plain text for a heading or sentence (not a table): literal characters, on one line. */
function inline(s: string): string {
  return s.replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`).replace(/\s*[\r\n]+\s*/g, ' ');
}

/** Code in a table cell: GFM splits cells on `|` before it sees code spans, so escape it there too. */
export function codeCell(s: string): string {
  return codeSpan(s.replace(/[\r\n]+/g, ' ')).replace(/\|/g, '\\|');
}

/** An inline code span whose fence is longer than any backtick run inside it. */
export function codeSpan(s: string): string {
  const longest = maxOf([...s.matchAll(/`+/g)].map((m) => m[0].length), 0);
  const tick = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${tick}${pad}${s}${pad}${tick}`;
}

/** A fenced code block whose fence no line of the code can close early. */
export function fence(code: string, lang: string): string {
  const longest = maxOf([...code.matchAll(/`{3,}/g)].map((m) => m[0].length), 0);
  const tick = '`'.repeat(Math.max(3, longest + 1));
  return `${tick}${lang}\n${code.replace(/\n+$/, '')}\n${tick}`;
}
