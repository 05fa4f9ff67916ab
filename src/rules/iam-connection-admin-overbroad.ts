import { adminActions } from '../iam/questions.js';
import { iamConnectionRule } from './iam-connection-rule.js';

export const iamConnectionAdminOverbroad = iamConnectionRule({
  meta: {
    id: 'iam-connection-admin-overbroad',
    title: 'Principal may delete, re-point or re-tag every connection or host',
    severity: 'medium',
    description:
      'Fails when an IAM user or role may, on every connection or host of its account and with no scoping condition, call one of the CodeConnections actions that delete or change existing connections and hosts: DeleteConnection, UpdateConnectionInstallation, DeleteHost, UpdateHost, TagResource and UntagResource (the catalogue\'s Write and Tagging actions on connections and hosts, Create* excepted), under either prefix. Unknown when a policy cannot be judged. Organization SCPs, RCPs and session policies are out of scope (not evaluated).',
    rationale:
      'Deleting a connection stops every pipeline that uses it; UpdateConnectionInstallation re-points it at another app installation (another organization\'s code); UpdateHost moves a GitHub Enterprise or GitLab host to another endpoint or VPC. Changing tags defeats any grant scoped with aws:ResourceTag. These belong to a small platform team, not to every developer or CI role.',
    remediation: {
      text: 'Keep connection and host administration in a dedicated role, grant these actions on named ARNs only, and deny TagResource/UntagResource where UseConnection is scoped by tags. Replace wildcard grants such as codeconnections:* or codestar-connections:* with the read and use actions the principal needs.',
    },
    references: [
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodestarconnections.html',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodeconnections.html',
      'https://docs.aws.amazon.com/dtconsole/latest/userguide/security-iam.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html',
    ],
    tags: ['iam', 'codeconnections', 'least-privilege'],
    controls: { 'nist-800-53': ['AC-6', 'AC-6(1)', 'CM-5'], 'aws-fsbp': [] },
    iac: { judged: true },
  },
  actions: adminActions,
  verb: 'call',
});
