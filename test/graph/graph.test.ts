// `linkaudit graph` in process: what the graph holds for a small estate, its JSON against
// schemas/graph.schema.json, the Mermaid and Graphviz structure, determinism, selections, and
// hostile names in every format (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildGraph, type BlastGraph, type GraphConnection } from '../../src/graph/build.js';
import { whoMayUse } from '../../src/graph/diagram.js';
import { whoCanUse } from '../../src/iam/access.js';
import type { Snapshot } from '../../src/model/types.js';
import { mermaidText, renderGraph } from '../../src/graph/render.js';
import { blastRadius } from '../../src/graph/summary.js';
import { loadSnapshotFile } from '../../src/model/load.js';
import { validator } from '../../src/schema/validate.js';
import { UserError } from '../../src/errors.js';
import type { Finding } from '../../src/engine/types.js';
import { expectTablesIntact } from '../reporters/markdown-checks.js';
import { checkDot, checkMermaid, expectNoRawHtml } from './checks.js';
import { ACCOUNT, CONNECTION, CONNECTION_OLD_PREFIX, MISSING_CONNECTION, PLAIN, graphSnapshot, type Names } from './fixture.js';

const validGraph = (g: BlastGraph): void => {
  const validate = validator('graph');
  const doc = JSON.parse(renderGraph(g, 'json')) as unknown;
  const ok = validate(doc);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
};

