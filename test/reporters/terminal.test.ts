// The terminal summary: colour only when it should, every line of estate text escaped, and the
// CLI choosing it only for a person at a terminal who asked for no format.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/engine/types.js';
import { renderTerminal, useColor } from '../../src/reporters/terminal.js';
import { CLI } from '../helpers/cli.js';
import { COVERAGE, FINDINGS, reportInput } from './fixtures.js';

const hostile = fc
  .array(fc.oneof(fc.constantFrom('\n', '\r', '\t', '\u001b[2J', '\u001b]8;;http://x\u0007', '\u0000', '\u0085', '\u009b31m', '\u202e', '\u2067', '\u007f'), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(''));

/** What the renderer itself may emit: SGR colour sequences and newlines; nothing else below U+0020. */
function stripOwn(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '').replace(/\n/g, '');
}
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('useColor', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: 'false' }, true, false],
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, true, false],
  ])('%j on a TTY=%s: %s', (env, tty, expected) => {
    expect(useColor(env as NodeJS.ProcessEnv, tty)).toBe(expected);
  });
});

describe('renderTerminal', () => {
  it('lists fails and unknowns most severe first, in report order among equals, whatever order they come in', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ severity: fc.constantFrom('critical', 'high', 'medium', 'low', 'info' as const), status: fc.constantFrom('fail', 'unknown' as const) }), { minLength: 1, maxLength: 40 }), (picked) => {
        const base = FINDINGS[0] as Finding;
        const findings = picked.map((p, i): Finding => ({ ...base, ...p, resource: { ...base.resource, arn: `arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-${String(i).padStart(3, '0')}` }, message: `msg-${String(i).padStart(3, '0')}` }));
        const text = renderTerminal(reportInput({ findings, coverage: [] }), { color: false });
        const rank = ['critical', 'high', 'medium', 'low', 'info'];
        for (const status of ['fail', 'unknown'] as const) {
          const expected = findings
            .map((f, i) => ({ f, i }))
            .filter((x) => x.f.status === status)
            .sort((a, b) => rank.indexOf(a.f.severity) - rank.indexOf(b.f.severity) || a.i - b.i)
            .slice(0, status === 'fail' ? 25 : 10)
            .map((x) => x.f.message);
          const section = text.split(status === 'fail' ? 'Failing (' : 'Unknown (')[1] ?? '';
          const shown = [...(section.split('\n\n')[0] ?? '').matchAll(/msg-\d{3}/g)].map((m) => m[0]);
          expect(shown).toEqual(expected);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('without colour writes no escape sequence; with colour only SGR sequences', () => {
    const input = reportInput();
    const plain = renderTerminal(input, { color: false });
    expect(plain).not.toContain('\u001b');
    expect(plain).toMatch(/gate (PASS|FAIL)/);
    const colored = renderTerminal(input, { color: true });
    expect(stripOwn(colored)).not.toMatch(RAW_CONTROL);
    expect(colored.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('lists the fails most severe first, the unknowns and the coverage gaps', () => {
    const out = renderTerminal(reportInput(), { color: false });
    const fails = FINDINGS.filter((f) => f.status === 'fail');
    expect(out).toContain(`Failing (${fails.length})`);
    const order = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map((s) => out.indexOf(`  ${s} `)).filter((i) => i >= 0);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    if (FINDINGS.some((f) => f.status === 'unknown')) expect(out).toContain('Unknown (');
    expect(out).toContain(`Coverage gaps (${COVERAGE.length})`);
  });

  it('escapes whatever a resource name, message or gap carries, and keeps one line per item', () => {
    fc.assert(
      fc.property(hostile, hostile, (name, message) => {
        const findings: Finding[] = FINDINGS.map((f) => ({ ...f, message, resource: { ...f.resource, name } }));
        const coverage = COVERAGE.map((c) => ({ ...c, message, errorCode: name }));
        for (const color of [false, true]) {
          const out = renderTerminal(reportInput({ findings, coverage }), { color });
          expect(stripOwn(out)).not.toMatch(RAW_CONTROL);
          // No line was added or taken by the text: as many as with plain names and messages.
          const benign = renderTerminal(reportInput({ findings: FINDINGS.map((f) => ({ ...f, message: 'm', resource: { ...f.resource, name: 'n' } })), coverage: COVERAGE.map((c) => ({ ...c, message: 'm', errorCode: 'e' })) }), { color });
          expect(out.split('\n').length).toBe(benign.split('\n').length);
        }
      }),
    );
  });
});

describe('scan on a terminal', () => {
  const DEMO = resolve('fixtures/demo/snapshot.json');
  const viaTty = (env: Record<string, string>, extra: string[] = []) => {
    // util-linux `script` gives the command a pseudo-terminal, as a person's shell would.
    const cmd = [process.execPath, CLI, 'scan', '--snapshot', DEMO, '--fail-on', 'none', ...extra].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', TERM: 'xterm', ...env } });
    return { status: r.status, stdout: r.stdout };
  };

  it('prints the coloured summary, not Markdown, and no colour with NO_COLOR', () => {
    const colored = viaTty({});
    expect(colored.status).toBe(0);
    expect(colored.stdout).toMatch(/\u001b\[1mlinkaudit \d/);
    expect(colored.stdout).not.toContain('# linkaudit');
    const plain = viaTty({ NO_COLOR: '1' });
    expect(plain.stdout).toMatch(/^linkaudit \d+\.\d+\.\d+ {2}gate PASS/);
    expect(plain.stdout).not.toContain('\u001b[');
  });

  it('an explicit --format on a terminal, and any piped output, stay the report asked for', () => {
    expect(viaTty({ NO_COLOR: '1' }, ['--format', 'markdown']).stdout).toContain('# linkaudit');
    const piped = spawnSync(process.execPath, [CLI, 'scan', '--snapshot', DEMO, '--fail-on', 'none'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', FORCE_COLOR: '1' } });
    expect(piped.stdout.startsWith('# linkaudit')).toBe(true);
    expect(piped.stdout).not.toContain('\u001b[');
  });
});
