import { describe, expect, it } from 'vitest';
import type { IacUnit } from '../../src/collectors/iac/types.js';
import { createCelRuntime } from '../../src/engine/cel.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { decideGate } from '../../src/engine/gate.js';
import { loadRuleSet } from '../../src/engine/rule-set.js';
import { iacJudged, type Finding, type Rule, type RuleSettings } from '../../src/engine/types.js';
import { combinedSnapshot, evaluateIacLoad, evaluateUnit } from '../../src/engine/worlds.js';
import { compileYamlRule } from '../../src/engine/yaml-rule.js';
import { UserError } from '../../src/errors.js';
import { ruleMarkdown } from '../../src/docs/rule-markdown.js';
import { iacArn } from '../../src/model/arn.js';
import { validateSnapshot } from '../../src/model/load.js';
import type { Connection, EndpointService, Host, IacOrigin, Snapshot, VpcEndpoint } from '../../src/model/types.js';
import { validator } from '../../src/schema/validate.js';
import { emptySnapshot, endpointService } from '../helpers/snapshot.js';

const settings: RuleSettings = { trustedAccounts: [], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 };
const ruleSet = loadRuleSet();
const rule = (id: string): Rule => {
  const r = ruleSet.rules.find((x) => x.meta.id === id);
  if (!r) throw new Error(id);
  return r;
};
const run = (rules: readonly Rule[], snapshot: Snapshot, s: RuleSettings = settings): Finding[] => evaluateRules(rules, validateSnapshot(snapshot, 'test'), s, ruleSet.runtime.bind).findings;
const trusting: RuleSettings = { ...settings, trustedAccounts: ['111122223333'] };

const NOT_JUDGED = ['connection-not-available', 'connection-unused', 'endpoint-service-private-dns-unverified', 'endpoint-service-stale-pending-connection', 'host-not-available', 'host-predates-vpc-webhooks', 'pipeline-connection-missing', 'pipeline-connection-not-available'];

function origin(logicalId: string, line: number, extra: Partial<IacOrigin> = {}): IacOrigin {
  return {
    format: 'cloudformation',
    id: `net.yaml#${logicalId}`,
    location: { file: 'net.yaml', line, column: 3, endLine: line + 6, endColumn: 30 },
    logicalId,
    ...extra,
  };
}

function iacService(logicalId: string, line: number, overrides: Partial<EndpointService> = {}): EndpointService {
  const o = origin(logicalId, line);
  return endpointService(`iac:${o.id}`, { arn: iacArn('endpointService', 'aws', 'us-east-1', '111122223333', o.id), origin: o, ...overrides });
}

function iacEndpoint(extra: Partial<VpcEndpoint>): VpcEndpoint {
  const o = origin('Endpoint', 20);
  return {
    arn: iacArn('vpcEndpoint', 'aws', 'us-east-1', '111122223333', o.id),
    account: '111122223333',
    region: 'us-east-1',
    tags: {},
    id: 'iac:net.yaml#Endpoint',
    vpcId: 'vpc-1',
    serviceName: 'com.amazonaws.us-east-1.codeconnections.api',
    endpointType: 'Interface',
    state: 'available',
    privateDnsEnabled: false,
    requesterManaged: false,
    origin: o,
    ...extra,
  };
}

function connection(arn: string, extra: Partial<Connection> = {}): Connection {
  return { arn, account: '111122223333', region: 'us-east-1', tags: {}, name: 'gh', providerType: 'GitHub', status: 'PENDING', ...extra };
}

function host(arn: string, extra: Partial<Host> = {}): Host {
  return {
    arn,
    account: '111122223333',
    region: 'us-east-1',
    tags: {},
    name: 'ghe',
    providerType: 'GitHubEnterpriseServer',
    providerEndpoint: 'https://ghe.example.com',
    status: 'PENDING',
    vpcConfiguration: { vpcId: 'vpc-1', subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] },
    ...extra,
  };
}

