import { relative } from 'node:path';
import type { Detail, EvalContext, Evidence, Rule, RuleResult } from '../engine/types.js';
import { UnknownValue } from '../engine/unknown.js';
import { lookupConnection } from '../model/connection-lookup.js';
import { buildReferences, pipelineReferences, type ConnectionReference } from '../model/consumers.js';
import type { AnyResource, BuildProject, Connection, Pipeline } from '../model/types.js';
import { packagePath } from '../paths.js';

// TypeScript because it judges two kinds, pipelines and build projects, with one id; the verdict
// is the consumer's view of the connections it names (src/model/connection-lookup.ts).

const ID = 'pipeline-connection-not-available';
const BROKEN = new Set(['pending', 'error']);

/** What the consumer's connection references come from: one unreadable makes the result unknown. */
const FIELDS: ReadonlySet<string> = new Set(['stages', 'source', 'secondarySources']);

interface Judged {
  ref: ConnectionReference;
  connection: Connection;
  /** The status as read; undefined when it could not be read. */
  status: string | undefined;
  unreadReason?: string;
}

interface Analysis {
  judged: Judged[];
  /** References the snapshot cannot resolve: why. */
  unknown: Array<{ ref: ConnectionReference; reason: string }>;
}

function referencesOf(resource: AnyResource): readonly ConnectionReference[] {
  // Reading through the resource (not the index) lets the engine's unreadable-field guard see it.
  return 'stages' in resource ? pipelineReferences(resource as Pipeline) : buildReferences(resource as BuildProject);
}

/**
 * The references judged: those naming a connection read from the estate. A connection a template
 * declares is PENDING by design (not judged), one missing is pipeline-connection-missing's, and
 * one a scan of templates does not declare is in the deployed estate, which that scan does not read.
 */
function analyse(resource: AnyResource, ctx: EvalContext): Analysis {
  const out: Analysis = { judged: [], unknown: [] };
  for (const ref of referencesOf(resource)) {
    const l = lookupConnection(ctx.snapshot, ref.connectionArn);
    if (l.state === 'unknown') out.unknown.push({ ref, reason: l.reason });
    else if (l.state === 'deployed') {
      const u = l.connection.unreadable?.find((x) => x.field === 'status' || x.field === '*');
      out.judged.push(
        u
          ? { ref, connection: l.connection, status: undefined, unreadReason: `the status of connection ${l.connection.name} could not be read (${u.operation}: ${u.errorCode})` }
          : { ref, connection: l.connection, status: l.connection.status },
      );
    }
  }
  return out;
}

const broken = (j: Judged): boolean => j.status !== undefined && BROKEN.has(j.status.toLowerCase());

function where(ref: ConnectionReference): string {
  switch (ref.via) {
    case 'pipelineAction':
      return `${ref.stage}/${ref.action}`;
    case 'buildSource':
      return 'its primary source';
    case 'buildSecondarySource':
      return `secondary source ${ref.sourceIdentifier ?? ''}`.trim();
    case 'sourceCredential':
      return 'its source credential';
  }
}

function what(resource: AnyResource): string {
  return 'stages' in resource ? `Pipeline ${(resource as Pipeline).name}` : `Build project ${(resource as BuildProject).name}`;
}

function describeJudged(j: Judged): string {
  const repo = j.ref.repository ? ` for ${j.ref.repository}` : '';
  return `${where(j.ref)}${repo} -> connection ${j.connection.name} (${j.connection.providerType}) is ${j.status ?? 'unreadable'}`;
}

/** Per connection judged: the consumer's field that names it, with the connection's status. */
function evidenceOf(a: Analysis): Evidence[] {
  return a.judged.map((j) => {
    const path = j.ref.via === 'pipelineAction' ? 'pipeline.stages' : j.ref.via === 'buildSource' ? 'buildProject.source' : 'buildProject.secondarySources';
    return { path, value: { namedBy: where(j.ref), connectionArn: j.ref.connectionArn, connection: j.connection.name, status: j.status ?? null } };
  });
}

const file = packagePath('src', 'rules', `${ID}.ts`);
const rel = relative(process.cwd(), file);

