// The check behind "a single-value option given twice is a usage error", on random option tables
// and random spellings (long, --name=value, camelCase, --no-name, short, short groups).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { positionalNames, repeatedOption, type OptionTable } from '../src/commands/repeated-options.js';

const name = fc.stringMatching(/^[a-z]{2,6}(-[a-z]{2,5})?$/);

const table = fc
  .uniqueArray(fc.record({ name, kind: fc.constantFrom('string', 'boolean', 'array'), short: fc.option(fc.constantFrom(...'abcdefgijkmnprstuwxyz'), { nil: undefined }) }), { minLength: 1, maxLength: 6, selector: (o) => o.name })
  .map((opts) => {
    const seen = new Set<string>();
    return opts.map((o) => {
      if (o.short === undefined || seen.has(o.short)) return { ...o, short: undefined };
      seen.add(o.short);
      return o;
    });
  });

type Opt = { name: string; kind: string; short: string | undefined };

function optionTable(opts: Opt[]): OptionTable {
  const alias: Record<string, string[]> = {};
  for (const o of opts) if (o.short) {
    alias[o.name] = [o.short];
    alias[o.short] = [o.name];
  }
  const keys = opts.flatMap((o) => [o.name, ...(o.short ? [o.short] : [])]);
  return {
    key: Object.fromEntries(keys.map((k) => [k, true])),
    array: opts.filter((o) => o.kind === 'array').flatMap((o) => [o.name, ...(o.short ? [o.short] : [])]),
    boolean: opts.filter((o) => o.kind === 'boolean').flatMap((o) => [o.name, ...(o.short ? [o.short] : [])]),
    alias,
  };
}

const camel = (n: string): string => n.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());

function spell(o: Opt, form: number): string[] {
  const value = o.kind === 'boolean' ? [] : ['v'];
  const forms: string[][] = [[`--${o.name}`, ...value], [`--${camel(o.name)}`, ...value], o.kind === 'boolean' ? [`--no-${o.name}`] : [`--${o.name}=v`]];
  if (o.short) forms.push([`-${o.short}`, ...value]);
  return forms[form % forms.length] as string[];
}

describe('repeatedOption', () => {
  it('names an option mentioned twice in any spellings unless it is an array; never flags one mention', () => {
    fc.assert(
      fc.property(table, fc.array(fc.tuple(fc.nat(), fc.nat(3)), { maxLength: 8 }), (opts, picks) => {
        const mentions = picks.map(([i, form]) => ({ o: opts[i % opts.length] as Opt, form }));
        const argv = mentions.flatMap(({ o, form }) => spell(o, form));
        const counts = new Map<string, number>();
        for (const { o } of mentions) counts.set(o.name, (counts.get(o.name) ?? 0) + 1);
        const repeated = opts.filter((o) => o.kind !== 'array' && (counts.get(o.name) ?? 0) > 1);
        const message = repeatedOption(argv, optionTable(opts));
        if (repeated.length === 0) expect(message).toBeUndefined();
        else {
          expect(message).toBeDefined();
          expect(repeated.some((o) => (message as string).startsWith(`--${o.name}`))).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads short-flag groups and stops at --', () => {
    const t = optionTable([
      { name: 'quiet', kind: 'boolean', short: 'q' },
      { name: 'output', kind: 'string', short: 'o' },
    ]);
    expect(repeatedOption(['-qo', 'f', '--output', 'g'], t)).toMatch(/^--output\/-o given 2 times/);
    expect(repeatedOption(['-qq'], t)).toMatch(/^--quiet\/-q given 2 times/);
    expect(repeatedOption(['-o', 'f', '--', '--output', 'g'], t)).toBeUndefined();
    expect(repeatedOption(['--output', '-1'], t)).toBeUndefined();
  });

  it('counts a <positional> as one mention', () => {
    const t: OptionTable = { key: { old: true, new: true }, array: [], boolean: [], alias: {} };
    expect(positionalNames('diff <old> <new>')).toEqual(['old', 'new']);
    expect(positionalNames('merge <files..>')).toEqual([]);
    expect(repeatedOption(['a', 'b'], t, ['old', 'new'])).toBeUndefined();
    expect(repeatedOption(['a', 'b', '--new', 'c'], t, ['old', 'new'])).toMatch(/^<new> given 2 times/);
  });
});
