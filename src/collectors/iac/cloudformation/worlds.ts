// Which conditions split a stack into worlds. A condition decided by known values picks its
// branch; the undecided ones that resources of the mapped kinds depend on (their `Condition`,
// their `Fn::If`s, through the conditions those name) are enumerated: every assignment is one
// world, up to MAX_WORLD_CONDITIONS of them (64 worlds). Beyond the cap a condition stays
// undecided: `Fn::If` on it is unknown unless both branches agree, and a resource whose
// existence depends on it is kept in every world, with a coverage note (docs/iac.md).

import { Unresolved } from './template-types.js';
import { evalCondition, type Scope } from './intrinsics.js';
import type { Template } from './template.js';

export const MAX_WORLD_CONDITIONS = 6;

/** Resource types whose conditions matter to the model: the mapped services and nested stacks. */
const RELEVANT_PREFIXES = ['AWS::EC2::VPCEndpoint', 'AWS::CodeStarConnections::', 'AWS::CodeConnections::', 'AWS::IAM::', 'AWS::CodePipeline::Pipeline', 'AWS::CodeBuild::Project', 'AWS::CodeBuild::SourceCredential', 'AWS::CloudFormation::Stack'];

export function isRelevantType(type: string): boolean {
  return RELEVANT_PREFIXES.some((p) => type.startsWith(p));
}

export interface WorldPlan {
  /** Undecided conditions enumerated, in the template's order. */
  enumerated: string[];
  /** Undecided conditions beyond the cap (undecided in every world). */
  overflow: string[];
  /** Each world's assignment of the enumerated conditions. */
  assignments: Array<Map<string, boolean>>;
}

export function label(assignment: Map<string, boolean>, prefix = ''): string {
  return [...assignment].map(([k, v]) => `${prefix}${k}=${String(v)}`).join(', ');
}

/**
 * `decide(name)` gives a condition's value with nothing assigned (the parameters alone decide it,
 * or not): the plan enumerates the undecided conditions that read values themselves, since those
 * that only combine other conditions follow from them.
 */
export function planWorlds(tpl: Template, decide: (name: string) => boolean | Unresolved, max = MAX_WORLD_CONDITIONS): WorldPlan {
  const wanted = new Set<string>();
  const visit = (name: string): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const u of tpl.conditions.get(name)?.uses ?? []) visit(u);
  };
  for (const r of tpl.resources) {
    if (!isRelevantType(r.type)) continue;
    if (r.condition !== undefined) visit(r.condition);
    for (const c of r.ifConditions) visit(c);
  }
  const base = [...tpl.conditions.values()].filter((c) => wanted.has(c.name) && c.readsValues && decide(c.name) instanceof Unresolved).map((c) => c.name);
  const enumerated = base.slice(0, max);
  const overflow = base.slice(max);
  const assignments: Array<Map<string, boolean>> = [];
  const n = enumerated.length;
  for (let mask = 0; mask < 2 ** n; mask++) {
    const a = new Map<string, boolean>();
    // The first condition varies slowest, true before false: worlds read in order.
    enumerated.forEach((c, i) => a.set(c, ((mask >> (n - 1 - i)) & 1) === 0));
    assignments.push(a);
  }
  return { enumerated, overflow, assignments };
}

/** A condition lookup for one world: assigned, or evaluated from its expression (memoized). */
export function conditionLookup(tpl: Template, assignment: Map<string, boolean>, scopeOf: () => Scope): (name: string) => boolean | Unresolved {
  const memo = new Map<string, boolean | Unresolved>();
  return (name) => {
    const assigned = assignment.get(name);
    if (assigned !== undefined) return assigned;
    const known = memo.get(name);
    if (known !== undefined) return known;
    const def = tpl.conditions.get(name);
    // Names are checked when the template is read; a missing one cannot reach here.
    const v = def ? evalCondition(def.node, scopeOf()) : new Unresolved('Condition', `condition ${name} is not defined`);
    memo.set(name, v);
    return v;
  };
}
