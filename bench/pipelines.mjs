// Pipelines and builds benchmark (part of `npm run bench`): the 100,000-resource synthetic estate
// with 20,000 pipelines and 20,000 build projects on 2,000 of its connections and the roles they
// run as (bench/synthetic.mjs addPipelineEstate). The pipeline and build rules' throughput, every
// rule over the whole estate, and `linkaudit graph` over the whole estate. A separate process, so
// its peak RSS is its own. Prints figures and PASS/MISS; never fails the process.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { countResources, syntheticSnapshot } from './synthetic.mjs';
import { validateSnapshot } from '../dist/model/load.js';
import { loadRuleSet } from '../dist/engine/rule-set.js';
import { evaluateRules } from '../dist/engine/evaluate.js';
import { buildGraph } from '../dist/graph/build.js';
import { renderGraph } from '../dist/graph/render.js';

const TARGETS = { evalsPerSec: 1_000_000, graphMs: 2000, peakRssMb: 1024 };
const PASSES = 3;
// The rules of issue 13 (pipelines, builds, source credentials and the connections they use).
const NEW_RULES = [
  'pipeline-connection-missing',
  'pipeline-connection-not-available',
  'pipeline-github-oauth-source',
  'codebuild-token-source-credential',
  'codebuild-source-url-credentials',
  'codebuild-clone-ref-role-cannot-use-connection',
  'pipeline-clone-ref-without-codebuild',
  'pipeline-code-zip-git-usage',
  'connection-unused',
  'pipeline-build-role-admin',
  'pipeline-pr-trigger-any-branch',
];
// Measured on their own estate (bench/iam.mjs); here they would judge the pipelines' roles too.
const IAM_RULES = ['iam-connection-admin-overbroad', 'iam-passconnection-overbroad', 'iam-useconnection-overbroad'];

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
const now = () => performance.now();
const ms = (x) => `${x.toFixed(1)} ms`;
const n = (x) => x.toLocaleString('en-US');
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const rssMb = () => process.resourceUsage().maxRSS / 1024;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const line = (label, text) => console.log(`${label.padEnd(13)} ${text}`);
const settings = { trustedAccounts: [], trustedOrganizations: [], pendingAcceptanceMaxDays: 7 };

const freshEstate = () => validateSnapshot(syntheticSnapshot({ pipelines: 20_000, buildProjects: 20_000, pipelineConnections: 2_000 }), 'synthetic');

// `--graph` and `--graph-repo`: the graph part, in a process of its own (started below), as a run
// of `linkaudit graph --snapshot` is: nothing computed earlier (role capabilities, compiled
// policies) is reused, and its peak RSS is its own.
if (process.argv.includes('--graph')) {
  graphOfEstate();
  process.exit(0);
}
if (process.argv.includes('--graph-repo')) {
  graphOfRepository();
  process.exit(0);
}

function graphOfEstate() {
  const snapshot = freshEstate();
  gc();
  let t0 = now();
  const graph = buildGraph(snapshot);
  const buildMs = now() - t0;
  t0 = now();
  const md = renderGraph(graph, 'markdown');
  const mdMs = now() - t0;
  t0 = now();
  const json = renderGraph(graph, 'json');
  const jsonMs = now() - t0;
  const admin = graph.roles.filter((r) => r.capabilities?.adminEquivalent.verdict === 'yes').length;
  const unknownRoles = graph.roles.filter((r) => r.state !== 'found' || r.capabilities?.adminEquivalent.verdict === 'unknown').length;
  const principals = graph.connections.reduce((k, c) => k + c.access.principals.length, 0) + graph.accountAccess.reduce((k, a) => k + a.principals.length, 0);
  line('[d] graph', `whole estate: ${n(graph.connections.length)} connections, ${n(graph.connections.reduce((k, c) => k + c.consumers.length, 0))} consumer entries, ${n(graph.roles.length)} roles (${n(admin)} admin-equivalent, ${n(unknownRoles)} unknown), ${n(principals)} who-may-use entries (${n(graph.accountAccess.length)} account-wide lists); buildGraph ${ms(buildMs)}, markdown ${ms(mdMs)} (${mb(Buffer.byteLength(md))}), json ${ms(jsonMs)} (${mb(Buffer.byteLength(json))})`);
  const peak = rssMb();
  line('[d] RSS', `${peak.toFixed(1)} MB peak in the graph's process`);
  console.log(`GRAPH_RESULT ${JSON.stringify({ graphMs: buildMs + mdMs, jsonMs, peak })}`);
}

