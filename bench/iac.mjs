// `npm run bench:iac`: the whole CLI (`node dist/cli.js scan --iac …`) on generated IaC inputs,
// side by side with cfn-guard (the Rust engine in the npm package @cdklabs/cdk-validator-cfnguard)
// running four equivalent Guard rules on the same JSON template. Wall time and peak RSS, median of
// several runs, as absolute figures and as ratios linkaudit / cfn-guard; then a small template
// cold; then a template on which the two disagree, with who is right and why.
// Prints figures; never asserts (exit 0 on a missed target). Environment: BENCH_RUNS (default 3),
// BENCH_RESOURCES (default 5000), BENCH_STACKS (default 100), LINKAUDIT_BENCH_CACHE (where
// cfn-guard is installed, default ~/.cache/linkaudit-bench), CFN_GUARD (a cfn-guard binary to use).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, cpus, homedir, loadavg, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planObject, templateObject, writeAssembly, yamlOf } from './iac-generate.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const RSS_PRELOAD = join(ROOT, 'bench', 'iac-rss.mjs');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COLD_RUNS = Math.max(RUNS, 5);
const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 5000);
const STACKS = Number(process.env.BENCH_STACKS ?? 100);
const GUARD_PACKAGE = '@cdklabs/cdk-validator-cfnguard@0.0.62';
const TARGETS = { peakRssMb: 500, coldSeconds: 0.3 };
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sec = (x) => (Number.isFinite(x) ? `${x.toFixed(3)} s` : 'n/a');
const mib = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} MiB` : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
const size = (file) => `${(statSync(file).size / 1024 / 1024).toFixed(2)} MiB`;

// ---------------------------------------------------------------------------------------------
// cfn-guard: the binary inside the npm package (bin/<os>/<arch>/cfn-guard), installed into a cache
// outside the repository when missing; never a dependency of linkaudit.

function guardBinary() {
  if (process.env.CFN_GUARD) return process.env.CFN_GUARD;
  const cache = process.env.LINKAUDIT_BENCH_CACHE ?? join(homedir(), '.cache', 'linkaudit-bench');
  const dir = join(cache, 'cfnguard');
  const pkg = join(dir, 'node_modules', '@cdklabs', 'cdk-validator-cfnguard');
  if (!existsSync(pkg)) {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"private": true}\n');
    console.log(`installing ${GUARD_PACKAGE} into ${dir} (once) …`);
    const r = spawnSync('npm', ['install', '--no-fund', '--no-audit', '--ignore-scripts', '--no-save', GUARD_PACKAGE], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`  could not install cfn-guard (npm exit ${r.status}): ${(r.stderr ?? '').split('\n').slice(-3).join(' ')}`);
      return undefined;
    }
  }
  const os = platform() === 'darwin' ? 'macos' : platform() === 'linux' ? 'ubuntu' : platform();
  const cpu = arch() === 'arm64' ? 'aarch64' : arch() === 'x64' ? 'x86_64' : arch();
  const bin = join(pkg, 'bin', os, cpu, 'cfn-guard');
  if (existsSync(bin)) return bin;
  // A layout other than bin/<os>/<arch>: take any cfn-guard below bin/.
  const found = readdirSync(join(pkg, 'bin'), { recursive: true }).map(String).find((p) => p.endsWith('cfn-guard') && p.includes(cpu));
  return found ? join(pkg, 'bin', found) : undefined;
}

/** The four Guard rules equivalent to linkaudit's (see RULE_PAIRS). */
const GUARD_RULES = `# Equivalents of four linkaudit rules, as a cfn-guard user writes them.
let endpoint_services = Resources.*[ Type == 'AWS::EC2::VPCEndpointService' ]
rule ENDPOINT_SERVICE_ACCEPTANCE_REQUIRED when %endpoint_services !empty {
  %endpoint_services.Properties.AcceptanceRequired == true
}

let service_permissions = Resources.*[ Type == 'AWS::EC2::VPCEndpointServicePermissions' ]
rule ENDPOINT_SERVICE_NO_ANY_PRINCIPAL when %service_permissions !empty {
  %service_permissions.Properties.AllowedPrincipals[*] != '*'
}