describe('the graph of a small estate', () => {
  const g = buildGraph(graphSnapshot());
  const conn = g.connections.find((c) => c.arn === CONNECTION);

  it('lists every connection, the one only a pipeline names included, sorted', () => {
    expect(g.connections.map((c) => c.arn)).toEqual([CONNECTION, MISSING_CONNECTION]);
    expect(g.connections[1]?.inSnapshot).toBe(false);
    expect(g.connections[1]?.providerType).toBeUndefined();
  });

  it('joins both prefixes into one connection, keeping the other spelling', () => {
    expect(conn?.aliases).toEqual([CONNECTION_OLD_PREFIX]);
    expect(conn?.host).toBe('github.com');
  });

  it('names the repositories and the consumers that name them', () => {
    expect(conn?.repositories).toEqual([
      { repository: 'acme/payments', consumers: [`arn:aws:codepipeline:us-east-1:${ACCOUNT}:payments-release`] },
      { repository: 'acme/web', host: 'github.com', consumers: [`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/web-pr`] },
    ]);
  });

  it('follows a pipeline to the builds it runs, and says which it cannot resolve', () => {
    const pipeline = conn?.consumers.find((c) => c.kind === 'pipeline');
    expect(pipeline?.runs).toEqual([`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/payments-build`]);
    expect(pipeline?.unresolvedBuilds?.[0]).toMatch(/^Build\/Later: ProjectName #\{variables.project\} is a variable/);
    const build = conn?.consumers.find((c) => c.arn.endsWith('project/payments-build'));
    expect(build?.references).toEqual([{ via: 'pipelineBuild', pipeline: `arn:aws:codepipeline:us-east-1:${ACCOUNT}:payments-release`, stage: 'Build', action: 'Build' }]);
    expect(conn?.consumers.map((c) => c.kind).sort()).toEqual(['buildProject', 'buildProject', 'pipeline', 'sourceCredential']);
  });

  it('judges the roles: admin-equivalent with its statement, and a role that is not there as unknown', () => {
    const admin = g.roles.find((r) => r.ref.endsWith('role/payments-build'));
    expect(admin?.capabilities?.adminEquivalent).toMatchObject({ verdict: 'yes', statement: 'managed policy arn:aws:iam::aws:policy/AdministratorAccess statement 0' });
    expect(admin?.capabilities?.assumeRoleOtherAccounts).toMatchObject({ verdict: 'yes', targets: ['*'] });
    const gone = g.roles.find((r) => r.ref.endsWith('role/gone'));
    expect(gone).toMatchObject({ state: 'absent' });
    expect(gone?.capabilities).toBeUndefined();
    const pipelineRole = g.roles.find((r) => r.ref.endsWith('role/pipeline'));
    expect(pipelineRole?.capabilities?.adminEquivalent.verdict).toBe('no');
    // codestar-connections:UseConnection on *: every connection of the old prefix only, so it is listed per connection.
    expect(pipelineRole?.capabilities?.useEveryConnection.verdict).toBe('yes');
  });

  it('says who may use the connection, once per account for those whose access is the same for every connection', () => {
    expect(conn?.access.evaluated).toBe(true);
    expect(whoMayUse(g, conn as GraphConnection).map((p) => p.principal)).toEqual([`arn:aws:iam::${ACCOUNT}:role/payments-build`, `arn:aws:iam::${ACCOUNT}:user/ci`]);
    expect(conn?.access.accountWide).toEqual({ account: ACCOUNT, prefix: 'codeconnections' });
    expect(g.accountAccess.map((a) => `${a.account}|${a.prefix}|${a.principals.length}`)).toEqual([`${ACCOUNT}|codeconnections|2`, `${ACCOUNT}|codestar-connections|2`]);
  });

  it('is valid against schemas/graph.schema.json', () => validGraph(g));

  it('is the same text twice', () => {
    for (const format of ['json', 'markdown', 'dot', 'mermaid'] as const) expect(renderGraph(buildGraph(graphSnapshot()), format)).toBe(renderGraph(g, format));
  });

  it('draws a well-formed Mermaid flowchart with the admin role marked', () => {
    const text = renderGraph(g, 'mermaid');
    const { nodes, edges } = checkMermaid(text.trimEnd());
    expect(nodes.size).toBeGreaterThan(5);
    expect(edges.length).toBeGreaterThan(5);
    expect(text).toMatch(/class [n0-9,]+ admin/);
    expect(text).toContain('ADMIN-EQUIVALENT (every action)');
  });

  it('draws a well-formed Graphviz digraph', () => {
    const { nodes, edges } = checkDot(renderGraph(g, 'dot'));
    expect(nodes.size).toBeGreaterThan(5);
    expect(edges).toBeGreaterThan(5);
  });

  it('renders Markdown: the diagram in a mermaid fence, intact tables, unknowns stated', () => {
    const md = renderGraph(g, 'markdown');
    const fenced = /```mermaid\n([\s\S]*?)\n```/.exec(md)?.[1];
    expect(fenced).toBeDefined();
    checkMermaid(fenced as string);
    expectTablesIntact(md);
    expect(md).toContain('unknown: the role arn:aws:iam::111122223333:role/gone is not in the snapshot');
    expect(md).toContain('(not in the snapshot)');
  });
});

// Account-wide grants are asked once instead of per connection: together with each connection's
// own they must be exactly what `linkaudit access` answers for it.
function expectSameAsAccess(snapshot: Snapshot): void {
  const g = buildGraph(snapshot);
  for (const c of g.connections) {
    if (!c.access.evaluated) continue;
    const graph = whoMayUse(g, c).flatMap((p) => p.grants.map((x) => `${p.principal} ${x.action} ${x.access}`)).sort();
    const access = whoCanUse(snapshot, c.arn).principals.flatMap((p) => p.grants.map((x) => `${p.principal} ${x.action} ${x.reach}`)).sort();
    expect(graph, c.arn).toEqual(access);
  }
}

describe('who may use a connection', () => {
  it('is what linkaudit access answers, on the fixture', () => expectSameAsAccess(graphSnapshot()));
  it('is what linkaudit access answers, on the demo', () => expectSameAsAccess(loadSnapshotFile('fixtures/demo/snapshot.json')));
});

describe('selections', () => {
  const snapshot = graphSnapshot();

  it('finds a connection by either prefix', () => {
    expect(buildGraph(snapshot, { connection: CONNECTION_OLD_PREFIX }).connections.map((c) => c.arn)).toEqual([CONNECTION]);
    expect(buildGraph(snapshot, { connection: CONNECTION }).connections.map((c) => c.arn)).toEqual([CONNECTION]);
  });

  it('keeps only what a push to the repository reaches (case does not matter)', () => {
    const g = buildGraph(snapshot, { repository: 'ACME/Payments' });
    expect(g.connections).toHaveLength(1);
    expect(g.connections[0]?.repositories.map((r) => r.repository)).toEqual(['acme/payments']);
    expect(g.connections[0]?.consumers.map((c) => c.name).sort()).toEqual(['payments-build', 'payments-release']);
    expect(g.roles.map((r) => r.ref).sort()).toEqual([`arn:aws:iam::${ACCOUNT}:role/payments-build`, `arn:aws:iam::${ACCOUNT}:role/pipeline`]);
    validGraph(g);
  });

  it.each<[string, Parameters<typeof buildGraph>[1], RegExp]>([
    ['both selectors', { connection: CONNECTION, repository: 'acme/payments' }, /exclude each other/],
    ['a connection nothing names', { connection: CONNECTION.replace('0347af09', '00000000') }, /matches no connection of the snapshot/],
    ['not a connection ARN', { connection: 'arn:aws:s3:::bucket' }, /is not a connection ARN/],
    ['a repository nothing names', { repository: 'acme/nothing' }, /names acme\/nothing/],
    ['not OWNER/NAME', { repository: 'payments' }, /is not OWNER\/NAME/],
  ])('refuses %s', (_name, selection, message) => {
    expect(() => buildGraph(snapshot, selection)).toThrow(UserError);
    expect(() => buildGraph(snapshot, selection)).toThrow(message);
  });
});

describe('the demo estate', () => {
  const snapshot = loadSnapshotFile('fixtures/demo/snapshot.json');

  it('shows acme/payments reaching an admin role', () => {
    const g = buildGraph(snapshot, { repository: 'acme/payments' });
    validGraph(g);
    expect(g.roles.filter((r) => r.capabilities?.adminEquivalent.verdict === 'yes').map((r) => r.arn)).toEqual(['arn:aws:iam::111122223333:role/release-automation', 'arn:aws:iam::111122223333:role/service-role/payments-release-deployer']);
    checkMermaid(renderGraph(g, 'mermaid').trimEnd());
  });

  it('graphs the whole demo: valid, every format well-formed', () => {
    const g = buildGraph(snapshot);
    validGraph(g);
    checkMermaid(renderGraph(g, 'mermaid').trimEnd());
    checkDot(renderGraph(g, 'dot'));
    expectTablesIntact(renderGraph(g, 'markdown'));
  });
});

describe('Mermaid label text', () => {
  it.each([
    ['a"b', 'a#34;b'],
    ['x --> y', 'x -#45;#62; y'.replace('#45;', '-')],
    ['%%{init}%%', '#37;#37;#123;init#125;#37;#37;'],
    ['<script>', '#60;script#62;'],
    ['a\nb\r\nc', 'a b c'],
    ['`[x]|#;', '#96;#91;x#93;#124;#35;#59;'],
    ['😀', '#128512;'],
  ])('%j', (input, out) => expect(mermaidText(input)).toBe(out));
});

// Names from the estate, chosen to break each syntax: quotes, brackets, pipes, backticks, HTML,
// Mermaid arrows and comments, DOT escapes, control characters and bidi overrides.
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', "'", '[', ']', '(', ')', '{', '}', '|', '`', '```', '<script>', '</div>', '-->', '-.->', '%%', '#', ';', '\\', '\\N', '\n', '\r\n', '\t', '\u001b[2J', '\u0085', '\u202e', '&amp;', 'end', 'classDef'),
      fc.string({ maxLength: 4 }),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(''));

