// The SDK's query protocols (EC2, IAM) with the projecting decoder (xml-decode.ts) reading the
// successful answers of the few operations whose pages are large. Everything else stays the
// SDK's: request serialization, signing, retries, endpoints, and the reading of every error answer
// (so error codes, throttling detection and $metadata are exactly the SDK's). A client gets it
// through its documented `protocol` setting.
import { AwsEc2QueryProtocol, AwsQueryProtocol } from '@aws-sdk/core/protocols';
import type { HandlerExecutionContext, HttpResponse, MetadataBearer, OperationSchema, SerdeFunctions } from '@smithy/types';
import { PageReaders } from './page-threads.js';
import { hasDecoder, type DecoderSet } from './pages.js';
import type { StructShape } from './xml-decode.js';

/** How one operation's successful answer is read: its root element, awsQuery's result element, and the members to keep. */
export interface FastDecoder {
  root: string;
  result?: string;
  shape: StructShape;
}

type Context = HandlerExecutionContext & SerdeFunctions;
type QueryProtocolClass = new (options: ConstructorParameters<typeof AwsQueryProtocol>[0]) => AwsQueryProtocol;

function withDecoders<B extends QueryProtocolClass>(Base: B, set: DecoderSet, pages: PageReaders): B {
  // The mixin's constructor must take `any[]` (TypeScript's rule for mixin classes).
  return class extends (Base as new (...args: any[]) => AwsQueryProtocol) {
    override async deserializeResponse<Output extends MetadataBearer>(operationSchema: OperationSchema, context: Context, response: HttpResponse): Promise<Output> {
      const operation = operationSchema.name.split('#')[1] ?? operationSchema.name;
      if (!hasDecoder(set, operation) || response.statusCode < 200 || response.statusCode > 299) {
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
      const output = await pages.read(set, operation, bytes);
      output.$metadata = this.deserializeMetadata(response);
      return output as Output;
    }
  } as unknown as B;
}

const HERE = new PageReaders(0);

/** EC2's query protocol, its listings' successful answers read by the projecting decoder, through `pages`. */
export function fastEc2Protocol(pages: PageReaders = HERE): typeof AwsEc2QueryProtocol {
  return withDecoders(AwsEc2QueryProtocol, 'ec2', pages);
}

/** The awsQuery protocol of IAM, GetAccountAuthorizationDetails read by the projecting decoder, through `pages`. */
export function fastQueryProtocol(pages: PageReaders = HERE): typeof AwsQueryProtocol {
  return withDecoders(AwsQueryProtocol, 'iam', pages);
}
