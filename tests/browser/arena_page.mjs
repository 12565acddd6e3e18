// Drives the arena's page (served by `kaif arena serve`) in Debian's headless Chromium the way a
// citizen and an expert would: Korean by default, a battle voted with the keyboard, a battle with a
// follow-up turn voted by clicking, the English switch, the leaderboards and the models ever tested,
// a phone-sized screen, an expert's rubric judgement, and basic accessibility checks. Fails on any
// console error, page error, failed request, error response, or request to anything but BASE_URL.
// Usage: node arena_page.mjs BASE_URL EXPERT_TOKEN SCREENSHOT_DIR
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, expertToken, shots] = process.argv.slice(2);
if (!base || !expertToken || !shots) {
  console.error('usage: node arena_page.mjs BASE_URL EXPERT_TOKEN SCREENSHOT_DIR');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`${executablePath} is missing: run scripts/setup.sh (it installs Debian's chromium)`);
  process.exit(1);
}
mkdirSync(shots, { recursive: true });
const origin = new URL(base).origin;
const WAIT = 120_000;  // the example's tiny models answer in seconds; a loaded machine may be slow
const hangul = /[\uac00-\ud7a3]/;
const tid = (id) => `[data-testid="${id}"]`;

const problems = [];
const facts = { votes: 0, followUps: 0, abortedStreams: 0 };
const pending = [];  // checks that finish after their event
const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const voterIds = new Set();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // Chromium reports an event stream sent with `Cache-Control: no-store` as net::ERR_ABORTED about half
  // the time even when the page read it to its end (seen with a plain fetch() reader and a minimal
  // server). Tolerated only there: a stream really cut short lacks its `end` event, and then the page
  // shows an error, which fails this test anyway.
  page.on('requestfailed', (r) => pending.push((async () => {
    const res = await r.response().catch(() => null);
    const sse = res && res.status() === 200 && (res.headers()['content-type'] || '').startsWith('text/event-stream');
    if (sse && r.failure()?.errorText === 'net::ERR_ABORTED') facts.abortedStreams++;
    else problems.push(`failed request: ${r.method()} ${r.url()} (${r.failure()?.errorText})`);
  })()));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`error response: ${r.status()} ${r.request().method()} ${r.url()}`); });
  page.on('request', (r) => {
    const url = r.url();
    if (url.startsWith('data:')) return;  // the inline icon; not a network request
    if (new URL(url).origin !== origin) { problems.push(`request to another origin: ${url}`); return; }
    if (new URL(url).pathname.startsWith('/api/')) {
      const voter = r.headers()['x-kaif-voter'];
      if (!voter) problems.push(`no X-Kaif-Voter on ${r.method()} ${url}`); else voterIds.add(voter);
    }
  });

  const text = (id) => page.locator(tid(id)).innerText();
  const noError = async (step) => {
    if (await page.locator(tid('error')).isVisible()) throw new Error(`${step}: the page shows an error: ${await text('error')}`);
  };
  // Waits until every answer of the last `turns` turns finished on both sides and voting is open.
  const waitVotable = async (turns, step) => {
    const outcome = await page.waitForFunction((turns) => {
      const error = document.querySelector('[data-testid="error"]');
      if (error && !error.hidden) return 'error: ' + error.innerText;
      const answers = [...document.querySelectorAll('[data-testid="answer-a"] .msg.answer, [data-testid="answer-b"] .msg.answer')];
      if (answers.some((a) => a.dataset.state === 'failed')) return 'an answer failed';
      const vote = document.querySelector('[data-testid="vote-a"]');
      return answers.length === 2 * turns && answers.every((a) => a.dataset.state === 'done') && !vote.disabled && 'ok';
    }, turns, { timeout: WAIT });
    const result = await outcome.jsonValue();
    if (result !== 'ok') throw new Error(`${step}: ${result}`);
  };
  const waitReveal = async (id, step) => {
    await page.locator(tid(id)).waitFor({ state: 'visible', timeout: WAIT });
    await noError(step);
  };
  const battleWith = async (prompt, viaShortcut) => {
    await page.locator(tid('prompt')).fill(prompt);
    if (viaShortcut) await page.locator(tid('prompt')).press('Control+Enter');
    else await page.locator(tid('send')).click();
  };
  // Leaves the text boxes so that number keys vote rather than type.
  const voteKey = async (key) => {
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press(key);
    facts.votes++;
  };

  // ---- Korean by default
  await page.goto(base, { waitUntil: 'load' });
  const start = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    tabs: [...document.querySelectorAll('[role=tab]')].map((t) => t.textContent),
    send: document.querySelector('[data-testid="send"]').textContent,
    title: document.title,
  }));
  if (start.lang !== 'ko') problems.push(`html lang is "${start.lang}", expected "ko"`);
  for (const s of [...start.tabs, start.send, start.title]) if (!hangul.test(s)) problems.push(`"${s}" is not Korean`);

  // ---- A battle voted with the keyboard
  await battleWith('서울에서 부산까지 가는 가장 빠른 방법은 무엇인가요?', false);
  await waitVotable(1, 'first battle');
  await voteKey('1');
  await waitReveal('reveal', 'first vote');
  const names = [await text('reveal-model-a'), await text('reveal-model-b')];
  if (!names[0] || !names[1] || names[0] === names[1]) problems.push(`the reveal names "${names[0]}" and "${names[1]}"`);
  await page.screenshot({ path: join(shots, 'battle-reveal.png'), fullPage: true });

  // ---- A battle with a follow-up turn, voted by clicking
  await page.locator(tid('new-battle')).click();
  if (await page.locator(tid('reveal')).isVisible()) problems.push('the reveal stays after "new battle"');
  await battleWith('김치찌개를 맛있게 끓이는 방법을 알려 주세요.', true);
  await waitVotable(1, 'second battle');
  // Typing digits into the follow-up box must not vote.
  await page.locator(tid('follow-up')).pressSequentially('1번과 3번 재료를 빼면 어떻게 되나요?');
  if (await page.locator(tid('reveal')).isVisible()) problems.push('typing "1" in the follow-up box voted');
  await page.locator(tid('follow-up-send')).click();
  await waitVotable(2, 'follow-up turn');
  facts.followUps++;
  await page.locator(tid('vote-tie')).click();
  facts.votes++;
  await waitReveal('reveal', 'second vote');

  // ---- English, remembered across a reload
  await page.locator(tid('lang-switch')).click();
  const english = async () => page.evaluate(() => ({
    lang: document.documentElement.lang,
    tabs: [...document.querySelectorAll('[role=tab]')].map((t) => t.textContent),
    revealed: document.querySelector('[data-testid="reveal"] h2')?.textContent || '',
  }));
  let en = await english();
  if (en.lang !== 'en') problems.push(`after the switch html lang is "${en.lang}"`);
  if (!en.tabs.includes('Battle') || !en.tabs.includes('Leaderboard')) problems.push(`English tabs: ${en.tabs.join(', ')}`);
  if (en.tabs.some((s) => hangul.test(s))) problems.push('tabs still Korean after the switch');
  if (!en.revealed || hangul.test(en.revealed)) problems.push(`the reveal's heading "${en.revealed}" is not English after the switch`);
  await page.reload({ waitUntil: 'load' });
  en = await english();
  if (en.lang !== 'en') problems.push('the English choice was not remembered across a reload');

  // ---- Leaderboard: at least two rated models, the filters, every model ever tested
  const leaderboard = async (mode) => {
    await page.locator(tid('tab-leaderboard')).click();
    const button = page.locator(tid(mode === 'public' ? 'lb-public' : 'lb-expert'));
    if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
    await page.locator(`${tid('leaderboard')}[data-loaded="${mode}"]`).waitFor({ timeout: WAIT });
    await noError(`${mode} leaderboard`);
    return page.evaluate(() => ({
      rated: [...document.querySelectorAll('[data-testid="leaderboard-table"] tbody tr')]
        .filter((r) => Number.isFinite(parseFloat(r.querySelector('.rating')?.textContent))).map((r) => r.dataset.model),
      filters: document.querySelectorAll('[data-testid="filters-table"] tbody tr').length,
      rubric: document.querySelectorAll('[data-testid="rubric-table"] tbody tr').length,
      models: [...document.querySelectorAll('[data-testid="models-table"] tbody tr')].map((r) => r.dataset.model),
      selected: document.querySelector('[role=tab][aria-selected=true]').id,
    }));
  };
  let board = await leaderboard('public');
  // Two votes may leave a model unbeaten, whose rating is not finite; ties on fresh prompts settle it.
  // (Distinct prompts: a repeated one is flagged duplicate_prompt and not counted.)
  const extra = ['한국의 사계절을 짧게 소개해 주세요.', '세종대왕의 업적 세 가지는?', 'Explain photosynthesis in two sentences.',
                 '좋은 이력서를 쓰는 요령을 알려 주세요.', '제주도 여행 일정을 추천해 주세요.', 'What is a prime number?',
                 '비 오는 날 집에서 할 만한 일을 추천해 주세요.', 'Name three uses of copper.'];
  for (let i = 0; board.rated.length < 2 && i < extra.length; i++) {
    await page.locator(tid('tab-battle')).click();
    if (await page.locator(tid('new-battle')).isVisible()) await page.locator(tid('new-battle')).click();
    await battleWith(extra[i], false);
    await waitVotable(1, `extra battle ${i + 1}`);
    await voteKey('3');
    await waitReveal('reveal', `extra vote ${i + 1}`);
    await page.waitForTimeout(2100);  // the server caches a leaderboard for two seconds
    board = await leaderboard('public');
  }
  if (board.selected !== 'tab-leaderboard') problems.push('the leaderboard tab is not aria-selected');
  if (board.rated.length < 2) problems.push(`the public leaderboard rates ${board.rated.length} models, expected at least 2`);
  if (board.filters < 1) problems.push('the filter effects table is empty');
  if (board.models.length < 2) problems.push(`the models-ever-tested table lists ${board.models.length} models`);
  for (const n of names) if (!board.models.includes(n)) problems.push(`${n} is missing from the models ever tested`);
  await page.screenshot({ path: join(shots, 'leaderboard.png'), fullPage: true });

  // ---- A phone: no horizontal scroll, answers stacked
  await page.setViewportSize({ width: 375, height: 740 });
  const scrollWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
  if ((await scrollWidth()) > 375) problems.push(`the leaderboard scrolls sideways at 375 px (${await scrollWidth()})`);
  await page.locator(tid('tab-battle')).click();
  if (await page.locator(tid('new-battle')).isVisible()) await page.locator(tid('new-battle')).click();
  await battleWith('Recommend three Korean novels for a beginner, with one sentence each.', false);
  await waitVotable(1, 'phone battle');
  if ((await scrollWidth()) > 375) problems.push(`the battle page scrolls sideways at 375 px (${await scrollWidth()})`);
  const [boxA, boxB] = [await page.locator(tid('answer-a')).boundingBox(), await page.locator(tid('answer-b')).boundingBox()];
  if (!(boxB.y >= boxA.y + boxA.height - 1)) problems.push('on a phone the answers are not stacked');
  await page.screenshot({ path: join(shots, 'phone-battle.png'), fullPage: true });
  await voteKey('4');
  await waitReveal('reveal', 'phone vote');
  if ((await scrollWidth()) > 375) problems.push(`the reveal scrolls sideways at 375 px (${await scrollWidth()})`);
  await page.setViewportSize({ width: 1280, height: 900 });

  // ---- An expert's rubric judgement
  await page.locator(tid('tab-expert')).click();
  await page.locator(tid('expert-token')).fill(expertToken);
  await page.locator(tid('expert-login')).click();
  await page.locator(tid('expert-name')).waitFor({ state: 'visible', timeout: WAIT });
  await noError('expert login');
  await page.locator(tid('expert-next')).click();
  const task = await page.waitForFunction(() => {
    const error = document.querySelector('[data-testid="error"]');
    if (error && !error.hidden) return 'error: ' + error.innerText;
    const form = document.querySelector('[data-testid="rubric-form"]');
    return !form.hidden && form.querySelector('select') && 'ok';
  }, null, { timeout: WAIT });
  if ((await task.jsonValue()) !== 'ok') throw new Error(`expert task: ${await task.jsonValue()}`);
  if (!(await text('expert-prompt')).trim()) problems.push('the expert task shows no prompt');
  const selects = page.locator(`${tid('rubric-form')} select`);
  const fields = await selects.count();
  for (let i = 0; i < fields; i++) {
    const values = await selects.nth(i).evaluate((s) => [...s.options].map((o) => o.value).filter(Boolean));
    await selects.nth(i).selectOption(values[(i * 7) % values.length]);
  }
  const pairwise = (await page.locator(tid('expert-winner-a')).count()) > 0;
  if (pairwise) await page.locator(tid('expert-winner-a')).check();
  await page.locator(tid('expert-submit')).click();
  await waitReveal('expert-reveal', 'expert judgement');
  const expertNames = await page.locator(`${tid('expert-reveal')} strong`).allInnerTexts();
  if (expertNames.length !== (pairwise ? 2 : 1) || expertNames.some((n) => !n)) problems.push(`expert reveal: ${expertNames.join(', ')}`);
  await page.screenshot({ path: join(shots, 'expert.png'), fullPage: true });
  const expertBoard = await leaderboard('expert');
  if (expertBoard.rubric < 1) problems.push('the expert leaderboard shows no rubric means after a judgement');

  // ---- Accessibility basics, over every control the page has made by now
  const a11y = await page.evaluate(() => {
    const named = (e) => {
      if ((e.getAttribute('aria-label') || '').trim()) return true;
      const by = e.getAttribute('aria-labelledby');
      if (by && by.split(/\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
      if (e.labels && [...e.labels].some((l) => l.textContent.trim())) return true;
      if (e.tagName === 'BUTTON' && e.textContent.trim()) return true;
      return !!(e.getAttribute('title') || '').trim();
    };
    const unnamed = [...document.querySelectorAll('input, select, textarea, button')].filter((e) => !named(e))
      .map((e) => e.outerHTML.slice(0, 80));
    const fakeButtons = document.querySelectorAll('[role=button], [onclick], a:not([href])').length;
    const tabs = [...document.querySelectorAll('[role=tab]')];
    const tabsOk = tabs.length === 3 && tabs.filter((t) => t.getAttribute('aria-selected') === 'true').length === 1 &&
                   tabs.every((t) => t.tagName === 'BUTTON' && ['true', 'false'].includes(t.getAttribute('aria-selected')));
    const live = ['answer-a', 'answer-b', 'status'].filter((id) => !document.querySelector(`[data-testid="${id}"]`)?.getAttribute('aria-live'));
    const alert = document.querySelector('[data-testid="error"]')?.getAttribute('role') === 'alert';

    // Contrast (WCAG 2): a colour against the background actually painted behind it.
    const parse = (s) => {
      const m = s.match(/rgba?\(([^)]*)\)/);
      if (!m) return null;
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3])).concat(1);
    const background = (e) => {
      const layers = [];
      for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
        const c = parse(getComputedStyle(n).backgroundColor);
        if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
      }
      return layers.reverse().reduce((acc, c) => over(c, acc), [255, 255, 255, 1]);
    };
    const luminance = (c) => {
      const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (e) => {
      const bg = background(e);
      const fg = over(parse(getComputedStyle(e).color), bg);
      const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      return (l1 + 0.05) / (l2 + 0.05);
    };
    const samples = [['main text', document.body], ['heading', document.querySelector('h1')],
                     ['muted text', document.querySelector('main .muted')], ['selected tab', document.querySelector('[role=tab][aria-selected=true]')],
                     ['tab', document.querySelector('[role=tab][aria-selected=false]')], ['button', document.querySelector('[data-testid="expert-next"]')],
                     ['reveal', document.querySelector('[data-testid="expert-reveal"] p')],
                     ['table cell', document.querySelector('[data-testid="models-table"] td')]];
    const contrast = samples.filter(([, e]) => e).map(([what, e]) => [what, Math.round(ratio(e) * 100) / 100]);
    // A vote button, enabled and disabled (measured on a detached-style copy shown for a moment).
    const vote = document.querySelector('[data-testid="vote-a"]');
    if (vote) {
      const copy = vote.cloneNode(true);
      copy.removeAttribute('data-testid');
      document.querySelector('main').append(copy);
      for (const disabled of [false, true]) {
        copy.disabled = disabled;
        contrast.push([`vote button${disabled ? ' (disabled)' : ''}`, Math.round(ratio(copy) * 100) / 100]);
      }
      copy.remove();
    }
    return { unnamed, fakeButtons, tabsOk, live, alert, contrast };
  });
  for (const u of a11y.unnamed) problems.push(`a control without an accessible name: ${u}`);
  if (a11y.fakeButtons) problems.push(`${a11y.fakeButtons} clickable elements that are not <button>s`);
  if (!a11y.tabsOk) problems.push('the tabs are not three role=tab buttons with one aria-selected');
  for (const id of a11y.live) problems.push(`${id} is not an aria-live region`);
  if (!a11y.alert) problems.push('the error element is not role=alert');
  for (const [what, r] of a11y.contrast) if (!(r >= 4.5)) problems.push(`contrast of ${what} is ${r}:1, below 4.5:1`);
  if (voterIds.size !== 1) problems.push(`the page sent ${voterIds.size} different voter ids`);

  const main = a11y.contrast.find(([w]) => w === 'main text');
  console.log(`arena page: ${facts.votes} public votes (${facts.followUps} with a follow-up), an expert ${pairwise ? 'pairwise' : 'single'} ` +
              `judgement (${fields} rubric fields), ${board.rated.length} rated models, ${board.models.length} models ever tested, ` +
              `main text contrast ${main ? main[1] : '?'}:1; screenshots in ${shots}`);
  if (facts.abortedStreams) console.log(`(${facts.abortedStreams} fully read event streams reported as net::ERR_ABORTED by Chromium; see the comment)`);
} catch (e) {
  problems.push(e.message.split('\n')[0]);
  try {
    const pages = browser.contexts().flatMap((c) => c.pages());
    if (pages.length) await pages[0].screenshot({ path: join(shots, 'failure.png'), fullPage: true });
  } catch (ignored) { /* the failure itself is what matters */ }
} finally {
  await Promise.all(pending);
  await browser.close();
}
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
