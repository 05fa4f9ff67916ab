// IAM semantics of issue 11, items 22–25: a condition scopes only if it excludes something; policy
// language details that deny what looked granted (Version, escapes, time, user tags); invalid
// documents are unknown and named; a pass a Deny or a boundary produced says so.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyStatement } from '../../src/model/types.js';
import type { Reach } from '../../src/iam/evaluate.js';
import { ACCOUNT, allow, answerFor, deny, reach, type Setup } from './setup.js';

const USE = 'codestar-connections:UseConnection';
const REGISTER = 'codestar-connections:RegisterAppCode';
const REPO = 'codestar-connections:FullRepositoryId';
const EVERY = `arn:aws:codestar-connections:*:${ACCOUNT}:connection/*`;

type Case = [name: string, setup: Setup, action: string, expected: Reach];

const useIf = (Condition: PolicyStatement['Condition']): Setup => ({ inline: [allow(USE, '*', Condition)] });

const item22: Case[] = [
  ['StringLike with * among its values scopes nothing (values are ORed): unconditional', useIf({ StringLike: { [REPO]: ['example-org/app', '*'] } }), USE, 'unconditional'],
  ['StringLike */* matches every owner/repository: unconditional', useIf({ StringLike: { [REPO]: '*/*' } }), USE, 'unconditional'],
  ['StringLike ?*/?* matches every owner/repository too: unconditional', useIf({ StringLike: { [REPO]: '?*/?*' } }), USE, 'unconditional'],
  ['StringLike example-org/* excludes other owners: scoped', useIf({ StringLike: { [REPO]: 'example-org/*' } }), USE, 'scoped'],
  ['StringLike ?/* excludes owners longer than one character: scoped', useIf({ StringLike: { [REPO]: '?/*' } }), USE, 'scoped'],
  ['StringLike */* on RepositoryName (no slash in its form) excludes names without one: scoped', useIf({ StringLike: { 'codestar-connections:RepositoryName': '*/*' } }), USE, 'scoped'],
  ['StringLike ?* matches every branch name: unconditional', useIf({ StringLike: { 'codestar-connections:BranchName': '?*' } }), USE, 'unconditional'],
  ['StringLike * on a resource tag still requires the tag: scoped', useIf({ StringLike: { 'aws:ResourceTag/team': '*' } }), USE, 'scoped'],
  ['StringLikeIfExists * on a resource tag admits every connection, tagged or not: unconditional', useIf({ StringLikeIfExists: { 'aws:ResourceTag/team': '*' } }), USE, 'unconditional'],
  ['StringEqualsIfExists on a resource tag admits every untagged connection: unconditional', useIf({ StringEqualsIfExists: { 'aws:ResourceTag/team': 'platform' } }), USE, 'unconditional'],
  ['ForAnyValue:StringLike * only requires that a repository be named: unconditional', useIf({ 'ForAnyValue:StringLike': { [REPO]: '*' } }), USE, 'unconditional'],
  ['ForAllValues:StringLike */* holds for every request: unconditional', useIf({ 'ForAllValues:StringLike': { [REPO]: '*/*' } }), USE, 'unconditional'],
  ['ForAllValues:StringEquals of one repository still scopes: scoped', useIf({ 'ForAllValues:StringEquals': { [REPO]: 'example-org/app' } }), USE, 'scoped'],
  ['Null FullRepositoryId false only requires that some repository be named: unconditional', useIf({ Null: { [REPO]: 'false' } }), USE, 'unconditional'],
  ['Null aws:ResourceTag/team true reaches every untagged connection (as broad as a negated tag condition): unconditional', useIf({ Null: { 'aws:ResourceTag/team': 'true' } }), USE, 'unconditional'],
  ['Null aws:ResourceTag/team false reaches tagged connections only: scoped', useIf({ Null: { 'aws:ResourceTag/team': 'false' } }), USE, 'scoped'],
  ['StringNotLike * on a resource tag reaches every untagged connection: unconditional', useIf({ StringNotLike: { 'aws:ResourceTag/team': '*' } }), USE, 'unconditional'],
  ['StringNotEquals a value no repository id has excludes nothing: unconditional', useIf({ StringNotEquals: { [REPO]: 'no-slash' } }), USE, 'unconditional'],
  ['StringEquals read_only and read_write names every documented ProviderPermissionsRequired: unconditional', useIf({ StringEquals: { 'codestar-connections:ProviderPermissionsRequired': ['read_only', 'read_write'] } }), USE, 'unconditional'],
  ['StringLike read_* matches both documented ProviderPermissionsRequired values: unconditional', useIf({ StringLike: { 'codestar-connections:ProviderPermissionsRequired': 'read_*' } }), USE, 'unconditional'],
  ['StringEqualsIgnoreCase READ_ONLY excludes read_write: scoped', useIf({ StringEqualsIgnoreCase: { 'codestar-connections:ProviderPermissionsRequired': 'READ_ONLY' } }), USE, 'scoped'],
  ['ArnLike arn:*:*:*:*:* matches every ARN: unconditional', { inline: [allow(REGISTER, '*', { ArnLike: { 'codestar-connections:HostArn': 'arn:*:*:*:*:*' } })] }, REGISTER, 'unconditional'],
  ['ArnLike on the hosts of one account excludes the others: scoped', { inline: [allow(REGISTER, '*', { ArnLike: { 'codestar-connections:HostArn': `arn:aws:codestar-connections:*:${ACCOUNT}:host/*` } })] }, REGISTER, 'scoped'],
  ['a Deny unless StringNotLike FullRepositoryId * exempts every repository: unconditional', { inline: [allow(USE), deny(USE, '*', { StringNotLike: { [REPO]: '*' } })] }, USE, 'unconditional'],
  ['a Deny unless StringNotLike FullRepositoryId example-org/* leaves that owner: scoped', { inline: [allow(USE), deny(USE, '*', { StringNotLike: { [REPO]: 'example-org/*' } })] }, USE, 'scoped'],
  ['a Deny with StringNotEquals a value no repository id has applies to every request: none', { inline: [allow(USE), deny(USE, '*', { StringNotEquals: { [REPO]: 'no-slash' } })] }, USE, 'none'],
];

