// Build step: the bundled AWS managed policies (data/aws-managed-policies.json.gz) as one line of
// JSON per policy (dist/managed-policies.jsonl) and an index of where each line is
// (dist/managed-policies.index.json). A scan that meets `arn:aws:iam::aws:policy/X` then reads
// the few lines it needs instead of unpacking and parsing 3.4 MB of JSON (about 40 ms and a
// collection of its garbage at start-up). src/collectors/iac/managed-policies.ts reads the .gz when
// these are absent.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { managedPolicyKey } from '../dist/collectors/iac/managed-policies.js';

const root = new URL('../', import.meta.url);
const bundle = JSON.parse(gunzipSync(readFileSync(new URL('data/aws-managed-policies.json.gz', root))).toString('utf8'));
const { policies, ...meta } = bundle;
const lines = [];
const entries = {};
let offset = 0;
for (const p of policies) {
  const line = Buffer.from(`${JSON.stringify(p)}\n`, 'utf8');
  entries[managedPolicyKey(p.arn)] = [offset, line.length - 1];
  lines.push(line);
  offset += line.length;
}
const write = (name, data) => {
  const file = new URL(`dist/${name}`, root);
  writeFileSync(new URL(`dist/${name}.tmp`, root), data);
  renameSync(new URL(`dist/${name}.tmp`, root), file);
};
write('managed-policies.jsonl', Buffer.concat(lines));
write('managed-policies.index.json', JSON.stringify({ meta, entries }));
