// What a source must remove before a build project or pipeline reaches the snapshot: credentials
// in source URLs, the values of buildspec variables, the secrets of pipeline action configurations. Shared by every source (live collectors, IaC
// mappers) so that what is never stored is decided in one place. Everything here is given
// attacker-controlled text: it never throws, and its work and output are bounded.

import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, stringify, visit, type Document, type Node } from 'yaml';

export const REDACTED = 'REDACTED';

/** Longest location kept; a longer one is cut (after redaction, so a cut never uncovers a credential). */
export const MAX_LOCATION_CHARS = 4096;
/** Longest location read: a longer one is no URL CodeBuild clones, and none of it is kept. */
export const MAX_LOCATION_INPUT = 64 * 1024;
/** Longest buildspec read; a longer one is not stored (CodeBuild's own limit is far below). */
export const MAX_BUILDSPEC_CHARS = 256 * 1024;
const MAX_ALIASES = 100;

export interface RedactedLocation {
  location: string;
  /** The location carried credentials (a password, a user name that is a token, a token in the query). */
  hadCredentials: boolean;
  /** Set when the location was not read (longer than MAX_LOCATION_INPUT): `location` is REDACTED and hadCredentials means nothing. */
  unread?: string;
}

/**
 * A location with the user-info of every URL in it replaced by `REDACTED`
 * (`https://user:token@host/…` → `https://REDACTED@host/…`), whatever the scheme.
 *
 * Where user-info can begin, as URL parsers (WHATWG's, git's) read it: at the start of the text
 * (`x-token-auth:TOKEN@bitbucket.org/…`, scp-like `git@github.com:o/r`), after any `scheme:`
 * followed by any run of `/` or `\` (WHATWG reads `https:/u:p@h` and `https:\\u:p@h` as
 * user-info too), and after any `//`. The authority then runs to the next `/`, `\`, `?` or `#`
 * (tabs and newlines stay inside: WHATWG strips them before parsing), and its user-info is
 * everything before its last `@`. Every such user-info is replaced, except the bare `git` of SSH
 * URLs, which is no credential. A "credential" behind a raw `/` is not one to any parser and is not
 * looked for. Percent-encoding changes nothing: the user-info is replaced as written. Query values
 * of parameters named like secrets (`?private_token=…`, `&X-Amz-Signature=…`) and tokens of known
 * forms (`ghp_…`, `glpat-…`) are replaced wherever they stand.
 */
export function redactLocation(url: string): RedactedLocation {
  const text = typeof url === 'string' ? url : '';
  if (text.length > MAX_LOCATION_INPUT) return { location: REDACTED, hadCredentials: false, unread: `the location is ${text.length} characters long (more than ${MAX_LOCATION_INPUT} are not read)` };
  const { out, ranges } = redactUserInfo(text, authorityStartsAnywhere(text));
  const tokens = redactTokens(out);
  const hadCredentials = tokens.found || ranges.some(([a, b]) => isCredential(text.slice(a, b)));
  const location = tokens.text;
  return { location: location.length > MAX_LOCATION_CHARS ? `${location.slice(0, MAX_LOCATION_CHARS)}…` : location, hadCredentials };
}

/** Whether user-info holds a credential: a non-empty password, or a user name that is a token. */
function isCredential(userInfo: string): boolean {
  const decoded = percentDecoded(userInfo);
  const colon = decoded.indexOf(':');
  if (colon >= 0 && colon < decoded.length - 1) return true;
  const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
  if (user === '') return false;
  // GitHub and GitLab take a token as the user name alone (https://ghp_…@github.com/…).
  if (TOKEN_PREFIX.test(user) || /^[0-9a-f]{40}$/i.test(user)) return true;
  return !/^[A-Za-z0-9][A-Za-z0-9._-]{0,38}$/.test(user);
}

