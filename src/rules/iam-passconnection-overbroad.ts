import { iamConnectionRule } from './iam-connection-rule.js';

export const iamPassConnectionOverbroad = iamConnectionRule({
  meta: {
    id: 'iam-passconnection-overbroad',
    title: 'Principal may pass every connection to any service',
    severity: 'medium',
    description:
      'Fails when an IAM user or role may call PassConnection (codestar-connections or codeconnections prefix) on every connection of its account with no condition that restricts the connection or the service it is passed to (codestar-connections:PassedToService / codeconnections:PassedToService, judged as IAM does for PassConnection requests: a ForAllValues or IfExists condition on a key these requests do not carry restricts nothing). Unknown when a policy cannot be judged. Organization SCPs, RCPs and session policies are out of scope (not evaluated).',
    rationale:
      'PassConnection is what lets a principal wire a connection into a pipeline, a Proton service or a SageMaker project. Unscoped, anyone who can create such a resource can attach any of the organization\'s connections to it and then use it through that service\'s role, bypassing the scoping of UseConnection.',
    remediation: {
      text: 'Allow PassConnection only on the connections the principal wires up, and add a StringEquals condition on codestar-connections:PassedToService (and codeconnections:PassedToService) naming the one service, e.g. codepipeline.amazonaws.com.',
      cloudformation:
        'PolicyDocument:\n  Statement:\n    - Effect: Allow\n      Action: [codestar-connections:PassConnection, codeconnections:PassConnection]\n      Resource: !Sub arn:${AWS::Partition}:codeconnections:${AWS::Region}:${AWS::AccountId}:connection/CONNECTION_ID\n      Condition:\n        StringEquals:\n          codeconnections:PassedToService: codepipeline.amazonaws.com',
    },
    references: [
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodestarconnections.html',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodeconnections.html',
      'https://docs.aws.amazon.com/dtconsole/latest/userguide/security-iam.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html',
    ],
    tags: ['iam', 'codeconnections', 'least-privilege'],
    controls: { 'nist-800-53': ['AC-6', 'AC-3'], 'aws-fsbp': [] },
    iac: { judged: true },
  },
  actions: () => ['PassConnection'],
  verb: 'call',
});
