#!/usr/bin/env node
// Entry point. Command modules are imported when their command runs, so `--help` starts without
// loading the engine, ajv or (later) the AWS SDK; a bare `--version` does not even load yargs
// (~100 ms on a 2-core CI machine), since scripts call it to probe the tool.
import * as nodeModule from 'node:module';
import { normalize } from 'node:path';
import type { Argv } from 'yargs';
import { UserError } from './errors.js';
import { exitCleanlyOnSignals, exitQuietlyOnClosedOutput } from './io/interrupt.js';
import { escapeControlChars, escapeControlCharsKeepLayout } from './io/untrusted-text.js';
import { versionLine } from './version.js';
import type { LiveArgs } from './commands/collect.js';

const EXIT_CODES = `Exit codes:
  0  nothing at or above the --fail-on threshold
  1  findings at or above the threshold
  2  usage, config or input error; or (without --allow-partial) coverage gaps,
     or with --iac values the templates do not decide, that leave rules unknown
     which could have reached the threshold; or (with
     --strict-suppressions) an expired or unmatched suppression
  130, 143  interrupted by SIGINT, SIGTERM (no temporary file left, earlier reports intact)
With --fail-on-new, only results new against --baseline count for 1 and 2.`;

const SEVERITY_CHOICES = ['critical', 'high', 'medium', 'low', 'none'] as const;
const FORMAT_CHOICES = ['sarif', 'json', 'markdown', 'junit', 'ocsf', 'asff', 'html'] as const;
const RESULT_CHOICES = ['fail', 'pass', 'unknown', 'suppressed'] as const;

type Handler = () => Promise<number>;

