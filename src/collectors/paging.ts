import { pushAll } from '../arrays.js';
/**
 * Follows a NextToken (or nextToken) to the end. A token seen before would loop forever; it is an
 * answer that cannot be trusted, so it fails the listing instead of truncating it.
 */
export async function listAll<T>(page: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const out = await page(token);
    pushAll(items, out.items);
    token = out.next || undefined;
    if (token !== undefined) {
      if (seen.has(token)) throw Object.assign(new Error(`NextToken repeated: ${token.slice(0, 40)}`), { name: 'InvalidResponse' });
      seen.add(token);
    }
  } while (token !== undefined);
  return items;
}
