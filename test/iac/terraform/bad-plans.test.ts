// Plans the adapter refuses: each a UserError naming the file and the place (line:col for JSON
// syntax, a JSON pointer for the plan's shape), never quoting a secret.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { jsonErrorAt } from '../../../src/io/json-error.js';
import { FIXTURES, loadText } from './helpers.js';

const FILE = `${FIXTURES}/inline/plan.json`;

async function error(text: string): Promise<string> {
  try {
    await loadText(text);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('loaded');
}

const change = (over: Record<string, unknown> = {}) => ({
  address: 'aws_iam_group.g',
  mode: 'managed',
  type: 'aws_iam_group',
  name: 'g',
  change: { actions: ['create'], before: null, after: { name: 'g', path: '/' }, after_unknown: { arn: true }, after_sensitive: {} },
  ...over,
});
const plan = (changes: unknown, version: unknown = '1.2') => JSON.stringify({ format_version: version, resource_changes: changes });

describe('bad terraform plans', () => {
  it('refuses an unsupported format_version, naming it', async () => {
    expect(await error(plan([], '0.2'))).toBe(`${FILE}: /format_version: unsupported plan format_version "0.2" (supported: 1.x, from Terraform 1.0 and later)`);
    expect(await error(plan([], '2.0'))).toBe(`${FILE}: /format_version: unsupported plan format_version "2.0" (supported: 1.x, from Terraform 1.0 and later)`);
    expect(await error(plan([], 1.2))).toBe(`${FILE}: /format_version: expected a string such as "1.2"`);
    // Control characters in the version are shown escaped, and a long one cut.
    expect(await error(plan([], `1.\u001b[31m${'9'.repeat(100)}`))).toBe(`${FILE}: /format_version: unsupported plan format_version "1.\\u001b[31m${'9'.repeat(53)}…" (supported: 1.x, from Terraform 1.0 and later)`);
  });

  it('places malformed JSON by line and column without quoting the text', async () => {
    expect(await error('{\n  "format_version": "1.2",\n  "resource_changes": [ghp_SecretInPlan]\n}')).toBe(`${FILE}:3:24: Terraform plan is not valid JSON: unexpected character where a value should be`);
    const msg = await error('{"format_version": "1.2", "resource_changes": [], "x": "ghp_Secret\u0001"}');
    expect(msg).toBe(`${FILE}:1:67: Terraform plan is not valid JSON: Bad control character in string literal`);
    expect(await error('{"format_version": "1.2", "resource_changes": [')).toMatch(new RegExp(`^${FILE}:1:\\d+: Terraform plan is not valid JSON: `));
  });

  it('names the JSON pointer of an odd shape', async () => {
    expect(await error('[]')).toBe(`${FILE}: /: a Terraform plan is a JSON object (terraform show -json PLAN)`);
    expect(await error(plan({}))).toBe(`${FILE}: /resource_changes: expected an array`);
    expect(await error(plan([change({ address: 7 })]))).toBe(`${FILE}: /resource_changes/0/address: expected a non-empty string`);
    expect(await error(plan([change(), change({ mode: 'other' })]))).toBe(`${FILE}: /resource_changes/1/mode: expected "managed" or "data", got "other"`);
    expect(await error(plan([change({ change: null })]))).toBe(`${FILE}: /resource_changes/0/change: expected an object`);
    expect(await error(plan([change({ change: { actions: ['create', 'explode'] } })]))).toBe(
      `${FILE}: /resource_changes/0/change/actions/1: unknown action "explode" (known: no-op, create, read, update, delete, forget)`,
    );
    expect(await error(plan([change({ change: { actions: [] } })]))).toBe(`${FILE}: /resource_changes/0/change/actions: expected an array of one or two actions`);
    expect(await error(plan([change({ change: { actions: ['create'], after: 'x' } })]))).toBe(`${FILE}: /resource_changes/0/change/after: expected an object for actions create`);
    expect(await error(plan([change({ index: { k: 1 } })]))).toBe(`${FILE}: /resource_changes/0/index: expected a string or a number`);
  });

  it('refuses a malformed --account', async () => {
    await expect(loadText(plan([]), { account: '12345' })).rejects.toThrow('--account: expected a 12-digit account id, got "12345"');
  });

  it('leaves forgotten and deposed objects out of the estate', async () => {
    const load = await loadText(
      plan([
        change({ change: { actions: ['forget'], before: { name: 'g' }, after: null } }),
        change({ address: 'aws_iam_group.h', name: 'h', deposed: '00000001', change: { actions: ['delete'], before: { name: 'h' }, after: null } }),
        change({ address: 'aws_iam_group.k', name: 'k', change: { actions: ['no-op'], before: { name: 'k' }, after: { name: 'k' }, after_unknown: {} } }),
      ]),
    );
    expect(load.units[0]?.worlds[0]?.snapshot.iamGroups.map((g) => g.name)).toEqual(['k']);
    expect(load.inputs[0]?.resources).toBe(1);
  });

  it('accepts a plan without changes and a delete-only plan as empty estates', async () => {
    const load = await loadText(plan([change({ change: { actions: ['delete'], before: { name: 'g' }, after: null } })]));
    expect(load.inputs).toEqual([{ file: FILE, format: 'terraform', resources: 0, unmapped: 0 }]);
    expect(load.units[0]?.worlds[0]?.snapshot.iamGroups).toEqual([]);
  });
});

describe('jsonErrorAt', () => {
  it('agrees with JSON.parse on whether text parses', () => {
    for (const t of ['{}', '[1,2,{"a":[true,false,null]}]', ' "x" ', '-0.5e+3', '{"a":"\\u00e9\\n"}']) {
      expect(JSON.parse(t)).toBeDefined();
      expect(jsonErrorAt(t)).toBeUndefined();
    }
    for (const t of ['{', '[1,]', '{"a" 1}', '{"a":1,}', '01', '"\\x"', 'tru', '{} {}', '']) {
      expect(() => JSON.parse(t)).toThrow();
      expect(jsonErrorAt(t)).toBeDefined();
    }
  });
});
