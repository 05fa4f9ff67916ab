import { Readable } from 'node:stream';
import { DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastEc2Protocol, fastQueryProtocol } from '../../src/collectors/wire/fast-protocol.js';
import { DESCRIBE_VPC_ENDPOINTS, EC2_DECODERS, GET_ACCOUNT_AUTHORIZATION_DETAILS, IAM_DECODERS } from '../../src/collectors/wire/shapes.js';
import { decodeXml, list, struct, type Shape, type StructShape } from '../../src/collectors/wire/xml-decode.js';
import { EC2_XMLNS } from './ec2-wire.js';

const SHAPE = struct({
  Name: ['name', 'string'],
  On: ['on', 'boolean'],
  Count: ['count', 'integer'],
  At: ['at', 'timestamp'],
  Ids: ['idSet', list('string')],
  Tags: ['tagSet', list(struct({ Key: ['key', 'string'], Value: ['value', 'string'] }))],
  Inner: ['inner', struct({ Leaf: ['leaf', 'string'] })],
});

const decode = (body: string) => decodeXml(`<R xmlns="x">${body}</R>`, 'R', SHAPE);

describe('decodeXml', () => {
  it('reads scalars, lists and structures, and steps over what the shape does not name', () => {
    const out = decode(
      `<skip><name>not this</name><skip><x/></skip></skip><name>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#65;&#x42;</name>` +
        `<on>TRUE</on><count>42</count><at>2024-03-01T10:00:00.123Z</at>` +
        `<idSet><item>i-1</item><other>no</other><item>i-2</item></idSet>` +
        `<tagSet><item><key>k</key><value>v</value></item><item><key>only</key></item></tagSet><inner><leaf>x</leaf><unknown>y</unknown></inner>`,
    );
    expect(out).toEqual({
      Name: 'a & b <c> "d" \'e\' AB',
      On: true,
      Count: 42,
      At: new Date('2024-03-01T10:00:00.123Z'),
      Ids: ['i-1', 'i-2'],
      Tags: [{ Key: 'k', Value: 'v' }, { Key: 'only' }],
      Inner: { Leaf: 'x' },
    });
  });

  it('reads empty and self-closing elements as the SDK does: "" for text, [] for lists, {} for structures', () => {
    expect(decode('<name/><idSet/><tagSet></tagSet><inner/><on></on>')).toEqual({ Name: '', Ids: [], Tags: [], Inner: {}, On: false });
    expect(decode('<idSet>\n  </idSet><name>\n   </name>')).toEqual({ Ids: [], Name: '' });
    // Whitespace without a line break is a value.
    expect(decode('<name>  </name>')).toEqual({ Name: '  ' });
    expect(decode('<name>\u00a0\n</name>')).toEqual({ Name: '' });
  });

  it('takes CDATA literally and skips comments and processing instructions', () => {
    expect(decode('<!-- c --><name>a<![CDATA[<&amp;>]]>b<!-- no -->c<?pi x?></name><?pi?>')).toEqual({ Name: 'a<&amp;>bc' });
    expect(decode('<idSet><!-- c --><item>1</item><![CDATA[x]]></idSet>')).toEqual({ Ids: ['1'] });
  });

  it('drops unknown named entities and decodes references above U+FFFF as one character', () => {
    expect(decode('<name>&nbsp;x&#x1F600;&#128512;</name>')).toEqual({ Name: 'x\u{1F600}\u{1F600}' });
  });

  it('skips a prolog and steps over attributes, even with ">" in a quoted value', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- hi -->\n<!DOCTYPE R>\n<R a='1>2' b="x"><name>n</name></R>\n<!-- bye -->\n`;
    expect(decodeXml(text, 'R', SHAPE)).toEqual({ Name: 'n' });
    expect(decodeXml('<R/>', 'R', SHAPE)).toEqual({});
  });

  it('descends into an awsQuery result element', () => {
    expect(decodeXml('<OpResponse><OpResult><name>n</name></OpResult><ResponseMetadata/></OpResponse>', 'OpResponse', SHAPE, 'OpResult')).toEqual({ Name: 'n' });
  });

  it.each([
    ['another root element', '<Other/>', /expected <R>/],
    ['a truncated answer', '<R><name>abc', /missing closing tag/],
    ['a truncated skipped element', '<R><skip><a>', /missing closing tag/],
    ['mismatched tags', '<R><name>a</nam></R>', /mismatched tags <name> and <\/nam>/],
    ['mismatched tags inside a skipped element', '<R><skip><a></b></skip></R>', /mismatched tags <a> and <\/b>/],
    ['an element where text belongs', '<R><name><b>x</b></name></R>', /holds an element where text was expected/],
    ['a repeated member', '<R><name>a</name><name>b</name></R>', /appears twice/],
    ['a bad timestamp', '<R><at>2024-03-01 10:00</at></R>', /not an RFC 3339 timestamp/],
    ['content after the root', '<R/><R/>', /content after the root element/],
    ['text before the root', 'oops<R/>', /unexpected content before the root element/],
    ['an empty body', '', /no root element/],
    ['an HTML page', '<!DOCTYPE html><html><body>502</body></html>', /expected <R>/],
    ['an unclosed CDATA section', '<R><name><![CDATA[x</name></R>', /unclosed CDATA/],
  ])('refuses %s', (_, text, message) => {
    expect(() => decodeXml(text, 'R', SHAPE)).toThrow(message);
    try {
      decodeXml(text, 'R', SHAPE);
    } catch (err) {
      expect((err as Error).name).toBe('InvalidResponse');
    }
  });
});

// ---- differential: the projection equals the SDK's own reading of the same answer ----------------

/** An EC2 client answering every request with `body`, using the SDK's protocol or the projecting one. */
function clientAnswering(body: () => Uint8Array | Readable, fast: boolean): EC2Client {
  return answering(EC2Client, fast ? fastEc2Protocol(EC2_DECODERS) : undefined, body);
}

function answering<C>(Client: new (config: Record<string, unknown>) => C, protocol: unknown, body: () => Uint8Array | Readable): C {
  return new Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
    ...(protocol ? { protocol } : {}),
    requestHandler: {
      handle: async () => ({ response: { statusCode: 200, headers: { 'Content-Type': 'text/xml;charset=UTF-8', 'X-Amzn-RequestId': 'req-1' }, body: body() } }),
    },
  });
}

/** The members `shape` names, taken from the SDK's output (Dates compared by time). */
function project(shape: Shape, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof shape === 'string') return value instanceof Date ? value.getTime() : value;
  if ('list' in shape) return (value as unknown[]).map((v) => project(shape.list, v));
  const out: Record<string, unknown> = {};
  for (const [member, [, s]] of Object.entries((shape as StructShape).struct)) {
    const v = project(s, (value as Record<string, unknown>)[member]);
    if (v !== undefined) out[member] = v;
  }
  return out;
}

/** Dates as times, everything else as is, all the way down. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** Text as a server might escape it: entities, numeric references, or CDATA, chosen per piece. */
const escapedText = (text: string, style: number): string => {
  if (style === 2 && !text.includes(']]>')) return `<![CDATA[${text}]]>`;
  return text.replace(/[&<>"']/g, (c) => (style === 1 ? `&#${c.charCodeAt(0)};` : { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }[c] as string));
};

const nasty = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('&', '<', '>', '"', "'", ' ', '\n', 'a', 'é', '\u{1F600}', ']', '\t'), maxLength: 10 }),
  fc.constantFrom('vpce-0a1b2c3d4e5f67890', 'com.amazonaws.us-east-1.s3', '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'),
);