let interface_endpoints = Resources.*[
  Type == 'AWS::EC2::VPCEndpoint'
  Properties.VpcEndpointType == 'Interface'
]
rule INTERFACE_ENDPOINT_HAS_POLICY when %interface_endpoints !empty {
  %interface_endpoints.Properties.PolicyDocument exists
}
rule INTERFACE_ENDPOINT_PRIVATE_DNS when %interface_endpoints !empty {
  %interface_endpoints.Properties.PrivateDnsEnabled == true
}
`;

/** Guard rule → the linkaudit rule it stands for. */
const RULE_PAIRS = {
  ENDPOINT_SERVICE_ACCEPTANCE_REQUIRED: 'endpoint-service-acceptance-disabled',
  ENDPOINT_SERVICE_NO_ANY_PRINCIPAL: 'endpoint-service-allows-any-principal',
  INTERFACE_ENDPOINT_HAS_POLICY: 'interface-endpoint-policy-allows-all',
  INTERFACE_ENDPOINT_PRIVATE_DNS: 'interface-endpoint-private-dns-disabled',
};

// ---------------------------------------------------------------------------------------------
// Measuring one run: wall time around the child, peak RSS from /usr/bin/time -f %M (KiB), or for
// linkaudit without it, from a preload that writes the child's own process.resourceUsage().maxRSS.

function measure(argv, { node = false, okCodes = [0] } = {}) {
  const rssFile = join(WORK, `rss-${process.hrtime.bigint()}`);
  let cmd;
  let args;
  let env = process.env;
  if (TIME) {
    cmd = TIME;
    args = ['-f', '%M', '-o', rssFile, ...(node ? [process.execPath, ...argv] : argv)];
  } else if (node) {
    cmd = process.execPath;
    args = ['--import', RSS_PRELOAD, ...argv];
    env = { ...process.env, LINKAUDIT_BENCH_RSS_FILE: rssFile };
  } else {
    cmd = argv[0];
    args = argv.slice(1);
  }
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 1024 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  let rssMiB = NaN;
  if (existsSync(rssFile)) {
    const kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
    if (Number.isFinite(kib)) rssMiB = kib / 1024;
    rmSync(rssFile, { force: true });
  }
  const ok = okCodes.includes(r.status);
  return { seconds, rssMiB, status: r.status, ok, stdout: r.stdout, stderr: r.stderr };
}

const linkauditArgs = (input, outDir, formats = 'sarif') => [
  CLI, 'scan', '--iac', input, '--format', formats, '--output-dir', outDir,
  // Figures, not a gate: findings and unknowns must not turn into an exit code that reads as a failed run.
  '--fail-on', 'none', '--allow-partial', '--quiet',
  '--max-template-mb', '64', '--account', '111122223333', '--region', 'eu-west-1',
];
// cfn-guard exits 19 when a rule fails: a finished run with findings.
const guardArgs = (bin, data, rules) => [bin, 'validate', '--data', data, '--rules', rules, '--output-format', 'sarif', '--structured', '--show-summary', 'none'];

function series(label, runs, fns) {
  const results = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    // Interleaved, so both tools see the same machine conditions.
    for (const [k, fn] of Object.entries(fns)) results[k].push(fn());
  }
  const out = {};
  for (const [k, rs] of Object.entries(results)) {
    const failed = rs.find((r) => !r.ok);
    out[k] = failed
      ? { failed: `exit ${failed.status}: ${(failed.stderr || failed.stdout || '').trim().split('\n').slice(0, 3).join(' | ').slice(0, 300)}` }
      : { seconds: median(rs.map((r) => r.seconds)), rssMiB: median(rs.map((r) => r.rssMiB)), last: rs.at(-1) };
  }
  return { label, ...out };
}

function report(s) {
  const l = s.linkaudit;
  const g = s.guard;
  const show = (name, x) => (x === undefined ? '' : x.failed ? `${name}: FAILED (${x.failed})` : `${name} ${sec(x.seconds)}, ${mib(x.rssMiB)}`);
  const parts = [show('linkaudit', l), show('cfn-guard', g)].filter((p) => p !== '');
  let line = `${s.label.padEnd(44)} ${parts.join('  |  ')}`;
  if (l && g && !l.failed && !g.failed) line += `  |  ratio wall ${ratio(l.seconds, g.seconds)}, RSS ${ratio(l.rssMiB, g.rssMiB)}`;
  console.log(line);
}

// ---------------------------------------------------------------------------------------------

const WORK = mkdtempSync(join(tmpdir(), 'linkaudit-bench-iac-'));
console.log(`linkaudit bench:iac: node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${RUNS} run(s) each, medians; peak RSS via ${TIME ? '/usr/bin/time -f %M' : 'process.resourceUsage() of the child (linkaudit only)'}`);
console.log(`inputs in ${WORK}`);

const guard = guardBinary();
if (guard) {
  const v = spawnSync(guard, ['--version'], { encoding: 'utf8' });
  console.log(`cfn-guard: ${guard} (${(v.stdout || v.stderr).trim()})`);
} else console.log('cfn-guard: not available; linkaudit figures only');
const cliBuilt = existsSync(CLI);
if (!cliBuilt) console.log(`linkaudit: ${CLI} missing (run npm run build)`);

const rules = join(WORK, 'linkaudit-equivalents.guard');
writeFileSync(rules, GUARD_RULES);

const template = templateObject(RESOURCES);
const yamlFile = join(WORK, 'template.yaml');
const jsonFile = join(WORK, 'template.json');
writeFileSync(yamlFile, yamlOf(template));
writeFileSync(jsonFile, JSON.stringify(template, undefined, 1));
const assembly = join(WORK, 'cdk.out');
writeAssembly(assembly, STACKS, 50);
const planFile = join(WORK, 'plan.json');
writeFileSync(planFile, JSON.stringify(planObject(RESOURCES)));
const smallFile = join(WORK, 'small.json');
writeFileSync(smallFile, JSON.stringify(templateObject(10), undefined, 1));
console.log(`generated: ${Object.keys(template.Resources).length} resources as YAML (${size(yamlFile)}) and JSON (${size(jsonFile)}); cdk.out of ${STACKS} stacks x 50 resources; plan of ${RESOURCES} resource changes (${size(planFile)}); a small template of 10 resources`);
console.log('');

const out = (name) => join(WORK, `out-${name}`);
const la = (input, name) => () => measure(linkauditArgs(input, out(name)), { node: true, okCodes: [0] });
const gd = (data) => () => measure(guardArgs(guard, data, rules), { okCodes: [0, 19] });
const both = (input, name) => ({ ...(cliBuilt ? { linkaudit: la(input, name) } : {}), ...(guard ? { guard: gd(input) } : {}) });

const results = [];
results.push(series(`CloudFormation JSON, ${RESOURCES} resources`, RUNS, both(jsonFile, 'json')));
report(results.at(-1));
if (cliBuilt) {
  results.push(series(`CloudFormation YAML, ${RESOURCES} resources`, RUNS, { linkaudit: la(yamlFile, 'yaml') }));
  report(results.at(-1));
  results.push(series(`cdk.out, ${STACKS} stacks x 50 resources`, RUNS, { linkaudit: la(assembly, 'cdk') }));
  report(results.at(-1));
  results.push(series(`Terraform plan, ${RESOURCES} resources`, RUNS, { linkaudit: la(planFile, 'plan') }));
  report(results.at(-1));
}
const cold = series('small template (10 resources), cold', COLD_RUNS, both(smallFile, 'small'));
results.push(cold);
report(cold);

// Whether the two found the same on the big JSON template: counts of failing resources per rule.
const big = results[0];
if (big.linkaudit?.last && big.guard?.last && !big.linkaudit.failed && !big.guard.failed) {
  const guardFails = countGuard(big.guard.last.stdout);
  const laFails = countLinkaudit(join(out('json'), 'linkaudit.sarif'));
  console.log('');
  console.log('failing resources per rule on the JSON template (cfn-guard SARIF results / linkaudit SARIF results):');
  for (const [g, l] of Object.entries(RULE_PAIRS)) console.log(`  ${g.padEnd(38)} ${String(guardFails[g] ?? 0).padStart(5)}   ${l.padEnd(42)} ${String(laFails[l] ?? 0).padStart(5)}`);
  // Why the counts differ on this template (see iac-generate.mjs for what each group holds).
  console.log('  where they differ: cfn-guard fails every AcceptanceRequired: !Ref of a parameter without default (linkaudit: unknown),');
  console.log('  every AllowedPrincipals written with !Sub (linkaudit resolves it to an account root: only the literal * fails), and');
  console.log('  endpoints to endpoint services (com.amazonaws.vpce.…) for having no policy and no private DNS: the two linkaudit');
  console.log('  rules judge endpoints to AWS services only (a PrivateLink service\'s provider decides its policy support and DNS name).');
}

// ---------------------------------------------------------------------------------------------
// Where they disagree: intrinsics. cfn-guard compares the template's values as written (an
// intrinsic is a map, never equal to `true` nor to `*`) and has no "unknown"; linkaudit resolves
// what the template decides and says unknown for what it does not.

const DISAGREE = {
  AWSTemplateFormatVersion: '2010-09-09',
  Parameters: {
    RequireAcceptance: { Type: 'String', AllowedValues: ['true', 'false'] },
    UsePolicy: { Type: 'String', AllowedValues: ['yes', 'no'] },
    Consumers: { Type: 'CommaDelimitedList', Default: '*' },
  },
  Conditions: { WithPolicy: { 'Fn::Equals': [{ Ref: 'UsePolicy' }, 'yes'] } },
  Resources: {
    DecidedAtDeploy: { Type: 'AWS::EC2::VPCEndpointService', Properties: { AcceptanceRequired: { Ref: 'RequireAcceptance' }, NetworkLoadBalancerArns: ['arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/a/1'] } },
    OwnAccountService: { Type: 'AWS::EC2::VPCEndpointService', Properties: { AcceptanceRequired: true, NetworkLoadBalancerArns: ['arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/b/2'] } },
    OwnAccountOnly: { Type: 'AWS::EC2::VPCEndpointServicePermissions', Properties: { ServiceId: { Ref: 'OwnAccountService' }, AllowedPrincipals: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' }] } },
    DefaultService: { Type: 'AWS::EC2::VPCEndpointService', Properties: { AcceptanceRequired: true, NetworkLoadBalancerArns: ['arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/c/3'] } },
    AnyoneByDefault: { Type: 'AWS::EC2::VPCEndpointServicePermissions', Properties: { ServiceId: { Ref: 'DefaultService' }, AllowedPrincipals: { Ref: 'Consumers' } } },
    DnsAsString: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.eu-west-1.codestar-connections.api', VpcId: 'vpc-0123456789abcdef0', PrivateDnsEnabled: 'true', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'codestar-connections:UseConnection', Resource: '*' }] } } },
    MaybeNoPolicy: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.eu-west-1.codestar-connections.api', VpcId: 'vpc-0123456789abcdef0', PrivateDnsEnabled: true, PolicyDocument: { 'Fn::If': ['WithPolicy', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'codestar-connections:UseConnection', Resource: '*' }] }, { Ref: 'AWS::NoValue' }] } } },
  },
};

/**
 * Per case: the Guard rule, the resource cfn-guard reports, the resource linkaudit reports (a
 * permissions resource is part of its service in the model), linkaudit's answer as the issue's
 * semantics give it, and why that is right.
 */
const CASES = [
  ['ENDPOINT_SERVICE_ACCEPTANCE_REQUIRED', 'DecidedAtDeploy', 'DecidedAtDeploy', 'unknown', 'AcceptanceRequired is !Ref RequireAcceptance, a parameter without default: the deploy decides it; cfn-guard compares the map {"Ref": …} with true and fails it'],
  ['ENDPOINT_SERVICE_NO_ANY_PRINCIPAL', 'OwnAccountOnly', 'OwnAccountService', 'pass', "the !Sub resolves to this account's root (arn:aws:iam::111122223333:root), not *; cfn-guard fails any intrinsic here (a false positive)"],
  ['ENDPOINT_SERVICE_NO_ANY_PRINCIPAL', 'AnyoneByDefault', 'DefaultService', 'fail', 'Consumers defaults to *: the deploy allows anyone unless told otherwise; cfn-guard fails it too, but only because a map is not comparable with *, so it fails the same way for a safe default'],
  ['INTERFACE_ENDPOINT_PRIVATE_DNS', 'DnsAsString', 'DnsAsString', 'pass', "CloudFormation takes the string 'true' for true; cfn-guard compares it with the boolean and fails it (a false positive)"],
  ['INTERFACE_ENDPOINT_HAS_POLICY', 'MaybeNoPolicy', 'MaybeNoPolicy', 'unknown', 'with UsePolicy=no the !If removes PolicyDocument (full access); the parameter has no default, so the template does not decide; cfn-guard sees the key exists and passes it (a false negative)'],
];

console.log('');
console.log('disagreements on a small template (intrinsics): who is right');
const dFile = join(WORK, 'disagree.json');
writeFileSync(dFile, JSON.stringify(DISAGREE, undefined, 1));
const gRun = guard ? measure(guardArgs(guard, dFile, rules), { okCodes: [0, 19] }) : undefined;
const gFailed = gRun?.ok ? failingGuardResources(gRun.stdout) : undefined;
const lRun = cliBuilt ? measure(linkauditArgs(dFile, out('disagree'), 'json'), { node: true, okCodes: [0] }) : undefined;
const lStatus = lRun?.ok ? linkauditStatuses(join(out('disagree'), 'linkaudit.json')) : undefined;
for (const [g, resource, laResource, expected, why] of CASES) {
  const gs = gFailed ? (gFailed.has(`${g} ${resource}`) ? 'fail' : 'pass') : 'n/a';
  const ls = lStatus ? (lStatus.get(`${RULE_PAIRS[g]} ${laResource}`) ?? 'no result') : `n/a (expected ${expected})`;
  console.log(`  ${resource.padEnd(16)} ${RULE_PAIRS[g].padEnd(40)} cfn-guard ${gs.padEnd(5)} linkaudit ${ls.padEnd(8)} ${gs === (lStatus ? ls : expected) ? 'agree' : 'linkaudit is right'}: ${why}`);
}
if (lRun && !lRun.ok) console.log(`  linkaudit: FAILED (exit ${lRun.status}: ${(lRun.stderr || '').trim().split('\n')[0]})`);
if (gRun?.ok) {
  // Where each tool puts its results in SARIF (what GitHub annotates): measured, not assumed.
  const lines = [...new Set(sarifResults(gRun.stdout).map((r) => r.locations?.[0]?.physicalLocation?.region?.startLine))].sort((a, b) => a - b);
  console.log(`  cfn-guard SARIF startLine of its ${sarifResults(gRun.stdout).length} results: ${lines.join(', ')} (linkaudit: the line of each resource's logical-id key)`);
}

