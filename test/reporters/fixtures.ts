import type { Finding, RuleMeta } from '../../src/engine/types.js';
import type { CoverageGap } from '../../src/model/types.js';
import type { ReportInput } from '../../src/reporters/types.js';

// A hand-built ReportInput: the reporters are tested against the contract, not through the engine.

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/team/deploy`;
export const GENERATED_AT = '2025-03-01T12:00:00.000Z';

const connArn = (region: string, account: string, id: string): string => `arn:aws:codeconnections:${region}:${account}:connection/${id}`;

export const RULES: RuleMeta[] = [
  {
    id: 'connection-shared-externally',
    title: 'Connection is usable by principals outside the organization',
    severity: 'high',
    resource: 'connection',
    description: 'A CodeConnections connection whose resource policy lets an account outside the trusted set use it.',
    rationale: 'Anyone who can use the connection can read and write the repositories it reaches.',
    remediation: {
      text: 'Remove the external principals from the connection policy, or add the account to trustedAccounts.',
      cli: 'aws codeconnections delete-resource-policy --resource-arn <arn>',
      cloudformation: 'Type: AWS::CodeConnections::Connection\n# ```nested fence``` must not close the block\nProperties: {}',
    },
    references: ['https://docs.aws.amazon.com/dtconsole/latest/userguide/connections.html', 'https://docs.aws.amazon.com/IAM/'],
    tags: ['codeconnections', 'cross-account', 'security'],
    escalations: [{ severity: 'critical', description: 'the policy allows any principal ("*") without a condition' }],
  },
  {
    id: 'role-passrole-wildcard',
    title: 'Role can pass any role to any service',
    severity: 'medium',
    resource: 'iamRole',
    description: 'x'.repeat(1500),
    rationale: 'iam:PassRole on * lets the holder hand a more privileged role to a service it controls.',
    remediation: { text: 'Scope iam:PassRole to the roles the pipeline deploys, with an iam:PassedToService condition.' },
    references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html'],
    tags: ['iam', 'privilege-escalation', 'a', 'b', 'c', 'd', 'e', 'f', 'g'],
  },
  {
    id: 'vpce-no-policy',
    title: 'VPC endpoint has the default full-access policy',
    severity: 'low',
    resource: 'vpcEndpoint',
    description: 'An interface endpoint for CodeConnections with no endpoint policy allows every principal and action.',
    rationale: 'An endpoint policy limits what the endpoint can be used for from inside the VPC.',
    remediation: { text: 'Attach an endpoint policy that allows only the connections this VPC uses.' },
    references: ['https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html'],
    tags: ['privatelink'],
  },
];

export const FINDINGS: Finding[] = [
  {
    ruleId: 'connection-shared-externally',
    status: 'fail',
    severity: 'critical',
    resource: { arn: connArn('us-east-1', ACCOUNT, 'aaaa1111'), kind: 'connection', account: ACCOUNT, region: 'us-east-1', name: 'github-main' },
    message: 'Connection github-main allows "*" to use it',
    evidence: [{ path: 'connection.policy', value: { Statement: [{ Effect: 'Allow', Principal: '*' }] } }],
  },
  {
    ruleId: 'connection-shared-externally',
    status: 'fail',
    severity: 'high',
    resource: { arn: connArn('us-east-1', ACCOUNT, 'bbbb2222'), kind: 'connection', account: ACCOUNT, region: 'us-east-1', name: 'gitlab' },
    message: 'Connection gitlab can be used by account 999988887777.',
    evidence: [{ path: 'connection.ownerAccountId', value: undefined }],
  },
  {
    ruleId: 'connection-shared-externally',
    status: 'pass',
    severity: 'high',
    resource: { arn: connArn('us-east-1', ACCOUNT, 'cccc3333'), kind: 'connection', account: ACCOUNT, region: 'us-east-1' },
    message: 'Only trusted accounts can use the connection.',
    evidence: [],
  },
  {
    ruleId: 'connection-shared-externally',
    status: 'unknown',
    severity: 'high',
    resource: { arn: connArn('eu-west-1', OTHER_ACCOUNT, '*'), kind: 'connection', account: OTHER_ACCOUNT, region: 'eu-west-1' },
    message: 'Not evaluated: ListConnections failed for account 444455556666 in eu-west-1 (AccessDeniedException: not authorized).',
    evidence: [],
  },
  {
    ruleId: 'role-passrole-wildcard',
    status: 'fail',
    severity: 'medium',
    resource: { arn: ROLE_ARN, kind: 'iamRole', account: ACCOUNT, region: 'global', name: 'deploy' },
    message: 'Role deploy allows iam:PassRole on * | any service\nvia inline policy <ci>',
    evidence: [{ path: 'iamRole.inlinePolicies', value: ['ci'] }],
  },
  {
    ruleId: 'role-passrole-wildcard',
    status: 'pass',
    severity: 'medium',
    resource: { arn: `arn:aws:iam::${ACCOUNT}:role/other`, kind: 'iamRole', account: ACCOUNT, region: 'global', name: 'other' },
    message: 'PassRole is scoped.',
    evidence: [],
  },
  {
    ruleId: 'role-passrole-wildcard',
    status: 'unknown',
    severity: 'medium',
    resource: { arn: `arn:aws:iam::${OTHER_ACCOUNT}:role/ci`, kind: 'iamRole', account: OTHER_ACCOUNT, region: 'global', name: 'ci' },
    message: 'Not evaluated: could not read inlinePolicies (GetRolePolicy: AccessDenied).',
    evidence: [],
  },
];

export const COVERAGE: CoverageGap[] = [
  {
    account: OTHER_ACCOUNT,
    region: 'eu-west-1',
    service: 'codeconnections',
    operation: 'ListConnections',
    errorCode: 'AccessDeniedException',
    message: 'User is not authorized to perform codeconnections:ListConnections',
    resourceKinds: ['connection'],
  },
  {
    account: OTHER_ACCOUNT,
    region: 'global',
    service: 'iam',
    operation: 'GetRolePolicy',
    errorCode: 'AccessDenied',
    message: 'Access denied | for role ci',
    resourceKinds: ['iamRole'],
    field: 'inlinePolicies',
  },
];

export function reportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    tool: { name: 'linkaudit', version: '0.1.0', informationUri: 'https://github.com/linkaudit/linkaudit' },
    generatedAt: GENERATED_AT,
    snapshot: {
      file: 'fixtures/demo/snapshot.json',
      schemaVersion: 1,
      generatedAt: '2025-03-01T11:00:00Z',
      source: { kind: 'file', tool: 'linkaudit 0.1.0' },
      scope: { partition: 'aws', accounts: [ACCOUNT, OTHER_ACCOUNT], regions: ['eu-west-1', 'us-east-1'] },
    },
    rules: RULES,
    findings: FINDINGS,
    coverage: COVERAGE,
    gate: { exitCode: 1, failOn: 'high', allowPartial: false, failing: 2, blockingUnknowns: 1, reason: '2 finding(s) at or above high' },
    sarifCategory: 'linkaudit/aws',
    ...overrides,
  };
}

/** Rules ran and everything could be read, but nothing failed (or was even applicable). */
export function emptyReportInput(): ReportInput {
  return reportInput({
    findings: [],
    coverage: [],
    gate: { exitCode: 0, failOn: 'high', allowPartial: false, failing: 0, blockingUnknowns: 0, reason: 'no finding at or above high' },
  });
}