describe('rules declare whether infrastructure as code can judge them', () => {
  it('every built-in rule declares it; exactly the runtime-state rules give no result, each with a reason', () => {
    for (const r of ruleSet.rules) expect(r.meta.iac, r.meta.id).toBeDefined();
    const notJudged = ruleSet.rules.filter((r) => !iacJudged(r.meta)).map((r) => r.meta.id);
    expect(notJudged).toEqual(NOT_JUDGED);
    for (const r of ruleSet.rules.filter((x) => !iacJudged(x.meta))) expect(r.meta.iac?.reason?.length ?? 0).toBeGreaterThanOrEqual(20);
    expect(iacJudged(rule('endpoint-service-no-notifications').meta)).toBe(true);
  });

  it('the docs page of each rule says judged, or no result and why', () => {
    expect(ruleMarkdown(rule('endpoint-service-acceptance-disabled').meta, 'x')).toContain('| Infrastructure as code | judged (`scan --iac` gives fail, pass or unknown) |');
    expect(ruleMarkdown(rule('host-not-available').meta, 'x')).toMatch(/\| Infrastructure as code \| no result from templates: status is runtime state: the AWS::CodeConnections::Host reference documents that a host created through the CLI or an SDK/);
  });

  const yamlRule = (extra: string): string => `id: my-rule
title: A user rule about single AZ services
severity: low
resource: endpointService
description: Endpoint services in a single Availability Zone, for the test.
rationale: One zone down and the service is unreachable, which is the point.
remediation:
  text: Add subnets in a second Availability Zone to the load balancer.
references: [https://docs.aws.amazon.com/vpc/latest/privatelink/create-endpoint-service.html]
tags: [privatelink]
${extra}fail: size(resource.availabilityZones) < 2
message: '"single AZ"'
`;

  it('user packs may omit it (judged), or declare no result with a reason; judged false without a reason is an error with its place', () => {
    const runtime = createCelRuntime();
    expect(iacJudged(compileYamlRule('my-rule.yaml', yamlRule(''), runtime).meta)).toBe(true);
    const off = compileYamlRule('my-rule.yaml', yamlRule('iac:\n  judged: false\n  reason: the zones are chosen at deploy time by the load balancer\n'), runtime);
    expect(off.meta.iac).toEqual({ judged: false, reason: 'the zones are chosen at deploy time by the load balancer' });
    expect(() => compileYamlRule('my-rule.yaml', yamlRule('iac: { judged: false }\n'), runtime)).toThrow(UserError);
    expect(() => compileYamlRule('my-rule.yaml', yamlRule('iac: { judged: false }\n'), runtime)).toThrow(/^my-rule\.yaml:11:\d+: /);
  });

  it('the rule schema takes the field in TypeScript rules\' metadata too', () => {
    const validate = validator('rule');
    const meta = { ...rule('iam-useconnection-overbroad').meta, resource: 'iamRole', fail: 'false', message: '""' };
    expect(validate(meta)).toBe(true);
    expect(validate({ ...meta, iac: { judged: false } })).toBe(false);
    expect(validate({ ...meta, iac: { judged: true, extra: 1 } })).toBe(false);
  });

  it('runtime-state rules give no result for IaC resources, and still a result for live ones', () => {
    const o = origin('Conn', 4, { id: 'net.yaml#Conn' });
    const iacConn = connection(iacArn('connection', 'aws', 'us-east-1', '111122223333', o.id), { origin: o });
    const liveConn = connection('arn:aws:codeconnections:us-east-1:111122223333:connection/abc');
    const ho = origin('Host', 12, { id: 'net.yaml#Host' });
    const iacHost = host(iacArn('host', 'aws', 'us-east-1', '111122223333', ho.id), { origin: ho, status: 'AVAILABLE' });
    const liveHost = host('arn:aws:codeconnections:us-east-1:111122223333:host/live-1');
    const snap = emptySnapshot({ connections: [iacConn, liveConn], hosts: [iacHost, liveHost] });
    const findings = run([rule('connection-not-available'), rule('host-not-available'), rule('host-endpoint-not-https')], snap);
    expect(findings.map((f) => [f.ruleId, f.resource.arn, f.status])).toEqual([
      ['connection-not-available', liveConn.arn, 'fail'],
      ['host-endpoint-not-https', iacHost.arn, 'pass'],
      ['host-endpoint-not-https', liveHost.arn, 'pass'],
      ['host-not-available', liveHost.arn, 'fail'],
    ]);
  });

  it('in a snapshot made from templates, a listing gap gives no unknown for a rule IaC cannot judge', () => {
    const gap = { account: '111122223333', region: 'us-east-1', service: 'codeconnections', operation: 'Transform', errorCode: 'Unresolved', message: 'x', resourceKinds: ['connection' as const, 'host' as const] };
    const rules = [rule('connection-not-available'), rule('host-endpoint-not-https')];
    expect(run(rules, emptySnapshot({ source: { kind: 'iac' }, coverage: [gap] })).map((f) => [f.ruleId, f.status])).toEqual([['host-endpoint-not-https', 'unknown']]);
    expect(run(rules, emptySnapshot({ coverage: [gap] })).map((f) => f.ruleId)).toEqual(['connection-not-available', 'host-endpoint-not-https']);
  });

  it('`rules list --format json` gives every rule its iac field (defaulted for user packs)', async () => {
    const { rulesList } = await import('../../src/commands/rules.js');
    let out = '';
    rulesList({ format: 'json', rulesDir: [] }, (t) => (out += t));
    const listed = JSON.parse(out) as Array<{ id: string; iac: { judged: boolean } }>;
    expect(listed.filter((r) => !r.iac.judged).map((r) => r.id)).toEqual(NOT_JUDGED);
    let table = '';
    rulesList({ format: 'table', rulesDir: [] }, (t) => (table += t));
    expect(table.split('\n')[0]).toMatch(/^ID +SEVERITY +RESOURCE +IAC +NIST 800-53 +TITLE$/);
    expect(table).toMatch(/\nhost-not-available +medium +host +no result +[A-Z0-9(),-]+ +CodeConnections host is not available\n/);
  });

  it('endpoint-service-no-notifications is judged for IaC resources', () => {
    const svc = iacService('OpenService', 8, { connectionNotifications: [] });
    const [f] = run([rule('endpoint-service-no-notifications')], emptySnapshot({ endpointServices: [svc] }));
    expect(f).toMatchObject({ status: 'fail', resource: { arn: svc.arn, origin: svc.origin } });
  });
});

