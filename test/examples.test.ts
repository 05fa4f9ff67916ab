// The ready-to-use setups in examples/: every YAML parses, the CloudFormation template's references
// resolve and its IAM covers docs/iam-policy.json, the workflow and buildspec have the parts the
// README promises, every `linkaudit …` command line uses only what the built CLI's --help offers,
// and the shell that wires exit codes, reports, S3 and SNS runs (bash, with fake `linkaudit` and
// `aws` on PATH: no network, no AWS). `npm test` builds dist/ first.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, type Tags, type YAMLMap, type YAMLSeq } from 'yaml';

const ROOT = resolve('.');
const EXAMPLES = resolve('examples');
const CLI = resolve('dist/cli.js');

// ---------------------------------------------------------------------------------------------
// Reading the examples

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function filesUnder(dir: string, test: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const rel = (file: string): string => relative(ROOT, file);

/** CloudFormation's short forms, each as the long form CloudFormation reads (`!Ref X` → `{Ref: X}`). */
const CFN_FUNCTIONS = ['Ref', 'Condition', 'Sub', 'GetAtt', 'Join', 'If', 'Equals', 'Not', 'Select', 'Split', 'FindInMap', 'ImportValue', 'Base64', 'Cidr', 'GetAZs', 'And', 'Or'];

const CFN_TAGS: Tags = CFN_FUNCTIONS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  return [
    { tag: `!${name}`, resolve: (value: string) => ({ [key]: value }) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (seq: YAMLSeq.Parsed | YAMLMap.Parsed) => ({ [key]: seq.toJSON() }) },
    { tag: `!${name}`, collection: 'map' as const, resolve: (map: YAMLSeq.Parsed | YAMLMap.Parsed) => ({ [key]: map.toJSON() }) },
  ];
});

/** Parses YAML as strictly as GitHub, CodeBuild and CloudFormation would: errors and warnings (unknown tags) fail. */
function parseYaml(text: string, where: string): Json {
  const doc = parseDocument(text, { customTags: CFN_TAGS, uniqueKeys: true, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => `${where}: ${e.message}`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return doc.toJS({ maxAliasCount: 100 }) as Json;
}

function loadYaml(file: string): Json {
  return parseYaml(readFileSync(file, 'utf8'), rel(file));
}

/** Every value below `v`, with the path to it. */
function* walk(v: Json, path: string[] = []): Generator<[Json, string[]]> {
  yield [v, path];
  if (Array.isArray(v)) for (const [i, x] of v.entries()) yield* walk(x, [...path, String(i)]);
  else if (isObject(v)) for (const [k, x] of Object.entries(v)) yield* walk(x, [...path, k]);
}

const asArray = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

// ---------------------------------------------------------------------------------------------
// Shell: just enough of the shell's grammar to find `linkaudit …` simple commands and their words

/** A simple command: its words with quotes removed (`$VAR` left as written). */
type Command = string[];

/**
 * The simple commands of a script: lines joined at backslash-newlines, comments dropped, split at
 * `;`, `&&`, `||`, `|`, `(`, `)`, `$(`, newlines; redirections and their targets dropped; leading
 * keywords (`if`, `then`, …) and `NAME=value` assignments skipped.
 */
function simpleCommands(script: string): Command[] {
  const text = script.replace(/\\\r?\n/g, ' ');
  const commands: Command[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let skipNext = false;
  const endWord = (): void => {
    if (word === undefined) return;
    if (skipNext) skipNext = false;
    else words.push(word);
    word = undefined;
  };
  const endCommand = (): void => {
    endWord();
    const start = words.findIndex((w) => !/^(if|then|else|elif|do|while|until|!|time|\{)$/.test(w) && !/^[A-Za-z_]\w*=/.test(w));
    if (start >= 0) commands.push(words.slice(start));
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word = (word ?? '') + text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        s += text[j];
        j++;
      }
      word = (word ?? '') + s;
      i = j;
    } else if (c === '#' && word === undefined) {
      const nl = text.indexOf('\n', i);
      i = (nl < 0 ? text.length : nl) - 1;
    } else if (c === '\n' || c === ';' || c === '|' || c === '&' || c === '(' || c === ')') {
      // `$(` opens a command like `(`; an assignment's `x=$(` is skipped with the assignment.
      if (c === '(' && word === '$') word = undefined;
      endCommand();
    } else if (c === '>' || c === '<') {
      if (word !== undefined && /^\d+$/.test(word)) word = undefined;
      endWord();
      if (text[i + 1] === '>' || text[i + 1] === '&') i++;
      skipNext = true;
    } else if (/\s/.test(c)) {
      endWord();
    } else {
      word = (word ?? '') + c;
    }
  }
  endCommand();
  return commands;
}

/**
 * GitHub expressions in a run block, replaced by what they expand to. The `cond && 'a' || 'b'`
 * idiom gives 'a' (`when: true`), 'b' (`when: false`) or both (`when: 'both'`, so that the flags
 * of either branch are checked); any other expression becomes the word EXPR.
 */
function expandGithubExpressions(script: string, when: boolean | 'both' = 'both'): string {
  return script.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
    const idiom = /&&\s*'((?:[^']|'')*)'\s*\|\|\s*'((?:[^']|'')*)'\s*$/.exec(expr);
    if (!idiom) return 'EXPR';
    const [yes, no] = [idiom[1] as string, idiom[2] as string].map((v) => v.replace(/''/g, "'"));
    return when === 'both' ? `${yes} ${no}` : when ? (yes as string) : (no as string);
  });
}

/**
 * `npx [--no|--yes|…] linkaudit …` is linkaudit run from the project's node_modules (the IaC gate
 * installs it there): the same command line, checked the same way.
 */
const withoutNpx = (c: Command): Command => {
  if (c[0] !== 'npx') return c;
  let i = 1;
  while (i < c.length && (c[i] as string).startsWith('-')) i++;
  return c.slice(i);
};

const linkauditCommands = (script: string): Command[] => simpleCommands(script).map(withoutNpx).filter((c) => c[0] === 'linkaudit');

// ---------------------------------------------------------------------------------------------
// The examples

const WORKFLOW = join(EXAMPLES, 'github-actions/linkaudit.yml');
const BUILDSPEC = join(EXAMPLES, 'codebuild/buildspec.yml');
const TEMPLATE = join(EXAMPLES, 'scheduled-audit/template.yaml');
const IAC_WORKFLOW = join(EXAMPLES, 'github-actions/iac-gate.yml');
const IAC_TF_WORKFLOW = join(EXAMPLES, 'github-actions/iac-gate-terraform.yml');
const IAC_BUILDSPEC = join(EXAMPLES, 'codebuild/iac-buildspec.yml');

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: JsonObject;
  env?: JsonObject;
  'continue-on-error'?: Json;
}

function workflowSteps(workflow: Json): Step[] {
  if (!isObject(workflow) || !isObject(workflow.jobs)) return [];
  return Object.values(workflow.jobs).flatMap((job) => (isObject(job) && Array.isArray(job.steps) ? (job.steps as unknown as Step[]) : []));
}

/** Every shell script of a buildspec, phase by phase (install, pre_build, build, post_build). */
function buildspecCommands(spec: Json): string[] {
  if (!isObject(spec) || !isObject(spec.phases)) return [];
  return Object.values(spec.phases).flatMap((phase) => (isObject(phase) ? [...asArray(phase.commands), ...asArray(phase.finally)] : [])).filter((c): c is string => typeof c === 'string');
}

