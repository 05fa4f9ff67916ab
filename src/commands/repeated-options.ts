/**
 * A single-value option given twice is a usage error. yargs would turn `--fail-on high --fail-on
 * low` into an array that the choices check lets through and the gate then ignores (the gate
 * was off), `--snapshot a --snapshot b` into a crash in yargs-parser, and a repeated path into
 * Node's "path must be of type string" after the work was done. The check reads the raw
 * arguments against yargs' own option table, so every option declared without `array: true`,
 * on every command, now and later, is covered with no list kept by hand.
 */

/** What yargs says about the options of the command being run (`getOptions()`). */
export interface OptionTable {
  key: Record<string, unknown> | string[];
  array: string[];
  boolean: string[];
  alias: Record<string, string[]>;
}

/** yargs' own options, which do nothing on their second mention. */
const IGNORED = new Set(['help', 'h', 'version', 'v']);

const camel = (name: string): string => name.replace(/-+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * The names of one option (itself, its aliases, their camelCase forms, since yargs accepts
 * `--failOn` for `--fail-on`) mapped to the name used in the message.
 */
function nameGroups(table: OptionTable): Map<string, string> {
  const keys = Array.isArray(table.key) ? table.key : Object.keys(table.key);
  const groupOf = new Map<string, string>();
  for (const key of keys) {
    if (groupOf.has(key)) continue;
    const names = new Set([key, ...(table.alias[key] ?? [])]);
    for (const n of [...names]) for (const a of table.alias[n] ?? []) names.add(a);
    const long = [...names].filter((n) => n.length > 1).sort((a, b) => (a.includes('-') === b.includes('-') ? b.length - a.length : a.includes('-') ? -1 : 1));
    const shown = [long[0] ? `--${long[0]}` : `-${key}`, ...[...names].filter((n) => n.length === 1).map((n) => `-${n}`)].join('/');
    for (const n of names) {
      groupOf.set(n, shown);
      groupOf.set(camel(n), shown);
    }
  }
  return groupOf;
}

/**
 * The first option given more than once that takes a single value, as a message, or undefined.
 * `positionals`: the names of the command's `<name>` arguments, which count as one mention.
 */
export function repeatedOption(argv: readonly string[], table: OptionTable, positionals: readonly string[] = []): string | undefined {
  const groups = nameGroups(table);
  const repeatable = new Set<string>();
  for (const a of table.array) if (groups.has(a)) repeatable.add(groups.get(a) as string);
  const isBoolean = (name: string): boolean => table.boolean.includes(name) || table.boolean.some((b) => camel(b) === name);
  const counts = new Map<string, number>();
  const mention = (name: string): void => {
    const group = groups.get(name);
    if (group === undefined || IGNORED.has(name) || repeatable.has(group)) return;
    counts.set(group, (counts.get(group) ?? 0) + 1);
  };
  for (const p of positionals) mention(p);
  for (const token of argv) {
    if (token === '--') break;
    if (token.startsWith('--')) {
      const name = token.slice(2).split('=')[0] ?? '';
      if (!groups.has(name) && name.startsWith('no-') && isBoolean(name.slice(3))) mention(name.slice(3));
      else mention(name);
    } else if (/^-[^-0-9.]/.test(token)) {
      // A group of short flags (`-qo FILE`): each letter is an option until one takes a value.
      if (token.includes('=')) mention(token.slice(1, 2));
      else {
        for (const letter of token.slice(1)) {
          if (!groups.has(letter)) break;
          mention(letter);
          if (!isBoolean(letter)) break;
        }
      }
    }
  }
  for (const [group, n] of counts) {
    if (n > 1) {
      const positional = positionals.find((p) => groups.get(p) === group);
      if (positional !== undefined) return `<${positional}> given ${n} times (as an argument and as --${positional}); give it once`;
      return `${group} given ${n} times; it takes a single value, so give it once`;
    }
  }
  return undefined;
}

/** The `<name>` arguments of a yargs command string such as `diff <old> <new>` (not `<files..>`). */
export function positionalNames(command: string): string[] {
  return [...command.matchAll(/<([^<>.]+)>/g)].map((m) => m[1] as string);
}
