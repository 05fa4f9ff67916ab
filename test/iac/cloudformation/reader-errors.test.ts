import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCloudFormationFile } from '../../../src/collectors/iac/cloudformation/index.js';
import { readCloudFormationParameterFile } from '../../../src/collectors/iac/cloudformation/parameters.js';
import { UserError } from '../../../src/errors.js';
import { ENV, FIXTURES, recordingMappers } from './reader-helpers.js';

async function failure(name: string, options = ENV): Promise<string> {
  const file = `${FIXTURES}/${name}`;
  try {
    await loadCloudFormationFile(file, readFileSync(file, 'utf8'), options, recordingMappers().mappers);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error(`${name}: no error`);
}

const B = `${FIXTURES}/bad`;

describe('CloudFormation reader: bad templates are UserErrors at file:line:col', () => {
  it.each([
    ['bad/malformed.yaml', `${B}/malformed.yaml:6:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`],
    ['bad/malformed.json', `${B}/malformed.json:3:39: template is not valid JSON: expected a string key`],
    ['bad/duplicate-key.json', `${B}/duplicate-key.json:4:5: template is not valid JSON: duplicate key "R"`],
    ['bad/no-resources.yaml', `${B}/no-resources.yaml:1:1: the template has no Resources section`],
    ['bad/resources-list.yaml', `${B}/resources-list.yaml:2:3: Resources: expected a mapping of logical ids to resources`],
    ['bad/no-type.yaml', `${B}/no-type.yaml:2:3: resource Bucket has no Type`],
    ['bad/type-not-string.yaml', `${B}/type-not-string.yaml:3:11: resource Bucket: Type must be a string (such as AWS::EC2::VPCEndpoint)`],
    ['bad/unknown-intrinsic.yaml', `${B}/unknown-intrinsic.yaml:6:9: unknown intrinsic function Fn::Foo`],
    [
      'bad/unknown-tag.yaml',
      `${B}/unknown-tag.yaml:5:19: unknown tag !Frobnicate (CloudFormation's short forms are !Ref !Condition !Sub !GetAtt !If !Join !Select !Split !FindInMap !ImportValue !Base64 !Cidr !GetAZs !Equals !And !Or !Not !Transform !ToJsonString !Length)`,
    ],
    ['bad/cycle.yaml', `${B}/cycle.yaml:2:3: circular reference among resources: A → B → A`],
    ['bad/cycle-depends-on.yaml', `${B}/cycle-depends-on.yaml:2:3: circular reference among resources: A → A`],
    ['bad/cycle-conditions.yaml', `${B}/cycle-conditions.yaml:2:3: circular condition: A → B → A`],
    ['bad/join-arity.yaml', `${B}/join-arity.yaml:5:13: Fn::Join expects [delimiter, [values…]]`],
    ['bad/select-arity.json', `${B}/select-arity.json:5:33: Fn::Select expects [index, [values…]]`],
    ['bad/getatt-scalar.yaml', `${B}/getatt-scalar.yaml:5:13: !GetAtt NoDot: expected LogicalId.Attribute`],
    ['bad/if-undefined.yaml', `${B}/if-undefined.yaml:5:18: Fn::If: condition Nope is not defined in Conditions`],
    ['bad/condition-undefined.yaml', `${B}/condition-undefined.yaml:4:16: resource R: condition Missing is not defined in Conditions`],
    ['bad/depends-on-missing.yaml', `${B}/depends-on-missing.yaml:4:16: resource R: DependsOn names Ghost, which is not a resource of this template`],
    ['bad/alias-bomb.yaml', `${B}/alias-bomb.yaml:4:36: YAML aliases expand too much (more than 10000 nodes); write the values out, or use fewer aliases`],
    ['nested/self.yaml', `${FIXTURES}/nested/self.yaml:5:7: nested stack Again includes a template that includes it (${FIXTURES}/nested/self.yaml)`],
    ['nested/missing-child.yaml', `${FIXTURES}/nested/missing-child.yaml:5:7: nested stack Gone: ${FIXTURES}/nested/does-not-exist.yaml: nested stack template not found`],
  ])('%s', async (name, message) => {
    expect(await failure(name)).toBe(message);
  });

  it('refuses a template over the size limit, naming the file, size, limit and flag', async () => {
    expect(await failure('long-form.json', { ...ENV, maxTemplateBytes: 1000 })).toBe(
      `${FIXTURES}/long-form.json: template is 0.00109 MiB (1148 bytes), over the limit of 0.000954 MiB (1000 bytes; CloudFormation's own limit for a template in S3 is 1 MiB); raise the limit with --max-template-mb`,
    );
  });

  it('applies the 1 MiB default', async () => {
    const big = `Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Description: "${'x'.repeat(1024 * 1024)}"\n`;
    await expect(loadCloudFormationFile('big.yaml', big, ENV, recordingMappers().mappers)).rejects.toThrow(/^big\.yaml: template is 1 MiB \(1048655 bytes\), over the limit of 1 MiB \(1048576 bytes;/);
  });
});

describe('CloudFormation parameter files', () => {
  const P = `${FIXTURES}/params`;
  it('reads the AWS CLI list form', () => {
    expect(readCloudFormationParameterFile(`${P}/cli.json`)).toEqual({ Env: 'dev', VpcId: 'vpc-0abc' });
  });
  it('reads the CodePipeline template configuration form', () => {
    expect(readCloudFormationParameterFile(`${P}/pipeline.json`)).toEqual({ Env: 'dev', VpcId: 'vpc-0abc' });
  });
  it.each([
    ['bad-value.json', `${P}/bad-value.json:3:12: parameter Env: expected a string value`],
    ['bad-key.json', `${P}/bad-key.json:3:3: expected "ParameterKey" with a parameter name`],
    ['previous.json', `${P}/previous.json:2:48: parameter Env: UsePreviousValue is the deployed stack's value, which linkaudit cannot read; give ParameterValue`],
    ['scalar.json', `${P}/scalar.json:1:1: expected a list of {"ParameterKey", "ParameterValue"} (AWS CLI) or {"Parameters": {…}} (CodePipeline template configuration)`],
  ])('%s is a UserError at its place', (name, message) => {
    expect(() => readCloudFormationParameterFile(`${P}/${name}`)).toThrow(new UserError(message));
  });
  it('reports malformed JSON as every JSON input does', () => {
    expect(() => readCloudFormationParameterFile(`${P}/malformed.json`)).toThrow(UserError);
    expect(() => readCloudFormationParameterFile(`${P}/malformed.json`)).toThrow(/^test\/fixtures\/iac\/cloudformation\/params\/malformed\.json:1:\d+: CloudFormation parameter file is not valid JSON/);
  });
});
