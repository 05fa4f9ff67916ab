import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildspecFields, MAX_BUILDSPEC_CHARS, MAX_LOCATION_CHARS, MAX_LOCATION_INPUT, redactBuildspec, redactConfiguration, redactLocation, redactText } from '../../src/collectors/redact.js';

// A secret that cannot occur by chance in what surrounds it: a fixed marker plus random text from
// the characters URL user-info may hold unencoded (RFC 3986 unreserved and sub-delims, and `%`).
const MARK = 'Zq9SECRETz';
const userInfoChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&\'()*+,;=%'.split(''));
const secret = fc.string({ unit: userInfoChar, minLength: 0, maxLength: 30 }).map((s) => `${MARK}${s}`);

const scheme = fc.constantFrom('https', 'http', 'HTTPS', 'git', 'ssh', 'git+ssh', 's3', 'codecommit', 'x-custom.v1+z');
const separator = fc.constantFrom('://', ':/', ':\\\\', ':', '://\\', ':///');
const host = fc.constantFrom('github.com', 'bitbucket.org', 'gitlab.example.com:8443', '[::1]', '10.0.0.1', 'h');
const rest = fc.constantFrom('', '/', '/o/r.git', '/o/r?x=1#f', '?q', '#frag', '\\o\\r', '/path@v2/x');
const prefix = fc.constantFrom('', ' ', '\t', 'clone ', 'https://ok.example/ ');
const user = fc.constantFrom('', 'x-token-auth', 'user', 'u%40corp', 'git', 'oauth2', 'a@b');

describe('redactLocation', () => {
  it('no URL form leaves a password in the location, and the location says it had credentials', () => {
    fc.assert(
      fc.property(prefix, scheme, separator, user, secret, host, rest, (pre, sch, sep, u, s, h, r) => {
        const url = `${pre}${sch}${sep}${u}:${s}@${h}${r}`;
        const { location, hadCredentials } = redactLocation(url);
        expect(location).not.toContain(MARK);
        expect(hadCredentials).toBe(true);
        expect(location).toContain(`REDACTED@${h}`);
      }),
    );
  });

  it('scheme-less user-info (x-token-auth:TOKEN@bitbucket.org/…) and percent-encoded passwords are removed too', () => {
    fc.assert(
      fc.property(user, secret, host, rest, fc.boolean(), (u, s, h, r, encode) => {
        const pass = encode ? encodeURIComponent(`${s}@:/`) : s;
        const { location, hadCredentials } = redactLocation(`${u}:${pass}@${h}${r}`);
        expect(location).not.toContain(MARK);
        expect(hadCredentials).toBe(true);
      }),
    );
  });

  it('a token as the user name alone is a credential; a plain user name is removed but is none', () => {
    const token = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    expect(redactLocation(`https://${token}@github.com/o/r`)).toEqual({ location: 'https://REDACTED@github.com/o/r', hadCredentials: true });
    expect(redactLocation('https://0123456789abcdef0123456789abcdef01234567@github.com/o/r').hadCredentials).toBe(true);
    expect(redactLocation('https://bob@bitbucket.org/team/repo.git')).toEqual({ location: 'https://REDACTED@bitbucket.org/team/repo.git', hadCredentials: false });
    expect(redactLocation('https://bob:@bitbucket.org/team/repo.git').hadCredentials).toBe(false);
  });

  it('keeps what holds no credential as it is: plain URLs, S3 locations, git@ SSH forms, @ in a path', () => {
    for (const url of [
      'https://github.com/example/app.git',
      'https://git-codecommit.us-east-1.amazonaws.com/v1/repos/app',
      'my-bucket/path/source.zip',
      'git@github.com:example/app.git',
      'ssh://git@github.com/example/app.git',
      'https://gitlab.example.com/group/app/-/tree/main@v2',
      '',
    ]) {
      expect(redactLocation(url), url).toEqual({ location: url, hadCredentials: false });
    }
  });

  it('replaces secret-named query values and tokens of known forms wherever they stand', () => {
    expect(redactLocation('https://gitlab.com/o/r.git?private_token=glpat-abc&ref=main')).toEqual({ location: 'https://gitlab.com/o/r.git?private_token=REDACTED&ref=main', hadCredentials: true });
    const t = 'glpat-' + 'x'.repeat(20);
    expect(redactLocation(`https://gitlab.com/o/r/${t}`)).toEqual({ location: 'https://gitlab.com/o/r/REDACTED', hadCredentials: true });
  });

  it('never throws, whatever the text, and its output is bounded', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: fc.constantFrom(':', '/', '\\', '@', 'a', '?', '#', '%', ' '), maxLength: 300 })), (text) => {
        const r = redactLocation(text);
        expect(typeof r.location).toBe('string');
        expect(r.location.length).toBeLessThanOrEqual(MAX_LOCATION_CHARS + 1);
      }),
    );
  });

  it('a secret anywhere in user-info position of any text is gone (random text around it)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), scheme, separator, secret, fc.string({ unit: 'binary', maxLength: 40 }), (before, sch, sep, s, after) => {
        // What follows the '@' starts a host: whatever comes after cannot reopen the user-info.
        const { location } = redactLocation(`${before}${sch}${sep}u:${s}@h/${after}`);
        expect(location).not.toContain(MARK);
      }),
    );
  });

  it('a location too long to be one is not read, and none of it is kept', () => {
    const long = `https://u:${MARK}@h/${'a'.repeat(MAX_LOCATION_INPUT)}`;
    const r = redactLocation(long);
    expect(r.location).toBe('REDACTED');
    expect(r.unread).toMatch(/not read/);
    const cut = redactLocation(`https://u:${MARK}@h/${'a'.repeat(MAX_LOCATION_CHARS * 2)}`);
    expect(cut.location.length).toBe(MAX_LOCATION_CHARS + 1);
    expect(cut.location).not.toContain(MARK);
  });
});

