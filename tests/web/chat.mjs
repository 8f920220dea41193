// Browser test of the live chat (issue 19) in Debian's headless Chromium: two pages on one
// live — a member and an editor (a moderator), each signed in with a browser session. A message
// typed in one appears in the other, as text (markup in it stays text); the likes count rises
// on both; the moderator's delete button removes the message from the member's page.
// Env: BASE_URL, LIVE (a live on air), MEMBER and EDITOR (tokens), ARTIFACTS.
// Prints TAP lines; exits 1 when any failed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { step, expect, failures, launch, summary } from './tap.mjs';

const { BASE_URL, LIVE, MEMBER, EDITOR, ARTIFACTS } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });
const browser = await launch();
const errors = [];

// A page signed in with TOKEN (a browser session), on the live's watch page.
async function open(token) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE_URL}/index.html`);
  await page.evaluate((t) => window.LecternSite.signIn({ token: t }), token);
  await page.goto(`${BASE_URL}/watch.html?v=${LIVE}`);
  await page.waitForSelector('#chat-box:not([hidden])');
  await page.waitForFunction(() => !document.querySelector('#chat-input').disabled);
  return { context, page };
}

const texts = (page) => page.$$eval('#chat-list .chat-text', (els) => els.map((e) => e.textContent));

try {
  let member, editor;
  await step('two pages on one live: the chat panel opens, in Chinese, ready to post', async () => {
    member = await open(MEMBER);
    editor = await open(EDITOR);
    expect((await member.page.textContent('#chat-h')) === '互动', 'no 互动 heading');
  });

  const said = '<b>老师好</b> 我从北京来';
  await step('a message typed in one page appears in the other, as text', async () => {
    await member.page.fill('#chat-input', said);
    await member.page.click('#chat-form button[type=submit]');
    await editor.page.waitForFunction((t) => [...document.querySelectorAll('#chat-list .chat-text')]
      .some((e) => e.textContent === t), said);
    expect(await editor.page.$('#chat-list b') === null, 'markup in a message became an element');
    expect((await texts(member.page)).includes(said), 'not on the sender\'s page');
    expect((await member.page.inputValue('#chat-input')) === '', 'the input was not cleared');
    await editor.page.screenshot({ path: path.join(ARTIFACTS, 'chat-01-two-pages.png'), fullPage: true });
  });

  await step('the moderator\'s message is marked; the moderator sees delete, mute and ban', async () => {
    await editor.page.fill('#chat-input', '欢迎大家提问');
    await editor.page.press('#chat-input', 'Enter');
    await member.page.waitForSelector('#chat-list .chat-badge');
    expect(await member.page.$('#chat-list .chat-delete') === null, 'a member sees moderators\' buttons');
    await editor.page.waitForSelector('#chat-list .chat-mute');
    expect(await editor.page.$('#chat-list .chat-ban') !== null, 'no ban button');
  });

  await step('likes: tapped on one page, the count rises on both', async () => {
    const before = Number(await editor.page.textContent('#chat-like-count'));
    for (let i = 0; i < 3; i++) await member.page.click('#chat-like');
    await editor.page.waitForFunction((b) => Number(document.querySelector('#chat-like-count').textContent) >= b + 3, before);
  });

  await step('the moderator deletes the message: it disappears from the member\'s page', async () => {
    await editor.page.click('#chat-list li:first-child .chat-delete');
    await member.page.waitForFunction((t) => ![...document.querySelectorAll('#chat-list .chat-text')]
      .some((e) => e.textContent === t), said);
    await member.page.screenshot({ path: path.join(ARTIFACTS, 'chat-02-deleted.png'), fullPage: true });
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
