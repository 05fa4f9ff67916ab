// EC2 query-protocol answers as AWS writes them, built from plain objects whose keys are the wire
// element names (the botocore locationNames: vpcEndpointSet, groupSet, tagSet, nextToken, …).

export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
export const XML_HEADERS = { 'content-type': 'text/xml;charset=UTF-8' } as const;

/** An element's content: text, a list (each entry an `<item>`), or child elements; undefined is left out. */
export type Wire = string | number | boolean | Date | null | undefined | readonly Wire[] | { readonly [element: string]: Wire };

const SPECIAL = /[&<>"']/;

export function escapeXml(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `<a>…</a><b>…</b>` for each defined member, in the order given. */
export function elements(members: { readonly [element: string]: Wire }): string {
  return Object.entries(members)
    .map(([name, value]) => (value === undefined ? '' : `<${name}>${content(value)}</${name}>`))
    .join('');
}

function content(value: Wire): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return (value as readonly Wire[]).map((v) => `<item>${content(v)}</item>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return elements(value as { readonly [element: string]: Wire });
  return escapeXml(String(value));
}

/** `<ActionResponse xmlns=…><requestId>…</requestId>…</ActionResponse>`, as EC2 answers a success. */
export function ec2Response(action: string, members: { readonly [element: string]: Wire } = {}, requestId = '7a62c49f-347e-4fc4-9331-6e8eEXAMPLE'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}">\n    <requestId>${escapeXml(requestId)}</requestId>${elements(members)}\n</${action}Response>`;
}

/** EC2's error envelope (note `RequestID`, unlike the success's `requestId`). */
export function ec2Error(code: string, message: string, requestId = 'ea966190-f9aa-478e-9ede-cb5432daacc0'): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${escapeXml(requestId)}</RequestID></Response>`
  );
}