/** A buildspec as people write them, with secrets planted in env.variables (at the top and in batch builds). */
const varName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/);
const planted: fc.Arbitrary<Planted> = fc.record({
  envKey: fc.constantFrom('env', 'Env', 'ENV'),
  variablesKey: fc.constantFrom('variables', 'Variables'),
  names: fc.uniqueArray(varName, { minLength: 1, maxLength: 4 }),
  secrets: fc.array(secret, { minLength: 4, maxLength: 4 }),
  batch: fc.boolean(),
  quoting: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL') as fc.Arbitrary<'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL'>,
  flow: fc.boolean(),
  anchor: fc.boolean(),
});

interface Planted {
  envKey: string;
  variablesKey: string;
  names: string[];
  secrets: string[];
  batch: boolean;
  quoting: 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL';
  flow: boolean;
  anchor: boolean;
}

function writeBuildspec(p: Planted): string {
  const vars = Object.fromEntries(p.names.map((n, i) => [n, p.secrets[i % p.secrets.length]]));
  const doc: Record<string, unknown> = {
    version: 0.2,
    [p.envKey]: { [p.variablesKey]: vars, 'exported-variables': ['OUT'], 'parameter-store': { KEY: '/ci/key' } },
    phases: { build: { commands: ['make', `git clone https://ci:${p.secrets[1]}@github.com/o/r`, 'git describe --tags'] } },
  };
  if (p.batch) doc.batch = { 'build-list': [{ identifier: 'b1', env: { variables: { [p.names[0] as string]: p.secrets[2] } } }] };
  let text = stringify(doc, { defaultStringType: p.quoting, collectionStyle: p.flow ? 'flow' : 'block', lineWidth: 0 });
  // An anchor on the variables and an alias elsewhere: the secret's text appears once, reached twice.
  if (p.anchor) text = `# the deploy token is ${p.secrets[3]}\n${text.replace(new RegExp(`(["']?${p.variablesKey}["']?):`), '$1: &vars')}`;
  if (p.anchor && !p.flow) text += 'copy: *vars\n';
  return text;
}

describe('redactBuildspec', () => {
  it('no secret planted in env.variables, a URL in a command or a comment survives; the rest is kept', () => {
    fc.assert(
      fc.property(planted, (p) => {
        const text = writeBuildspec(p);
        const out = redactBuildspec(text);
        expect(out, text).toBeDefined();
        expect(out).not.toContain(MARK);
        const data = parse(out as string) as Record<string, Record<string, Record<string, unknown>>>;
        expect(data[p.envKey]?.[p.variablesKey]).toEqual(Object.fromEntries(p.names.map((n) => [n, 'REDACTED'])));
        expect(data[p.envKey]?.['exported-variables']).toEqual(['OUT']);
        expect(data[p.envKey]?.['parameter-store']).toEqual({ KEY: '/ci/key' });
        expect((data.phases as unknown as { build: { commands: string[] } }).build.commands).toEqual(['make', 'git clone https://REDACTED@github.com/o/r', 'git describe --tags']);
      }),
    );
  });

  it('keeps nothing of what is not a YAML mapping, has duplicate keys or is too long; never throws', () => {
    for (const text of ['', 'just text', '- a\n- b\n', 'env: {variables: {T: x}\n', 'env:\n  variables:\n    T: a\nenv:\n  variables: {}\n', `a: ${'['.repeat(5000)}`, 'a: *nope\n']) {
      expect(redactBuildspec(text), text).toBeUndefined();
    }
    expect(redactBuildspec(`version: 0.2\nx: ${'a'.repeat(MAX_BUILDSPEC_CHARS)}\n`)).toBeUndefined();
    // Aliases that multiply the text (a "billion laughs"): not stored.
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    expect(redactBuildspec(laughs)).toBeUndefined();
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: fc.constantFrom('e', 'n', 'v', ':', ' ', '\n', '-', '&', '*', '{', '}', '[', ']', 'a', '"', "'", '#', '|'), maxLength: 200 })), (text) => {
        const out = redactBuildspec(text);
        if (out !== undefined) expect(typeof parse(out)).toBe('object');
      }),
    );
  });

  it('whatever the variables hold (lists, maps, numbers, a scalar for the whole map), it is replaced', () => {
    for (const variables of [`[${MARK}a]`, `${MARK}b`, `{A: [${MARK}c], B: {C: ${MARK}d}, N: 12}`, `{"__proto__": ${MARK}e}`]) {
      const out = redactBuildspec(`version: 0.2\nenv:\n  variables: ${variables}\n`);
      expect(out, variables).toBeDefined();
      expect(out).not.toContain(MARK);
    }
  });
});