const TOKEN_PREFIX = /^(gh[pousr]_|github_pat_|glpat-|glptt-|gldt-|gloas-|ATBB|ATCTT|x-token-auth|x-access-token|oauth2)/i;

function percentDecoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const AUTHORITY_END = new Set(['/', '\\', '?', '#']);
const SCHEME_CHAR = /[A-Za-z0-9+.-]/;

/** Every index at which URL user-info can begin (see redactLocation). */
function authorityStartsAnywhere(text: string): number[] {
  const starts: number[] = [];
  let lead = 0;
  while (lead < text.length && /\s/.test(text[lead] as string)) lead++;
  starts.push(lead);
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === ':' && i > 0 && /[A-Za-z0-9+.-]/.test(text[i - 1] as string)) {
      // A scheme is a letter then scheme characters; any run of them ending here will do.
      let j = i - 1;
      while (j > 0 && SCHEME_CHAR.test(text[j - 1] as string)) j--;
      if (/[A-Za-z]/.test(text.slice(j, i))) starts.push(skipSlashes(text, i + 1));
    } else if ((c === '/' || c === '\\') && (text[i + 1] === '/' || text[i + 1] === '\\')) {
      const after = skipSlashes(text, i);
      starts.push(after);
      i = after - 1;
    }
  }
  return starts;
}

/** The indexes after each `scheme://` (or `scheme:\\`): URL user-info only, for free text. */
function authorityStartsAfterSchemes(text: string): number[] {
  const starts: number[] = [];
  const re = /[A-Za-z][A-Za-z0-9+.-]*:[/\\]{2}/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const after = skipSlashes(text, m.index + m[0].length);
    starts.push(after);
    re.lastIndex = after;
  }
  return starts;
}

function skipSlashes(text: string, i: number): number {
  let j = i;
  while (j < text.length && (text[j] === '/' || text[j] === '\\')) j++;
  return j;
}

/**
 * Replaces the user-info of each authority beginning at `starts`. Ranges are merged before
 * replacing, so overlapping readings (`u:p@h` read from the start and after `u:`) redact their union.
 */
function redactUserInfo(text: string, starts: readonly number[]): { out: string; ranges: Array<[number, number]> } {
  const found: Array<[number, number]> = [];
  // An authority ends at the same place whichever start inside it is taken: find each end once.
  let scannedTo = -1;
  let lastAt = -1;
  let end = -1;
  for (const start of [...new Set(starts)].sort((a, b) => a - b)) {
    if (start > scannedTo) {
      lastAt = -1;
      end = start;
      while (end < text.length && !AUTHORITY_END.has(text[end] as string)) {
        if (text[end] === '@') lastAt = end;
        end++;
      }
      scannedTo = end;
    }
    if (lastAt > start && text.slice(start, lastAt) !== 'git') found.push([start, lastAt]);
  }
  const ranges = mergeRanges(found);
  let out = '';
  let at = 0;
  for (const [a, b] of ranges) {
    out += text.slice(at, a) + REDACTED;
    at = b;
  }
  return { out: out + text.slice(at), ranges: found };
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** Tokens whose form is known, wherever they stand in free text (a command, a comment). */
const KNOWN_TOKENS = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|glptt-[A-Za-z0-9_-]{20,}|ATBB[A-Za-z0-9_=.-]{20,}|ATCTT[A-Za-z0-9_=.-]{20,})/g;