/** `--format sarif,json` as well as `--format sarif --format json`, as the AWS CLI user expects. */
function splitCommas(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * An empty string is never a meaningful value: `--output-dir ''` would write into the working
 * directory and `--config ''` name no file, each silently, typically from an unset shell variable.
 */
function emptyValue(args: Record<string, unknown>, table: { string?: string[] }, positionals: readonly string[]): string | undefined {
  for (const name of table.string ?? []) {
    const v = args[name];
    if (v !== '' && !(Array.isArray(v) && v.some((x) => x === ''))) continue;
    const shown = positionals.includes(name) ? `<${name}>` : `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    return `${shown} is empty; give it a value (an unset shell variable?)`;
  }
  return undefined;
}

/** The AWS flags as yargs gives them; `quiet` belongs to each command. */
type AwsFlags = Omit<LiveArgs, 'quiet' | 'org'> & { org: boolean };

function awsArgs(a: AwsFlags): AwsFlags {
  return {
    region: a.region,
    maxAttempts: a.maxAttempts,
    timeout: a.timeout,
    ...(a.concurrency !== undefined ? { concurrency: a.concurrency } : {}),
    ...(a.collectThreads !== undefined ? { collectThreads: a.collectThreads } : {}),
    org: a.org,
    ...(a.roleArn !== undefined ? { roleArn: a.roleArn } : {}),
    ...(a.externalId !== undefined ? { externalId: a.externalId } : {}),
    ...(a.accounts !== undefined ? { accounts: a.accounts } : {}),
    ...(a.shard !== undefined ? { shard: a.shard } : {}),
    ...(a.profile !== undefined ? { profile: a.profile } : {}),
    ...(a.regions !== undefined ? { regions: a.regions } : {}),
    ...(a.endpointUrl !== undefined ? { endpointUrl: a.endpointUrl } : {}),
    ...(a.maxDuration !== undefined ? { maxDuration: a.maxDuration } : {}),
  };
}

/**
 * `--snapshot -` reads standard input, but yargs takes a lone `-` for a positional and leaves the
 * option empty: joined into `--snapshot=-` before it parses.
 */
function joinStdinDash(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--snapshot' && argv[i + 1] === '-') {
      out.push('--snapshot=-');
      i++;
    } else out.push(a);
  }
  return out;
}

async function main(rawArgv: string[]): Promise<number> {
  exitQuietlyOnClosedOutput();
  const argv = joinStdinDash(rawArgv);
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    process.stdout.write(`${versionLine()}\n`);
    return 0;
  }
  exitCleanlyOnSignals((line) => process.stderr.write(`${line}\n`));
  // Node 22.1+ keeps the compiled code of the modules imported from here on (yargs, the engine, the
  // collectors) in its cache directory, as tsc does: about a tenth off every later start. Absent on
  // Node 20; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  const { default: yargs } = await import('yargs');
  const { repeatedOption, positionalNames } = await import('./commands/repeated-options.js');
  const { setMaxInputMiB } = await import('./io/input-limits.js');
  let run: Handler | undefined;
  /**
   * Runs at each command level before yargs validates, with that level's option table; the
   * positionals come from the command string (yargs keeps it in its internal context).
   */
  const checkOptions = (
    a: { maxInputMb?: number },
    y: { getOptions(): unknown; getInternalMethods(): { getContext(): { fullCommands: string[] }; getUsageInstance?(): { cacheHelpMessage?: () => void } } },
  ): void => {
    // After a command's handler returns, yargs renders and caches that command's whole help text
    // (~70 ms of a 0.5 s scan) in case it must print it on a later failure; linkaudit's failures
    // never print help (see .fail below), so the rendering is skipped.
    const usage = y.getInternalMethods().getUsageInstance?.();
    if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
    const fullCommands = y.getInternalMethods().getContext().fullCommands;
    const table = y.getOptions() as unknown as Parameters<typeof repeatedOption>[1];
    const repeated = repeatedOption(argv, table, positionalNames(fullCommands.at(-1) ?? ''));
    if (repeated !== undefined) throw new UserError(`${repeated} (see: linkaudit --help)`);
    const empty = emptyValue(a as Record<string, unknown>, table as { string?: string[] }, positionalNames(fullCommands.at(-1) ?? ''));
    if (empty !== undefined) throw new UserError(`${empty} (see: linkaudit --help)`);
    setMaxInputMiB(a.maxInputMb);
  };
  const withRules = <T>(y: Argv<T>) =>
    y
      .option('config', { type: 'string', describe: 'Config file (default: .linkaudit.yaml in the working directory, if present)' })
      .option('rules-dir', { type: 'string', array: true, default: [] as string[], describe: 'User rule pack directory, added to the built-ins (repeatable)' });

  const withAws = <T>(y: Argv<T>) =>
    y
      .option('profile', { type: 'string', describe: 'AWS profile (credentials and region), as the AWS CLI takes it' })
      .option('region', { type: 'string', array: true, default: [] as string[], describe: 'Region to read (repeatable, or comma-separated); default: the configured region' })
      .option('regions', { type: 'string', describe: '"all" for every enabled region, or a comma-separated list' })
      .option('endpoint-url', { type: 'string', describe: 'Send every AWS call here (LocalStack, moto); AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> work too' })
      .option('max-attempts', { type: 'number', default: 8, describe: 'Attempts per AWS call (backs off with jitter); a throttled call is also paced and sent again up to 8 times within an attempt' })
      .option('timeout', { type: 'number', default: 30, describe: 'Seconds one AWS request may take, connection, headers and body (then retried, then a coverage gap)' })
      .option('max-duration', { type: 'number', describe: 'Seconds the whole collection may take; what is not read by then becomes coverage gaps (the scan still runs)' })
      .option('concurrency', { type: 'number', describe: 'HTTP requests in flight at once over all accounts and regions; default 64 per collection thread (each client also slows itself down when AWS throttles it)' })
      .option('collect-threads', { type: 'number', describe: 'Threads collecting accounts side by side, each with its share of --concurrency (default: the cores, at most 4)' })
      .option('role-arn', { type: 'string', describe: 'Role to assume in each account, e.g. arn:aws:iam::{account}:role/linkaudit-audit' })
      .option('external-id', { type: 'string', describe: 'External id for --role-arn' })
      .option('accounts', { type: 'string', array: true, describe: 'Accounts to read through --role-arn (repeatable or comma-separated)' })
      .option('org', { type: 'boolean', default: false, describe: 'Every ACTIVE account of the organization, through --role-arn (from the management or a delegated-admin account)' })
      .option('shard', { type: 'string', describe: 'Read only shard i/n of the accounts (stable by account id), for fanned-out jobs; combine with linkaudit merge' });

  const parser = yargs(argv)
    .scriptName('linkaudit')
    .usage('$0 <command> [options]\n\nAudit how code hosts reach AWS: CodeConnections, PrivateLink and the IAM around them.')
    .command(
      'scan',
      'Evaluate the rules on a snapshot, a live estate or infrastructure as code, and write reports',
      (y) =>
        withAws(withRules(y))
          .option('snapshot', { type: 'string', describe: 'Snapshot file to scan, or - for standard input (default: collect live from AWS)' })
          .option('save-snapshot', { type: 'string', describe: 'With a live scan: also write what was collected to this file' })
          .option('iac', { type: 'string', array: true, describe: 'Scan infrastructure as code instead of AWS: a CloudFormation template, a directory of them, a CDK cloud assembly (cdk.out) or a Terraform plan JSON (terraform show -json) (repeatable)' })
          .option('iac-param', { type: 'string', array: true, describe: 'With --iac: a CloudFormation parameter value, Key=Value (repeatable; wins over --iac-params)' })
          .option('iac-params', { type: 'string', describe: 'With --iac: a CloudFormation parameter file (the AWS CLI\'s [{"ParameterKey": …}] or a CodePipeline template configuration)' })
          .option('account', { type: 'string', describe: 'With --iac: the account (12 digits) of templates that do not name their environment' })
          .option('max-template-mb', { type: 'number', describe: 'With --iac: largest template read, in MiB [default: 1, CloudFormation\'s limit]' })
          .option('sarif-root', { type: 'string', describe: 'With --iac: SARIF file locations are relative to this directory [default: the working directory]' })
          .option('format', { type: 'string', array: true, choices: FORMAT_CHOICES, coerce: splitCommas, describe: 'Report format (repeatable, or comma-separated) [default: markdown; on a terminal, a coloured summary]' })
          .option('output-dir', { type: 'string', describe: 'Write one file per format here (linkaudit.sarif, linkaudit.json, linkaudit.md, …; asff: one file per batch of 100, docs/security-hub.md); default stdout' })
          .option('results', { type: 'string', array: true, choices: RESULT_CHOICES, coerce: splitCommas, describe: 'Statuses the json, junit, ocsf and asff reports list (repeatable, or comma-separated) [default: all]; counts and the gate still cover every result' })
          .option('framework', { type: 'string', describe: 'Group the Markdown report, and summarise the JSON report, by the controls of this framework (nist-800-53, aws-fsbp)' })
          .option('fail-on', { type: 'string', choices: SEVERITY_CHOICES, describe: 'Exit 1 when a finding is at or above this severity [default: high]' })
          .option('only', { type: 'string', array: true, default: [] as string[], coerce: splitCommas, describe: 'Run only these rule ids (repeatable, or comma-separated)' })
          .option('skip', { type: 'string', array: true, default: [] as string[], coerce: splitCommas, describe: 'Do not run these rule ids (repeatable, or comma-separated)' })
          .option('allow-partial', { type: 'boolean', default: false, describe: 'Do not exit 2 on coverage gaps (unknown results)' })
          .option('sarif-category', { type: 'string', describe: 'SARIF automationDetails.id category (default: from the scanned accounts)' })
          .option('baseline', { type: 'string', describe: 'JSON report of an earlier run: mark findings new or unchanged, list the fixed ones' })
          .option('fail-on-new', { type: 'boolean', default: false, describe: 'Gate only on findings (and unknowns) new against --baseline' })
          .option('strict-suppressions', { type: 'boolean', default: false, describe: 'Exit 2 when a suppression has expired or matched nothing, or a suppress tag is invalid' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No summary on stderr' })
          .example('$0 scan --snapshot fixtures/demo/snapshot.json', 'Markdown report on stdout')
          .example('$0 scan --profile prod --regions all --format sarif --output-dir out', 'Live scan of every enabled region')
          .example('$0 scan --snapshot snap.json --format sarif --format json --output-dir out', 'SARIF and JSON files in out/')
          .example('$0 scan --snapshot snap.json --fail-on medium --format sarif > results.sarif', 'Pipeline gate')
          .example('$0 scan --baseline last/linkaudit.json --fail-on-new --format json,junit --output-dir out', 'Gate on what is new since the last run')
          .example('$0 scan --format ocsf,asff --output-dir out', 'Findings for Security Hub (OCSF 1.6; ASFF in batches of 100, docs/security-hub.md)')
          .example('$0 scan --format json,markdown --results fail,unknown,suppressed --framework nist-800-53 --output-dir out', 'An audit: by NIST 800-53 control, without the passes')
          .example('$0 scan --iac cdk.out --format sarif --output-dir out', 'Pre-deploy gate on a CDK cloud assembly (SARIF on the template lines)')
          .example('$0 scan --iac plan.json --iac template.yaml --iac-param Env=prod --account 111122223333 --region us-east-1', 'A Terraform plan and a CloudFormation template')
          .epilogue(EXIT_CODES),
      (a) => {
        run = async () => {
          const { runScan } = await import('./commands/scan.js');
          const outcome = await runScan({
            ...(a.snapshot !== undefined ? { snapshot: normalize(a.snapshot) } : {}),
            ...(a.saveSnapshot !== undefined ? { saveSnapshot: a.saveSnapshot } : {}),
            ...awsArgs(a),
            ...(a.iac !== undefined ? { iac: a.iac.map((p) => normalize(p)) } : {}),
            ...(a.iacParam !== undefined ? { iacParam: a.iacParam } : {}),
            ...(a.iacParams !== undefined ? { iacParams: a.iacParams } : {}),
            ...(a.account !== undefined ? { account: a.account } : {}),
            ...(a.maxTemplateMb !== undefined ? { maxTemplateMb: a.maxTemplateMb } : {}),
            ...(a.sarifRoot !== undefined ? { sarifRoot: a.sarifRoot } : {}),
            format: (a.format ?? ['markdown']) as (typeof FORMAT_CHOICES)[number][],
            // A person at a terminal who asked for no format reads a summary, not raw Markdown.
            ...(a.format === undefined && a.outputDir === undefined && process.stdout.isTTY === true ? { terminal: true } : {}),
            ...(a.outputDir !== undefined ? { outputDir: a.outputDir } : {}),
            ...(a.results !== undefined ? { results: a.results as (typeof RESULT_CHOICES)[number][] } : {}),
            ...(a.framework !== undefined ? { framework: a.framework } : {}),
            ...(a.failOn !== undefined ? { failOn: a.failOn as (typeof SEVERITY_CHOICES)[number] } : {}),
            ...(a.config !== undefined ? { config: a.config } : {}),
            rulesDir: a.rulesDir,
            only: a.only,
            skip: a.skip,
            allowPartial: a.allowPartial,
            ...(a.sarifCategory !== undefined ? { sarifCategory: a.sarifCategory } : {}),
            ...(a.baseline !== undefined ? { baseline: a.baseline } : {}),
            failOnNew: a.failOnNew,
            strictSuppressions: a.strictSuppressions,
            quiet: a.quiet,
          });
          return outcome.gate.exitCode;
        };
      },
    )
    .command(
      'collect',
      'Read CodeConnections, PrivateLink, CodePipeline, CodeBuild and IAM from AWS into a snapshot file',
      (y) =>
        withAws(y)
          .option('output', { alias: 'o', type: 'string', describe: 'Snapshot file to write (default: stdout)' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress on stderr' })
          .example('$0 collect --regions all --output snapshot.json', 'Every enabled region of the current account')
          .example('AWS_ENDPOINT_URL=http://localhost:4566 $0 collect --region us-east-1', 'Against LocalStack'),
      (a) => {
        run = async () => (await import('./commands/collect.js')).collectCommand({ ...awsArgs(a), quiet: a.quiet, ...(a.output !== undefined ? { output: a.output } : {}) });
      },
    )
    .command(
      'merge <files..>',
      'Combine the snapshots, or the JSON reports, of shards (--shard i/n) into one',
      (y) =>
        y
          .positional('files', { type: 'string', array: true, demandOption: true })
          .option('output', { alias: 'o', type: 'string', describe: 'Snapshots: the merged snapshot file; reports: the merged report in its one --format (default: stdout)' })
          .option('format', { type: 'string', array: true, choices: FORMAT_CHOICES, coerce: splitCommas, describe: 'Reports only: formats of the merged report [default: json]' })
          .option('output-dir', { type: 'string', describe: 'Reports only: write one file per format here' })
          .option('results', { type: 'string', array: true, choices: RESULT_CHOICES, coerce: splitCommas, describe: 'Reports only: statuses the merged json, junit, ocsf and asff reports list [default: what the inputs kept]' })
          .option('framework', { type: 'string', describe: 'Reports only: group the merged Markdown report, and summarise the JSON report, by this framework\'s controls' })
          .example('$0 merge shard-*.json --output estate.json && $0 scan --snapshot estate.json', 'Fan out, then scan once')
          .example('$0 merge shard-*/linkaudit.json --format sarif --format markdown --output-dir out', 'Or merge the shards\' reports (exit code: the merged gate)'),
      (a) => {
        run = async () =>
          (await import('./commands/merge.js')).mergeCommand({
            files: a.files,
            ...(a.output !== undefined ? { output: a.output } : {}),
            ...(a.format !== undefined ? { format: a.format as (typeof FORMAT_CHOICES)[number][] } : {}),
            ...(a.outputDir !== undefined ? { outputDir: a.outputDir } : {}),
            ...(a.results !== undefined ? { results: a.results as (typeof RESULT_CHOICES)[number][] } : {}),
            ...(a.framework !== undefined ? { framework: a.framework } : {}),
          });
      },
    )
    .command(
      'access',
      'Who may use, take a token from, or pass one connection (IAM users and roles of its account)',
      (y) =>
        withAws(y)
          .option('connection', { type: 'string', demandOption: true, describe: 'Connection ARN (codestar-connections or codeconnections prefix)' })
          .option('snapshot', { type: 'string', describe: 'Snapshot file, or - for standard input (default: collect live from AWS)' })
          .option('format', { type: 'string', choices: ['table', 'json'] as const, default: 'table' as const })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No notes or progress on stderr' })
          .example('$0 access --snapshot fixtures/demo/snapshot.json --connection arn:aws:codestar-connections:us-east-1:111122223333:connection/0347af09-f291-4cec-9665-42872c5e63c2', 'From a snapshot')
          .example('$0 access --profile prod --connection arn:aws:codeconnections:eu-west-1:111122223333:connection/… --format json', 'Live, as JSON'),
      (a) => {
        run = async () =>
          (await import('./commands/access.js')).accessCommand({
            ...awsArgs(a),
            connection: a.connection,
            ...(a.snapshot !== undefined ? { snapshot: normalize(a.snapshot) } : {}),
            format: a.format,
            quiet: a.quiet,
          });
      },
    )
    .command(
      'graph',
      'The repository blast radius: for each connection, the repositories, pipelines and builds that use it, the roles they run as and what those roles may do, and who may use it',
      (y) =>
        withAws(y)
          .option('snapshot', { type: 'string', describe: 'Snapshot file, or - for standard input (default: collect live from AWS)' })
          .option('iac', { type: 'string', array: true, describe: 'Read infrastructure as code instead: a CloudFormation template, a directory, a cdk.out or a Terraform plan JSON (repeatable)' })
          .option('iac-param', { type: 'string', array: true, describe: 'With --iac: a CloudFormation parameter value, Key=Value (repeatable)' })
          .option('iac-params', { type: 'string', describe: 'With --iac: a CloudFormation parameter file' })
          .option('account', { type: 'string', describe: 'With --iac: the account (12 digits) of templates that do not name their environment' })
          .option('max-template-mb', { type: 'number', describe: 'With --iac: largest template read, in MiB [default: 1]' })
          .option('connection', { type: 'string', describe: 'Only this connection (ARN, either prefix: codestar-connections or codeconnections)' })
          .option('repository', { type: 'string', describe: 'Only what a push to this repository reaches (OWNER/NAME, as FullRepositoryId names it)' })
          .option('format', { type: 'string', choices: ['markdown', 'json', 'dot', 'mermaid'] as const, default: 'markdown' as const, describe: 'markdown: a Mermaid diagram and tables; json: schemas/graph.schema.json; dot: Graphviz; mermaid: the diagram alone' })
          .option('output', { alias: 'o', type: 'string', describe: 'Write here (default: stdout)' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No summary or progress on stderr' })
          .example('$0 graph --snapshot fixtures/demo/snapshot.json --repository acme/payments', 'What a push to acme/payments reaches')
          .example('$0 graph --profile prod --connection arn:aws:codeconnections:eu-west-1:111122223333:connection/… --format json', 'One connection, live, as JSON')
          .example('$0 graph --iac cdk.out --format dot | dot -Tsvg > graph.svg', 'From a CDK assembly, drawn by Graphviz'),
      (a) => {
        run = async () =>
          (await import('./commands/graph.js')).graphCommand({
            ...awsArgs(a),
            ...(a.snapshot !== undefined ? { snapshot: normalize(a.snapshot) } : {}),
            ...(a.iac !== undefined ? { iac: a.iac.map((p) => normalize(p)) } : {}),
            ...(a.iacParam !== undefined ? { iacParam: a.iacParam } : {}),
            ...(a.iacParams !== undefined ? { iacParams: a.iacParams } : {}),
            ...(a.account !== undefined ? { account: a.account } : {}),
            ...(a.maxTemplateMb !== undefined ? { maxTemplateMb: a.maxTemplateMb } : {}),
            ...(a.connection !== undefined ? { connection: a.connection } : {}),
            ...(a.repository !== undefined ? { repository: a.repository } : {}),
            format: a.format,
            ...(a.output !== undefined ? { output: a.output } : {}),
            quiet: a.quiet,
          });
      },
    )
    .command(
      'diff <old> <new>',
      'New, fixed and changed findings and coverage between two JSON reports (a scheduled audit\'s diff)',
      (y) =>
        y
          .positional('old', { type: 'string', demandOption: true, describe: 'The earlier linkaudit.json' })
          .positional('new', { type: 'string', demandOption: true, describe: 'The later linkaudit.json' })
          .option('format', { type: 'string', choices: ['markdown', 'json'] as const, default: 'markdown' as const })
          .option('output', { alias: 'o', type: 'string', describe: 'Write here (default: stdout)' })
          .example('$0 diff last-week/linkaudit.json out/linkaudit.json', 'Markdown for a ticket or a chat message'),
      (a) => {
        run = async () =>
          (await import('./commands/diff.js')).diffCommand({ old: a.old, new: a.new, format: a.format, ...(a.output !== undefined ? { output: a.output } : {}) });
      },
    )
    .command(
      'init',
      'Write a commented starter .linkaudit.yaml',
      (y) =>
        y
          .option('output', { alias: 'o', type: 'string', default: '.linkaudit.yaml', describe: 'Where to write it' })
          .option('force', { type: 'boolean', default: false, describe: 'Overwrite an existing file' }),
      (a) => {
        run = async () => (await import('./commands/init.js')).initCommand({ output: a.output, force: a.force });
      },
    )
    .command('rules', 'List, show and validate rules', (y) =>
      y
        .command(
          'list',
          'List the rules (built-in and user packs)',
          (yy) => withRules(yy).option('format', { type: 'string', choices: ['table', 'json'] as const, default: 'table' as const }),
          (a) => {
            run = async () => (await import('./commands/rules.js')).rulesList({ format: a.format, rulesDir: a.rulesDir, ...(a.config !== undefined ? { config: a.config } : {}) });
          },
        )
        .command(
          'show <id>',
          'Show a rule\'s documentation',
          (yy) => withRules(yy).positional('id', { type: 'string', demandOption: true }),
          (a) => {
            run = async () => (await import('./commands/rules.js')).rulesShow({ id: a.id, rulesDir: a.rulesDir, ...(a.config !== undefined ? { config: a.config } : {}) });
          },
        )
        .command(
          'validate <dir>',
          'Validate a rule pack and run its cases (exit 2 invalid, 1 a case fails)',
          (yy) => yy.positional('dir', { type: 'string', demandOption: true }),
          (a) => {
            run = async () => (await import('./commands/rules.js')).rulesValidate({ dir: a.dir });
          },
        )
        .demandCommand(1, 'rules: give a subcommand: list, show or validate'),
    )
    .command('snapshot', 'Work with snapshot files', (y) =>
      y
        .command(
          'validate <file>',
          'Check a snapshot file against the schema',
          (yy) => yy.positional('file', { type: 'string', demandOption: true }),
          (a) => {
            run = async () => (await import('./commands/snapshot.js')).snapshotValidate({ file: a.file });
          },
        )
        .demandCommand(1, 'snapshot: give a subcommand: validate'),
    )
    .option('max-input-mb', { type: 'number', global: true, describe: `Largest input file read, in MiB (default: 500 for JSON, 16 for YAML; or ${'$'}LINKAUDIT_MAX_INPUT_MB)` })
    // yargs passes the command's own instance as the second argument; @types/yargs omits it.
    .middleware(checkOptions as unknown as (a: unknown) => void, true)
    // `linkaudit completion >> ~/.bashrc` (or ~/.zshrc): commands, subcommands and flags complete on Tab.
    .completion('completion', 'Print a shell completion script (bash or zsh): linkaudit completion >> ~/.bashrc')
    .demandCommand(1, 'give a command: scan, collect, access, graph, diff, merge, init, rules, snapshot or completion')
    .strict()
    .version(versionLine())
    .alias('v', 'version')
    .help()
    .alias('h', 'help')
    .epilogue(EXIT_CODES)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs messages span lines ("Invalid values:\n  Argument: …"); one line reads better in CI logs.
      throw err ?? new UserError(`${msg.replace(/\s*\n\s*/g, ' ')} (see: linkaudit --help)`);
    });

  await parser.parseAsync();
  return run ? run() : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Messages quote file names, file contents and what AWS sent: escaped, so none can move the
    // cursor or rewrite the terminal. A user error stays one line.
    if (err instanceof UserError) {
      process.stderr.write(`linkaudit: ${escapeControlChars(err.message)}\n`);
    } else {
      process.stderr.write(`linkaudit: internal error (please report it): ${escapeControlCharsKeepLayout(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
    }
    process.exitCode = 2;
  },
);
