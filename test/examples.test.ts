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
const ORG_WORKFLOW = join(EXAMPLES, 'github-actions/org-matrix.yml');
const SFN_TEMPLATE = join(EXAMPLES, 'step-functions/template.yaml');

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
  collect)
    if [ -n "$output" ]; then echo '{"fake":"snapshot"}' > "$output"; else echo '{"fake":"snapshot"}'; fi
    exit "\${FAKE_COLLECT_EXIT:-0}" ;;
  merge)
    if [ -n "$output" ]; then echo '{"fake":"merged"}' > "$output"; else echo '{"fake":"merged"}'; fi
    exit "\${FAKE_MERGE_EXIT:-0}" ;;
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
    # An absent prefix is no error for the AWS CLI: nothing is copied.
    if $recursive; then mkdir -p "$dst" && if [ -d "$src" ]; then cp -R "$src"/. "$dst"/; fi
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
 * `env.exported-variables`, as the shell holds them when the phase ends, are in `exported`
 * (CodeBuild reads them then, for CodePipeline and Step Functions).
 */
function runPhase(spec: JsonObject, phase: string, cwd: string, f: Fakes, env: Record<string, string>): ShellRun & { exported: Record<string, string> } {
  const phases = spec.phases as JsonObject;
  const commands = asArray((phases[phase] as JsonObject | undefined)?.commands).map(String);
  const variables = isObject(spec.env) && isObject(spec.env.variables) ? spec.env.variables : {};
  const exportedNames = asArray(isObject(spec.env) ? spec.env['exported-variables'] : undefined).map(String);
  const exportedFile = join(mkdtempSync(join(tmpdir(), 'linkaudit-exported-')), 'exported');
  const script = [
    ...commands.map((c) => `${c}\n__rc=$?; if [ "$__rc" -ne 0 ]; then exit "$__rc"; fi`),
    ...exportedNames.map((n) => `printf '%s=%s\\n' ${n} "\${${n}-}" >> '${exportedFile}'`),
  ].join('\n');
  const r = runBash(script, cwd, f, { ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])), ...env });
  const exported = existsSync(exportedFile) ? Object.fromEntries(readFileSync(exportedFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) : {};
  return { ...r, exported };
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
  it('has the setups and their READMEs', () => {
    for (const f of [WORKFLOW, BUILDSPEC, TEMPLATE, IAC_WORKFLOW, IAC_TF_WORKFLOW, IAC_BUILDSPEC, ORG_WORKFLOW, SFN_TEMPLATE, join(EXAMPLES, 'README.md'), join(EXAMPLES, 'scheduled-audit/README.md'), join(EXAMPLES, 'step-functions/README.md')]) expect(existsSync(f), rel(f)).toBe(true);
  });

  it('examples/README.md and README.md\'s "Fanning out" link both fan-out setups', () => {
    const table = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
    for (const f of ['github-actions/org-matrix.yml', 'step-functions/template.yaml']) expect(table, f).toContain(`](${f})`);
    const fanning = /^#### Fanning out\n([\s\S]*?)(?=^#{2,4} )/m.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))?.[1] ?? '';
    for (const f of ['examples/github-actions/org-matrix.yml', 'examples/step-functions/']) expect(fanning, f).toContain(`](${f})`);
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
      [ORG_WORKFLOW, get(loadYaml(ORG_WORKFLOW), 'env', 'LINKAUDIT_VERSION')],
      [SFN_TEMPLATE, get(loadYaml(SFN_TEMPLATE), 'Parameters', 'LinkauditVersion', 'Default')],
    ];
    for (const [file, version] of versions) {
      expect(String(version), rel(file)).toMatch(/^\d+\.\d+\.\d+/);
      expect(readFileSync(file, 'utf8').split(String(version)).length - 1, `${rel(file)} spells ${version} once`).toBe(1);
    }
  });
});