// A query parameter whose name says it holds a secret.
const SECRET_PARAMETER = /([?&;][^=&#?;\s]*?(?:token|password|passwd|pwd|secret|key|auth|signature|credential)[^=&#?;\s]*=)([^&#;\s]+)/gi;

/** Tokens of known forms and values of secret-named query parameters replaced. */
function redactTokens(text: string): { text: string; found: boolean } {
  let found = false;
  const out = text
    .replace(KNOWN_TOKENS, () => {
      found = true;
      return REDACTED;
    })
    .replace(SECRET_PARAMETER, (_m, name: string, value: string) => {
      if (value !== REDACTED) found = true;
      return `${name}${REDACTED}`;
    });
  return { text: out, found };
}

/** Free text (a buildspec command): URL user-info after `scheme://`, secret query values and tokens of known forms removed. */
export function redactText(text: string): string {
  return redactTokens(redactUserInfo(text, authorityStartsAfterSchemes(text)).out).text;
}

/**
 * An inline buildspec with every value under `env.variables` replaced by `REDACTED`, at any depth
 * (batch builds give each build of a list or matrix its own `env`), the keys `env` and `variables`
 * matched case-insensitively. `env.exported-variables` (names), `env.parameter-store` and
 * `env.secrets-manager` (names of parameters and secrets, not their values) are kept. In every
 * other string, URL user-info and tokens of known forms are removed (`redactText`).
 *
 * The text is rebuilt from the parsed values: comments (which may hold anything) are dropped and
 * aliases written out, so nothing of the original text survives unless it is a value kept.
 *
 * Undefined (nothing stored) when the text is not a YAML mapping (CodeBuild would refuse it too,
 * and what it holds cannot be told apart from secrets), has duplicate keys, is longer than
 * MAX_BUILDSPEC_CHARS, or expands its aliases beyond bounds. Never throws.
 */
export function redactBuildspec(text: string): string | undefined {
  if (typeof text !== 'string' || text.length > MAX_BUILDSPEC_CHARS) return undefined;
  try {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, merge: false });
    if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
    // In the parsed tree first: an anchored value under env.variables may be used elsewhere through
    // an alias, and a variable may be an alias of a value written elsewhere; both are scrubbed
    // where they are written.
    scrubVariablesIn(doc);
    const data: unknown = doc.toJS({ maxAliasCount: MAX_ALIASES });
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
    const out = stringify(redactValue(data), { lineWidth: 0, aliasDuplicateObjects: false });
    // Aliases within bounds can still multiply the text: refuse what grew beyond reason.
    return out.length > Math.max(4 * text.length, 4096) || out.length > MAX_BUILDSPEC_CHARS ? undefined : out;
  } catch {
    // The parser's own limits (a stack overflow on deep nesting): nothing is kept.
    return undefined;
  }
}

/** Buildspec fields of a source: inline text (redacted), a file path, or neither. */
export function buildspecFields(text: string | undefined): { buildspec?: string; buildspecFile?: string; unparsed?: true } {
  if (text === undefined || text.trim() === '') return {};
  const inline = redactBuildspec(text);
  if (inline !== undefined) return { buildspec: inline };
  const line = text.trim();
  // One line that is not a mapping names a file in the source (or an S3 object): a path, kept as a location is.
  if (!/[\r\n]/.test(line) && line.length <= MAX_LOCATION_CHARS && !isYamlMapping(line)) return { buildspecFile: redactLocation(line).location };
  return { unparsed: true };
}

function isYamlMapping(line: string): boolean {
  try {
    return isMap(parseDocument(line, { prettyErrors: false }).contents);
  } catch {
    return false;
  }
}

