import { readFileSync } from 'node:fs';
import { emptyConfig } from '../../../src/config.js';
import { loadTerraformPlan } from '../../../src/collectors/iac/terraform/index.js';
import type { IacLoad, IacOptions } from '../../../src/collectors/iac/types.js';
import { evaluateRules } from '../../../src/engine/evaluate.js';
import { loadRuleSet } from '../../../src/engine/rule-set.js';
import type { Snapshot } from '../../../src/model/types.js';

export const FIXTURES = 'test/fixtures/iac/terraform';
/** The estate fixture is the demo's Terraform twin: one copy, judged by these tests and shown by the demo. */
export const ESTATE = 'fixtures/demo-iac/terraform';
export const NOW = new Date('2026-12-01T10:00:00Z');

/** A fixture's path: `estate/…` is the demo's twin, the rest live under FIXTURES. */
export function fixturePath(path: string): string {
  return path.startsWith('estate/') ? `${ESTATE}/${path.slice('estate/'.length)}` : `${FIXTURES}/${path}`;
}

export async function loadFixture(path: string, options: Partial<IacOptions> = {}): Promise<IacLoad> {
  const file = fixturePath(path);
  return loadTerraformPlan(file, readFileSync(file, 'utf8'), { parameters: {}, cwd: process.cwd(), now: NOW, ...options });
}

export async function loadText(text: string, options: Partial<IacOptions> = {}, file = `${FIXTURES}/inline/plan.json`): Promise<IacLoad> {
  return loadTerraformPlan(file, text, { parameters: {}, cwd: process.cwd(), now: NOW, ...options });
}

export function snapshotOf(load: IacLoad): Snapshot {
  const s = load.units[0]?.worlds[0]?.snapshot;
  if (!s) throw new Error('no snapshot');
  return s;
}

let ruleSet: ReturnType<typeof loadRuleSet> | undefined;

/** Every built-in rule over the snapshot: `ruleId address` → status (addresses from the origin id). */
export function statuses(snapshot: Snapshot): Map<string, string> {
  ruleSet ??= loadRuleSet([]);
  const out = new Map<string, string>();
  const { findings } = evaluateRules(ruleSet.rules, snapshot, { ...emptyConfig(), pendingAcceptanceMaxDays: 7 }, ruleSet.runtime.bind);
  for (const f of findings) {
    const at = f.resource.arn.indexOf('#');
    out.set(`${f.ruleId} ${at < 0 ? f.resource.arn : f.resource.arn.slice(at + 1)}`, f.status);
  }
  return out;
}

export function findingsOf(snapshot: Snapshot) {
  ruleSet ??= loadRuleSet([]);
  return evaluateRules(ruleSet.rules, snapshot, { ...emptyConfig(), pendingAcceptanceMaxDays: 7 }, ruleSet.runtime.bind).findings;
}