describe('unreadable "*": the whole resource is undecided', () => {
  const transform = { field: '*', operation: 'Transform', errorCode: 'Unresolved', message: 'the template uses the macro MyMacro, which linkaudit cannot expand' };

  it('validates against the snapshot schema', () => {
    const svc = iacService('OpenService', 8, { unreadable: [transform] });
    expect(() => validateSnapshot(emptySnapshot({ endpointServices: [svc] }), 'test')).not.toThrow();
  });

  it('every rule that reads a field gives unknown, naming the Transform; applicability too is unknown, never "does not apply"', () => {
    const svc = iacService('OpenService', 8, { unreadable: [transform], acceptanceRequired: true, privateDns: { name: 'x.example.com', verificationState: 'verified' } });
    const rules = ruleSet.rules.filter((r) => r.meta.resource === 'endpointService' && iacJudged(r.meta));
    const findings = run(rules, emptySnapshot({ endpointServices: [svc] }), trusting);
    expect(findings.map((f) => [f.ruleId, f.status])).toEqual(rules.map((r) => [r.meta.id, 'unknown']));
    // Its match reads the settings alone: without trusted accounts it does not apply, `*` or not.
    expect(run(rules, emptySnapshot({ endpointServices: [svc] })).map((f) => f.ruleId)).not.toContain('endpoint-service-untrusted-principal');
    expect(findings[0]?.message).toBe('Not evaluated: could not read * (Transform: Unresolved - the template uses the macro MyMacro, which linkaudit cannot expand).');
  });

  it('an interface-endpoint rule (match on the endpoint type) is unknown for an undecided endpoint, not "does not apply"', () => {
    const ep = iacEndpoint({ endpointType: 'Gateway', privateDnsEnabled: true, unreadable: [transform] });
    const findings = run([rule('interface-endpoint-policy-allows-all'), rule('interface-endpoint-private-dns-disabled')], emptySnapshot({ vpcEndpoints: [ep] }));
    expect(findings.map((f) => f.status)).toEqual(['unknown', 'unknown']);
  });

  it('a rule that reads no field is not touched by it', () => {
    const runtime = createCelRuntime();
    const constant = compileYamlRule('const-rule.yaml', `id: const-rule
title: A rule that reads no field at all
severity: low
resource: endpointService
description: Fails nothing; reads nothing of the resource, for the test.
rationale: A verdict that depends on no field cannot be made unknown by one.
remediation:
  text: Nothing to do here; this is a test rule only.
references: [https://docs.aws.amazon.com/vpc/latest/privatelink/]
tags: [test]
fail: 'false'
message: '"never"'
`, runtime);
    const svc = iacService('OpenService', 8, { unreadable: [transform] });
    const [f] = evaluateRules([constant], validateSnapshot(emptySnapshot({ endpointServices: [svc] }), 't'), settings, runtime.bind).findings;
    expect(f?.status).toBe('pass');
  });
});

