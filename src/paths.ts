import { fileURLToPath } from 'node:url';

/** The package root: holds schemas/ and rules.d/ both in a checkout (src/) and when installed (dist/). */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

export function packagePath(...parts: string[]): string {
  return [PACKAGE_ROOT.replace(/\/$/, ''), ...parts].join('/');
}
