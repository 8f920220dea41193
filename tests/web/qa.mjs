// Browser test of questions to the presenter (issue 19.2) in Debian's headless Chromium: two
// pages on one live — a member's watch page (signed in with a browser session) and the
// presenter view opened with the live's presenter link (no account). The question asked on
// the viewer page shows in the presenter view (as text), with the audience and the live
// state; the presenter answers it live and the viewer page marks it; a wrong link is refused.
// Env: BASE_URL, LIVE (a live on air), MEMBER (token), KEY (the presenter link), ARTIFACTS.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { step, expect, failures, launch, summary } from './tap.mjs';

const { BASE_URL, LIVE, MEMBER, KEY, ARTIFACTS } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });
const browser = await launch();
const errors = [];

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => errors.push(e.message));
  return page;
}

try {
  let viewer, presenter;
  const asked = '<i>安全帽</i>多久换一次？';
  await step('the viewer page of the live shows the questions panel, ready to ask', async () => {
    viewer = await newPage();
    await viewer.goto(`${BASE_URL}/index.html`);
    await viewer.evaluate((t) => window.LecternSite.signIn({ token: t }), MEMBER);
    await viewer.goto(`${BASE_URL}/watch.html?v=${LIVE}`);
    await viewer.waitForSelector('#qa-box:not([hidden])');
    await viewer.waitForFunction(() => !document.querySelector('#qa-input').disabled);
    expect((await viewer.textContent('#qa-h')) === '提问', 'no 提问 heading');
  });

  await step('the presenter view opens with the link: the live on air, the audience', async () => {
    presenter = await newPage();
    await presenter.goto(`${BASE_URL}/presenter.html#key=${encodeURIComponent(KEY)}`);
    await presenter.waitForFunction(() => document.querySelector('#pv-title').textContent.includes('劳模讲堂'));
    expect((await presenter.textContent('#pv-state')) === '直播中', 'not shown on air');
    expect(/^\d+$/.test(await presenter.textContent('#pv-audience')), 'no audience count');
  });

  await step('a question asked on the viewer page shows in the presenter view, as text', async () => {
    await viewer.fill('#qa-input', asked);
    await viewer.click('#qa-form button[type=submit]');
    await presenter.waitForFunction((t) => [...document.querySelectorAll('#pv-list .qa-text')]
      .some((e) => e.textContent === t), asked, { timeout: 10000 });
    expect(await presenter.$('#pv-list i') === null, 'markup in a question became an element');
    await viewer.waitForFunction((t) => [...document.querySelectorAll('#qa-list .qa-text')].some((e) => e.textContent === t), asked);
    await presenter.screenshot({ path: path.join(ARTIFACTS, 'qa-01-presenter.png'), fullPage: true });
  });

  await step('the presenter answers it live: pinned and marked on the viewer page', async () => {
    await presenter.click('#pv-list li:first-child .pv-answer-live');
    await viewer.waitForSelector('#qa-list li.pinned .qa-badge.answered_live');
    expect((await viewer.textContent('#qa-list li.pinned .qa-text')) === asked, 'another question pinned');
    await viewer.screenshot({ path: path.join(ARTIFACTS, 'qa-02-viewer.png'), fullPage: true });
  });

  await step('a wrong presenter link is refused', async () => {
    const other = await newPage();
    await other.goto(`${BASE_URL}/presenter.html#key=${encodeURIComponent(KEY.slice(0, -4) + 'AAAA')}`);
    await other.waitForFunction(() => !document.querySelector('#pv-status').hidden);
    expect((await other.textContent('#pv-status')).includes('无效'), 'no refusal shown');
    expect((await other.$$('#pv-list li')).length === 0, 'questions shown to a wrong link');
  });

  await step('no script errors on the pages', async () => {
    const ours = errors.filter((e) => !/hls|media|manifest|fragment/i.test(e));
    expect(ours.length === 0, ours.join(' | '));
  });
} finally {
  await browser.close();
}
summary();
process.exit(failures() ? 1 : 0);
