import type { CoverageGap } from '../model/types.js';
import { escapeControlChars } from '../io/untrusted-text.js';
import { describeNetworkFailure, networkFailure } from './network.js';
import type { GapScope } from './types.js';

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

/**
 * Names the failure the way AWS does where AWS named it (AccessDenied, UnauthorizedOperation,
 * Throttling, …); otherwise says what kind of failure it was. An answer the SDK could not parse
 * (an HTML error page from a proxy, truncated XML) is InvalidResponse, never an empty result.
 */
export function errorCode(err: unknown): string {
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? e.code ?? '';
  if (name === 'TimeoutError' || name === 'RequestTimeout' || /timed? ?out/i.test(e.message ?? '')) return name === 'RequestTimeout' ? name : 'Timeout';
  const network = networkFailure(err);
  if (network) return network.errorCode;
  if (name === 'SyntaxError' || /deserializ|parse|unexpected token|not valid xml|non-whitespace/i.test(`${name} ${e.message ?? ''}`)) return 'InvalidResponse';
  // The SDK names an error whose body it could not parse "Unknown": the HTTP status says more.
  if (name && name !== 'Error' && !name.startsWith('SDK') && name !== 'UnknownError' && name !== 'Unknown') return name;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  if (status !== undefined) return `HTTP${status}`;
  return name || 'Error';
}

export function gapFrom(err: unknown, scope: GapScope): CoverageGap {
  const network = networkFailure(err);
  const text = network ? describeNetworkFailure(network, err) : ((err as SdkError | undefined)?.message ?? String(err));
  const message = text.split('\n')[0]?.slice(0, 500) ?? '';
  return {
    account: scope.target.account,
    region: scope.target.region,
    service: scope.service,
    operation: scope.operation,
    // The code is the endpoint's word (an XML <Code>): kept, but never as raw control characters.
    errorCode: escapeControlChars(errorCode(err)).slice(0, 100),
    message: message || 'no message',
    resourceKinds: scope.resourceKinds,
    ...(scope.field !== undefined ? { field: scope.field } : {}),
  };
}

/** Credential problems end the run (exit 2 with one message): no account can be read. */
export function isCredentialError(err: unknown): boolean {
  const e = (err ?? {}) as SdkError;
  return (
    e.name === 'CredentialsProviderError' ||
    e.name === 'ExpiredToken' ||
    e.name === 'ExpiredTokenException' ||
    e.name === 'InvalidClientTokenId' ||
    e.name === 'UnrecognizedClientException' ||
    e.name === 'TokenRefreshRequired' ||
    /could not load credentials|credential.*(expired|missing)/i.test(e.message ?? '')
  );
}
