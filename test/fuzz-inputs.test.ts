// Fuzzing the inputs a user hands linkaudit: mutated snapshots and configs (wrong types, lengths,
// unicode, control characters, YAML anchors and aliases, deep nesting, huge numbers, other kinds
// of file). Loading and scanning either gives a result or a UserError: never another error (an
// internal error), never a hang. Bounded: a fixed number of runs per property.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScan } from '../src/commands/scan.js';
import { loadConfig } from '../src/config.js';
import { evaluateRules } from '../src/engine/evaluate.js';
import { loadRuleSet, type RuleSet } from '../src/engine/rule-set.js';
import { UserError } from '../src/errors.js';
import { parseJsonText } from '../src/io/files.js';
import { jsonTooDeepAt } from '../src/io/input-limits.js';
import { validateSnapshot } from '../src/model/load.js';
import { buildProject, pipeline, sourceCredential } from './helpers/snapshot.js';

const DEMO = resolve('fixtures/demo/snapshot.json');
const DEMO_TEXT = readFileSync(DEMO, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'linkaudit-fuzz-'));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Text that is hard on parsers, terminals and schema patterns. */
const nastyString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\u001b[2J', '\u202e', '\ud800', 'arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/vpce-svc-0', '*', '${aws:username}', 'a'.repeat(5000), '../../etc/passwd', 'true', '1e309', '__proto__', 'constructor'),
);

const nastyNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, 0.1, -1));

/** Nesting up to `depth`, deep enough to pass or hit the nesting limit. */
function nested(depth: number, leaf: Json): Json {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
}

const nastyValue: fc.Arbitrary<Json> = fc.oneof(
  nastyString,
  nastyNumber,
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.integer({ min: 1, max: 140 }).map((d) => nested(d, 'deep')),
  fc.array(nastyString, { maxLength: 5 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
);

/** Every path to a value in a JSON document. */
function paths(value: Json, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

type Mutation = { kind: 'set' | 'delete' | 'add' | 'duplicate'; at: number; value: Json; key: string };

function mutate(doc: Json, all: Array<Array<string | number>>, m: Mutation): Json {
  const copy = structuredClone(doc) as Json;
  const path = all[m.at % all.length] as Array<string | number>;
  if (path.length === 0) return m.kind === 'set' ? m.value : copy;
  const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string | number, Json>)[k] as Json, copy) as Record<string | number, Json> | Json[];
  const last = path[path.length - 1] as string | number;
  if (m.kind === 'set') (parent as Record<string | number, Json>)[last] = m.value;
  else if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last as string];
  } else if (m.kind === 'add' && !Array.isArray(parent)) parent[m.key] = m.value;
  else if (m.kind === 'duplicate' && Array.isArray(parent)) parent.push(structuredClone(parent[Number(last)]) as Json);
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constantFrom('set', 'delete', 'add', 'duplicate'), at: fc.nat(), value: nastyValue, key: nastyString });

/** Runs `work`; any error but a UserError is a failure of the property. */
function userErrorOrResult(work: () => unknown): void {
  try {
    work();
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
  }
}

describe('fuzzed snapshots: a result or a UserError', () => {
  let ruleSet: RuleSet;
  const demo = JSON.parse(DEMO_TEXT) as Json;
  const demoPaths = paths(demo);
  const settings = { trustedAccounts: ['111122223333'], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 };
  beforeAll(() => {
    ruleSet = loadRuleSet();
  });

  const loadAndScan = (text: string): void =>
    userErrorOrResult(() => {
      const snapshot = validateSnapshot(parseJsonText(text, 'fuzz.json', 'snapshot'), 'fuzz.json');
      evaluateRules(ruleSet.rules, snapshot, settings, ruleSet.runtime.bind).findings.forEach((f) => void f.message);
    });

  it('values mutated in place (types, strings, numbers, nesting, keys removed, added, repeated)', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        let doc = demo;
        // Paths of the document as mutated so far: an earlier mutation may have replaced what an old path led through.
        for (const m of ms) doc = mutate(doc, doc === demo ? demoPaths : paths(doc), m);
        loadAndScan(JSON.stringify(doc));
      }),
      { numRuns: 200 },
    );
  });

  it('values mutated in the collections added later (pipelines, build projects, source credentials; present or absent)', () => {
    const withCi = {
      ...(demo as Record<string, Json>),
      pipelines: [pipeline('release'), pipeline('legacy', { pipelineType: 'V1', triggers: [] })],
      buildProjects: [buildProject('app-build'), buildProject('web', { secondarySources: [{ type: 'S3', location: 'b/k', sourceIdentifier: 's' }], webhook: undefined })],
      sourceCredentials: [sourceCredential('GITHUB'), sourceCredential('BITBUCKET', { authType: 'BASIC_AUTH' })],
    } as unknown as Json;
    const ciPaths = paths(withCi).filter((p) => ['pipelines', 'buildProjects', 'sourceCredentials'].includes(String(p[0])));
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
        let doc = withCi;
        for (const m of ms) doc = mutate(doc, doc === withCi ? ciPaths : paths(doc), m);
        loadAndScan(JSON.stringify(doc));
      }),
      { numRuns: 200 },
    );
  });

  it('text cut, spliced or padded', () => {
    fc.assert(
      fc.property(fc.nat(DEMO_TEXT.length), fc.nat(50), fc.oneof(nastyString, fc.constantFrom('[', '{', ']', '}', '"', '\\', ',', '['.repeat(200))), (at, cut, insert) => {
        loadAndScan(DEMO_TEXT.slice(0, at) + insert + DEMO_TEXT.slice(at + cut));
      }),
      { numRuns: 300 },
    );
  });

  it('whole documents of the wrong kind or shape', () => {
    fc.assert(
      fc.property(nastyValue, (v) => loadAndScan(JSON.stringify(v) ?? 'null')),
      { numRuns: 200 },
    );
  });
});

