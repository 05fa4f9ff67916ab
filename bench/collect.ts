// Live-collection benchmark: collect() from src/ over a large estate (bench/collect-estate.ts)
// served by the fake AWS endpoint (test/fake-aws/server.ts) with AWS-like paging, latency and
// throttling. It measures how many calls the collectors make against the fewest possible, and how
// long they take against the floor that the rate limits and round trips impose.
//
//   npm run bench:collect                        (= npm run build && tsx bench/collect.ts)
//   npx tsx bench/collect.ts --concurrency 4,8,16,32
//   npx tsx bench/collect.ts --latency-ms 0 --no-throttle     (what the collector's CPU alone costs)
//   npx tsx bench/collect.ts --endpoints-per-cell 20          (scheduling alone: little CPU)
//   npx tsx bench/collect.ts --burst 20 --rate 5              (harder throttling)
//   npx tsx bench/collect.ts --cpu-profile /tmp/collect       (a CPU profile of the measured run)
//   npx tsx bench/collect.ts --page-threads 0                 (every page read on the collector's thread)
//
// The fake runs in a child process (this file again, with --serve-fake): real AWS does its
// serialization elsewhere, so the collector's process should pay only for its own work, and its
// CPU time and peak RSS are then the collector's alone. Prints PASS/MISS per target and never
// exits non-zero for a miss: a miss is a figure to read, not a failed build.

import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { forkFake, type FakeChild } from './fake-child.ts';
import type { Snapshot } from '../src/model/types.ts';

const SEED = 1;
const HOME = 'us-east-1';
/** What the fake imitates; --latency-ms, --no-throttle, --burst, --rate and --endpoints-per-cell change it, to take a factor out. */
interface Conditions {
  latencyMs: number;
  throttle: { burst: number; ratePerSecond: number } | undefined;
  endpointsPerCell: number;
}
const DEFAULT_CONDITIONS: Conditions = { latencyMs: 20, throttle: { burst: 100, ratePerSecond: 20 }, endpointsPerCell: 2000 };
const ROLE_ARN = 'arn:aws:iam::{account}:role/linkaudit-audit';
/** The concurrency `npm run bench:collect` measures (see bench/README.md for the sweep behind it). */
const DEFAULT_CONCURRENCY = [64];
const TARGET_CALLS = 1.05;
const TARGET_WALL = 1.2;

/** What the fake's process tells the benchmark once it is listening. */
interface Ready {
  type: 'ready';
  url: string;
  accounts: string[];
  regions: string[];
  counts: Record<string, number>;
  minimal: { byOperation: Record<string, number>; byBucket: Record<string, number>; chain: number };
  buildMs: number;
  /** The large pages rendered before the clock starts (FakeAws.renderAhead). */
  render: { ms: number; bytes: number };
}

/** Per token bucket: requests answered, throttled, and first/last arrival (ms since the fake started). */
interface BucketLine {
  calls: number;
  throttled: number;
  first: number;
  last: number;
  /** Every request: [ms since the fake started, `service:Operation`, throttled]. */
  log: Array<[number, string, boolean]>;
}

interface Stats {
  type: 'stats';
  calls: Record<string, number>;
  throttledCalls: Record<string, number>;
  throttled: number;
  buckets: Record<string, BucketLine>;
  /** When the first request arrived, ms since the fake started (to align the timeline with the run). */
  firstRequest: number;
  /** Answers sent as rendered ahead, and answers rendered on request. */
  ahead: { hits: number; misses: number };
  rssMb: number;
  /** The fake's CPU time since it was ready (user + system, ms): what it took of the cores the collector runs on. */
  cpuMs: number;
}

type Message = Ready | Stats;

if (process.argv[2] === '--serve-fake') await serveFake(JSON.parse(process.argv[3] ?? '{}') as Conditions);
else await main();

// ---- the fake's process ------------------------------------------------------------------------

