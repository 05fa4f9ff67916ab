// linkaudit benchmark: `npm run bench` (builds, then runs this with --expose-gc).
// Prints figures; it never asserts (exit code 0 on a missed target). See bench/README.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countResources, syntheticSnapshot } from './synthetic.mjs';
import { validateSnapshot } from '../dist/model/load.js';
import { loadRuleSet } from '../dist/engine/rule-set.js';
import { evaluateRules } from '../dist/engine/evaluate.js';
import * as reporters from '../dist/reporters/index.js';
import * as gateModule from '../dist/engine/gate.js';
import * as versionModule from '../dist/version.js';
import * as schemaModule from '../dist/schema/validate.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli.js');

const PASSES = 5;
const COLD_STARTS = 10;
const TARGETS = { evalsPerSec: 1_000_000, peakRssMb: 1024, coldStartMs: 300 };

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
const now = () => performance.now();
const ms = (x) => `${x.toFixed(1)} ms`;
const n = (x) => x.toLocaleString('en-US');
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rssMb = () => process.resourceUsage().maxRSS / 1024; // maxRSS is KiB
const line = (label, text) => console.log(`${label.padEnd(13)} ${text}`);

console.log(`linkaudit bench: node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}${typeof globalThis.gc === 'function' ? '' : ' [no --expose-gc: GC not forced between passes]'}`);
console.log('');

// a. build ---------------------------------------------------------------------------------
const params = { accounts: 50, regions: 4, resources: 100_000, seed: 1 };
let t0 = now();
const raw = syntheticSnapshot(params);
const buildMs = now() - t0;
const counts = countResources(raw);
line('[a] build', `${n(counts.total)} resources in ${ms(buildMs)}: ${n(counts.connections)} connections, ${n(counts.hosts)} hosts, ${n(counts.vpcEndpoints)} vpcEndpoints, ${n(counts.endpointServices)} endpointServices, ${n(counts.iam)} IAM, ${n(counts.pipelines + counts.buildProjects + counts.sourceCredentials)} pipelines/builds (bench/pipelines.mjs has those); ${raw.scope.accounts.length} accounts x ${raw.scope.regions.length} regions; ${raw.coverage.length} coverage gaps (${raw.coverage.filter((g) => g.field === undefined).length} whole listings)`);

// b. read: compile the schema (once per process), serialize once (file size), then what
// `scan --snapshot` pays per file: JSON.parse + validate.
let compileMs = NaN;
if (typeof schemaModule.validator === 'function') {
  // (If validator() moved, the first validateSnapshot below includes the schema compile.)
  t0 = now();
  schemaModule.validator('snapshot');
  compileMs = now() - t0;
}
t0 = now();
let text = JSON.stringify(raw);
const stringifyMs = now() - t0;
const fileBytes = Buffer.byteLength(text);
t0 = now();
let parsed = JSON.parse(text);
const parseMs = now() - t0;
text = undefined;
t0 = now();
validateSnapshot(parsed, 'synthetic');
const parsedValidateMs = now() - t0;
parsed = undefined; // keep one snapshot in memory, as `scan` does
gc();
// The figure asked for: validateSnapshot on the in-memory snapshot (schema + unique ARNs + sort).
t0 = now();
const snapshot = validateSnapshot(raw, 'synthetic');
const validateMs = now() - t0;
line('[b] validate', `validateSnapshot ${ms(validateMs)} (${n(Math.round(counts.total / (validateMs / 1000)))} resources/s); as JSON: ${mb(fileBytes)}, JSON.parse ${ms(parseMs)} + validate ${ms(parsedValidateMs)} = ${ms(parseMs + parsedValidateMs)} to read the file (stringify ${ms(stringifyMs)}); schema compile ${Number.isNaN(compileMs) ? 'n/a' : ms(compileMs)} once per process`);
gc();

// c. evaluate --------------------------------------------------------------------------------
t0 = now();
const rs = loadRuleSet();
const loadRulesMs = now() - t0;
const settings = { trustedAccounts: snapshot.scope.accounts.slice(0, 10), trustedOrganizations: [], pendingAcceptanceMaxDays: 7 };
const evaluate = () => evaluateRules(rs.rules, snapshot, settings, rs.runtime.bind);

