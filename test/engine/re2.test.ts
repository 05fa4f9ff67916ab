// CEL regexes are RE2: linear time whatever a tag holds, RE2 syntax, refused at load when RE2 would.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { loadRuleSet } from '../../src/engine/rule-set.js';
import type { Finding, RuleSettings } from '../../src/engine/types.js';
import { validateSnapshot } from '../../src/model/load.js';
import { ruleYaml } from '../helpers/rules.js';
import { emptySnapshot, endpointService } from '../helpers/snapshot.js';

const settings: RuleSettings = { trustedAccounts: [], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 };

function packWithFail(id: string, fail: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-re2-'));
  writeFileSync(join(dir, `${id}.yaml`), ruleYaml(id, (s) => s.replace('fail: size(resource.availabilityZones) < 2', `fail: ${JSON.stringify(fail)}`)));
  return dir;
}

function evaluate(fail: string, tags: Record<string, string>): Finding {
  const id = 'regex-rule';
  const set = loadRuleSet([packWithFail(id, fail)]);
  const rule = set.rules.filter((r) => r.meta.id === id);
  const snapshot = validateSnapshot(emptySnapshot({ endpointServices: [endpointService('vpce-svc-0a', { tags })] }), 'test');
  const [f] = evaluateRules(rule, snapshot, settings, set.runtime.bind).findings;
  if (!f) throw new Error('no finding');
  return f;
}

// The compiled fast path, the careful closures and cel-js's interpreter (a timestamp keeps the
// expression outside the compiled subset) must all match with RE2.
const PATHS: Record<string, (m: string) => string> = {
  compiled: (m) => m,
  interpreter: (m) => `${m} && now > timestamp("2000-01-01T00:00:00Z")`,
};

describe('CEL matches() is RE2', () => {
  for (const [path, wrap] of Object.entries(PATHS)) {
    it(`a catastrophic-backtracking pattern against a long tag value ends (${path})`, () => {
      const f = evaluate(wrap('resource.tags["team"].matches("^(a+)+$")'), { team: `${'a'.repeat(5000)}!` });
      expect(f.status).toBe('pass');
    }, 20_000);

    it(`RE2 syntax: \\d, (?i) and unanchored search hold (${path})`, () => {
      expect(evaluate(wrap('resource.tags["team"].matches("(?i)^team-\\\\d+$")'), { team: 'TEAM-42' }).status).toBe('fail');
      expect(evaluate(wrap('resource.tags["team"].matches("am-4")'), { team: 'team-42' }).status).toBe('fail');
      expect(evaluate(wrap('resource.tags["team"].matches("^\\\\d+$")'), { team: 'x1' }).status).toBe('pass');
    });

    it(`a non-literal pattern RE2 refuses gives unknown for that resource, not a verdict (${path})`, () => {
      const f = evaluate(wrap('resource.tags["team"].matches(resource.tags["pattern"])'), { team: 'ab', pattern: 'a(?=b)' });
      expect(f.status).toBe('unknown');
    });
  }

  it('a literal lookahead is refused when the rule loads, naming file, line and column', () => {
    const dir = packWithFail('lookahead', 'resource.tags["team"].matches("a(?=b)")');
    let err: unknown;
    try {
      loadRuleSet([dir]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/lookahead\.yaml:11:\d+: \/fail: matches\(\): invalid RE2 pattern "a\(\?=b\)"/);
  });

  it('a literal backreference is refused when the rule loads', () => {
    expect(() => loadRuleSet([packWithFail('backref', 'resource.tags["team"].matches("(a)\\\\1")')])).toThrow(/backref\.yaml:11:\d+: \/fail: matches\(\): invalid RE2 pattern/);
  });
});