describe('buildspecFields', () => {
  it('tells inline text, a file in the source and what cannot be read apart', () => {
    expect(buildspecFields(undefined)).toEqual({});
    expect(buildspecFields('  ')).toEqual({});
    expect(buildspecFields('ci/buildspec-test.yml')).toEqual({ buildspecFile: 'ci/buildspec-test.yml' });
    expect(buildspecFields('arn:aws:s3:::bucket/buildspec.yml')).toEqual({ buildspecFile: 'arn:aws:s3:::bucket/buildspec.yml' });
    expect(buildspecFields('version: 0.2\nphases: {build: {commands: [make]}}\n')).toEqual({ buildspec: 'version: 0.2\nphases:\n  build:\n    commands:\n      - make\n' });
    expect(buildspecFields(`not yaml: [\n${MARK}`)).toEqual({ unparsed: true });
    expect(JSON.stringify(buildspecFields(`https://u:${MARK}@h/spec.yml`))).not.toContain(MARK);
  });
});

describe('redactText', () => {
  it('removes URL user-info and tokens of known forms from free text, and keeps the words around them', () => {
    expect(redactText('git clone https://me:pw@github.com/o/r && ssh deploy@host')).toBe('git clone https://REDACTED@github.com/o/r && ssh deploy@host');
    expect(redactText(`export GITHUB_TOKEN=ghp_${'a'.repeat(36)}`)).toBe('export GITHUB_TOKEN=REDACTED');
  });
});

describe('redactConfiguration', () => {
  const key = fc.constantFrom('OAuthToken', 'Token', 'ServerSecret', 'Password', 'ApiKey', 'private_key', 'webhookCredentials');
  const envVar = fc.record({ name: fc.string({ maxLength: 8 }), type: fc.constantFrom(undefined, 'PLAINTEXT', 'plaintext', 'PARAMETER_STORE', 'SECRETS_MANAGER', 'OTHER'), secret });

  it('no secret survives: secret-named keys, masked values, PLAINTEXT variables, URL credentials; the rest is kept', () => {
    fc.assert(
      fc.property(key, secret, fc.array(envVar, { maxLength: 4 }), secret, (k, s, vars, urlSecret) => {
        const env = vars.map((v) => ({ name: v.name, ...(v.type !== undefined ? { type: v.type } : {}), value: v.type === 'PARAMETER_STORE' || v.type === 'SECRETS_MANAGER' ? '/ci/param' : v.secret }));
        const out = redactConfiguration({ [k]: s, Masked: '****', EnvironmentVariables: JSON.stringify(env), Url: `https://u:${urlSecret}@h/x`, ConnectionArn: 'arn:aws:codeconnections:us-east-1:111122223333:connection/x', BranchName: 'main' });
        expect(JSON.stringify(out)).not.toContain(MARK);
        expect(out).toMatchObject({ [k]: 'REDACTED', Masked: 'REDACTED', Url: 'https://REDACTED@h/x', ConnectionArn: 'arn:aws:codeconnections:us-east-1:111122223333:connection/x', BranchName: 'main' });
        const kept = JSON.parse(out.EnvironmentVariables as string) as Array<{ name: string; type: string; value: string }>;
        expect(kept.map((v) => v.name)).toEqual(env.map((v) => v.name));
        for (const v of kept) expect(v.value).toBe(v.type === 'PARAMETER_STORE' || v.type === 'SECRETS_MANAGER' ? '/ci/param' : 'REDACTED');
      }),
    );
  });

  it('never throws and gives only strings, whatever it is handed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))))), (value) => {
        const out = redactConfiguration(value);
        for (const v of Object.values(out)) expect(typeof v).toBe('string');
      }),
    );
    expect(redactConfiguration({ EnvironmentVariables: `not json ${MARK}` })).toEqual({ EnvironmentVariables: 'REDACTED' });
    expect(redactConfiguration({ EnvironmentVariables: `{"name":"${MARK}"}` })).toEqual({ EnvironmentVariables: 'REDACTED' });
  });
});
