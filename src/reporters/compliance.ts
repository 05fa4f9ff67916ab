import type { RuleMeta } from '../engine/types.js';
import type { Counts, Summary } from './json.js';

/**
 * Compliance frameworks the built-in rules name controls of (docs/compliance.md). A user's rule may
 * name others: they are shown under their own id, without a title.
 */
interface Framework {
  title: string;
  /** SARIF rule tag prefix (`NIST-800-53:AC-6`). */
  tag: string;
  /** How a control is written in ASFF `Compliance.RelatedRequirements` and OCSF `requirements`. */
  requirement: (control: string) => string;
  /** The standard's name in OCSF `compliance.standards`. */
  standard: string;
}

const FRAMEWORKS: Readonly<Record<string, Framework>> = {
  'nist-800-53': {
    title: 'NIST SP 800-53 Rev. 5',
    tag: 'NIST-800-53',
    // Security Hub's own control findings write NIST requirements so ("NIST.800-53.r5 AC-6").
    requirement: (c) => `NIST.800-53.r5 ${c}`,
    standard: 'NIST SP 800-53 Rev. 5',
  },
  'aws-fsbp': {
    title: 'AWS Foundational Security Best Practices',
    tag: 'AWS-FSBP',
    // The control's id under the standard, as in Security Hub's StandardsControlArn.
    requirement: (c) => `aws-foundational-security-best-practices/v/1.0.0/${c}`,
    standard: 'AWS Foundational Security Best Practices v1.0.0',
  },
};

/** The titles of the NIST SP 800-53 Rev. 5 controls the built-in rules name (docs/compliance.md). */
const NIST_TITLES: Readonly<Record<string, string>> = {
  'AC-2': 'Account Management',
  'AC-3': 'Access Enforcement',
  'AC-4': 'Information Flow Enforcement',
  'AC-5': 'Separation of Duties',
  'AC-6': 'Least Privilege',
  'AC-6(1)': 'Least Privilege | Authorize Access to Security Functions',
  'CA-3': 'Information Exchange',
  'CM-3': 'Configuration Change Control',
  'CM-5': 'Access Restrictions for Change',
  'CM-6': 'Configuration Settings',
  'CM-7': 'Least Functionality',
  'IA-5': 'Authenticator Management',
  'IA-5(7)': 'Authenticator Management | No Embedded Unencrypted Static Authenticators',
  'SA-3': 'System Development Life Cycle',
  'SC-7': 'Boundary Protection',
  'SC-8': 'Transmission Confidentiality and Integrity',
  'SC-8(1)': 'Transmission Confidentiality and Integrity | Cryptographic Protection',
  'SC-36': 'Distributed Processing and Storage',
  'SI-4': 'System Monitoring',
};

export const KNOWN_FRAMEWORKS = Object.keys(FRAMEWORKS);

export function frameworkTitle(framework: string): string {
  return FRAMEWORKS[framework]?.title ?? framework;
}

export function controlTitle(framework: string, control: string): string | undefined {
  return framework === 'nist-800-53' ? NIST_TITLES[control] : undefined;
}

/** A rule's controls in one framework (none when it names none). */
export function controlsOf(rule: Pick<RuleMeta, 'controls'>, framework: string): readonly string[] {
  const c = rule.controls;
  return c && Object.prototype.hasOwnProperty.call(c, framework) ? (c[framework] ?? []) : [];
}

/** Every (framework, control) a rule names, frameworks by id, controls in control order. */
export function allControls(rule: Pick<RuleMeta, 'controls'>): Array<{ framework: string; control: string }> {
  const c = rule.controls ?? {};
  return Object.keys(c)
    .sort()
    .flatMap((framework) => [...(c[framework] ?? [])].sort(compareControls).map((control) => ({ framework, control })));
}

/** A copy of a rule's controls, frameworks sorted, for a report (the reports' shape is theirs, not the loader's). */
export function projectControls(controls: NonNullable<RuleMeta['controls']>): Record<string, string[]> {
  return Object.fromEntries(Object.keys(controls).sort().map((k) => [k, [...(controls[k] ?? [])]]));
}

