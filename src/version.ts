import { readFileSync } from 'node:fs';
import { packagePath } from './paths.js';

let cached: string | undefined;

export function toolVersion(): string {
  cached ??= (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
  return cached;
}

export const TOOL_NAME = 'linkaudit';
export const INFORMATION_URI = 'https://github.com/linkaudit/linkaudit';
