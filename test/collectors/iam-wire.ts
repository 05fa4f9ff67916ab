// IAM speaks the query protocol: form-encoded requests, XML answers with lists as <member>.
// These build answers the way IAM writes them, so tests exercise the SDK's real parser.

export const IAM_ENDPOINT = 'https://iam.amazonaws.com';
const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Objects become elements named by their keys, arrays become <member> lists. */
function xml(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => `<member>${xml(v)}</member>`).join('');
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${xml(v)}</${k}>`)
      .join('');
  }
  return escape(String(value));
}

/** A policy document as IAM returns it: RFC 3986 percent-encoded JSON. */
export function encodePolicy(document: unknown): string {
  return encodeURIComponent(JSON.stringify(document)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface AuthorizationDetailsPage {
  UserDetailList?: unknown[];
  GroupDetailList?: unknown[];
  RoleDetailList?: unknown[];
  Policies?: unknown[];
  IsTruncated: boolean;
  Marker?: string;
}

export function authorizationDetails(page: AuthorizationDetailsPage, requestId = 'req-0001'): string {
  return (
    `<GetAccountAuthorizationDetailsResponse xmlns="${NS}">` +
    `<GetAccountAuthorizationDetailsResult>${xml(page)}</GetAccountAuthorizationDetailsResult>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</GetAccountAuthorizationDetailsResponse>`
  );
}

export function iamError(code: string, message: string, type: 'Sender' | 'Receiver' = 'Sender'): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>req-err</RequestId></ErrorResponse>`;
}

export const XML_TYPE = { 'content-type': 'text/xml' };
