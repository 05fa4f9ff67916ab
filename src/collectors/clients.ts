import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { escapeControlChars } from '../io/untrusted-text.js';
import { bounded, timeoutError, type RunDeadline } from './bounds.js';
import { limitRequests, type RequestLimiter } from './requests.js';
import { fastEc2Protocol, fastQueryProtocol } from './wire/fast-protocol.js';
import type { PageReaders } from './wire/page-threads.js';
import { clientSettings, type SdkSettings } from './sdk-settings.js';

/** How clients reach AWS: everything the AWS CLI takes from flags, the rest from the environment. */
export interface AwsOptions {
  /** Credentials; default: the SDK's chain (environment, profiles, SSO, web identity, metadata). */
  credentials?: AwsCredentialIdentityProvider;
  /** --endpoint-url; AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are read by the SDK itself. */
  endpointUrl?: string;
  maxAttempts: number;
  /** Per-request timeout, so that a silent endpoint cannot hang a scan. */
  timeoutMs: number;
  /** Told of every operation issued (`service:Operation`), for the least-privilege policy test. */
  onOperation?: (operation: string) => void;
  /** Told of every HTTP request sent (each retry too), for progress. */
  onRequest?: () => void;
  /** The whole run's bound (--max-duration): calls not answered by then fail with MaxDurationExceeded. */
  deadline?: RunDeadline;
  /** Told of every HTTP answer (each retry too), and whether it was a throttle, for progress. */
  onAnswer?: (throttled: boolean) => void;
  /** Bounds the HTTP requests in flight over every client given it (a collection's --concurrency). */
  requests?: RequestLimiter;
  /** Connections shared by every client given them (see sharedAgents). */
  agents?: Agents;
  /** Where the large pages of EC2 and IAM listings are read (wire/page-threads.ts); default: on this thread. */
  pages?: PageReaders;
  /** Client settings resolved once for the whole collection (sdk-settings.ts); default: each client resolves its own. */
  settings?: SdkSettings;
}

export interface Agents {
  http: HttpAgent;
  https: HttpsAgent;
}

/**
 * One pool of keep-alive connections for a whole collection. Each SDK client would otherwise keep
 * its own, and a collection makes a client per service, region and account: hundreds of clients
 * reaching the same few endpoints (ec2.us-east-1.amazonaws.com for every account), each paying
 * its own TCP and TLS handshakes. A connection carries no credentials (every request is signed
 * on its own), so sharing them across accounts is safe. At most `sockets` per endpoint: the
 * request limiter already bounds requests in flight to that.
 */
export function sharedAgents(sockets: number): Agents & { destroy(): void } {
  const http = new HttpAgent({ keepAlive: true, maxSockets: sockets });
  const https = new HttpsAgent({ keepAlive: true, maxSockets: sockets });
  return {
    http,
    https,
    destroy() {
      http.destroy();
      https.destroy();
    },
  };
}

type ClientClass<C> = new (config: Record<string, unknown>) => C;

/** Protocols with the projecting decoder (wire/), by client: the large answers are EC2's and IAM's. */
type Protocols = ReadonlyMap<Function, unknown>;
const PROTOCOLS: Protocols = new Map<Function, unknown>([
  [EC2Client, fastEc2Protocol()],
  [IAMClient, fastQueryProtocol()],
]);
const protocolsByPages = new WeakMap<PageReaders, Protocols>();

/** The protocol classes of one collection's clients, made once per PageReaders, which they share. */
function protocolsFor(pages: PageReaders | undefined): Protocols {
  if (pages === undefined) return PROTOCOLS;
  let protocols = protocolsByPages.get(pages);
  if (!protocols) {
    protocols = new Map<Function, unknown>([
      [EC2Client, fastEc2Protocol(pages)],
      [IAMClient, fastQueryProtocol(pages)],
    ]);
    protocolsByPages.set(pages, protocols);
  }
  return protocols;
}

type Handler = (args: unknown) => Promise<{ response?: unknown }>;

interface MiddlewareStack {
  add(
    mw: (next: Handler, context: { commandName?: string }) => Handler,
    options: { step: 'initialize' | 'deserialize'; priority?: 'low'; name: string },
  ): void;
}

