// SARIF artifact URIs come from ARNs, which an account owner names: whatever the id holds, the
// URI is a relative reference that stays under its pseudo path, one per ARN.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resourcePseudoPath } from '../../src/model/arn.js';

// RFC 3986 path characters of a relative reference with no scheme and no colon (GitHub refuses
// colons), and percent signs only as escapes.
const RELATIVE_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=@/]|%[0-9A-F]{2})+$/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const idChar = fc.oneof(
  fc.constantFrom('.', '..', '/', '%', '\\', '?', '#', ':', '_', ' ', '%2e', '%2E%2e', '\u0000', '\u001b', '\u202e', '\ud800', 'é', '😀'),
  fc.string({ unit: 'binary', maxLength: 3 }),
);
const id = fc.array(idChar, { maxLength: 12 }).map((parts) => parts.join(''));
const arn = fc
  .record({
    service: fc.constantFrom('codeconnections', 'ec2', 'iam'),
    region: fc.constantFrom('', 'us-east-1'),
    type: fc.constantFrom('connection', 'vpc-endpoint', 'role'),
    id,
  })
  .map((a) => `arn:aws:${a.service}:${a.region}:111122223333:${a.type}/${a.id}`);

describe('resourcePseudoPath over hostile ARN ids', () => {
  it('resolved against a base, stays under aws/<partition>/<account>/<region>/<service>/<type>/', () => {
    fc.assert(
      fc.property(arn, (a) => {
        const [, , service, region, , rest] = a.split(':') as [string, string, string, string, string, string];
        const type = rest.split('/')[0];
        const uri = resourcePseudoPath(a);
        const prefix = `/base/aws/aws/111122223333/${region || 'global'}/${service}/${type}`;
        const path = new URL(uri, 'https://example.com/base/').pathname;
        expect(path === prefix || path.startsWith(`${prefix}/`), uri).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('is a valid relative URI reference with no colon, no dot segment and no raw %, \\, ?, #', () => {
    fc.assert(
      fc.property(arn, (a) => {
        const uri = resourcePseudoPath(a);
        expect(uri).toMatch(RELATIVE_PATH);
        for (const segment of uri.split('/')) expect(['', '.', '..']).not.toContain(segment);
      }),
      { numRuns: 500 },
    );
  });

  it('gives distinct ARNs distinct URIs', () => {
    fc.assert(
      fc.property(arn, arn, (a, b) => {
        // Lone surrogates cannot be encoded: they become U+FFFD, the one place two ARNs may meet.
        fc.pre(a !== b && !LONE_SURROGATE.test(a) && !LONE_SURROGATE.test(b));
        expect(resourcePseudoPath(a)).not.toBe(resourcePseudoPath(b));
      }),
      { numRuns: 1000 },
    );
  });

  it('the ARN of issue 11 (connection/../../../../etc/passwd) keeps its dots inside the path', () => {
    expect(resourcePseudoPath('arn:aws:codeconnections:us-east-1:111122223333:connection/../../../../etc/passwd')).toBe(
      'aws/aws/111122223333/us-east-1/codeconnections/connection/_../_../_../_../etc/passwd',
    );
  });
});