describe('world merging', () => {
  const world = (label: string, services: EndpointService[]): IacUnit['worlds'][number] => ({ label, snapshot: validateSnapshot(emptySnapshot({ source: { kind: 'iac' }, endpointServices: services }), label) });
  const unit = (worlds: IacUnit['worlds']): IacUnit => ({ name: 'net.yaml', format: 'cloudformation', worlds });
  const acceptance = [rule('endpoint-service-acceptance-disabled')];

  it('one world: the engine\'s findings as they are (lazily rendered)', () => {
    const w = world('', [iacService('A', 3, { acceptanceRequired: false })]);
    const out = evaluateUnit(acceptance, unit([w]), settings, ruleSet.runtime.bind);
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]?.constructor.name).toBe('EvaluatedFinding');
    expect(out.evaluations).toBe(1);
  });

  it('the same status in every world: that status, with the first world\'s detail', () => {
    const a = iacService('A', 3, { acceptanceRequired: false, allowedPrincipals: [] });
    const b = iacService('A', 3, { acceptanceRequired: false, allowedPrincipals: [{ principal: 'arn:aws:iam::444455556666:root', principalType: 'Account' }] });
    const out = evaluateUnit(acceptance, unit([world('IsProd=true', [a]), world('IsProd=false', [b])]), settings, ruleSet.runtime.bind);
    expect(out.findings.map((f) => [f.ruleId, f.status])).toEqual([['endpoint-service-acceptance-disabled', 'fail']]);
    expect(out.findings[0]?.evidence).toEqual(run(acceptance, emptySnapshot({ endpointServices: [a] }))[0]?.evidence);
    expect(out.evaluations).toBe(2);
  });

  it('different statuses: unknown, naming each world\'s label, status and message, each result in the evidence', () => {
    const on = iacService('A', 3, { acceptanceRequired: true });
    const off = iacService('A', 3, { acceptanceRequired: false });
    const [f, ...rest] = evaluateUnit(acceptance, unit([world('IsProd=true', [on]), world('IsProd=false', [off])]), settings, ruleSet.runtime.bind).findings;
    expect(rest).toEqual([]);
    const passMsg = run(acceptance, emptySnapshot({ endpointServices: [on] }))[0]?.message ?? '';
    const failMsg = run(acceptance, emptySnapshot({ endpointServices: [off] }))[0]?.message ?? '';
    expect(f?.status).toBe('unknown');
    expect(f?.severity).toBe(rule('endpoint-service-acceptance-disabled').meta.severity);
    expect(f?.resource.arn).toBe(on.arn);
    expect(f?.resource.origin).toEqual(on.origin);
    expect(f?.message).toBe(`Not evaluated: the result depends on conditions the template does not decide; IsProd=true: pass (${passMsg.replace(/\.$/, '')}); IsProd=false: fail (${failMsg.replace(/\.$/, '')}).`);
    expect(f?.evidence.map((e) => [e.path, (e.value as { status: string }).status])).toEqual([
      ['world IsProd=true', 'pass'],
      ['world IsProd=false', 'fail'],
    ]);
    // An unknown from an undecided condition fails the gate closed (exit 2) unless --allow-partial.
    // (The rule is medium, escalated up to critical: its unknown could reach high.)
    const gate = decideGate([f as Finding], acceptance, 'high', false, { source: 'iac' });
    expect(gate).toMatchObject({ exitCode: 2, blockingUnknowns: 1 });
    expect(gate.reason).toBe('1 result(s) unknown because the templates do not decide values the rules read (parameters without a value, imports, conditions, Transforms), for rules that could reach high; give the values (--iac-param, --iac-params) or pass --allow-partial');
    expect(decideGate([f as Finding], acceptance, 'high', true, { source: 'iac' }).exitCode).toBe(0);
  });

  it('a resource only in some worlds: judged by the worlds where it exists', () => {
    const a = iacService('A', 3, { acceptanceRequired: false });
    const b = iacService('B', 12, { acceptanceRequired: true });
    const out = evaluateUnit(acceptance, unit([world('UseB=true', [a, b]), world('UseB=false', [a])]), settings, ruleSet.runtime.bind);
    expect(out.findings.map((f) => [f.resource.arn, f.status])).toEqual([
      [a.arn, 'fail'],
      [b.arn, 'pass'],
    ]);
  });

  it('a rule that applies in one world and not in another (the resource exists in both): unknown', () => {
    const ep = (endpointType: string): VpcEndpoint => iacEndpoint({ endpointType });
    const w = (label: string, type: string) => ({ label, snapshot: validateSnapshot(emptySnapshot({ vpcEndpoints: [ep(type)] }), label) });
    const out = evaluateUnit([rule('interface-endpoint-private-dns-disabled')], unit([w('UseInterface=true', 'Interface'), w('UseInterface=false', 'Gateway')]), settings, ruleSet.runtime.bind);
    expect(out.findings.map((f) => f.status)).toEqual(['unknown']);
    expect(out.findings[0]?.message).toMatch(/^Not evaluated: the result depends on conditions the template does not decide; UseInterface=true: fail \(Interface endpoint .* has private DNS disabled: .*\); UseInterface=false: no result\.$/);
  });

  it('a load of several units: findings concatenated in the engine\'s order (rule, then ARN)', () => {
    const u1 = unit([world('', [iacService('Z', 3, { acceptanceRequired: false })])]);
    const u2 = { ...unit([world('', [iacService('A', 3, { acceptanceRequired: false, availabilityZones: ['us-east-1a'] })])]), name: 'b.yaml' };
    const rules = [rule('endpoint-service-single-az'), rule('endpoint-service-acceptance-disabled')];
    const load = { units: [u1, u2], inputs: [], skipped: [] };
    const out = evaluateIacLoad(rules, load, settings, ruleSet.runtime.bind);
    const keys = out.findings.map((f) => `${f.ruleId} ${f.resource.arn}`);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toHaveLength(4);
    const combined = combinedSnapshot(load, '2026-01-15T00:00:00.000Z', 'net.yaml, b.yaml');
    expect(combined.endpointServices.map((s) => s.origin?.logicalId)).toEqual(['A', 'Z']);
    expect(combined.source).toEqual({ kind: 'iac', tool: 'linkaudit', description: 'net.yaml, b.yaml' });
    expect(() => validateSnapshot(JSON.parse(JSON.stringify(combined)), 'combined')).not.toThrow();
  });
});