interface Script {
  where: string;
  text: string;
}

/** Every shell script in the examples: workflow run blocks, buildspec commands (inline buildspecs too), README code blocks. */
function allScripts(): Script[] {
  const scripts: Script[] = [];
  for (const file of filesUnder(EXAMPLES, (n) => /\.ya?ml$/.test(n))) {
    const doc = loadYaml(file);
    if (isObject(doc) && isObject(doc.jobs)) {
      for (const step of workflowSteps(doc)) if (typeof step.run === 'string') scripts.push({ where: `${rel(file)} (step ${step.name ?? step.id ?? '?'})`, text: expandGithubExpressions(step.run) });
    }
    if (isObject(doc) && isObject(doc.phases)) for (const text of buildspecCommands(doc)) scripts.push({ where: rel(file), text });
    for (const [spec, path] of inlineBuildspecs(doc)) for (const text of buildspecCommands(spec)) scripts.push({ where: `${rel(file)} (${path.join('.')})`, text });
  }
  for (const file of filesUnder(EXAMPLES, (n) => n.endsWith('.md'))) {
    for (const block of codeBlocks(readFileSync(file, 'utf8'))) {
      if (/^(sh|bash|shell|console|)$/.test(block.lang)) scripts.push({ where: `${rel(file)}:${block.line}`, text: block.text.replace(/^\$ /gm, '') });
      if (/^ya?ml$/.test(block.lang)) {
        const doc = parseYaml(block.text, `${rel(file)}:${block.line}`);
        for (const [v, path] of walk(doc)) if (typeof v === 'string' && (path.at(-1) === 'run' || path.at(-2) === 'commands')) scripts.push({ where: `${rel(file)}:${block.line}`, text: expandGithubExpressions(v) });
      }
    }
  }
  return scripts;
}

/** CloudFormation CodeBuild projects' inline buildspecs, parsed. */
function* inlineBuildspecs(doc: Json): Generator<[Json, string[]]> {
  for (const [v, path] of walk(doc)) {
    if (path.at(-1) === 'BuildSpec' && typeof v === 'string' && v.includes('phases:')) yield [parseYaml(v, path.join('.')), path];
  }
}

function codeBlocks(markdown: string): Array<{ lang: string; text: string; line: number }> {
  const blocks: Array<{ lang: string; text: string; line: number }> = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(lines[i] as string);
    if (!open) continue;
    const fence = open[1] as string;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] as string).trim().startsWith(fence); i++) body.push(lines[i] as string);
    blocks.push({ lang: (open[2] as string).toLowerCase(), text: body.join('\n'), line: start + 1 });
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// The CLI's own description of itself

interface Option {
  choices?: string[];
  /** The option's line and its continuation lines in --help. */
  text: string;
}

interface Help {
  subcommands: string[];
  options: Map<string, Option>;
}

const helpCache = new Map<string, Help>();

/** `linkaudit <path> --help`, parsed: the subcommands it lists and its --options with their choices. */
function help(path: string[]): Help {
  const key = path.join(' ');
  const cached = helpCache.get(key);
  if (cached) return cached;
  const r = spawnSync(process.execPath, [CLI, ...path, '--help'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, COLUMNS: '200' } });
  if (r.status !== 0) throw new Error(`linkaudit ${key} --help exited ${r.status}: ${r.stderr}`);
  const subcommands: string[] = [];
  const options = new Map<string, Option>();
  let section = '';
  let current: { name: string; text: string[] } | undefined;
  const flush = (): void => {
    if (!current) return;
    const text = current.text.join(' ');
    const choices = /\[choices: ([^\]]*)\]/.exec(text);
    const names = current.name.split(' ');
    for (const name of names) options.set(name, choices ? { text, choices: [...(choices[1] as string).matchAll(/"([^"]*)"/g)].map((m) => m[1] as string) } : { text });
    current = undefined;
  };
  for (const line of r.stdout.split('\n')) {
    const heading = /^(\w[\w ]*):\s*$/.exec(line);
    if (heading) {
      flush();
      section = heading[1] as string;
      continue;
    }
    if (section === 'Commands') {
      const m = /^\s+linkaudit ((?:[\w-]+ ?)+)/.exec(line);
      if (m) subcommands.push((m[1] as string).trim().split(' ').at(-1) as string);
    } else if (section === 'Options') {
      const m = /^\s+(?:-(\w), )?--([\w-]+)/.exec(line);
      if (m) {
        flush();
        current = { name: [m[2], m[1] !== undefined ? `-${m[1]}` : undefined].filter(Boolean).join(' '), text: [line] };
      } else if (current) current.text.push(line);
    }
  }
  flush();
  const parsed: Help = { subcommands, options };
  helpCache.set(key, parsed);
  return parsed;
}

/** What is wrong with one `linkaudit …` command line, judged by the CLI's --help. */
function commandProblems(words: Command): string[] {
  const problems: string[] = [];
  const path: string[] = [];
  let i = 1;
  // Descend through subcommands as long as the command at hand lists some.
  for (;;) {
    const h = help(path);
    const next = words[i];
    if (h.subcommands.length === 0 || next === undefined || next.startsWith('-')) break;
    if (!h.subcommands.includes(next)) {
      problems.push(`unknown subcommand "${[...path, next].join(' ')}" (linkaudit ${path.join(' ')} --help lists: ${h.subcommands.join(', ')})`.replace('  ', ' '));
      return problems;
    }
    path.push(next);
    i++;
  }
  const { options } = help(path);
  for (; i < words.length; i++) {
    const w = words[i] as string;
    if (!w.startsWith('-') || w === '-' || w === '--') continue;
    const [flag, inline] = w.startsWith('--') ? ((eq) => (eq < 0 ? [w.slice(2), undefined] : [w.slice(2, eq), w.slice(eq + 1)]))(w.indexOf('=')) : [w, undefined];
    const option = options.get(flag as string);
    if (!option) {
      problems.push(`linkaudit ${path.join(' ')}: no option ${w.startsWith('--') ? `--${flag}` : flag}`);
      continue;
    }
    const value = inline ?? words[i + 1];
    if (option.choices && value !== undefined && !value.includes('$') && !value.startsWith('-')) {
      for (const v of value.split(',')) if (!option.choices.includes(v)) problems.push(`linkaudit ${path.join(' ')}: --${flag} ${v} is not one of ${option.choices.join(', ')}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Running example shell with fake `linkaudit` and `aws`

/** Report file names per --format, as the CLI contract names them (README "Reports"; JUnit: issue 5). */
const REPORT_FILES: Record<string, string> = { sarif: 'linkaudit.sarif', json: 'linkaudit.json', markdown: 'linkaudit.md', junit: 'linkaudit.junit.xml' };

const FAKE_LINKAUDIT = `#!/usr/bin/env bash
# Records its arguments; writes the files the real CLI writes; exits with $FAKE_LINKAUDIT_EXIT.
printf '%s\\n' "$*" >> "$FAKE_LOG"
cmd=$1; shift
args=("$@"); out=""; formats=""; snapshot=""; output=""
while [ $# -gt 0 ]; do
  case "$1" in
    --output-dir) out=$2; shift ;;
    --format) formats="$formats,$2"; shift ;;
    --save-snapshot) snapshot=$2; shift ;;
    --output) output=$2; shift ;;
  esac
  shift
done
case "$cmd" in
  --version) echo "0.0.0-fake" ;;
  scan)
    if [ "\${FAKE_LINKAUDIT_EXIT:-0}" = usage ]; then echo "linkaudit: bad flag" >&2; exit 2; fi
    mkdir -p "$out"
    for f in \${formats//,/ }; do
      case "$f" in
${Object.entries(REPORT_FILES)
  .map(([format, file]) => `        ${format}) echo "fake ${format}" > "$out/${file}" ;;`)
  .join('\n')}
      esac
    done
    if [ -n "$snapshot" ]; then echo '{"fake":"snapshot"}' > "$snapshot"; fi
    exit "\${FAKE_LINKAUDIT_EXIT:-0}" ;;
  diff)
    text="# fake diff of \${args[0]} and \${args[1]}"
    if [ -n "$output" ]; then echo "$text" > "$output"; else echo "$text"; fi ;;
  *) echo "fake linkaudit: unexpected $cmd" >&2; exit 99 ;;