t0 = now();
let out = evaluate(); // the first pass: what a one-shot `linkaudit scan` pays (cold JIT)
const warmMs = now() - t0;
out = evaluate(); // a second warm-up pass before measuring
// Steady state: back-to-back passes, no forced GC in between (a forced full GC shrinks the young
// generation and makes the next pass pay to grow it again, which no real scan does). Each pass
// still pays for collecting the previous pass's findings.
const times = [];
for (let i = 0; i < PASSES; i++) {
  out = undefined;
  t0 = now();
  out = evaluate();
  times.push(now() - t0);
}
const byStatus = { fail: 0, pass: 0, unknown: 0 };
for (const f of out.findings) byStatus[f.status]++;
const best = Math.min(...times);
const med = median(times);
const evalsPerSec = out.evaluations / (med / 1000);
line('[c] rules', `${rs.rules.length} rules loaded in ${ms(loadRulesMs)}; first (cold) pass ${ms(warmMs)} => ${n(Math.round(out.evaluations / (warmMs / 1000)))} rule-evaluations/s`);
line('[c] evaluate', `${n(out.evaluations)} rule-evaluations/pass, ${n(out.findings.length)} findings (${n(byStatus.fail)} fail, ${n(byStatus.pass)} pass, ${n(byStatus.unknown)} unknown, ${n(out.evaluations - out.findings.length + gapFindings(out))} not applicable)`);
line('[c] time', `${PASSES} passes: ${times.map(ms).join(', ')}; best ${ms(best)}, median ${ms(med)} => ${n(Math.round(evalsPerSec))} rule-evaluations/s (median; best ${n(Math.round(out.evaluations / (best / 1000)))}/s; target >= ${n(TARGETS.evalsPerSec)}/s)`);

// Fixed cost per pass: evaluateRules with no rule still builds the snapshot index (makeContext).
const emptyTimes = [];
for (let i = 0; i < PASSES; i++) {
  gc();
  t0 = now();
  evaluateRules([], snapshot, settings, rs.runtime.bind);
  emptyTimes.push(now() - t0);
}
const fixedMs = median(emptyTimes);
line('[c] fixed', `${ms(fixedMs)} per pass with no rule (snapshot index); per-rule times below exclude it`);

// Per rule: results by status (every rule should show fail, pass and unknown) and its own time
// (one evaluateRules([rule]) pass, minus the fixed cost).
console.log('');
console.log(`    ${'rule'.padEnd(44)} ${'kind'.padEnd(15)} ${'evals'.padStart(7)} ${'fail'.padStart(6)} ${'pass'.padStart(6)} ${'unknown'.padStart(7)} ${'n/a'.padStart(6)} ${'ms'.padStart(7)} ${'evals/s'.padStart(10)}`);
const COLLECTION = { connection: 'connections', host: 'hosts', vpcEndpoint: 'vpcEndpoints', endpointService: 'endpointServices', iamUser: 'iamUsers', iamGroup: 'iamGroups', iamRole: 'iamRoles', iamPolicy: 'iamPolicies', pipeline: 'pipelines', buildProject: 'buildProjects', sourceCredential: 'sourceCredentials' };
const kindsOf = (meta) => (Array.isArray(meta.resource) ? meta.resource : [meta.resource]);
const kindCount = (meta) => kindsOf(meta).reduce((sum, kind) => sum + (snapshot[COLLECTION[kind]]?.length ?? 0), 0);
const missingStatuses = [];
for (const rule of rs.rules) {
  const mine = out.findings.filter((f) => f.ruleId === rule.meta.id);
  const s = { fail: 0, pass: 0, unknown: 0 };
  for (const f of mine) s[f.status]++;
  const evals = kindCount(rule.meta);
  if (evals === 0) {
    // This estate has no resource of the rule's kinds (the IAM rules: bench/iam.mjs measures them;
    // pipelines, builds and source credentials: bench/pipelines.mjs).
    const where = kindsOf(rule.meta).some((k) => k.startsWith('iam')) ? 'bench/iam.mjs' : 'bench/pipelines.mjs';
    console.log(`    ${rule.meta.id.padEnd(44)} ${kindsOf(rule.meta).join(',').padEnd(15)} ${'0'.padStart(7)}  (no such resources here; see ${where})`);
    continue;
  }
  const fromGaps = mine.filter((f) => f.resource.arn.endsWith('*')).length;
  gc();
  const t = now();
  evaluateRules([rule], snapshot, settings, rs.runtime.bind);
  const ruleMs = Math.max(0.1, now() - t - fixedMs);
  const miss = ['fail', 'pass', 'unknown'].filter((k) => s[k] === 0);
  if (miss.length) missingStatuses.push(`${rule.meta.id} (no ${miss.join('/')})`);
  console.log(`    ${rule.meta.id.padEnd(44)} ${kindsOf(rule.meta).join(',').padEnd(15)} ${n(evals).padStart(7)} ${n(s.fail).padStart(6)} ${n(s.pass).padStart(6)} ${n(s.unknown).padStart(7)} ${n(evals - (mine.length - fromGaps)).padStart(6)} ${ruleMs.toFixed(1).padStart(7)} ${n(Math.round(evals / (ruleMs / 1000))).padStart(10)}${miss.length ? `  <- no ${miss.join('/')}` : ''}`);
}
console.log('');

