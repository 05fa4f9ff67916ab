// Organization-scale benchmark: `linkaudit scan --org` as shipped (dist/, a process of its own)
// over 100, 300 and 1,000 accounts x 17 regions (bench/org-estate.ts) served by the fake AWS
// endpoint (test/fake-aws/server.ts) in another process, with 50 ms per call and AWS-like rate
// limits per account, region and service. Collection, evaluation and the reports (JSON, SARIF,
// Markdown, the snapshot saved) are all measured: the run a scheduled organization audit makes.
//
//   npm run bench:org                                  (= npm run build && tsx bench/org.ts)
//   npx tsx bench/org.ts --accounts 100,300            (sizes)
//   npx tsx bench/org.ts --latency-ms 0 --no-throttle  (CPU alone)
//   npx tsx bench/org.ts --no-settings-compare         (skip the SDK-settings before/after run)
//   npx tsx bench/org.ts --collect-shards 2            (also: the collection alone as 2 concurrent --shard processes, one per core)
//   npx tsx bench/org.ts --collect-threads 1           (the scan's --collect-threads, default the cores; --concurrency too)
//   npx tsx bench/org.ts --heap-mb 512                 (the scan's V8 heap bounded: what it needs, not what it is let keep)
//   npx tsx bench/org.ts --rss-timeline                (RSS every 2 s after the collection: which phase holds the peak)
//
// Rate limits (tokens per bucket, refill per second), per account and region unless global:
//   ec2            100, 20/s   published: EC2 API request throttling, non-mutating actions
//                              (docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html)
//   sts            600, 600/s  published: AWS STS request rate, 600 per second per account and region (the caller's AssumeRole calls)
//   iam            20, 10/s    unpublished (IAM names no rate): conservative
//   organizations  10, 5/s     unpublished ("too many requests in too short a period"): conservative
//   codeconnections, codepipeline, codebuild  20, 10/s   unpublished: conservative
//
// Prints PASS/MISS per target and never exits non-zero for a miss.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { forkFake, type FakeChild } from './fake-child.ts';

const HOME = 'us-east-1';
const ROLE_ARN = 'arn:aws:iam::{account}:role/linkaudit-audit';
const DEFAULT_SIZES = [100, 300, 1000];
const LIMITS: Record<string, { burst: number; ratePerSecond: number }> = {
  ec2: { burst: 100, ratePerSecond: 20 },
  sts: { burst: 600, ratePerSecond: 600 },
  iam: { burst: 20, ratePerSecond: 10 },
  organizations: { burst: 10, ratePerSecond: 5 },
  codeconnections: { burst: 20, ratePerSecond: 10 },
  codepipeline: { burst: 20, ratePerSecond: 10 },
  codebuild: { burst: 20, ratePerSecond: 10 },
};
// cpuPerCallMs: the collection's CPU budget per call. Every call of this estate reads a small page
// (20 endpoints, 50 roles), so per call is per resource read: the SDK's and Node's work per
// request (about 0.75 ms measured apart, bench/README.md), the account's client set-up and STS,
// decoding, the spool. A figure of the machine's speed as much as of linkaudit's.
const TARGETS = { wallS: 300, rssMb: 2048, calls: 1.05, bound: 1.2, rssGrowth: 1.5, cpuPerCallMs: 1.25 };

interface Conditions {
  accounts: number;
  latencyMs: number;
  throttle: boolean;
}

interface Ready {
  type: 'ready';
  url: string;
  caller: string;
  minimal: { byOperation: Record<string, number>; byBucket: Record<string, number>; byServiceBucket: Record<string, number>; chain: number };
  counts: Record<string, number>;
  buildMs: number;
}

interface Stats {
  type: 'stats';
  calls: Record<string, number>;
  throttled: number;
  firstRequestEpoch: number;
  lastRequestEpoch: number;
  cpuMs: number;
  rssMb: number;
}

type Message = Ready | Stats;

if (process.argv[2] === '--serve-fake') await serveFake(JSON.parse(process.argv[3] ?? '{}') as Conditions);
else await main();

// ---- the fake's process ------------------------------------------------------------------------