describe('examples: every linkaudit command line uses what the CLI accepts', () => {
  it('the examples call linkaudit: scan, diff, init, collect and merge at least', () => {
    const commands = allScripts().flatMap((s) => linkauditCommands(s.text));
    expect(commands.length).toBeGreaterThan(5);
    const subcommands = new Set(commands.map((c) => c[1]));
    for (const s of ['scan', 'diff', 'init', 'collect', 'merge']) expect(subcommands, s).toContain(s);
  });

  it('the fan-out setups\' command lines are among those checked: the workflow\'s jobs and each inline buildspec of the Step Functions template', () => {
    const found = (file: string): Set<string> => new Set(allScripts().filter((s) => s.where.startsWith(rel(file))).flatMap((s) => linkauditCommands(s.text).map((c) => `${c[1]} ${s.where.replace(/^[^(]*/, '')}`)));
    expect([...found(ORG_WORKFLOW)].sort()).toEqual(['collect (step Collect the shard)', 'merge (step Merge the shards)', 'scan (step Scan (gate))']);
    expect([...found(SFN_TEMPLATE)].sort()).toEqual([
      'collect (Resources.ShardProject.Properties.Source.BuildSpec)',
      'merge (Resources.MergeProject.Properties.Source.BuildSpec)',
      'scan (Resources.MergeProject.Properties.Source.BuildSpec)',
    ]);
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

// ---------------------------------------------------------------------------------------------
// CloudFormation templates: what every template here must satisfy (scheduled audit, Step Functions)

const PSEUDO = ['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix'];

interface Template {
  template: JsonObject;
  parameters: JsonObject;
  resources: JsonObject;
  conditions: JsonObject;
}

function loadTemplate(file: string): Template {
  const template = loadYaml(file) as JsonObject;
  const part = (k: string): JsonObject => (isObject(template[k]) ? template[k] : {});
  return { template, parameters: part('Parameters'), resources: part('Resources'), conditions: part('Conditions') };
}

/** The `${Name}` references of an Fn::Sub string (literals `${!x}` and the Sub's own variables left out). */
function subNames(sub: Json): string[] {
  const [text, vars] = Array.isArray(sub) ? [sub[0], sub[1]] : [sub, undefined];
  const locals = isObject(vars) ? Object.keys(vars) : [];
  return [...String(text).matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1] as string).filter((name) => !name.startsWith('!') && !locals.includes(name));
}

/** Names used by Ref, GetAtt, Sub and conditions in a template, each with where it is used. */
function templateReferences({ template, resources }: Template): { refs: Array<[string, string]>; getAtts: Array<[string, string]>; subs: Array<[string, string]>; conds: Array<[string, string]> } {
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
    if ('Fn::Sub' in v) for (const name of subNames(v['Fn::Sub'] as Json)) subs.push([name, where]);
    if ('Fn::If' in v && Array.isArray(v['Fn::If'])) conds.push([String(v['Fn::If'][0]), where]);
    if (path[0] === 'Conditions' && typeof v.Condition === 'string') conds.push([v.Condition, where]);
  }
  for (const [name, r] of Object.entries(resources)) if (isObject(r) && typeof r.Condition === 'string') conds.push([r.Condition, `Resources.${name}.Condition`]);
  if (isObject(template.Outputs)) for (const [name, o] of Object.entries(template.Outputs)) if (isObject(o) && typeof o.Condition === 'string') conds.push([o.Condition, `Outputs.${name}.Condition`]);
  return { refs, getAtts, subs, conds };
}

/** The Allow statements of a resource's inline policies (an IAM role's `Policies`). */
function allowStatements(resource: Json | undefined): JsonObject[] {
  const policies = isObject(resource) && isObject(resource.Properties) ? resource.Properties.Policies : undefined;
  return [...walk(policies ?? null)].map(([v]) => v).filter((v): v is JsonObject => isObject(v) && v.Effect === 'Allow' && 'Action' in v);
}

const actionsOf = (statements: JsonObject[]): string[] => statements.flatMap((s) => asArray(s.Action).map(String));

/** Whether `v` is `!Ref logicalId` or `!GetAtt logicalId.Arn`: the resource itself, for a policy or a target. */
function namesResource(v: Json | undefined, logicalId: string): boolean {
  if (!isObject(v)) return false;
  const g = v['Fn::GetAtt'];
  return v.Ref === logicalId || g === `${logicalId}.Arn` || (Array.isArray(g) && g[0] === logicalId && g[1] === 'Arn');
}

describe.each([
  ['scheduled-audit', TEMPLATE, ['ScheduleExpression', 'NotificationEmail', 'RoleArnTemplate', 'Regions'], 'AuditProject', 'codebuild:StartBuild'],
  ['step-functions', SFN_TEMPLATE, ['ScheduleExpression', 'NotificationEmail', 'RoleArnTemplate', 'Regions', 'ShardCount', 'MaxConcurrency'], 'AuditStateMachine', 'states:StartExecution'],
])('examples: %s CloudFormation template', (_name, file, expectedParameters, scheduled, startAction) => {
  const t = loadTemplate(file);
  const { template, parameters, resources, conditions } = t;

  it('is a template with resources, parameters and the expected parameters', () => {
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(Object.keys(resources).length).toBeGreaterThan(0);
    for (const p of expectedParameters) expect(Object.keys(parameters)).toContain(p);
  });

  it('resource types look like AWS::Service::Type', () => {
    for (const [name, r] of Object.entries(resources)) expect(isObject(r) ? r.Type : undefined, name).toMatch(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/);
  });

  it('every Ref, GetAtt and ${Name} in Sub resolves; every condition used exists; every parameter is used', () => {
    const { refs, getAtts, subs, conds } = templateReferences(t);
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

  it(`a schedule starts ${scheduled} through a role that may only ${startAction} it`, () => {
    const types = Object.values(resources).map((r) => (isObject(r) ? r.Type : undefined));
    expect(types.some((ty) => ty === 'AWS::Scheduler::Schedule' || ty === 'AWS::Events::Rule')).toBe(true);
    for (const ty of ['AWS::CodeBuild::Project', 'AWS::SNS::Topic']) expect(types).toContain(ty);
    const statements = allowStatements(resources.ScheduleRole);
    expect(actionsOf(statements)).toEqual([startAction]);
    expect(statements.map((st) => namesResource(st.Resource, scheduled))).toEqual([true]);
    const schedule = Object.values(resources).find((r) => isObject(r) && r.Type === 'AWS::Scheduler::Schedule') as JsonObject;
    expect(namesResource(((schedule.Properties as JsonObject).Target as JsonObject).Arn, scheduled)).toBe(true);
  });
});

describe('examples: scheduled-audit CloudFormation template', () => {
  const { template, resources } = loadTemplate(TEMPLATE);

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

// ---------------------------------------------------------------------------------------------
// Step Functions: the state machine's definition, read as Step Functions reads it (JSONPath ASL)

/**
 * A template's `DefinitionString: !Sub …` (or `Definition` object) as Step Functions receives it:
 * parameters given their values (the defaults unless `values` says otherwise), resources and
 * pseudo parameters stand-ins `<Name>`, `<Name.Attr>` (AWS::Partition: `aws`).
 */
function stateMachineDefinition({ parameters, resources }: Template, logicalId: string, values: Record<string, string> = {}): JsonObject {
  const props = (resources[logicalId] as JsonObject).Properties as JsonObject;
  if (isObject(props.Definition)) return props.Definition;
  const sub = (props.DefinitionString as JsonObject)['Fn::Sub'] as Json;
  expect(typeof sub, `${logicalId}.DefinitionString is a !Sub of a string`).toBe('string');
  const text = (sub as string).replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
    if (name in values) return values[name] as string;
    const p = parameters[name];
    if (isObject(p) && p.Default !== undefined) return String(p.Default);
    if (name === 'AWS::Partition') return 'aws';
    return `<${name}>`;
  });
  return JSON.parse(text) as JsonObject;
}

type AslStates = Record<string, JsonObject>;

/** What is wrong with an ASL state graph (and its Map processors'): dangling or missing transitions, unreachable states. */
function aslProblems(machine: JsonObject, where = 'definition'): string[] {
  const problems: string[] = [];
  const states = (isObject(machine.States) ? machine.States : {}) as AslStates;
  const names = Object.keys(states);
  if (typeof machine.StartAt !== 'string' || !(machine.StartAt in states)) problems.push(`${where}: StartAt ${String(machine.StartAt)} is not a state`);
  for (const [name, state] of Object.entries(states)) {
    const at = `${where}.${name}`;
    const type = String(state.Type);
    if (!['Task', 'Pass', 'Map', 'Parallel', 'Wait', 'Choice', 'Succeed', 'Fail'].includes(type)) problems.push(`${at}: Type ${type}`);
    if (['Task', 'Pass', 'Map', 'Parallel', 'Wait'].includes(type) && (state.Next === undefined) === (state.End !== true)) problems.push(`${at}: needs exactly one of Next and End: true`);
    if (['Succeed', 'Fail', 'Choice'].includes(type) && (state.Next !== undefined || state.End !== undefined)) problems.push(`${at}: a ${type} state has no Next or End`);
    if (type === 'Choice' && !(Array.isArray(state.Choices) && state.Choices.length > 0)) problems.push(`${at}: a Choice state without Choices`);
    if (type === 'Map') problems.push(...aslProblems((state.ItemProcessor ?? state.Iterator ?? {}) as JsonObject, `${at}.ItemProcessor`));
    for (const next of aslTransitions(state)) if (!names.includes(next)) problems.push(`${at}: goes to ${next}, which is not a state of ${where}`);
  }
  const reached = aslReachable(states, [String(machine.StartAt)]);
  for (const name of names) if (!reached.has(name)) problems.push(`${where}.${name}: unreachable from StartAt`);
  return problems;
}

/** The states one state can go to: Next, Choices' Next, Default, and Catch's Next. */
function aslTransitions(state: JsonObject): string[] {
  return [state.Next, state.Default, ...asArray(state.Choices).map((c) => (isObject(c) ? c.Next : undefined)), ...asArray(state.Catch).map((c) => (isObject(c) ? c.Next : undefined))].filter((n): n is string => typeof n === 'string');
}

function aslReachable(states: AslStates, from: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...from];
  while (todo.length > 0) {
    const name = todo.pop() as string;
    if (seen.has(name) || !(name in states)) continue;
    seen.add(name);
    todo.push(...aslTransitions(states[name] as JsonObject));
  }
  return seen;
}

/** A JSONPath reference as Step Functions resolves one: `$` is the input, `$$` the context object; `.key` and `[n]` steps. */
function aslPath(path: string, input: Json, context: Json): Json {
  const root = path.startsWith('$$') ? context : input;
  const rest = path.slice(path.startsWith('$$') ? 2 : 1);
  let v: Json | undefined = root;
  for (const [, key, index] of rest.matchAll(/\.([A-Za-z_][\w]*)|\[(\d+)\]/g)) {
    v = key !== undefined ? (isObject(v) ? v[key] : undefined) : Array.isArray(v) ? v[Number(index)] : undefined;
  }
  if (v === undefined) throw new Error(`${path}: not in ${JSON.stringify(root)}`);
  return v;
}

/** An intrinsic function call (`States.Format('{}/{}', $.a, 4)`), for the ones the examples use. */
function aslIntrinsic(expr: string, input: Json, context: Json): Json {
  let i = 0;
  const space = (): void => {
    while (/\s/.test(expr[i] ?? '')) i++;
  };
  const value = (): Json => {
    space();
    if (expr[i] === "'") {
      let text = '';
      for (i++; i < expr.length && expr[i] !== "'"; i++) text += expr[i] === '\\' ? expr[++i] : expr[i];
      i++;
      return text;
    }
    const call = /^(States\.\w+)\(/.exec(expr.slice(i));
    if (call) {
      i += call[0].length;
      const args: Json[] = [];
      space();
      while (expr[i] !== ')') {
        args.push(value());
        space();
        if (expr[i] === ',') i++;
        else if (expr[i] !== ')') throw new Error(`${expr}: expected , or ) at ${i}`);
      }
      i++;
      return applyIntrinsic(call[1] as string, args, expr);
    }
    const token = /^[^,()\s]+/.exec(expr.slice(i))?.[0];
    if (token === undefined) throw new Error(`${expr}: expected a value at ${i}`);
    i += token.length;
    if (/^-?\d+(\.\d+)?$/.test(token)) return Number(token);
    if (token.startsWith('$')) return aslPath(token, input, context);
    throw new Error(`${expr}: ${token} is not a value`);
  };
  const result = value();
  space();
  if (i !== expr.length) throw new Error(`${expr}: trailing text at ${i}`);
  return result;
}

function applyIntrinsic(name: string, args: Json[], expr: string): Json {
  if (name === 'States.ArrayRange') {
    const [start, end, step] = args.map(Number) as [number, number, number];
    if (!(step > 0)) throw new Error(`${expr}: step ${step}`);
    const out: number[] = [];
    for (let n = start; n <= end; n += step) out.push(n);
    // Step Functions' own limit on the array it makes.
    if (out.length > 1000) throw new Error(`${expr}: more than 1000 items`);
    return out;
  }
  if (name === 'States.Format') {
    const [format, ...values] = args;
    let k = 0;
    return String(format).replace(/\{\}/g, () => String(values[k++]));
  }
  throw new Error(`${expr}: ${name} is not one the examples are read with`);
}

/** `Parameters`/`ItemSelector`/`ResultSelector` applied: `key.$` fields become `key` with their path's or intrinsic's value. */
function aslApply(template: Json, input: Json, context: Json): Json {
  if (Array.isArray(template)) return template.map((x) => aslApply(x, input, context));
  if (!isObject(template)) return template;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(template)) {
    if (k.endsWith('.$')) out[k.slice(0, -2)] = String(v).startsWith('States.') ? aslIntrinsic(String(v), input, context) : aslPath(String(v), input, context);
    else out[k] = aslApply(v, input, context);
  }
  return out;
}

/** A startBuild task's environment variable overrides, by name. */
function buildOverrides(parameters: Json): Record<string, string> {
  const list = isObject(parameters) ? asArray(parameters.EnvironmentVariablesOverride) : [];
  return Object.fromEntries(list.filter(isObject).map((v) => [String(v.Name), String(v.Value)]));
}

describe('examples: Step Functions fan-out template', () => {
  const t = loadTemplate(SFN_TEMPLATE);
  const { resources } = t;
  const machineId = Object.keys(resources).find((k) => (resources[k] as JsonObject).Type === 'AWS::StepFunctions::StateMachine') as string;
  const machineProps = (resources[machineId] as JsonObject).Properties as JsonObject;
  const definition = stateMachineDefinition(t, machineId);
  const states = definition.States as AslStates;
  const [mapName, map] = Object.entries(states).find(([, s]) => s.Type === 'Map') as [string, JsonObject];
  const processor = map.ItemProcessor as JsonObject;
  const shardTask = (processor.States as AslStates)[String(processor.StartAt)] as JsonObject;
  const mergeName = String(map.Next);
  const merge = states[mergeName] as JsonObject;
  const inline = Object.fromEntries([...inlineBuildspecs(t.template)].map(([spec, path]) => [path[1] as string, spec as JsonObject]));
  const SYNC = 'arn:aws:states:::codebuild:startBuild.sync';

  it('the definition (DefinitionString through Fn::Sub) parses as JSON, and its states and transitions are sound ASL', () => {
    expect(machineProps.StateMachineType).toBe('STANDARD');
    expect(aslProblems(definition)).toEqual([]);
  });

  it('a Map state in DISTRIBUTED mode (STANDARD children, MaxConcurrency from the parameter) starts the shard project with SHARD; a merge state follows', () => {
    expect(processor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(String((machineProps.DefinitionString as JsonObject)['Fn::Sub'])).toContain('"MaxConcurrency": ${MaxConcurrency}');
    expect(map.MaxConcurrency).toBe(4);
    expect(Object.values(processor.States as AslStates)).toHaveLength(1);
    expect(shardTask.Resource).toBe(SYNC);
    expect((shardTask.Parameters as JsonObject).ProjectName).toBe('<ShardProject>');
    expect(Object.keys(buildOverrides(shardTask.Parameters as Json))).toContain('SHARD');
    expect(merge.Type).toBe('Task');
    expect(merge.Resource).toBe(SYNC);
    expect((merge.Parameters as JsonObject).ProjectName).toBe('<MergeProject>');
    // The Map's results (one build description per shard) would outgrow the state's 256 KiB payload.
    expect(map.ResultPath).toBeNull();
    expect(Object.keys(shardTask.ResultSelector as JsonObject).length).toBeLessThanOrEqual(3);
  });

  it.each([1, 4, 7, 100])('ShardCount=%i: the Map\'s items give every shard i/n of 1..n exactly once, and the merge build is told n and the same run', (n) => {
    const d = stateMachineDefinition(t, machineId, { ShardCount: String(n) });
    const ss = d.States as AslStates;
    const context = { Execution: { Name: 'exec-1' } };
    // Pass states from StartAt up to the Map shape the Map's input.
    let input: Json = { anything: 'the schedule sends' };
    let name = String(d.StartAt);
    while ((ss[name] as JsonObject).Type === 'Pass') {
      const pass = ss[name] as JsonObject;
      input = pass.Parameters !== undefined ? aslApply(pass.Parameters, input, context) : input;
      name = String(pass.Next);
    }
    expect(name).toBe(mapName);
    const m = ss[name] as JsonObject;
    const items = asArray(aslPath(String(m.ItemsPath ?? '$'), input, context));
    const p = m.ItemProcessor as JsonObject;
    const task = (p.States as AslStates)[String(p.StartAt)] as JsonObject;
    const overrides = items.map((item, index) => {
      const selected = m.ItemSelector !== undefined ? aslApply(m.ItemSelector, input, { ...context, Map: { Item: { Value: item, Index: index } } }) : item;
      return buildOverrides(aslApply(task.Parameters as Json, selected, context));
    });
    const shards = overrides.map((o) => o.SHARD);
    expect([...shards].sort()).toEqual(Array.from({ length: n }, (_, i) => `${i + 1}/${n}`).sort());
    expect(new Set(shards).size).toBe(n);
    for (const o of overrides) expect(o.RUN).toBe('exec-1');
    // ResultPath null: the merge state sees the Map's own input.
    const mergeOverrides = buildOverrides(aslApply((ss[String(m.Next)] as JsonObject).Parameters as Json, input, context));
    expect(mergeOverrides).toEqual({ SHARDS: String(n), RUN: 'exec-1' });
  });

  it('no partial pass: no failure is tolerated, and every failure path (a shard, the merge) ends in a Fail state, after a notification', () => {
    expect(map.ToleratedFailurePercentage ?? 0).toBe(0);
    expect(map.ToleratedFailureCount ?? 0).toBe(0);
    for (const state of [map, merge]) {
      const catches = asArray(state.Catch).filter(isObject);
      expect(catches.map((c) => c.ErrorEquals)).toEqual([['States.ALL']]);
      const after = [...aslReachable(states, catches.map((c) => String(c.Next)))].map((s) => states[s] as JsonObject);
      expect(after.map((s) => s.Type)).not.toContain('Succeed');
      expect(after.some((s) => s.Resource === 'arn:aws:states:::sns:publish')).toBe(true);
      expect(after.some((s) => s.Type === 'Fail')).toBe(true);
    }
  });

  it('the execution succeeds only when the merged scan exited 0: its exit code is the merge build\'s one exported variable', () => {
    const exported = asArray(((inline.MergeProject as JsonObject).env as JsonObject)['exported-variables']);
    expect(exported).toEqual(['LINKAUDIT_EXIT']);
    // [0]: the build exports that variable only.
    expect((merge.ResultSelector as JsonObject)['exitCode.$']).toBe('$.Build.ExportedEnvironmentVariables[0].Value');
    const variable = `${String(merge.ResultPath)}.exitCode`;
    const succeeds = Object.keys(states).filter((s) => (states[s] as JsonObject).Type === 'Succeed');
    expect(succeeds).toHaveLength(1);
    const into = Object.entries(states).filter(([, s]) => aslTransitions(s).includes(succeeds[0] as string));
    expect(into).toHaveLength(1);
    const [, gate] = into[0] as [string, JsonObject];
    expect(gate.Type).toBe('Choice');
    expect(gate.Choices).toEqual([{ Variable: variable, StringEquals: '0', Next: succeeds[0] }]);
    expect((states[String(gate.Default)] as JsonObject).Type).toBe('Fail');
    expect(aslReachable(states, [mergeName]).has(succeeds[0] as string)).toBe(true);
  });

  describe('its roles', () => {
    const role = (id: string): JsonObject[] => allowStatements(resources[id]);
    const machineRole = String(((machineProps.RoleArn as JsonObject)['Fn::GetAtt'] as string).split('.')[0]);

    it('the state machine may start its own child executions (Distributed Map): the ARN it names is the state machine\'s', () => {
      const start = role(machineRole).filter((s) => asArray(s.Action).includes('states:StartExecution'));
      expect(start).toHaveLength(1);
      const name = (machineProps.StateMachineName as JsonObject)['Fn::Sub'];
      expect((start[0] as JsonObject).Resource).toEqual({ 'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${String(name)}` });
      const children = role(machineRole).find((s) => asArray(s.Action).includes('states:DescribeExecution')) as JsonObject;
      expect(actionsOf([children])).toEqual(expect.arrayContaining(['states:DescribeExecution', 'states:StopExecution']));
      expect(children.Resource).toEqual({ 'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:${String(name)}/*` });
    });

    it('it may start, stop and read the builds of exactly the projects the definition starts, and manage the .sync rule', () => {
      const builds = role(machineRole).find((s) => asArray(s.Action).includes('codebuild:StartBuild')) as JsonObject;
      expect(actionsOf([builds]).sort()).toEqual(['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild']);
      const projects = [shardTask, merge].map((s) => String((s.Parameters as JsonObject).ProjectName).replace(/^<|>$/g, ''));
      expect(asArray(builds.Resource).length).toBe(projects.length);
      for (const p of projects) expect(asArray(builds.Resource).some((r) => namesResource(r, p)), p).toBe(true);
      const events = role(machineRole).find((s) => asArray(s.Action).includes('events:PutRule')) as JsonObject;
      expect(actionsOf([events]).sort()).toEqual(['events:DescribeRule', 'events:PutRule', 'events:PutTargets']);
      expect(String((events.Resource as JsonObject)['Fn::Sub'])).toMatch(/:rule\/StepFunctionsGetEventForCodeBuildStartBuildRule$/);
      expect(role(machineRole).find((s) => asArray(s.Action).includes('sns:Publish'))?.Resource).toEqual({ Ref: 'NotificationTopic' });
    });

    it('the shard builds read AWS and assume the audit role, and may only write under runs/; the merge build reads no AWS', () => {
      const shard = role('ShardBuildRole');
      expect(actionsOf(shard)).toContain('sts:AssumeRole');
      const s3 = shard.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
      expect(s3.map((s) => [s.Action, s.Resource])).toEqual([['s3:PutObject', { 'Fn::Sub': '${ReportBucket.Arn}/runs/*' }]]);
      const mergeActions = actionsOf(role('MergeBuildRole'));
      expect(mergeActions.filter((a) => !a.startsWith('s3:') && !a.startsWith('logs:'))).toEqual([]);
    });
  });

  describe('its inline buildspecs, run with fake linkaudit and aws', () => {
    const projectEnv = (id: string): string[] => ((((resources[id] as JsonObject).Properties as JsonObject).Environment as JsonObject).EnvironmentVariables as JsonObject[]).map((v) => String(v.Name));

    it('the variables the state machine overrides are the projects\' own (a build started by hand fails on their stand-ins)', () => {
      expect(projectEnv('ShardProject')).toEqual(expect.arrayContaining(Object.keys(buildOverrides(shardTask.Parameters as Json))));
      expect(projectEnv('MergeProject')).toEqual(expect.arrayContaining(Object.keys(buildOverrides(merge.Parameters as Json))));
    });

    const shardEnv = (overrides: Record<string, string>): Record<string, string> => {
      const values: Record<string, string> = { LINKAUDIT_PACKAGE_URL: 'https://example.invalid/linkaudit.tgz', REPORT_BUCKET: 'audit-bucket', REGIONS: 'all', ROLE_ARN_TEMPLATE: 'arn:aws:iam::{account}:role/linkaudit-audit', MAX_DURATION: '3000', SHARD: 'unset', RUN: 'unset' };
      expect(projectEnv('ShardProject').sort()).toEqual(Object.keys(values).sort());
      return { ...values, ...overrides };
    };
    const mergeEnv = (overrides: Record<string, string>): Record<string, string> => {
      const values: Record<string, string> = { LINKAUDIT_PACKAGE_URL: 'https://example.invalid/linkaudit.tgz', REPORT_BUCKET: 'audit-bucket', FAIL_ON: 'high', SHARDS: 'unset', RUN: 'unset' };
      expect(projectEnv('MergeProject').sort()).toEqual(Object.keys(values).sort());
      return { ...values, ...overrides };
    };

    it('a shard build collects its shard of the organization and stores the snapshot under the run\'s shards/', () => {
      const f = fakes();
      const r = runPhase(inline.ShardProject as JsonObject, 'build', tmp(), f, shardEnv({ SHARD: '3/4', RUN: 'exec-1' }));
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(f.log, 'utf8')).toBe('collect --org --role-arn arn:aws:iam::{account}:role/linkaudit-audit --regions all --shard 3/4 --max-duration 3000 --quiet --output shard-3.json\n');
      expect(readFileSync(join(f.s3, 'audit-bucket/runs/exec-1/shards/shard-3.json'), 'utf8')).toContain('fake');
    });

    it.each([
      ['SHARD unset (a build started by hand)', { RUN: 'exec-1' }],
      ['RUN unset', { SHARD: '1/4' }],
      ['SHARD not i/n', { SHARD: '1', RUN: 'exec-1' }],
    ])('%s: the shard build fails before collecting', (_what, overrides) => {
      const f = fakes();
      const r = runPhase(inline.ShardProject as JsonObject, 'build', tmp(), f, shardEnv(overrides));
      expect(r.status).toBe(2);
      expect(readFileSync(f.log, 'utf8')).toBe('');
    });

    it('a failed collection fails the shard build, and stores nothing', () => {
      const f = fakes();
      const r = runPhase(inline.ShardProject as JsonObject, 'build', tmp(), f, shardEnv({ SHARD: '1/4', RUN: 'exec-1', FAKE_COLLECT_EXIT: '2' }));
      expect(r.status).toBe(2);
      expect(existsSync(join(f.s3, 'audit-bucket/runs'))).toBe(false);
    });

    /** The run's prefix in the fake S3 with the shards' snapshots `present`. */
    function withShards(f: Fakes, present: number[]): void {
      const dir = join(f.s3, 'audit-bucket/runs/exec-1/shards');
      mkdirSync(dir, { recursive: true });
      for (const i of present) writeFileSync(join(dir, `shard-${i}.json`), `{"shard":${i}}`);
    }

    it.each([0, 1])('scan exit %i: merges shards 1..n in order, scans the merged snapshot once, stores the reports and exports the exit code; the build succeeds', (code) => {
      const f = fakes();
      withShards(f, [1, 2, 3, 4]);
      const r = runPhase(inline.MergeProject as JsonObject, 'build', tmp(), f, mergeEnv({ SHARDS: '4', RUN: 'exec-1', FAKE_LINKAUDIT_EXIT: String(code) }));
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(f.log, 'utf8').split('\n').filter(Boolean)).toEqual([
        'merge shards/shard-1.json shards/shard-2.json shards/shard-3.json shards/shard-4.json --output out/estate.json',
        'scan --snapshot out/estate.json --fail-on high --format json,markdown,sarif --output-dir out --quiet',
      ]);
      const run = join(f.s3, 'audit-bucket/runs/exec-1');
      for (const name of ['estate.json', 'linkaudit.json', 'linkaudit.md', 'linkaudit.sarif']) expect(existsSync(join(run, name)), name).toBe(true);
      expect(readFileSync(join(run, 'exit-code'), 'utf8').trim()).toBe(String(code));
      expect(readFileSync(join(f.s3, 'audit-bucket/latest/linkaudit.json'), 'utf8')).toContain('fake json');
      expect(r.exported).toEqual({ LINKAUDIT_EXIT: String(code) });
    });

    it('scan exit 2: the reports are stored, latest/ is not replaced, and the build fails with 2', () => {
      const f = fakes();
      withShards(f, [1, 2]);
      const r = runPhase(inline.MergeProject as JsonObject, 'build', tmp(), f, mergeEnv({ SHARDS: '2', RUN: 'exec-1', FAKE_LINKAUDIT_EXIT: '2' }));
      expect(r.status).toBe(2);
      expect(readFileSync(join(f.s3, 'audit-bucket/runs/exec-1/exit-code'), 'utf8').trim()).toBe('2');
      expect(existsSync(join(f.s3, 'audit-bucket/latest'))).toBe(false);
    });

    it.each([
      ['shard 3 of 4 missing', [1, 2, 4], '4'],
      ['no shard at all', [], '2'],
    ])('%s: nothing is merged or scanned, the build fails with 2 and says which', (_what, present, n) => {
      const f = fakes();
      withShards(f, present);
      const r = runPhase(inline.MergeProject as JsonObject, 'build', tmp(), f, mergeEnv({ SHARDS: n, RUN: 'exec-1' }));
      expect(r.status).toBe(2);
      expect(readFileSync(f.log, 'utf8')).toBe('');
      expect(readFileSync(join(f.s3, 'audit-bucket/runs/exec-1/incomplete.txt'), 'utf8')).toMatch(/^shard \d\/\d wrote no snapshot/);
    });

    it('a merge that fails (shards of different collections) fails the build before any scan', () => {
      const f = fakes();
      withShards(f, [1, 2]);
      const r = runPhase(inline.MergeProject as JsonObject, 'build', tmp(), f, mergeEnv({ SHARDS: '2', RUN: 'exec-1', FAKE_MERGE_EXIT: '2' }));
      expect(r.status).toBe(2);
      expect(readFileSync(f.log, 'utf8')).not.toMatch(/^scan /m);
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

  it('uses configure-aws-credentials and upload-sarif (pinned: see "every GitHub Actions workflow")', () => {
    const uses = steps.map((s) => s.uses).filter((u): u is string => u !== undefined);
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

// ---------------------------------------------------------------------------------------------
// Every GitHub Actions workflow here: pinned actions, SARIF categories

const WORKFLOWS = filesUnder(join(EXAMPLES, 'github-actions'), (n) => /\.ya?ml$/.test(n));

const UPLOAD_SARIF = 'github/codeql-action/upload-sarif@';

function workflowJobs(workflow: Json): Array<[string, JsonObject]> {
  return isObject(workflow) && isObject(workflow.jobs) ? Object.entries(workflow.jobs).filter((e): e is [string, JsonObject] => isObject(e[1])) : [];
}

const jobSteps = (job: JsonObject): Step[] => (Array.isArray(job.steps) ? (job.steps as unknown as Step[]) : []);

/** `$NAME` and `${NAME}` in a word, replaced by the step's `env` values (GitHub expressions stay as written). */
function withStepEnv(word: string, step: Step): string {
  let w = word;
  for (const [k, v] of Object.entries(step.env ?? {})) w = w.replaceAll(`\${${k}}`, String(v)).replace(new RegExp(`\\$${k}(?![\\w])`, 'g'), String(v));
  return w;
}

interface SarifUpload {
  where: string;
  category: string | undefined;
  /** The --sarif-category of the one `linkaudit scan` step of the upload's job, with the step's env. */
  scanCategory: string | undefined;
  matrixKeys: string[];
}

function sarifUploads(file: string): SarifUpload[] {
  return workflowJobs(loadYaml(file)).flatMap(([id, job]) => {
    const steps = jobSteps(job);
    const scans = steps.filter((s) => typeof s.run === 'string' && linkauditCommands(s.run).some((c) => c[1] === 'scan'));
    const scan = scans.length === 1 ? (scans[0] as Step) : undefined;
    const category = scan ? flagValue(scanCommand(scan), '--sarif-category') : undefined;
    const matrix = isObject(job.strategy) && isObject(job.strategy.matrix) ? job.strategy.matrix : {};
    return steps
      .filter((s) => s.uses?.startsWith(UPLOAD_SARIF))
      .map((s) => ({ where: `${rel(file)} jobs.${id}`, category: s.with?.category === undefined ? undefined : String(s.with.category), scanCategory: scan && category !== undefined ? withStepEnv(category, scan) : undefined, matrixKeys: Object.keys(matrix).filter((k) => k !== 'include' && k !== 'exclude') }));
  });
}

describe('examples: every GitHub Actions workflow', () => {
  it.each(WORKFLOWS.map(rel))('%s pins every action to a full commit SHA, with its tag in a comment', (file) => {
    const lines = readFileSync(resolve(file), 'utf8').split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
    expect(lines.length).toBe(workflowSteps(loadYaml(resolve(file))).filter((s) => s.uses !== undefined).length);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it('one action, one commit: an action is pinned to the same SHA and tag in every example', () => {
    const pins = new Map<string, Set<string>>();
    for (const file of WORKFLOWS) {
      for (const m of readFileSync(file, 'utf8').matchAll(/uses: ([\w.-]+\/[\w./-]+)@([0-9a-f]{40} # v[\d.]+)/g)) {
        const set = pins.get(m[1] as string) ?? new Set<string>();
        set.add(m[2] as string);
        pins.set(m[1] as string, set);
      }
    }
    expect(pins.size).toBeGreaterThan(5);
    expect([...pins].filter(([, v]) => v.size > 1).map(([k, v]) => `${k}: ${[...v].join(', ')}`)).toEqual([]);
  });

  it('each SARIF upload\'s category is the --sarif-category of its job\'s scan, names every matrix dimension, and is no other upload\'s', () => {
    const uploads = WORKFLOWS.flatMap(sarifUploads);
    expect(uploads.length).toBeGreaterThanOrEqual(WORKFLOWS.length);
    for (const u of uploads) {
      expect(u.category, u.where).toBeDefined();
      expect(u.category, u.where).toBe(u.scanCategory);
      // Otherwise every job of the matrix uploads into one category, each closing the others' alerts.
      for (const k of u.matrixKeys) expect(u.category, u.where).toContain(`\${{ matrix.${k} }}`);
    }
    const categories = uploads.map((u) => u.category);
    expect(new Set(categories).size, categories.join(', ')).toBe(categories.length);
  });
});

describe('examples: GitHub Actions organization fan-out (org-matrix.yml)', () => {
  const workflow = loadYaml(ORG_WORKFLOW) as JsonObject;
  const env = workflow.env as JsonObject;
  const jobs = workflowJobs(workflow);
  const runs = (sub: string) => ([, job]: [string, JsonObject]): boolean => jobSteps(job).some((s) => typeof s.run === 'string' && linkauditCommands(s.run).some((c) => c[1] === sub));
  const [collectId, collectJob] = jobs.find(runs('collect')) as [string, JsonObject];
  const [, gateJob] = jobs.find(runs('merge')) as [string, JsonObject];
  const collectSteps = jobSteps(collectJob);
  const gateSteps = jobSteps(gateJob);
  const stepRunning = (steps: Step[], sub: string): Step => steps.find((s) => typeof s.run === 'string' && linkauditCommands(s.run).some((c) => c[1] === sub)) as Step;
  const collectStep = stepRunning(collectSteps, 'collect');
  const mergeStep = stepRunning(gateSteps, 'merge');
  const scanStepOfGate = stepRunning(gateSteps, 'scan');
  const collect = linkauditCommands(collectStep.run as string).find((c) => c[1] === 'collect') as Command;
  const merge = linkauditCommands(mergeStep.run as string).find((c) => c[1] === 'merge') as Command;
  const scan = scanCommand(scanStepOfGate);
  const matrix = (collectJob.strategy as JsonObject).matrix as JsonObject;
  const n = Number(env.SHARDS);
  const shards = asArray(matrix.shard).map(Number);
  const BASH = ['--noprofile', '--norc', '-eo', 'pipefail'];
  const workflowEnv = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));

  it('runs on a schedule (and by hand), never two at once', () => {
    const on = workflow.on as JsonObject;
    expect(asArray(on.schedule).length).toBeGreaterThan(0);
    expect('workflow_dispatch' in on).toBe(true);
    expect((workflow.concurrency as JsonObject)['cancel-in-progress']).toBe(false);
  });

  it('the matrix is the shards 1..SHARDS, each exactly once; --shard is "$SHARD/$SHARDS", SHARD being the matrix value', () => {
    expect(n).toBeGreaterThan(1);
    expect(Object.keys(matrix)).toEqual(['shard']);
    expect([...shards].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(new Set(shards).size).toBe(shards.length);
    expect((collectJob.strategy as JsonObject)['fail-fast']).toBe(false);
    expect(flagValue(collect, '--shard')).toBe('$SHARD/$SHARDS');
    expect(collectStep.env?.SHARD).toBe('${{ matrix.shard }}');
    expect(collect).toContain('--org');
    expect(flagValue(collect, '--role-arn')).toBe('arn:aws:iam::{account}:role/linkaudit-audit');
    expect(flagValue(collect, '--regions')).toBe('all');
  });

  it.each([
    ['as many jobs as SHARDS', 0, 0],
    ['one job fewer than SHARDS', -1, 2],
    ['one job more than SHARDS', 1, 2],
  ])('the shard job\'s first step, with %s, exits %i', (_what, delta, expected) => {
    const guard = collectSteps[0] as Step;
    expect(guard.env?.JOBS).toBe('${{ strategy.job-total }}');
    const r = runBash(guard.run as string, tmp(), fakes(), { ...workflowEnv, JOBS: String(n + delta) }, BASH);
    expect(r.status, r.stderr).toBe(expected);
    if (expected !== 0) expect(r.stdout).toMatch(/^::error::the matrix runs/);
  });

  it('each matrix value, run as GitHub runs the step, collects shard i/SHARDS into the file its artifact uploads', () => {
    const upload = collectSteps.find((s) => s.uses?.startsWith('actions/upload-artifact@')) as Step;
    expect(upload.with?.['if-no-files-found']).toBe('error');
    for (const i of shards) {
      const f = fakes();
      const dir = tmp();
      const r = runBash(expandGithubExpressions(collectStep.run as string), dir, f, { ...workflowEnv, SHARD: String(i) }, BASH);
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(f.log, 'utf8')).toBe(`collect --org --role-arn arn:aws:iam::{account}:role/linkaudit-audit --regions all --shard ${i}/${n} --max-duration 3000 --output shard-${i}.json\n`);
      const path = String(upload.with?.path).replace('${{ matrix.shard }}', String(i));
      expect(existsSync(join(dir, path)), path).toBe(true);
    }
    const f = fakes();
    expect(runBash(expandGithubExpressions(collectStep.run as string), tmp(), f, { ...workflowEnv, SHARD: '1', FAKE_COLLECT_EXIT: '2' }, BASH).status).toBe(2);
  });

  it('the gate job downloads every shard\'s artifact into the directory the merge step reads', () => {
    const upload = collectSteps.find((s) => s.uses?.startsWith('actions/upload-artifact@')) as Step;
    const download = gateSteps.find((s) => s.uses?.startsWith('actions/download-artifact@')) as Step;
    const pattern = new RegExp(`^${String(download.with?.pattern).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    for (const i of shards) expect(String(upload.with?.name).replace('${{ matrix.shard }}', String(i))).toMatch(pattern);
    expect(download.with?.['merge-multiple']).toBe(true);
    expect(mergeStep.run).toContain(`"${String(download.with?.path)}/shard-$i.json"`);
    expect(gateSteps.indexOf(download)).toBeLessThan(gateSteps.indexOf(mergeStep));
  });

  it('permissions: contents: read for the workflow; id-token: write only where AWS is read, security-events: write only where SARIF is uploaded', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const [id, job] of jobs) {
      const permissions = (job.permissions ?? workflow.permissions) as JsonObject;
      const uses = jobSteps(job).map((s) => s.uses ?? '');
      expect(permissions['id-token'] === 'write', `${id}: id-token`).toBe(uses.some((u) => u.startsWith('aws-actions/configure-aws-credentials@')));
      expect(permissions['security-events'] === 'write', `${id}: security-events`).toBe(uses.some((u) => u.startsWith(UPLOAD_SARIF)));
      expect(permissions.contents, id).toBe('read');
      expect(Object.keys(permissions).length, id).toBeLessThanOrEqual(2);
    }
  });

  it('the gate job needs the shard job and runs always(); its first step fails unless every shard succeeded', () => {
    expect(asArray(gateJob.needs)).toEqual([collectId]);
    expect(String(gateJob.if)).toContain('always()');
    const first = gateSteps[0] as Step;
    expect(first.env?.RESULT).toBe(`\${{ needs.${collectId}.result }}`);
    for (const result of ['success', 'failure', 'cancelled', 'skipped']) {
      const dir = tmp();
      const r = runBash(first.run as string, dir, fakes(), { RESULT: result, GITHUB_STEP_SUMMARY: join(dir, 'summary') }, BASH);
      expect(r.status, result).toBe(result === 'success' ? 0 : 2);
    }
    // Steps without if: run only while every step before them succeeded: nothing is merged, scanned or uploaded after a failed shard.
    for (const s of [mergeStep, scanStepOfGate]) expect(s.if, s.name).toBeUndefined();
  });

  it('the merge step merges shards/shard-1..SHARDS.json in order; a missing one fails it before merging', () => {
    const withShards = (present: number[]): { dir: string; f: Fakes } => {
      const dir = tmp();
      mkdirSync(join(dir, 'shards'));
      for (const i of present) writeFileSync(join(dir, `shards/shard-${i}.json`), '{}');
      return { dir, f: fakes() };
    };
    const all = withShards(shards);
    const ok = runBash(mergeStep.run as string, all.dir, all.f, workflowEnv, BASH);
    expect(ok.status, ok.stderr).toBe(0);
    expect(readFileSync(all.f.log, 'utf8')).toBe(`merge ${shards.map((i) => `shards/shard-${i}.json`).join(' ')} --output ${flagValue(merge, '--output')}\n`);
    const some = withShards(shards.filter((i) => i !== 2));
    const missing = runBash(mergeStep.run as string, some.dir, some.f, workflowEnv, BASH);
    expect(missing.status).toBe(2);
    expect(missing.stdout).toContain(`::error::shards/shard-2.json is missing: shard 2/${n}`);
    expect(readFileSync(some.f.log, 'utf8')).toBe('');
  });

  it.each([0, 1, 2])('linkaudit exit %i: the scan of the merged snapshot exits with it and records it', (code) => {
    expect(flagValue(scan, '--snapshot')).toBe(flagValue(merge, '--output'));
    const f = fakes();
    const dir = tmp();
    const out = join(dir, 'github_output');
    writeFileSync(out, '');
    const r = runBash(expandGithubExpressions(scanStepOfGate.run as string), dir, f, { ...workflowEnv, GITHUB_OUTPUT: out, FAKE_LINKAUDIT_EXIT: String(code) }, BASH);
    expect(r.status, r.stderr).toBe(code);
    expect(readFileSync(out, 'utf8')).toBe(`exit-code=${code}\n`);
    expect(existsSync(join(dir, flagValue(scan, '--output-dir') as string, 'linkaudit.sarif'))).toBe(true);
  });

  it('one SARIF upload, for the whole organization, from the gate job and only after a complete merge', () => {
    const uploads = sarifUploads(ORG_WORKFLOW);
    expect(uploads.map((u) => u.category)).toEqual(['linkaudit/org']);
    const upload = gateSteps.find((s) => s.uses?.startsWith(UPLOAD_SARIF)) as Step;
    expect(upload.if).toContain('always()');
    expect(upload.if).toContain(`steps.${String(mergeStep.id)}.outcome == 'success'`);
    expect(upload.with?.sarif_file).toBe(`${flagValue(scan, '--output-dir')}/linkaudit.sarif`);
    const after = gateSteps.slice(gateSteps.indexOf(scanStepOfGate) + 1);
    expect(after.length).toBeGreaterThanOrEqual(3);
    for (const s of after) expect(s.if ?? '', s.name ?? s.uses).toContain('always()');
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

  it('uploads SARIF (pinned: see "every GitHub Actions workflow")', () => {
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
