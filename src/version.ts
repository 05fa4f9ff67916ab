import { readFileSync } from 'node:fs';
import { packagePath } from './paths.js';

let cached: string | undefined;

export function toolVersion(): string {
  cached ??= (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
  return cached;
}

export const TOOL_NAME = 'linkaudit';
export const INFORMATION_URI = 'https://github.com/linkaudit/linkaudit';

/**
 * The `--version` line: the package version, the number of built-in rules and the snapshot
 * schema version this build reads (dist/about.json, written at build), so a bug report or a
 * pinned CI job says which rules ran and which snapshots it can read.
 */
export function versionLine(): string {
  let about: { rules?: number; snapshotSchemaVersion?: number } = {};
  try {
    about = JSON.parse(readFileSync(packagePath('dist', 'about.json'), 'utf8')) as typeof about;
  } catch {
    // A tree built without scripts/compile-about.mjs: the version alone is still right.
  }
  const parts = [
    ...(about.rules !== undefined ? [`${about.rules} built-in rules`] : []),
    ...(about.snapshotSchemaVersion !== undefined ? [`reads snapshot schemaVersion ${about.snapshotSchemaVersion}`] : []),
  ];
  return parts.length > 0 ? `${toolVersion()} (${parts.join(', ')})` : toolVersion();
}
