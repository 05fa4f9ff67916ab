import type { Detail, EvalContext, Evidence, Rule, RuleResult, Status } from '../engine/types.js';
import { capabilitiesOf } from '../iam/capabilities.js';
import { lookupRole } from '../iam/roles.js';
import { consumerIndex, isCodeBuildAction, repositoryOfLocation } from '../model/consumers.js';
import type { AnyResource, BuildProject, Pipeline, PipelineAction, Snapshot } from '../model/types.js';
import { OUT_OF_SCOPE } from './iam-connection-rule.js';
import { adminRouteText, statementEvidence } from './role-text.js';
import { tsRuleSource } from './ts-rule-source.js';

const ID = 'pipeline-build-role-admin';

/** The source actions a push to a repository starts: connections, CodeCommit, GitHub version 1. */
export function repositorySource(action: PipelineAction): string | undefined {
  const t = action.actionType;
  if (t.category !== 'Source') return undefined;
  const c = action.configuration;
  if (t.owner === 'AWS' && t.provider === 'CodeStarSourceConnection' && c.ConnectionArn) return c.FullRepositoryId ? `${c.FullRepositoryId} (connection ${c.ConnectionArn})` : `connection ${c.ConnectionArn}`;
  if (t.owner === 'AWS' && t.provider === 'CodeCommit') return `CodeCommit ${c.RepositoryName ?? '(unnamed repository)'}`;
  if (t.owner === 'ThirdParty' && t.provider === 'GitHub') return `GitHub ${c.Owner ?? '?'}/${c.Repo ?? '?'} (OAuth)`;
  return undefined;
}

function pipelineSources(p: Pipeline): string[] {
  const out: string[] = [];
  for (const stage of p.stages) for (const action of stage.actions) {
    const s = repositorySource(action);
    if (s !== undefined && !out.includes(s)) out.push(s);
  }
  return out;
}

/** A role a push drives, with where it is named. */
interface DrivenRole {
  ref: string;
  account: string;
  /** `the pipeline's role`, `role of action Deploy/Stack`, `service role of project api-build (action Build/Build)`. */
  where: string;
  field: string;
}

/** The roles a push drives, de-duplicated (a role named twice is judged once, with both places). */
function drivenRoles(resource: Pipeline | BuildProject, kind: 'pipeline' | 'buildProject', snapshot: Snapshot): { roles: DrivenRole[]; unresolved: string[] } {
  const roles: DrivenRole[] = [];
  const unresolved: string[] = [];
  if (kind === 'buildProject') {
    const b = resource as BuildProject;
    roles.push({ ref: b.serviceRole, account: b.account, where: 'the project\'s service role', field: 'serviceRole' });
    return { roles, unresolved };
  }
  const p = resource as Pipeline;
  roles.push({ ref: p.roleArn, account: p.account, where: 'the pipeline\'s role', field: 'roleArn' });
  const index = consumerIndex(snapshot);
  for (const stage of p.stages) {
    for (const action of stage.actions) {
      if (action.roleArn) roles.push({ ref: action.roleArn, account: p.account, where: `the role of action ${stage.name}/${action.name}`, field: 'stages' });
      if (!isCodeBuildAction(action)) continue;
      const r = index.resolveProject(p.account, p.region, action);
      if (r.state === 'found') {
        if (r.project.unreadable?.some((u) => u.field === 'serviceRole' || u.field === '*')) unresolved.push(`the service role of project ${r.project.name} (action ${stage.name}/${action.name}) could not be read`);
        else roles.push({ ref: r.project.serviceRole, account: r.project.account, where: `the service role of project ${r.project.name} (action ${stage.name}/${action.name})`, field: 'stages' });
      } else unresolved.push(`the project of action ${stage.name}/${action.name} ${r.state === 'unresolved' ? `cannot be resolved (${r.reason})` : r.state === 'absent' ? `(${r.name}) is not in the snapshot` : `(${r.name}) was not read: ${r.reason}`}`);
    }
  }
  return { roles, unresolved };
}

interface Judged {
  status: Status;
  parts: string[];
  evidence: Evidence[];
}