interface Piece {
  name: string;
  text?: string;
  children?: Piece[];
  list?: Piece[];
}

const textPiece = (name: string) => nasty.map((text): Piece => ({ name, text }));
const tagItem = fc.record({ key: nasty, value: fc.option(nasty, { nil: undefined }) }).map(({ key, value }): Piece => ({
  name: 'item',
  children: [{ name: 'key', text: key }, ...(value === undefined ? [] : [{ name: 'value', text: value }])],
}));
/** Elements the projection does not name, some reusing names it does (at another depth). */
const unknownPiece: fc.Arbitrary<Piece> = fc.oneof(
  textPiece('ipAddressType'),
  fc.array(textPiece('item'), { maxLength: 3 }).map((items): Piece => ({ name: 'routeTableIdSet', list: items })),
  fc.array(fc.record({ dnsName: nasty, hostedZoneId: nasty }).map((d): Piece => ({ name: 'item', children: [{ name: 'dnsName', text: d.dnsName }, { name: 'hostedZoneId', text: d.hostedZoneId }] })), { maxLength: 2 }).map((items): Piece => ({ name: 'dnsEntrySet', list: items })),
  fc.constant<Piece>({ name: 'lastError', children: [{ name: 'vpcId', text: 'not the endpoint vpc' }, { name: 'tagSet', list: [] }] }),
);

