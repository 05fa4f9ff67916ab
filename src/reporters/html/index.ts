// `--format html`: one self-contained page (no network request of any kind: a CSP of
// default-src 'none' with the hashes of its one style and one script), for an auditor or an
// artifact store. The summary is markup written here; the findings are embedded data the page's
// script filters and pages through (page-script.ts). Deterministic: the same input gives the same
// bytes apart from the report's time.

import { createHash } from 'node:crypto';
import { SEVERITIES, severityRank, type Severity } from '../../engine/severity.js';
import type { Finding, RuleMeta } from '../../engine/types.js';
import { ruleHelpUri } from '../rule-docs.js';
import type { ReportInput } from '../types.js';
import { findingList, positionsWhere, type FindingList } from '../../engine/finding-list.js';
import { escapeHtml as h, safeHref, scriptJson } from './escape.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';

/**
 * Passes past this many are counted, not listed: a whole-estate scan has 100,000 and more, and
 * an auditor reads the fails and unknowns. Fails, unknowns and suppressed results are always listed.
 */
export const MAX_LISTED_PASSES = 25_000;
/**
 * Fails, unknowns and suppressed results past this many are counted, not listed: the most severe
 * are kept. An organization's scan has hundreds of thousands of fails; a page embedding them all
 * would be hundreds of megabytes no browser opens, and no auditor reads them there.
 */
export const MAX_LISTED_RESULTS = 100_000;
const MESSAGE_CHARS = 4000;

type Counts = { fail: number; pass: number; unknown: number; suppressed: number };
const zero = (): Counts => ({ fail: 0, pass: 0, unknown: 0, suppressed: 0 });
const statusOf = (f: Finding): keyof Counts => (f.suppression ? 'suppressed' : f.status);

/** Counts by status under each key of each finding, for several keys in one pass over the findings. */
function countBy<K extends string>(findings: Iterable<Finding>, keys: Record<K, (f: Finding) => string>): Record<K, Map<string, Counts>> {
  const names = Object.keys(keys) as K[];
  const maps = names.map(() => new Map<string, Counts>());
  for (const f of findings) {
    const status = statusOf(f);
    names.forEach((name, n) => {
      const m = maps[n] as Map<string, Counts>;
      const k = keys[name](f);
      let c = m.get(k);
      if (!c) m.set(k, (c = zero()));
      c[status]++;
    });
  }
  const sorted = (m: Map<string, Counts>): Map<string, Counts> => new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return Object.fromEntries(names.map((name, n) => [name, sorted(maps[n] as Map<string, Counts>)])) as Record<K, Map<string, Counts>>;
}

const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const evidenceText = (v: unknown): string => cut(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v), 2000);

/** The bar chart of fail/pass/unknown per severity, as inline SVG. */
function severityChart(bySeverity: Map<string, Counts>): string {
  const rows = SEVERITIES.filter((s) => bySeverity.has(s));
  const max = Math.max(1, ...rows.map((s) => { const c = bySeverity.get(s) as Counts; return c.fail + c.pass + c.unknown + c.suppressed; }));
  const W = 420;
  const bars = rows.map((s, i) => {
    const c = bySeverity.get(s) as Counts;
    let x = 90;
    const seg = (n: number, cls: string): string => {
      const w = (n / max) * (W - 100);
      const r = n > 0 ? `<rect class="${cls}" x="${x.toFixed(1)}" y="${i * 26 + 4}" width="${w.toFixed(1)}" height="18"><title>${n} ${cls}</title></rect>` : '';
      x += w;
      return r;
    };
    return `<text x="0" y="${i * 26 + 18}">${s}</text>${seg(c.fail, 'fail')}${seg(c.unknown, 'unknown')}${seg(c.suppressed, 'suppressed')}${seg(c.pass, 'pass')}`;
  });
  return `<svg class="chart" role="img" aria-label="Results by severity" viewBox="0 0 ${W} ${rows.length * 26 + 6}" width="${W}">${bars.join('')}</svg>`;
}

/**
 * The blast radius as a diagram: repositories → connection (its consumers) → the admin-equivalent
 * roles a push reaches, one band per connection. Labels are cut; each box's title has the whole text.
 */