function graphOfRepository() {
  const snapshot = freshEstate();
  const repo = snapshot.pipelines.find((p) => p.stages[0]?.actions[0]?.configuration.FullRepositoryId)?.stages[0]?.actions[0]?.configuration.FullRepositoryId;
  gc();
  const t0 = now();
  const one = buildGraph(snapshot, { repository: repo });
  renderGraph(one, 'markdown');
  line('[d] one repo', `--repository ${repo}: ${n(one.connections.length)} connection(s), ${n(one.roles.length)} role(s), buildGraph + Markdown ${ms(now() - t0)} from cold`);
}

console.log(`linkaudit pipelines bench: node ${process.version}, ${cpus().length} CPU(s), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// a. build -------------------------------------------------------------------------------------
let t0 = now();
let snapshot = validateSnapshot(syntheticSnapshot({ pipelines: 20_000, buildProjects: 20_000, pipelineConnections: 2_000 }), 'synthetic');
const counts = countResources(snapshot);
const used = new Set(snapshot.pipelines.flatMap((p) => p.stages.flatMap((s) => s.actions.map((a) => a.configuration.ConnectionArn).filter(Boolean))).map((a) => a.split('/').pop()));
line('[a] build', `${n(counts.total)} resources in ${ms(now() - t0)} (built and validated): ${n(counts.pipelines)} pipelines, ${n(counts.buildProjects)} build projects, ${n(counts.sourceCredentials)} source credentials, ${n(snapshot.iamRoles.length)} roles, ${n(counts.connections)} connections (${n(used.size)} named by pipelines)`);

// b. read: what `linkaudit graph --snapshot FILE` or `scan --snapshot FILE` pays for this file.
let text = JSON.stringify(snapshot);
const fileBytes = Buffer.byteLength(text);
t0 = now();
validateSnapshot(JSON.parse(text), 'synthetic');
const readMs = now() - t0;
text = undefined;
line('[b] read', `${mb(fileBytes)} as JSON; JSON.parse + validateSnapshot ${ms(readMs)}`);
gc();


// c. rules ---------------------------------------------------------------------------------------
const rs = loadRuleSet();
const newRules = rs.rules.filter((r) => NEW_RULES.includes(r.meta.id));
const missing = NEW_RULES.filter((id) => !rs.rules.some((r) => r.meta.id === id));
t0 = now();
let out = evaluateRules(newRules, snapshot, settings, rs.runtime.bind);
const coldMs = now() - t0;
const times = [];
for (let i = 0; i < PASSES; i++) {
  out = undefined;
  t0 = now();
  out = evaluateRules(newRules, snapshot, settings, rs.runtime.bind);
  times.push(now() - t0);
}
const newEvals = out.evaluations;
const newRate = newEvals / (median(times) / 1000);
const by = { fail: 0, pass: 0, unknown: 0 };
for (const f of out.findings) by[f.status]++;
line('[c] new rules', `${newRules.length} rules${missing.length ? ` (not on this branch: ${missing.join(', ')})` : ''}, ${n(newEvals)} rule-evaluations/pass (${n(by.fail)} fail, ${n(by.pass)} pass, ${n(by.unknown)} unknown); first (cold) pass ${ms(coldMs)} => ${n(Math.round(newEvals / (coldMs / 1000)))}/s; ${PASSES} warm passes ${times.map(ms).join(', ')} => ${n(Math.round(newRate))} rule-evaluations/s (median; target >= ${n(TARGETS.evalsPerSec)}/s)`);
console.log('');
console.log(`    ${'rule'.padEnd(48)} ${'evals'.padStart(7)} ${'fail'.padStart(6)} ${'pass'.padStart(6)} ${'unknown'.padStart(7)} ${'ms'.padStart(7)} ${'evals/s'.padStart(10)}`);
const noStatus = [];
for (const rule of newRules) {
  gc();
  t0 = now();
  const o = evaluateRules([rule], snapshot, settings, rs.runtime.bind);
  const t = Math.max(0.1, now() - t0);
  const s = { fail: 0, pass: 0, unknown: 0 };
  for (const f of o.findings) s[f.status]++;
  const miss = ['fail', 'pass', 'unknown'].filter((k) => s[k] === 0);
  if (miss.length) noStatus.push(`${rule.meta.id} (no ${miss.join('/')})`);
  console.log(`    ${rule.meta.id.padEnd(48)} ${n(o.evaluations).padStart(7)} ${n(s.fail).padStart(6)} ${n(s.pass).padStart(6)} ${n(s.unknown).padStart(7)} ${t.toFixed(1).padStart(7)} ${n(Math.round(o.evaluations / (t / 1000))).padStart(10)}${miss.length ? `  <- no ${miss.join('/')}` : ''}`);
}
console.log('');
// Every built-in rule but the IAM connection rules (their own bench) over the whole estate.
const allRules = rs.rules.filter((r) => !IAM_RULES.includes(r.meta.id));
const allTimes = [];
let allEvals = 0;
for (let i = 0; i < PASSES; i++) {
  out = undefined;
  gc();
  t0 = now();
  out = evaluateRules(allRules, snapshot, settings, rs.runtime.bind);
  allTimes.push(now() - t0);
  allEvals = out.evaluations;
}
const allRate = allEvals / (median(allTimes) / 1000);
line('[c] all rules', `${allRules.length} rules (all but the three IAM connection rules: bench/iam.mjs), ${n(allEvals)} rule-evaluations/pass; ${PASSES} passes ${allTimes.map(ms).join(', ')} => ${n(Math.round(allRate))} rule-evaluations/s (median)`);
out = undefined;

// d. graph: in a process of its own, as `linkaudit graph --snapshot` runs: nothing the rules
// computed here (role capabilities, compiled policies) is reused, and its peak RSS is its own.
out = undefined;
snapshot = undefined;
gc();
let graphResult = { graphMs: NaN, jsonMs: NaN, peak: NaN };
for (const flag of ['--graph', '--graph-repo']) {
  const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), flag], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  for (const l of (child.stdout ?? '').split('\n')) {
    if (l.startsWith('GRAPH_RESULT ')) graphResult = JSON.parse(l.slice('GRAPH_RESULT '.length));
    else if (l !== '') console.log(l);
  }
  if (child.status !== 0) console.log(`[d] graph     ${flag} failed: ${(child.stderr ?? '').split('\n').slice(0, 3).join(' ')}`);
}
const { graphMs, jsonMs } = graphResult;

// e. peak RSS ------------------------------------------------------------------------------------
const peakMb = Math.max(rssMb(), graphResult.peak);
line('[e] peak RSS', `${rssMb().toFixed(1)} MB here, ${graphResult.peak.toFixed(1)} MB in the graph's process (process.resourceUsage().maxRSS; target <= ${TARGETS.peakRssMb} MB each)`);

const verdict = (ok) => (ok ? 'PASS' : 'MISS');
console.log('');
console.log(`== pipelines summary == (load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPU(s): timings are only comparable on a quiet machine)`);
console.log(`  ${verdict(newRate >= TARGETS.evalsPerSec)}  new rules   ${n(Math.round(newRate))} rule-evaluations/s, warm (cold: ${n(Math.round(newEvals / (coldMs / 1000)))}/s; target >= ${n(TARGETS.evalsPerSec)})`);
console.log(`  ----  all rules   ${n(Math.round(allRate))} rule-evaluations/s over the whole estate (the 100,000-resource estate alone: bench/bench.mjs)`);
console.log(`  ${verdict(graphMs <= TARGETS.graphMs)}  graph       ${ms(graphMs)} buildGraph + Markdown for the whole estate (JSON ${ms(jsonMs)} more; reading the file ${ms(readMs)} before, see [b]; target <= ${TARGETS.graphMs} ms)`);
console.log(`  ${verdict(peakMb <= TARGETS.peakRssMb)}  peak RSS    ${peakMb.toFixed(1)} MB (target <= ${TARGETS.peakRssMb} MB)`);
console.log(`  ${noStatus.length === 0 ? 'OK  ' : 'NOTE'}  coverage    ${noStatus.length === 0 ? 'every new rule has fail, pass and unknown results' : noStatus.join('; ')}`);
