// Large pages read on page threads must read exactly as on the collector's thread, and a thread
// that fails must cost nothing but time: its pages are read on the collector's thread instead.
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { PageReaders, THREADED_BYTES } from '../../src/collectors/wire/page-threads.js';
import { readPage } from '../../src/collectors/wire/pages.js';
import { XmlDecodeError } from '../../src/collectors/wire/xml-decode.js';
import { ec2Response } from './ec2-wire.js';

/** A DescribeVpcEndpoints page of `n` endpoints, with every projected member, entities and a timestamp. */
function endpointsPage(n: number): Uint8Array {
  const items = Array.from({ length: n }, (_, i) => ({
    vpcEndpointId: `vpce-${i.toString(16).padStart(17, '0')}`,
    vpcEndpointType: 'Interface',
    vpcId: 'vpc-0123456789abcdef0',
    serviceName: 'com.amazonaws.us-east-1.codeconnections.api',
    state: 'available',
    policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'codeconnections:UseConnection', Resource: `arn:aws:codeconnections:us-east-1:111122223333:connection/${i}` }] }),
    subnetIdSet: ['subnet-1', 'subnet-2'],
    groupSet: [{ groupId: 'sg-1', groupName: 'default' }],
    privateDnsEnabled: i % 2 === 0,
    requesterManaged: false,
    creationTimestamp: '2024-03-01T10:00:00.000Z',
    tagSet: [{ key: 'team', value: `a & b <${i}>` }],
    ownerId: '111122223333',
  }));
  return new TextEncoder().encode(ec2Response('DescribeVpcEndpoints', { vpcEndpointSet: items, nextToken: 'next' }));
}

const BIG = endpointsPage(300);
const SMALL = endpointsPage(3);

let open: PageReaders[] = [];
function readers(size: number, start?: () => Worker): PageReaders {
  const r = start ? new PageReaders(size, start) : new PageReaders(size);
  open.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(open.map((r) => r.close()));
  open = [];
});

/** A page thread that dies (exit code 1) on the first page it is sent: the page is out when it fails. */
const dying = (): Worker => new Worker(`require('node:worker_threads').parentPort.once('message', () => process.exit(1));`, { eval: true });
/** A page thread that answers every page with a fault of its own (not the page's). */
const faulty = (): Worker => new Worker(`const { parentPort } = require('node:worker_threads'); parentPort.on('message', (job) => parentPort.postMessage({ id: job.id, fault: 'RangeError: out of memory' }));`, { eval: true });
/** A page thread that cannot start at all. */
const broken = (): Worker => new Worker(`throw new Error('cannot load the page thread');`, { eval: true });

