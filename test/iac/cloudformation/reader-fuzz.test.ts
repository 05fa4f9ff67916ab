// Random mutations of hand-written templates: the reader gives an IacLoad or a UserError, never
// another error (a TypeError would be a bug a hostile template can trigger). And the JSON parser
// agrees with JSON.parse on every value and every refusal.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCloudFormationFile } from '../../../src/collectors/iac/cloudformation/index.js';
import { parseJsonTree } from '../../../src/collectors/iac/cloudformation/parse-json.js';
import { plain } from '../../../src/collectors/iac/cloudformation/positions.js';
import { UserError } from '../../../src/errors.js';
import { ENV, FIXTURES, recordingMappers } from './reader-helpers.js';

const SOURCES = ['short-form.yaml', 'long-form.json', 'worlds.yaml', 'sam.yaml', 'nested/child.yaml', 'conditional-ref.yaml', 'macro.json'].map((name) => ({ name, text: readFileSync(`${FIXTURES}/${name}`, 'utf8') }));

const TOKENS = ['!Ref ', '!GetAtt ', '!Sub ', '!If ', '!Condition ', '!Equals ', '!Frob ', '{', '}', '[', ']', ':', ',', '"', "'", '\n', '  ', '- ', '&a ', '*a', '#', 'Fn::If', 'Fn::Sub', 'Ref', 'Condition', 'AWS::NoValue', '${', '}', 'Resources', 'Type', '|', '>', '\\', '\u0000', '0', 'true', 'null'];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('copy' as const), at: fc.nat(), from: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
);

function mutate(text: string, ms: Array<fc.Arbitrary<unknown> extends never ? never : { kind: 'insert'; at: number; text: string } | { kind: 'delete'; at: number; length: number } | { kind: 'copy'; at: number; from: number; length: number }>): string {
  let t = text;
  for (const m of ms) {
    const at = t.length === 0 ? 0 : m.at % t.length;
    if (m.kind === 'insert') t = t.slice(0, at) + m.text + t.slice(at);
    else if (m.kind === 'delete') t = t.slice(0, at) + t.slice(at + m.length);
    else {
      const from = t.length === 0 ? 0 : m.from % t.length;
      t = t.slice(0, at) + t.slice(from, from + m.length) + t.slice(at);
    }
  }
  return t;
}

describe('CloudFormation reader: mutated templates', () => {
  it('give a load or a UserError, never another error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SOURCES), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), async (src, ms, env) => {
        const text = mutate(src.text, ms);
        try {
          const load = await loadCloudFormationFile(`${FIXTURES}/${src.name}`, text, env ? ENV : { parameters: { Env: 'dev' } }, recordingMappers().mappers);
          expect(load.units).toHaveLength(1);
          expect(load.units[0]?.worlds.length).toBeGreaterThan(0);
          expect(load.units[0]?.worlds.length).toBeLessThanOrEqual(64);
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          // Every refusal names the file (and, for what has a place, its line:col).
          expect(err.message.startsWith(`${FIXTURES}/`)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('CloudFormation reader: the JSON parser', () => {
  it('reads every JSON value as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (v, pretty) => {
        const text = JSON.stringify(v, null, pretty ? 2 : undefined);
        expect(plain(parseJsonTree(text, 'x.json'))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what JSON.parse refuses (a UserError), and accepts what it accepts', () => {
    const text = '{"a": [1, -2.5e3, "x\\u00e9\\n", true, null, {"b": {}}], "c": ""}';
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
        const t = mutate(text, ms);
        let expected: unknown;
        let valid = true;
        try {
          expected = JSON.parse(t);
        } catch {
          valid = false;
        }
        let duplicate = false;
        try {
          const got = plain(parseJsonTree(t, 'x.json'));
          expect(valid).toBe(true);
          expect(got).toEqual(expected);
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          duplicate = /duplicate key/.test(err.message);
          // Valid JSON is refused only for a duplicate key, which CloudFormation's meaning leaves open.
          expect(!valid || duplicate).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