function gapFindings(o) {
  return o.findings.filter((f) => f.resource.arn.endsWith('*')).length;
}

const rssAfterEvalMb = rssMb();

// Reports: what `scan --output-dir` writes (the JSON report is streamed, one finding per line).
{
  const version = versionModule;
  const gate = gateModule.decideGate(out.findings, out.rules, 'high', true);
  const input = {
    tool: { name: version.TOOL_NAME, version: version.toolVersion(), informationUri: version.INFORMATION_URI },
    generatedAt: new Date().toISOString(),
    snapshot: { file: 'synthetic.json', schemaVersion: snapshot.schemaVersion, generatedAt: snapshot.generatedAt, source: snapshot.source, scope: snapshot.scope },
    rules: out.rules.map((r) => r.meta),
    findings: out.findings,
    coverage: snapshot.coverage,
    gate,
    sarifCategory: 'linkaudit/bench',
  };
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-bench-'));
  const parts = [];
  for (const format of reporters.REPORT_FORMATS) {
    const t = now();
    const [file] = await reporters.writeReports([format], input, dir);
    parts.push(`${format} ${ms(now() - t)} (${mb(statSync(file).size)}; RSS ${mb(process.memoryUsage().rss)} just after)`);
  }
  rmSync(dir, { recursive: true, force: true });
  line('[c] reports', `${parts.join(', ')}; gate: exit ${gate.exitCode} (${gate.reason})`);
}

// d. peak RSS ----------------------------------------------------------------------------------
const peakMb = rssMb();
line('[d] peak RSS', `${peakMb.toFixed(1)} MB (process.resourceUsage().maxRSS; ${rssAfterEvalMb.toFixed(1)} MB before rendering; target <= ${TARGETS.peakRssMb} MB)`);

// e. cold start ---------------------------------------------------------------------------------
const spawnTimes = (args) => {
  const xs = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const t = now();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    xs.push(now() - t);
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.split('\n')[0]}`);
  }
  return xs;
};
let coldMin = NaN;
let coldMed = NaN;
// A concurrent build may have emptied dist/: give it a minute to come back.
for (let waited = 0; !existsSync(CLI) && waited < 60; waited++) await new Promise((r) => setTimeout(r, 1000));
try {
  if (!existsSync(CLI)) throw new Error('dist/cli.js not found (run npm run build)');
  const version = spawnSync(process.execPath, [CLI, '--version'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const cold = spawnTimes([CLI, '--version']);
  const bare = spawnTimes(['-e', '0']);
  coldMin = Math.min(...cold);
  coldMed = median(cold);
  line('[e] cold start', `node dist/cli.js --version (prints "${version}") x${COLD_STARTS}: min ${ms(coldMin)}, median ${ms(coldMed)} (bare \`node -e 0\`: min ${ms(Math.min(...bare))}, median ${ms(median(bare))}; target <= ${TARGETS.coldStartMs} ms)`);
} catch (err) {
  coldMin = coldMed = NaN;
  line('[e] cold start', `skipped: ${String(err?.message ?? err).split('\n')[0]}`);
}

// f. summary ------------------------------------------------------------------------------------
const verdict = (ok) => (ok ? 'PASS' : 'MISS');
console.log('');
console.log(`== summary == (load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPU(s): timings are only comparable on a quiet machine)`);
console.log(`  snapshot        ${n(counts.total)} resources, ${n(out.evaluations)} rule-evaluations/pass, ${mb(fileBytes)} as JSON`);
console.log(`  read            ${ms(validateMs)} validateSnapshot (${ms(parseMs + parsedValidateMs)} JSON.parse + validate)`);
console.log(`  ${verdict(evalsPerSec >= TARGETS.evalsPerSec)}  throughput  ${n(Math.round(evalsPerSec))} rule-evaluations/s (median of ${PASSES}; target >= ${n(TARGETS.evalsPerSec)})`);
console.log(`  ${verdict(peakMb <= TARGETS.peakRssMb)}  peak RSS    ${peakMb.toFixed(1)} MB (target <= ${TARGETS.peakRssMb} MB)`);
console.log(`  ${Number.isNaN(coldMed) ? 'SKIP' : verdict(coldMed <= TARGETS.coldStartMs)}  cold start  ${Number.isNaN(coldMed) ? 'n/a' : `median ${ms(coldMed)}, min ${ms(coldMin)}`} (target <= ${TARGETS.coldStartMs} ms)`);
console.log(`  ${missingStatuses.length === 0 ? 'OK  ' : 'NOTE'}  coverage    ${missingStatuses.length === 0 ? `every rule has fail, pass and unknown results` : missingStatuses.join('; ')}`);