describe('page threads', () => {
  it('reads a large page on a thread exactly as on this thread', async () => {
    expect(BIG.byteLength).toBeGreaterThan(THREADED_BYTES);
    const pages = readers(1);
    const threaded = await pages.read('ec2', 'DescribeVpcEndpoints', BIG);
    expect(pages.counts).toEqual({ threaded: 1, here: 0 });
    expect(threaded).toEqual(readPage('ec2', 'DescribeVpcEndpoints', BIG));
    expect((threaded.VpcEndpoints as unknown[]).length).toBe(300);
  });

  it('reads small pages here: a round trip to a thread would cost what reading does', async () => {
    const pages = readers(1);
    expect(await pages.read('ec2', 'DescribeVpcEndpoints', SMALL)).toEqual(readPage('ec2', 'DescribeVpcEndpoints', SMALL));
    expect(pages.counts).toEqual({ threaded: 0, here: 1 });
  });

  it('spreads pages over its threads and answers each with its own page', async () => {
    const pages = readers(2);
    const sizes = [250, 260, 270, 280, 290, 300];
    const answers = await Promise.all(sizes.map((n) => pages.read('ec2', 'DescribeVpcEndpoints', endpointsPage(n))));
    expect(answers.map((a) => (a.VpcEndpoints as unknown[]).length)).toEqual(sizes);
    expect(pages.counts.threaded).toBe(sizes.length);
  });

  it('rejects a malformed page with the message the decoder gives here (a coverage gap, InvalidResponse)', async () => {
    const text = new TextDecoder().decode(BIG);
    const malformed = new TextEncoder().encode(text.replace('</vpcEndpointSet>', '</vpcEndpointSets>'));
    let here: unknown;
    try {
      readPage('ec2', 'DescribeVpcEndpoints', malformed);
    } catch (err) {
      here = err;
    }
    expect(here).toBeInstanceOf(XmlDecodeError);
    const threaded = readers(1).read('ec2', 'DescribeVpcEndpoints', malformed);
    await expect(threaded).rejects.toBeInstanceOf(XmlDecodeError);
    await expect(threaded).rejects.toMatchObject({ name: 'InvalidResponse', message: (here as Error).message });
  });

  it('reads here the pages a thread held when it died, and every later page', async () => {
    const pages = readers(1, dying);
    const first = await pages.read('ec2', 'DescribeVpcEndpoints', BIG);
    expect(first).toEqual(readPage('ec2', 'DescribeVpcEndpoints', BIG));
    expect(pages.counts).toEqual({ threaded: 0, here: 1 });
    await pages.read('ec2', 'DescribeVpcEndpoints', BIG);
    expect(pages.counts).toEqual({ threaded: 0, here: 2 });
  });

  it('reads a page here when its thread reports a fault of its own, not the page\'s', async () => {
    const pages = readers(1, faulty);
    expect(await pages.read('ec2', 'DescribeVpcEndpoints', BIG)).toEqual(readPage('ec2', 'DescribeVpcEndpoints', BIG));
    expect(pages.counts).toEqual({ threaded: 0, here: 1 });
  });

  it('reads here when its thread cannot start', async () => {
    const pages = readers(2, broken);
    const answers = await Promise.all([pages.read('ec2', 'DescribeVpcEndpoints', BIG), pages.read('ec2', 'DescribeVpcEndpoints', BIG)]);
    for (const a of answers) expect(a).toEqual(readPage('ec2', 'DescribeVpcEndpoints', BIG));
    expect(pages.counts).toEqual({ threaded: 0, here: 2 });
  });

  it('starts the built page thread too (dist/, as shipped: a missing or broken one would only be slower, silently)', async () => {
    const built = (await import(new URL('../../dist/collectors/wire/page-threads.js', import.meta.url).href)) as typeof import('../../src/collectors/wire/page-threads.js');
    const pages = new built.PageReaders(1);
    try {
      expect(await pages.read('ec2', 'DescribeVpcEndpoints', BIG)).toEqual(readPage('ec2', 'DescribeVpcEndpoints', BIG));
      expect(pages.counts).toEqual({ threaded: 1, here: 0 });
    } finally {
      await pages.close();
    }
  });

  it('with no threads, reads every page here', async () => {
    const pages = readers(0);
    await pages.read('ec2', 'DescribeVpcEndpoints', BIG);
    expect(pages.counts).toEqual({ threaded: 0, here: 1 });
  });

  it('reads IAM GetAccountAuthorizationDetails pages too', async () => {
    const roles = Array.from({ length: 300 }, (_, i) => `<member><Path>/</Path><RoleName>role-${i}</RoleName><RoleId>AROA${i}</RoleId><Arn>arn:aws:iam::111122223333:role/role-${i}</Arn><AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument><RolePolicyList/><AttachedManagedPolicies/><Tags/></member>`).join('');
    const body = new TextEncoder().encode(
      `<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountAuthorizationDetailsResult><IsTruncated>false</IsTruncated><RoleDetailList>${roles}</RoleDetailList></GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>`,
    );
    expect(body.byteLength).toBeGreaterThan(THREADED_BYTES);
    const pages = readers(1);
    expect(await pages.read('iam', 'GetAccountAuthorizationDetails', body)).toEqual(readPage('iam', 'GetAccountAuthorizationDetails', body));
    expect(pages.counts.threaded).toBe(1);
  });
});