// ---------------------------------------------------------------------------------------------
console.log('');
console.log('summary');
const jsonRow = results[0];
const ok = (x) => x && !x.failed;
if (ok(jsonRow.linkaudit) && ok(jsonRow.guard)) {
  console.log(`  wall, ${RESOURCES}-resource JSON template: linkaudit ${sec(jsonRow.linkaudit.seconds)} vs cfn-guard ${sec(jsonRow.guard.seconds)} (${ratio(jsonRow.linkaudit.seconds, jsonRow.guard.seconds)}; target <= 1x): ${jsonRow.linkaudit.seconds <= jsonRow.guard.seconds ? 'PASS' : 'MISS'}`);
}
for (const r of results.filter((x) => ok(x.linkaudit) && x !== cold)) console.log(`  peak RSS, ${r.label}: ${mib(r.linkaudit.rssMiB)} (target <= ${TARGETS.peakRssMb} MB): ${r.linkaudit.rssMiB * 1.048576 <= TARGETS.peakRssMb ? 'PASS' : 'MISS'}`);
if (ok(cold.linkaudit)) console.log(`  small template cold: ${sec(cold.linkaudit.seconds)} (target <= ${TARGETS.coldSeconds} s): ${cold.linkaudit.seconds <= TARGETS.coldSeconds ? 'PASS' : 'MISS'}`);
if (ok(jsonRow.guard)) console.log(`  cfn-guard alone: ${sec(jsonRow.guard.seconds)}, ${mib(jsonRow.guard.rssMiB)} on the ${RESOURCES}-resource JSON template; ${sec(cold.guard?.seconds)} on the small one`);
if (process.env.BENCH_KEEP) console.log(`  inputs kept in ${WORK}`);
else rmSync(WORK, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------

function sarifResults(text) {
  try {
    return JSON.parse(text).runs?.flatMap((r) => r.results ?? []) ?? [];
  } catch {
    return [];
  }
}

function countGuard(stdout) {
  const counts = {};
  for (const key of failingGuardResources(stdout)) {
    const rule = key.split(' ')[0];
    counts[rule] = (counts[rule] ?? 0) + 1;
  }
  return counts;
}

/** `RULE Resource` of every cfn-guard failure (its message names /Resources/<id>/…). */
function failingGuardResources(stdout) {
  const out = new Set();
  for (const r of sarifResults(stdout)) {
    const m = /\/Resources\/([^/\s[\]]+)/.exec(r.message?.text ?? '');
    if (m) out.add(`${r.ruleId} ${m[1]}`);
  }
  return out;
}

function countLinkaudit(file) {
  const counts = {};
  if (!existsSync(file)) return counts;
  for (const r of sarifResults(readFileSync(file, 'utf8'))) if (r.kind === undefined || r.kind === 'fail') counts[r.ruleId] = (counts[r.ruleId] ?? 0) + 1;
  return counts;
}

/** `rule LogicalId` → status, from linkaudit's JSON report (resource ARNs end in `#LogicalId`). */
function linkauditStatuses(file) {
  const out = new Map();
  if (!existsSync(file)) return out;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const f of report.findings ?? []) {
    const id = /#([^#/]+)$/.exec(f.resource?.arn ?? '')?.[1];
    if (id) out.set(`${f.ruleId} ${id}`, f.status);
  }
  return out;
}
