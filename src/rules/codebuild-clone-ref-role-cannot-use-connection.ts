import type { Detail, EvalContext, Evidence, Rule, RuleResult, Status } from '../engine/types.js';
import { mayUseConnection, type ConnectionUse } from '../iam/capabilities.js';
import { lookupRole } from '../iam/roles.js';
import { CODEBUILD_CLONE_REF, pipelineFlows, type ArtifactConsumer, type SourceFlow } from '../model/consumers.js';
import type { AnyResource, Pipeline, Snapshot } from '../model/types.js';
import { OUT_OF_SCOPE, pathText } from './iam-connection-rule.js';
import { notGrantedText, statementEvidence } from './role-text.js';
import { tsRuleSource } from './ts-rule-source.js';

const ID = 'codebuild-clone-ref-role-cannot-use-connection';

/** One CODEBUILD_CLONE_REF artifact handed to one CodeBuild action, judged. */
interface Check {
  status: Status;
  text: string;
  evidence: Evidence;
}

const checks = new WeakMap<Snapshot, WeakMap<Pipeline, Check[]>>();

function checksOf(pipeline: Pipeline, snapshot: Snapshot): Check[] {
  let bySnapshot = checks.get(snapshot);
  if (!bySnapshot) {
    bySnapshot = new WeakMap();
    checks.set(snapshot, bySnapshot);
  }
  let out = bySnapshot.get(pipeline);
  if (!out) {
    out = [];
    for (const flow of pipelineFlows(snapshot, pipeline)) {
      if (flow.outputArtifactFormat !== CODEBUILD_CLONE_REF || flow.connectionArn === undefined) continue;
      for (const consumer of flow.consumers) if (consumer.codeBuild) out.push(check(pipeline, snapshot, flow, consumer));
    }
    bySnapshot.set(pipeline, out);
  }
  return out;
}

function sourceRepository(pipeline: Pipeline, flow: SourceFlow): string | undefined {
  const action = pipeline.stages.find((s) => s.name === flow.stage)?.actions.find((a) => a.name === flow.action);
  const repo = action?.configuration.FullRepositoryId;
  return repo === undefined || repo === '' ? undefined : repo;
}

function check(pipeline: Pipeline, snapshot: Snapshot, flow: SourceFlow, consumer: ArtifactConsumer): Check {
  const connection = flow.connectionArn as string;
  const repository = sourceRepository(pipeline, flow);
  const head = `Source action ${flow.stage}/${flow.action} hands ${flow.artifact} as CODEBUILD_CLONE_REF from ${connection}${repository ? ` (${repository})` : ''} to CodeBuild action ${consumer.stage}/${consumer.action}`;
  const base = { stage: flow.stage, action: flow.action, artifact: flow.artifact, connectionArn: connection, ...(repository ? { repository } : {}), buildStage: consumer.stage, buildAction: consumer.action };
  const unknown = (why: string, extra: Record<string, unknown> = {}): Check => ({ status: 'unknown', text: `${head}: ${why}.`, evidence: { path: 'pipeline.stages', value: { ...base, ...extra, result: 'unknown', reason: why } } });
  const project = consumer.project;
  if (!project || project.state === 'unresolved') return unknown(`its project cannot be resolved (${project?.reason ?? 'no project'})`);
  if (project.state !== 'found') return unknown(project.state === 'absent' ? `its project ${project.name} is not in ${project.account} ${project.region}` : project.reason, { project: project.name });
  const p = project.project;
  if (p.unreadable?.some((u) => u.field === 'serviceRole' || u.field === '*')) return unknown(`the service role of project ${p.name} could not be read`, { project: p.name });
  const role = lookupRole(snapshot, p.serviceRole, p.account);
  if (role.state !== 'found') return unknown(`project ${p.name} runs as ${p.serviceRole || 'no role'}, and ${role.reason}`, { project: p.name, role: p.serviceRole });
  const use = mayUseConnection(role.role, snapshot, connection, repository);
  const withRole = { project: p.name, role: role.role.arn };
  if (!use) return unknown(`${connection} is not a connection ARN`, withRole);
  const runs = `${head}, whose project ${p.name} runs as ${role.role.arn}`;
  const value = (result: string, u: ConnectionUse): Record<string, unknown> => ({
    ...base,
    ...withRole,
    result,
    action: u.action,
    reach: u.reach,
    statements: [...u.allows, ...u.limits].slice(0, 5).map(statementEvidence),
    ...(u.reasons.length > 0 ? { reasons: u.reasons } : {}),
  });
  const evidence = (result: string): Evidence => ({ path: 'pipeline.stages', value: value(result, use) });
  switch (use.reach) {
    case 'none':
      return { status: 'fail', text: `${runs}, which may not call ${use.action} on that connection${repository ? ` for ${repository}` : ''}: ${notGrantedText(use, `${use.action} on it`)}. CodeBuild clones through the connection with the build's role, so the build's source download fails.`, evidence: evidence('cannot use') };
    case 'unknown':
      return { status: 'unknown', text: `${runs}; whether it may call ${use.action} on that connection cannot be told: ${use.reasons.join('; ') || 'a policy could not be judged'}.`, evidence: evidence('unknown') };
    case 'scoped':
    case 'unconditional': {
      const first = use.allows[0];
      const scope = use.reach === 'scoped' ? ' within a scope (its conditions must admit the clone)' : '';
      return { status: 'pass', text: `${runs}, which may call ${use.action} on that connection${scope}${first ? ` through ${pathText(first)}` : ''}.`, evidence: evidence('can use') };
    }
  }
}