async function serveFake(c: Conditions): Promise<void> {
  const { startFakeAws } = await import('../test/fake-aws/server.ts');
  const { buildOrgEstate } = await import('./org-estate.ts');
  const { estateCounts, minimalCalls } = await import('./collect-estate.ts');
  const t0 = performance.now();
  const { snapshot, organization } = buildOrgEstate(c.accounts);
  const buildMs = performance.now() - t0;
  const caller = organization.managementAccount;
  let first = 0;
  let last = 0;
  const fake = await startFakeAws({
    snapshot,
    account: caller,
    organization,
    pageSize: 'max',
    latencyMs: c.latencyMs,
    ...(c.throttle ? { throttleByService: LIMITS } : {}),
    onRequest: () => {
      last = Date.now();
      if (first === 0) first = last;
    },
  });
  const minimal = orgMinimal(minimalCalls(snapshot, caller, HOME), snapshot.scope.accounts.length, caller);
  const send = (m: Message): void => void process.send?.(m);
  let cpu0 = process.cpuUsage();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') {
      const u = process.cpuUsage(cpu0);
      send({ type: 'stats', calls: Object.fromEntries(fake.calls), throttled: fake.throttled, firstRequestEpoch: first, lastRequestEpoch: last, cpuMs: (u.user + u.system) / 1000, rssMb: process.resourceUsage().maxRSS / 1024 });
    } else if (m.type === 'close') void fake.close().then(() => process.exit(0));
  });
  cpu0 = process.cpuUsage();
  send({ type: 'ready', url: fake.url, caller, minimal, counts: estateCounts(snapshot), buildMs });
}

/**
 * collect-estate's least calls, plus what an organization adds: DescribeOrganization, ListAccounts
 * in pages of 20 (its ceiling), and DescribeRegions per account (--regions all); the chain grows by
 * the listing's pages and the regions' lookup.
 */
function orgMinimal(m: Ready['minimal'], accounts: number, caller: string): Ready['minimal'] {
  const byOperation = { ...m.byOperation };
  const pages = Math.max(1, Math.ceil(accounts / 20));
  byOperation['organizations:DescribeOrganization'] = 1;
  byOperation['organizations:ListAccounts'] = pages;
  byOperation['ec2:DescribeRegions'] = accounts;
  const byServiceBucket = { ...m.byServiceBucket, [`${caller}|global|organizations`]: 1 + pages };
  // DescribeRegions: one EC2 call per account in the home region.
  return { byOperation, byBucket: m.byBucket, byServiceBucket, chain: m.chain + 1 + pages + 1 };
}

// ---- the benchmark's process -------------------------------------------------------------------

type Fake = FakeChild<Ready, Stats>;