const judged = new WeakMap<Snapshot, WeakMap<AnyResource, Judged>>();

function judge(resource: Pipeline | BuildProject, kind: 'pipeline' | 'buildProject', snapshot: Snapshot): Judged {
  let bySnapshot = judged.get(snapshot);
  if (!bySnapshot) {
    bySnapshot = new WeakMap();
    judged.set(snapshot, bySnapshot);
  }
  let out = bySnapshot.get(resource);
  if (out) return out;
  const { roles, unresolved } = drivenRoles(resource, kind, snapshot);
  const fails: string[] = [];
  const unknowns: string[] = [...unresolved];
  const passes: string[] = [];
  const evidence: Evidence[] = [];
  const seen = new Map<string, string[]>();
  for (const r of roles) {
    const places = seen.get(r.ref);
    if (places) {
      places.push(r.where);
      continue;
    }
    seen.set(r.ref, [r.where]);
  }
  for (const r of roles) {
    const places = seen.get(r.ref);
    if (!places || places[0] !== r.where) continue;
    const where = places.join(', ');
    const found = lookupRole(snapshot, r.ref, r.account);
    if (found.state !== 'found') {
      unknowns.push(`${r.ref || 'no role'} (${where}): ${found.reason}`);
      evidence.push({ path: `${kind}.${r.field}`, value: { role: r.ref, where, result: 'unknown', reason: found.reason } });
      continue;
    }
    const caps = capabilitiesOf(found.role, snapshot);
    const admin = caps.admin;
    const value = { role: found.role.arn, where, adminEquivalent: admin.verdict };
    if (admin.verdict === 'yes') {
      const route = admin.paths[0];
      fails.push(`${found.role.arn} (${where}) is admin-equivalent: ${route ? adminRouteText(route) : 'every action'}.`);
      evidence.push({ path: `${kind}.${r.field}`, value: { ...value, route: route?.route.kind, statements: (route?.allows ?? []).slice(0, 3).map(statementEvidence) } });
    } else if (admin.verdict === 'unknown') {
      unknowns.push(`whether ${found.role.arn} (${where}) is admin-equivalent cannot be told: ${admin.reasons.join('; ') || 'a policy could not be judged'}`);
      evidence.push({ path: `${kind}.${r.field}`, value: { ...value, reasons: admin.reasons } });
    } else {
      passes.push(`${found.role.arn} (${where})`);
      evidence.push({ path: `${kind}.${r.field}`, value });
    }
  }
  const status: Status = fails.length > 0 ? 'fail' : unknowns.length > 0 ? 'unknown' : 'pass';
  out = { status, parts: status === 'fail' ? fails : status === 'unknown' ? unknowns : passes, evidence };
  bySnapshot.set(resource, out);
  return out;
}

function subject(resource: Pipeline | BuildProject, kind: 'pipeline' | 'buildProject'): { name: string; sources: string } {
  if (kind === 'pipeline') {
    const p = resource as Pipeline;
    return { name: `Pipeline ${p.name}`, sources: pipelineSources(p).join(', ') };
  }
  const b = resource as BuildProject;
  const repo = b.source.location === undefined ? undefined : repositoryOfLocation(b.source.location);
  return { name: `Build project ${b.name}`, sources: `${repo ? `${repo.host}/${repo.path}` : b.source.type} (webhook)` };
}