esac
`;

/** S3 as a directory ($FAKE_S3/<bucket>/<key>); SNS publishes kept as files in $FAKE_SNS. */
const FAKE_AWS = `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$FAKE_AWS_LOG"
local_path() { case "$1" in s3://*) echo "$FAKE_S3/\${1#s3://}" ;; *) echo "$1" ;; esac; }
case "$1 $2" in
  "s3 cp")
    src=$(local_path "$3"); dst=$(local_path "$4"); recursive=false
    for a in "$@"; do [ "$a" = --recursive ] && recursive=true; done
    if $recursive; then mkdir -p "$dst" && cp -R "$src"/. "$dst"/
    else
      if [ ! -f "$src" ]; then echo "fatal error: An error occurred (404) when calling the HeadObject operation: Key \\"$3\\" does not exist" >&2; exit 1; fi
      mkdir -p "$(dirname "$dst")" && cp "$src" "$dst"
    fi ;;
  "sns publish")
    n=$(ls "$FAKE_SNS" | wc -l)
    while [ $# -gt 0 ]; do
      case "$1" in
        --topic-arn) echo "$2" > "$FAKE_SNS/$n.topic" ;;
        --subject) echo "$2" > "$FAKE_SNS/$n.subject" ;;
        --message) cp "\${2#file://}" "$FAKE_SNS/$n.message" ;;
      esac
      shift
    done ;;
  *) echo "fake aws: unsupported: $*" >&2; exit 255 ;;