describe('fuzzed configs: a result or a UserError', () => {
  const configValue: fc.Arbitrary<Record<string, Json>> = fc.dictionary(
    fc.oneof(fc.constantFrom('trustedAccounts', 'trustedOrganizations', 'pendingAcceptanceMaxDays', 'failOn', 'allowPartial', 'rulesDirs', 'skip', 'only', 'sarifCategory', 'suppressions'), nastyString),
    fc.oneof(
      nastyValue,
      fc.array(fc.record({ rule: fc.oneof(nastyString, fc.constant('endpoint-service-single-az')), resource: nastyString, reason: nastyString, expires: fc.oneof(nastyString, fc.constant('2999-01-01')) }), { maxLength: 3 }) as fc.Arbitrary<Json>,
      fc.constantFrom<Json>(['111122223333'], 'high', 'none', [], 7, -1, 1e309 as unknown as Json),
    ),
    { maxKeys: 5 },
  );

  /** YAML text: the value as JSON (a YAML subset), or with anchors, aliases and raw fragments. */
  const yamlText = fc.oneof(
    configValue.map((v) => JSON.stringify(v)),
    configValue.map((v) => Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${JSON.stringify(x)}`).join('\n')),
    fc.tuple(fc.nat(6), fc.nat(12)).map(([levels, width]) => {
      const lines = ['x0: &a0 [a]'];
      for (let i = 1; i <= levels; i++) lines.push(`x${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(', ')}]`);
      return `${lines.join('\n')}\ntrustedAccounts: []\n`;
    }),
    fc.array(fc.oneof(nastyString, fc.constantFrom('&a', '*a', '<<: *a', '- ', ': ', '? ', '|', '>', '!!binary', '!!js/function', '%YAML 1.1', '---', '...', '\t', '\n', '  ', '{', '[', '#')), { maxLength: 20 }).map((parts) => parts.join('')),
  );

  it('loading: a config or a UserError', () => {
    let n = 0;
    fc.assert(
      fc.property(yamlText, (text) => {
        const file = join(dir, `config-${n++}.yaml`);
        writeFileSync(file, text);
        userErrorOrResult(() => loadConfig(file));
      }),
      { numRuns: 250 },
    );
  });

  it('scanning the demo estate with it: a gate or a UserError', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(yamlText, async (text) => {
        const file = join(dir, `scan-config-${n++}.yaml`);
        writeFileSync(file, text);
        try {
          const outcome = await runScan({ snapshot: DEMO, config: file, format: ['json'], outputDir: join(dir, 'out'), rulesDir: [], only: [], skip: [], allowPartial: false, quiet: true }, () => {});
          expect([0, 1, 2]).toContain(outcome.gate.exitCode);
          expect(typeof outcome.input.gate.failOn).toBe('string');
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

describe('the JSON nesting pre-scan agrees with the parsed depth', () => {
  const depthOf = (v: unknown): number => (typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
  it('refuses exactly the documents deeper than the limit, whatever their strings hold', () => {
    const leaf = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('[', ']', '{', '}', '\\', '\\"', '"[[', '\\\\'), fc.integer());
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.jsonValue({ maxDepth: 4 }), leaf, (depth, v, s) => {
        const doc = nested(depth, [v as Json, s, { [String(s)]: s }]);
        const text = JSON.stringify(doc);
        const limit = 6;
        expect(jsonTooDeepAt(text, limit) !== undefined).toBe(depthOf(doc) > limit);
      }),
      { numRuns: 500 },
    );
  });
});
