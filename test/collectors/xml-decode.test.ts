import { Readable } from 'node:stream';
import * as ec2 from '@aws-sdk/client-ec2';
import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastEc2Protocol, fastQueryProtocol, type FastDecoder } from '../../src/collectors/wire/fast-protocol.js';
import { EC2_DECODERS, IAM_DECODERS } from '../../src/collectors/wire/shapes.js';
import { decodeXml, list, struct, type Shape, type StructShape } from '../../src/collectors/wire/xml-decode.js';
import { EC2_XMLNS } from './ec2-wire.js';

const { DescribeVpcEndpointsCommand, EC2Client } = ec2;

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
      At: '2024-03-01T10:00:00.123Z',
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
//
// Answers are generated from the projection's own shape (so every member of every decoder is
// covered, and a member added to a shape is covered with it), with elements the shape does not
// name mixed in (some reusing names it does name, at another depth), text escaped as entities,
// character references or CDATA, compact or pretty-printed. The SDK's deserializer reads each
// answer too, and the two must agree on every projected member.

/** An element: text, or children (a list's items are children named after the item). */
interface Piece {
  name: string;
  text?: string;
  children?: Piece[];
}

/** Text as a server might escape it: entities, numeric references, or CDATA, chosen per piece. */
const escapedText = (text: string, style: number): string => {
  if (style === 2 && !text.includes(']]>')) return `<![CDATA[${text}]]>`;
  return text.replace(/[&<>"']/g, (c) => (style === 1 ? `&#${c.charCodeAt(0)};` : { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }[c] as string));
};

const nasty = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('&', '<', '>', '"', "'", ' ', '\n', 'a', 'é', '\u{1F600}', ']', '\t'), maxLength: 10 }),
  fc.constantFrom('vpce-0a1b2c3d4e5f67890', 'com.amazonaws.us-east-1.s3', '%7B%22Version%22%3A%222012-10-17%22%7D', '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}'),
);

