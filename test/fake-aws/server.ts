// An in-process stand-in for AWS: serves a snapshot's account over the wire protocols the
// collectors speak (EC2 and IAM query/XML, STS XML, CodeConnections JSON 1.0, CodePipeline and
// CodeBuild JSON 1.1: ci.ts), paginated in
// small pages, with failures injectable per operation. It is what `AWS_ENDPOINT_URL` points at
// in the end-to-end tests: the inverse of the collectors, written from the botocore shapes.
//
// For the collection benchmark (bench/collect.ts) it can also behave more like AWS at scale:
// honour MaxResults (`pageSize: 'max'`), answer after a delay (`latencyMs`) and throttle each
// account-region with a token bucket (`throttle`), answering as each service does when it throttles.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { prng } from '../../bench/synthetic.mjs';
import type { Snapshot } from '../../src/model/types.js';
import { ec2Error, ec2Response, escapeXml, type Wire } from '../collectors/ec2-wire.js';
import { authorizationDetails, encodePolicy, iamError } from '../collectors/iam-wire.js';
import { answerCodeBuild, answerCodePipeline } from './ci.js';

export interface Failure {
  /** Operation name, e.g. DescribeVpcEndpointConnectionNotifications. */
  operation: string;
  region?: string;
  /** Only for this account's credentials (default: every account). */
  account?: string;
  status: number;
  code: string;
  message: string;
}

export interface FakeAwsOptions {
  snapshot: Snapshot;
  /** The caller's account (the one plain credentials belong to). */
  account: string;
  /** Accounts whose role may not be assumed (AssumeRole answers AccessDenied). */
  denyAssume?: string[];
  /** What Organizations answers; accounts of the snapshot's scope, plus a suspended one. */
  organization?: { id: string; managementAccount: string; accounts: string[]; suspended?: string[] };
  /**
   * Items per page. A number is the server's own ceiling: a page holds that many items, or fewer if
   * the request's MaxResults/MaxItems asks for fewer. 'max' honours MaxResults as AWS does (with
   * the service's default page when the request names none). Default 2, far below any MaxResults
   * the collectors send, so pagination is always exercised.
   */
  pageSize?: number | 'max';
  /** Milliseconds before each answer (throttled ones too), standing in for the round trip. */
  latencyMs?: number;
  /**
   * A token bucket per account|region (IAM, STS and Organizations under region 'global'): it starts
   * full with `burst` tokens and refills at `ratePerSecond`; a request finding it empty is answered
   * with the service's throttling error. Off by default.
   */
  throttle?: { burst: number; ratePerSecond: number };
  /**
   * Token buckets per account|region|service instead, for the services named (`ec2`, `iam`, `sts`,
   * `organizations`, `codeconnections` for both of its prefixes, `codepipeline`, `codebuild`), as
   * AWS limits each service apart; services not named draw on `throttle`, if given.
   */
  throttleByService?: Record<string, { burst: number; ratePerSecond: number }>;
  failures?: Failure[];
  /**
   * Requests of these operations are never answered ('headers': the connection is accepted and
   * the request read, nothing sent) or stall midway through the body ('body': headers and half the
   * body sent, then nothing), standing in for an endpoint that stops answering.
   */
  stall?: Array<{ operation: string; mode: 'headers' | 'body' }>;
  /** AssumeRole of a role in account K gives a session in account V (a role whose trust leads elsewhere). */
  assumeInto?: Record<string, string>;
  /**
   * Seeded fault injection: each request (GetCallerIdentity aside, see chaosFault) is, with
   * probability `rate`, answered with one of the faults of CHAOS_FAULTS, chosen by a generator
   * seeded with `seed`. `holdMs` is how long a held answer is held (past the client's timeout).
   */
  chaos?: { seed: number; rate: number; holdMs: number };
  /** Told of each request on arrival (for timelines): its `service:Operation`, bucket and whether it was throttled. */
  onRequest?: (request: { operation: string; bucket: string; throttled: boolean }) => void;
}

