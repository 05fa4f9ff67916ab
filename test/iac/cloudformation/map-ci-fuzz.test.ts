// Pipelines, projects and source credentials with arbitrary property values (shapes right and
// wrong, Unresolved anywhere, references that join or not): mapping gives a schema-valid model
// and never throws, and a token placed where templates carry secrets (OAuthToken, a source
// credential's Token, an environment variable's Value, a location's user-info, a buildspec's
// env.variables) never reaches it.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCloudFormationFile } from '../../../src/collectors/iac/cloudformation/index.js';
import { UserError } from '../../../src/errors.js';
import { validator } from '../../../src/schema/validate.js';
import { mapStack } from '../../../src/collectors/iac/cloudformation/map.js';
import { Unresolved, type CfnResource, type CfnValue } from '../../../src/collectors/iac/cloudformation/template-types.js';
import { res, schemaProblems, snapshotOf, stack, unknownEnv } from './map-fixture.js';

const TOKEN = 'ghp_FuzzPlantedToken0123456789ABCDEFGHIJ';
const CONN = 'arn:aws:codeconnections:us-east-1:111122223333:connection/iac:templates/net.yaml#Conn';

const word = fc.oneof(
  fc.constantFrom('Source', 'Build', 'AWS', 'ThirdParty', 'GitHub', 'CodeStarSourceConnection', 'CodeBuild', 'S3', '1', 'main', '**', 'OPEN', 'CODE_ZIP', 'CODEBUILD_CLONE_REF'),
  fc.constantFrom('CODEPIPELINE', 'GITHUB', 'BITBUCKET', 'CODECONNECTIONS', 'OAUTH', 'SECRETS_MANAGER', 'PERSONAL_ACCESS_TOKEN', 'PLAINTEXT', 'EVENT', 'PUSH', 'V1', 'V2', 'true', 'False', '0', '-1', 'app-build'),
  fc.constantFrom(CONN, 'iac:templates/net.yaml#Build', 'iac:templates/net.yaml#Role', 'builder', 'arn:aws:iam::111122223333:role/builder', 'arn:aws:iam::111122223333:role/iac:templates/net.yaml#Role'),
  fc.constantFrom('https://github.com/e/a.git', 'version: 0.2\nphases:\n  build:\n    commands:\n      - git describe\n', 'buildspec.yml', '- a\n- b\n', '{{resolve:ssm:/x}}', '[{"name":"A","value":"v"}]', '****'),
  fc.string({ maxLength: 6 }),
);
const key = fc.constantFrom(
  'Name', 'Actions', 'ActionTypeId', 'Category', 'Owner', 'Provider', 'Version', 'Configuration', 'ConnectionArn', 'ProjectName', 'BranchName', 'OutputArtifactFormat',
  'EnvironmentVariables', 'InputArtifacts', 'OutputArtifacts', 'RunOrder', 'RoleArn', 'Region', 'Namespace', 'GitConfiguration', 'Push', 'PullRequest', 'Branches', 'Includes',
  'Excludes', 'Events', 'FilePaths', 'Tags', 'SourceActionName', 'ProviderType', 'Type', 'Location', 'BuildSpec', 'Auth', 'Resource', 'GitCloneDepth', 'ReportBuildStatus',
  'SourceIdentifier', 'Webhook', 'FilterGroups', 'Pattern', 'ExcludeMatchedPattern', 'BuildType', 'Key', '__proto__',
);
const value: fc.Arbitrary<CfnValue> = fc.letrec<{ v: CfnValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    word,
    fc.boolean(),
    fc.integer({ min: -2, max: 5 }),
    fc.constant(null),
    fc.constant(new Unresolved('Ref', 'parameter P has no value')),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** Where templates carry secrets, with the token in them (and arbitrary values elsewhere). */
const secretAction = fc.record({
  Name: word,
  ActionTypeId: fc.record({ Category: word, Owner: word, Provider: word, Version: word }),
  Configuration: fc.record({ OAuthToken: fc.constantFrom(TOKEN, `{{resolve:secretsmanager:${TOKEN}}}`), ApiKey: fc.constant(TOKEN), ProjectName: word, EnvironmentVariables: fc.constant(JSON.stringify([{ name: 'T', value: TOKEN, type: 'PLAINTEXT' }])) }),
  OutputArtifacts: fc.constant<CfnValue>([{ Name: 'Src' }]),
});
const secretSource = fc.record({
  Type: word,
  Location: fc.constantFrom(`https://x-token-auth:${TOKEN}@bitbucket.org/e/a.git`, `https://${TOKEN}@github.com/e/a.git`, `https://user:${TOKEN}@gitlab.com/e/a.git`),
  BuildSpec: fc.constantFrom(`version: 0.2\nenv:\n  variables:\n    T: ${TOKEN}\n`, `version: 0.2\nenv:\n  variables:\n    T: &t ${TOKEN}\nphases:\n  build:\n    commands:\n      - *t\n`),
  Auth: fc.record({ Type: fc.constantFrom('OAUTH', 'CODECONNECTIONS'), Resource: fc.constant(TOKEN) }),
});

const TYPES = ['AWS::CodePipeline::Pipeline', 'AWS::CodeBuild::Project', 'AWS::CodeBuild::SourceCredential', 'AWS::IAM::Role', 'AWS::CodeConnections::Connection'];
const IDS = ['Pipeline', 'Build', 'Role', 'Conn', 'Cred'];

describe('pipeline and build mapping on arbitrary values', () => {
  it('gives a schema-valid model and never throws', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.constantFrom(...IDS), type: fc.constantFrom(...TYPES), props: fc.dictionary(key, value, { maxKeys: 6 }) }), { maxLength: 6 }), fc.boolean(), (specs, known) => {
        const seen = new Set<string>();
        const list: CfnResource[] = [];
        for (const s of specs) {
          if (seen.has(s.id)) continue;
          seen.add(s.id);
          list.push(res(s.id, s.type, s.props, 4 + list.length * 20));
        }
        const st = known ? stack(list) : unknownEnv(list);
        expect(schemaProblems(snapshotOf(st, mapStack(st)))).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('never carries a token from where templates put secrets', () => {
    fc.assert(
      fc.property(
        fc.array(secretAction, { minLength: 1, maxLength: 2 }),
        secretSource,
        fc.array(secretSource, { maxLength: 2 }),
        fc.constantFrom('PERSONAL_ACCESS_TOKEN', 'BASIC_AUTH', 'OAUTH', 'CODECONNECTIONS', 'SECRETS_MANAGER'),
        (actions, source, secondary, authType) => {
          const st = stack([
            res('Pipeline', 'AWS::CodePipeline::Pipeline', { RoleArn: 'arn:aws:iam::111122223333:role/p', Stages: [{ Name: 'S', Actions: actions }] }, 4),
            res('Build', 'AWS::CodeBuild::Project', { ServiceRole: 'b', Source: source, SecondarySources: secondary.map((s, i) => ({ ...s, SourceIdentifier: `s${i}` })), Environment: { EnvironmentVariables: [{ Name: 'T', Value: TOKEN }] } }, 30),
            res('Cred', 'AWS::CodeBuild::SourceCredential', { ServerType: 'GITHUB', AuthType: authType, Token: TOKEN, Username: 'bot' }, 60),
          ]);
          const mapped = mapStack(st);
          expect(schemaProblems(snapshotOf(st, mapped))).toEqual([]);
          expect(JSON.stringify(mapped)).not.toContain('FuzzPlanted');
        },
      ),
      { numRuns: 300 },
    );
  });
});

