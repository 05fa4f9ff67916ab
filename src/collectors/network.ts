// What failed when no answer came: the connection, the name, TLS, the URL or the clock, and
// where. Node's errors say it in codes (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED); a user
// reading "cannot identify the caller with credentials …: ECONNREFUSED" looks at the wrong thing.

import { escapeControlChars } from '../io/untrusted-text.js';

interface NodeError {
  name?: string;
  code?: string;
  message?: string;
  address?: string;
  port?: number;
  hostname?: string;
  /** Set by clients.ts on the way out of an attempt: the endpoint it was sent to. */
  linkauditEndpoint?: string;
}

export interface NetworkFailure {
  /** The coverage gap's errorCode. */
  errorCode: string;
  /** What failed, in words. */
  what: string;
  /** host:port or URL, when known. */
  endpoint?: string;
}

const FAMILIES: ReadonlyArray<{ errorCode: string; what: string; codes: RegExp }> = [
  { errorCode: 'ConnectionRefused', what: 'connection refused', codes: /^ECONNREFUSED$/ },
  { errorCode: 'DnsNotFound', what: 'host name not found (DNS)', codes: /^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL|EAI_NODATA)$/ },
  { errorCode: 'ConnectionReset', what: 'connection reset', codes: /^(ECONNRESET|EPIPE|ECONNABORTED)$/ },
  { errorCode: 'NetworkUnreachable', what: 'network or host unreachable', codes: /^(EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN)$/ },
  {
    errorCode: 'TlsError',
    what: 'TLS handshake or certificate failed',
    codes: /^(EPROTO|ERR_TLS_.*|ERR_SSL_.*|CERT_.*|UNABLE_TO_.*|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|ERR_OSSL_.*)$/,
  },
  { errorCode: 'InvalidUrl', what: 'invalid endpoint URL', codes: /^ERR_INVALID_URL$/ },
];

/** The network failure `err` is, or undefined if an answer came (or it is not a network failure). */
export function networkFailure(err: unknown): NetworkFailure | undefined {
  const e = (err ?? {}) as NodeError;
  const code = e.code ?? '';
  let family = FAMILIES.find((f) => f.codes.test(code));
  if (!family && e.name === 'Error' && /socket hang up/i.test(e.message ?? '')) family = FAMILIES[2];
  if (!family && /\b(SSL|TLS)\b|certificate/i.test(e.message ?? '') && code !== '') family = FAMILIES[4];
  if (!family) return undefined;
  const endpoint = endpointOf(e);
  return { errorCode: family.errorCode, what: family.what, ...(endpoint !== undefined ? { endpoint } : {}) };
}

function endpointOf(e: NodeError): string | undefined {
  if (e.linkauditEndpoint) return e.linkauditEndpoint;
  if (e.address) return e.port !== undefined ? `${e.address}:${e.port}` : e.address;
  if (e.hostname) return e.hostname;
  return undefined;
}

/** One line for a person: "connection refused by 127.0.0.1:9 (ECONNREFUSED)". */
export function describeNetworkFailure(f: NetworkFailure, err: unknown): string {
  const e = (err ?? {}) as NodeError;
  const where = f.endpoint !== undefined ? ` at ${escapeControlChars(f.endpoint)}` : '';
  const detail = escapeControlChars(((e.code ?? e.message ?? '').split('\n')[0] ?? '').slice(0, 200));
  return `${f.what}${where}${detail ? ` (${detail})` : ''}`;
}

/** `--endpoint-url` must be an http(s) URL with a host, or nothing can be reached. */
export function checkEndpointUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `--endpoint-url: "${escapeControlChars(text.slice(0, 200))}" is not a URL (e.g. http://localhost:4566)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `--endpoint-url: "${escapeControlChars(text.slice(0, 200))}" is not an http:// or https:// URL`;
  if (url.hostname === '') return `--endpoint-url: "${escapeControlChars(text.slice(0, 200))}" names no host`;
  return undefined;
}