export const pipelineBuildRoleAdmin: Rule = {
  meta: {
    id: ID,
    title: 'A push to a repository drives an admin-equivalent role',
    severity: 'high',
    resource: ['pipeline', 'buildProject'],
    description:
      'Fails when a role that a push to a source repository drives is admin-equivalent: the role of a pipeline with a connection, CodeCommit or GitHub source (the pipeline\'s role, its actions\' roles, and the service roles of the CodeBuild projects it runs), or the service role of a build project with a webhook. Admin-equivalent, judged by the IAM evaluator: every action on every resource, iam:PassRole of every role to a service that runs code with it (Lambda, EC2, CodeBuild, CloudFormation, Glue, ECS, SageMaker, Data Pipeline, Step Functions) together with that service\'s actions, or rewriting its own policies. Unknown when a role is not in the snapshot or its policies cannot be judged. Organization SCPs, RCPs and session policies are not evaluated.',
    rationale:
      'Whoever can push to the repository (every contributor, a compromised developer laptop or token, a malicious dependency that edits the buildspec) decides what the build runs and what the pipeline deploys, and it runs as these roles. An admin-equivalent build role turns write access to one repository into administrator access to the AWS account: the blast radius of the repository is the account. `linkaudit graph --repository OWNER/NAME` shows the path.',
    remediation: {
      text: 'Give each build and pipeline role only what the build needs: replace AdministratorAccess (or *) with the specific actions and resources, scope iam:PassRole to the roles the build deploys with an iam:PassedToService condition, and move deployment rights into a separate deploy role that a reviewed stage assumes (with a manual approval or a protected branch before it). A permissions boundary on the build role caps what it can ever be granted.',
      cli: 'aws iam detach-role-policy --role-name BUILD_ROLE --policy-arn arn:aws:iam::aws:policy/AdministratorAccess\naws iam put-role-permissions-boundary --role-name BUILD_ROLE --permissions-boundary arn:aws:iam::ACCOUNT:policy/build-boundary',
      cloudformation:
        'BuildRole:\n  Type: AWS::IAM::Role\n  Properties:\n    AssumeRolePolicyDocument:\n      Statement:\n        - Effect: Allow\n          Principal: { Service: codebuild.amazonaws.com }\n          Action: sts:AssumeRole\n    PermissionsBoundary: !Ref BuildBoundary\n    Policies:\n      - PolicyName: build\n        PolicyDocument:\n          Statement:\n            - Effect: Allow\n              Action: [s3:GetObject, s3:PutObject]\n              Resource: !Sub ${ArtifactBucket.Arn}/*\n            - Effect: Allow\n              Action: iam:PassRole\n              Resource: !GetAtt AppRole.Arn\n              Condition:\n                StringEquals: { iam:PassedToService: lambda.amazonaws.com }',
    },
    references: [
      'https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html',
      'https://docs.aws.amazon.com/codepipeline/latest/userguide/security-iam.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html',
      'https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/',
    ],
    tags: ['codepipeline', 'codebuild', 'iam', 'least-privilege', 'blast-radius'],
    controls: { 'nist-800-53': ['AC-6', 'AC-5'], 'aws-fsbp': [] },
    iac: { judged: true },
  },
  source: tsRuleSource(ID),
  fields: new Set(['roleArn', 'serviceRole', 'stages']),
  matchFields: new Set(['stages', 'webhook']),
  applies(resource: AnyResource): boolean {
    if ('stages' in resource) return (resource as Pipeline).stages.some((s) => s.actions.some((a) => repositorySource(a) !== undefined));
    return (resource as BuildProject).webhook !== undefined;
  },
  evaluate(resource: AnyResource, ctx: EvalContext): RuleResult {
    const kind = 'stages' in resource ? 'pipeline' : 'buildProject';
    return { status: judge(resource as Pipeline | BuildProject, kind, ctx.snapshot).status };
  },
  describe(resource: AnyResource, ctx: EvalContext, result: RuleResult): Detail {
    const kind = 'stages' in resource ? 'pipeline' : 'buildProject';
    const r = resource as Pipeline | BuildProject;
    const j = judge(r, kind, ctx.snapshot);
    const { name, sources } = subject(r, kind);
    let message: string;
    if (result.status === 'fail') {
      message = `${name}, driven by pushes to ${sources}, runs as an admin-equivalent role: ${j.parts.join(' ')} Anyone who can push there runs code as an administrator of account ${r.account}.`;
    } else if (result.status === 'unknown') {
      message = `${name}, driven by pushes to ${sources}: ${j.parts.join('; ')}.`;
    } else {
      message = `${name}, driven by pushes to ${sources}, runs as roles that are not admin-equivalent: ${j.parts.join(', ')}.`;
    }
    return { message: `${message} ${OUT_OF_SCOPE}`, evidence: j.evidence.slice(0, 10) };
  },
};