function startFake(c: Conditions): Promise<Fake> {
  // The estate of 1,000 accounts takes more than the default heap in the fake's process.
  return forkFake<Ready, Stats>(fileURLToPath(import.meta.url), [JSON.stringify(c)], [...process.execArgv, '--max-old-space-size=8192']);
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

interface Probe {
  cpuMs: number;
  maxRssMb: number;
  timeline: Array<[number, number, number]>;
}

interface Row {
  accounts: number;
  wallS: number;
  collectS: number;
  cpuS: number;
  collectCpuS: number;
  rssMb: number;
  ratio: number;
  bound: number;
  gaps: number;
  throttled: number;
  ok: boolean;
}

async function main(): Promise<void> {
  const sizes = (option('--accounts') ?? '').split(',').filter((x) => x !== '').map(Number);
  const runs = sizes.length > 0 ? sizes : DEFAULT_SIZES;
  if (runs.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--accounts takes positive integers, e.g. 100,300');
  const latencyMs = option('--latency-ms') !== undefined ? Number(option('--latency-ms')) : 50;
  const throttle = !process.argv.includes('--no-throttle');
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  try {
    statSync(cli);
  } catch {
    throw new Error('dist/ is missing: run `npm run build` (or `npm run bench:org`, which builds)');
  }
  const cores = cpus().length;
  console.log(`linkaudit organization benchmark — node ${process.version}, ${cores} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`fake AWS (own process): latency ${latencyMs} ms, ${throttle ? 'rate limits per account|region|service (see bench/org.ts)' : 'no throttling'}; linkaudit scan --org --regions all from dist/, own process`);
  const rows: Row[] = [];
  const shards = option('--collect-shards') !== undefined ? Number(option('--collect-shards')) : 0;
  for (const accounts of runs) {
    rows.push(await runOne({ accounts, latencyMs, throttle }, cli, cores));
    if (shards > 1) await collectInShards({ accounts, latencyMs, throttle }, cli, shards, cores);
  }
  if (!process.argv.includes('--no-settings-compare')) await compareSettings(Math.min(100, runs[0] ?? 100), latencyMs, throttle);

  console.log(`\nsummary (load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  console.log(`${'accounts'.padStart(8)} ${'wall s'.padStart(7)} ${'collect s'.padStart(9)} ${'CPU s'.padStart(7)} ${'RSS MB'.padStart(7)} ${'calls/min'.padStart(9)} ${'bound'.padStart(6)} ${'gaps'.padStart(5)} ${'throttled'.padStart(9)}`);
  for (const r of rows) {
    if (!r.ok) {
      console.log(`${String(r.accounts).padStart(8)} FAILED after ${r.wallS.toFixed(1)} s (see above)`);
      continue;
    }
    console.log(`${String(r.accounts).padStart(8)} ${r.wallS.toFixed(1).padStart(7)} ${r.collectS.toFixed(1).padStart(9)} ${r.cpuS.toFixed(1).padStart(7)} ${r.rssMb.toFixed(0).padStart(7)} ${r.ratio.toFixed(3).padStart(9)} ${r.bound.toFixed(2).padStart(6)} ${String(r.gaps).padStart(5)} ${String(r.throttled).padStart(9)}`);
  }
  const at = (n: number): Row | undefined => rows.find((r) => r.accounts === n && r.ok);
  for (const r of rows) if (!r.ok) console.log(`MISS ${r.accounts} accounts: linkaudit scan failed`);
  const big = at(1000);
  const mid = at(300);
  if (big && mid) {
    const growth = big.rssMb / mid.rssMb;
    console.log(`growth 300 -> 1,000 accounts (x3.33): wall x${(big.wallS / mid.wallS).toFixed(2)}, CPU x${(big.cpuS / mid.cpuS).toFixed(2)}, peak RSS x${growth.toFixed(2)}`);
    console.log(`${growth <= TARGETS.rssGrowth ? 'PASS' : 'MISS'} RSS(1,000) / RSS(300) ${growth.toFixed(2)} (target <= ${TARGETS.rssGrowth})`);
  }
  if (big) {
    console.log(`${big.wallS <= TARGETS.wallS ? 'PASS' : 'MISS'} 1,000 x 17 wall ${big.wallS.toFixed(1)} s (target <= ${TARGETS.wallS} s, collection, evaluation and reports)`);
    console.log(`${big.rssMb <= TARGETS.rssMb ? 'PASS' : 'MISS'} 1,000 x 17 peak RSS ${big.rssMb.toFixed(0)} MB (target <= ${TARGETS.rssMb} MB)`);
  }
}

async function runOne(c: Conditions, cli: string, cores: number): Promise<Row> {
  const fake = await startFake(c);
  const { ready } = fake;
  const n = (x: number | undefined): string => (x ?? 0).toLocaleString('en-US');
  const k = ready.counts;
  console.log(`\n=== ${c.accounts} accounts x ${k.regions} regions === (estate built in ${(ready.buildMs / 1000).toFixed(1)} s)`);
  console.log(`  ${n(k.vpcEndpoints)} VPC endpoints, ${n(k.endpointServices)} endpoint services, ${n(k.connections)} connections, ${n(k.iamRoles)} IAM roles`);
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-bench-org-'));
  const probeFile = join(dir, 'rusage.json');
  const heapMb = option('--heap-mb');
  const args = [
    ...(heapMb !== undefined ? [`--max-old-space-size=${heapMb}`] : []),
    '--import', fileURLToPath(new URL('./rusage-probe.mjs', import.meta.url)), cli, 'scan', '--org', '--role-arn', ROLE_ARN, '--regions', 'all', '--endpoint-url', ready.url,
    '--format', 'json', '--format', 'sarif', '--format', 'markdown', '--output-dir', join(dir, 'out'), '--save-snapshot', join(dir, 'snapshot.json'), '--fail-on', 'none',
    ...(option('--collect-threads') !== undefined ? ['--collect-threads', option('--collect-threads') as string] : []),
    ...(option('--concurrency') !== undefined ? ['--concurrency', option('--concurrency') as string] : []),
  ];
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret', AWS_REGION: HOME, LINKAUDIT_RUSAGE_FILE: probeFile, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  delete (env as Record<string, string | undefined>).AWS_PROFILE;
  const t0 = Date.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-20000);
    });
    child.on('exit', (status) => resolve({ code: status, stderr: err }));
  });
  const wallS = (Date.now() - t0) / 1000;
  const stats = await fake.stats();
  await fake.close();
  if (code !== 0) {
    console.log(`  linkaudit scan exited ${code} after ${wallS.toFixed(1)} s:\n${stderr}`);
    rmSync(dir, { recursive: true, force: true });
    return { accounts: c.accounts, wallS, collectS: 0, cpuS: 0, collectCpuS: 0, rssMb: 0, ratio: 0, bound: 0, gaps: -1, throttled: stats.throttled, ok: false };
  }
  const probe = JSON.parse(readFileSync(probeFile, 'utf8')) as Probe;
  // The JSON report of 1,000 accounts is more than the longest string V8 makes (2^29 - 24
  // characters): its figures are read from the scan's summary line instead.
  const summary = /linkaudit: (\d+) rules over (\d+) account\(s\), (\d+) region\(s\): (\d+) fail, (\d+) pass, (\d+) unknown(?:, (\d+) suppressed)?; (\d+) coverage gap/.exec(stderr);
  if (!summary) throw new Error(`no summary line from linkaudit scan:\n${stderr}`);
  const [fails, passes, unknowns, gapCount] = [summary[4], summary[5], summary[6], summary[8]].map(Number) as [number, number, number, number];
  const report = { coverage: { length: gapCount }, findings: { length: fails + passes + unknowns } };
  const snapshotMb = statSync(join(dir, 'snapshot.json')).size / 2 ** 20;
  const reportMb = statSync(join(dir, 'out', 'linkaudit.json')).size / 2 ** 20;
  rmSync(dir, { recursive: true, force: true });

  const collectS = (stats.lastRequestEpoch - t0) / 1000;
  const cpuAt = (epoch: number): number => {
    let best = probe.timeline[0]?.[1] ?? 0;
    for (const [at, ms] of probe.timeline) if (at <= epoch) best = ms;
    return best;
  };
  const collectCpuS = cpuAt(stats.lastRequestEpoch) / 1000;
  const rssUntil = (epoch: number): number => Math.max(0, ...probe.timeline.filter(([at]) => at <= epoch).map(([, , rss]) => rss));
  const cpuS = probe.cpuMs / 1000;
  const minTotal = Object.values(ready.minimal.byOperation).reduce((a, b) => a + b, 0);
  const made = Object.values(stats.calls).reduce((a, b) => a + b, 0);
  const ratio = made / minTotal;
  let rateS = 0;
  if (c.throttle) {
    for (const [bucket, calls] of Object.entries(ready.minimal.byServiceBucket)) {
      const l = LIMITS[bucket.split('|')[2] ?? ''];
      if (l) rateS = Math.max(rateS, Math.max(0, calls - l.burst) / l.ratePerSecond);
    }
  }
  const floorS = rateS + (ready.minimal.chain * c.latencyMs) / 1000;
  const fakeS = stats.cpuMs / 1000;
  const bound = wallS / Math.max(floorS, (cpuS + fakeS) / cores);
  const collectBound = collectS / Math.max(floorS, (collectCpuS + fakeS) / cores);
  console.log(`  wall ${wallS.toFixed(1)} s: collection ${collectS.toFixed(1)} s (to the last request), evaluation and reports ${(wallS - collectS).toFixed(1)} s`);
  console.log(`  linkaudit CPU ${cpuS.toFixed(1)} s (collection ${collectCpuS.toFixed(1)} s, evaluation and reports ${(cpuS - collectCpuS).toFixed(1)} s); the fake's CPU ${fakeS.toFixed(1)} s; peak RSS ${probe.maxRssMb.toFixed(0)} MB (${rssUntil(stats.lastRequestEpoch).toFixed(0)} MB during the collection; the fake's ${stats.rssMb.toFixed(0)} MB)`);
  console.log(`  CPU per call ${((collectCpuS * 1000) / made).toFixed(3)} ms (${n(made)} calls; collection CPU / calls), per VPC endpoint ${((collectCpuS * 1e6) / (k.vpcEndpoints ?? 1)).toFixed(0)} µs of collection CPU`);
  console.log(`  calls ${n(made)} made / ${n(minTotal)} minimal = ${ratio.toFixed(3)}; ${n(stats.throttled)} throttled answers absorbed; coverage gaps ${report.coverage.length}`);
  console.log(`  floor ${floorS.toFixed(2)} s (rate ${rateS.toFixed(2)} s + ${ready.minimal.chain} dependent calls x ${c.latencyMs} ms); wall / floor ${(wallS / floorS).toFixed(1)} (CPU-bound on ${cores} cores)`);
  // Not in the issue's bound, shown beside it: with N requests in flight and L per answer, no
  // schedule makes C calls in less than C x L / N (the scan's --concurrency, 64 per collection thread by default).
  const inFlight = Number(option('--concurrency') ?? 64 * Math.min(Number(option('--collect-threads') ?? Math.min(4, cores)), c.accounts));
  const inFlightS = (minTotal * c.latencyMs) / 1000 / inFlight;
  console.log(`  in-flight floor ${inFlightS.toFixed(1)} s (${n(minTotal)} calls x ${c.latencyMs} ms / ${inFlight} in flight); collection / in-flight floor ${(collectS / Math.max(inFlightS, 1e-9)).toFixed(2)}`);
  console.log(`  wall / max(floor, CPU / cores) = ${bound.toFixed(2)} (collection alone ${collectBound.toFixed(2)}); snapshot ${snapshotMb.toFixed(0)} MB, JSON report ${reportMb.toFixed(0)} MB; ${n(report.findings.length)} findings (${n(fails)} fail, ${n(passes)} pass, ${n(unknowns)} unknown)`);
  if (process.argv.includes('--rss-timeline')) {
    // Where the memory goes after the collection: RSS every 2 s from its end (the evaluation, then each report).
    const after = probe.timeline.filter(([at], i, all) => at >= stats.lastRequestEpoch && (i % 8 === 0 || i === all.length - 1));
    console.log(`  RSS after the collection (s: MB): ${after.map(([at, , rss]) => `${((at - stats.lastRequestEpoch) / 1000).toFixed(0)}: ${rss.toFixed(0)}`).join(', ')}`);
  }
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
  console.log(`  ${verdict(ratio <= TARGETS.calls)} calls/minimal ${ratio.toFixed(3)} (target <= ${TARGETS.calls}); ${verdict(report.coverage.length === 0)} gaps ${report.coverage.length} (target 0); ${verdict(collectBound <= TARGETS.bound)} collection wall / max(floor, CPU / cores) ${collectBound.toFixed(2)} (target <= ${TARGETS.bound})`);
  const cpuPerCallMs = (collectCpuS * 1000) / made;
  console.log(`  ${verdict(cpuPerCallMs <= TARGETS.cpuPerCallMs)} collection CPU per call ${cpuPerCallMs.toFixed(3)} ms (budget <= ${TARGETS.cpuPerCallMs} ms)`);
  return { accounts: c.accounts, wallS, collectS, cpuS, collectCpuS, rssMb: probe.maxRssMb, ratio, bound, gaps: report.coverage.length, throttled: stats.throttled, ok: true };
}

