// Build step: every JSON Schema becomes standalone validation code in dist/schema/compiled/, so a
// run does not pay ajv's compiler at start-up. src/schema/validate.ts loads these when present.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AJV_OPTIONS, SCHEMA_NAMES, schemaDocument } from '../dist/schema/validate.js';

const require = createRequire(import.meta.url);
const { Ajv2020 } = require('ajv/dist/2020.js');
const standaloneCode = require('ajv/dist/standalone/index.js').default;
const addFormats = require('ajv-formats').default;

const out = new URL('../dist/schema/compiled/', import.meta.url);
mkdirSync(out, { recursive: true });
for (const name of SCHEMA_NAMES) {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true } });
  addFormats(ajv);
  const validate = ajv.compile(schemaDocument(name));
  writeFileSync(new URL(`${name}.cjs`, out), standaloneCode(ajv, validate));
}