interface RawResponse {
  statusCode: number;
  headers?: Record<string, string | undefined>;
  body: unknown;
}

interface RawRequest {
  protocol?: string;
  hostname?: string;
  port?: number;
}

/** Which wire protocol a service speaks, and so what a genuine success answer starts with. */
type Protocol = 'xml' | 'json';

type BodyClient = { config: { streamCollector: (body: unknown) => Promise<Uint8Array> } };

/**
 * Each HTTP attempt, where it meets the wire (after retries and signing, before deserializing):
 * - counted (onRequest), and refused once the run's deadline has passed;
 * - bounded as a whole by --timeout: connection, headers and the whole body (read here, into a
 *   buffer the deserializer then reads), so an answer that stalls midway is a TimeoutError the
 *   SDK retries, and then a coverage gap;
 * - a 2xx answer whose body is not the service's (a proxy's HTML page, an empty body, another
 *   operation's answer) is refused: the SDK would read it as an empty result, "no resources". An
 *   XML answer must have `<OperationResponse>` as its root, a JSON answer must be an object. The
 *   refusal is an InvalidResponse coverage gap like any other failure.
 */
function attemptCheck(client: BodyClient, protocol: Protocol, options: AwsOptions) {
  const timeoutMs = options.timeoutMs;
  const deadline = options.deadline;
  return (next: Handler, context: { commandName?: string }): Handler =>
    async (args) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      if (deadline?.expired) throw deadline.error(operation);
      options.onRequest?.();
      const started = performance.now();
      let out: { response?: unknown };
      try {
        out = await bounded(next(args), { ms: timeoutMs, onTimeout: () => timeoutError(operation, timeoutMs, 'answer'), ...(deadline ? { deadline } : {}), operation });
      } catch (err) {
        throw withEndpoint(err, (args as { request?: RawRequest }).request);
      }
      const response = out.response as RawResponse;
      let bytes: Uint8Array;
      try {
        bytes =
          response.body instanceof Uint8Array
            ? response.body
            : await bounded(client.config.streamCollector(response.body), {
                ms: Math.max(1, timeoutMs - (performance.now() - started)),
                onTimeout: () => timeoutError(operation, timeoutMs, 'body'),
                ...(deadline ? { deadline } : {}),
                operation,
                // The socket goes with the stalled body, so that it is neither reused nor left open.
                cleanup: () => (response.body as { destroy?: () => void } | undefined)?.destroy?.(),
              });
      } catch (err) {
        throw withEndpoint(err, (args as { request?: RawRequest }).request);
      }
      response.body = bytes; // the deserializer reads the buffered copy
      if (response.statusCode < 200 || response.statusCode > 299) {
        if (options.onAnswer) {
          // Throttles come as 429, 503 (EC2's RequestLimitExceeded) or a 400 naming them.
          let throttled = response.statusCode === 429 || response.statusCode === 503;
          if (response.statusCode === 400) throttled = /Throttl|RequestLimitExceeded|TooManyRequests|SlowDown/.test(new TextDecoder().decode(bytes.subarray(0, 512)));
          options.onAnswer(throttled);
        }
        return out;
      }
      options.onAnswer?.(false);
      const head = new TextDecoder().decode(bytes.subarray(0, 512));
      const genuine = protocol === 'xml' ? new RegExp(`^\\s*(<\\?xml[^>]*\\?>\\s*)?<${operation}Response[\\s>/]`).test(head) : /^\s*\{/.test(head);
      if (!genuine) {
        const expected = protocol === 'xml' ? `${operation}Response` : 'JSON object';
        throw Object.assign(new Error(describeAnswer(response, bytes, operation, expected)), { name: 'InvalidResponse' });
      }
      return out;
    };
}

/** A network failure names the endpoint it could not reach (network.ts reads it). */
function withEndpoint(err: unknown, request: RawRequest | undefined): unknown {
  if (request?.hostname && err !== null && typeof err === 'object' && !('linkauditEndpoint' in err)) {
    Object.defineProperty(err, 'linkauditEndpoint', { value: `${request.protocol ?? 'https:'}//${request.hostname}${request.port ? `:${request.port}` : ''}`, enumerable: false });
  }
  return err;
}

