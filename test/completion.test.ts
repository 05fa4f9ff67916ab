// `linkaudit completion`: a bash completion script that, sourced, completes commands and flags.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, linkaudit } from './helpers/cli.js';

/** COMPREPLY after Tab on `words` (the last is the word being completed), in a bash that sourced the script. */
function complete(words: string[]): string[] {
  const bin = mkdtempSync(join(tmpdir(), 'linkaudit-completion-'));
  const shim = join(bin, 'linkaudit');
  writeFileSync(shim, `#!/usr/bin/env bash\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(shim, 0o755);
  const script = linkaudit(['completion']).stdout;
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _linkaudit_yargs_completions; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: bin },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('linkaudit completion', () => {
  it('prints a bash completion script for linkaudit', () => {
    const r = linkaudit(['completion']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('complete -o bashdefault -o default -F _linkaudit_yargs_completions linkaudit');
  });

  it('completes commands, subcommands and a command\'s flags', () => {
    expect(complete(['linkaudit', 'sc'])).toEqual(['scan']);
    expect(complete(['linkaudit', 'rules', ''])).toEqual(expect.arrayContaining(['list', 'show', 'validate']));
    expect(complete(['linkaudit', 'scan', '--fail-o'])).toEqual(expect.arrayContaining(['--fail-on', '--fail-on-new']));
    expect(complete(['linkaudit', 'scan', '--snap'])).toEqual(['--snapshot']);
  });
});
