// Settings resolved once per collection (src/collectors/sdk-settings.ts) must lead every client
// where the SDK's own per-client resolution would: the same endpoint host for each service, under
// each way the AWS CLI lets a user configure them (environment, profile, the profile's services
// section, ignore_configured_endpoint_urls). Differential: a client resolving for itself is the oracle.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { ListConnectionsCommand } from '@aws-sdk/client-codestar-connections';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { GetAccountAuthorizationDetailsCommand } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { clientsFor, type AwsOptions } from '../../src/collectors/clients.js';
import { resolveSdkSettings } from '../../src/collectors/sdk-settings.js';

const KEYS = ['AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_USE_FIPS_ENDPOINT', 'AWS_USE_DUALSTACK_ENDPOINT', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_EC2', 'AWS_ENDPOINT_URL_IAM', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_SDK_UA_APP_ID'];
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

const base: AwsOptions = { maxAttempts: 1, timeoutMs: 1000, credentials: async () => ({ accessKeyId: 'AKID', secretAccessKey: 'secret' }) };

/** Where each client would send its request, and its user agent: read at the last step, nothing sent. */
async function destinations(options: AwsOptions): Promise<string[]> {
  const clients = clientsFor('eu-west-1', options);
  const sends: Array<[{ middlewareStack: unknown; send(c: unknown): Promise<unknown> }, unknown]> = [
    [clients.ec2, new DescribeVpcEndpointsCommand({})],
    [clients.codeconnections, new ListConnectionsCommand({})],
    [clients.sts, new GetCallerIdentityCommand({})],
    [clients.iam, new GetAccountAuthorizationDetailsCommand({})],
  ];
  const out: string[] = [];
  for (const [client, command] of sends) {
    (client.middlewareStack as { add(mw: unknown, o: object): void }).add(
      () => (args: { request: { protocol: string; hostname: string; port?: number; path: string; headers: Record<string, string> } }) => {
        const r = args.request;
        const agent = r.headers['user-agent'] ?? r.headers['x-amz-user-agent'] ?? '';
        throw Object.assign(new Error('stop'), { seen: `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path} app:${/app\/([^ ]+)/.exec(agent)?.[1] ?? '-'}` });
      },
      { step: 'finalizeRequest', priority: 'low', name: 'capture' },
    );
    try {
      await client.send(command);
      out.push('sent');
    } catch (err) {
      out.push((err as { seen?: string }).seen ?? `error ${(err as Error).message}`);
    }
  }
  return out;
}

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'linkaudit-sdk-'));
  writeFileSync(join(dir, 'config'), text);
  writeFileSync(join(dir, 'credentials'), '');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
  return join(dir, 'config');
}

const CASES: Array<{ name: string; env: Record<string, string>; config?: string }> = [
  { name: 'nothing configured', env: {} },
  { name: 'FIPS from the environment', env: { AWS_USE_FIPS_ENDPOINT: 'true' } },
  { name: 'dual-stack from the environment', env: { AWS_USE_DUALSTACK_ENDPOINT: 'true' } },
  { name: 'FIPS and dual-stack from a profile', env: { AWS_PROFILE: 'gov' }, config: '[profile gov]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = true\n' },
  { name: 'AWS_ENDPOINT_URL_EC2 for EC2 only', env: { AWS_ENDPOINT_URL_EC2: 'http://localhost:4566' } },
  { name: 'AWS_ENDPOINT_URL for all, AWS_ENDPOINT_URL_IAM for IAM', env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9000', AWS_ENDPOINT_URL_IAM: 'http://127.0.0.1:9001' } },
  { name: "a profile's services section", env: { AWS_PROFILE: 'dev' }, config: '[profile dev]\nservices = local\n\n[services local]\nec2 =\n  endpoint_url = http://localhost:4566\nsts =\n  endpoint_url = http://localhost:4567\n' },
  { name: 'configured endpoints ignored', env: { AWS_ENDPOINT_URL_EC2: 'http://localhost:4566', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' } },
  { name: 'an app id for the user agent', env: { AWS_SDK_UA_APP_ID: 'audit-team' } },
];

describe('SDK settings resolved once per collection', () => {
  for (const c of CASES) {
    it(`lead each client where its own resolution would: ${c.name}`, async () => {
      for (const k of KEYS) delete process.env[k];
      process.env.AWS_CONFIG_FILE = configFile(c.config ?? '');
      Object.assign(process.env, c.env);
      const own = await destinations(base);
      const once = await destinations({ ...base, settings: await resolveSdkSettings('eu-west-1') });
      expect(once).toEqual(own);
      expect(own.every((d) => d.startsWith('http'))).toBe(true);
    });
  }

  it('the cases differ from each other (the capture sees what the settings change)', async () => {
    const seen = new Set<string>();
    for (const c of CASES) {
      for (const k of KEYS) delete process.env[k];
      process.env.AWS_CONFIG_FILE = configFile(c.config ?? '');
      Object.assign(process.env, c.env);
      seen.add(JSON.stringify(await destinations({ ...base, settings: await resolveSdkSettings('eu-west-1') })));
    }
    // "ignored" leads where "nothing configured" does.
    expect(seen.size).toBe(CASES.length - 1);
  });
});
