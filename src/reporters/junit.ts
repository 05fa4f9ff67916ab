import type { Finding, RuleMeta } from '../engine/types.js';
import { escapeControlCharsKeepLayout } from '../io/untrusted-text.js';
import { declaredAs, placeOf, positive } from './origin.js';
import type { ReportInput } from './types.js';
import { findingList } from '../engine/finding-list.js';

/**
 * JUnit XML, as CodeBuild report groups, Jenkins and GitLab read it: one testsuite per rule, one
 * testcase per evaluated resource (classname the rule id, name the resource ARN). A fail is a
 * <failure> with the message and the remediation; unknown and suppressed results are <skipped>
 * with the reason, so a report shows them without failing on them (the exit code is the gate).
 */
export function renderJunit(input: ReportInput): string {
  return [...junitChunks(input)].join('');
}

/**
 * The document in pieces, one testcase at a time: a scan of 100,000 resources has ~300,000
 * testcases, and one string of all of them would cost hundreds of MB at once.
 */
export function* junitChunks(input: ReportInput): Generator<string> {
  // Each rule's positions, from the list's facts: the findings are read once, suite by suite.
  const list = findingList(input.findings);
  const byRule = new Map<string, number[]>(input.rules.map((r) => [r.id, []]));
  for (let i = 0; i < list.length; i++) {
    const id = list.ruleId(i);
    let positions = byRule.get(id);
    if (!positions) byRule.set(id, (positions = []));
    positions.push(i);
  }
  const meta = new Map(input.rules.map((r) => [r.id, r]));
  const failing = (i: number): boolean => list.status(i) === 'fail' && !list.suppressed(i);
  const skipped = (i: number): boolean => list.status(i) === 'unknown' || list.suppressed(i);
  const count = (positions: Iterable<number>, test: (i: number) => boolean): number => {
    let n = 0;
    for (const i of positions) if (test(i)) n++;
    return n;
  };
  const all = { *[Symbol.iterator]() { for (let i = 0; i < list.length; i++) yield i; } };
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="${attr(`${input.tool.name} ${input.tool.version}`)}" tests="${list.length}" failures="${count(all, failing)}" errors="0" skipped="${count(all, skipped)}">\n`;
  const timestamp = attr(input.generatedAt.replace(/Z$/, ''));
  for (const [ruleId, positions] of byRule) {
    const rule = meta.get(ruleId);
    const name = rule ? `${ruleId}: ${rule.title}` : ruleId;
    yield `  <testsuite name="${attr(name)}" tests="${positions.length}" failures="${count(positions, failing)}" errors="0" skipped="${count(positions, skipped)}" timestamp="${timestamp}">\n`;
    for (const f of list.read(positions)) yield `${testcase(f, rule)}\n`;
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}

function testcase(f: Finding, rule: RuleMeta | undefined): string {
  const origin = f.resource.origin;
  // IaC: the declaration, as the attributes JUnit readers (GitLab, Jenkins, CodeBuild) take.
  const where = origin ? ` file="${attr(origin.location.file)}" line="${positive(origin.location.line)}"` : '';
  const open = `    <testcase classname="${attr(f.ruleId)}" name="${attr(origin ? `${declaredAs(origin)} (${f.resource.arn})` : f.resource.arn)}"${where}`;
  if (f.suppression) {
    const until = f.suppression.expires ? ` until ${f.suppression.expires}` : '';
    return `${open}>\n      <skipped message="${attr(`suppressed (${f.suppression.source}${until}): ${f.suppression.reason}`)}"/>\n    </testcase>`;
  }
  if (f.status === 'unknown') return `${open}>\n      <skipped message="${attr(f.message)}"/>\n    </testcase>`;
  if (f.status === 'pass') return `${open}/>`;
  const declared = origin ? `\nDeclared: ${declaredAs(origin)} at ${placeOf(origin.location)}` : '';
  const body = `${f.message}\n\nSeverity: ${f.severity}\nResource: ${f.resource.arn}${declared}${rule ? `\n\nRemediation: ${rule.remediation.text}` : ''}`;
  return `${open}>\n      <failure message="${attr(f.message)}" type="${attr(f.severity)}">${text(body)}</failure>\n    </testcase>`;
}

// XML 1.0 allows neither these control characters nor lone surrogates, escaped or not.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Controls XML allows (C1, DEL) and bidi overrides are escaped too: CI pages and terminals show these reports.
function text(s: string): string {
  return escapeControlCharsKeepLayout(s).replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
