// Usage errors the gate depends on, through the built binary: a single-value option given twice
// (every one, found from --help, so an option added later is covered without editing this file)
// and a rule selection that leaves nothing to run.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, linkaudit } from './helpers/cli.js';
import { inBatches, linkauditAsync } from './helpers/cli-async.js';
import { runScan } from '../src/commands/scan.js';
import type { FailOn } from '../src/engine/severity.js';
import { UserError } from '../src/errors.js';

const DEMO = resolve('fixtures/demo/snapshot.json');
const DEMO_CONFIG = resolve('fixtures/demo/.linkaudit.yaml');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'linkaudit-options-'));

interface HelpOption {
  name: string;
  short?: string;
  type: 'string' | 'number' | 'boolean' | 'array';
  choices: string[];
}

/** The options of one command as its --help lists them. */
function helpOptions(help: string): HelpOption[] {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l === 'Options:');
  const options: Array<HelpOption & { text: string }> = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    const m = /^ {2}(?:-(\w), | {4})--([\w-]+)/.exec(line);
    if (m) options.push({ name: m[2] as string, ...(m[1] ? { short: m[1] } : {}), type: 'string', choices: [], text: line });
    else if (options.length > 0) (options.at(-1) as { text: string }).text += ` ${line.trim()}`;
  }
  return options.map(({ text, ...o }) => {
    const type = /\[array\]/.test(text) ? 'array' : /\[boolean\]/.test(text) ? 'boolean' : /\[number\]/.test(text) ? 'number' : 'string';
    const choices = /\[choices: ([^\]]+)\]/.exec(text)?.[1]?.split(', ').map((c) => JSON.parse(c) as string) ?? [];
    return { ...o, type, choices };
  });
}

/** Every command and sub-command, with dummies for its positionals. */
function commands(): string[][] {
  const found: string[][] = [];
  const walk = (words: string[]): void => {
    const help = linkaudit([...words, '--help']).stdout;
    const lines = help.split('\n');
    const from = lines.indexOf('Commands:');
    const section = from < 0 ? [] : lines.slice(from + 1, lines.indexOf('', from));
    const subs = section.flatMap((l) => {
      const m = /^ {2}linkaudit ((?:[\w-]+ )*[\w-]+)(?= |$)/.exec(l);
      return m ? [(m[1] as string).split(' ')] : [];
    });
    const children = subs.filter((s) => s.length === words.length + 1 && s.slice(0, words.length).join(' ') === words.join(' '));
    if (words.length > 0 && children.length === 0) {
      const usage = help.split('\n')[0] ?? '';
      const positionals = [...usage.matchAll(/<[^>]+>/g)].map(() => 'x');
      found.push([...words, ...positionals]);
    }
    for (const c of children) walk(c);
  };
  walk([]);
  return found;
}

