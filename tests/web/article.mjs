// Browser test of articles (issue 20) on a phone-sized page (375 px) in Debian's headless
// Chromium: a member opens a published article, sees the server's rendering (hostile bits of
// its Markdown inert: no script ran, no onerror fired), keeps it on screen and earns the read
// rate once over /ws; the page fits the screen. Then the console's articles tab: an editor
// writes an article, previews the server's rendering and publishes it.
// Env: BASE_URL, TOKEN (a real-name viewer), EDITOR_TOKEN, ARTICLE (id), ARTIFACTS.
// Prints TAP lines; exits 1 when any failed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { step, expect, failures, launch, summary } from './tap.mjs';

const { BASE_URL, TOKEN, EDITOR_TOKEN, ARTICLE, ARTIFACTS } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });
const browser = await launch();
const errors = [];
const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `article-${name}.png`), fullPage: true });

try {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => { errors.push(`a dialog opened: ${d.message()}`); d.dismiss(); });

  await step('a member opens an article: the server\'s rendering, hostile bits inert', async () => {
    await page.goto(`${BASE_URL}/signin.html#token=${TOKEN}`);
    await page.waitForURL('**/me.html');
    await page.goto(`${BASE_URL}/article.html?id=${ARTICLE}`);
    await page.waitForSelector('#article:not([hidden])');
    expect((await page.textContent('#article-title')) === '劳模精神薪火相传', await page.textContent('#article-title'));
    expect((await page.textContent('#article-author')) === '作者：王师傅', await page.textContent('#article-author'));
    expect((await page.innerHTML('#article-body')).includes('<strong>王师傅</strong>'), 'no bold');
    expect((await page.$$('#article-body script')).length === 0, 'a script element in the body');
    const hrefs = await page.$$eval('#article-body a', (as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs.every((h) => !/^\s*javascript:/i.test(h || '')), `links: ${hrefs.join(' ')}`);
    expect((await page.$$('#article-body [onerror]')).length === 0, 'an onerror attribute survived');
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(w <= 375, `the page is ${w} px wide on a 375 px screen`);
    await shot(page, '01-open');
  });

  await step('reading it while visible earns the read rate once', async () => {
    await page.waitForFunction(() => document.querySelector('#read-status')?.textContent.includes('继续阅读'));
    await page.waitForFunction(() => document.querySelector('#read-status')?.textContent.includes('已读完'), null,
      { timeout: 40000 });
    const status = await page.textContent('#read-status');
    expect(status.includes('获得 3 积分'), `status: ${status}`);
    await shot(page, '02-read');
    await page.reload();
    await page.waitForFunction(() => document.querySelector('#read-status')?.textContent.includes('已读完'));
    const me = await page.evaluate(async () => (await fetch('/api/v1/me/points')).json());
    expect(me.balance === 3, `balance ${me.balance}`);
  });
  await context.close();

  if (EDITOR_TOKEN) {
    const ed = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'zh-CN' });
    const c = await ed.newPage();
    c.setDefaultTimeout(20000);
    c.on('pageerror', (e) => errors.push(e.message));
    await step('the console writes, previews and publishes an article', async () => {
      await c.goto(`${BASE_URL}/editor/`);
      await c.fill('#token', EDITOR_TOKEN);
      await c.click('#login-form button[type=submit]');
      await c.click('[data-tab=articles]');
      await c.waitForSelector('#article-form');
      await c.fill('#article-form [name=title]', '控制台写的文章');
      await c.fill('#article-form [name=body]', '## 小标题\n\n正文 <script>alert(1)</script> **加粗**');
      await c.click('#article-preview-btn');
      await c.waitForFunction(() => document.querySelector('#article-preview')?.innerHTML.includes('<strong>加粗</strong>'));
      expect(!(await c.innerHTML('#article-preview')).includes('<script'), 'the preview holds a script');
      await c.click('#article-form button[type=submit]');
      await c.waitForSelector('#article-rows tr[data-article]');
      await c.click('#article-publish-btn');
      await c.waitForSelector('#article-rows tr[data-status=published]');
      await c.screenshot({ path: path.join(ARTIFACTS, 'article-03-console.png'), fullPage: true });
    });
    await ed.close();
  }

  await step('the pages raised no errors', async () => {
    expect(errors.length === 0, errors.join(' | '));
  });
} finally {
  await browser.close();
}
summary();
process.exit(failures() ? 1 : 0);
