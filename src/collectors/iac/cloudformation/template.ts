// A template's sections read and checked once, before any world is resolved: Parameters,
// Mappings, Conditions, Resources, Transform. Everything CloudFormation itself would reject is a
// UserError at its line:col here (no Resources, a resource without Type, an unknown or malformed
// intrinsic, an undefined or circular condition, a circular reference among resources), so
// resolution (intrinsics.ts) can assume a well-formed template.

import { UserError } from '../../../errors.js';
import { get, plain, type TemplateText, type TMap, type TNode, type TScalar } from './positions.js';
import { checkIntrinsics, type References } from './intrinsics.js';

export interface ParameterDef {
  name: string;
  key: TScalar;
  type: string;
  /** The Default as written (a string, number or list), absent when there is none. */
  default?: unknown;
  noEcho: boolean;
}

export interface ConditionDef {
  name: string;
  key: TScalar;
  node: TNode;
  /** Conditions this one names (`{Condition: X}`), in order. */
  uses: string[];
  /** Whether its own expression (not counting named conditions) reads a parameter or anything else. */
  readsValues: boolean;
}

export interface ResourceDef {
  logicalId: string;
  key: TScalar;
  node: TMap;
  type: string;
  condition?: string;
  properties?: TMap;
  /** Resources it refers to (Ref, GetAtt, Sub, DependsOn), for the cycle check and nothing else. */
  refs: Set<string>;
  /** Conditions its `Fn::If`s name. */
  ifConditions: Set<string>;
  cdkPath?: string;
}

export interface Template {
  text: TemplateText;
  parameters: Map<string, ParameterDef>;
  mappings?: TMap;
  conditions: Map<string, ConditionDef>;
  resources: ResourceDef[];
  byId: Map<string, ResourceDef>;
  /** Template-level `Transform` names. */
  transforms: string[];
  /** `Fn::Transform` macros named inside the template. */
  macros: string[];
}

export function readTemplate(text: TemplateText): Template {
  const root = text.root;
  if (root.kind !== 'map') throw new UserError(text.at(root, 'a template is a mapping with a Resources section'));
  const tpl: Template = { text, parameters: new Map(), conditions: new Map(), resources: [], byId: new Map(), transforms: [], macros: [] };

  const transform = get(root, 'Transform');
  if (transform !== undefined) {
    const names = transform.kind === 'seq' ? transform.items : [transform];
    for (const n of names) {
      if (n.kind === 'scalar' && typeof n.value === 'string') tpl.transforms.push(n.value);
      else if (n.kind === 'map' && get(n, 'Name')?.kind === 'scalar') tpl.transforms.push(String((get(n, 'Name') as TScalar).value));
      else throw new UserError(text.at(n, 'Transform: expected a macro name or a list of names'));
    }
  }
  const languageExtensions = tpl.transforms.includes('AWS::LanguageExtensions');

  const params = get(root, 'Parameters');
  if (params !== undefined && !isNull(params)) {
    if (params.kind !== 'map') throw new UserError(text.at(params, 'Parameters: expected a mapping of parameter names to declarations'));
    params.keys.forEach((key, i) => {
      const decl = params.values[i] as TNode;
      const name = String(key.value);
      if (decl.kind !== 'map') throw new UserError(text.at(decl, `parameter ${name}: expected a mapping with a Type`));
      const type = get(decl, 'Type');
      if (type === undefined || type.kind !== 'scalar' || typeof type.value !== 'string') throw new UserError(text.at(type ?? key, `parameter ${name}: Type is missing or not a string`));
      const def = get(decl, 'Default');
      const noEcho = get(decl, 'NoEcho');
      const noEchoValue = noEcho?.kind === 'scalar' ? noEcho.value : undefined;
      tpl.parameters.set(name, {
        name,
        key,
        type: type.value,
        ...(def !== undefined && !isNull(def) ? { default: plain(def) } : {}),
        noEcho: noEchoValue === true || (typeof noEchoValue === 'string' && noEchoValue.toLowerCase() === 'true'),
      });
    });
  }

  const mappings = get(root, 'Mappings');
  if (mappings !== undefined && !isNull(mappings)) {
    if (mappings.kind !== 'map') throw new UserError(text.at(mappings, 'Mappings: expected a mapping'));
    tpl.mappings = mappings;
  }

  const conditions = get(root, 'Conditions');
  if (conditions !== undefined && !isNull(conditions)) {
    if (conditions.kind !== 'map') throw new UserError(text.at(conditions, 'Conditions: expected a mapping of condition names to expressions'));
    conditions.keys.forEach((key, i) => {
      const node = conditions.values[i] as TNode;
      const refs: References = { resources: new Set(), conditions: [], ifConditions: [], macros: [], readsValues: false };
      checkIntrinsics(text, node, refs, true);
      tpl.conditions.set(String(key.value), { name: String(key.value), key, node, uses: refs.conditions.map((c) => c.name), readsValues: refs.readsValues });
      for (const use of refs.conditions) if (!conditions.keys.some((k) => k.value === use.name)) throw new UserError(text.at(use.at, `condition ${use.name} is not defined in Conditions`));
    });
    checkConditionCycles(tpl);
  }

  const resources = get(root, 'Resources');
  if (resources === undefined) throw new UserError(text.at(root, 'the template has no Resources section'));
  if (resources.kind !== 'map') throw new UserError(text.at(resources, 'Resources: expected a mapping of logical ids to resources'));
  if (resources.keys.length === 0) throw new UserError(text.at(resources, 'Resources is empty (CloudFormation requires at least one resource)'));
  const declared = new Set(resources.keys.map((k) => String(k.value)));
  resources.keys.forEach((key, i) => {
    const logicalId = String(key.value);
    const node = resources.values[i] as TNode;
    // AWS::LanguageExtensions' `Fn::ForEach::Name` loops expand to resources only when the transform
    // runs; linkaudit does not run it, so the stack is unexpanded and the loop is not a resource.
    if (languageExtensions && logicalId.startsWith('Fn::ForEach::')) return;
    if (node.kind !== 'map') throw new UserError(text.at(node, `resource ${logicalId}: expected a mapping with a Type`));
    const type = get(node, 'Type');
    if (type === undefined) throw new UserError(text.at(key, `resource ${logicalId} has no Type`));
    if (type.kind !== 'scalar' || typeof type.value !== 'string') throw new UserError(text.at(type, `resource ${logicalId}: Type must be a string (such as AWS::EC2::VPCEndpoint)`));
    const def: ResourceDef = { logicalId, key, node, type: type.value, refs: new Set(), ifConditions: new Set() };
    const cond = get(node, 'Condition');
    if (cond !== undefined) {
      if (cond.kind !== 'scalar' || typeof cond.value !== 'string') throw new UserError(text.at(cond, `resource ${logicalId}: Condition must be the name of a condition`));
      if (!tpl.conditions.has(cond.value)) throw new UserError(text.at(cond, `resource ${logicalId}: condition ${cond.value} is not defined in Conditions`));
      def.condition = cond.value;
    }
    const props = get(node, 'Properties');
    if (props !== undefined && !isNull(props)) {
      if (props.kind !== 'map') throw new UserError(text.at(props, `resource ${logicalId}: Properties must be a mapping`));
      def.properties = props;
      const refs: References = { resources: def.refs, conditions: [], ifConditions: [], macros: tpl.macros, readsValues: false };
      checkIntrinsics(text, props, refs, false);
      for (const c of refs.ifConditions) {
        if (!tpl.conditions.has(c.name)) throw new UserError(text.at(c.at, `Fn::If: condition ${c.name} is not defined in Conditions`));
        def.ifConditions.add(c.name);
      }
    }
    const dependsOn = get(node, 'DependsOn');
    if (dependsOn !== undefined) {
      const names = dependsOn.kind === 'seq' ? dependsOn.items : [dependsOn];
      for (const n of names) {
        if (n.kind !== 'scalar' || typeof n.value !== 'string') throw new UserError(text.at(n, `resource ${logicalId}: DependsOn must name resources`));
        // A transform (SAM) adds resources, which a DependsOn may name: not checkable without expanding it.
        if (!declared.has(n.value) && tpl.transforms.length === 0) throw new UserError(text.at(n, `resource ${logicalId}: DependsOn names ${n.value}, which is not a resource of this template`));
        def.refs.add(n.value);
      }
    }
    const metadata = get(node, 'Metadata');
    const cdkPath = metadata?.kind === 'map' ? get(metadata, 'aws:cdk:path') : undefined;
    if (cdkPath?.kind === 'scalar' && typeof cdkPath.value === 'string') def.cdkPath = cdkPath.value;
    tpl.resources.push(def);
    tpl.byId.set(logicalId, def);
  });
  checkResourceCycles(tpl);
  return tpl;
}

