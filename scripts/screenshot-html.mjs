// Writes docs/images/html-report.png: the demo's HTML report in headless Chromium, as the README
// shows it. `npm run build && node scripts/screenshot-html.mjs` (needs /usr/bin/chromium).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const dir = mkdtempSync(join(tmpdir(), 'linkaudit-shot-'));
execFileSync(process.execPath, ['dist/cli.js', 'scan', '--snapshot', 'fixtures/demo/snapshot.json', '--config', 'fixtures/demo/.linkaudit.yaml', '--format', 'html', '--output-dir', dir, '--fail-on', 'none', '--quiet']);
const browser = await chromium.launch({ executablePath: process.env.LINKAUDIT_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
await page.goto(`file://${join(dir, 'linkaudit.html')}`);
await page.waitForSelector('html[data-ready="true"]');
await page.selectOption('#f-status', 'fail');
await page.evaluate(() => window.scrollTo(0, 0));
mkdirSync('docs/images', { recursive: true });
await page.screenshot({ path: 'docs/images/html-report.png', fullPage: false });
await browser.close();
console.log('wrote docs/images/html-report.png');