/**
 * The collection alone, as `shards` concurrent `collect --shard i/n` processes (the fan-out path on
 * one machine): one process's collection runs on one thread, so this is what a second core adds.
 */
async function collectInShards(c: Conditions, cli: string, shards: number, cores: number): Promise<void> {
  const fake = await startFake(c);
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-bench-org-shards-'));
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret', AWS_REGION: HOME, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const t0 = Date.now();
  const runs = Array.from({ length: shards }, (_, i) => {
    const probeFile = join(dir, `rusage-${i + 1}.json`);
    const args = ['--import', fileURLToPath(new URL('./rusage-probe.mjs', import.meta.url)), cli, 'collect', '--org', '--role-arn', ROLE_ARN, '--regions', 'all', '--endpoint-url', fake.ready.url, '--shard', `${i + 1}/${shards}`, '--output', join(dir, `shard-${i + 1}.json`), '--quiet'];
    return new Promise<Probe & { code: number | null }>((resolve) => {
      const child = spawn(process.execPath, args, { env: { ...env, LINKAUDIT_RUSAGE_FILE: probeFile }, stdio: 'ignore' });
      child.on('exit', (code) => resolve({ ...(JSON.parse(readFileSync(probeFile, 'utf8')) as Probe), code }));
    });
  });
  const done = await Promise.all(runs);
  const wallS = (Date.now() - t0) / 1000;
  const stats = await fake.stats();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  const cpuS = done.reduce((n, d) => n + d.cpuMs, 0) / 1000;
  const bound = wallS / ((cpuS + stats.cpuMs / 1000) / cores);
  console.log(`  collection as ${shards} concurrent --shard processes: wall ${wallS.toFixed(1)} s, CPU ${cpuS.toFixed(1)} s in all (the fake's ${(stats.cpuMs / 1000).toFixed(1)} s), peak RSS ${Math.max(...done.map((d) => d.maxRssMb)).toFixed(0)} MB per process; exit codes ${done.map((d) => d.code).join(', ')}; wall / max(floor, CPU / cores) = ${bound.toFixed(2)}`);
}