const endpointPiece = fc
  .record(
    {
      vpcEndpointId: textPiece('vpcEndpointId'),
      vpcEndpointType: fc.constantFrom('Interface', 'Gateway', 'GatewayLoadBalancer', 'Resource').map((text): Piece => ({ name: 'vpcEndpointType', text })),
      vpcId: textPiece('vpcId'),
      serviceName: textPiece('serviceName'),
      serviceNetworkArn: textPiece('serviceNetworkArn'),
      resourceConfigurationArn: textPiece('resourceConfigurationArn'),
      state: textPiece('state'),
      policyDocument: textPiece('policyDocument'),
      subnetIdSet: fc.array(textPiece('item'), { maxLength: 3 }).map((items): Piece => ({ name: 'subnetIdSet', list: items })),
      groupSet: fc.array(fc.record({ groupId: nasty, groupName: nasty }).map((g): Piece => ({ name: 'item', children: [{ name: 'groupId', text: g.groupId }, { name: 'groupName', text: g.groupName }] })), { maxLength: 2 }).map((items): Piece => ({ name: 'groupSet', list: items })),
      privateDnsEnabled: fc.constantFrom('true', 'false', 'True').map((text): Piece => ({ name: 'privateDnsEnabled', text })),
      requesterManaged: fc.constantFrom('true', 'false').map((text): Piece => ({ name: 'requesterManaged', text })),
      creationTimestamp: fc.date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }).map((d): Piece => ({ name: 'creationTimestamp', text: d.toISOString() })),
      tagSet: fc.array(tagItem, { maxLength: 3 }).map((items): Piece => ({ name: 'tagSet', list: items })),
    },
    { requiredKeys: [] },
  )
  .chain((members) => fc.tuple(fc.constant(Object.values(members)), fc.uniqueArray(unknownPiece, { maxLength: 2, selector: (p) => p.name })))
  .chain(([known, unknown]) => fc.shuffledSubarray([...known, ...unknown], { minLength: known.length + unknown.length }))
  .map((children): Piece => ({ name: 'item', children }));

/** Renders pieces compactly or pretty-printed, each text escaped in its own style. */
function render(piece: Piece, pretty: boolean, styles: number[], depth = 0): string {
  const pad = pretty ? `\n${'  '.repeat(depth)}` : '';
  const style = styles[depth % styles.length] ?? 0;
  if (piece.text !== undefined) return `${pad}<${piece.name}>${escapedText(piece.text, style)}</${piece.name}>`;
  const kids = piece.list ?? piece.children ?? [];
  if (kids.length === 0 && style === 1) return `${pad}<${piece.name}/>`;
  return `${pad}<${piece.name}>${kids.map((k) => render(k, pretty, styles, depth + 1)).join('')}${pad}</${piece.name}>`;
}

const pageBody = fc
  .record({
    endpoints: fc.array(endpointPiece, { maxLength: 4 }),
    next: fc.option(nasty, { nil: undefined }),
    pretty: fc.boolean(),
    styles: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }),
  })
  .map(({ endpoints, next, pretty, styles }) => {
    const members: Piece[] = [{ name: 'requestId', text: 'req-1' }, { name: 'vpcEndpointSet', list: endpoints }, ...(next === undefined ? [] : [{ name: 'nextToken', text: next }])];
    return `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeVpcEndpointsResponse xmlns="${EC2_XMLNS}">${members.map((m) => render(m, pretty, styles, 1)).join('')}\n</DescribeVpcEndpointsResponse>`;
  });