const MAX_LISTED = 5;

function summarize(pipeline: Pipeline, list: readonly Check[]): string {
  const shown = list.slice(0, MAX_LISTED).map((c) => c.text);
  const more = list.length > MAX_LISTED ? ` And ${list.length - MAX_LISTED} more.` : '';
  return `Pipeline ${pipeline.name}: ${shown.join(' ')}${more}`;
}

export const codebuildCloneRefRoleCannotUseConnection: Rule = {
  meta: {
    id: ID,
    title: 'CODEBUILD_CLONE_REF source feeds a build whose role cannot use the connection',
    severity: 'medium',
    resource: 'pipeline',
    description:
      'Fails when a pipeline source action with OutputArtifactFormat CODEBUILD_CLONE_REF hands its artifact to a CodeBuild action whose project\'s service role may not call UseConnection on the source\'s connection, as the IAM evaluator judges it: only the action of the connection ARN\'s own prefix counts (a codeconnections ARN needs codeconnections:UseConnection), and a FullRepositoryId condition is judged against the repository the action names. Unknown when the project or the role is not in the snapshot, or the role\'s policies cannot be judged. Organization SCPs, RCPs and session policies are not evaluated.',
    rationale:
      'With CODEBUILD_CLONE_REF, CodePipeline hands CodeBuild a reference instead of a zip, and the build clones the repository itself through the connection, as its service role. A role without UseConnection on that connection breaks every build of the pipeline at the source download ("CodeBuild cannot clone repository"), typically after the connection was re-created with the other ARN prefix or the pipeline switched from CODE_ZIP to get git history.',
    remediation: {
      text: 'Grant the project\'s service role UseConnection on the connection the source action names, under the prefix of that ARN (codeconnections:UseConnection for arn:aws:codeconnections:…, codestar-connections:UseConnection for arn:aws:codestar-connections:…); grant both when unsure. Scope it to the connection ARN and, with a FullRepositoryId condition, to the repository.',
      cli: 'aws iam put-role-policy --role-name BUILD_ROLE --policy-name use-connection --policy-document \'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["codeconnections:UseConnection","codestar-connections:UseConnection"],"Resource":"CONNECTION_ARN"}]}\'',
      cloudformation:
        'BuildRolePolicy:\n  Type: AWS::IAM::RolePolicy\n  Properties:\n    RoleName: !Ref BuildRole\n    PolicyName: use-connection\n    PolicyDocument:\n      Version: "2012-10-17"\n      Statement:\n        - Effect: Allow\n          Action: [codeconnections:UseConnection, codestar-connections:UseConnection]\n          Resource: !Ref ConnectionArn\n          Condition:\n            ForAllValues:StringEquals:\n              codeconnections:FullRepositoryId: [example-org/service-a]',
    },
    references: [
      'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html',
      'https://docs.aws.amazon.com/codepipeline/latest/userguide/tutorials-github-gitclone.html',
      'https://docs.aws.amazon.com/codepipeline/latest/userguide/troubleshooting.html',
      'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodeconnections.html',
    ],
    tags: ['codepipeline', 'codebuild', 'codeconnections', 'iam', 'reliability'],
    controls: { 'nist-800-53': ['CM-6'], 'aws-fsbp': [] },
    iac: { judged: true },
  },
  source: tsRuleSource(ID),
  fields: new Set(['stages']),
  evaluate(resource: AnyResource, ctx: EvalContext): RuleResult | undefined {
    const list = checksOf(resource as Pipeline, ctx.snapshot);
    if (list.length === 0) return undefined;
    return { status: list.some((c) => c.status === 'fail') ? 'fail' : list.some((c) => c.status === 'unknown') ? 'unknown' : 'pass' };
  },
  describe(resource: AnyResource, ctx: EvalContext, result: RuleResult): Detail {
    const pipeline = resource as Pipeline;
    const list = checksOf(pipeline, ctx.snapshot);
    const mine = list.filter((c) => c.status === result.status);
    return { message: `${summarize(pipeline, mine.length > 0 ? mine : list)} ${OUT_OF_SCOPE}`, evidence: (mine.length > 0 ? mine : list).slice(0, 10).map((c) => c.evidence) };
  },
};