describe('a single-value option given twice is a usage error naming it', () => {
  const cases: Array<{ command: string[]; option: HelpOption; spellings: [string[], string[]] }> = [];
  beforeAll(() => {
    const all = commands();
    expect(all.map((c) => c.filter((w) => w !== 'x').join(' '))).toEqual(expect.arrayContaining(['scan', 'collect', 'merge', 'access', 'diff', 'init', 'rules list', 'rules show', 'rules validate', 'snapshot validate']));
    for (const command of all) {
      const help = linkaudit([...command.filter((w) => w !== 'x'), '--help']).stdout;
      helpOptions(help)
        .filter((o) => o.type !== 'array' && o.name !== 'help' && o.name !== 'version')
        .forEach((option, i) => {
          const value = option.type === 'boolean' ? [] : [option.choices[0] ?? (option.type === 'number' ? '1' : 'x')];
          const camel = option.name.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
          // Each option is tried with a different pair of spellings: long, long=value, camelCase, short.
          const forms: string[][] = [
            [`--${option.name}`, ...value],
            value.length > 0 ? [`--${option.name}=${value[0]}`] : [`--no-${option.name}`],
            [`--${camel}`, ...value],
            ...(option.short ? [[`-${option.short}`, ...value]] : []),
          ];
          cases.push({ command, option, spellings: [forms[i % forms.length] as string[], forms[(i + 1) % forms.length] as string[]] });
        });
    }
  }, 120_000);

  it('every non-array option of every command, each in two spellings', async () => {
    expect(cases.length).toBeGreaterThan(40);
    const names = new Set(cases.map((c) => c.option.name));
    for (const n of ['fail-on', 'snapshot', 'regions', 'shard', 'output-dir', 'config', 'baseline', 'sarif-category', 'output', 'save-snapshot', 'format', 'connection', 'timeout']) expect(names).toContain(n);
    // Nothing is collected: had the check not stopped these, they would try an endpoint that refuses.
    const env = { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1' };
    const runs = await inBatches(cases.map((c) => () => linkauditAsync([...c.command, ...c.spellings[0], ...c.spellings[1]], { cwd: tmp(), env })));
    runs.forEach((r, i) => {
      const c = cases[i] as (typeof cases)[number];
      const label = `${c.command.join(' ')} ${c.spellings.flat().join(' ')}`;
      expect(r.status, `${label}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), label).toHaveLength(1);
      expect(r.stderr, label).toMatch(new RegExp(`^linkaudit: --${c.option.name}(/-\\w)? given 2 times; it takes a single value`));
    });
  }, 300_000);

  it('--fail-on twice never turns the gate off: exit 2 on an estate with high findings, no report written', () => {
    for (const pair of [['high', 'high'], ['low', 'none'], ['none', 'critical']]) {
      const out = tmp();
      const r = linkaudit(['scan', '--snapshot', DEMO, '--config', DEMO_CONFIG, '--format', 'json', '--output-dir', out, '--fail-on', pair[0] as string, '--fail-on', pair[1] as string]);
      expectUserError(r, /--fail-on given 2 times/);
      expect(readdirSync(out)).toEqual([]);
    }
  });

  it('the JSON report\'s gate.failOn is one severity, never an array (runScan refuses anything else)', async () => {
    for (const failOn of [['high', 'high'], 'urgent', ''] as unknown as FailOn[]) {
      await expect(runScan({ snapshot: DEMO, format: ['json'], rulesDir: [], only: [], skip: [], allowPartial: false, quiet: true, failOn }, () => {})).rejects.toThrow(UserError);
    }
  });

  describe('--save-snapshot twice is refused before any collection', () => {
    let server: Server;
    let connections = 0;
    let port = 0;
    beforeAll(async () => {
      server = createServer((socket) => {
        connections++;
        socket.on('error', () => {});
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('exits 2 at once, and the endpoint never sees a connection', async () => {
      const dir = tmp();
      const env = { ...process.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1' };
      const r = await linkauditAsync(['scan', '--region', 'us-east-1', '--save-snapshot', join(dir, 'a.json'), '--save-snapshot', join(dir, 'b.json'), '--timeout', '2', '--max-attempts', '1'], { env });
      expectUserError(r, /--save-snapshot given 2 times/);
      expect(connections).toBe(0);
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  it('--format that splits into no format is refused, not replaced by the default', () => {
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--format', ',']), /--format: no format given/);
    const report = join(tmp(), 'r');
    linkaudit(['scan', '--snapshot', DEMO, '--format', 'json', '--output-dir', report, '--quiet']);
    expectUserError(linkaudit(['merge', join(report, 'linkaudit.json'), '--format', ' , ']), /merge: --format: no format given/);
  });

  it('a positional given again as an option', () => {
    expectUserError(linkaudit(['diff', 'a.json', 'b.json', '--old', 'c.json']), /<old> given 2 times \(as an argument and as --old\)/);
  });
});

describe('a gate that runs no rule is a usage error', () => {
  const dir = tmp();
  const config = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const rule = 'endpoint-service-single-az';
  it.each([
    ['--only X --skip X', ['--only', rule, '--skip', rule], /no rule left to run: --only endpoint-service-single-az with --skip endpoint-service-single-az/],
    ['config only: [X] with --skip X', ['--config', config('only.yaml', `only: [${rule}]\n`), '--skip', rule], /no rule left to run: only: \[endpoint-service-single-az\] in .*only\.yaml with --skip/],
    ['config only and skip of the same rule', ['--config', config('both.yaml', `only: [${rule}]\nskip: [${rule}]\n`)], /no rule left to run: .*skip: \[endpoint-service-single-az\] in .*both\.yaml/],
  ] as const)('%s', (_name, args, pattern) => {
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--quiet', '--format', 'json', ...args]), pattern);
  });

  it('every built-in rule skipped', () => {
    const ids = (JSON.parse(linkaudit(['rules', 'list', '--format', 'json']).stdout) as Array<{ id: string }>).map((r) => r.id);
    expectUserError(linkaudit(['scan', '--snapshot', DEMO, '--quiet', '--format', 'json', ...ids.flatMap((id) => ['--skip', id])]), /no rule left to run/);
  });
});

describe('an empty value is a usage error naming the option (an unset shell variable must not mean "the working directory")', () => {
  it('every string option and positional of every command, given \'\'', async () => {
    const cases: Array<{ args: string[]; named: string }> = [];
    for (const command of commands()) {
      const words = command.filter((w) => w !== 'x');
      const help = linkaudit([...words, '--help']).stdout;
      const positionals = [...(help.split('\n')[0] ?? '').matchAll(/<([^>.]+)>/g)].map((m) => m[1] as string);
      const filled = command.map((w) => (w === 'x' ? 'fixtures/demo/snapshot.json' : w));
      for (const option of helpOptions(help)) {
        if (option.type === 'boolean' || option.type === 'number' || option.name === 'help' || option.name === 'version') continue;
        cases.push({ args: [...filled, `--${option.name}`, ''], named: `--${option.name}` });
      }
      positionals.forEach((p, i) => {
        let k = -1;
        cases.push({ args: command.map((w) => (w === 'x' ? (++k === i ? '' : 'fixtures/demo/snapshot.json') : w)), named: `<${p}>` });
      });
    }
    expect(cases.map((c) => c.named)).toEqual(expect.arrayContaining(['--output-dir', '--config', '--snapshot', '--save-snapshot', '--output', '<old>', '<file>']));
    const env = { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1' };
    const runs = await inBatches(cases.map((c) => () => linkauditAsync(c.args, { cwd: resolve('.'), env })));
    runs.forEach((r, i) => {
      const c = cases[i] as (typeof cases)[number];
      const label = c.args.map((a) => JSON.stringify(a)).join(' ');
      expect(r.status, `${label}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), label).toHaveLength(1);
      expect(r.stderr, label).not.toMatch(/internal error/);
      expect(r.stderr, label).toContain(c.named.replace(/^--|[<>]/g, ''));
    });
  }, 300_000);

  it('--only and --skip take comma-separated ids, as --format and --region do', () => {
    const r = linkaudit(['scan', '--snapshot', DEMO, '--config', DEMO_CONFIG, '--format', 'json', '--only', 'endpoint-service-single-az,host-not-available', '--fail-on', 'none', '-q']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { rules: Array<{ id: string }> }).rules.map((x) => x.id)).toEqual(['endpoint-service-single-az', 'host-not-available']);
  });
});
