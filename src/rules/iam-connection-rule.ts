import { relative } from 'node:path';
import { packagePath } from '../paths.js';
import type { Detail, EvalContext, Evidence, Rule, RuleMeta, RuleResult } from '../engine/types.js';
import type { AnyResource, IamRole, IamUser } from '../model/types.js';
import { maxReach, type Path, type Reach } from '../iam/evaluate.js';
import { policiesOf } from '../iam/principals.js';
import { broadAnswer, questionsFor, type BroadAnswer } from '../iam/questions.js';

/** What every IAM finding says about the evaluation's reach (SCPs, session policies). */
export const OUT_OF_SCOPE = 'Organization SCPs, RCPs and session policies are not evaluated.';

/** The principal fields the answer depends on: one that could not be read makes the result unknown. */
const FIELDS = new Set(['inlinePolicies', 'attachedPolicies', 'permissionsBoundary', 'groups']);

export interface IamRuleSpec {
  meta: Omit<RuleMeta, 'resource'>;
  /** Action names without prefix; asked under both prefixes. */
  actions: () => readonly string[];
  /** "use", "pass", "delete, re-point or re-tag": for messages. */
  verb: string;
}

/**
 * An IAM rule over users and roles: fails when, for some action and resource type it asks about,
 * the principal reaches every resource of its account unconditionally; unknown when that cannot
 * be ruled out.
 */
export function iamConnectionRule(spec: IamRuleSpec): Rule {
  let questions: ReturnType<typeof questionsFor> | undefined;
  const ask = (principal: IamUser | IamRole, ctx: EvalContext): BroadAnswer[] => {
    questions ??= questionsFor(spec.actions());
    const policies = policiesOf(principal, ctx.snapshot);
    return questions.map((q) => broadAnswer(principal, policies, ctx.snapshot, q.action, q.type));
  };
  // Named as YAML rules are, relative to the working directory; the cases file sits beside it.
  const file = packagePath('src', 'rules', `${spec.meta.id}.ts`);
  const rel = relative(process.cwd(), file);
  const source = rel.startsWith('..') ? file : rel;
  return {
    meta: { ...spec.meta, resource: ['iamRole', 'iamUser'] },
    source,
    fields: FIELDS,
    // The verdict only; describe() renders message and evidence when a report reads them (asking
    // again is cheaper than keeping every answer of every principal until then).
    evaluate(resource: AnyResource, ctx: EvalContext): RuleResult {
      const worst = ask(resource as IamUser | IamRole, ctx).reduce<Reach>((r, a) => maxReach(r, a.reach), 'none');
      return { status: worst === 'unconditional' ? 'fail' : worst === 'unknown' ? 'unknown' : 'pass' };
    },
    describe(resource: AnyResource, ctx: EvalContext, result: RuleResult): Detail {
      const principal = resource as IamUser | IamRole;
      const answers = ask(principal, ctx);
      if (result.status === 'fail') return failDetail(principal, answers.filter((a) => a.reach === 'unconditional'), spec);
      if (result.status === 'unknown') return unknownDetail(principal, answers.filter((a) => a.reach === 'unknown'), spec);
      const scoped = answers.filter((a) => a.reach === 'scoped');
      // Granted, but removed by a Deny or the boundary, or switched off at the snapshot's time.
      const removed = answers.filter((a) => a.reach === 'none' && (a.allows.length > 0 || a.inactive.length > 0));
      const names = [...new Set(questionsFor(spec.actions()).map((q) => q.action.short))].join(', ');
      const parts: string[] = [];
      if (scoped.length > 0) parts.push(`${principal.arn} has only scoped grants of ${names} (${summary(scoped)})${limitedText(scoped)}: none reaches every resource of its account unconditionally.`);
      if (removed.length > 0) parts.push(`${scoped.length > 0 ? 'Other grants' : `Grants of ${principal.arn}`} reach nothing: ${removedText(removed)}.`);
      const message = parts.length > 0 ? `${parts.join(' ')} ${OUT_OF_SCOPE}` : `No policy of ${principal.arn} grants ${names} on CodeConnections resources. ${OUT_OF_SCOPE}`;
      return { message, evidence: evidence(principal, [...scoped, ...removed]) };
    },
  };
}

/** A statement as messages name it: `inline policy ci statement 2 (Sid X)`. */
function ref(p: Path): string {
  return p.statement < 0 ? p.source.label : `${p.source.label} statement ${p.statement}${p.sid ? ` (Sid ${p.sid})` : ''}`;
}

/** What a Deny or the boundary did to a grant. */
function limitText(p: Path): string {
  if (p.source.boundary) return p.statement < 0 || p.reach === 'none' ? `not within ${p.source.label}` : `within ${ref(p)} only for a scope`;
  return `${p.reach === 'none' ? 'removed' : 'limited to a scope'} by the Deny in ${ref(p)}`;
}

function limitsOf(a: BroadAnswer): string {
  return [...new Set(a.limits.map(limitText))].join(', ');
}

