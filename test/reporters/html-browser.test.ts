// The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core
// (.ci/install-chromium.sh installs it in CI; without it these tests fail, they never skip). The
// demo's report shows the counts of its JSON report, filters and searches; a report of hostile
// names runs nothing and requests nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/engine/types.js';
import { renderHtml } from '../../src/reporters/html/index.js';
import { CLI } from '../helpers/cli.js';
import { COVERAGE, FINDINGS, reportInput } from './fixtures.js';

/** What the tests read in the page, without the DOM's types (this file is compiled for Node). */
interface PageGlobals {
  document: { getElementById(id: string): { textContent: string | null } | null };
  __pwned?: number;
}

const CHROMIUM = process.env.LINKAUDIT_CHROMIUM ?? '/usr/bin/chromium';
let browser: Browser;
let dir = '';
let json: { summary: { total: Record<string, number> }; findings: unknown[] };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run .ci/install-chromium.sh (the browser tests do not skip)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  dir = mkdtempSync(join(tmpdir(), 'linkaudit-html-'));
  execFileSync(process.execPath, [CLI, 'scan', '--snapshot', resolve('fixtures/demo/snapshot.json'), '--config', resolve('fixtures/demo/.linkaudit.yaml'), '--format', 'html,json', '--output-dir', dir, '--fail-on', 'none'], { stdio: 'pipe' });
  json = JSON.parse(readFileSync(join(dir, 'linkaudit.json'), 'utf8')) as typeof json;
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** A page that records every request, dialog, console error and page error. */
async function open(html: string | undefined, file?: string) {
  const page = await browser.newPage();
  const seen = { requests: [] as string[], dialogs: 0, errors: [] as string[] };
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('about:')) seen.requests.push(r.url());
  });
  page.on('dialog', (d) => {
    seen.dialogs++;
    void d.dismiss();
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  if (file) await page.goto(`file://${file}`);
  else await page.setContent(html ?? '', { waitUntil: 'load' });
  await page.waitForSelector('html[data-ready="true"]', { timeout: 10_000 });
  return { page, seen };
}

const shown = async (page: Page): Promise<number> => page.locator('#findings-body tr.row').count();
const summaryLine = async (page: Page): Promise<string> => (await page.locator('#shown').textContent()) ?? '';

describe('the demo report in Chromium', () => {
  it('shows the counts of the JSON report and lists every finding', async () => {
    const { page, seen } = await open(undefined, join(dir, 'linkaudit.html'));
    for (const k of ['fail', 'unknown', 'pass'] as const) {
      expect(Number(await page.locator(`.card[data-count="${k}"] .num`).textContent()), k).toBe(json.summary.total[k]);
    }
    expect(await summaryLine(page)).toMatch(new RegExp(`^${json.findings.length} of ${json.findings.length} findings`));
    // The blast radius: the demo's flagged connection, its repositories and admin-equivalent roles.
    const blast = (await page.locator('svg.blast').textContent()) ?? '';
    expect(blast).toContain('github-example-corp');
    expect(blast).toContain('role/release-automation');
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([]);
    await page.close();
  });

  it('filters by status, severity and rule, and searches', async () => {
    const { page } = await open(undefined, join(dir, 'linkaudit.html'));
    await page.selectOption('#f-status', 'fail');
    expect(await summaryLine(page)).toMatch(new RegExp(`^${json.summary.total.fail} of `));
    const statuses = await page.locator('#findings-body td.status').allTextContents();
    expect(new Set(statuses)).toEqual(new Set(['fail']));
    await page.selectOption('#f-severity', 'critical');
    const sev = await page.locator('#findings-body td.sev').allTextContents();
    expect(sev.length).toBeGreaterThan(0);
    expect(new Set(sev)).toEqual(new Set(['critical']));
    await page.selectOption('#f-severity', '');
    await page.selectOption('#f-status', '');
    await page.selectOption('#f-rule', 'host-endpoint-not-https');
    const rules = await page.locator('#findings-body tr.row td:nth-child(3)').allTextContents();
    expect(new Set(rules)).toEqual(new Set(['host-endpoint-not-https']));
    await page.selectOption('#f-rule', '');
    const before = await summaryLine(page);
    await page.fill('#f-q', 'ghes-legacy');
    // The search waits for typing to pause (120 ms), then renders.
    // Run in the page (the CSP refuses strings to evaluate); typed without the DOM's types.
    await page.waitForFunction((b) => (globalThis as unknown as PageGlobals).document.getElementById('shown')?.textContent !== b, before);
    const rows = await page.locator('#findings-body tr.row').allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toContain('ghes-legacy');
    // A row opens to its evidence, remediation and rule docs link.
    await page.locator('#findings-body tr.row').first().click();
    expect(await page.locator('.detail h4', { hasText: 'Remediation' }).count()).toBe(1);
    expect(await page.locator('.detail a').getAttribute('href')).toMatch(/^https:\/\/github\.com\/linkaudit\/linkaudit\/blob\/main\/docs\/rules\//);
    await page.close();
  });
});

describe('a report of hostile names in Chromium', () => {
  it('runs none of the payloads, makes no request, and shows the text as text', async () => {
    const payloads = ['<img src=x onerror="window.__pwned=1">', '</script><script>window.__pwned=2</script>', '<svg onload="window.__pwned=3">', '" onmouseover="window.__pwned=4', 'javascript:window.__pwned=5', '\u2028<b>x</b>'];
    const findings: Finding[] = FINDINGS.map((f, i) => ({ ...f, message: payloads[i % payloads.length] as string, resource: { ...f.resource, name: payloads[(i + 1) % payloads.length] as string } }));
    const coverage = COVERAGE.map((c, i) => ({ ...c, message: payloads[i % payloads.length] as string, errorCode: payloads[(i + 2) % payloads.length] as string }));
    const html = renderHtml(reportInput({ findings, coverage }));
    const { page, seen } = await open(html);
    // Open every row and hover everything: handlers would fire now if any had been injected.
    for (const row of await page.locator('#findings-body tr.row').all()) await row.click();
    await page.mouse.move(10, 10);
    await page.hover('table.findings');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__pwned)).toBeUndefined();
    expect(seen.dialogs).toBe(0);
    expect(seen.requests).toEqual([]);
    expect(await page.locator('img, svg[onload], b').count()).toBe(0);
    const text = await page.locator('body').textContent();
    expect(text).toContain('<img src=x onerror="window.__pwned=1">');
    await page.close();
  });
});
