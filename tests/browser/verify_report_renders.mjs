// Opens a kaif verify report (verify.html) in Debian's headless Chromium and fails unless
// it renders: no console or page errors, no network requests, the verdict shown, an
// evidence table with rows for each reference, and the layer heatmap drawn with cells.
// Usage: node verify_report_renders.mjs VERIFY.html SCREENSHOT.png
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';

const [report, screenshot] = process.argv.slice(2);
if (!report || !existsSync(report)) {
  console.error(`usage: node verify_report_renders.mjs VERIFY.html SCREENSHOT.png (no report at ${report})`);
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const problems = [];
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push(`network request: ${r.url()}`); });
  await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  const facts = await page.evaluate(() => ({
    verdicts: [...document.querySelectorAll('.derived,.independent,.inconclusive')].map((e) => e.textContent),
    tables: [...document.querySelectorAll('table')].map((t) => t.querySelectorAll('tbody tr').length),
    heatmaps: [...document.querySelectorAll('svg')].map((s) => {
      const box = s.getBoundingClientRect();
      return { width: box.width, height: box.height, cells: s.querySelectorAll('rect').length };
    }),
    text: document.body.innerText,
  }));
  if (facts.verdicts.length < 2) problems.push(`verdicts shown: ${facts.verdicts}`);
  if (facts.tables.length === 0 || facts.tables.some((n) => n === 0)) problems.push(`evidence tables: ${facts.tables}`);
  if (facts.heatmaps.length === 0) problems.push('no heatmap');
  for (const h of facts.heatmaps) {
    if (h.width < 100 || h.height < 50 || h.cells === 0) problems.push(`heatmap drawn ${JSON.stringify(h)}`);
  }
  if (!facts.text.includes('Independence verification')) problems.push('no title');
  await page.screenshot({ path: screenshot, fullPage: true });
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('verify report renders');