/** For scoped answers that were broader before a Deny or the boundary. */
function limitedText(answers: readonly BroadAnswer[]): string {
  const texts = [...new Set(answers.filter((a) => a.limits.length > 0).map((a) => `granted by ${[...new Set(a.allows.map(ref))].join(', ')}, ${limitsOf(a)}`))];
  return texts.length > 0 ? `; ${texts.join('; ')}` : '';
}

/** "granted by X statement 2, removed by the Deny in Y statement 1", grouped by what they say. */
function removedText(answers: readonly BroadAnswer[]): string {
  const byText = new Map<string, string[]>();
  for (const a of answers) {
    const texts: string[] = [];
    if (a.allows.length > 0) texts.push(`granted by ${[...new Set(a.allows.map(ref))].join(', ')}, ${a.limits.length > 0 ? limitsOf(a) : 'removed'}`);
    for (const p of a.inactive) texts.push(`${ref(p)} ${p.note ?? 'grants nothing at the snapshot\'s time'}`);
    const text = texts.join('; ');
    const actions = byText.get(text) ?? [];
    const what = `${a.action.name} on ${a.resources.describe}`;
    if (!actions.includes(what)) actions.push(what);
    byText.set(text, actions);
  }
  return [...byText].map(([text, actions]) => `${actions.join(', ')}: ${text}`).join('; ');
}

function summary(answers: readonly BroadAnswer[]): string {
  return [...new Set(answers.map((a) => `${a.action.name} on ${a.resources.describe}`))].join('; ');
}

function failDetail(principal: IamUser | IamRole, answers: BroadAnswer[], spec: IamRuleSpec): Detail {
  const first = answers[0] as BroadAnswer;
  const path = first.allows[0];
  const others = answers.slice(1).map((a) => a.action.name).filter((n) => n !== first.action.name);
  const through = path ? ` through ${pathText(path)}` : '';
  const also = others.length > 0 ? ` Also unscoped: ${[...new Set(others)].join(', ')}.` : '';
  return {
    message: `${principal.arn} may ${spec.verb} ${first.action.name} on ${first.resources.describe} of account ${principal.account} (${first.resources.glob}) with no scoping condition${through}.${also} ${OUT_OF_SCOPE}`,
    evidence: evidence(principal, answers),
  };
}

function unknownDetail(principal: IamUser | IamRole, answers: BroadAnswer[], spec: IamRuleSpec): Detail {
  const reasons = [...new Set(answers.flatMap((a) => a.reasons))];
  return {
    message: `Cannot tell whether ${principal.arn} may ${spec.verb} ${summary(answers)} unconditionally: ${reasons.join('; ') || 'a policy could not be judged'}. ${OUT_OF_SCOPE}`,
    evidence: evidence(principal, answers),
  };
}

export function pathText(p: Path): string {
  if (p.statement < 0) return p.source.label;
  const conditions = p.conditions.length > 0 ? p.conditions.join('; ') : 'none';
  return `${p.source.label}, statement ${p.statement}${p.sid ? ` (Sid ${p.sid})` : ''}: ${p.effect} ${p.actionMatch} on ${p.resourceMatch}; conditions: ${conditions}`;
}

const MAX_EVIDENCE = 10;

/**
 * One entry per deciding statement: where it lives on the principal, what matched, and which of
 * the rule's questions it decided (a `codestar-connections:*` statement decides several).
 */
function evidence(principal: IamUser | IamRole, answers: readonly BroadAnswer[]): Evidence[] {
  const kind = 'groups' in principal ? 'iamUser' : 'iamRole';
  const entries = new Map<string, { path: Path; grants: string[] }>();
  for (const a of answers) {
    for (const p of [...a.allows, ...a.limits, ...a.inactive]) {
      const key = `${p.source.label}|${p.statement}`;
      const entry = entries.get(key);
      const grant = `${a.action.name} on ${a.resources.glob}`;
      if (entry) {
        if (!entry.grants.includes(grant)) entry.grants.push(grant);
      } else if (entries.size < MAX_EVIDENCE) entries.set(key, { path: p, grants: [grant] });
    }
  }
  return [...entries.values()].map(({ path: p, grants }) => {
    const field = p.source.boundary ? 'permissionsBoundary' : p.source.via ? 'groups' : p.source.policy.startsWith('arn:') ? 'attachedPolicies' : 'inlinePolicies';
    return {
      path: `${kind}.${field}`,
      value: {
        policy: p.source.policy,
        ...(p.source.via ? { via: p.source.via } : {}),
        ...(p.statement >= 0 ? { statement: p.statement } : {}),
        ...(p.sid ? { sid: p.sid } : {}),
        effect: p.effect,
        ...(p.actionMatch ? { action: p.actionMatch } : {}),
        ...(p.resourceMatch ? { resource: p.resourceMatch } : {}),
        conditions: p.conditions,
        reach: p.reach,
        grants,
        ...(p.reason ? { reason: p.reason } : {}),
        ...(p.note ? { note: p.note } : {}),
      },
    };
  });
}