const TEMPLATES = ['fixtures/demo-iac/cloudformation/ci-pipeline.yaml', 'test/fixtures/iac/cloudformation/ci-intrinsics.yaml'].map((file) => ({ file, text: readFileSync(file, 'utf8') }));
const PIECES = ['!Ref ', '!GetAtt ', '!Sub ', '!If [IsProd, a, b]', '!ImportValue x', '{{resolve:ssm:/x}}', '- ', ': ', '\n', '  ', '[', ']', '{', '}', 'Configuration', 'OAuthToken', 'Stages', 'Source', 'Type', 'Auth', '@', 'https://u:p@'];
const edit = fc.record({ at: fc.nat(), remove: fc.integer({ min: 0, max: 8 }), insert: fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 5 })) });

describe('pipeline and build templates, mutated, through the real reader and mappers', () => {
  const validate = validator('snapshot');
  it('give a schema-valid load or a UserError, never another error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TEMPLATES), fc.array(edit, { minLength: 1, maxLength: 4 }), async (t, edits) => {
        let text = t.text;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
        }
        try {
          const load = await loadCloudFormationFile(t.file, text, { parameters: {}, account: '111122223333', region: 'us-east-1' });
          for (const u of load.units) for (const w of u.worlds) expect(validate(w.snapshot), JSON.stringify(validate.errors?.[0])).toBe(true);
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
        }
      }),
      { numRuns: 200 },
    );
  });
});