const text = (name: string) => textPiece(name);
const members = (name: string, item: fc.Arbitrary<Piece>) => fc.array(item, { maxLength: 3 }).map((items): Piece => ({ name, list: items }));
const entry = (fields: Record<string, fc.Arbitrary<Piece>>) =>
  fc
    .record(fields, { requiredKeys: [] })
    .chain((m) => fc.shuffledSubarray(Object.values(m) as Piece[], { minLength: Object.keys(m).length }))
    .map((children): Piece => ({ name: 'member', children }));
const inlinePolicy = entry({ PolicyName: text('PolicyName'), PolicyDocument: text('PolicyDocument') });
const attachedPolicy = entry({ PolicyName: text('PolicyName'), PolicyArn: text('PolicyArn') });
const iamTag = entry({ Key: text('Key'), Value: text('Value') });
const boundaryPiece = fc.record({ t: nasty, a: nasty }).map(({ t, a }): Piece => ({ name: 'PermissionsBoundary', children: [{ name: 'PermissionsBoundaryType', text: t }, { name: 'PermissionsBoundaryArn', text: a }] }));
const common = { Path: text('Path'), Arn: text('Arn'), CreateDate: fc.constant<Piece>({ name: 'CreateDate', text: '2024-01-01T00:00:00Z' }), AttachedManagedPolicies: members('AttachedManagedPolicies', attachedPolicy) };
const gaadBody = fc
  .record({
    users: fc.array(entry({ ...common, UserName: text('UserName'), UserId: text('UserId'), UserPolicyList: members('UserPolicyList', inlinePolicy), GroupList: members('GroupList', text('member')), PermissionsBoundary: boundaryPiece, Tags: members('Tags', iamTag) }), { maxLength: 2 }),
    groups: fc.array(entry({ ...common, GroupName: text('GroupName'), GroupId: text('GroupId'), GroupPolicyList: members('GroupPolicyList', inlinePolicy) }), { maxLength: 2 }),
    roles: fc.array(
      entry({
        ...common,
        RoleName: text('RoleName'),
        RoleId: text('RoleId'),
        AssumeRolePolicyDocument: text('AssumeRolePolicyDocument'),
        RolePolicyList: members('RolePolicyList', inlinePolicy),
        PermissionsBoundary: boundaryPiece,
        Tags: members('Tags', iamTag),
        // Not projected: stepped over, with elements of projected names inside.
        InstanceProfileList: members('InstanceProfileList', entry({ Arn: text('Arn'), Path: text('Path'), Roles: members('Roles', entry({ RoleName: text('RoleName') })) })),
        RoleLastUsed: fc.constant<Piece>({ name: 'RoleLastUsed', children: [{ name: 'Region', text: 'us-east-1' }] }),
      }),
      { maxLength: 3 },
    ),
    policies: fc.array(
      entry({
        ...common,
        PolicyName: text('PolicyName'),
        PolicyId: text('PolicyId'),
        DefaultVersionId: text('DefaultVersionId'),
        AttachmentCount: fc.integer({ min: 0, max: 5000 }).map((n): Piece => ({ name: 'AttachmentCount', text: String(n) })),
        IsAttachable: fc.constant<Piece>({ name: 'IsAttachable', text: 'true' }),
        PolicyVersionList: members('PolicyVersionList', entry({ Document: text('Document'), VersionId: text('VersionId'), IsDefaultVersion: fc.constantFrom('true', 'false').map((t): Piece => ({ name: 'IsDefaultVersion', text: t })) })),
      }),
      { maxLength: 2 },
    ),
    truncated: fc.constantFrom('true', 'false'),
    marker: fc.option(nasty, { nil: undefined }),
    pretty: fc.boolean(),
    styles: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }),
  })
  .map(({ users, groups, roles, policies, truncated, marker, pretty, styles }) => {
    const result: Piece = {
      name: 'GetAccountAuthorizationDetailsResult',
      children: [
        { name: 'UserDetailList', list: users },
        { name: 'GroupDetailList', list: groups },
        { name: 'RoleDetailList', list: roles },
        { name: 'Policies', list: policies },
        { name: 'IsTruncated', text: truncated },
        ...(marker === undefined ? [] : [{ name: 'Marker', text: marker }]),
      ],
    };
    const meta: Piece = { name: 'ResponseMetadata', children: [{ name: 'RequestId', text: 'req-1' }] };
    return `<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">${render(result, pretty, styles, 1)}${render(meta, pretty, styles, 1)}</GetAccountAuthorizationDetailsResponse>`;
  });

