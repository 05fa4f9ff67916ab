import { UserError } from '../errors.js';

/**
 * What one input file may cost. Every file linkaudit reads (snapshots, reports, configs, rule
 * packs) goes through `readUserFile`, which refuses a file over its limit before reading it, and
 * reads a device or a pipe only up to the limit (`/dev/zero` would otherwise grow without end).
 * JSON is also checked for nesting depth before it is parsed: 50 MB of `[[[[…` costs ~1.5 GB
 * as values, and deep values are what recursive code (schema checks, CEL, IAM) cannot take.
 */

const MIB = 1024 * 1024;

/**
 * JSON inputs: the largest estates measured (bench/: 160,000 endpoints and 20,000 roles over 20
 * accounts) are ~140 MB as a snapshot; V8 cannot hold a string much over 512 MiB.
 */
export const DEFAULT_MAX_JSON_MIB = 500;
/** YAML inputs (configs, rules, cases): parsing YAML costs many times the file's size. */
export const DEFAULT_MAX_YAML_MIB = 16;
/** Deeper than any snapshot, report, policy or config has reason to be. */
export const MAX_NESTING_DEPTH = 100;

export const MAX_INPUT_ENV = 'LINKAUDIT_MAX_INPUT_MB';

let override: number | undefined;

/** `--max-input-mb`; takes precedence over LINKAUDIT_MAX_INPUT_MB. */
export function setMaxInputMiB(mib: number | undefined, origin = '--max-input-mb'): void {
  if (mib !== undefined && !(Number.isFinite(mib) && mib > 0)) throw new UserError(`${origin}: expected a size in MiB above 0, got ${JSON.stringify(mib)}`);
  override = mib;
}

export type InputSyntax = 'json' | 'yaml';

/** The byte limit for one input file of this syntax. */
export function maxInputBytes(syntax: InputSyntax): number {
  const fromEnv = process.env[MAX_INPUT_ENV];
  let mib = override;
  if (mib === undefined && fromEnv !== undefined && fromEnv.trim() !== '') {
    const n = Number(fromEnv);
    if (!(Number.isFinite(n) && n > 0)) throw new UserError(`${MAX_INPUT_ENV}: expected a size in MiB above 0, got ${JSON.stringify(fromEnv)}`);
    mib = n;
  }
  return Math.floor((mib ?? (syntax === 'json' ? DEFAULT_MAX_JSON_MIB : DEFAULT_MAX_YAML_MIB)) * MIB);
}

export function sizeLimitMessage(file: string, what: string, limit: number, size?: number): string {
  const shown = size !== undefined ? `${(size / MIB).toFixed(1)} MiB` : `more than ${(limit / MIB).toFixed(0)} MiB`;
  return `${file}: ${what} is too large (${shown}; the limit is ${(limit / MIB).toFixed(0)} MiB; raise it with --max-input-mb or ${MAX_INPUT_ENV})`;
}

/**
 * The first place where JSON text nests deeper than `max` arrays and objects, or undefined. A
 * linear scan that skips strings natively (`indexOf`); it does not validate (JSON.parse does that
 * next). About a third of JSON.parse's time on a large snapshot.
 */
export function jsonTooDeepAt(text: string, max = MAX_NESTING_DEPTH): number | undefined {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // To the closing quote: the next one preceded by an even run of backslashes.
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i < 0) return undefined;
        let k = i - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
        if ((i - 1 - k) % 2 === 0) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return undefined;
}