const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('hostile names', () => {
  // The schema holds pipeline and project names to AWS's characters, except a template's stand-in
  // (`iac:` and any text on one line).
  const templateName = hostile.map((h) => `iac:x${h.replace(/[\r\n\u2028\u2029]/g, '')}`);
  const names = fc.record({ connection: hostile, pipeline: templateName, project: templateName, role: hostile, repository: hostile.map((r) => `acme/${r}`), stage: hostile, action: hostile });

  it('stay inside their labels and cells in every format, and the JSON stays valid', () => {
    fc.assert(
      fc.property(names, (n: Names) => {
        const g = buildGraph(graphSnapshot({ ...PLAIN, ...n }));
        validGraph(g);
        const mermaid = renderGraph(g, 'mermaid');
        checkMermaid(mermaid.trimEnd());
        expect(mermaid).not.toMatch(RAW_CONTROL);
        const dot = renderGraph(g, 'dot');
        checkDot(dot);
        expect(dot).not.toMatch(RAW_CONTROL);
        const md = renderGraph(g, 'markdown');
        expectTablesIntact(md);
        expectNoRawHtml(md);
        const fenced = /^(`{3,})mermaid\n([\s\S]*?)\n\1$/m.exec(md)?.[2];
        checkMermaid(fenced as string);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the scan report\'s blast radius', () => {
  const snapshot = graphSnapshot();
  const fail = (ruleId: string, kind: Finding['resource']['kind'], arn: string, severity: Finding['severity'] = 'high'): Finding => ({
    ruleId,
    status: 'fail',
    severity,
    resource: { arn, kind, account: ACCOUNT, region: 'us-east-1' },
    message: 'x',
    evidence: [],
  });

  it('lists the connections behind a high fail on a consumer, with their admin roles', () => {
    const b = blastRadius(snapshot, [fail('pipeline-build-role-admin', 'pipeline', `arn:aws:codepipeline:us-east-1:${ACCOUNT}:payments-release`)], 'linkaudit graph --snapshot s.json');
    expect(b?.total).toBe(1);
    expect(b?.entries[0]).toMatchObject({ connection: CONNECTION, repositories: ['acme/payments', 'acme/web'], adminRoles: [`arn:aws:iam::${ACCOUNT}:role/payments-build`], findings: 1 });
  });

  it('leaves out medium fails, passes and suppressed fails', () => {
    const arn = `arn:aws:codepipeline:us-east-1:${ACCOUNT}:payments-release`;
    expect(blastRadius(snapshot, [fail('r', 'pipeline', arn, 'medium'), { ...fail('r', 'pipeline', arn), status: 'pass' }, { ...fail('r', 'pipeline', arn), suppression: { source: 'config', reason: 'accepted risk' } }], 'x')).toBeUndefined();
  });

  it('counts a fail on the connection itself', () => {
    expect(blastRadius(snapshot, [fail('c', 'connection', CONNECTION, 'critical')], 'x')?.entries[0]?.connection).toBe(CONNECTION);
  });
});