export interface FakeAws {
  url: string;
  /** Requests answered, by `service:Operation` (throttled answers are counted apart, below). */
  calls: Map<string, number>;
  /** Requests answered with a throttling error (only with `throttle`). */
  readonly throttled: number;
  /** Throttled answers by `service:Operation`. */
  throttledCalls: Map<string, number>;
  /** Requests answered (not throttled) by token bucket, `account|region` ('global' for IAM/STS/Organizations). */
  bucketCalls: Map<string, number>;
  /** The most requests that were ever open at once (arrived, not yet answered). */
  readonly peakInFlight: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Every HTTP request that arrived, whatever it was answered (or not answered) with. */
  readonly requests: number;
  /** Faults injected by `chaos`, by kind. */
  chaosFaults: Map<ChaosFault, number>;
  /**
   * Renders the answers to these requests now, to be sent as they are when they come. AWS
   * serializes its answers on its own fleet; the collection benchmark renders its large pages
   * before it starts the clock, so that the fake's serialization, on the same cores as the
   * collector, is not measured as the collector's time. Returns the bytes rendered.
   */
  renderAhead(requests: readonly AheadRequest[]): number;
  /** Requests answered from what renderAhead rendered, and answered requests it had not rendered. */
  readonly ahead: { hits: number; misses: number };
  close(): Promise<void>;
}

/** A request as renderAhead takes it: whose, where, and its query parameters (Action and Version aside). */
export interface AheadRequest {
  account: string;
  region: string;
  service: string;
  operation: string;
  params: Record<string, string>;
}