/** "HTTP 502 answer (content-type text/html) to X is not …: "<html>…"", the body's start escaped. */
function describeAnswer(response: RawResponse, bytes: Uint8Array | string, operation: string, expected: string): string {
  const contentType = headerOf(response, 'content-type');
  const text = typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes.subarray(0, 1024));
  const squeezed = text.replace(/\s+/g, ' ').trim();
  const shown = squeezed === '' ? 'an empty body' : `"${escapeControlChars(squeezed.slice(0, 200))}${squeezed.length > 200 ? '…' : ''}"`;
  return `HTTP ${response.statusCode} answer (content-type ${contentType ? escapeControlChars(contentType.slice(0, 100)) : 'none'}) to ${operation} is not the service's ${expected}: ${shown}`;
}

function headerOf(response: RawResponse, name: string): string | undefined {
  for (const [k, v] of Object.entries(response.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}

/**
 * An error answer that is not the service's error document (an emulator's or proxy's HTML 500
 * page, an empty 502, binary junk) reaches the SDK's error parser, which names it "Unknown" or
 * "XML parse error". Name it by its HTTP status and say what came instead: status, content type,
 * the body's start. Status and fault are kept, so that the SDK still retries a 5xx.
 */
function errorAnswerCheck(protocol: Protocol) {
  return (next: Handler, context: { commandName?: string }): Handler =>
    async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const e = err as { name?: string; message?: string; $response?: RawResponse; $fault?: string };
        const response = e?.$response;
        if (response && (response.statusCode < 200 || response.statusCode > 299) && !isServiceErrorBody(protocol, response.body)) {
          const operation = (context.commandName ?? '').replace(/Command$/, '');
          const body = response.body instanceof Uint8Array || typeof response.body === 'string' ? response.body : '';
          e.message = describeAnswer(response, body, operation, protocol === 'xml' ? 'XML error' : 'JSON error');
          e.name = `HTTP${response.statusCode}`;
          if (response.statusCode >= 500) e.$fault = 'server';
        }
        throw err;
      }
    };
}

/** Whether an error body is the service's own error document (a code the SDK could read). */
function isServiceErrorBody(protocol: Protocol, body: unknown): boolean {
  const text = body instanceof Uint8Array ? new TextDecoder().decode(body.subarray(0, 4096)) : typeof body === 'string' ? body.slice(0, 4096) : '';
  if (protocol === 'xml') return /^\s*(<\?xml[^>]*\?>\s*)?<(ErrorResponse|Response)[\s>][\s\S]*<Code>[^<]+<\/Code>/.test(text);
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && ['__type', 'code', 'Code'].some((k) => typeof (value as Record<string, unknown>)[k] === 'string');
  } catch {
    return false;
  }
}

/** The SDK's Node HTTP handler settings: timeouts, and the collection's shared connections if any. */
export function requestHandlerOptions(options: AwsOptions): Record<string, unknown> {
  return {
    requestTimeout: options.timeoutMs,
    // Without it the pinned handler only logs a warning when requestTimeout passes.
    throwOnRequestTimeout: true,
    connectionTimeout: Math.min(options.timeoutMs, 10_000),
    ...(options.agents ? { httpAgent: options.agents.http, httpsAgent: options.agents.https } : {}),
  };
}

interface RelativeStack {
  addRelativeTo(mw: (next: Handler, context: { commandName?: string }) => Handler, options: { name: string; relation: 'before' | 'after'; toMiddleware: string }): void;
}

/**
 * The whole call (its retries and their back-off, its wait for a request slot) ends when the run's
 * deadline passes: the call fails with MaxDurationExceeded, which becomes its coverage gap.
 */
function runDeadline(deadline: RunDeadline) {
  return (next: Handler, context: { commandName?: string }): Handler =>
    (args) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      return bounded(next(args), { onTimeout: () => deadline.error(operation), deadline, operation });
    };
}

