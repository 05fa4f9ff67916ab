import { iamConnectionRule } from './iam-connection-rule.js';

const REFS = [
  'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodestarconnections.html',
  'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodeconnections.html',
  'https://docs.aws.amazon.com/dtconsole/latest/userguide/security-iam.html',
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
];

export const iamUseConnectionOverbroad = iamConnectionRule({
  meta: {
    id: 'iam-useconnection-overbroad',
    title: 'Principal may use every connection without a scoping condition',
    severity: 'high',
    description:
      'Fails when an IAM user or role may call UseConnection or GetConnectionToken (codestar-connections or codeconnections prefix) on every connection of its account - Resource "*", "connection/*", or through "*", a service wildcard or NotAction - and no condition restricts the connection, repository, branch, owner, provider action or tag. Identity policies, group policies, permission boundaries and explicit denies are evaluated; unknown when a policy cannot be judged. Organization SCPs, RCPs and session policies are out of scope (not evaluated).',
    rationale:
      'A connection is a standing OAuth grant into the organization\'s GitHub, GitLab or Bitbucket. UseConnection lets the caller act through it on every repository the app installation reaches; GetConnectionToken hands out the provider token itself. A CI role with either on every connection can read, and often push to, every repository the organization connected, not only the one it builds.',
    remediation: {
      text: 'Grant UseConnection on the ARNs of the connections the principal needs, under both prefixes, and scope it further with codestar-connections:FullRepositoryId (or codeconnections:FullRepositoryId) and ProviderAction conditions. Do not grant GetConnectionToken to workloads. Where a broad managed policy (PowerUserAccess, AdministratorAccess) is attached, add an explicit Deny on these actions outside the intended connections.',
      cloudformation:
        'PolicyDocument:\n  Statement:\n    - Effect: Allow\n      Action: [codestar-connections:UseConnection, codeconnections:UseConnection]\n      Resource:\n        - !Sub arn:${AWS::Partition}:codestar-connections:${AWS::Region}:${AWS::AccountId}:connection/CONNECTION_ID\n        - !Sub arn:${AWS::Partition}:codeconnections:${AWS::Region}:${AWS::AccountId}:connection/CONNECTION_ID\n      Condition:\n        ForAllValues:StringEquals:\n          codestar-connections:FullRepositoryId: [example-org/service-a]',
    },
    references: REFS,
    tags: ['iam', 'codeconnections', 'least-privilege'],
    controls: { 'nist-800-53': ['AC-6', 'AC-3'], 'aws-fsbp': [] },
    iac: { judged: true },
  },
  actions: () => ['UseConnection', 'GetConnectionToken'],
  verb: 'call',
});