interface Rendered {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The key of a query-protocol request: everything that decides its answer. */
function aheadKey(r: AheadRequest): string {
  const params = Object.entries(r.params)
    .filter(([k]) => k !== 'Action' && k !== 'Version')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${r.account}|${r.region}|${r.service}|${r.operation}|${JSON.stringify(params)}`;
}

/** Captures what answer() writes, for renderAhead. */
function capture(): { res: ServerResponse; rendered(): Rendered } {
  let status = 0;
  let headers: Record<string, string> = {};
  let body = Buffer.alloc(0);
  const res = {
    writeHead(s: number, h: Record<string, string>) {
      status = s;
      headers = h;
      return res;
    },
    end(text: string) {
      body = Buffer.from(text, 'utf8');
      return res;
    },
  };
  return { res: res as unknown as ServerResponse, rendered: () => ({ status, headers, body }) };
}

interface Request {
  /** The account the request's credentials belong to. */
  account: string;
  service: string;
  region: string;
  operation: string;
  params: Record<string, string>;
  json: Record<string, unknown>;
}

export async function startFakeAws(options: FakeAwsOptions): Promise<FakeAws> {
  const calls = new Map<string, number>();
  const throttledCalls = new Map<string, number>();
  const bucketCalls = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
  const buckets = options.throttle || options.throttleByService ? tokenBuckets(options.throttle, options.throttleByService) : undefined;
  let throttled = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  const rendered = new Map<string, Rendered>();
  const ahead = { hits: 0, misses: 0 };
  let requests = 0;
  const chaosFaults = new Map<ChaosFault, number>();
  const random = options.chaos ? prng(options.chaos.seed) : undefined;
  const held = new Set<ReturnType<typeof setTimeout>>();
  const server = createServer((req, res) => {
    peakInFlight = Math.max(peakInFlight, ++inFlight);
    requests++;
    res.once('close', () => inFlight--);
    void read(req).then(async (body) => {
      try {
        const request = parse(req, body, options.account);
        const key = `${request.service}:${request.operation}`;
        const stall = options.stall?.find((x) => x.operation === request.operation);
        if (stall) return stallAnswer(stall.mode, request, options, res);
        if (random && options.chaos && request.operation !== 'GetCallerIdentity' && random() < options.chaos.rate) {
          const fault = CHAOS_FAULTS[Math.floor(random() * CHAOS_FAULTS.length)] as ChaosFault;
          chaosFaults.set(fault, (chaosFaults.get(fault) ?? 0) + 1);
          return injectFault(fault, request, options, req, res, options.chaos.holdMs, held);
        }
        const bucket = bucketOf(request, options.throttleByService);
        // The bucket is drawn on arrival, as AWS decides on arrival; the answer comes after the delay either way.
        const allowed = buckets ? buckets.take(bucket) : true;
        if (allowed) {
          bump(calls, key);
          bump(bucketCalls, bucket);
        } else {
          throttled++;
          bump(throttledCalls, key);
        }
        options.onRequest?.({ operation: key, bucket, throttled: !allowed });
        if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
        if (!allowed) throttle(request, res);
        else if (rendered.size === 0) answer(request, options, res);
        else {
          const ready = request.json && Object.keys(request.json).length === 0 ? rendered.get(aheadKey(request)) : undefined;
          if (ready) {
            ahead.hits++;
            res.writeHead(ready.status, ready.headers).end(ready.body);
          } else {
            ahead.misses++;
            answer(request, options, res);
          }
        }
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
      }
    });
  });
  let connections = 0;
  server.on('connection', () => void connections++);
  // A slow or throttled run leaves sockets idle for longer than Node's 5 s default; closing them
  // under a client about to reuse one would add connection resets that AWS does not cause.
  if (options.latencyMs !== undefined || options.throttle !== undefined) server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    get throttled() {
      return throttled;
    },
    throttledCalls,
    bucketCalls,
    get peakInFlight() {
      return peakInFlight;
    },
    get connections() {
      return connections;
    },
    get requests() {
      return requests;
    },
    chaosFaults,
    renderAhead(requests) {
      let bytes = 0;
      for (const r of requests) {
        const out = capture();
        answer({ ...r, json: {} }, options, out.res);
        const answered = out.rendered();
        rendered.set(aheadKey(r), answered);
        bytes += answered.body.length;
      }
      return bytes;
    },
    ahead,
    close: () =>
      new Promise((resolve) => {
        // Idle keep-alive sockets would otherwise hold close() open until they time out; stalled
        // and held answers would hold it open for ever.
        for (const t of held) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The faults `chaos` injects. */
export const CHAOS_FAULTS = ['500', '503', 'throttle', 'reset', 'truncated', 'html502', 'hold'] as const;
export type ChaosFault = (typeof CHAOS_FAULTS)[number];

/** The answer the request would get, rendered (to be truncated or stalled). */
function rendered(request: Request, options: FakeAwsOptions): Rendered {
  const out = capture();
  answer(request, options, out.res);
  return out.rendered();
}

function stallAnswer(mode: 'headers' | 'body', request: Request, options: FakeAwsOptions, res: ServerResponse): void {
  if (mode === 'headers') return;
  const full = rendered(request, options);
  res.writeHead(full.status, { ...full.headers, 'content-length': String(full.body.length) });
  res.write(full.body.subarray(0, Math.floor(full.body.length / 2)));
}

function injectFault(fault: ChaosFault, r: Request, options: FakeAwsOptions, req: IncomingMessage, res: ServerResponse, holdMs: number, held: Set<ReturnType<typeof setTimeout>>): void {
  const id = randomUUID();
  const query = r.service === 'ec2' || r.service === 'iam' || r.service === 'sts';
  switch (fault) {
    case '500':
    case '503': {
      const status = Number(fault);
      const code = status === 500 ? 'InternalError' : 'ServiceUnavailable';
      if (r.service === 'ec2') return void res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' }).end(ec2Error(code, 'An internal error has occurred', id));
      if (query) return void res.writeHead(status, { 'content-type': 'text/xml' }).end(iamError(code, 'An internal error has occurred'));
      return void res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: status === 500 ? 'InternalServerException' : 'ServiceUnavailableException', message: 'internal error' }));
    }
    case 'throttle':
      return throttle(r, res);
    case 'reset':
      return void req.socket.destroy();
    case 'truncated': {
      const full = rendered(r, options);
      res.writeHead(full.status, { ...full.headers, 'content-length': String(full.body.length) });
      res.write(full.body.subarray(0, Math.floor(full.body.length / 2)));
      return void req.socket.destroy();
    }
    case 'html502':
      return void res.writeHead(502, { 'content-type': 'text/html' }).end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>');
    case 'hold': {
      const t = setTimeout(() => {
        held.delete(t);
        if (!res.destroyed) answer(r, options, res);
      }, holdMs);
      held.add(t);
      return;
    }
  }
}

/** The service a bucket is kept for: CodeConnections answers under two signing names. */
function serviceOf(r: Request): string {
  return r.service === 'codestar-connections' ? 'codeconnections' : r.service;
}

/** The token bucket a request draws on: its credentials' account, its region or 'global', and its service when that has limits of its own. */
function bucketOf(r: Request, byService: FakeAwsOptions['throttleByService']): string {
  const global = r.service === 'iam' || r.service === 'sts' || r.service === 'organizations';
  const service = serviceOf(r);
  return `${r.account}|${global ? 'global' : r.region}${byService?.[service] ? `|${service}` : ''}`;
}

type Limits = { burst: number; ratePerSecond: number };

function tokenBuckets(shared: Limits | undefined, byService: Record<string, Limits> | undefined): { take(bucket: string): boolean } {
  const state = new Map<string, { tokens: number; at: number }>();
  return {
    take(bucket) {
      const limits = byService?.[bucket.split('|')[2] ?? ''] ?? shared;
      if (!limits) return true;
      const now = performance.now();
      const b = state.get(bucket) ?? { tokens: limits.burst, at: now };
      b.tokens = Math.min(limits.burst, b.tokens + ((now - b.at) / 1000) * limits.ratePerSecond);
      b.at = now;
      state.set(bucket, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}

/** What each service answers when it throttles a request. */
function throttle(r: Request, res: ServerResponse): void {
  const id = randomUUID();
  if (r.service === 'iam' || r.service === 'sts') {
    const ns = r.service === 'iam' ? 'https://iam.amazonaws.com/doc/2010-05-08/' : 'https://sts.amazonaws.com/doc/2011-06-15/';
    res.writeHead(400, { 'content-type': 'text/xml', 'x-amzn-requestid': id }).end(`<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`);
    return;
  }
  if (r.service === 'organizations') {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': id }).end(JSON.stringify({ __type: 'TooManyRequestsException', Message: 'You have sent too many requests in too short a period of time. Try again later.' }));
    return;
  }
  if (r.service === 'codestar-connections' || r.service === 'codeconnections') {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': id }).end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
    return;
  }
  if (r.service === 'codepipeline' || r.service === 'codebuild') {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': id }).end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
    return;
  }
  res.writeHead(503, { 'content-type': 'text/xml;charset=UTF-8' }).end(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', id));
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parse(req: IncomingMessage, body: string, caller: string): Request {
  // SigV4: Credential=AKID/20261122/us-east-1/ec2/aws4_request names the key, region and service.
  // Keys this fake hands out for an assumed role name their account: ASIA<account>.
  const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
  const account = /^ASIA([0-9]{12})$/.exec(scope?.[1] ?? '')?.[1] ?? caller;
  const region = scope?.[2] ?? 'us-east-1';
  const service = scope?.[3] ?? '';
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    return { account, service, region, operation: target.split('.').pop() ?? '', params: {}, json: body ? (JSON.parse(body) as Record<string, unknown>) : {} };
  }
  const params = Object.fromEntries(new URLSearchParams(body));
  return { account, service, region, operation: params.Action ?? '', params, json: {} };
}

/**
 * Items per page for this request. AWS's own page when MaxResults/MaxItems is absent: IAM's
 * documented default is 100; EC2, CodeConnections and Organizations return up to their ceiling
 * (taken as 1,000, above every ceiling the collectors ask for).
 */
function pageSizeOf(r: Request, option: FakeAwsOptions['pageSize']): number {
  if (option === undefined) return 2;
  const raw = r.service === 'iam' ? r.params.MaxItems : r.params.MaxResults ?? r.json.MaxResults;
  const asked = raw === undefined || raw === '' ? undefined : Number(raw);
  const valid = asked !== undefined && Number.isFinite(asked) && asked > 0 ? asked : undefined;
  if (option === 'max') return valid ?? (r.service === 'iam' ? 100 : 1000);
  return valid !== undefined ? Math.min(option, valid) : option;
}

/**
 * The snapshot's resources of one account (and region), indexed once per collection array: at
 * benchmark scale (160,000 endpoints) filtering the whole array on every request would make the
 * fake, not the collectors, the thing measured. The snapshot is not changed while served.
 */
const cells = new WeakMap<readonly object[], { length: number; index: Map<string, readonly object[]> }>();
function cell<T extends { account: string; region: string }>(items: readonly T[], account: string, region: string | undefined): readonly T[] {
  // A collection that grew or shrank since it was indexed (a test adding a resource) is indexed again.
  let index = cells.get(items)?.length === items.length ? cells.get(items)?.index : undefined;
  if (!index) {
    index = new Map<string, T[]>();
    for (const x of items) {
      for (const key of [`${x.account}|`, `${x.account}|${x.region}`]) {
        const list = (index.get(key) ?? []) as T[];
        if (list.length === 0) index.set(key, list);
        list.push(x);
      }
    }
    cells.set(items, { length: items.length, index });
  }
  return (index.get(`${account}|${region ?? ''}`) ?? []) as readonly T[];
}

function page<T>(items: readonly T[], token: unknown, size: number): { items: T[]; next?: string } {
  const start = typeof token === 'string' && token !== '' ? Number(token) : 0;
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { next: String(end) } : {}) };
}

function answer(r: Request, options: FakeAwsOptions, res: ServerResponse): void {
  // Everything below answers for the account the credentials belong to.
  const o = { ...options, account: r.account };
  const failure = o.failures?.find((f) => f.operation === r.operation && (f.region === undefined || f.region === r.region) && (f.account === undefined || f.account === r.account));
  const size = pageSizeOf(r, o.pageSize);
  const xml = (status: number, text: string): void => void res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' }).end(text);
  const json = (status: number, value: unknown): void => void res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(value));
  const s = o.snapshot;
  const inRegion = <T extends { account: string; region: string }>(items: readonly T[]): readonly T[] => cell(items, o.account, r.region);

  if (r.service === 'sts' && r.operation === 'AssumeRole') {
    const named = /^arn:aws:iam::([0-9]{12}):role\//.exec(r.params.RoleArn ?? '')?.[1] ?? '';
    if (failure) return xml(failure.status, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${escapeXml(failure.code)}</Code><Message>${escapeXml(failure.message)}</Message></Error><RequestId>r-2</RequestId></ErrorResponse>`);
    // The session is in the account the role's trust leads to (assumeInto), as AWS would say in AssumedRoleUser.
    const target = options.assumeInto?.[named] ?? named;
    if (options.denyAssume?.includes(named)) {
      return xml(403, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::${r.account}:user/auditor is not authorized to perform: sts:AssumeRole on resource: ${escapeXml(r.params.RoleArn ?? '')}</Message></Error><RequestId>r-2</RequestId></ErrorResponse>`);
    }
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    return xml(200, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIA${target}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token-${target}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:linkaudit</AssumedRoleId><Arn>arn:aws:sts::${target}:assumed-role/linkaudit-audit/${escapeXml(r.params.RoleSessionName ?? '')}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r-3</RequestId></ResponseMetadata></AssumeRoleResponse>`);
  }
  if (r.service === 'organizations') {
    const org = options.organization;
    if (!org) return json(400, { __type: 'AWSOrganizationsNotInUseException', Message: 'Your account is not a member of an organization.' });
    if (r.operation === 'DescribeOrganization') {
      return json(200, { Organization: { Id: org.id, Arn: `arn:aws:organizations::${org.managementAccount}:organization/${org.id}`, FeatureSet: 'ALL', MasterAccountArn: `arn:aws:organizations::${org.managementAccount}:account/${org.id}/${org.managementAccount}`, MasterAccountId: org.managementAccount } });
    }
    const all = [...org.accounts.map((id) => ({ id, state: 'ACTIVE' })), ...(org.suspended ?? []).map((id) => ({ id, state: 'SUSPENDED' }))];
    const p = page(all, r.json.NextToken, size);
    return json(200, { Accounts: p.items.map((a) => ({ Id: a.id, Arn: `arn:aws:organizations::${org.managementAccount}:account/${org.id}/${a.id}`, Name: `account-${a.id}`, Email: `aws+${a.id}@example.com`, State: a.state, Status: a.state })), ...(p.next ? { NextToken: p.next } : {}) });
  }
  if (r.service === 'sts') {
    if (failure) return xml(failure.status, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${escapeXml(failure.code)}</Code><Message>${escapeXml(failure.message)}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`);
    xml(200, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${o.account}:user/auditor</Arn><UserId>AIDAEXAMPLE</UserId><Account>${o.account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
    return;
  }
  if (r.service === 'iam') {
    if (failure) return xml(failure.status, iamError(failure.code, failure.message));
    const mine = <T extends { account: string; region: string }>(items: readonly T[]): readonly T[] => cell(items, o.account, undefined);
    const p = page(
      [
        ...mine(s.iamUsers).map((u) => ({ kind: 'user', u })),
        ...mine(s.iamGroups).map((u) => ({ kind: 'group', u })),
        ...mine(s.iamRoles).map((u) => ({ kind: 'role', u })),
        ...mine(s.iamPolicies).map((u) => ({ kind: 'policy', u })),
      ],
      r.params.Marker,
      size,
    );
    const inline = (list: Array<{ name: string; document: unknown }>) => list.map((x) => ({ PolicyName: x.name, PolicyDocument: encodePolicy(x.document) }));
    const attached = (arns: string[]) => arns.map((a) => ({ PolicyName: a.split('/').pop(), PolicyArn: a }));
    const pick = (kind: string) => p.items.filter((x) => x.kind === kind).map((x) => x.u);
    xml(
      200,
      authorizationDetails({
        UserDetailList: (pick('user') as Snapshot['iamUsers']).map((u) => ({ Path: u.path ?? '/', UserName: u.name, UserId: u.id ?? 'AIDAUSER', Arn: u.arn, CreateDate: '2024-01-01T00:00:00Z', UserPolicyList: inline(u.inlinePolicies), GroupList: u.groups, AttachedManagedPolicies: attached(u.attachedPolicies), Tags: Object.entries(u.tags).map(([Key, Value]) => ({ Key, Value })) })),
        GroupDetailList: (pick('group') as Snapshot['iamGroups']).map((g) => ({ Path: g.path ?? '/', GroupName: g.name, GroupId: g.id ?? 'AGPAGROUP', Arn: g.arn, CreateDate: '2024-01-01T00:00:00Z', GroupPolicyList: inline(g.inlinePolicies), AttachedManagedPolicies: attached(g.attachedPolicies) })),
        RoleDetailList: (pick('role') as Snapshot['iamRoles']).map((x) => ({ Path: x.path ?? '/', RoleName: x.name, RoleId: x.id ?? 'AROAROLE', Arn: x.arn, CreateDate: '2024-01-01T00:00:00Z', AssumeRolePolicyDocument: encodePolicy(x.assumeRolePolicy), RolePolicyList: inline(x.inlinePolicies), AttachedManagedPolicies: attached(x.attachedPolicies), Tags: Object.entries(x.tags).map(([Key, Value]) => ({ Key, Value })) })),
        Policies: (pick('policy') as Snapshot['iamPolicies']).map((x) => ({ PolicyName: x.name, PolicyId: x.id ?? 'ANPAPOLICY', Arn: x.arn, Path: x.path ?? '/', DefaultVersionId: x.defaultVersionId, AttachmentCount: x.attachmentCount ?? 1, IsAttachable: true, PolicyVersionList: [{ Document: encodePolicy(x.document), VersionId: x.defaultVersionId, IsDefaultVersion: true, CreateDate: '2024-01-01T00:00:00Z' }] })),
        IsTruncated: p.next !== undefined,
        ...(p.next !== undefined ? { Marker: p.next } : {}),
      }),
    );
    return;
  }
  if (r.service === 'codestar-connections' || r.service === 'codeconnections') {
    if (failure) return json(failure.status, { __type: `com.amazonaws.codestar.connections#${failure.code}`, message: failure.message });
    if (r.operation === 'ListConnections') {
      // Connections are global: every region lists all of the account's.
      const p = page(cell(s.connections, o.account, undefined), r.json.NextToken, size);
      return json(200, { Connections: p.items.map((c) => ({ ConnectionName: c.name, ConnectionArn: c.arn, ProviderType: c.providerType, OwnerAccountId: c.ownerAccountId ?? o.account, ConnectionStatus: c.status, ...(c.hostArn ? { HostArn: c.hostArn } : {}) })), ...(p.next ? { NextToken: p.next } : {}) });
    }
    if (r.operation === 'ListHosts') {
      const p = page(inRegion(s.hosts), r.json.NextToken, size);
      return json(200, {
        Hosts: p.items.map((h) => ({
          Name: h.name,
          HostArn: h.arn,
          ProviderType: h.providerType,
          ProviderEndpoint: h.providerEndpoint,
          Status: h.status,
          ...(h.statusMessage ? { StatusMessage: h.statusMessage } : {}),
          ...(h.vpcConfiguration ? { VpcConfiguration: { VpcId: h.vpcConfiguration.vpcId, SubnetIds: h.vpcConfiguration.subnetIds, SecurityGroupIds: h.vpcConfiguration.securityGroupIds, ...(h.vpcConfiguration.tlsCertificate ? { TlsCertificate: h.vpcConfiguration.tlsCertificate } : {}) } } : {}),
        })),
        ...(p.next ? { NextToken: p.next } : {}),
      });
    }
    if (r.operation === 'ListTagsForResource') {
      const arn = String(r.json.ResourceArn);
      const res2 = [...s.connections, ...s.hosts].find((x) => x.arn === arn);
      return json(200, { Tags: Object.entries(res2?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) });
    }
    return json(400, { __type: 'UnknownOperationException', message: r.operation });
  }
  if (r.service === 'codepipeline' || r.service === 'codebuild') {
    const json11 = (status: number, value: unknown): void => void res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(value));
    if (failure) return json11(failure.status, { __type: failure.code, message: failure.message });
    const paged = <T>(items: readonly T[], token: unknown) => page(items, token, size);
    if (r.service === 'codepipeline') return answerCodePipeline(r, inRegion(s.pipelines), json11, paged);
    return answerCodeBuild(r, inRegion(s.buildProjects), inRegion(s.sourceCredentials), json11, paged);
  }
  // EC2
  if (failure) return xml(failure.status, ec2Error(failure.code, failure.message));
  const tags = (t: Record<string, string>): Wire => Object.entries(t).map(([key, value]) => ({ key, value }));
  const services = inRegion(s.endpointServices);
  const ok = (members: Record<string, Wire>): void => xml(200, ec2Response(r.operation, members));
  switch (r.operation) {
    case 'DescribeRegions':
      return ok({ regionInfo: s.scope.regions.map((regionName) => ({ regionName, regionEndpoint: `ec2.${regionName}.amazonaws.com`, optInStatus: 'opt-in-not-required' })) });
    case 'DescribeVpcEndpoints': {
      const p = page(inRegion(s.vpcEndpoints), r.params.NextToken, size);
      return ok({
        vpcEndpointSet: p.items.map((e) => ({
          vpcEndpointId: e.id,
          vpcEndpointType: e.endpointType,
          vpcId: e.vpcId,
          serviceName: e.serviceName,
          state: e.state,
          policyDocument: e.policy ? JSON.stringify(e.policy) : undefined,
          subnetIdSet: e.subnetIds ?? [],
          groupSet: (e.securityGroupIds ?? []).map((groupId) => ({ groupId, groupName: 'sg' })),
          privateDnsEnabled: e.privateDnsEnabled,
          requesterManaged: e.requesterManaged,
          creationTimestamp: e.creationTimestamp,
          tagSet: tags(e.tags),
          ownerId: o.account,
        })),
        nextToken: p.next,
      });
    }
    case 'DescribeVpcEndpointServices': {
      const names = new Set(Object.entries(r.params).filter(([k]) => /^Filter\.\d+\.Value\.\d+$/.test(k)).map(([, v]) => v));
      const known = new Map<string, boolean>();
      for (const e of inRegion(s.vpcEndpoints)) if (e.policySupported !== undefined && names.has(e.serviceName)) known.set(e.serviceName, e.policySupported);
      const p = page([...known], r.params.NextToken, size);
      return ok({ serviceDetailSet: p.items.map(([serviceName, vpcEndpointPolicySupported]) => ({ serviceName, serviceType: [{ serviceType: 'Interface' }], vpcEndpointPolicySupported })), nextToken: p.next });
    }
    case 'DescribeVpcEndpointServiceConfigurations': {
      const p = page(services, r.params.NextToken, size);
      return ok({
        serviceConfigurationSet: p.items.map((x) => ({
          serviceType: [{ serviceType: x.serviceType }],
          serviceId: x.id,
          serviceName: x.serviceName,
          serviceState: x.state,
          availabilityZoneSet: x.availabilityZones,
          acceptanceRequired: x.acceptanceRequired,
          managesVpcEndpoints: x.managesVpcEndpoints ?? false,
          networkLoadBalancerArnSet: x.networkLoadBalancerArns ?? [],
          gatewayLoadBalancerArnSet: x.gatewayLoadBalancerArns ?? [],
          privateDnsName: x.privateDns?.name,
          privateDnsNameConfiguration: x.privateDns ? { state: x.privateDns.verificationState, type: x.privateDns.verificationType, value: x.privateDns.verificationValue, name: x.privateDns.verificationName } : undefined,
          tagSet: tags(x.tags),
        })),
        nextToken: p.next,
      });
    }
    case 'DescribeVpcEndpointServicePermissions': {
      const svc = services.find((x) => x.id === r.params.ServiceId);
      const p = page(svc?.allowedPrincipals ?? [], r.params.NextToken, size);
      return ok({ allowedPrincipals: p.items.map((a, i) => ({ principalType: a.principalType, principal: a.principal, servicePermissionId: a.servicePermissionId ?? `sp-${i}`, serviceId: svc?.id })), nextToken: p.next });
    }
    case 'DescribeVpcEndpointConnections': {
      const all = services.flatMap((x) => x.endpointConnections.map((c) => ({ x, c })));
      const p = page(all, r.params.NextToken, size);
      return ok({ vpcEndpointConnectionSet: p.items.map(({ x, c }) => ({ serviceId: x.id, vpcEndpointId: c.vpcEndpointId, vpcEndpointOwner: c.vpcEndpointOwner, vpcEndpointState: c.state, creationTimestamp: c.creationTimestamp })), nextToken: p.next });
    }
    case 'DescribeVpcEndpointConnectionNotifications': {
      const all = services.flatMap((x) => x.connectionNotifications.map((n) => ({ x, n })));
      const p = page(all, r.params.NextToken, size);
      return ok({ connectionNotificationSet: p.items.map(({ x, n }) => ({ connectionNotificationId: n.id, serviceId: x.id, connectionNotificationType: 'Topic', connectionNotificationArn: n.topicArn, connectionEvents: n.events, connectionNotificationState: n.state })), nextToken: p.next });
    }
    default:
      return xml(400, ec2Error('InvalidAction', `The action ${escapeXml(r.operation)} is not valid for this web service.`));
  }
}
