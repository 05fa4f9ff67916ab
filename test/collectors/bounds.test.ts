// Live collection against endpoints that misbehave at the network level: they accept and never
// answer, stall a body midway, refuse connections, are not there, speak no TLS; and against
// sessions in the wrong account. Through the real SDK clients and collect().
import { DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientsFor } from '../../src/collectors/clients.js';
import { collect } from '../../src/collectors/collect.js';
import { collectEc2 } from '../../src/collectors/ec2.js';
import { createProgress } from '../../src/collectors/progress.js';
import { collectLive } from '../../src/commands/collect.js';
import { UserError } from '../../src/errors.js';
import { validateSnapshot } from '../../src/model/load.js';
import { cliAgainst, useHomeRegion } from '../fake-aws/cli.js';
import { startFakeAws, type FakeAws } from '../fake-aws/server.js';
import { DEMO_ACCOUNT, DEMO_REGIONS, demoAccount } from '../fake-aws/estate.js';

const credentials = async () => ({ accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' });
const estate = demoAccount();
type Options = Parameters<typeof collect>[0];

function options(url: string, extra: Partial<Options> = {}): Options {
  return { regions: DEMO_REGIONS, concurrency: 4, maxAttempts: 2, timeoutMs: 300, endpointUrl: url, credentials, credentialSource: 'test credentials', log: () => {}, pageThreads: 0, ...extra };
}

/** A TCP server that accepts every connection and reads what comes, answering nothing ('silent'), or HTTP headers and half a body ('stall-body'). */
async function mute(mode: 'silent' | 'stall-body'): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('data', () => {
      if (mode === 'stall-body') socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/xml;charset=UTF-8\r\ncontent-length: 4000\r\n\r\n<?xml version="1.0" encoding="UTF-8"?>\n<DescribeVpcEndpointsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>1</requestId>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

useHomeRegion();

describe('--timeout bounds every request', () => {
  for (const mode of ['silent', 'stall-body'] as const) {
    it(`a request to an endpoint that ${mode === 'silent' ? 'accepts and never answers' : 'sends headers and stalls the body'} times out, is retried, then is a Timeout gap`, async () => {
      const server = await mute(mode);
      try {
        const ec2 = clientsFor('us-east-1', { endpointUrl: server.url, maxAttempts: 2, timeoutMs: 300, credentials }).ec2;
        await expect(ec2.send(new DescribeVpcEndpointsCommand({}))).rejects.toMatchObject({ name: 'TimeoutError' });
        // Two attempts, each on a connection of its own (the stalled one is not reused).
        expect(server.connections()).toBe(2);
        const collected = await collectEc2(ec2, { partition: 'aws', account: DEMO_ACCOUNT, region: 'us-east-1' });
        expect(collected.coverage.map((g) => [g.operation, g.errorCode])).toContainEqual(['DescribeVpcEndpoints', 'Timeout']);
      } finally {
        await server.close();
      }
    }, 20_000);
  }

  it('GetCallerIdentity against a silent endpoint ends in a UserError saying it did not answer, not a credential failure', async () => {
    const server = await mute('silent');
    try {
      const err = await collect(options(server.url)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toBe(`AWS STS (GetCallerIdentity) did not answer within --timeout of 0.3 s at ${server.url}`);
      expect((err as Error).message).not.toMatch(/credential/);
    } finally {
      await server.close();
    }
  }, 20_000);

  it('the built CLI: scan --timeout 0.5 --max-attempts 1 against an endpoint that never answers ends with one line, exit 2', async () => {
    const server = await mute('silent');
    try {
      const run = await cliAgainst(server.url, ['scan', '--region', 'us-east-1', '--timeout', '0.5', '--max-attempts', '1']);
      expect(run.status).toBe(2);
      expect(run.stderr.trim()).toBe(`linkaudit: AWS STS (GetCallerIdentity) did not answer within --timeout of 0.5 s at ${server.url}`);
    } finally {
      await server.close();
    }
  }, 40_000);

  it('an AssumeRole that never answers is that account\'s Timeout gap; the run ends', async () => {
    const fake = await startFakeAws({ snapshot: estate, account: DEMO_ACCOUNT, stall: [{ operation: 'AssumeRole', mode: 'headers' }] });
    try {
      const snapshot = await collect(options(fake.url, { roleArn: 'arn:aws:iam::{account}:role/audit', accounts: [DEMO_ACCOUNT] }));
      expect(new Set(snapshot.coverage.map((g) => `${g.operation} ${g.errorCode}`))).toEqual(new Set(['AssumeRole Timeout']));
    } finally {
      await fake.close();
    }
  }, 20_000);
});

describe('--max-duration', () => {
  it('turns what is unread when it passes into MaxDurationExceeded gaps; the snapshot is still produced and valid', async () => {
    // Listings stall for longer than the run may take: the timeout alone would not end it in time.
    const fake = await startFakeAws({ snapshot: estate, account: DEMO_ACCOUNT, stall: [{ operation: 'DescribeVpcEndpoints', mode: 'headers' }, { operation: 'ListHosts', mode: 'body' }] });
    try {
      const snapshot = await collect(options(fake.url, { timeoutMs: 60_000, maxAttempts: 3, maxDurationSeconds: 1 }));
      validateSnapshot(JSON.parse(JSON.stringify(snapshot)), 'collected');
      const gaps = snapshot.coverage.filter((g) => g.errorCode === 'MaxDurationExceeded');
      // The stalled listings, and whatever was still waiting behind them for a request slot.
      expect(gaps.map((g) => `${g.region} ${g.operation}`)).toEqual(expect.arrayContaining(['eu-west-1 DescribeVpcEndpoints', 'eu-west-1 ListHosts', 'us-east-1 DescribeVpcEndpoints', 'us-east-1 ListHosts']));
      for (const g of gaps) expect(g.message).toBe(`--max-duration of 1 s ran out before ${g.operation} was answered; not read`);
    } finally {
      await fake.close();
    }
  }, 20_000);

  it('the built CLI against a listing that never answers ends within its --max-duration, with the snapshot saved and the exit code its gate\'s', async () => {
    const fake = await startFakeAws({ snapshot: estate, account: DEMO_ACCOUNT, stall: [{ operation: 'DescribeVpcEndpoints', mode: 'headers' }] });
    const dir = mkdtempSync(join(tmpdir(), 'linkaudit-maxdur-'));
    try {
      const run = await cliAgainst(fake.url, ['scan', '--region', 'us-east-1', '--timeout', '60', '--max-duration', '2', '--save-snapshot', join(dir, 'snap.json'), '--format', 'json', '--output-dir', dir]);
      expect(run.stderr).not.toMatch(/internal error/);
      const report = JSON.parse(readFileSync(join(dir, 'linkaudit.json'), 'utf8')) as { gate: { exitCode: number } };
      expect(run.status).toBe(report.gate.exitCode);
      expect([1, 2]).toContain(run.status);
      const snapshot = validateSnapshot(JSON.parse(readFileSync(join(dir, 'snap.json'), 'utf8')), 'saved');
      expect(snapshot.coverage.map((g) => `${g.operation} ${g.errorCode}`)).toContain('DescribeVpcEndpoints MaxDurationExceeded');
    } finally {
      await fake.close();
    }
  }, 40_000);

  it('--max-duration must be a positive number of seconds', async () => {
    await expect(collectLive({ region: ['us-east-1'], maxAttempts: 1, timeout: 1, concurrency: 1, quiet: true, maxDuration: 0 }, () => {})).rejects.toThrow(/--max-duration must be a number of seconds above 0/);
  });
});

describe('network failures say what failed and where', () => {
  const cases: Array<{ family: string; url: () => Promise<{ url: string; close: () => Promise<void> }>; message: RegExp }> = [
    {
      family: 'connection refused',
      url: async () => {
        const s = createServer();
        await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
        const { port } = s.address() as AddressInfo;
        await new Promise<void>((r) => s.close(() => r()));
        return { url: `http://127.0.0.1:${port}`, close: async () => {} };
      },
      message: /^cannot reach AWS STS \(GetCallerIdentity\): connection refused at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/,
    },
    { family: 'DNS', url: async () => ({ url: 'http://linkaudit-no-such-host.invalid', close: async () => {} }), message: /^cannot reach AWS STS \(GetCallerIdentity\): host name not found \(DNS\) at http:\/\/linkaudit-no-such-host\.invalid \((ENOTFOUND|EAI_AGAIN)\)$/ },
    {
      family: 'TLS',
      url: async () => {
        // An HTTP server spoken to with https: the handshake fails.
        const s = createHttpServer((_q, r) => r.end('plain'));
        await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
        const { port } = s.address() as AddressInfo;
        return { url: `https://127.0.0.1:${port}`, close: () => new Promise((r) => s.close(() => r())) };
      },
      message: /^cannot reach AWS STS \(GetCallerIdentity\): TLS handshake or certificate failed at https:\/\/127\.0\.0\.1:\d+ \(/,
    },
  ];
  for (const c of cases) {
    it(`${c.family} is named as such with the endpoint, not as a credential failure`, async () => {
      const endpoint = await c.url();
      try {
        const err = await collect(options(endpoint.url, { maxAttempts: 1, timeoutMs: 3000 })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UserError);
        expect((err as Error).message).toMatch(c.message);
      } finally {
        await endpoint.close();
      }
    }, 20_000);
  }

  it('a listing whose connection is refused is a ConnectionRefused gap naming the endpoint', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const { port } = s.address() as AddressInfo;
    await new Promise<void>((r) => s.close(() => r()));
    const ec2 = clientsFor('us-east-1', { endpointUrl: `http://127.0.0.1:${port}`, maxAttempts: 1, timeoutMs: 1000, credentials }).ec2;
    const collected = await collectEc2(ec2, { partition: 'aws', account: DEMO_ACCOUNT, region: 'us-east-1' });
    expect(collected.coverage[0]).toMatchObject({ errorCode: 'ConnectionRefused', message: `connection refused at http://127.0.0.1:${port} (ECONNREFUSED)` });
  });

  it('a bad AWS_ENDPOINT_URL_<SERVICE> is a UserError naming the variable', async () => {
    process.env.AWS_ENDPOINT_URL_EC2 = 'not a url';
    try {
      await expect(collectLive({ region: ['us-east-1'], maxAttempts: 1, timeout: 1, concurrency: 1, quiet: true }, () => {})).rejects.toThrow(/^AWS_ENDPOINT_URL_EC2: "not a url" is not a URL/);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_EC2;
    }
  });

  for (const bad of ['not-a-url', 'ftp://example.com', 'http://']) {
    it(`--endpoint-url ${bad} is a UserError before anything is sent`, async () => {
      await expect(collectLive({ region: ['us-east-1'], maxAttempts: 1, timeout: 1, concurrency: 1, quiet: true, endpointUrl: bad }, () => {})).rejects.toThrow(UserError);
    });
  }
});

describe('--role-arn and the account it enters', () => {
  const other = '444455556666';
  it('a literal account in --role-arn with other --accounts is refused', async () => {
    const live = { region: ['us-east-1'], maxAttempts: 1, timeout: 1, concurrency: 1, quiet: true };
    await expect(collectLive({ ...live, roleArn: `arn:aws:iam::${DEMO_ACCOUNT}:role/audit`, accounts: [other] }, () => {})).rejects.toThrow(/names account 111122223333, so it cannot read account 444455556666/);
    await expect(collectLive({ ...live, roleArn: `arn:aws:iam::${DEMO_ACCOUNT}:role/audit`, accounts: [DEMO_ACCOUNT, other] }, () => {})).rejects.toThrow(UserError);
    await expect(collectLive({ ...live, roleArn: `arn:aws:iam::${DEMO_ACCOUNT}:role/audit`, org: true }, () => {})).rejects.toThrow(UserError);
  });

  it('a literal account in --role-arn is refused against the accounts --org lists', async () => {
    const fake = await startFakeAws({ snapshot: estate, account: DEMO_ACCOUNT, organization: { id: 'o-abcdefghij', managementAccount: DEMO_ACCOUNT, accounts: [DEMO_ACCOUNT, other] } });
    try {
      await expect(collect(options(fake.url, { roleArn: `arn:aws:iam::${DEMO_ACCOUNT}:role/audit`, org: true }))).rejects.toThrow(/names account 111122223333, so it cannot read account 444455556666/);
    } finally {
      await fake.close();
    }
  });

  it('a session in another account than the target is that account\'s AccountMismatch gap, never its data', async () => {
    // The role in 444455556666 trusts its way into 111122223333: that data must not be labelled 444455556666.
    const fake = await startFakeAws({ snapshot: estate, account: DEMO_ACCOUNT, assumeInto: { [other]: DEMO_ACCOUNT } });
    try {
      const snapshot = await collect(options(fake.url, { roleArn: 'arn:aws:iam::{account}:role/audit', accounts: [DEMO_ACCOUNT, other] }));
      const resources = [...snapshot.connections, ...snapshot.vpcEndpoints, ...snapshot.endpointServices, ...snapshot.iamRoles];
      expect(resources.filter((r) => r.account === other)).toEqual([]);
      expect(resources.length).toBeGreaterThan(0);
      const mismatch = snapshot.coverage.filter((g) => g.account === other);
      expect(new Set(mismatch.map((g) => g.errorCode))).toEqual(new Set(['AccountMismatch']));
      expect(mismatch[0]?.message).toMatch(/gave a session in account 111122223333 .*not 444455556666/);
    } finally {
      await fake.close();
    }
  });
});

describe('progress counts', () => {
  it('the final line counts the HTTP requests the server saw and the snapshot\'s coverage gaps (account-wide ones too)', async () => {
    const fake = await startFakeAws({
      snapshot: estate,
      account: DEMO_ACCOUNT,
      // An account-wide gap (IAM) and one that is retried (503) before it becomes a gap.
      failures: [
        { operation: 'GetAccountAuthorizationDetails', status: 403, code: 'AccessDenied', message: 'denied' },
        { operation: 'DescribeVpcEndpointConnections', region: 'eu-west-1', status: 503, code: 'ServiceUnavailable', message: 'unavailable' },
      ],
    });
    let out = '';
    try {
      const snapshot = await collect(options(fake.url, { maxAttempts: 3, progress: createProgress({ write: (t) => (out += t), tty: false, quiet: false, intervalMs: 60_000 }) }));
      const last = out.trim().split('\n').pop() ?? '';
      const m = /, (\d+) HTTP requests, \d+ throttled, (\d+) coverage gap\(s\)$/.exec(last);
      expect(m, last).not.toBeNull();
      expect(Number(m?.[2])).toBe(snapshot.coverage.length);
      expect(snapshot.coverage.some((g) => g.region === 'global')).toBe(true);
      expect(Number(m?.[1])).toBe(fake.requests);
    } finally {
      await fake.close();
    }
  });
});

describe('text from an endpoint reaches stderr escaped', () => {
  const hostile = 'denied \u001b]0;pwned\u0007 and \u001b[2J cleared';
  it('an AssumeRole error and a GetCallerIdentity error print no control characters', async () => {
    const fake = await startFakeAws({ snapshot: estate, account: DEMO_ACCOUNT, failures: [{ operation: 'AssumeRole', status: 403, code: 'AccessDenied\u001b]0;pwned\u0007', message: hostile }] });
    const lines: string[] = [];
    try {
      const snapshot = await collect(options(fake.url, { roleArn: 'arn:aws:iam::{account}:role/audit', accounts: [DEMO_ACCOUNT], log: (l) => lines.push(l) }));
      expect(new Set(snapshot.coverage.map((g) => g.errorCode))).toEqual(new Set(['AccessDenied\\x1b]0;pwned\\x07']));
      expect(lines.join('\n')).toMatch(/cannot assume .*\(AccessDenied\\x1b\]0;pwned\\x07\)/);
      expect(lines.join('\n')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    } finally {
      await fake.close();
    }
    const refusing = await startFakeAws({ snapshot: estate, account: DEMO_ACCOUNT, failures: [{ operation: 'GetCallerIdentity', status: 403, code: 'InvalidClientTokenId', message: hostile }] });
    try {
      const err = await collect(options(refusing.url)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toContain('\\x1b]0;pwned\\x07');
      expect((err as Error).message).not.toMatch(/[\u0000-\u001f\u007f]/);
    } finally {
      await refusing.close();
    }
  });
});

export type { FakeAws };

describe('the run deadline with many calls in flight', () => {
  it('takes a listener per call, past Node\'s default of 10, without a MaxListenersExceededWarning', async () => {
    const { RunDeadline, bounded } = await import('../../src/collectors/bounds.js');
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    const deadline = new RunDeadline(60);
    try {
      const calls = Array.from({ length: 64 }, (_, i) => bounded(new Promise<number>((r) => setTimeout(() => r(i), 5)), { onTimeout: () => new Error('t'), deadline, operation: 'Op' }));
      expect(await Promise.all(calls)).toHaveLength(64);
      await new Promise((r) => setImmediate(r));
    } finally {
      deadline.dispose();
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
