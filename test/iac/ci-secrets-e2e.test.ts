// Pipelines and builds through the built CLI with a token in every place templates and plans
// carry one (OAuthToken literal and NoEcho, a CodeBuild action's EnvironmentVariables, a source
// location's user-info, a secondary source, a buildspec's env.variables, a PLAINTEXT variable, a
// source credential's Token; in the Terraform plan: the sensitive OAuthToken and credential token,
// a token pasted into a GitLab URL). A test rule pack puts every field of every pipeline, project
// and credential into the evidence of a failing finding, so a secret the model kept would show in
// the reports: none does, in any format, message or the terminal.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linkaudit } from './../helpers/cli.js';

const out = mkdtempSync(join(tmpdir(), 'linkaudit-ci-secrets-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('scan --iac: pipelines and builds hold no secret', () => {
  it('in no report, message or evidence, while the resources themselves are reported', () => {
    const r = linkaudit([
      'scan', '--iac', 'test/fixtures/iac/e2e/ci-secrets.yaml', '--iac', 'fixtures/demo-iac/terraform/plan.json', '--rules-dir', 'test/fixtures/iac/e2e/ci-dump-rules',
      '--account', '111122223333', '--region', 'eu-west-1', '--format', 'sarif,json,markdown,junit', '--output-dir', out, '--fail-on', 'none', '--allow-partial',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const texts = [r.stdout, r.stderr, ...readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8'))];
    expect(texts.length).toBe(6);
    for (const t of texts) {
      expect(t).not.toMatch(/ghp_[A-Za-z0-9]{6}/);
      expect(t).not.toMatch(/ATBBCi|glpat-|DemoFixtureToken/);
    }
    // The dump rules did render the resources: the evidence is there, with its redactions.
    const json = readFileSync(join(out, 'linkaudit.json'), 'utf8');
    for (const rule of ['test-dump-pipeline', 'test-dump-build-project', 'test-dump-source-credential']) expect(json).toContain(rule);
    expect(json).toContain('https://REDACTED@bitbucket.org/example/app.git');
    expect(json).toContain('https://REDACTED@gitlab.com/example-corp/infra-modules.git');
    expect(json).toContain('GH_TOKEN: REDACTED');
    expect(json).toContain('"OAuthToken":"REDACTED"');
  });
});