/** Every `env.variables` value in the document (merge keys `<<` followed), scrubbed in the tree. */
function scrubVariablesIn(doc: Document): void {
  const seen = new Set<Node>();
  const resolve = (node: unknown): Node | undefined => {
    let n = node;
    for (let hops = 0; isAlias(n) && hops < 16; hops++) n = n.resolve(doc);
    return isAlias(n) ? undefined : (n as Node | undefined);
  };
  const keyText = (key: unknown): string | undefined => {
    const k = resolve(key);
    return isScalar(k) ? String(k.value) : undefined;
  };
  const scrubDeep = (node: unknown, keys: boolean): void => {
    const n = resolve(node);
    if (n === undefined || seen.has(n)) return;
    seen.add(n);
    if (isScalar(n)) n.value = REDACTED;
    else if (isMap(n)) {
      for (const pair of n.items) {
        if (keys) scrubDeep(pair.key, true);
        scrubDeep(pair.value, true);
      }
    } else if (isSeq(n)) for (const item of n.items) scrubDeep(item, true);
  };
  const envMaps = (node: unknown, out: Set<Node>): void => {
    const n = resolve(node);
    if (n === undefined || out.has(n)) return;
    if (!isMap(n)) return scrubDeep(n, true);
    out.add(n);
    for (const pair of n.items) {
      if (keyText(pair.key) !== '<<') continue;
      const merged = resolve(pair.value);
      if (isSeq(merged)) for (const m of merged.items) envMaps(m, out);
      else envMaps(merged, out);
    }
  };
  visit(doc, {
    Pair(_key, pair) {
      if (!isPair(pair) || !/^env$/i.test(keyText(pair.key) ?? '')) return;
      const maps = new Set<Node>();
      envMaps(pair.value, maps);
      for (const env of maps) {
        if (!isMap(env)) continue;
        for (const p of env.items) {
          if (!/^variables$/i.test(keyText(p.key) ?? '')) continue;
          const vars = resolve(p.value);
          // The variables' names stay; every value (a merged map's keys too) goes.
          if (isMap(vars) && !seen.has(vars)) {
            seen.add(vars);
            for (const v of vars.items) scrubDeep(v.value, true);
          } else scrubDeep(vars, true);
        }
      }
    },
  });
}

// Objects are built with Object.fromEntries, which defines keys: a `__proto__` key stays a key.
function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactText(k), /^env$/i.test(k) ? redactEnv(v) : redactValue(v)]));
  }
  return value;
}

function redactEnv(env: unknown): unknown {
  if (env === null || typeof env !== 'object' || Array.isArray(env)) return redactValue(env);
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => {
      if (!/^variables$/i.test(k)) return [redactText(k), redactValue(v)];
      const names = v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : undefined;
      return [k, names ? Object.fromEntries(names.map((name) => [redactText(name), REDACTED])) : REDACTED];
    }),
  );
}

// Keys whose values are secrets whatever the action: a GitHub version 1 OAuthToken, and the names
// custom and third-party action types give theirs.
const SECRET_KEY = /token|secret|password|passwd|credential|api_?key|private_?key/i;
// CodePipeline's mask for a property its action type declares secret.
const MASKED = /^\*+$/;

/**
 * An action's configuration with no secret in it: secret-named keys and masked values become
 * REDACTED; a CodeBuild action's EnvironmentVariables (a JSON list) keeps every variable but the
 * value of a PLAINTEXT one; every other value has URL user-info and tokens of known forms removed.
 */
export function redactConfiguration(configuration: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (configuration === null || typeof configuration !== 'object' || Array.isArray(configuration)) return out;
  for (const [key, value] of Object.entries(configuration as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    let kept: string;
    if (SECRET_KEY.test(key) || MASKED.test(value)) kept = REDACTED;
    else if (key === 'EnvironmentVariables') kept = redactEnvironmentVariables(value);
    else kept = redactText(value);
    Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** `[{"name":"X","value":"…","type":"PLAINTEXT"}]`: PLAINTEXT values (the default type) removed; unparseable: all of it. */
function redactEnvironmentVariables(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return REDACTED;
  }
  if (!Array.isArray(parsed)) return REDACTED;
  const vars = parsed.map((v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return REDACTED;
    const entry = v as Record<string, unknown>;
    const type = typeof entry.type === 'string' ? entry.type : 'PLAINTEXT';
    // PARAMETER_STORE and SECRETS_MANAGER values name a parameter or secret; anything else may be the secret itself.
    const value = type === 'PARAMETER_STORE' || type === 'SECRETS_MANAGER' ? (typeof entry.value === 'string' ? redactText(entry.value) : REDACTED) : REDACTED;
    return { name: typeof entry.name === 'string' ? entry.name : '', value, type };
  });
  return JSON.stringify(vars);
}
