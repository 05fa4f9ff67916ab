// The fast YAML path (fast-yaml.ts) against the yaml package (parse-yaml.ts): whatever the fast
// path accepts, it reads into the same tree, positions included; what it does not, it leaves to
// the yaml package (undefined), which then reads or refuses it.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastYamlTree, plainValue } from '../../../src/collectors/iac/cloudformation/fast-yaml.js';
import { parseYamlTree } from '../../../src/collectors/iac/cloudformation/parse-yaml.js';
import { contentEnd, type TNode } from '../../../src/collectors/iac/cloudformation/positions.js';
import { UserError } from '../../../src/errors.js';
import { bigTemplate } from '../../fixtures/iac/cloudformation/generate-big.js';
import { FIXTURES } from './reader-helpers.js';

/** Block collections' ends as locations use them (contentEnd): the yaml package may count trailing comments in. */
function norm(n: TNode | undefined, text: string): TNode | undefined {
  if (!n || n.kind === 'scalar') return n;
  const end = contentEnd(n, text);
  return n.kind === 'map' ? { ...n, end, values: n.values.map((v) => norm(v, text) as TNode) } : { ...n, end, items: n.items.map((v) => norm(v, text) as TNode) };
}

const NAMES = ['short-form.yaml', 'worlds.yaml', 'sam.yaml', 'nested/parent.yaml', 'nested/child.yaml', 'nested/self.yaml', 'nested/missing-child.yaml', 'many-conditions.yaml', 'conditional-ref.yaml', 'block-style.yaml'];
const TEXTS = NAMES.map((n) => readFileSync(`${FIXTURES}/${n}`, 'utf8'));

describe('fast YAML path', () => {
  it.each(NAMES.map((n, i) => [n, TEXTS[i] as string]))('reads %s as the yaml package does', (name, text) => {
    const fast = fastYamlTree(text);
    expect(fast, `${name}: the fast path should take hand-written templates`).toBeDefined();
    expect(norm(fast, text)).toEqual(norm(parseYamlTree(text, name), text));
  });

  it('reads the generated benchmark template as the yaml package does', () => {
    const { yaml } = bigTemplate(100);
    expect(norm(fastYamlTree(yaml), yaml)).toEqual(norm(parseYamlTree(yaml, 'big.yaml'), yaml));
  });

  it('leaves what it does not read to the yaml package', () => {
    for (const text of ['a: "esc\\x41"\n', 'a: &x 1\nb: *x\n', 'a: |2\n  text\n', 'a: >\n  x\n    more\n', '---\na: 1\n', 'a: long\n  continued\n', 'a:\tb\n', 'a: 1\na: 2\n', 'a: !Frob x\n', 'a: [1, 2,]\n']) {
      expect(fastYamlTree(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('types plain scalars as the core schema does', () => {
    const cases: Array<[string, unknown]> = [
      ['true', true],
      ['False', false],
      ['~', null],
      ['NULL', null],
      ['12', 12],
      ['+12', 12],
      ['012', 12],
      ['0o17', 15],
      ['0x1F', 31],
      ['1.5', 1.5],
      ['1e3', 1000],
      ['.inf', Infinity],
      ['-.Inf', -Infinity],
      ['2012-10-17', '2012-10-17'],
      ['yes', 'yes'],
      ['0.0.0.0/0', '0.0.0.0/0'],
    ];
    for (const [s, v] of cases) {
      expect(plainValue(s), s).toEqual(v);
      expect(parseYamlTree(`a: ${s}\n`, 'x.yaml')).toMatchObject({ values: [{ value: v }] });
    }
  });

  it('agrees with the yaml package on mutated templates (or leaves them to it)', () => {
    const TOKENS = ['\\', '\\n', '\\u00e9', '\\x41', '|', '|-', '>', '>+', '\n\n', '-\n', '!Ref ', '!GetAtt A.B', '!Sub', '{', '}', '[', ']', ':', ': ', ',', '"', "'", '\n', '  ', '- ', '#', ' # c', 'Fn::If', '~', '12', '0x1', 'true', '!If [C, a, b]'];
    fc.assert(
      fc.property(
        fc.constantFrom(...TEXTS),
        fc.array(fc.record({ at: fc.nat(), del: fc.integer({ min: 0, max: 6 }), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })) }), { minLength: 1, maxLength: 3 }),
        (source, edits) => {
          let t = source;
          for (const e of edits) {
            const at = e.at % (t.length + 1);
            t = t.slice(0, at) + e.text + t.slice(at + e.del);
          }
          const fast = fastYamlTree(t);
          if (fast === undefined) return;
          let slow: unknown;
          try {
            slow = parseYamlTree(t, 'x.yaml');
          } catch (err) {
            if (err instanceof UserError) throw new Error(`the fast path read what the yaml package refuses: ${JSON.stringify(t)}: ${err.message}`);
            throw err;
          }
          expect(norm(fast, t)).toEqual(norm(slow as TNode, t));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