export const pipelineConnectionNotAvailable: Rule = {
  meta: {
    id: ID,
    title: 'Pipeline or build uses a connection that is not available',
    severity: 'medium',
    resource: ['pipeline', 'buildProject'],
    description:
      'A pipeline action (a ConnectionArn in its configuration) or a build project source (auth type CODECONNECTIONS, primary or secondary) names a connection whose status is PENDING or ERROR. Matched under both ARN prefixes. Applies to consumers naming a connection the snapshot read from the estate; a connection that does not exist is left to pipeline-connection-missing. From templates: a connection the templates declare is PENDING by design until its handshake and is not judged; a template that names an existing connection ARN is judged when that connection is in the snapshot (a scan of templates alone reads no deployed connection, so there it gives no result). Unknown when the connections of the ARN\'s account and region were not read or are outside the scope, the ARN is a #{...} variable, or the status could not be read.',
    rationale:
      'A pipeline on a PENDING connection never starts from a push and fails in its source action: the connection was created (often by a template) but nobody completed the handshake, and anyone allowed UpdateConnectionInstallation can still complete it with an app installation of their choosing. A connection in ERROR (the provider app uninstalled or suspended, the installation lost access to the repository) stops every pipeline and build that uses it at once, silently for push-triggered pipelines.',
    remediation: {
      text: 'For PENDING, complete the handshake in the Developer Tools console (Settings > Connections > Update pending connection) with the organization\'s own app installation. For ERROR, check the app installation on the provider (suspended, uninstalled, repository access removed), fix it, or create a new connection and point the pipeline or project at it.',
      cli: 'aws codeconnections get-connection --connection-arn arn:aws:codeconnections:us-east-1:444455556666:connection/4d38e67d-e015-47a5-a811-7892a6e16d8e\naws codebuild update-project --name mobile-app-build \\\n  --source \'type=GITLAB,location=https://gitlab.com/example-corp/mobile-app.git,auth={type=CODECONNECTIONS,resource=arn:aws:codeconnections:us-east-1:444455556666:connection/NEW-CONNECTION-ID}\'',
      cloudformation: 'Configuration:\n  ConnectionArn: !Ref AvailableConnectionArn   # an AVAILABLE connection, not one this stack creates PENDING\n  FullRepositoryId: example-corp/mobile-app\n  BranchName: main',
    },
    references: [
      'https://docs.aws.amazon.com/dtconsole/latest/userguide/connections-update.html',
      'https://docs.aws.amazon.com/dtconsole/latest/userguide/troubleshooting-connections.html',
      'https://docs.aws.amazon.com/codeconnections/latest/APIReference/API_Connection.html',
    ],
    tags: ['codepipeline', 'codebuild', 'codeconnections', 'reliability'],
    controls: { 'nist-800-53': ['CM-3', 'CM-6'], 'aws-fsbp': [] },
    iac: {
      judged: false,
      reason:
        'a connection a template creates is PENDING until someone completes it in the console (by design, not a finding), and one it names by ARN is in the deployed account, which a scan of templates does not read; scan the deployed estate (live or a snapshot) for its status.',
    },
  },
  source: rel.startsWith('..') ? file : rel,
  fields: FIELDS,
  matchFields: FIELDS,
  applies(resource: AnyResource, ctx: EvalContext): boolean {
    const a = analyse(resource, ctx);
    if (a.judged.length > 0) return true;
    if (a.unknown.length > 0) throw new UnknownValue(a.unknown.map((u) => `${where(u.ref)}: ${u.reason}`).join('; '));
    return false;
  },
  evaluate(resource: AnyResource, ctx: EvalContext): RuleResult {
    const a = analyse(resource, ctx);
    if (a.judged.some(broken)) return { status: 'fail' };
    // A connection that could not be resolved or read may be the broken one.
    if (a.unknown.length > 0 || a.judged.some((j) => j.status === undefined)) return { status: 'unknown' };
    return { status: 'pass' };
  },
  describe(resource: AnyResource, ctx: EvalContext, result: RuleResult): Detail {
    const a = analyse(resource, ctx);
    const subject = what(resource);
    if (result.status === 'fail') {
      const bad = a.judged.filter(broken);
      const pending = bad.some((j) => j.status?.toLowerCase() === 'pending');
      return {
        message: `${subject} uses connections that are not available: ${bad.map(describeJudged).join('; ')}. ${pending ? 'A PENDING connection was never completed: nothing starts or builds through it. ' : ''}${bad.some((j) => j.status?.toLowerCase() === 'error') ? 'A connection in ERROR stops every consumer at once.' : ''}`.trim(),
        evidence: evidenceOf(a),
      };
    }
    if (result.status === 'unknown') {
      const reasons = [...a.unknown.map((u) => `${where(u.ref)}: ${u.reason}`), ...a.judged.filter((j) => j.status === undefined).map((j) => `${where(j.ref)}: ${j.unreadReason ?? 'status not read'}`)];
      return { message: `Not evaluated: ${reasons.join('; ')}.`, evidence: evidenceOf(a) };
    }
    return { message: `Every connection ${subject.charAt(0).toLowerCase()}${subject.slice(1)} uses is available: ${a.judged.map(describeJudged).join('; ')}.`, evidence: evidenceOf(a) };
  },
};
