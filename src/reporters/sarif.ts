import { isAbsolute, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type * as Sarif from 'sarif';
import { SECURITY_SEVERITY, sarifLevel, severityRank, type Severity } from '../engine/severity.js';
import type { Finding, RuleMeta } from '../engine/types.js';
import { resourcePseudoPath } from '../model/arn.js';
import type { CoverageGap, IacOrigin, SourceLocation } from '../model/types.js';
import { declaredAs, declaredName, originNames, placeOf, positive } from './origin.js';
import { escapeControlChars } from '../io/untrusted-text.js';
import { fingerprint } from './fingerprint.js';
import { controlTags, projectControls } from './compliance.js';
import { ruleHelpUri } from './rule-docs.js';
import { projectGate, summarize } from './json.js';
import { fence } from './markdown.js';
import { aroundMember, prettyArray, prettyAt } from './pretty-json.js';
import type { ReportInput } from './types.js';
import { findingList, positionsWhere, type FindingList } from '../engine/finding-list.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** GitHub code scanning rejects a whole upload with more results than this in one run. */
export const MAX_SARIF_RESULTS = 25_000;
/** … or whose gzip-compressed file is larger than this. */
export const MAX_SARIF_GZIP_BYTES = 10 * 1024 * 1024;
/** Unknown results listed one by one as notifications; beyond, one summary notification. */
const MAX_UNKNOWN_NOTIFICATIONS = 5_000;

export interface SarifLimits {
  results: number;
  gzipBytes: number;
}
/** GitHub keeps only the first 10 tags of a rule. */
const MAX_TAGS = 10;
/** GitHub truncates (and its validator flags) longer rule descriptions. */
const MAX_FULL_DESCRIPTION = 1024;

/**
 * SARIF 2.1.0 for GitHub code scanning. Only fails become results (alerts); unknown results and
 * coverage gaps become tool notifications, so what could not be read never raises an alert. (It
 * also means an open alert whose resource turns unknown is closed as fixed by the next upload;
 * the gate's exit 2, not SARIF, is what stops that from passing silently.) Everything but
 * `endTimeUtc` is a function of the findings, so two scans of the same estate upload identical
 * files.
 */
export function renderSarif(input: ReportInput, limits: SarifLimits = DEFAULT_LIMITS): string {
  return [...sarifChunks(input, limits)].join('');
}

const DEFAULT_LIMITS: SarifLimits = { results: MAX_SARIF_RESULTS, gzipBytes: MAX_SARIF_GZIP_BYTES };

/**
 * The SARIF log in pieces, a result at a time: at organization scale the 25,000 results it may
 * keep run to tens of MB of text, and as one object graph plus its string (plus the buffer gzip
 * measures) to several hundred MB. Each result is made when it is measured or written and dropped
 * after, and the text is byte-identical to one `JSON.stringify(log, null, 2)`.
 */
export function* sarifChunks(input: ReportInput, limits: SarifLimits = DEFAULT_LIMITS): Generator<string> {
  // Suppressed results are accepted risks: not alerts, and not notifications either.
  // Chosen from the list's facts; only the results written (and measured) are read.
  const list = findingList(input.findings);
  const fails = positionsWhere(list, (i) => list.status(i) === 'fail' && !list.suppressed(i));
  const unknowns = positionsWhere(list, (i) => list.status(i) === 'unknown' && !list.suppressed(i));
  const plan: SarifPlan = { input, list, unknowns, fails, order: severestFirst(list, fails), ruleIndex: new Map(input.rules.map((r, i) => [r.id, i])) };
  let keep = Math.min(fails.length, limits.results);
  // Over the size limit the upload is refused whole: keep fewer, least severe out first. The size
  // shrinks about in proportion, so this settles in a step or two.
  for (let size = compressedSize(pieces(plan, keep), limits.gzipBytes); size > limits.gzipBytes && keep > 0; size = compressedSize(pieces(plan, keep), limits.gzipBytes)) {
    keep = Math.max(0, Math.min(keep - 1, Math.floor(keep * (limits.gzipBytes / size) * 0.95)));
  }
  const dropped = fails.length - keep;
  if (dropped > 0) input.warn?.(`linkaudit: SARIF: ${dropped} failing result(s) of the lowest severities left out (GitHub accepts at most ${limits.results} results and ${Math.round(limits.gzipBytes / 1024 / 1024)} MB compressed per upload); the JSON report has all of them`);
  yield* pieces(plan, keep);
}

interface SarifPlan {
  input: ReportInput;
  list: FindingList;
  /** Positions of the unknowns not suppressed, in report order. */
  unknowns: readonly number[];
  /** Positions of the fails not suppressed, in report order. */
  fails: readonly number[];
  /** Indexes into `fails`, most severe first. */
  order: readonly number[];
  ruleIndex: ReadonlyMap<string, number>;
}

/** Text is compressed to be measured in batches of about this many characters. */
const GZIP_BATCH_CHARS = 1 << 20;

/**
 * The size the text would have compressed, in one pass over its pieces. gzip's output exceeds its
 * input by at most a few bytes per 16 KB block, so a text whose raw size is under the limit (with
 * that margin) fits without being compressed to find out: the pieces are held until that is
 * known, never more than the limit. Past it, the text is compressed a batch of about 1 MiB at a
 * time and the sizes summed: deflate looks back 32 KiB at most, so the sum is what one compression
 * of the whole gives plus a few bytes per batch (a header, and a window that starts empty).
 */
function compressedSize(pieces: Iterable<string>, limit: number): number {
  const fits = (bytes: number): boolean => bytes + 1024 + bytes / 1000 <= limit;
  let raw = 0;
  let compressed = 0;
  let batch: string[] = [];
  let chars = 0;
  for (const piece of pieces) {
    batch.push(piece);
    chars += piece.length;
    raw += Buffer.byteLength(piece);
    if (chars < GZIP_BATCH_CHARS || fits(raw)) continue;
    compressed += gzipSync(batch.join('')).length;
    batch = [];
    chars = 0;
  }
  if (fits(raw)) return raw;
  return batch.length > 0 ? compressed + gzipSync(batch.join('')).length : compressed;
}

/** The log keeping the `keep` most severe fails, in pieces: the run around its results, then each result. */
function* pieces(plan: SarifPlan, keep: number): Generator<string> {
  const { input, list, unknowns, fails, order, ruleIndex } = plan;
  const kept = new Set(order.slice(0, keep));
  const dropped = fails.length - kept.size;
  const notifications = [
    ...(dropped > 0 ? [droppedNotification(dropped)] : []),
    ...Array.from(list.read(unknowns.slice(0, MAX_UNKNOWN_NOTIFICATIONS)), (f) => unknownNotification(f, ruleIndex.get(f.ruleId))),
    ...(unknowns.length > MAX_UNKNOWN_NOTIFICATIONS ? [moreUnknownsNotification(unknowns.length - MAX_UNKNOWN_NOTIFICATIONS)] : []),
    ...input.coverage.map(gapNotification),
  ];
  const { gate } = input;
  const run: Record<keyof Pick<Sarif.Run, 'tool' | 'automationDetails' | 'invocations' | 'results' | 'properties'>, unknown> = {
    tool: {
      driver: {
        name: input.tool.name,
        semanticVersion: input.tool.version,
        version: input.tool.version,
        informationUri: input.tool.informationUri,
        rules: input.rules.map(ruleDescriptor),
      },
    } satisfies Sarif.Tool,
    // The trailing slash makes the whole string the category: GitHub reads `a/b/run-id` as category
    // `a/b/`, so without it the last segment would be taken for a per-run id.
    automationDetails: { id: `${input.sarifCategory.replace(/\/+$/, '')}/` } satisfies Sarif.RunAutomationDetails,
    invocations: [
      {
        executionSuccessful: true,
        endTimeUtc: input.generatedAt,
        ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
      },
    ] satisfies Sarif.Invocation[],
    // Streamed below, a result at a time.
    results: [],
    properties: {
      gate: projectGate(gate),
      counts: summarize(input).total,
    },
  };
  const log = { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [] };
  const outer = aroundMember(log, 'runs', 0);
  const inner = aroundMember(run, 'results', 2);
  yield `${outer.before}[\n    ${inner.before}`;
  yield* prettyArray(keptResults(plan, kept), 3);
  yield `${inner.after}\n  ]${outer.after}\n`;
}

/** Each kept fail's result as its text in the log, in report order. */
function* keptResults(plan: SarifPlan, kept: ReadonlySet<number>): Generator<string> {
  const positions = plan.fails.filter((_, i) => kept.has(i));
  for (const f of plan.list.read(positions)) yield prettyAt(result(f, plan.ruleIndex.get(f.ruleId), plan.input), 4);
}

function ruleDescriptor(r: RuleMeta): Sarif.ReportingDescriptor {
  // Control tags (NIST-800-53:AC-6) after the rule's own: GitHub filters alerts by tag, and keeps
  // only the first 10; properties.controls has them all.
  const tags = [...new Set(['security', ...r.tags, ...controlTags(r)])].slice(0, MAX_TAGS);
  const helpUri = ruleHelpUri(r);
  return {
    id: r.id,
    name: pascalCase(r.id),
    shortDescription: { text: r.title },
    fullDescription: { text: truncate(r.description, MAX_FULL_DESCRIPTION) },
    help: { text: helpText(r), markdown: helpMarkdown(r) },
    ...(helpUri !== undefined ? { helpUri } : {}),
    defaultConfiguration: { level: sarifLevel(r.severity) },
    properties: {
      tags,
      precision: 'high',
      // GitHub derives an alert's security severity from the rule, never from the result, and
      // only accepts the number as a string.
      'security-severity': SECURITY_SEVERITY[r.severity],
      'problem.severity': problemSeverity(r.severity),
      ...(r.controls ? { controls: projectControls(r.controls) } : {}),
    },
  };
}

function result(f: Finding, index: number | undefined, input: Pick<ReportInput, 'sarifRoot' | 'cwd'>): Sarif.Result {
  const { arn, origin } = f.resource;
  if (origin) return iacResult(f, index, origin, input);
  return {
    ruleId: f.ruleId,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: sarifLevel(f.severity),
    message: { text: `${sentence(f.message)} Resource: ${escapeControlChars(arn)}.` },
    locations: [
      {
        // Code scanning needs a file location; an ARN has a colon, which it rejects, so the
        // location is a stable pseudo path and the ARN itself rides along as a logical location.
        physicalLocation: {
          artifactLocation: { uri: resourcePseudoPath(arn) },
          region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
        },
        logicalLocations: [{ fullyQualifiedName: arn, kind: 'resource' }],
      },
    ],
    // Without this the upload action hashes the (non-existent) file to match alerts across runs.
    partialFingerprints: { primaryLocationLineHash: fingerprint(f.ruleId, arn) },
    properties: resultProperties(f),
  };
}

function resultProperties(f: Finding): Record<string, unknown> {
  return { severity: f.severity, account: f.resource.account, region: f.resource.region, resourceKind: f.resource.kind, evidence: f.evidence };
}

/**
 * A finding on a resource declared in infrastructure as code: its primary location is the
 * resource's declaration (the logical-id key, or the Terraform resource block), so the alert stays
 * on the resource when a property is added; the properties the rule's evidence names are related
 * locations. The fingerprint stays rule + ARN, and the ARN of an IaC resource is built from its
 * origin id (file and logical id or address, never a line), so alerts match across runs.
 */
function iacResult(f: Finding, index: number | undefined, origin: IacOrigin, input: Pick<ReportInput, 'sarifRoot' | 'cwd'>): Sarif.Result {
  const { arn } = f.resource;
  const uri = sarifUri(origin.location.file, input);
  const related = relatedLocations(f, origin, input);
  return {
    ruleId: f.ruleId,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: sarifLevel(f.severity),
    message: { text: `${sentence(f.message)} Declared: ${escapeControlChars(declaredAs(origin))} at ${escapeControlChars(placeOf(origin.location))}.` },
    locations: [
      {
        physicalLocation: {
          // Outside --sarif-root a relative URI would climb out of the repository (GitHub rejects
          // it): the pseudo path of the resource stands in, and the file rides along as a property.
          artifactLocation: { uri: uri ?? resourcePseudoPath(arn) },
          region: uri !== undefined ? region(origin.location) : { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
        },
        logicalLocations: [
          { name: origin.logicalId ?? declaredName(origin), fullyQualifiedName: declaredName(origin), kind: 'resource' },
          { fullyQualifiedName: arn, kind: 'resource' },
        ],
      },
    ],
    ...(related.length > 0 ? { relatedLocations: related } : {}),
    partialFingerprints: { primaryLocationLineHash: fingerprint(f.ruleId, arn) },
    properties: {
      ...resultProperties(f),
      iac: {
        format: origin.format,
        id: origin.id,
        ...originNames(origin),
        ...(uri === undefined ? { file: origin.location.file, line: positive(origin.location.line) } : {}),
      },
    },
  };
}

/** Each evidence path `<kind>.<field>…` whose field the template sets: that property's place. */
function relatedLocations(f: Finding, origin: IacOrigin, input: Pick<ReportInput, 'sarifRoot' | 'cwd'>): Sarif.Location[] {
  const props = origin.properties;
  if (!props) return [];
  const out: Sarif.Location[] = [];
  const seen = new Set<string>();
  for (const e of f.evidence) {
    const field = e.path.split('.')[1];
    if (field === undefined || seen.has(field) || !Object.prototype.hasOwnProperty.call(props, field)) continue;
    const loc = props[field] as SourceLocation;
    const uri = sarifUri(loc.file, input);
    if (uri === undefined) continue;
    seen.add(field);
    out.push({
      id: out.length,
      physicalLocation: { artifactLocation: { uri }, region: region(loc) },
      message: { text: `Where the template sets ${escapeControlChars(field)}.` },
    });
  }
  return out;
}

/** A SARIF region: 1-based, and never ending before it starts (endColumn is exclusive in SARIF). */
function region(loc: SourceLocation): Sarif.Region {
  const startLine = positive(loc.line);
  const startColumn = positive(loc.column);
  const endLine = Math.max(startLine, positive(loc.endLine));
  const endColumn = endLine === startLine ? Math.max(startColumn, positive(loc.endColumn)) : positive(loc.endColumn);
  return { startLine, startColumn, endLine, endColumn };
}

/**
 * The origin file (relative to the working directory) relative to the SARIF root, as a relative
 * URI reference: `/`-separated, each segment percent-encoded (a `:` would read as a scheme, `%`,
 * `#`, `?` and spaces are not URI characters). Undefined when the file is outside the root.
 */
export function sarifUri(file: string, input: Pick<ReportInput, 'sarifRoot' | 'cwd'>): string | undefined {
  const cwd = input.cwd ?? process.cwd();
  const root = input.sarifRoot ?? cwd;
  const rel = relative(root, resolve(cwd, file));
  if (rel === '' || isAbsolute(rel)) return undefined;
  const segments = rel.split(sep === '/' ? '/' : /[\\/]/);
  if (segments[0] === '..') return undefined;
  return segments.map((seg) => encodeURIComponent(seg).replace(/[*()'!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

/**
 * Over GitHub's limits the whole upload would be refused; keeping the most severe fails (in their
 * original order) keeps the file usable, and the JSON report still has every one. Indexes into
 * `fails`, most severe first, ties in their original order.
 */
/** Indexes into `fails` (positions of `list`), most severe first, in report order among equals. */
function severestFirst(list: FindingList, fails: readonly number[]): number[] {
  const rank = fails.map((p) => severityRank(list.severity(p)));
  return fails.map((_, i) => i).sort((a, b) => (rank[b] as number) - (rank[a] as number) || a - b);
}

function moreUnknownsNotification(more: number): Sarif.Notification {
  return { level: 'warning', message: { text: `${more} more unknown result(s) are not listed here; the JSON report has all of them.` } };
}

function droppedNotification(dropped: number): Sarif.Notification {
  return {
    level: 'warning',
    message: {
      text: `${dropped} failing result(s) of the lowest severities were left out: GitHub code scanning accepts at most ${MAX_SARIF_RESULTS} results and 10 MB compressed per upload. The JSON report has all of them.`,
    },
  };
}

function unknownNotification(f: Finding, index: number | undefined): Sarif.Notification {
  return {
    level: 'warning',
    message: {
      text: f.resource.origin
        ? `${f.ruleId}: ${sentence(f.message)} Declared: ${escapeControlChars(declaredAs(f.resource.origin))} at ${escapeControlChars(placeOf(f.resource.origin.location))}.`
        : `${f.ruleId}: ${sentence(f.message)} Resource: ${escapeControlChars(f.resource.arn)}.`,
    },
    // associatedRule, not descriptor: descriptor would point into a notifications table we do not have.
    associatedRule: { id: f.ruleId, ...(index !== undefined ? { index } : {}) },
  };
}

function gapNotification(g: CoverageGap): Sarif.Notification {
  const what = g.field !== undefined ? `field ${g.field} of ${g.resourceKinds.join(', ')}` : g.resourceKinds.join(', ');
  return {
    level: 'warning',
    message: {
      text: sentence(
        `Coverage gap: ${g.service} ${g.operation} failed for account ${g.account} in ${g.region} (${g.errorCode}: ${g.message.trim()}); ${what} not evaluated`,
      ),
    },
  };
}

function helpText(r: RuleMeta): string {
  const parts = [r.rationale.trim(), `Remediation: ${r.remediation.text.trim()}`];
  if (r.remediation.cli) parts.push(`AWS CLI:\n${r.remediation.cli.trim()}`);
  if (r.remediation.cloudformation) parts.push(`CloudFormation:\n${r.remediation.cloudformation.trim()}`);
  const esc = r.escalations ?? [];
  if (esc.length > 0) parts.push(`Severity: ${r.severity} by default, raised to:\n${esc.map((e) => `- ${e.severity}: ${e.description.trim()}`).join('\n')}`);
  if (r.references.length > 0) parts.push(`References:\n${r.references.map((u) => `- ${u}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}

function helpMarkdown(r: RuleMeta): string {
  const parts = [r.rationale.trim(), '## Remediation', r.remediation.text.trim()];
  if (r.remediation.cli) parts.push('AWS CLI:', fence(r.remediation.cli.trim(), 'sh'));
  if (r.remediation.cloudformation) parts.push('CloudFormation:', fence(r.remediation.cloudformation.trim(), 'yaml'));
  const esc = r.escalations ?? [];
  if (esc.length > 0) {
    parts.push('## Severity', `**${r.severity}** by default, raised to:`, esc.map((e) => `- **${e.severity}**: ${e.description.trim()}`).join('\n'));
  }
  if (r.references.length > 0) parts.push('## References', r.references.map((u) => `- <${u}>`).join('\n'));
  return `${parts.join('\n\n')}\n`;
}

function problemSeverity(s: Severity): 'error' | 'warning' | 'recommendation' {
  const level = sarifLevel(s);
  return level === 'note' ? 'recommendation' : level;
}

/** `conn-pending-too-long` → `ConnPendingTooLong`: SARIF wants a readable name distinct from the id. */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** SARIF messages are sentences (the validator checks the final period). */
/** Untrusted text (messages quoting AWS names and errors) as one sentence with no control character. */
function sentence(s: string): string {
  const t = escapeControlChars(s.trim());
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Cut to at most `max` UTF-16 units, never between the halves of a surrogate pair. */
function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = max - 1;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${s.slice(0, cut)}…`;
}