async function serveFake(conditions: Conditions): Promise<void> {
  const { startFakeAws } = await import('../test/fake-aws/server.ts');
  const { buildEstate, estateCounts, largePageRequests, minimalCalls } = await import('./collect-estate.ts');
  const t0 = performance.now();
  const estate = buildEstate(SEED, { endpointsPerCell: conditions.endpointsPerCell });
  const buildMs = performance.now() - t0;
  const caller = estate.scope.accounts[0] as string;
  const buckets = new Map<string, BucketLine>();
  let firstRequest = -1;
  const started = performance.now();
  const fake = await startFakeAws({
    snapshot: estate,
    account: caller,
    pageSize: 'max',
    latencyMs: conditions.latencyMs,
    ...(conditions.throttle ? { throttle: conditions.throttle } : {}),
    onRequest: ({ operation, bucket, throttled }) => {
      const at = performance.now() - started;
      if (firstRequest < 0) firstRequest = at;
      const b = buckets.get(bucket) ?? { calls: 0, throttled: 0, first: at, last: at, log: [] };
      b.log.push([at, operation, throttled]);
      if (throttled) b.throttled++;
      else b.calls++;
      b.last = at;
      buckets.set(bucket, b);
    },
  });
  const r0 = performance.now();
  const renderedBytes = fake.renderAhead(largePageRequests(estate, HOME));
  const render = { ms: performance.now() - r0, bytes: renderedBytes };
  const send = (m: Message): void => void process.send?.(m);
  let cpuAtReady = process.cpuUsage();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') {
      send({
        type: 'stats',
        calls: Object.fromEntries(fake.calls),
        throttledCalls: Object.fromEntries(fake.throttledCalls),
        throttled: fake.throttled,
        buckets: Object.fromEntries(buckets),
        firstRequest,
        ahead: { ...fake.ahead },
        rssMb: process.resourceUsage().maxRSS / 1024,
        cpuMs: ((u) => (u.user + u.system) / 1000)(process.cpuUsage(cpuAtReady)),
      });
    } else if (m.type === 'close') {
      void fake.close().then(() => process.exit(0));
    }
  });
  cpuAtReady = process.cpuUsage();
  send({ type: 'ready', url: fake.url, accounts: estate.scope.accounts, regions: estate.scope.regions, counts: estateCounts(estate), minimal: minimalCalls(estate, caller, HOME), buildMs, render });
}

// ---- the benchmark's process -------------------------------------------------------------------

type Fake = FakeChild<Ready, Stats>;

function startFake(conditions: Conditions): Promise<Fake> {
  return forkFake<Ready, Stats>(fileURLToPath(import.meta.url), [JSON.stringify(conditions)]);
}

/**
 * collect() as it ships: from dist/ (`npm run bench:collect` builds first), where the schema
 * validators are precompiled. From src/ (--src) tsx compiles them with ajv on first use, about half
 * a second of CPU inside the measured run that no user pays.
 */
async function collector(): Promise<{ collect: typeof import('../src/collectors/collect.ts').collect; from: string }> {
  if (process.argv.includes('--src')) return { collect: (await import('../src/collectors/collect.ts')).collect, from: 'src/ (tsx, schemas compiled at run time)' };
  const built = new URL('../dist/collectors/collect.js', import.meta.url);
  const newest = (dir: URL): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(new URL(`${e.name}/`, dir)) : statSync(new URL(e.name, dir)).mtimeMs)));
  let builtAt: number;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    throw new Error('dist/ is missing: run `npm run build` (or `npm run bench:collect`, which builds), or pass --src');
  }
  const stale = newest(new URL('../src/', import.meta.url)) > builtAt ? ' — WARNING: some file in src/ is newer than dist/; run `npm run build`' : '';
  const module = (await import(built.href)) as typeof import('../src/collectors/collect.ts');
  return { collect: module.collect, from: `dist/ (as shipped)${stale}` };
}

/** The V8 CPU profiler over the measured run only (--cpu-profile PREFIX), not the fake's start-up. */
async function startProfile(): Promise<() => Promise<object>> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: object };
    session.disconnect();
    return profile;
  };
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

