// Build step: what `linkaudit --version` says besides the package version (the number of built-in
// rules, the snapshot schema version this build reads), in dist/about.json, so that a bare
// `--version` still loads neither the engine nor yargs.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { typescriptRules } from '../dist/rules/index.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../dist/model/types.js';

const yaml = Object.keys(JSON.parse(readFileSync(new URL('../dist/rules.d.json', import.meta.url), 'utf8')).rules).length;
const about = { rules: yaml + typescriptRules.length, snapshotSchemaVersion: SNAPSHOT_SCHEMA_VERSION };
const file = new URL('../dist/about.json', import.meta.url);
writeFileSync(`${file.pathname}.tmp`, `${JSON.stringify(about)}\n`);
renameSync(`${file.pathname}.tmp`, file.pathname);
