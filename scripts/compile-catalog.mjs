// Build step: the few actions of other services that role capabilities ask about (src/iam/
// capability-table.ts), with their services' condition keys and resource types, as one small
// file (dist/iam-catalog.json). The package's files for those services are 1.3 MB of JSON, about
// 25 ms of every start that evaluates IAM; src/iam/catalog.ts reads the package when this file is
// absent or was made from another package version or list of actions.
import { renameSync, writeFileSync } from 'node:fs';
import { catalogExtract } from '../dist/iam/catalog.js';

const file = new URL('../dist/iam-catalog.json', import.meta.url);
const tmp = new URL('../dist/iam-catalog.json.tmp', import.meta.url);
writeFileSync(tmp, JSON.stringify(catalogExtract()));
renameSync(tmp, file);
