// IAM analysis benchmark (part of `npm run bench`): the three IAM rules over 20,000 roles, each
// with up to 10 AWS managed policies drawn from the real corpus (../shared/corpus) plus inline
// policies, some under a permissions boundary. Managed policies are shared objects, as in a
// snapshot, so each is compiled once. Prints figures and PASS/MISS; never fails the process.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng, GENERATED_AT, REGIONS } from './synthetic.mjs';
import { emptySnapshot } from '../dist/model/empty.js';
import { validateSnapshot } from '../dist/model/load.js';
import { loadRuleSet } from '../dist/engine/rule-set.js';
import { evaluateRules } from '../dist/engine/evaluate.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'aws-managed-policies.json');
const ROLES = 20_000;
const ACCOUNTS = 20;
const MAX_ATTACHED = 10;
const TARGETS = { seconds: 5, peakRssMb: 1024 };
const IAM_RULES = ['iam-connection-admin-overbroad', 'iam-passconnection-overbroad', 'iam-useconnection-overbroad'];

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
const now = () => performance.now();
const n = (x) => x.toLocaleString('en-US');
const rssMb = () => process.resourceUsage().maxRSS / 1024;
const line = (label, text) => console.log(`${label.padEnd(13)} ${text}`);

console.log(`linkaudit IAM bench: node ${process.version}, ${cpus().length} CPU(s), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// A few corpus entries have no ARN: AWS managed policies' ARNs follow from their names.
const corpus = JSON.parse(readFileSync(CORPUS, 'utf8')).map((p) => ({ ...p, arn: p.arn ?? `arn:aws:iam::aws:policy/${p.name}` }));
const rand = prng(7);
const pick = (list) => list[Math.floor(rand() * list.length)];
const accounts = Array.from({ length: ACCOUNTS }, (_, i) => String(210000000000 + i * 1111111));
const connectionArn = (account, i) => `arn:aws:codestar-connections:${REGIONS[i % REGIONS.length]}:${account}:connection/${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`;

// Broad policies are attached far more often in real estates than the long tail.
const common = ['ReadOnlyAccess', 'PowerUserAccess', 'AdministratorAccess', 'AmazonS3ReadOnlyAccess', 'CloudWatchLogsFullAccess', 'AWSCodeBuildAdminAccess', 'AmazonEC2ContainerRegistryPowerUser', 'AWSCodePipeline_FullAccess']
  .map((name) => corpus.find((p) => p.name === name))
  .filter(Boolean);

/** Inline policies in the shapes CI and developer roles really have. */
function inlineFor(account, i) {
  const shapes = [
    () => ({ Effect: 'Allow', Action: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'], Resource: [connectionArn(account, i % 7)] }),
    () => ({ Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'codestar-connections:FullRepositoryId': [`example-org/service-${i % 50}`] } } }),
    () => ({ Effect: 'Allow', Action: 'codestar-connections:*', Resource: '*' }),
    () => ({ Effect: 'Allow', Action: 'codeconnections:PassConnection', Resource: '*', Condition: { StringEquals: { 'codeconnections:PassedToService': 'codepipeline.amazonaws.com' } } }),
    () => ({ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::artifacts-${account}/*` }),
    () => ({ Effect: 'Deny', Action: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'], Resource: '*', Condition: { StringNotEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } }),
    () => ({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:*:${account}:log-group:/aws/codebuild/*` }),
  ];
  const count = Math.floor(rand() * 3);
  return Array.from({ length: count }, (_, k) => ({ name: `inline-${k}`, document: { Version: '2012-10-17', Statement: [pick(shapes)(), pick(shapes)()] } }));
}

let t0 = now();
const used = new Map();
const boundaries = accounts.map((account) => ({
  arn: `arn:aws:iam::${account}:policy/DeveloperBoundary`, account, region: 'global', tags: {}, name: 'DeveloperBoundary', defaultVersionId: 'v1',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' }, { Effect: 'Deny', Action: ['codeconnections:Delete*', 'codestar-connections:Delete*'], Resource: '*' }] },
}));
const roles = [];
for (let i = 0; i < ROLES; i++) {
  const account = accounts[i % ACCOUNTS];
  const attached = new Set();
  const k = Math.floor(rand() * (MAX_ATTACHED + 1));
  while (attached.size < k) attached.add(rand() < 0.3 ? pick(common) : pick(corpus));
  for (const p of attached) used.set(p.arn, p);
  roles.push({
    arn: `arn:aws:iam::${account}:role/workload-${String(i).padStart(5, '0')}`, account, region: 'global', name: `workload-${i}`, tags: { team: `team-${i % 40}` },
    assumeRolePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    inlinePolicies: inlineFor(account, i),
    attachedPolicies: [...attached].map((p) => p.arn).sort(),
    ...(rand() < 0.1 ? { permissionsBoundary: `arn:aws:iam::${account}:policy/DeveloperBoundary` } : {}),
  });
}
const managed = [...used.values()].map((p) => ({ arn: p.arn, account: accounts[0], region: 'global', tags: {}, name: p.name, defaultVersionId: p.defaultVersionId, document: p.document, awsManaged: true }));
const snapshot = validateSnapshot(
  emptySnapshot({ generatedAt: GENERATED_AT, source: { kind: 'file', description: 'IAM bench' }, scope: { partition: 'aws', accounts, regions: REGIONS }, iamRoles: roles, iamPolicies: [...managed, ...boundaries] }),
  'IAM bench estate',
);
const attachments = roles.reduce((s, r) => s + r.attachedPolicies.length, 0);
const statements = managed.reduce((s, p) => s + (Array.isArray(p.document.Statement) ? p.document.Statement.length : 1), 0);
line('[a] build', `${n(ROLES)} roles in ${ACCOUNTS} accounts, ${n(attachments)} attachments of ${n(managed.length)} distinct AWS managed policies (${n(statements)} statements), ${n(roles.reduce((s, r) => s + r.inlinePolicies.length, 0))} inline policies, ${n(roles.filter((r) => r.permissionsBoundary).length)} boundaries; built and validated in ${((now() - t0) / 1000).toFixed(2)} s`);

const { rules } = loadRuleSet();
const iamRules = rules.filter((r) => IAM_RULES.includes(r.meta.id));
const settings = { trustedAccounts: [], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 };
gc();
const before = rssMb();
t0 = now();
const cold = evaluateRules(iamRules, snapshot, settings);
const coldMs = now() - t0;
const tally = (findings) => ['fail', 'pass', 'unknown'].map((s) => `${n(findings.filter((f) => f.status === s).length)} ${s}`).join(', ');
line('[b] evaluate', `3 IAM rules, first pass (compiles every policy once): ${(coldMs / 1000).toFixed(2)} s for ${n(cold.evaluations)} evaluations (${n(Math.round(cold.evaluations / (coldMs / 1000)))}/s); ${tally(cold.findings)}`);
for (const rule of iamRules) {
  t0 = now();
  const out = evaluateRules([rule], snapshot, settings);
  line('', `${rule.meta.id.padEnd(32)} ${((now() - t0) / 1000).toFixed(2)} s (warm): ${tally(out.findings)}`);
}
// Reading every message (as a report does) renders the lazy ones.
t0 = now();
let chars = 0;
for (const f of cold.findings) chars += f.message.length + JSON.stringify(f.evidence).length;
line('[c] messages', `${n(cold.findings.length)} messages and evidence rendered in ${((now() - t0) / 1000).toFixed(2)} s (${n(chars)} characters)`);
const peak = rssMb();
line('[d] peak RSS', `${peak.toFixed(0)} MB (before evaluating: ${before.toFixed(0)} MB)`);

const verdict = (ok) => (ok ? 'PASS' : 'MISS');
console.log('');
console.log(`== IAM summary == (load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
console.log(`  ${verdict(coldMs / 1000 <= TARGETS.seconds)}  time      ${(coldMs / 1000).toFixed(2)} s for the three IAM rules over ${n(ROLES)} roles, first pass (target <= ${TARGETS.seconds} s)`);
console.log(`  ${verdict(peak <= TARGETS.peakRssMb)}  peak RSS  ${peak.toFixed(0)} MB (target <= ${TARGETS.peakRssMb} MB)`);