/** Collection CPU per call with the SDK's settings resolved per client (as before) and once per collection. */
async function compareSettings(accounts: number, latencyMs: number, throttle: boolean): Promise<void> {
  process.env.AWS_REGION = HOME;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const { collect } = (await import(new URL('../dist/collectors/collect.js', import.meta.url).href)) as typeof import('../src/collectors/collect.ts');
  console.log(`\n=== SDK settings per client vs once per collection: collect() in this process, ${accounts} accounts ===`);
  // A first run warms the modules and JIT up; then the two modes alternate, and the median of each is printed.
  const perCall: Record<'per client' | 'once per collection', number[]> = { 'per client': [], 'once per collection': [] };
  for (const [i, perClient] of [true, true, false, true, false, true, false].entries()) {
    const fake = await startFake({ accounts, latencyMs, throttle });
    const cpu0 = process.cpuUsage();
    const snapshot = await collect({
      regions: 'all',
      org: true,
      roleArn: ROLE_ARN,
      concurrency: 64,
      maxAttempts: 8,
      timeoutMs: 30_000,
      endpointUrl: fake.ready.url,
      credentials: async () => ({ accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' }),
      credentialSource: 'benchmark credentials',
      log: () => {},
      ...(perClient ? { settingsPerClient: true } : {}),
    });
    const u = process.cpuUsage(cpu0);
    const stats = await fake.stats();
    await fake.close();
    const made = Object.values(stats.calls).reduce((a, b) => a + b, 0);
    const ms = (u.user + u.system) / 1000 / made;
    const mode = perClient ? 'per client' : 'once per collection';
    console.log(`  ${i === 0 ? 'warm-up            ' : mode.padEnd(19)}: ${ms.toFixed(3)} ms CPU per call (${made} calls, ${snapshot.coverage.length} gaps)`);
    if (i > 0) perCall[mode].push(ms);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const before = median(perCall['per client']);
  const after = median(perCall['once per collection']);
  console.log(`  median: ${before.toFixed(3)} ms per call with settings per client, ${after.toFixed(3)} ms resolved once (${(100 * (1 - after / before)).toFixed(1)}% less)`);
}
