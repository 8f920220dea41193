// Browser test of the chat replay (issue 19.5) in Debian's headless Chromium: a guest plays the
// recording of a live; a message posted 4 s into the live appears when the player reaches
// about 4 s (not before), a later one only when the player gets there; seeking forwards shows
// it, seeking back hides it again; the deleted message never shows; text stays text. The question
// asked at 8 s (answered in text) shows with its answer; the dismissed one never. The like
// count is the count at that moment of the live (2 in its first 10 s, 5 from 10 s on), not
// the total. A guest has no delete buttons; an editor on the same recording has, and a
// message deleted there goes from the panel.
// Env: BASE_URL, VIDEO (the recording), EDITOR_TOKEN, ARTIFACTS. Prints TAP lines; exits 1 when any failed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { step, expect, failures, launch, summary } from './tap.mjs';

const { BASE_URL, VIDEO, EDITOR_TOKEN, ARTIFACTS } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });
const browser = await launch();
const errors = [];
const texts = (page) => page.$$eval('#chat-list .chat-text', (els) => els.map((e) => e.textContent));
const now = (page) => page.evaluate(() => document.querySelector('#video').currentTime);
const likes = (page) => page.textContent('#chat-like-count');

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  page.on('pageerror', (e) => errors.push(e.message));

  await step('the recording\'s page opens its chat panel in replay mode, empty at 0 s', async () => {
    await page.goto(`${BASE_URL}/watch.html?v=${VIDEO}`);
    await page.waitForSelector('#chat-box:not([hidden])');
    expect(await page.isHidden('#chat-form'), 'a replay has no input');
    expect((await page.textContent('#chat-state')).includes('回放'), 'no replay note');
    expect((await texts(page)).length === 0, 'messages shown before playing');
  });

  let at = 0;
  await step('a message posted 4 s into the live appears at about 4 s of the recording', async () => {
    await page.waitForFunction(() => window.lecternPlayer && window.lecternPlayer.hls &&
      window.lecternPlayer.hls.levels.length > 0);
    await page.evaluate(() => { document.querySelector('#video').muted = true; });
    await page.click('#play');
    await page.waitForFunction(() => [...document.querySelectorAll('#chat-list .chat-text')]
      .some((e) => e.textContent === '<b>四秒</b> 老师好'), null, { timeout: 40000, polling: 50 });
    at = await now(page);
    expect(at >= 4 && at < 6, `appeared at ${at.toFixed(2)} s`);
    expect(await page.$('#chat-list b') === null, 'markup in a message became an element');
    const shown = await texts(page);
    expect(!shown.includes('十二秒：后来的话'), 'the 12 s message showed early');
    expect(!shown.some((x) => x.startsWith('八秒的提问')), 'the 8 s question showed early');
    expect(!shown.includes('被删除的话'), 'a deleted message showed');
    expect(await likes(page) === '2', `likes at 4 s: ${await likes(page)}, not 2`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'chat-replay-01-at-4s.png'), fullPage: true });
  });

  await step('seeking forwards shows the later message; seeking back hides it', async () => {
    await page.evaluate(() => { document.querySelector('#video').currentTime = 14; });
    await page.waitForFunction(() => [...document.querySelectorAll('#chat-list .chat-text')]
      .some((e) => e.textContent === '十二秒：后来的话'));
    expect((await texts(page)).includes('<b>四秒</b> 老师好'), 'the earlier message went');
    await page.waitForFunction(() => document.querySelector('#chat-like-count').textContent === '5');
    const q = await page.$$eval('#chat-list .chat-question', (els) => els.map((e) => ({
      text: e.querySelector('.chat-text').textContent, answer: (e.querySelector('.qa-answer') || {}).textContent })));
    expect(q.length === 1, `questions shown: ${JSON.stringify(q)}`);
    expect(q[0] && q[0].text === '八秒的提问：<i>怎么练</i>' && q[0].answer === '多练习', `question: ${JSON.stringify(q)}`);
    expect(await page.$('#chat-list i') === null, 'markup in a question became an element');
    await page.screenshot({ path: path.join(ARTIFACTS, 'chat-replay-02-at-14s.png'), fullPage: true });
    await page.evaluate(() => { document.querySelector('#video').currentTime = 1; });
    await page.waitForFunction(() => document.querySelectorAll('#chat-list .chat-text').length === 0);
    await page.waitForFunction(() => document.querySelector('#chat-like-count').textContent === '2');
    await page.screenshot({ path: path.join(ARTIFACTS, 'chat-replay-03-seek-back.png'), fullPage: true });
  });

  await step('a guest has no delete buttons in the replay', async () => {
    expect(await page.$('#chat-list .chat-delete') === null, 'a guest sees delete buttons');
  });

  await step('an editor deletes a message in the replay: it goes from the panel', async () => {
    const editor = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const ep = await editor.newPage();
    ep.setDefaultTimeout(30000);
    ep.on('pageerror', (e) => errors.push(e.message));
    await ep.goto(`${BASE_URL}/watch.html?v=${VIDEO}`);
    await ep.evaluate((t) => window.LecternSite.signIn({ token: t }), EDITOR_TOKEN);
    await ep.reload();
    await ep.waitForFunction(() => window.lecternPlayer && window.lecternPlayer.hls &&
      window.lecternPlayer.hls.levels.length > 0);
    await ep.evaluate(() => { document.querySelector('#video').currentTime = 14; });
    const later = '#chat-list li.chat-msg:not(.chat-question):has-text("十二秒：后来的话")';
    await ep.waitForSelector(`${later} .chat-delete`);
    expect(await ep.$('#chat-list .chat-question .chat-delete') === null, 'a question has a delete button');
    await ep.click(`${later} .chat-delete`);
    await ep.waitForSelector(later, { state: 'detached' });
    expect((await texts(ep)).includes('<b>四秒</b> 老师好'), 'the other message went too');
    await ep.screenshot({ path: path.join(ARTIFACTS, 'chat-replay-04-editor-deleted.png'), fullPage: true });
    await editor.close();
  });

  await step('no page errors', async () => {
    expect(errors.length === 0, errors.join(' | '));
  });
  await context.close();
} finally {
  await browser.close();
}
summary();
process.exit(failures() ? 1 : 0);