const scalarText: Record<string, fc.Arbitrary<string>> = {
  string: nasty,
  boolean: fc.constantFrom('true', 'false', 'True', 'FALSE'),
  integer: fc.integer({ min: 0, max: 1_000_000 }).map(String),
  timestamp: fc
    .tuple(fc.date({ min: new Date('2001-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), fc.constantFrom('ms', 's', 'offset'))
    .map(([d, form]) => (form === 'ms' ? d.toISOString() : form === 's' ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : d.toISOString().replace(/\.\d{3}Z$/, '+00:00'))),
};

/**
 * Elements a shape does not name: text under any name (members the SDK knows but the projection
 * leaves out, or names the projection uses elsewhere), and nested elements, holding names the
 * projection uses, under names no version of the API has (the SDK would refuse nested content in
 * a member it knows as text).
 */
function unknownPiece(names: string[]): fc.Arbitrary<Piece> {
  const anyName = fc.oneof(fc.constantFrom('ipAddressType', 'ownerId', 'payerResponsibility', 'RoleLastUsed'), fc.constantFrom(...names));
  return fc.oneof(
    fc.record({ name: anyName, text: nasty }),
    fc.record({ name: fc.constantFrom('futureFeatureSet', 'NewDetailList'), children: fc.array(fc.record({ name: fc.constantFrom('item', 'member', ...names), text: nasty }), { maxLength: 3 }) }),
  );
}

/** Content generated for `shape`, with unknown elements among a structure's members. */
function arbitraryFor(shape: Shape, name: string, names: string[]): fc.Arbitrary<Piece> {
  if (typeof shape === 'string') return (scalarText[shape] as fc.Arbitrary<string>).map((text) => ({ name, text }));
  if ('list' in shape) return fc.array(arbitraryFor(shape.list, shape.item, names), { maxLength: 3 }).map((children) => ({ name, children }));
  const members = Object.values(shape.struct);
  const own = new Set(members.map(([wire]) => wire));
  return fc
    .tuple(
      fc.tuple(...members.map(([wire, s]) => fc.option(arbitraryFor(s, wire, names), { nil: undefined }))),
      // Unknown elements take names the structure does not have (a repeated member is not an answer AWS gives).
      fc.uniqueArray(unknownPiece(names.filter((n) => !own.has(n))), { maxLength: 2, selector: (p) => p.name }).map((ps) => ps.filter((p) => !own.has(p.name))),
    )
    .chain(([known, unknown]) => {
      const all = [...known.filter((p): p is Piece => p !== undefined), ...unknown];
      return fc.shuffledSubarray(all, { minLength: all.length });
    })
    .map((children) => ({ name, children }));
}

function wireNames(shape: Shape, into = new Set<string>()): string[] {
  if (typeof shape !== 'string') {
    if ('list' in shape) wireNames(shape.list, into);
    else for (const [wire, s] of Object.values(shape.struct)) wireNames(s, into.add(wire));
  }
  return [...into];
}

/** Renders pieces compactly or pretty-printed, each text escaped in its own style; an empty element sometimes as `<x/>`. */
function render(piece: Piece, pretty: boolean, styles: number[], depth = 0): string {
  const pad = pretty ? `\n${'  '.repeat(depth)}` : '';
  const style = styles[depth % styles.length] ?? 0;
  if (piece.text !== undefined) return `${pad}<${piece.name}>${escapedText(piece.text, style)}</${piece.name}>`;
  const kids = piece.children ?? [];
  if (kids.length === 0 && style === 1) return `${pad}<${piece.name}/>`;
  return `${pad}<${piece.name}>${kids.map((k) => render(k, pretty, styles, depth + 1)).join('')}${pad}</${piece.name}>`;
}

/** A whole answer for `decoder`, as EC2 (requestId first) or awsQuery (Result, then ResponseMetadata) writes it. */
function answerFor(decoder: FastDecoder): fc.Arbitrary<string> {
  const names = wireNames(decoder.shape);
  return fc
    .record({ body: arbitraryFor(decoder.shape, decoder.result ?? decoder.root, names), pretty: fc.boolean(), styles: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }) })
    .map(({ body, pretty, styles }) => {
      const children = (body.children ?? []).map((c) => render(c, pretty, styles, decoder.result ? 2 : 1)).join('');
      if (decoder.result) {
        return `<${decoder.root} xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><${decoder.result}>${children}</${decoder.result}><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></${decoder.root}>`;
      }
      return `<?xml version="1.0" encoding="UTF-8"?>\n<${decoder.root} xmlns="${EC2_XMLNS}"><requestId>req-1</requestId>${children}\n</${decoder.root}>`;
    });
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

/** The members `shape` names, taken from the SDK's output (its Dates as the decoder gives them: ISO 8601 in UTC). */
function project(shape: Shape, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof shape === 'string') return value instanceof Date ? value.toISOString() : value;
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

/** An EC2 client answering every request with `body`, using the SDK's protocol or the projecting one. */
function clientAnswering(body: () => Uint8Array | Readable, fast: boolean): ec2.EC2Client {
  return answering(EC2Client, fast ? fastEc2Protocol() : undefined, body);
}

type Send = (client: unknown) => Promise<{ $metadata: unknown }>;

const cases: Array<[string, FastDecoder, new (config: Record<string, unknown>) => unknown, unknown, Send]> = [
  ...Object.entries(EC2_DECODERS).map(([operation, decoder]): [string, FastDecoder, new (config: Record<string, unknown>) => unknown, unknown, Send] => {
    const Command = (ec2 as unknown as Record<string, new (input: object) => unknown>)[`${operation}Command`] as new (input: object) => unknown;
    return [operation, decoder, EC2Client, fastEc2Protocol(), (client) => (client as { send(c: unknown): Promise<{ $metadata: unknown }> }).send(new Command({}))];
  }),
  ...Object.entries(IAM_DECODERS).map(([operation, decoder]): [string, FastDecoder, new (config: Record<string, unknown>) => unknown, unknown, Send] => [
    operation,
    decoder,
    IAMClient,
    fastQueryProtocol(),
    (client) => (client as IAMClient).send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 })),
  ]),
];

describe('the projecting decoder against the SDK', () => {
  it.each(cases)('reads every projected member of a %s answer exactly as the SDK does', async (_, decoder, Client, protocol, send) => {
    await fc.assert(
      fc.asyncProperty(answerFor(decoder), async (body) => {
        const bytes = new TextEncoder().encode(body);
        const sdk = (await send(answering(Client, undefined, () => bytes))) as Record<string, unknown>;
        const { $metadata: fastMeta, ...fastData } = await send(answering(Client, protocol, () => bytes));
        // The projection's members and nothing else, each as the SDK reads it; and the SDK's metadata.
        expect(plain(fastData)).toEqual(project(decoder.shape, sdk));
        expect(fastMeta).toEqual(sdk.$metadata);
      }),
      { numRuns: 150 },
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
      protocol: fastEc2Protocol(),
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
