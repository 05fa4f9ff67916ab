// The GitHub Action (action.yml and its scripts in action/): its metadata against the action
// syntax, every action it uses pinned to a commit, its shell steps run here with a stand-in
// linkaudit for each exit code and with the real one on the demo, and every flag it passes known
// to `linkaudit scan --help`.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CLI, linkaudit } from './helpers/cli.js';

interface Step { id?: string; name?: string; if?: string; run?: string; shell?: string; uses?: string; with?: Record<string, string>; env?: Record<string, string> }
interface Action { inputs: Record<string, { description: string; default?: string }>; outputs: Record<string, { value: string }>; runs: { steps: Step[] } }

const ACTION = parse(readFileSync('action.yml', 'utf8')) as Action;
const ROOT = resolve('.');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'linkaudit-action-'));
}

/** Runs action/scan.sh as the Scan step would, the inputs given as the step's env. */
function scanStep(inputs: Record<string, string>, bin: string, cwd = tmp()) {
  const output = join(cwd, 'github-output');
  const summary = join(cwd, 'step-summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const r = spawnSync('bash', [join(ROOT, 'action/scan.sh')], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: cwd, GITHUB_ACTION_PATH: ROOT, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, LINKAUDIT_BIN: bin, ...inputs },
  });
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { status: r.status, stderr: r.stderr, outputs, summary: readFileSync(summary, 'utf8'), cwd };
}

function gateStep(code: string) {
  return spawnSync('bash', [join(ROOT, 'action/gate.sh')], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', EXIT_CODE: code } });
}

/** A stand-in linkaudit: records its arguments, writes the reports (unless asked to exit 2), exits as told. */
function standIn(dir: string, exit: number): string {
  const bin = join(dir, 'linkaudit-stand-in');
  writeFileSync(
    bin,
    `#!/usr/bin/env bash
printf '%s\\n' "$@" > "${dir}/args"
out=""; prev=""
for a in "$@"; do [[ "$prev" == "--output-dir" ]] && out="$a"; prev="$a"; done
if [[ ${exit} != 2 ]]; then
  echo '{"version":"2.1.0","runs":[]}' > "$out/linkaudit.sarif"
  echo '{"summary":{"total":{"fail":${exit === 1 ? 3 : 0},"pass":7,"unknown":1,"suppressed":0}}}' > "$out/linkaudit.json"
  echo '# stand-in report' > "$out/linkaudit.md"
else
  echo "linkaudit: --snapshot: no such file" >&2
fi
exit ${exit}
`,
  );
  chmodSync(bin, 0o755);
  return bin;
}

describe('action.yml', () => {
  it('is a composite action by GitHub\'s metadata syntax', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync('test/schemas/github-action.schema.json', 'utf8')) as object);
    expect(validate(ACTION), JSON.stringify(validate.errors)).toBe(true);
  });

  it('pins every action it uses to a full commit SHA with its version beside it', () => {
    const lines = readFileSync('action.yml', 'utf8').split('\n').filter((l) => /^\s*(-\s*)?uses:/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    for (const dir of ['examples/github-actions']) {
      for (const f of readdirSync(dir)) {
        for (const l of readFileSync(join(dir, f), 'utf8').split('\n').filter((x) => /^\s*(-\s*)?uses:/.test(x))) expect(l, `${dir}/${f}`).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      }
    }
  });

  it('declares the outputs the scan step writes, and wires every input it reads', () => {
    for (const name of ['exit-code', 'fail', 'pass', 'unknown', 'sarif', 'json', 'markdown']) expect(ACTION.outputs[name]?.value).toBe(`\${{ steps.scan.outputs.${name} }}`);
    const text = readFileSync('action.yml', 'utf8');
    for (const input of Object.keys(ACTION.inputs)) expect(text, input).toContain(`inputs.${input}`);
    for (const script of ['install.sh', 'scan.sh', 'gate.sh']) expect(existsSync(join('action', script)), script).toBe(true);
  });

  it('passes only flags that `linkaudit scan --help` lists', () => {
    const help = linkaudit(['scan', '--help']).stdout;
    const flags = new Set([...readFileSync('action/scan.sh', 'utf8').matchAll(/(?<![\w-])--[a-z][a-z-]+/g)].map((m) => m[0]));
    expect(flags.size).toBeGreaterThan(3);
    for (const f of flags) expect(help, f).toMatch(new RegExp(`\\s${f}\\s`));
  });
});