/** SARIF rule tags: `NIST-800-53:AC-6`, `AWS-FSBP:CodeBuild.1`. */
export function controlTags(rule: Pick<RuleMeta, 'controls'>): string[] {
  return allControls(rule).map(({ framework, control }) => `${FRAMEWORKS[framework]?.tag ?? framework}:${control}`);
}

/** ASFF Compliance.RelatedRequirements (at most 32) and OCSF compliance.requirements. */
export function controlRequirements(rule: Pick<RuleMeta, 'controls'>): string[] {
  return allControls(rule).map(({ framework, control }) => FRAMEWORKS[framework]?.requirement(control) ?? `${framework} ${control}`);
}

/** OCSF compliance.standards: the frameworks a rule names a control of. */
export function controlStandards(rule: Pick<RuleMeta, 'controls'>): string[] {
  return Object.keys(rule.controls ?? {})
    .filter((f) => controlsOf(rule, f).length > 0)
    .sort()
    .map((f) => FRAMEWORKS[f]?.standard ?? f);
}

/**
 * Control order: family, then number, then enhancement (AC-2 < AC-6 < AC-6(1) < AC-17 < CM-3),
 * numbers compared as numbers; other ids the same way on their digit runs.
 */
export function compareControls(a: string, b: string): number {
  const split = (s: string): Array<string | number> => s.split(/(\d+)/).filter((p) => p !== '').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] as string | number;
    const q = y[i] as string | number;
    if (p === q) continue;
    if (typeof p === 'number' && typeof q === 'number') return p - q;
    return String(p) < String(q) ? -1 : 1;
  }
  return x.length - y.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** fail: an open fail; unknown: no fail but something unread; pass: only passes (or accepted risks); none: no result. */
export type ControlStatus = 'fail' | 'unknown' | 'pass' | 'no result';

export interface ControlSummary {
  control: string;
  title?: string;
  status: ControlStatus;
  /** The rules that support the control, by id. */
  rules: string[];
  /** The results of those rules, counted once per control (a rule naming two controls counts in both). */
  counts: Counts;
}

export interface ComplianceSummary {
  framework: string;
  title: string;
  controls: ControlSummary[];
  /** Rules that ran and name no control of the framework. */
  unmapped: string[];
}

function controlStatus(c: Counts): ControlStatus {
  if (c.fail > 0) return 'fail';
  if (c.unknown > 0) return 'unknown';
  if (c.pass > 0 || c.suppressed > 0) return 'pass';
  return 'no result';
}

/**
 * Per control of a framework, the counts of the rules that support it, from a report's summary
 * (so it counts every result, also those --results left out of the lists).
 */
export function complianceSummary(rules: readonly RuleMeta[], summary: Summary, framework: string): ComplianceSummary {
  const byControl = new Map<string, string[]>();
  const unmapped: string[] = [];
  for (const r of rules) {
    const controls = controlsOf(r, framework);
    if (controls.length === 0) unmapped.push(r.id);
    for (const c of controls) byControl.set(c, [...(byControl.get(c) ?? []), r.id]);
  }
  const controls = [...byControl.keys()].sort(compareControls).map((control): ControlSummary => {
    const ids = [...new Set(byControl.get(control) ?? [])].sort();
    const counts: Counts = { fail: 0, pass: 0, unknown: 0, suppressed: 0 };
    for (const id of ids) {
      const c = Object.prototype.hasOwnProperty.call(summary.byRule, id) ? summary.byRule[id] : undefined;
      if (!c) continue;
      counts.fail += c.fail;
      counts.pass += c.pass;
      counts.unknown += c.unknown;
      counts.suppressed += c.suppressed;
    }
    const title = controlTitle(framework, control);
    return { control, ...(title !== undefined ? { title } : {}), status: controlStatus(counts), rules: ids, counts };
  });
  return { framework, title: frameworkTitle(framework), controls, unmapped: unmapped.sort() };
}