async function main(): Promise<void> {
  // Before the SDK loads: the home region, and no Node-version nag on every client.
  process.env.AWS_REGION = HOME;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const levels = (option('--concurrency') ?? '').split(',').filter((x) => x !== '').map(Number);
  const runs = levels.length > 0 ? levels : DEFAULT_CONCURRENCY;
  if (runs.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--concurrency takes positive integers, e.g. 4,8,16');
  const number = (name: string, fallback: number): number => {
    const text = option(name);
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} takes a number`);
    return value;
  };
  const limits = DEFAULT_CONDITIONS.throttle ?? { burst: 100, ratePerSecond: 20 };
  const conditions: Conditions = {
    latencyMs: number('--latency-ms', DEFAULT_CONDITIONS.latencyMs),
    throttle: process.argv.includes('--no-throttle') ? undefined : { burst: number('--burst', limits.burst), ratePerSecond: number('--rate', limits.ratePerSecond) },
    endpointsPerCell: number('--endpoints-per-cell', DEFAULT_CONDITIONS.endpointsPerCell),
  };
  const { collect, from } = await collector();

  console.log(`linkaudit collection benchmark — node ${process.version}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; collect() from ${from}`);
  const throttle = conditions.throttle;
  console.log(`fake AWS: pageSize 'max', latency ${conditions.latencyMs} ms, ${throttle ? `throttle burst ${throttle.burst} + ${throttle.ratePerSecond}/s per account|region` : 'no throttling'}; maxAttempts 8, timeout 30 s`);
  const summary: string[] = [];
  for (const concurrency of runs) {
    const fake = await startFake(conditions);
    const { ready } = fake;
    if (concurrency === runs[0]) printEstate(ready);
    const profiling = option('--cpu-profile') !== undefined ? await startProfile() : undefined;
    const rss = sampleRss();
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    let snapshot: Snapshot | undefined;
    let failure: unknown;
    try {
      snapshot = await collect({
        regions: ready.regions,
        concurrency,
        maxAttempts: 8,
        timeoutMs: 30_000,
        endpointUrl: ready.url,
        credentials: async () => ({ accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' }),
        credentialSource: 'benchmark credentials',
        log: () => {},
        roleArn: ROLE_ARN,
        accounts: ready.accounts,
        ...(option('--page-threads') !== undefined ? { pageThreads: number('--page-threads', 0) } : {}),
      });
    } catch (err) {
      failure = err;
    }
    const wallMs = performance.now() - t0;
    const elu = performance.eventLoopUtilization(elu0);
    const cpu = process.cpuUsage(cpu0);
    const peakMb = rss.stop();
    if (profiling) {
      const file = `${option('--cpu-profile')}.${concurrency}.cpuprofile`;
      writeFileSync(file, JSON.stringify(await profiling()));
      console.log(`CPU profile of the measured run: ${file} (open in Chrome DevTools or speedscope)`);
    }
    const stats = await fake.stats();
    await fake.close();
    console.log(`\n=== concurrency ${concurrency} ===`);
    if (failure !== undefined || snapshot === undefined) {
      const e = failure as { name?: string; message?: string; stack?: string };
      console.log(`collect() failed after ${(wallMs / 1000).toFixed(2)} s: ${e.name ?? 'Error'}: ${e.message ?? String(failure)}`);
      console.log(`  throttled answers by operation: ${JSON.stringify(stats.throttledCalls)}; answered: ${JSON.stringify(stats.calls)}`);
      summary.push(`concurrency ${concurrency}: collect() FAILED`);
      continue;
    }
    summary.push(report(concurrency, conditions, ready, stats, snapshot, { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, elu: elu.utilization, peakMb }));
  }
  console.log(`\nsummary (load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  for (const line of summary) console.log(`  ${line}`);
}

function printEstate(ready: Ready): void {
  const c = ready.counts;
  console.log(
    `\nestate: ${c.accounts} accounts x ${c.regions} regions (built and validated in ${(ready.buildMs / 1000).toFixed(1)} s)\n` +
      `  ${n(c.vpcEndpoints)} VPC endpoints, ${n(c.endpointServices)} endpoint services (${n(c.allowedPrincipals)} allowed principals, ${n(c.endpointConnections)} endpoint connections, ${n(c.connectionNotifications)} notifications),\n` +
      `  ${n(c.connections)} connections, ${n(c.hosts)} hosts, ${n(c.iamRoles)} IAM roles\n` +
      `  the fake rendered its ${(ready.render.bytes / 2 ** 20).toFixed(0)} MB of large pages (DescribeVpcEndpoints, GetAccountAuthorizationDetails) in ${(ready.render.ms / 1000).toFixed(1)} s, before the clock starts`,
  );
}

interface Measured {
  wallMs: number;
  cpuMs: number;
  elu: number;
  peakMb: number;
}

/** Prints one run's figures; returns its summary line. */
function report(concurrency: number, conditions: Conditions, ready: Ready, stats: Stats, snapshot: Snapshot, m: Measured): string {
  const minimal = ready.minimal.byOperation;
  const ops = [...new Set([...Object.keys(minimal), ...Object.keys(stats.calls), ...Object.keys(stats.throttledCalls)])].sort();
  const minTotal = sum(Object.values(minimal));
  const actualTotal = sum(Object.values(stats.calls));
  console.log(`${'operation'.padEnd(56)} ${'minimal'.padStart(8)} ${'made'.padStart(8)} ${'ratio'.padStart(6)} ${'throttled'.padStart(9)}`);
  for (const op of ops) {
    const lo = minimal[op] ?? 0;
    const made = stats.calls[op] ?? 0;
    console.log(`${op.padEnd(56)} ${n(lo).padStart(8)} ${n(made).padStart(8)} ${(lo > 0 ? (made / lo).toFixed(2) : '—').padStart(6)} ${n(stats.throttledCalls[op] ?? 0).padStart(9)}`);
  }
  const ratio = actualTotal / minTotal;
  console.log(`${'total'.padEnd(56)} ${n(minTotal).padStart(8)} ${n(actualTotal).padStart(8)} ${ratio.toFixed(3).padStart(6)} ${n(stats.throttled).padStart(9)}`);

  // The floor: each bucket can answer `burst` at once and then `rate` a second, and the longest
  // chain of dependent calls costs one latency each however wide the fan-out. Buckets refill side
  // by side, so the slowest bucket sets the rate part.
  const limits = conditions.throttle;
  const rateFloor = (byBucket: Record<string, number>): { seconds: number; bucket: string } => {
    let worst = { seconds: 0, bucket: '—' };
    if (!limits) return worst;
    for (const [bucket, calls] of Object.entries(byBucket)) {
      const seconds = Math.max(0, calls - limits.burst) / limits.ratePerSecond;
      if (seconds > worst.seconds) worst = { seconds, bucket };
    }
    return worst;
  };
  const rate = rateFloor(ready.minimal.byBucket);
  const latencyS = (ready.minimal.chain * conditions.latencyMs) / 1000;
  const floorS = rate.seconds + latencyS;
  const wallS = m.wallMs / 1000;
  const actualRate = rateFloor(Object.fromEntries(Object.entries(stats.buckets).map(([k, v]) => [k, v.calls])));
  console.log(
    `floor: ${floorS.toFixed(2)} s = rate ${rate.seconds.toFixed(2)} s (${limits ? `bucket ${rate.bucket}: ${ready.minimal.byBucket[rate.bucket] ?? 0} calls, burst ${limits.burst}, ${limits.ratePerSecond}/s` : 'no throttling'})` +
      ` + latency ${latencyS.toFixed(2)} s (${ready.minimal.chain} dependent calls x ${conditions.latencyMs} ms); with the calls actually made the rate part is ${actualRate.seconds.toFixed(2)} s`,
  );
  console.log(`wall: ${wallS.toFixed(2)} s; collector CPU ${(m.cpuMs / 1000).toFixed(2)} s, event loop busy ${(m.elu * 100).toFixed(0)}% (${((m.elu * m.wallMs) / 1000).toFixed(2)} s)`);
  // Where the time went: the busiest buckets, and when their first and last request arrived.
  const busiest = Object.entries(stats.buckets).sort((a, b) => b[1].calls + b[1].throttled - (a[1].calls + a[1].throttled)).slice(0, 3);
  for (const [bucket, b] of busiest) {
    console.log(`  bucket ${bucket}: ${b.calls} answered + ${b.throttled} throttled, requests from ${((b.first - stats.firstRequest) / 1000).toFixed(2)} s to ${((b.last - stats.firstRequest) / 1000).toFixed(2)} s`);
  }
  // The busiest bucket's requests per 100 ms (answered/throttled), and what came last.
  const [, top] = busiest[0] ?? [];
  if (top) {
    const slots = new Map<number, [number, number]>();
    for (const [at, , throttled] of top.log) {
      const slot = Math.floor((at - stats.firstRequest) / 100);
      const s = slots.get(slot) ?? [0, 0];
      s[throttled ? 1 : 0]++;
      slots.set(slot, s);
    }
    const last = Math.max(...slots.keys());
    const line = Array.from({ length: last + 1 }, (_, i) => (slots.get(i) ?? [0, 0]).join('/')).join(' ');
    console.log(`  its requests per 100 ms, answered/throttled: ${line}`);
    console.log(`  its last requests: ${top.log.slice(-4).map(([at, op, t]) => `${((at - stats.firstRequest) / 1000).toFixed(2)} s ${op}${t ? ' (throttled)' : ''}`).join(', ')}`);
  }
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(`fake: ${stats.ahead.hits} answers sent as rendered ahead, ${stats.ahead.misses} rendered on request`);
  console.log(`peak RSS: ${m.peakMb.toFixed(0)} MB during this run (process high-water mark ${peak.toFixed(0)} MB); the fake's process ${stats.rssMb.toFixed(0)} MB, and ${(stats.cpuMs / 1000).toFixed(2)} s of CPU`);

  const gaps = snapshot.coverage;
  console.log(`coverage gaps: ${gaps.length}${gaps.length > 0 ? ` (${[...new Set(gaps.map((g) => `${g.operation} ${g.errorCode}`))].slice(0, 5).join(', ')})` : ''}`);
  const got = collectedCounts(snapshot);
  const diff = Object.entries(got).filter(([k, v]) => ready.counts[k] !== v);
  console.log(`collected vs estate: ${diff.length === 0 ? 'every count matches' : diff.map(([k, v]) => `${k} ${v} != ${ready.counts[k]}`).join(', ')}`);

  // The floor leaves CPU out. A run that needs more CPU than the floor allows cannot reach it
  // however it schedules. The collector and the fake share the machine's cores (AWS's CPU would be
  // its own), so the least wall time any design could reach here is max(floor, their CPU time
  // spread over every core); this ratio says how far the run is from it.
  const cores = cpus().length;
  const cpuS = m.cpuMs / 1000;
  const fakeS = stats.cpuMs / 1000;
  const bound = Math.max(floorS, (cpuS + fakeS) / cores);
  console.log(
    `breakdown: floor ${floorS.toFixed(2)} s (rate ${rate.seconds.toFixed(2)} s + latency ${latencyS.toFixed(2)} s); CPU ${(cpuS + fakeS).toFixed(2)} s (collector ${cpuS.toFixed(2)} s + fake ${fakeS.toFixed(2)} s) = ${((cpuS + fakeS) / cores).toFixed(2)} s over ${cores} cores;` +
      ` wall / max(floor, CPU / cores) = ${wallS.toFixed(2)} / ${bound.toFixed(2)} = ${(wallS / bound).toFixed(2)}`,
  );
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
  const lines = [
    `${verdict(ratio <= TARGET_CALLS)} calls/minimal ${ratio.toFixed(3)} (target <= ${TARGET_CALLS}: ${n(actualTotal)} made, ${n(minTotal)} minimal)`,
    floorS > 0
      ? `${verdict(wallS / floorS <= TARGET_WALL)} wall/floor ${(wallS / floorS).toFixed(2)} (target <= ${TARGET_WALL}: ${wallS.toFixed(2)} s / ${floorS.toFixed(2)} s)`
      : `n/a  wall/floor (no latency and no throttling: no floor; wall ${wallS.toFixed(2)} s)`,
    `${verdict(gaps.length === 0)} coverage gaps ${gaps.length} (target 0; ${stats.throttled} throttled answers absorbed${gaps.length > 0 ? ' only in part' : ''})`,
  ];
  for (const line of lines) console.log(line);
  return `concurrency ${concurrency}: wall ${wallS.toFixed(2)} s, CPU ${cpuS.toFixed(2)} s, ${lines.map((l) => l.split(' (')[0]).join('; ')}; wall/max(floor, CPU/cores) ${(wallS / bound).toFixed(2)}; ${stats.throttled} throttled; peak RSS ${m.peakMb.toFixed(0)} MB`;
}

function collectedCounts(s: Snapshot): Record<string, number> {
  return {
    vpcEndpoints: s.vpcEndpoints.length,
    endpointServices: s.endpointServices.length,
    allowedPrincipals: sum(s.endpointServices.map((x) => x.allowedPrincipals.length)),
    endpointConnections: sum(s.endpointServices.map((x) => x.endpointConnections.length)),
    connectionNotifications: sum(s.endpointServices.map((x) => x.connectionNotifications.length)),
    connections: s.connections.length,
    hosts: s.hosts.length,
    iamRoles: s.iamRoles.length,
  };
}

/**
 * RSS sampled during the run: maxRSS is the whole process's high-water mark, which after an
 * earlier run in the same process says nothing about this one.
 */
function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  // Every 100 ms: each reading costs the collector's thread about 0.3 ms, and the process's
  // high-water mark, printed beside it, catches what falls between two readings.
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss()) / 2 ** 20;
    },
  };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function n(x: number | undefined): string {
  return (x ?? 0).toLocaleString('en-US');
}