function isNull(n: TNode): boolean {
  return n.kind === 'scalar' && n.value === null;
}

/** Depth-first search without recursion: templates of thousands of resources chain deeply. */
function findCycle(names: string[], edges: (name: string) => Iterable<string>): string[] | undefined {
  const state = new Map<string, 1 | 2>();
  for (const startName of names) {
    if (state.has(startName)) continue;
    const path: string[] = [];
    const stack: Array<{ name: string; next: Iterator<string> }> = [];
    const enter = (name: string): void => {
      state.set(name, 1);
      path.push(name);
      stack.push({ name, next: edges(name)[Symbol.iterator]() });
    };
    enter(startName);
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { name: string; next: Iterator<string> };
      const step = top.next.next();
      if (step.done) {
        state.set(top.name, 2);
        stack.pop();
        path.pop();
        continue;
      }
      const s = state.get(step.value);
      if (s === 1) return [...path.slice(path.indexOf(step.value)), step.value];
      if (s === undefined) enter(step.value);
    }
  }
  return undefined;
}

function checkConditionCycles(tpl: Template): void {
  const names = [...tpl.conditions.keys()];
  const cycle = findCycle(names, (n) => tpl.conditions.get(n)?.uses ?? []);
  if (cycle) {
    const first = tpl.conditions.get(cycle[0] as string) as ConditionDef;
    throw new UserError(tpl.text.at(first.key, `circular condition: ${cycle.join(' → ')}`));
  }
}

function checkResourceCycles(tpl: Template): void {
  const cycle = findCycle(
    tpl.resources.map((r) => r.logicalId),
    (n) => [...(tpl.byId.get(n)?.refs ?? [])].filter((r) => tpl.byId.has(r)),
  );
  if (cycle) {
    const first = tpl.byId.get(cycle[0] as string) as ResourceDef;
    throw new UserError(tpl.text.at(first.key, `circular reference among resources: ${cycle.join(' → ')}`));
  }
}