function make<C extends { middlewareStack: unknown }>(Client: ClientClass<C>, iamPrefix: string, protocol: Protocol, region: string, options: AwsOptions): C {
  const protocols = protocolsFor(options.pages);
  const client = new Client({
    region,
    // Standard retries (back-off with jitter, retry quota); the pacing that adaptive mode would add
    // is the Pacer's (requests.ts), whose cuts fit a burst of requests throttled together.
    retryMode: options.requests ? 'standard' : 'adaptive',
    maxAttempts: options.maxAttempts,
    // Each command class's middleware chain is built once per client, not on every send: a
    // collection sends hundreds of requests per client, and no command here carries middleware of
    // its own.
    cacheMiddleware: true,
    requestHandler: requestHandlerOptions(options),
    ...(options.settings ? clientSettings(options.settings, Client) : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(protocols.has(Client) ? { protocol: protocols.get(Client) } : {}),
  });
  // The SDK's logger middleware copies every answer through its sensitive-data filter to hand it
  // to a logger that, never configured here, discards it: for a 1,000-endpoint page, real work for nothing.
  (client.middlewareStack as { remove(name: string): boolean }).remove('loggerMiddleware');
  if (options.requests) limitRequests(options.requests).applyToStack(client.middlewareStack);
  const stack = client.middlewareStack as MiddlewareStack;
  stack.add(attemptCheck(client as unknown as BodyClient, protocol, options), { step: 'deserialize', priority: 'low', name: 'linkauditAnswerCheck' });
  (client.middlewareStack as RelativeStack).addRelativeTo(errorAnswerCheck(protocol), { name: 'linkauditErrorAnswer', relation: 'before', toMiddleware: 'deserializerMiddleware' });
  if (options.deadline) stack.add(runDeadline(options.deadline), { step: 'initialize', name: 'linkauditRunDeadline' });
  const record = options.onOperation;
  if (record) {
    stack.add(
      (next, context) => (args) => {
        record(`${iamPrefix}:${(context.commandName ?? '').replace(/Command$/, '')}`);
        return next(args);
      },
      { step: 'initialize', name: 'linkauditRecordOperation' },
    );
  }
  return client;
}

/** One client per service per region, shared by every call there. */
export interface Clients {
  ec2: EC2Client;
  codeconnections: CodeStarConnectionsClient;
  codepipeline: CodePipelineClient;
  codebuild: CodeBuildClient;
  iam: IAMClient;
  sts: STSClient;
  organizations: OrganizationsClient;
}

/** Clients are made when first used: a region reads EC2, CodeConnections, CodePipeline and CodeBuild, not IAM or STS. */
export function clientsFor(region: string, options: AwsOptions): Clients {
  const cache = new Map<string, unknown>();
  const lazy = <C extends { middlewareStack: unknown }>(key: string, Client: ClientClass<C>, prefix: string, protocol: Protocol): C => {
    let c = cache.get(key) as C | undefined;
    if (!c) {
      c = make(Client, prefix, protocol, region, options);
      cache.set(key, c);
    }
    return c;
  };
  return {
    get ec2() {
      return lazy('ec2', EC2Client as unknown as ClientClass<EC2Client>, 'ec2', 'xml');
    },
    // IAM authorizes this client's operations under the codestar-connections prefix.
    get codeconnections() {
      return lazy('codeconnections', CodeStarConnectionsClient as unknown as ClientClass<CodeStarConnectionsClient>, 'codestar-connections', 'json');
    },
    get codepipeline() {
      return lazy('codepipeline', CodePipelineClient as unknown as ClientClass<CodePipelineClient>, 'codepipeline', 'json');
    },
    get codebuild() {
      return lazy('codebuild', CodeBuildClient as unknown as ClientClass<CodeBuildClient>, 'codebuild', 'json');
    },
    get iam() {
      return lazy('iam', IAMClient as unknown as ClientClass<IAMClient>, 'iam', 'xml');
    },
    get sts() {
      return lazy('sts', STSClient as unknown as ClientClass<STSClient>, 'sts', 'xml');
    },
    get organizations() {
      return lazy('organizations', OrganizationsClient as unknown as ClientClass<OrganizationsClient>, 'organizations', 'json');
    },
  };
}
