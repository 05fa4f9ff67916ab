// Mutated plans: an IacLoad whose snapshot is schema-valid, or a UserError; never another error.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { validator } from '../../../src/schema/validate.js';
import { ESTATE, FIXTURES, fixturePath, loadFixture, loadText, snapshotOf } from './helpers.js';

const PLANS = ['estate/plan.json', 'existing/plan.json', 'instances/plan.json', 'elsewhere/plans/plan.json'];
const validate = validator('snapshot');

type J = null | boolean | number | string | J[] | { [k: string]: J };

/** Every path to a value in the document. */
function paths(v: J, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k] as J, [...at, k], out);
  return out;
}

function setAt(doc: J, path: Array<string | number>, value: J | undefined): J {
  if (path.length === 0) return value ?? null;
  const copy = structuredClone(doc) as { [k: string]: J };
  let node: J = copy;
  for (const k of path.slice(0, -1)) node = (node as { [k: string]: J })[k as string] as J;
  const last = path[path.length - 1] as string;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete (node as { [k: string]: J })[last];
  } else (node as { [k: string]: J })[last] = value;
  return copy;
}

async function outcome(text: string): Promise<'load' | 'user-error'> {
  try {
    const load = await loadText(text, { account: '111122223333' });
    for (const u of load.units) for (const w of u.worlds) if (!validate(w.snapshot)) throw new Error(`invalid snapshot: ${JSON.stringify(validate.errors?.[0])}`);
    return 'load';
  } catch (err) {
    if (err instanceof UserError) return 'user-error';
    throw err;
  }
}

describe('terraform plan fuzzing', () => {
  it('every fixture gives a schema-valid snapshot', async () => {
    for (const p of PLANS) {
      const s = snapshotOf(await loadFixture(p));
      expect(validate(s), `${p}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  for (const p of PLANS) {
    const doc = JSON.parse(readFileSync(fixturePath(p), 'utf8')) as J;
    const all = paths(doc);
    it(`mutated values of ${p}: a load or a UserError`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.nat(all.length - 1), fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined })), { minLength: 1, maxLength: 4 }), async (edits) => {
          let d = doc;
          for (const [i, v] of edits) {
            try {
              d = setAt(d, all[i] as Array<string | number>, v as J | undefined);
            } catch {
              // The path no longer exists after an earlier edit.
            }
          }
          expect(['load', 'user-error']).toContain(await outcome(JSON.stringify(d)));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('truncated and spliced text: a load or a UserError', async () => {
    const text = readFileSync(`${ESTATE}/plan.json`, 'utf8');
    await fc.assert(
      fc.asyncProperty(fc.nat(text.length), fc.string({ maxLength: 8 }), async (at, insert) => {
        expect(['load', 'user-error']).toContain(await outcome(text.slice(0, at) + insert + text.slice(at)));
        expect(['load', 'user-error']).toContain(await outcome(text.slice(0, at)));
      }),
      { numRuns: 100 },
    );
  });
});
