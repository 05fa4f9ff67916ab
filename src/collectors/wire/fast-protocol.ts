// The SDK's query protocols (EC2, IAM) with the projecting decoder (xml-decode.ts) reading the
// successful answers of the few operations whose pages are large. Everything else stays the
// SDK's: request serialization, signing, retries, endpoints, and the reading of every error answer
// (so error codes, throttling detection and $metadata are exactly the SDK's). A client gets it
// through its documented `protocol` setting.
import { AwsEc2QueryProtocol, AwsQueryProtocol } from '@aws-sdk/core/protocols';
import type { HandlerExecutionContext, HttpResponse, MetadataBearer, OperationSchema, SerdeFunctions } from '@smithy/types';
import { decodeXml, type StructShape } from './xml-decode.js';

/** How one operation's successful answer is read: its root element, awsQuery's result element, and the members to keep. */
export interface FastDecoder {
  root: string;
  result?: string;
  shape: StructShape;
}

type Decoders = Readonly<Record<string, FastDecoder>>;
type Context = HandlerExecutionContext & SerdeFunctions;
type QueryProtocolClass = new (options: ConstructorParameters<typeof AwsQueryProtocol>[0]) => AwsQueryProtocol;

const utf8 = new TextDecoder();

/**
 * Large pages are read one per turn of the event loop. Reading a page takes milliseconds of CPU;
 * when dozens of pages arrive together, reading them back to back would keep every small answer
 * that came in meanwhile (an AssumeRole, a ListConnections page, a tag call: the links of the
 * chains that set a collection's length) waiting for all of them. Between two pages, whatever
 * else has arrived is handled first.
 */
const readers: Array<() => void> = [];
let turning = false;

function readingTurn(): Promise<void> {
  return new Promise((resolve) => {
    readers.push(resolve);
    if (!turning) {
      turning = true;
      setImmediate(nextReader);
    }
  });
}

function nextReader(): void {
  readers.shift()?.();
  // Scheduled from the check phase, the next reader waits for the next loop, after its I/O.
  if (readers.length > 0) setImmediate(nextReader);
  else turning = false;
}

function withDecoders<B extends QueryProtocolClass>(Base: B, decoders: Decoders): B {
  // The mixin's constructor must take `any[]` (TypeScript's rule for mixin classes).
  return class extends (Base as new (...args: any[]) => AwsQueryProtocol) {
    override async deserializeResponse<Output extends MetadataBearer>(operationSchema: OperationSchema, context: Context, response: HttpResponse): Promise<Output> {
      const operation = operationSchema.name.split('#')[1] ?? operationSchema.name;
      const decoder = Object.hasOwn(decoders, operation) ? decoders[operation] : undefined;
      if (decoder === undefined || response.statusCode < 200 || response.statusCode > 299) {
        return super.deserializeResponse<Output>(operationSchema, context, response);
      }
      // As the SDK does before reading a success: header names in lower case, for the metadata.
      for (const header of Object.keys(response.headers)) {
        const value = response.headers[header] as string;
        delete response.headers[header];
        response.headers[header.toLowerCase()] = value;
      }
      const body = response.body as unknown;
      const bytes = body instanceof Uint8Array ? body : await context.streamCollector(body);
      await readingTurn();
      const output = decodeXml(utf8.decode(bytes), decoder.root, decoder.shape, decoder.result) as Record<string, unknown>;
      output.$metadata = this.deserializeMetadata(response);
      return output as Output;
    }
  } as unknown as B;
}

/** EC2's query protocol, with `decoders` reading the named operations' successful answers. */
export function fastEc2Protocol(decoders: Decoders): typeof AwsEc2QueryProtocol {
  return withDecoders(AwsEc2QueryProtocol, decoders);
}

/** The awsQuery protocol (IAM, STS), with `decoders` reading the named operations' successful answers. */
export function fastQueryProtocol(decoders: Decoders): typeof AwsQueryProtocol {
  return withDecoders(AwsQueryProtocol, decoders);
}
