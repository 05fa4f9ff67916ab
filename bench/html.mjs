// HTML report benchmark: a report of 25,000 findings (fails, unknowns and passes over 27 rules)
// opened in headless Chromium (Debian's): time to a ready page, to filter by status, by rule and
// to search. Prints figures, never fails. `npm run build && node bench/html.mjs [count]`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { renderHtml } from '../dist/reporters/html/index.js';
import { loadRuleSet } from '../dist/engine/rule-set.js';

const COUNT = Number(process.argv[2] ?? 25_000);
const rules = loadRuleSet().rules.map((r) => r.meta).sort((a, b) => (a.id < b.id ? -1 : 1));
const statuses = ['fail', 'pass', 'pass', 'unknown'];
const findings = Array.from({ length: COUNT }, (_, i) => {
  const rule = rules[i % rules.length];
  const account = String(100000000000 + (i % 50));
  return {
    ruleId: rule.id, status: statuses[i % 4], severity: rule.severity,
    resource: { arn: `arn:aws:ec2:us-east-1:${account}:vpc-endpoint/vpce-${i.toString(16).padStart(17, '0')}`, kind: 'vpcEndpoint', account, region: ['us-east-1', 'eu-west-1'][i % 2], name: `endpoint-${i}` },
    message: `Resource endpoint-${i} of account ${account}: ${rule.title}.`, evidence: [{ path: 'vpcEndpoint.policyDocument', value: '{"Statement":[]}' }],
  };
});
const input = {
  tool: { name: 'linkaudit', version: 'bench', informationUri: 'https://github.com/linkaudit/linkaudit' }, generatedAt: '2026-12-02T00:00:00Z',
  snapshot: { schemaVersion: 1, generatedAt: '2026-12-01T00:00:00Z', source: { kind: 'file' }, scope: { partition: 'aws', accounts: ['100000000000'], regions: ['us-east-1', 'eu-west-1'] } },
  rules, findings, coverage: [], gate: { exitCode: 1, failOn: 'high', allowPartial: false, failing: 1, blockingUnknowns: 0, reason: 'bench' }, sarifCategory: 'bench',
};
let t0 = performance.now();
const html = renderHtml(input);
const renderMs = performance.now() - t0;
const file = join(mkdtempSync(join(tmpdir(), 'linkaudit-html-bench-')), 'linkaudit.html');
writeFileSync(file, html);
const browser = await chromium.launch({ executablePath: process.env.LINKAUDIT_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
t0 = performance.now();
await page.goto(`file://${file}`);
await page.waitForSelector('html[data-ready="true"]');
const loadMs = performance.now() - t0;
const timed = async (act) => {
  const before = await page.locator('#shown').textContent();
  const t = performance.now();
  await act();
  await page.waitForFunction((b) => document.getElementById('shown')?.textContent !== b, before);
  return performance.now() - t;
};
const statusMs = await timed(() => page.selectOption('#f-status', 'fail'));
const pageMs = await timed(() => page.click('#next'));
const ruleMs = await timed(() => page.selectOption('#f-rule', rules[3].id));
await timed(() => page.selectOption('#f-rule', ''));
const searchMs = await timed(() => page.fill('#f-q', 'endpoint-2499')) - 120; // less the typing pause
await browser.close();
console.log(`linkaudit HTML bench: ${COUNT.toLocaleString('en-US')} findings, ${(html.length / 1024 / 1024).toFixed(1)} MB page rendered in ${renderMs.toFixed(0)} ms`);
console.log(`  open to ready ${loadMs.toFixed(0)} ms; filter by status ${statusMs.toFixed(0)} ms, by rule ${ruleMs.toFixed(0)} ms; search ${searchMs.toFixed(0)} ms (after the 120 ms typing pause); next page ${pageMs.toFixed(0)} ms`);