describe('the projecting decoder against the SDK', () => {
  it('reads every projected member of a GetAccountAuthorizationDetails page exactly as the SDK does', async () => {
    await fc.assert(
      fc.asyncProperty(gaadBody, async (body) => {
        const bytes = new TextEncoder().encode(body);
        const command = () => new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 });
        const sdk = await answering(IAMClient, undefined, () => bytes).send(command());
        const fast = await answering(IAMClient, fastQueryProtocol(IAM_DECODERS), () => bytes).send(command());
        const { $metadata: fastMeta, ...fastData } = fast;
        expect(plain(fastData)).toEqual(project(GET_ACCOUNT_AUTHORIZATION_DETAILS, sdk));
        expect(fastMeta).toEqual(sdk.$metadata);
      }),
      { numRuns: 200 },
    );
  });

  it('reads every projected member of a DescribeVpcEndpoints page exactly as the SDK does', async () => {
    await fc.assert(
      fc.asyncProperty(pageBody, async (body) => {
        const bytes = new TextEncoder().encode(body);
        const command = () => new DescribeVpcEndpointsCommand({ MaxResults: 1000 });
        const sdk = await clientAnswering(() => bytes, false).send(command());
        const fast = await clientAnswering(() => bytes, true).send(command());
        const { $metadata: fastMeta, ...fastData } = fast;
        expect(project(DESCRIBE_VPC_ENDPOINTS, fastData)).toEqual(project(DESCRIBE_VPC_ENDPOINTS, sdk));
        // Nothing beyond the projection, and the SDK's metadata.
        expect(project(DESCRIBE_VPC_ENDPOINTS, fastData)).toEqual(plain(fastData));
        expect(fastMeta).toEqual(sdk.$metadata);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a streamed body too, and leaves error answers to the SDK', async () => {
    const body = `<DescribeVpcEndpointsResponse xmlns="${EC2_XMLNS}"><vpcEndpointSet><item><vpcEndpointId>vpce-1</vpcEndpointId></item></vpcEndpointSet></DescribeVpcEndpointsResponse>`;
    const streamed = await clientAnswering(() => Readable.from([Buffer.from(body.slice(0, 50)), Buffer.from(body.slice(50))]), true).send(new DescribeVpcEndpointsCommand({}));
    expect(streamed.VpcEndpoints).toEqual([{ VpcEndpointId: 'vpce-1' }]);

    const failing = new EC2Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      maxAttempts: 1,
      protocol: fastEc2Protocol(EC2_DECODERS),
      requestHandler: {
        handle: async () => ({
          response: { statusCode: 403, headers: {}, body: new TextEncoder().encode('<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized.</Message></Error></Errors><RequestID>r</RequestID></Response>') },
        }),
      },
    });
    await expect(failing.send(new DescribeVpcEndpointsCommand({}))).rejects.toMatchObject({ name: 'UnauthorizedOperation', message: 'You are not authorized.', $metadata: { httpStatusCode: 403 } });
  });

  it('turns a malformed success into InvalidResponse, as the collectors record it', async () => {
    const client = clientAnswering(() => new TextEncoder().encode(`<DescribeVpcEndpointsResponse><vpcEndpointSet><item><vpcId>x</vpcEndpointSet>`), true);
    await expect(client.send(new DescribeVpcEndpointsCommand({}))).rejects.toMatchObject({ name: 'InvalidResponse' });
  });
});
