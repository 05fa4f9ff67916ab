/**
 * The actions outside CodeConnections that decide what a role's compromise reaches (a build or
 * pipeline role that a push to a repository drives): docs/iam-analysis.md, "Role capabilities".
 * Data only, so that the catalogue (catalog.ts) and the questions (capabilities.ts) share one list.
 */

/**
 * A service that runs code, or deploys resources, with a role it is handed: whoever may pass any
 * role to it and call `actions` runs code as any role of the account. Every action of a row is
 * needed (a function must be created and invoked). Sources: each service's documentation of the
 * role it takes, and Rhino Security Labs' catalogue of escalation paths (methods 3, 15, 16, 18, 20,
 * 21), https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/.
 */
export interface CodeRunner {
  /** The service principal `iam:PassedToService` names when the role is passed to it. */
  service: string;
  actions: readonly string[];
  /** What runs, for messages and the docs. */
  runs: string;
  source: string;
}

export const CODE_RUNNERS: readonly CodeRunner[] = [
  {
    service: 'lambda.amazonaws.com',
    actions: ['lambda:CreateFunction', 'lambda:InvokeFunction'],
    runs: 'a function\'s code as its execution role',
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html',
  },
  {
    service: 'lambda.amazonaws.com',
    actions: ['lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
    runs: 'a function\'s code as its execution role, triggered by an event source',
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html',
  },
  {
    service: 'ec2.amazonaws.com',
    actions: ['ec2:RunInstances'],
    runs: 'an instance\'s user data as its instance profile role',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html',
  },
  {
    service: 'codebuild.amazonaws.com',
    actions: ['codebuild:CreateProject', 'codebuild:StartBuild'],
    runs: 'a buildspec\'s commands as the project\'s service role',
    source: 'https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html',
  },
  {
    service: 'cloudformation.amazonaws.com',
    actions: ['cloudformation:CreateStack'],
    runs: 'a stack that creates any resource as its service role',
    source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html',
  },
  {
    service: 'glue.amazonaws.com',
    actions: ['glue:CreateDevEndpoint'],
    runs: 'a development endpoint reachable over SSH with the role\'s credentials',
    source: 'https://docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html',
  },
  {
    service: 'glue.amazonaws.com',
    actions: ['glue:CreateJob', 'glue:StartJobRun'],
    runs: 'a job\'s script as the job\'s role',
    source: 'https://docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html',
  },
  {
    service: 'ecs-tasks.amazonaws.com',
    actions: ['ecs:RegisterTaskDefinition', 'ecs:RunTask'],
    runs: 'a container as the task role',
    source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html',
  },
  {
    service: 'sagemaker.amazonaws.com',
    actions: ['sagemaker:CreateNotebookInstance', 'sagemaker:CreatePresignedNotebookInstanceUrl'],
    runs: 'a notebook\'s code as its execution role',
    source: 'https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html',
  },
  {
    service: 'datapipeline.amazonaws.com',
    actions: ['datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition', 'datapipeline:ActivatePipeline'],
    runs: 'a pipeline\'s shell activities as its role',
    source: 'https://docs.aws.amazon.com/datapipeline/latest/DeveloperGuide/dp-iam-roles.html',
  },
  {
    service: 'states.amazonaws.com',
    actions: ['states:CreateStateMachine', 'states:StartExecution'],
    runs: 'a state machine that calls any AWS API as its role',
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html',
  },
];

/** Rewriting one's own permissions: a role that may do either on itself can grant itself `*`. */
export const SELF_ESCALATION = ['iam:PutRolePolicy', 'iam:AttachRolePolicy'] as const;

export const PASS_ROLE = 'iam:PassRole';
export const ASSUME_ROLE = 'sts:AssumeRole';

/**
 * Two actions that only a pattern naming every action matches (`*`, `*:*`, `?*:*`): their
 * characters (service and name) have none in common. They are not AWS actions; the catalogue
 * carries them so that "every action" is a question like any other.
 */
export const EVERY_ACTION_PROBES = ['a:A', 'zq9-x:Zq9X'] as const;

/** Every action of other services the catalogue carries for these questions. */
export function capabilityActionNames(): string[] {
  const names = new Set<string>([PASS_ROLE, ASSUME_ROLE, ...SELF_ESCALATION]);
  for (const row of CODE_RUNNERS) for (const a of row.actions) names.add(a);
  return [...names].sort();
}