const item23: Case[] = [
  ['in a 2008-10-17 document ${…} is literal text: the account variable names no account, so nothing is granted', { version: '2008-10-17', inline: [allow(USE, 'arn:aws:codestar-connections:*:${aws:PrincipalAccount}:connection/*')] }, USE, 'none'],
  ['in a document without Version ${…} is literal text: nothing is granted', { version: null, inline: [allow(USE, 'arn:aws:codestar-connections:*:${aws:PrincipalAccount}:connection/*')] }, USE, 'none'],
  ['in a 2012-10-17 document the same variable resolves: unconditional', { inline: [allow(USE, 'arn:aws:codestar-connections:*:${aws:PrincipalAccount}:connection/*')] }, USE, 'unconditional'],
  ['in a 2008-10-17 document a condition value ${aws:PrincipalAccount} is literal and never equals the account: none', { version: '2008-10-17', inline: [allow(USE, '*', { StringEquals: { 'aws:ResourceAccount': '${aws:PrincipalAccount}' } })] }, USE, 'none'],
  ['${*} in Resource is a literal star, not a wildcard: no connection id holds one', { inline: [allow(USE, `arn:aws:codestar-connections:*:${ACCOUNT}:connection/\${*}`)] }, USE, 'none'],
  ['${?} in Resource is a literal question mark, not a one-character wildcard', { inline: [allow(USE, `arn:aws:codestar-connections:*:${ACCOUNT}:connection/\${?}*`)] }, USE, 'none'],
  ['${*} in a condition value is a literal star: StringLike role/${*} does not match the role', { inline: [allow(USE, '*', { StringLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/\${*}` } })] }, USE, 'none'],
  ['${*} in a scoping condition value is one literal star, not every repository: scoped', useIf({ StringLike: { [REPO]: '${*}' } }), USE, 'scoped'],
  ['${$} is a literal dollar: StringEquals ${$}ci is not the user name ci', { user: true, inline: [allow(USE, '*', { StringEquals: { 'aws:username': '${$}ci' } })] }, USE, 'none'],
  ['a grant that expired before the snapshot (DateLessThan aws:CurrentTime) grants nothing', useIf({ DateLessThan: { 'aws:CurrentTime': '2025-12-31T00:00:00Z' } }), USE, 'none'],
  ['a grant valid until after the snapshot holds at its time: unconditional', useIf({ DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }), USE, 'unconditional'],
  ['a grant that starts after the snapshot grants nothing at its time', useIf({ DateGreaterThan: { 'aws:CurrentTime': '2027-01-01' } }), USE, 'none'],
  ['a date operator takes epoch seconds: DateLessThan aws:CurrentTime 1735603200 (2024-12-31) has passed', useIf({ DateLessThan: { 'aws:CurrentTime': '1735603200' } }), USE, 'none'],
  ['NumericLessThan aws:EpochTime before the snapshot grants nothing', useIf({ NumericLessThan: { 'aws:EpochTime': 1735603200 } }), USE, 'none'],
  ['DateGreaterThanEquals aws:EpochTime with an ISO date before the snapshot holds: unconditional', useIf({ DateGreaterThanEquals: { 'aws:EpochTime': '2026-01-01T00:00:00+01:00' } }), USE, 'unconditional'],
  ['a Deny after a date that has passed removes the grant', { inline: [allow(USE), deny(USE, '*', { DateGreaterThan: { 'aws:CurrentTime': '2025-01-01T00:00:00Z' } })] }, USE, 'none'],
  ['a Deny from a date after the snapshot does not apply yet: unconditional', { inline: [allow(USE), deny(USE, '*', { DateGreaterThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } })] }, USE, 'unconditional'],
  ['a date value that is not ISO 8601 or epoch seconds cannot be judged: unknown', useIf({ DateLessThan: { 'aws:CurrentTime': 'next Tuesday' } }), USE, 'unknown'],
  ['a user\'s principal tag is known: StringEquals aws:PrincipalTag/team platform on a user tagged so holds', { user: true, tags: { team: 'platform' }, ...useIf({ StringEquals: { 'aws:PrincipalTag/team': 'platform' } }) }, USE, 'unconditional'],
  ['a user\'s principal tag is known: on a user tagged otherwise it never holds', { user: true, tags: { team: 'data' }, ...useIf({ StringEquals: { 'aws:PrincipalTag/team': 'platform' } }) }, USE, 'none'],
  ['a user\'s principal tag is known: on an untagged user it never holds', { user: true, ...useIf({ StringEquals: { 'aws:PrincipalTag/team': 'platform' } }) }, USE, 'none'],
  ['a role\'s principal tags can come from its session: the condition is unknown', { tags: { team: 'platform' }, ...useIf({ StringEquals: { 'aws:PrincipalTag/team': 'platform' } }) }, USE, 'unknown'],
  ['a Deny conditioned on Null aws:ResourceTag/k true leaves only tagged connections usable: scoped', { inline: [allow(USE), deny(USE, '*', { Null: { 'aws:ResourceTag/team': 'true' } })] }, USE, 'scoped'],
  ['a Deny conditioned on Null aws:ResourceTag/k false leaves every untagged connection: unconditional', { inline: [allow(USE), deny(USE, '*', { Null: { 'aws:ResourceTag/team': 'false' } })] }, USE, 'unconditional'],
];

describe('a condition scopes only if it excludes something (item 22)', () => {
  it.each(item22)('%s', (_name, setup, action, expected) => expect(reach(setup, action).reach).toBe(expected));
});

describe('policy language that denies what looked granted (item 23)', () => {
  it.each(item23)('%s', (_name, setup, action, expected) => {
    const got = reach(setup, action);
    expect(got.reach).toBe(expected);
    if (expected === 'unknown') expect(got.reasons.join(' ')).toMatch(/next Tuesday|session/);
  });

  it('an expired grant says it grants nothing at the snapshot\'s time, naming the condition', () => {
    const a = answerFor(useIf({ DateLessThan: { 'aws:CurrentTime': '2025-12-31T00:00:00Z' } }), USE);
    expect(a.reach).toBe('none');
    expect(a.inactive.map((p) => p.note)).toEqual([`grants nothing at the snapshot's time (2026-01-15T00:00:00.000Z): DateLessThan aws:CurrentTime ["2025-12-31T00:00:00Z"] does not hold then`]);
  });

  it('a time condition is judged at each snapshot\'s own time, not shared across snapshots', () => {
    const setup = useIf({ DateLessThan: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' } });
    expect(reach({ ...setup, generatedAt: '2026-01-15T00:00:00Z' }, USE).reach).toBe('unconditional');
    expect(reach({ ...setup, generatedAt: '2026-07-01T00:00:00Z' }, USE).reach).toBe('none');
  });
});

const invalid: Array<[name: string, statement: unknown, element: RegExp]> = [
  ['Principal in an identity policy', { Effect: 'Allow', Principal: '*', Action: USE, Resource: '*' }, /Principal is not allowed in an identity policy/],
  ['NotPrincipal in an identity policy', { Effect: 'Allow', NotPrincipal: { AWS: '*' }, Action: USE, Resource: '*' }, /NotPrincipal is not allowed/],
  ['Action together with NotAction', { Effect: 'Allow', Action: USE, NotAction: 'iam:*', Resource: '*' }, /exactly one of Action and NotAction/],
  ['Resource together with NotResource', { Effect: 'Allow', Action: USE, Resource: '*', NotResource: EVERY }, /Resource and NotResource/],
  ['an Effect in the wrong case (Effect is case-sensitive)', { Effect: 'allow', Action: USE, Resource: '*' }, /Effect must be Allow or Deny, not "allow"/],
  ['a misspelled condition operator', { Effect: 'Allow', Action: USE, Resource: '*', Condition: { StringEqual: { [REPO]: 'a/b' } } }, /unknown condition operator "StringEqual"/],
  ['a number as an Action', { Effect: 'Allow', Action: 5, Resource: '*' }, /Action must be a string or a list of strings, not 5/],
  ['an object as a Resource', { Effect: 'Allow', Action: USE, Resource: { arn: '*' } }, /Resource must be a string or a list of strings/],
  ['an object as a condition value', { Effect: 'Allow', Action: USE, Resource: '*', Condition: { StringEquals: { [REPO]: { a: 1 } } } }, /not a string, number or boolean/],
  ['a condition key with no values', { Effect: 'Allow', Action: USE, Resource: '*', Condition: { StringEquals: { [REPO]: [] } } }, /has no values/],
  ['an element IAM does not define', { Effect: 'Allow', Actions: USE, Resource: '*' }, /"Actions" is not an IAM policy element/],
];

describe('invalid documents are unknown and name the invalid element (item 24)', () => {
  it.each(invalid)('%s is unknown', (_name, statement, element) => {
    const got = reach({ rawInline: [{ Version: '2012-10-17', Statement: [statement] }] }, USE);
    expect(got.reach).toBe('unknown');
    expect(got.reasons.join(' ')).toMatch(element);
  });

  it('a Version IAM does not define is unknown and named', () => {
    const got = reach({ rawInline: [{ Version: '2012-10-18', Statement: [allow(USE)] }] }, USE);
    expect(got.reach).toBe('unknown');
    expect(got.reasons.join(' ')).toMatch(/Version must be "2012-10-17" or "2008-10-17", not "2012-10-18"/);
  });

  // The class: any valid policy made invalid by one element is unknown, never a pass or a fail.
  const valid = fc.constantFrom<PolicyStatement>(allow(USE), allow('*'), allow(USE, EVERY), allow('codestar-connections:*', '*', { StringEquals: { [REPO]: 'a/b' } }), deny('s3:*'));
  const breakIt = fc.constantFrom<(s: PolicyStatement) => unknown>(
    (s) => ({ ...s, Principal: '*' }),
    (s) => ({ ...s, NotPrincipal: '*' }),
    (s) => ({ ...s, NotAction: 'iam:*' }),
    (s) => ({ ...s, NotResource: '*' }),
    (s) => ({ ...s, Effect: s.Effect.toUpperCase() }),
    (s) => ({ ...s, Effect: ` ${s.Effect}` }),
    (s) => ({ ...s, Action: [USE, 7] }),
    (s) => ({ ...s, Resource: [{}] }),
    (s) => ({ ...s, Condition: { StringEquls: { [REPO]: 'a/b' } } }),
    (s) => ({ ...s, Condition: { StringEquals: { [REPO]: null } } }),
    (s) => ({ ...s, Sid: 3 }),
    (s) => ({ ...s, Resources: '*' }),
  );
  it('a statement with one invalid element makes the answer unknown, whatever the other statements', () => {
    fc.assert(
      fc.property(fc.array(valid, { maxLength: 3 }), valid, breakIt, fc.nat(3), (others, target, mutate, at) => {
        const statements: unknown[] = [...others];
        statements.splice(Math.min(at, statements.length), 0, mutate(target));
        const got = reach({ rawInline: [{ Version: '2012-10-17', Statement: statements }] }, USE);
        return got.reach === 'unknown' && got.reasons.length > 0;
      }),
      { numRuns: 300 },
    );
  });
});

describe('a pass that a Deny or a boundary produced keeps what it removed (item 25)', () => {
  it('a Deny: the answer keeps the grant and the Deny that removed it', () => {
    const a = answerFor({ inline: [allow(USE), deny(USE)] }, USE);
    expect(a.reach).toBe('none');
    expect(a.allows.map((p) => [p.statement, p.effect])).toEqual([[0, 'Allow']]);
    expect(a.limits.map((p) => [p.statement, p.effect])).toEqual([[1, 'Deny']]);
  });

  it('a boundary: the answer keeps the grant and the boundary it is not within', () => {
    const a = answerFor({ inline: [allow(USE)], boundary: [allow('s3:*')] }, USE);
    expect(a.reach).toBe('none');
    expect(a.allows).toHaveLength(1);
    expect(a.limits.map((p) => p.source.boundary)).toEqual([true]);
  });
});

// A small model of request contexts: FullRepositoryId (owner/repository, or absent) and a resource
// tag (any text, or absent). Values over a, b, c, '/' up to five characters: the patterns below
// never name c, so c stands for every character they do not name.
const KEYS = [REPO, 'aws:ResourceTag/team'] as const;
function* texts(max: number): Generator<string> {
  let level = [''];
  yield '';
  for (let n = 1; n <= max; n++) {
    level = level.flatMap((s) => [...'abc/'].map((c) => s + c));
    yield* level;
  }
}
const contexts: Record<(typeof KEYS)[number], Array<string | undefined>> = {
  [REPO]: [undefined, ...[...texts(5)].filter((t) => /^[^/]+\/.+$/.test(t) || /^.+\/[^/]+$/.test(t)).filter((t) => /^.+\/.+$/.test(t))],
  'aws:ResourceTag/team': [undefined, ...texts(3)],
};

/** IAM's wildcard match, by its textbook definition. */
function like(p: string, t: string): boolean {
  if (p === '') return t === '';
  if (p[0] === '*') return like(p.slice(1), t) || (t !== '' && like(p, t.slice(1)));
  return t !== '' && (p[0] === '?' || p[0] === t[0]) && like(p.slice(1), t.slice(1));
}

/** The condition's truth in one context, from the IAM documentation's rules. */
function holds(operator: string, values: string[], value: string | undefined): boolean {
  if (operator === 'Null') return value === undefined ? values.includes('true') : values.includes('false');
  const [set, rest] = operator.includes(':') ? (operator.split(':') as [string, string]) : [undefined, operator];
  const ifExists = rest.endsWith('IfExists');
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  const negated = base.includes('Not');
  if (value === undefined) return ifExists || set === 'ForAllValues' || (set !== 'ForAnyValue' && negated);
  const any = values.some((p) => (base.includes('Like') ? like(p, value) : p === value));
  return negated ? !any : any;
}

describe('property: a condition the evaluator calls scoping excludes some request context', () => {
  const operator = fc.constantFrom('StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'StringLikeIfExists', 'StringNotLikeIfExists', 'ForAnyValue:StringLike', 'ForAllValues:StringLike', 'ForAllValues:StringNotLike', 'Null');
  const pattern = fc.string({ unit: fc.constantFrom('a', 'b', '/', '*', '?'), maxLength: 4 });
  it('scoped ⇒ some context is excluded; a condition no context meets is never unconditional', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEYS), operator, fc.array(pattern, { minLength: 1, maxLength: 3 }), (key, op, raw) => {
        const values = op === 'Null' ? raw.map((v) => (v.length % 2 === 0 ? 'true' : 'false')) : raw;
        const got = reach(useIf({ [op]: { [key]: values } }), USE).reach;
        const excluded = contexts[key].some((v) => !holds(op, values, v));
        const included = contexts[key].some((v) => holds(op, values, v));
        if (got === 'scoped' && !excluded) return false;
        if (!included && got === 'unconditional') return false;
        return true;
      }),
      { numRuns: 1500 },
    );
  });
});
