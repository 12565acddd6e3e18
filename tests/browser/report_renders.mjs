// Opens a kaif report.html in Debian's headless Chromium and fails unless it renders:
// no console or page errors, no network requests (the report is self-contained), every
// section present, every chart drawn with a real size, every team row visible, Korean
// and English labels shown. Writes a full-page screenshot.
// Usage: node report_renders.mjs REPORT.html SCREENSHOT.png
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';

const [report, screenshot] = process.argv.slice(2);
if (!report || !screenshot) {
  console.error('usage: node report_renders.mjs REPORT.html SCREENSHOT.png');
  process.exit(2);
}
if (!existsSync(report)) {
  console.error(`no such report: ${report}`);
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`${executablePath} is missing: run scripts/setup.sh (it installs Debian's chromium)`);
  process.exit(1);
}

const problems = [];
const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push(`network request: ${r.url()}`); });
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
  await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });

  const facts = await page.evaluate(() => {
    const svgs = [...document.querySelectorAll('svg')].map((s) => {
      const box = s.getBoundingClientRect();
      return { label: s.getAttribute('aria-label'), width: box.width, height: box.height, marks: s.querySelectorAll('rect,path,circle').length };
    });
    const firstTable = document.querySelector('table');
    const summaryRows = firstTable ? [...firstTable.querySelectorAll('tbody tr')].map((r) => {
      const box = r.getBoundingClientRect();
      return { text: r.innerText.split('\n')[0], visible: box.width > 0 && box.height > 0 };
    }) : [];
    return {
      lang: document.documentElement.lang,
      title: document.title,
      headings: [...document.querySelectorAll('h2')].map((h) => h.textContent),
      svgs, summaryRows,
      details: document.querySelectorAll('details').length,
      text: document.body.innerText,
    };
  });

  if (facts.lang !== 'ko') problems.push(`html lang is "${facts.lang}", expected "ko"`);
  const sections = [['결정 요약', 'Decision summary'], ['종합 점수', 'Composite'], ['평가 축별 점수', 'Scores by axis'],
                    ['프런티어 대비 성능', 'Frontier ratio'], ['자격 요건', 'Gates'], ['자원 배분', 'Allocation'],
                    ['단계별 경로', 'Path over stages'], ['팀별 설명', 'Explanation per team'], ['적용 규칙', 'Rules applied'],
                    ['입력 파일', 'Input files']];
  for (const [ko, en] of sections) {
    if (!facts.headings.some((h) => h.includes(ko) && h.includes(en))) problems.push(`missing section "${ko} / ${en}"`);
  }
  if (facts.svgs.length < 5) problems.push(`only ${facts.svgs.length} charts, expected at least 5`);
  for (const s of facts.svgs) {
    if (!(s.width > 100 && s.height > 50)) problems.push(`chart "${s.label}" renders at ${s.width}x${s.height}`);
    if (s.marks === 0) problems.push(`chart "${s.label}" draws nothing`);
  }
  if (facts.summaryRows.length === 0) problems.push('the summary table has no team rows');
  for (const r of facts.summaryRows) if (!r.visible) problems.push(`summary row "${r.text}" is not visible`);
  if (facts.details !== facts.summaryRows.length) {
    problems.push(`${facts.details} explanations for ${facts.summaryRows.length} teams`);
  }

  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`${report}: ${facts.svgs.length} charts, ${facts.summaryRows.length} teams, ${facts.headings.length} sections; screenshot ${screenshot}`);
} finally {
  await browser.close();
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