function blastDiagram(entries: NonNullable<ReportInput['blastRadius']>['entries']): string {
  const ROW = 24;
  const box = (x: number, y: number, w: number, label: string, cls: string): string =>
    `<g class="${cls}"><rect x="${x}" y="${y}" width="${w}" height="18" rx="4"><title>${h(label)}</title></rect><text x="${x + 6}" y="${y + 13}">${h(cut(label, Math.floor(w / 7)))}</text></g>`;
  const line = (x1: number, y1: number, x2: number, y2: number): string => `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"/>`;
  let y = 6;
  const out: string[] = [];
  for (const e of entries) {
    const repos = e.repositories.length > 0 ? e.repositories.slice(0, 8) : ['(no repository named)'];
    const roles = [...e.adminRoles.slice(0, 8).map((r) => ({ label: r.replace(/^arn:[^:]*:iam::[0-9]+:role\//, 'role/'), cls: 'admin' })), ...(e.unknownRoles > 0 ? [{ label: `${e.unknownRoles} role(s) not judged`, cls: 'unknown' }] : [])];
    if (roles.length === 0) roles.push({ label: 'no admin-equivalent role', cls: 'none' });
    const rows = Math.max(repos.length, roles.length);
    const mid = y + ((rows - 1) * ROW) / 2;
    repos.forEach((r, i) => {
      out.push(line(230, y + i * ROW + 9, 300, mid + 9), box(10, y + i * ROW, 220, r, 'repo'));
    });
    roles.forEach((r, i) => {
      out.push(line(560, mid + 9, 620, y + i * ROW + 9), box(620, y + i * ROW, 260, r.label, r.cls));
    });
    out.push(box(300, mid, 260, `${e.name ?? e.connection} (${e.consumers} consumer${e.consumers === 1 ? '' : 's'})`, 'conn'));
    y += rows * ROW + 14;
  }
  return `<svg class="blast" role="img" aria-label="What a push reaches" viewBox="0 0 890 ${y}" width="890">${out.join('')}</svg><p class="legend">repository → connection → <span class="fail">admin-equivalent role</span> its pipelines and builds run as</p>`;
}

function countTable(title: string, head: string, m: Map<string, Counts>, link?: (k: string) => string | undefined): string {
  const rows = [...m].map(([k, c]) => {
    const href = safeHref(link?.(k));
    const name = href ? `<a href="${h(href)}" rel="noopener noreferrer">${h(k)}</a>` : h(k);
    return `<tr><td>${name}</td><td class="n fail">${c.fail}</td><td class="n">${c.pass}</td><td class="n unknown">${c.unknown}</td><td class="n">${c.suppressed}</td></tr>`;
  });
  return `<section><h2>${h(title)}</h2><table class="counts"><thead><tr><th>${h(head)}</th><th>fail</th><th>pass</th><th>unknown</th><th>suppressed</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function ruleData(rules: readonly RuleMeta[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of rules) {
    const docs = safeHref(ruleHelpUri(r));
    out[r.id] = { title: r.title, remediation: r.remediation.text, ...(r.remediation.cli ? { cli: r.remediation.cli } : {}), ...(r.remediation.cloudformation ? { cloudformation: r.remediation.cloudformation } : {}), ...(docs ? { docs } : {}) };
  }
  return out;
}

export function renderHtml(input: ReportInput): string {
  return [...htmlChunks(input)].join('');
}

/** The findings the page embeds (see MAX_LISTED_PASSES, MAX_LISTED_RESULTS), in report order. */
/** The positions the page lists, from the list's facts. */
function listedFindings(all: FindingList): { listed: number[]; passes: number; unlisted: number } {
  const isPass = (i: number): boolean => all.status(i) === 'pass' && !all.suppressed(i);
  let passes = 0;
  for (let i = 0; i < all.length; i++) if (isPass(i)) passes++;
  const listPasses = passes <= MAX_LISTED_PASSES;
  const others = all.length - passes;
  if (others <= MAX_LISTED_RESULTS) return { listed: positionsWhere(all, (i) => listPasses || !isPass(i)), passes, unlisted: 0 };
  // The most severe, and among equals the first in report order.
  const order = positionsWhere(all, (i) => !isPass(i));
  const rank = (i: number): number => severityRank(all.severity(i));
  order.sort((a, b) => rank(b) - rank(a) || a - b);
  const keep = new Set(order.slice(0, MAX_LISTED_RESULTS));
  return { listed: positionsWhere(all, (i) => (isPass(i) ? listPasses : keep.has(i))), passes, unlisted: others - MAX_LISTED_RESULTS };
}

function listedItem(f: Finding): Record<string, unknown> {
  return {
    status: statusOf(f),
    severity: f.severity,
    rule: f.ruleId,
    arn: f.resource.arn,
    ...(f.resource.name !== undefined ? { name: f.resource.name } : {}),
    account: f.resource.account,
    region: f.resource.region,
    message: cut(f.message, MESSAGE_CHARS),
    evidence: f.evidence.map((e) => ({ path: e.path, value: evidenceText(e.value) })),
    ...(f.suppression ? { suppression: `${f.suppression.reason ?? ''}${f.suppression.expires ? ` (until ${f.suppression.expires})` : ''}` } : {}),
    ...(f.baseline ? { baseline: f.baseline } : {}),
  };
}

/**
 * The page piece by piece: the embedded findings are written a batch at a time, never built as one
 * value or one string (what writeReports writes; renderHtml joins them).
 */
export function* htmlChunks(input: ReportInput): Generator<string> {
  const all = findingList(input.findings);
  const { listed, passes, unlisted } = listedFindings(all);
  const listPasses = passes <= MAX_LISTED_PASSES;
  const counted = countBy(all.read(), { all: () => 'all', severity: (f) => f.severity, rule: (f) => f.ruleId, account: (f) => f.resource.account, region: (f) => f.resource.region });
  const total = counted.all.get('all') ?? zero();
  const bySeverity = counted.severity;
  const g = input.gate;
  const s = input.snapshot;
  const parts: string[] = [];
  parts.push(`<header><h1>linkaudit ${h(input.tool.version)} report</h1><p class="gate ${g.exitCode === 0 ? 'ok' : 'bad'}">Gate: <strong>${g.exitCode === 0 ? 'PASS' : 'FAIL'}</strong> (exit code ${g.exitCode}, fail on ${h(g.failOn)}): ${h(g.reason)}</p>`);
  parts.push(`<p class="muted">Scope: accounts ${h(s.scope.accounts.join(', '))}; regions ${h(s.scope.regions.join(', '))}; snapshot taken ${h(s.generatedAt)} (source ${h(s.source.kind)}${s.file !== undefined ? `, ${h(s.file)}` : ''}); report written ${h(input.generatedAt)}; ${input.rules.length} rules.</p></header>`);
  parts.push(`<section class="cards">${(['fail', 'unknown', 'pass', 'suppressed'] as const).map((k) => `<div class="card ${k}" data-count="${k}"><span class="num">${total[k]}</span> ${k}</div>`).join('')}<div class="card"><span class="num">${input.coverage.length}</span> coverage gaps</div></section>`);
  parts.push(`<section><h2>By severity</h2>${severityChart(bySeverity)}<p class="legend"><span class="fail">■ fail</span> <span class="unknown">■ unknown</span> <span class="suppressed">■ suppressed</span> <span class="pass">■ pass</span></p></section>`);
  const docs = new Map(input.rules.map((r) => [r.id, ruleHelpUri(r)]));
  parts.push(`<div class="grid">${countTable('By rule', 'Rule', counted.rule, (k) => docs.get(k))}${countTable('By account', 'Account', counted.account)}${countTable('By region', 'Region', counted.region)}</div>`);
  if (input.blastRadius) {
    const b = input.blastRadius;
    parts.push(`<section><h2>Blast radius</h2><p>${b.total} connection(s) with a fail of severity high or above; what a push reaches through them (all of it: <code>${h(b.command)}</code>):</p>${blastDiagram(b.entries)}<table><thead><tr><th>Connection</th><th>Repositories</th><th>Consumers</th><th>Admin-equivalent roles</th><th>Unknown roles</th><th>High+ fails</th></tr></thead><tbody>${b.entries
      .map((e) => `<tr><td>${e.name !== undefined ? `${h(e.name)}<br>` : ''}<span class="muted">${h(e.connection)}</span></td><td>${h(e.repositories.join(', ') || '—')}</td><td class="n">${e.consumers}</td><td>${h(e.adminRoles.join(', ') || '—')}</td><td class="n">${e.unknownRoles}</td><td class="n">${e.findings}</td></tr>`)
      .join('')}</tbody></table></section>`);
  }
  const notListed = [
    ...(listPasses ? [] : [`${passes} passes are counted above but not listed (more than ${MAX_LISTED_PASSES}); the JSON report lists every result.`]),
    ...(unlisted > 0 ? [`${unlisted} fails, unknowns and suppressed results of the lowest severities are counted above but not listed (more than ${MAX_LISTED_RESULTS}); the JSON report lists every result.`] : []),
  ];
  parts.push(`<section><h2>Findings</h2>${notListed.map((t) => `<p class="muted">${t}</p>`).join('')}
<div class="filters"><label>Severity <select id="f-severity"><option value="">all</option></select></label> <label>Rule <select id="f-rule"><option value="">all</option></select></label> <label>Account <select id="f-account"><option value="">all</option></select></label> <label>Status <select id="f-status"><option value="">all</option></select></label> <label>Search <input id="f-q" type="search" placeholder="rule, resource or message"></label></div>
<p id="shown" class="muted"></p><table class="findings"><thead><tr><th>Status</th><th>Severity</th><th>Rule</th><th>Resource</th><th>Account / region</th><th>Message</th></tr></thead><tbody id="findings-body"></tbody></table>
<p><button id="prev" type="button">Previous</button> <button id="next" type="button">Next</button></p><noscript><p>The findings table needs JavaScript; the JSON report lists every finding.</p></noscript></section>`);
  if (input.coverage.length > 0) {
    parts.push(`<section><h2>Coverage gaps</h2><p>What could not be read: never counted as passing.</p><table><thead><tr><th>Account</th><th>Region</th><th>Operation</th><th>Error</th><th>Message</th></tr></thead><tbody>${input.coverage
      .map((c) => `<tr><td>${h(c.account)}</td><td>${h(c.region)}</td><td>${h(c.operation)}</td><td>${h(c.errorCode)}</td><td>${h(cut(c.message, 500))}</td></tr>`)
      .join('')}</tbody></table></section>`);
  }
  if (input.suppressions) {
    const sp = input.suppressions;
    parts.push(`<section><h2>Suppressions</h2><p>${sp.applied.config} finding(s) suppressed by the config, ${sp.applied.tag} by resource tags; ${sp.expired.length} expired, ${sp.unmatched.length} matched nothing, ${sp.invalidTags.length} invalid tag(s), ${sp.ignoredTags.length} ignored tag(s).</p></section>`);
  }
  if (input.baseline) {
    const b = input.baseline;
    parts.push(`<section><h2>Against the baseline</h2><p>${h(b.file)} (${h(b.generatedAt)}): ${b.new} new, ${b.unchanged} unchanged, ${b.fixed.length} fixed.</p></section>`);
  }
  const style = PAGE_STYLE;
  const script = PAGE_SCRIPT;
  const sha = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  const csp = `default-src 'none'; style-src ${sha(style)}; script-src ${sha(script)}; img-src data:; base-uri 'none'; form-action 'none'`;
  yield `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>linkaudit report</title><style>${style}</style></head>
<body>
${parts.join('\n')}
<script type="application/json" id="linkaudit-data">`;
  // scriptJson({ rules, findings }), a batch of findings at a time: its escaping is per character.
  yield `{"rules":${scriptJson(ruleData(input.rules))},"findings":[`;
  let batch: string[] = [];
  let first = true;
  for (const f of all.read(listed)) {
    batch.push(scriptJson(listedItem(f)));
    if (batch.length < HTML_BATCH) continue;
    yield `${first ? '' : ','}${batch.join(',')}`;
    first = false;
    batch = [];
  }
  if (batch.length > 0) yield `${first ? '' : ','}${batch.join(',')}`;
  yield `]}</script>
<script>${script}</script>
</body></html>
`;
}

const HTML_BATCH = 1000;

export type { Severity };
