// Which git commands an inline buildspec runs: the ones that need the repository's .git metadata,
// which a CODE_ZIP source artifact does not carry. Read from the buildspec's phases as a shell
// would read them, so `git` in a comment, in an `echo` string or as another command's argument is
// not a git command, while `VERSION=$(git describe --tags)` is. Bounded: the model keeps buildspecs
// of at most 256 KiB (src/collectors/redact.ts), and longer text is not read here either.

import { yamlLib } from '../io/yaml-lib.js';
import { pushAll } from '../arrays.js';

const MAX_BUILDSPEC_CHARS = 256 * 1024;
const MAX_NESTING = 16;

/** Subcommands that work without a repository (or make one): not a sign of missing metadata. */
const NO_REPOSITORY_NEEDED = new Set(['clone', 'init', 'version', 'help', 'ls-remote']);

/** Words after which the next word is still in command position. */
const PREFIX_WORDS = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', 'time', 'sudo', 'exec', 'command', 'nohup', 'env', 'xargs', '{', '(']);

export type BuildspecGit =
  | { read: true; commands: string[] }
  /** The text is no YAML mapping with phases (CodeBuild would refuse it): nothing can be said. */
  | { read: false; reason: string };

/** The distinct `git <subcommand>` invocations of a buildspec's phases that need repository metadata. */
export function buildspecGitCommands(buildspec: string): BuildspecGit {
  if (buildspec.length > MAX_BUILDSPEC_CHARS) return { read: false, reason: `the buildspec is longer than ${MAX_BUILDSPEC_CHARS} characters` };
  let doc: unknown;
  try {
    doc = yamlLib().parse(buildspec, { maxAliasCount: 100, prettyErrors: false, uniqueKeys: false });
  } catch {
    return { read: false, reason: 'the inline buildspec is not valid YAML' };
  }
  if (!isRecord(doc)) return { read: false, reason: 'the inline buildspec is not a YAML mapping' };
  const found = new Set<string>();
  const phases = doc.phases;
  if (isRecord(phases)) {
    for (const phase of Object.values(phases)) {
      if (!isRecord(phase)) continue;
      for (const key of ['commands', 'finally'] as const) {
        const list = phase[key];
        for (const command of Array.isArray(list) ? list : typeof list === 'string' ? [list] : []) {
          if (typeof command === 'string') for (const g of gitInvocations(command)) found.add(g);
        }
      }
    }
  }
  return { read: true, commands: [...found] };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `git <subcommand>` for each git invocation in a shell command that needs a repository. */
export function gitInvocations(command: string, depth = 0): string[] {
  const out: string[] = [];
  if (depth > MAX_NESTING) return out;
  // Each simple command as a list of words; substitutions ($(…), `…`) are read as commands of their own.
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    const g = gitOf(words);
    if (g !== undefined) out.push(g);
    words = [];
  };
  const substitution = (start: number, open: string, close: string): number => {
    // From just after the opener to its matching closer (parentheses counted; backticks do not nest).
    let level = 1;
    let i = start;
    for (; i < command.length; i++) {
      const c = command[i] as string;
      if (c === '\\') {
        i++;
        continue;
      }
      if (open !== close && c === open) level++;
      else if (c === close && --level === 0) break;
    }
    pushAll(out, gitInvocations(command.slice(start, i), depth + 1));
    return i;
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (c === '\\') {
      word += command[i + 1] ?? '';
      inWord = true;
      i++;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      word += command.slice(i + 1, end < 0 ? command.length : end);
      inWord = true;
      i = end < 0 ? command.length : end;
    } else if (c === '"') {
      // Literal text, but command substitutions inside run.
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        const d = command[j] as string;
        if (d === '\\') j++;
        else if (d === '$' && command[j + 1] === '(') j = substitution(j + 2, '(', ')');
        else if (d === '`') j = substitution(j + 1, '`', '`');
        else word += d;
      }
      inWord = true;
      i = j;
    } else if (c === '$' && command[i + 1] === '(') {
      i = substitution(i + 2, '(', ')');
      word += '$()';
      inWord = true;
    } else if (c === '`') {
      i = substitution(i + 1, '`', '`');
      word += '$()';
      inWord = true;
    } else if (c === '#' && !inWord) {
      // A comment runs to the end of the line.
      const nl = command.indexOf('\n', i);
      i = nl < 0 ? command.length : nl - 1;
    } else if (c === ';' || c === '&' || c === '|' || c === '\n' || c === '(' || c === ')') {
      endCommand();
    } else if (/\s/.test(c)) {
      endWord();
    } else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return out;
}

/** The git invocation a simple command's words make, if it needs a repository. */
function gitOf(words: readonly string[]): string | undefined {
  let i = 0;
  // Assignments and prefixes keep the command position (`FOO=1 sudo git log`).
  while (i < words.length && (PREFIX_WORDS.has(words[i] as string) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] as string))) i++;
  const head = words[i];
  if (head === undefined || !(head === 'git' || head.endsWith('/git'))) return undefined;
  i++;
  // Global options; -C and --git-dir/--work-tree point at another repository: not this source.
  while (i < words.length && (words[i] as string).startsWith('-')) {
    const opt = words[i] as string;
    if (opt === '-C' || opt.startsWith('--git-dir') || opt.startsWith('--work-tree')) return undefined;
    if (opt === '-c' || opt === '--exec-path' || opt === '--namespace') i++;
    i++;
  }
  const sub = words[i];
  if (sub === undefined || NO_REPOSITORY_NEEDED.has(sub)) return undefined;
  if (sub === 'config' && words.slice(i + 1).some((w) => w === '--global' || w === '--system')) return undefined;
  return `git ${sub}`;
}