describe('the action\'s shell steps', () => {
  for (const exit of [0, 1, 2]) {
    it(`exit ${exit}: the scan step succeeds and records it, the gate step exits with it`, () => {
      const dir = tmp();
      const r = scanStep({ INPUT_SNAPSHOT: 'snap.json', INPUT_FAIL_ON: 'medium', INPUT_OUTPUT_DIR: 'reports', INPUT_STEP_SUMMARY: 'true' }, standIn(dir, exit), dir);
      expect(r.status).toBe(0);
      expect(r.outputs['exit-code']).toBe(String(exit));
      if (exit === 2) {
        expect(r.outputs).toMatchObject({ sarif: '', json: '', markdown: '', fail: '', pass: '', unknown: '' });
        expect(r.summary).toContain('wrote no report');
      } else {
        expect(r.outputs).toMatchObject({ sarif: 'reports/linkaudit.sarif', json: 'reports/linkaudit.json', markdown: 'reports/linkaudit.md', fail: exit === 1 ? '3' : '0', pass: '7', unknown: '1' });
        expect(r.summary).toBe('# stand-in report\n');
      }
      const args = readFileSync(join(dir, 'args'), 'utf8').split('\n');
      expect(args.slice(0, 7)).toEqual(['scan', '--format', 'sarif,json,markdown', '--output-dir', 'reports', '--fail-on', 'medium']);
      expect(args).toContain('--snapshot');
      expect(gateStep(String(exit)).status).toBe(exit);
    });
  }

  it('gives each iac line its own --iac, and splits args on white space without evaluating them', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'decoy-a'), '');
    writeFileSync(join(dir, 'decoy-b'), '');
    scanStep({ INPUT_IAC: '  cdk.out\n\nplan.json  \n', INPUT_ARGS: '--allow-partial $(touch pwned) `touch pwned2` * --account 111122223333' }, standIn(dir, 0), dir);
    const args = readFileSync(join(dir, 'args'), 'utf8').trimEnd().split('\n');
    expect(args).toEqual(['scan', '--format', 'sarif,json,markdown', '--output-dir', 'linkaudit-report', '--fail-on', 'high', '--iac', 'cdk.out', '--iac', 'plan.json', '--allow-partial', '$(touch', 'pwned)', '`touch', 'pwned2`', '*', '--account', '111122223333']);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
  });

  it('step-summary false writes no summary; a gate step without a recorded code fails with 2', () => {
    const dir = tmp();
    const r = scanStep({ INPUT_STEP_SUMMARY: 'false' }, standIn(dir, 0), dir);
    expect(r.summary).toBe('');
    expect(gateStep('').status).toBe(2);
  });

  it('scans the demo with the real linkaudit: exit 1 on its high findings, counts from its JSON report', () => {
    const r = scanStep({ INPUT_SNAPSHOT: resolve('fixtures/demo/snapshot.json'), INPUT_ARGS: `--config ${resolve('fixtures/demo/.linkaudit.yaml')}` }, CLI);
    expect(r.outputs['exit-code']).toBe('1');
    const report = JSON.parse(readFileSync(join(r.cwd, 'linkaudit-report', 'linkaudit.json'), 'utf8')) as { summary: { total: Record<string, number> } };
    expect(r.outputs.fail).toBe(String(report.summary.total.fail));
    expect(r.outputs.unknown).toBe(String(report.summary.total.unknown));
    expect(r.summary).toMatch(/^# linkaudit .* report/);
    expect(existsSync(join(r.cwd, 'linkaudit-report', 'linkaudit.sarif'))).toBe(true);
  });
});