esac
`;

/** `npx [flags] CMD …` runs CMD from PATH (the fake linkaudit), as npx runs a project's installed bin. */
const FAKE_NPX = `#!/usr/bin/env bash
while [ $# -gt 0 ] && [ "\${1#-}" != "$1" ]; do shift; done
exec "$@"
`;

interface Fakes {
  bin: string;
  log: string;
  awsLog: string;
  s3: string;
  sns: string;
}

function fakes(): Fakes {
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-examples-'));
  const f: Fakes = { bin: join(dir, 'bin'), log: join(dir, 'linkaudit.log'), awsLog: join(dir, 'aws.log'), s3: join(dir, 's3'), sns: join(dir, 'sns') };
  for (const d of [f.bin, f.s3, f.sns]) mkdirSync(d, { recursive: true });
  for (const [name, text] of [['linkaudit', FAKE_LINKAUDIT], ['aws', FAKE_AWS], ['npx', FAKE_NPX]] as const) {
    writeFileSync(join(f.bin, name), text);
    chmodSync(join(f.bin, name), 0o755);
  }
  writeFileSync(f.log, '');
  writeFileSync(f.awsLog, '');
  return f;
}

interface ShellRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runBash(script: string, cwd: string, f: Fakes, env: Record<string, string>, bashArgs: string[] = []): ShellRun {
  const r = spawnSync('bash', [...bashArgs, '-c', script], {
    cwd,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: `${f.bin}:${process.env.PATH ?? ''}`, HOME: cwd, FAKE_LOG: f.log, FAKE_AWS_LOG: f.awsLog, FAKE_S3: f.s3, FAKE_SNS: f.sns, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A buildspec phase as CodeBuild runs it: its commands in one shell, in order, the phase failing
 * (with that command's code) at the first command that fails. `env.variables` are exported.
 */
function runPhase(spec: JsonObject, phase: string, cwd: string, f: Fakes, env: Record<string, string>): ShellRun {
  const phases = spec.phases as JsonObject;
  const commands = asArray((phases[phase] as JsonObject | undefined)?.commands).map(String);
  const variables = isObject(spec.env) && isObject(spec.env.variables) ? spec.env.variables : {};
  const script = commands.map((c) => `${c}\n__rc=$?; if [ "$__rc" -ne 0 ]; then exit "$__rc"; fi`).join('\n');
  return runBash(script, cwd, f, { ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])), ...env });
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'linkaudit-examples-run-'));

/** The value after `flag` in a command (the last one when repeated). */
function flagValue(words: Command, flag: string): string | undefined {
  let value: string | undefined;
  words.forEach((w, i) => {
    if (w === flag) value = words[i + 1];
    else if (w.startsWith(`${flag}=`)) value = w.slice(flag.length + 1);
  });
  return value;
}

// ---------------------------------------------------------------------------------------------

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
});

describe('examples: files', () => {
  it('has the three setups and their README', () => {
    for (const f of [WORKFLOW, BUILDSPEC, TEMPLATE, IAC_WORKFLOW, IAC_TF_WORKFLOW, IAC_BUILDSPEC, join(EXAMPLES, 'README.md'), join(EXAMPLES, 'scheduled-audit/README.md')]) expect(existsSync(f), rel(f)).toBe(true);
  });

  it.each(filesUnder(EXAMPLES, (n) => /\.ya?ml$/.test(n)).map(rel))('%s parses as YAML (CloudFormation tags known, no duplicate keys)', (file) => {
    expect(() => loadYaml(resolve(file))).not.toThrow();
  });

  it('every placeholder in the examples is listed in examples/README.md "What to replace"', () => {
    const readme = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
    const section = /^## What to replace\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
    expect(section, 'examples/README.md has no "## What to replace" section').not.toBe('');
    const placeholders = new Set<string>();
    for (const file of filesUnder(EXAMPLES, (n) => /\.(ya?ml|md)$/.test(n))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\b(OWNER|[A-Z]+_ACCOUNT_ID|ACCOUNT_ID)\b/g)) placeholders.add(m[1] as string);
    }
    expect(placeholders.size).toBeGreaterThan(0);
    for (const p of placeholders) expect(section, p).toContain(p);
  });

  it('each example pins linkaudit to one version, written once', () => {
    const get = (v: Json, ...path: string[]): Json | undefined => path.reduce<Json | undefined>((x, k) => (isObject(x) ? x[k] : undefined), v);
    const versions: Array<[string, Json | undefined]> = [
      [WORKFLOW, get(loadYaml(WORKFLOW), 'env', 'LINKAUDIT_VERSION')],
      [BUILDSPEC, get(loadYaml(BUILDSPEC), 'env', 'variables', 'LINKAUDIT_VERSION')],
      [TEMPLATE, get(loadYaml(TEMPLATE), 'Parameters', 'LinkauditVersion', 'Default')],
      [IAC_WORKFLOW, get(loadYaml(IAC_WORKFLOW), 'env', 'LINKAUDIT_VERSION')],
      [IAC_TF_WORKFLOW, get(loadYaml(IAC_TF_WORKFLOW), 'env', 'LINKAUDIT_VERSION')],
      [IAC_BUILDSPEC, get(loadYaml(IAC_BUILDSPEC), 'env', 'variables', 'LINKAUDIT_VERSION')],
    ];
    for (const [file, version] of versions) {
      expect(String(version), rel(file)).toMatch(/^\d+\.\d+\.\d+/);
      expect(readFileSync(file, 'utf8').split(String(version)).length - 1, `${rel(file)} spells ${version} once`).toBe(1);
    }
  });
});

describe('examples: every linkaudit command line uses what the CLI accepts', () => {
  it('the examples call linkaudit: scan, diff and init at least', () => {
    const commands = allScripts().flatMap((s) => linkauditCommands(s.text));
    expect(commands.length).toBeGreaterThan(5);
    const subcommands = new Set(commands.map((c) => c[1]));
    for (const s of ['scan', 'diff', 'init']) expect(subcommands, s).toContain(s);
  });

  it('subcommands, --flags and --format/--fail-on values are in `linkaudit … --help`', () => {
    const problems = new Set<string>();
    for (const script of allScripts()) {
      for (const command of linkauditCommands(script.text)) for (const p of commandProblems(command)) problems.add(`${script.where}: ${p}`);
    }
    expect([...problems]).toEqual([]);
  });

  it('the check itself rejects an unknown flag, an unknown subcommand and an unknown format', () => {
    expect(commandProblems(['linkaudit', 'scan', '--snapshot', 's.json', '--no-such-flag'])).toEqual(['linkaudit scan: no option --no-such-flag']);
    expect(commandProblems(['linkaudit', 'no-such-command'])[0]).toMatch(/unknown subcommand "no-such-command"/);
    expect(commandProblems(['linkaudit', 'scan', '--format', 'sarif,pdf'])).toEqual(['linkaudit scan: --format pdf is not one of ' + (help(['scan']).options.get('format')?.choices ?? []).join(', ')]);
    expect(commandProblems(['linkaudit', 'rules', 'list', '--format', 'json'])).toEqual([]);
    expect(commandProblems(['linkaudit', '--version'])).toEqual([]);
  });

  it('the shell reader finds commands after operators, keywords and assignments, with continuations and quotes', () => {
    const script = [
      'if true; then X=1 linkaudit scan --a "b c" \\',
      '  --d; fi # linkaudit nope --e',
      'out=$(linkaudit diff a b --f) && linkaudit merge x > out.json 2>&1',
      "echo 'linkaudit not --g' | linkaudit rules list",
    ].join('\n');
    expect(linkauditCommands(script)).toEqual([
      ['linkaudit', 'scan', '--a', 'b c', '--d'],
      ['linkaudit', 'diff', 'a', 'b', '--f'],
      ['linkaudit', 'merge', 'x'],
      ['linkaudit', 'rules', 'list'],
    ]);
  });

  it('`npx [flags] linkaudit …` is read as the linkaudit command; other npx commands are not', () => {
    expect(linkauditCommands('npx --no linkaudit scan --iac cdk.out\nnpx --no cdk synth\nnpx linkaudit --version')).toEqual([
      ['linkaudit', 'scan', '--iac', 'cdk.out'],
      ['linkaudit', '--version'],
    ]);
  });

  it('report file names in scan --help agree with the names the runs below rely on', () => {
    const described = help(['scan']).options.get('output-dir')?.text ?? '';
    const names = described.match(/linkaudit\.[a-z]+(?:\.[a-z]+)?/g) ?? [];
    expect(names.length).toBeGreaterThan(2);
    for (const name of names) expect(Object.values(REPORT_FILES)).toContain(name);
  });
});

describe('examples: scheduled-audit CloudFormation template', () => {
  const template = loadYaml(TEMPLATE) as JsonObject;
  const parameters = isObject(template.Parameters) ? template.Parameters : {};
  const resources = isObject(template.Resources) ? template.Resources : {};
  const conditions = isObject(template.Conditions) ? template.Conditions : {};
  const PSEUDO = ['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix'];

  /** Names used by Ref, GetAtt, Sub and conditions, each with where it is used. */
  function references(): { refs: Array<[string, string]>; getAtts: Array<[string, string]>; subs: Array<[string, string]>; conds: Array<[string, string]> } {
    const refs: Array<[string, string]> = [];
    const getAtts: Array<[string, string]> = [];
    const subs: Array<[string, string]> = [];
    const conds: Array<[string, string]> = [];
    for (const [v, path] of walk(template)) {
      const where = path.join('.');
      if (!isObject(v)) continue;
      if (typeof v.Ref === 'string') refs.push([v.Ref, where]);
      if ('Fn::GetAtt' in v) {
        const g = v['Fn::GetAtt'];
        const target = Array.isArray(g) ? g[0] : typeof g === 'string' ? g.split('.')[0] : undefined;
        getAtts.push([String(target), where]);
      }
      if ('Fn::Sub' in v) {
        const s = v['Fn::Sub'];
        const [text, vars] = Array.isArray(s) ? [s[0], s[1]] : [s, undefined];
        const locals = isObject(vars) ? Object.keys(vars) : [];
        for (const m of String(text).matchAll(/\$\{([^}]*)\}/g)) {
          const name = m[1] as string;
          if (name.startsWith('!') || locals.includes(name)) continue;
          subs.push([name, where]);
        }
      }
      if ('Fn::If' in v && Array.isArray(v['Fn::If'])) conds.push([String(v['Fn::If'][0]), where]);
      if (path[0] === 'Conditions' && typeof v.Condition === 'string') conds.push([v.Condition, where]);
    }
    for (const [name, r] of Object.entries(resources)) if (isObject(r) && typeof r.Condition === 'string') conds.push([r.Condition, `Resources.${name}.Condition`]);
    if (isObject(template.Outputs)) for (const [name, o] of Object.entries(template.Outputs)) if (isObject(o) && typeof o.Condition === 'string') conds.push([o.Condition, `Outputs.${name}.Condition`]);
    return { refs, getAtts, subs, conds };
  }

  it('is a template with resources, parameters and the expected parameters', () => {
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(Object.keys(resources).length).toBeGreaterThan(0);
    for (const p of ['ScheduleExpression', 'NotificationEmail', 'RoleArnTemplate', 'Regions']) expect(Object.keys(parameters)).toContain(p);
  });

  it('resource types look like AWS::Service::Type', () => {
    for (const [name, r] of Object.entries(resources)) expect(isObject(r) ? r.Type : undefined, name).toMatch(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/);
  });

  it('every Ref, GetAtt and ${Name} in Sub resolves; every condition used exists; every parameter is used', () => {
    const { refs, getAtts, subs, conds } = references();
    const known = new Set([...Object.keys(parameters), ...Object.keys(resources), ...PSEUDO]);
    const unresolved = [
      ...refs.filter(([n]) => !known.has(n)).map(([n, w]) => `Ref ${n} at ${w}`),
      ...getAtts.filter(([n]) => !(n in resources)).map(([n, w]) => `GetAtt ${n} at ${w}`),
      ...subs.filter(([n]) => !(n.includes('.') ? n.split('.')[0] as string in resources : known.has(n))).map(([n, w]) => `\${${n}} at ${w}`),
      ...conds.filter(([n]) => !(n in conditions)).map(([n, w]) => `condition ${n} at ${w}`),
    ];
    expect(unresolved).toEqual([]);
    expect(refs.length + subs.length).toBeGreaterThan(5);
    const used = new Set([...refs.map(([n]) => n), ...subs.map(([n]) => n)]);
    expect(Object.keys(parameters).filter((p) => !used.has(p))).toEqual([]);
  });

  it('the IAM policies allow every action of docs/iam-policy.json, and no wildcard action', () => {
    const reference = JSON.parse(readFileSync(resolve('docs/iam-policy.json'), 'utf8')) as { Statement: Array<{ Effect: string; Action: string | string[] }> };
    const wanted = reference.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => asArray(s.Action as Json).map(String));
    expect(wanted.length).toBeGreaterThan(10);
    const allowed = new Set<string>();
    for (const [v] of walk(template)) {
      if (isObject(v) && v.Effect === 'Allow' && 'Action' in v) for (const a of asArray(v.Action)) allowed.add(String(a));
    }
    expect(wanted.filter((a) => !allowed.has(a))).toEqual([]);
    expect([...allowed].filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
  });

  it('the bucket is encrypted, versioned, expires old runs and blocks public access', () => {
    const bucket = Object.values(resources).find((r) => isObject(r) && r.Type === 'AWS::S3::Bucket') as JsonObject;
    const props = bucket.Properties as JsonObject;
    expect(props.BucketEncryption).toBeDefined();
    expect(props.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(props.LifecycleConfiguration).toBeDefined();
  });

  it('a schedule starts the CodeBuild project through a role that may only start it', () => {
    const types = Object.values(resources).map((r) => (isObject(r) ? r.Type : undefined));
    expect(types.some((t) => t === 'AWS::Scheduler::Schedule' || t === 'AWS::Events::Rule')).toBe(true);
    for (const t of ['AWS::CodeBuild::Project', 'AWS::SNS::Topic']) expect(types).toContain(t);
    const scheduleRole = resources.ScheduleRole as JsonObject;
    const actions = [...walk((scheduleRole.Properties as JsonObject).Policies as Json)].filter(([v]) => isObject(v) && 'Action' in v && v.Effect === 'Allow').flatMap(([v]) => asArray((v as JsonObject).Action));
    expect(actions).toEqual(['codebuild:StartBuild']);
  });

  describe('its inline buildspec, run with fake linkaudit and aws', () => {
    const inline = [...inlineBuildspecs(template)];
    expect(inline).toHaveLength(1);
    const spec = inline[0]?.[0] as JsonObject;
    const project = Object.values(resources).find((r) => isObject(r) && r.Type === 'AWS::CodeBuild::Project') as JsonObject;
    const projectEnv = ((project.Properties as JsonObject).Environment as JsonObject).EnvironmentVariables as JsonObject[];

    /** The project's environment variables (every one the template sets, no more), with test values. */
    function env(overrides: Record<string, string>): Record<string, string> {
      const values: Record<string, string> = { REPORT_BUCKET: 'audit-bucket', TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:linkaudit', REGIONS: 'all', ROLE_ARN_TEMPLATE: '', ACCOUNTS: 'org', FAIL_ON: 'high', LINKAUDIT_PACKAGE_URL: 'https://example.invalid/linkaudit.tgz' };
      const names = projectEnv.map((v) => String(v.Name));
      expect(names.sort()).toEqual(Object.keys(values).sort());
      return { ...values, CODEBUILD_BUILD_ARN: 'arn:aws:codebuild:us-east-1:111122223333:build/x:1', ...overrides };
    }

    it('is version 0.2 and installs the pinned package', () => {
      expect(String(spec.version)).toBe('0.2');
      expect(buildspecCommands(spec).join('\n')).toContain('npm install -g --no-fund --no-audit "$LINKAUDIT_PACKAGE_URL"');
    });

    it('first run: stores the snapshot and reports under a dated prefix and latest/, and posts the report', () => {
      const f = fakes();
      const r = runPhase(spec, 'build', tmp(), f, env({ FAKE_LINKAUDIT_EXIT: '0' }));
      expect(r.status, r.stderr).toBe(0);
      const scan = readFileSync(f.log, 'utf8').split('\n')[0] ?? '';
      expect(scan).toMatch(/^scan --regions all --fail-on high --format json,markdown,sarif --output-dir out --save-snapshot out\/snapshot.json/);
      expect(scan).not.toMatch(/--role-arn/);
      const runs = filesUnder(join(f.s3, 'audit-bucket/runs'), () => true).map((p) => relative(join(f.s3, 'audit-bucket/runs'), p));
      expect(runs.length).toBeGreaterThan(0);
      for (const p of runs) expect(p).toMatch(/^\d{4}\/\d\d\/\d\d\/\d{6}Z\/(linkaudit\.(json|md|sarif)|snapshot\.json|diff\.md)$/);
      for (const name of ['linkaudit.json', 'snapshot.json', 'diff.md']) expect(runs.some((p) => p.endsWith(`/${name}`)), name).toBe(true);
      expect(readFileSync(join(f.s3, 'audit-bucket/latest/linkaudit.json'), 'utf8')).toContain('fake json');
      expect(readFileSync(join(f.sns, '0.topic'), 'utf8').trim()).toBe('arn:aws:sns:us-east-1:111122223333:linkaudit');
      expect(readFileSync(join(f.sns, '0.subject'), 'utf8')).toMatch(/^linkaudit \d{4}-\d\d-\d\d: pass$/m);
      expect(readFileSync(join(f.sns, '0.message'), 'utf8')).toMatch(/First linkaudit run[\s\S]*fake markdown/);
    });

    it('next run: diffs against latest/linkaudit.json and posts the diff; findings (exit 1) do not fail the build', () => {
      const f = fakes();
      mkdirSync(join(f.s3, 'audit-bucket/latest'), { recursive: true });
      writeFileSync(join(f.s3, 'audit-bucket/latest/linkaudit.json'), 'previous report');
      const r = runPhase(spec, 'build', tmp(), f, env({ FAKE_LINKAUDIT_EXIT: '1' }));
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(f.log, 'utf8')).toMatch(/^diff previous\.json out\/linkaudit\.json --format markdown --output out\/diff\.md$/m);
      expect(readFileSync(join(f.sns, '0.message'), 'utf8')).toContain('# fake diff of previous.json and out/linkaudit.json');
      expect(readFileSync(join(f.sns, '0.subject'), 'utf8')).toMatch(/findings at or above high/);
      expect(readFileSync(join(f.s3, 'audit-bucket/latest/linkaudit.json'), 'utf8')).toContain('fake json');
    });

    it('exit 2 (coverage gaps) still stores and posts, then fails the build with 2', () => {
      const f = fakes();
      const r = runPhase(spec, 'build', tmp(), f, env({ FAKE_LINKAUDIT_EXIT: '2' }));
      expect(r.status).toBe(2);
      expect(existsSync(join(f.s3, 'audit-bucket/latest/linkaudit.json'))).toBe(true);
      expect(readFileSync(join(f.sns, '0.subject'), 'utf8')).toMatch(/incomplete \(exit 2\)/);
    });

    it('an error before any report is posted, and fails the build', () => {
      const f = fakes();
      const r = runPhase(spec, 'build', tmp(), f, env({ FAKE_LINKAUDIT_EXIT: 'usage' }));
      expect(r.status).toBe(2);
      expect(readFileSync(join(f.sns, '0.message'), 'utf8')).toMatch(/wrote no report \(exit 2\)/);
    });

    it.each([
      ['org', /^scan --org --role-arn arn:aws:iam::\{account\}:role\/linkaudit-audit /],
      ['111122223333,444455556666', /^scan --accounts 111122223333,444455556666 --role-arn arn:aws:iam::\{account\}:role\/linkaudit-audit /],
    ])('with RoleArnTemplate and Accounts=%s reads the accounts through the role', (accounts, expected) => {
      const f = fakes();
      const r = runPhase(spec, 'build', tmp(), f, env({ FAKE_LINKAUDIT_EXIT: '0', ROLE_ARN_TEMPLATE: 'arn:aws:iam::{account}:role/linkaudit-audit', ACCOUNTS: accounts }));
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(f.log, 'utf8')).toMatch(expected);
    });
  });
});

describe('examples: GitHub Actions workflow', () => {
  const workflow = loadYaml(WORKFLOW) as JsonObject;
  const steps = workflowSteps(workflow);
  const on = workflow.on as JsonObject;

  it('runs on a schedule and on push', () => {
    expect(Array.isArray(on.schedule) && on.schedule.length > 0 && isObject(on.schedule[0]) && typeof on.schedule[0].cron === 'string').toBe(true);
    expect('push' in on).toBe(true);
  });

  it('the job that scans has id-token: write, security-events: write and contents: read', () => {
    const jobs = Object.values(workflow.jobs as JsonObject).filter(isObject);
    const scanning = jobs.filter((j) => Array.isArray(j.steps) && j.steps.some((s) => isObject(s) && String(s.uses).startsWith('aws-actions/configure-aws-credentials@')));
    expect(scanning.length).toBeGreaterThan(0);
    for (const job of scanning) {
      // A job-level block replaces the workflow-level one entirely.
      const permissions = (job.permissions ?? workflow.permissions) as JsonObject;
      expect(permissions['id-token']).toBe('write');
      expect(permissions['security-events']).toBe('write');
      expect(permissions.contents).toBe('read');
    }
  });

  it('pins every action to a full commit SHA', () => {
    const uses = steps.map((s) => s.uses).filter((u): u is string => u !== undefined);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
    expect(uses.some((u) => u.startsWith('aws-actions/configure-aws-credentials@'))).toBe(true);
    expect(uses.some((u) => u.startsWith('github/codeql-action/upload-sarif@'))).toBe(true);
  });

  it('assumes a role through OIDC, with no stored keys', () => {
    const creds = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(creds?.with?.['role-to-assume']).toBeTruthy();
    expect(Object.keys(creds?.with ?? {})).not.toContain('aws-access-key-id');
  });

  it('the gate step fails the job with linkaudit\'s exit code; reports and summary steps run always()', () => {
    const gate = steps.filter((s) => typeof s.run === 'string' && linkauditCommands(s.run).some((c) => c[1] === 'scan'));
    expect(gate).toHaveLength(1);
    expect(gate[0]?.['continue-on-error']).toBeUndefined();
    expect(gate[0]?.if).toBeUndefined();
    const after = steps.slice(steps.indexOf(gate[0] as Step) + 1).filter((s) => s.uses?.includes('upload-sarif') || s.uses?.includes('upload-artifact') || s.run?.includes('GITHUB_STEP_SUMMARY'));
    expect(after.length).toBeGreaterThanOrEqual(3);
    for (const s of after) expect(s.if ?? '', s.name ?? s.uses).toContain('always()');
  });

  it('one SARIF category per account: the scan\'s --sarif-category is the upload\'s category', () => {
    const gate = steps.find((s) => typeof s.run === 'string' && linkauditCommands(s.run).some((c) => c[1] === 'scan')) as Step;
    const scan = linkauditCommands(expandGithubExpressions(gate.run as string)).find((c) => c[1] === 'scan') as Command;
    let category = flagValue(scan, '--sarif-category') ?? '';
    for (const [k, v] of Object.entries(gate.env ?? {})) category = category.replaceAll(`$${k}`, String(v)).replaceAll(`\${${k}}`, String(v));
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(upload?.with?.category).toBe(category);
    expect(category).toMatch(/^linkaudit\/\$\{\{ matrix\.account \}\}$/);
    expect(upload?.with?.sarif_file).toBe(`${flagValue(scan, '--output-dir')}/linkaudit.sarif`);
  });

  it('keeps the JSON report and uses the last accepted one as the baseline, gating pushes on new findings', () => {
    const gate = steps.find((s) => typeof s.run === 'string' && linkauditCommands(s.run).some((c) => c[1] === 'scan')) as Step;
    const scan = linkauditCommands(expandGithubExpressions(gate.run as string)).find((c) => c[1] === 'scan') as Command;
    expect(scan).toContain('--fail-on-new');
    const baseline = flagValue(scan, '--baseline') as string;
    const restore = steps.find((s) => s.uses?.startsWith('actions/cache/restore@'));
    const save = steps.find((s) => s.uses?.startsWith('actions/cache/save@'));
    expect(restore?.with?.path).toBe(baseline);
    expect(save?.with?.path).toBe(baseline);
    expect(gate.run).toMatch(/github\.event_name == 'push'[^}]*'--fail-on-new'/);
  });

  it('a single "gate" job needs every audit job, runs always() and fails unless they all succeeded', () => {
    const jobs = workflow.jobs as JsonObject;
    const gate = Object.values(jobs).find((j) => isObject(j) && j.needs !== undefined) as JsonObject;
    expect(String(gate.if)).toContain('always()');
    expect(asArray(gate.needs).sort()).toEqual(Object.keys(jobs).filter((k) => jobs[k] !== gate).sort());
  });

  describe('the gate step, run in bash -e as GitHub runs it', () => {
    const gate = steps.find((s) => typeof s.run === 'string' && linkauditCommands(s.run).some((c) => c[1] === 'scan')) as Step;
    /** The step's script, its `cond && '…' || ''` expressions all true (a baseline, on push) or all false. */
    const script = (baseline: boolean): string => expandGithubExpressions(gate.run as string, baseline);

    it.each([0, 1, 2])('linkaudit exit %i: the step exits with it and records it for the baseline decision', (code) => {
      const f = fakes();
      const dir = tmp();
      const out = join(dir, 'github_output');
      writeFileSync(out, '');
      const r = runBash(script(false), dir, f, { ACCOUNT: '111122223333', FAIL_ON: 'high', GITHUB_OUTPUT: out, FAKE_LINKAUDIT_EXIT: String(code) }, ['--noprofile', '--norc', '-eo', 'pipefail']);
      expect(r.status, r.stderr).toBe(code);
      expect(readFileSync(out, 'utf8')).toBe(`exit-code=${code}\n`);
      expect(existsSync(join(dir, 'reports/linkaudit.sarif'))).toBe(true);
      const args = readFileSync(f.log, 'utf8');
      expect(args).toContain('--sarif-category linkaudit/111122223333');
      expect(args).not.toContain('--baseline');
    });

    it('with a baseline on push: --baseline and --fail-on-new reach linkaudit', () => {
      const f = fakes();
      const dir = tmp();
      const r = runBash(script(true), dir, f, { ACCOUNT: '111122223333', FAIL_ON: 'high', GITHUB_OUTPUT: join(dir, 'o'), FAKE_LINKAUDIT_EXIT: '0' }, ['--noprofile', '--norc', '-eo', 'pipefail']);
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(f.log, 'utf8')).toMatch(/--baseline baseline\/linkaudit\.json --fail-on-new/);
    });
  });
});

describe('examples: CodeBuild pre-deploy gate', () => {
  const spec = loadYaml(BUILDSPEC) as JsonObject;
  const scan = buildspecCommands(spec).flatMap(linkauditCommands).find((c) => c[1] === 'scan') as Command;

  it('is version 0.2 and scans with --format including junit', () => {
    expect(String(spec.version)).toBe('0.2');
    expect(scan).toBeDefined();
    expect((flagValue(scan, '--format') ?? '').split(',')).toContain('junit');
  });

  it('has a JUNITXML report group reading the JUnit file from the scan\'s --output-dir', () => {
    const groups = Object.values((spec.reports ?? {}) as JsonObject).filter(isObject);
    const junit = groups.filter((g) => g['file-format'] === 'JUNITXML');
    expect(junit).toHaveLength(1);
    const group = junit[0] as JsonObject;
    const outputDir = normalize(flagValue(scan, '--output-dir') as string);
    const files = asArray(group.files).map((f) => normalize(join(String(group['base-directory'] ?? '.'), String(f))));
    expect(files).toContain(join(outputDir, REPORT_FILES.junit as string));
  });

  it.each([
    [0, 0],
    [1, 1],
    [2, 2],
  ])('linkaudit exit %i: the build phase ends with %i, after the reports exist', (code, expected) => {
    const f = fakes();
    const dir = tmp();
    const r = runPhase(spec, 'build', dir, f, { FAKE_LINKAUDIT_EXIT: String(code) });
    expect(r.status, r.stderr).toBe(expected);
    const group = Object.values(spec.reports as JsonObject).find((g) => isObject(g) && g['file-format'] === 'JUNITXML') as JsonObject;
    for (const file of asArray(group.files)) expect(existsSync(join(dir, String(group['base-directory']), String(file)))).toBe(true);
    expect(r.stdout).toContain('fake markdown');
  });

  it('a usage error (exit 2 before any report) fails the build too', () => {
    const f = fakes();
    const r = runPhase(spec, 'build', tmp(), f, { FAKE_LINKAUDIT_EXIT: 'usage' });
    expect(r.status).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------
// The IaC gates: GitHub Actions (CDK, Terraform) and CodeBuild before a CloudFormation deploy

/** The step of a workflow whose run block calls `linkaudit scan`. */
function scanStep(steps: Step[]): Step {
  const found = steps.filter((s) => typeof s.run === 'string' && linkauditCommands(s.run).some((c) => c[1] === 'scan'));
  expect(found).toHaveLength(1);
  return found[0] as Step;
}

function scanCommand(step: Step): Command {
  return linkauditCommands(expandGithubExpressions(step.run as string)).find((c) => c[1] === 'scan') as Command;
}

describe.each([
  ['CDK', IAC_WORKFLOW, 'cdk.out', 'linkaudit-iac/cdk', 'linkaudit iac gate', 'CDK_APP_DIR'],
  ['Terraform', IAC_TF_WORKFLOW, 'plan.json', 'linkaudit-iac/terraform', 'linkaudit terraform gate', 'TF_ROOT'],
])('examples: IaC gate workflow (%s)', (_kind, file, input, category, gateName, dirVar) => {
  const workflow = loadYaml(file) as JsonObject;
  const steps = workflowSteps(workflow);
  const on = workflow.on as JsonObject;
  const jobs = workflow.jobs as JsonObject;
  const gate = scanStep(steps);
  const scan = scanCommand(gate);
  const scanJob = Object.values(jobs).find((j) => isObject(j) && Array.isArray(j.steps) && j.steps.includes(gate as unknown as Json)) as JsonObject;

  it('runs on pull requests (and on pushes to the default branch)', () => {
    expect('pull_request' in on).toBe(true);
    expect((on.push as JsonObject | undefined)?.branches).toEqual(['main']);
  });

  it('pins every action to a full commit SHA, with its tag in a comment', () => {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
    expect(lines.length).toBe(steps.filter((s) => s.uses !== undefined).length);
    for (const l of lines) expect(l).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    expect(steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))).toBe(true);
  });

  it(`scans ${input} with --iac, SARIF among the formats`, () => {
    expect(flagValue(scan, '--iac')).toBe(input);
    expect((flagValue(scan, '--format') ?? '').split(',')).toContain('sarif');
    expect(flagValue(scan, '--sarif-root')).toBe('$GITHUB_WORKSPACE');
  });

  it('the scanning job may upload SARIF and read the repository, nothing more at workflow level', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const permissions = scanJob.permissions as JsonObject;
    expect(permissions['security-events']).toBe('write');
    expect(permissions.contents).toBe('read');
  });

  it('the upload\'s category is the scan\'s --sarif-category; its file is the scan\'s SARIF report', () => {
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@')) as Step;
    expect(upload.with?.category).toBe(category);
    expect(flagValue(scan, '--sarif-category')).toBe(category);
    expect(upload.with?.sarif_file).toBe(`\${{ env.${dirVar} }}/${flagValue(scan, '--output-dir')}/linkaudit.sarif`);
    expect(((scanJob.defaults as JsonObject).run as JsonObject)['working-directory']).toBe(`\${{ env.${dirVar} }}`);
  });

  it('the gate step fails the job with linkaudit\'s exit code; the summary and upload run always()', () => {
    expect(gate['continue-on-error']).toBeUndefined();
    expect(gate.if).toBeUndefined();
    const own = scanJob.steps as unknown as Step[];
    const after = own.slice(own.indexOf(gate) + 1);
    expect(after.length).toBeGreaterThanOrEqual(2);
    for (const s of after) expect(s.if ?? '', s.name ?? s.uses).toContain('always()');
  });

  it(`one job named "${gateName}" needs every other job, runs always() and fails unless they succeeded`, () => {
    const gateJob = Object.values(jobs).find((j) => isObject(j) && j.name === gateName) as JsonObject;
    expect(String(gateJob.if)).toContain('always()');
    expect(asArray(gateJob.needs).sort()).toEqual(Object.keys(jobs).filter((k) => jobs[k] !== gateJob).sort());
    const run = String(((gateJob.steps as JsonObject[])[0] as JsonObject).run);
    expect(run).toMatch(/test "\$RESULT" = success/);
  });

  describe('the gate step, run in bash -e as GitHub runs it', () => {
    it.each([0, 1, 2])('linkaudit exit %i: the step exits with it, records it, and the SARIF exists', (code) => {
      const f = fakes();
      const dir = tmp();
      const out = join(dir, 'github_output');
      writeFileSync(out, '');
      writeFileSync(join(dir, 'plan.json'), '{}');
      writeFileSync(join(dir, 'tfplan'), 'binary');
      const r = runBash(expandGithubExpressions(gate.run as string), dir, f, { FAIL_ON: 'high', GITHUB_OUTPUT: out, GITHUB_WORKSPACE: dir, FAKE_LINKAUDIT_EXIT: String(code) }, ['--noprofile', '--norc', '-eo', 'pipefail']);
      expect(r.status, r.stderr).toBe(code);
      expect(readFileSync(out, 'utf8')).toBe(`exit-code=${code}\n`);
      expect(existsSync(join(dir, flagValue(scan, '--output-dir') as string, 'linkaudit.sarif'))).toBe(true);
      const args = readFileSync(f.log, 'utf8');
      expect(args).toContain(`scan --iac ${input} `);
      expect(args).toContain(`--sarif-category ${category} --sarif-root ${dir}`);
      // The plan (sensitive values in clear text) does not outlive the scan step.
      if (input === 'plan.json') expect([existsSync(join(dir, 'plan.json')), existsSync(join(dir, 'tfplan'))]).toEqual([false, false]);
    });
  });
});

describe('examples: IaC gate workflow (CDK): synth before scan', () => {
  const steps = workflowSteps(loadYaml(IAC_WORKFLOW));
  const gate = scanStep(steps);

  it('cdk synth writes the cdk.out the scan reads, in an earlier step; linkaudit is installed without saving, and run with npx --no', () => {
    const synth = steps.findIndex((s) => typeof s.run === 'string' && /\bcdk synth\b/.test(s.run));
    expect(synth).toBeGreaterThanOrEqual(0);
    expect(synth).toBeLessThan(steps.indexOf(gate));
    expect(steps[synth]?.run).toMatch(/npx --no cdk synth --quiet --output cdk\.out/);
    const install = steps.find((s) => s.run?.includes('npm install --no-save'));
    expect(install?.run).toContain('"$LINKAUDIT_PACKAGE/v$LINKAUDIT_VERSION/linkaudit-$LINKAUDIT_VERSION.tgz"');
    expect(gate.run).toMatch(/^\s*npx --no linkaudit scan /m);
  });
});

describe('examples: IaC gate workflow (Terraform): plan, show -json, scan', () => {
  const workflow = loadYaml(IAC_TF_WORKFLOW) as JsonObject;
  const steps = workflowSteps(workflow);
  const gate = scanStep(steps);

  it('plan -out tfplan, then show -json tfplan > plan.json, before the scan; the wrapper is off', () => {
    const plan = steps.find((s) => s.run?.includes('terraform plan')) as Step;
    expect(steps.indexOf(plan)).toBeLessThan(steps.indexOf(gate));
    const lines = (plan.run as string).split('\n').map((l) => l.trim());
    const p = lines.findIndex((l) => /^terraform plan .*-out tfplan$/.test(l));
    const show = lines.findIndex((l) => l === 'terraform show -json tfplan > plan.json');
    expect(p).toBeGreaterThanOrEqual(0);
    expect(show).toBeGreaterThan(p);
    expect(steps.find((s) => s.uses?.startsWith('hashicorp/setup-terraform@'))?.with?.terraform_wrapper).toBe(false);
  });

  it('assumes the plan role through OIDC (id-token: write), with no stored keys', () => {
    const creds = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(creds?.with?.['role-to-assume']).toBe('${{ env.PLAN_ROLE }}');
    expect(Object.keys(creds?.with ?? {})).not.toContain('aws-access-key-id');
    const job = Object.values(workflow.jobs as JsonObject).find((j) => isObject(j) && Array.isArray(j.steps) && j.steps.length > 3) as JsonObject;
    expect((job.permissions as JsonObject)['id-token']).toBe('write');
  });

  it('no step uploads the plan', () => {
    for (const s of steps.filter((x) => x.uses?.startsWith('actions/upload-artifact@'))) expect(String(s.with?.path)).not.toMatch(/plan/);
  });
});

describe('examples: CodeBuild IaC gate before a CloudFormation deploy action', () => {
  const spec = loadYaml(IAC_BUILDSPEC) as JsonObject;
  const scan = buildspecCommands(spec).flatMap(linkauditCommands).find((c) => c[1] === 'scan') as Command;
  const variables = (spec.env as JsonObject).variables as JsonObject;

  it('is version 0.2; scans the deploy action\'s template with its template configuration, in the pipeline\'s account and region', () => {
    expect(String(spec.version)).toBe('0.2');
    expect(flagValue(scan, '--iac')).toBe('$TEMPLATE');
    expect(buildspecCommands(spec).join('\n')).toContain('params=(--iac-params "$TEMPLATE_CONFIG")');
    expect(flagValue(scan, '--account')).toBe('$account');
    expect(flagValue(scan, '--region')).toBe('$AWS_REGION');
    expect((flagValue(scan, '--format') ?? '').split(',')).toContain('junit');
    expect([variables.TEMPLATE, variables.TEMPLATE_CONFIG]).toEqual(['template.yaml', 'template-config.json']);
  });

  it('the JUnit report group reads the scan\'s --output-dir; the output artifact is the directory holding the scanned files', () => {
    const group = Object.values(spec.reports as JsonObject).find((g) => isObject(g) && g['file-format'] === 'JUNITXML') as JsonObject;
    expect(normalize(join(String(group['base-directory']), String(asArray(group.files)[0])))).toBe(normalize(join(flagValue(scan, '--output-dir') as string, 'linkaudit.junit.xml')));
    expect((spec.artifacts as JsonObject)['base-directory']).toBe('deploy');
  });

  it.each([
    [0, 0, true],
    [1, 1, true],
    [2, 2, true],
    [0, 0, false],
  ])('linkaudit exit %i: the build phase ends with %i; the template (and its configuration: %s) are in the output artifact unchanged, with the reports', (code, expected, withConfig) => {
    const f = fakes();
    const dir = tmp();
    writeFileSync(join(dir, 'template.yaml'), 'Resources: {}\n');
    if (withConfig) writeFileSync(join(dir, 'template-config.json'), '{"Parameters": {"Env": "prod"}}');
    const r = runPhase(spec, 'build', dir, f, { FAKE_LINKAUDIT_EXIT: String(code), CODEBUILD_BUILD_ARN: 'arn:aws:codebuild:eu-west-1:111122223333:build/gate:1', AWS_REGION: 'eu-west-1' });
    expect(r.status, r.stderr).toBe(expected);
    expect(readFileSync(join(dir, 'deploy/template.yaml'), 'utf8')).toBe('Resources: {}\n');
    expect(existsSync(join(dir, 'deploy/template-config.json'))).toBe(withConfig);
    expect(existsSync(join(dir, 'deploy/linkaudit-reports/linkaudit.junit.xml'))).toBe(true);
    const args = readFileSync(f.log, 'utf8').split('\n')[0];
    expect(args).toBe(`scan --iac template.yaml ${withConfig ? '--iac-params template-config.json ' : ''}--account 111122223333 --region eu-west-1 --fail-on high --strict-suppressions --format junit,json,markdown,sarif --output-dir deploy/linkaudit-reports`);
    expect(r.stdout).toContain('fake markdown');
  });

  it('a usage error (exit 2 before any report) fails the build too', () => {
    const f = fakes();
    const dir = tmp();
    writeFileSync(join(dir, 'template.yaml'), 'Resources: {}\n');
    const r = runPhase(spec, 'build', dir, f, { FAKE_LINKAUDIT_EXIT: 'usage', CODEBUILD_BUILD_ARN: 'arn:aws:codebuild:eu-west-1:111122223333:build/gate:1', AWS_REGION: 'eu-west-1' });
    expect(r.status).toBe(2);
  });
});
