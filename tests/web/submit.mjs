// Browser test of the submissions page (issue 21.2) on a phone (390×844) in Debian's headless
// Chromium: a verified member opens the call, fills its fields and sends a video with
// tus-js-client in 4 MiB pieces; the connection is cut during the second piece (the request is
// aborted), and the client asks the server where it stopped (HEAD) and continues from there;
// the page then shows the submission's state. In the console the editor accepts it into a
// column. Then a text with a picture: the picture button's file input takes an image, the page
// uploads it and puts `![](/images/…)` where the cursor was; the server's preview shows it; in
// the console the text's review preview shows the picture too. Last, the accepted video is put to
// a vote and the member votes for it from the phone. Env: BASE_URL, TOKEN (a verified
// viewer), EDITOR, CLIP (a video file over 4 MiB), PIC (a PNG), CALL (the call's title),
// ARTIFACTS. Prints TAP lines; exits 1 when any failed.
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { step, expect, failures, launch, openConsole, summary } from './tap.mjs';

const { BASE_URL, TOKEN, EDITOR, CLIP, PIC, CALL, ARTIFACTS } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });
const browser = await launch();
const errors = [];
const size = statSync(CLIP).size;

try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN',
    isMobile: true, hasTouch: true });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const seen = [];   // tus requests: "METHOD offset"
  let cut = false;
  await page.route('**/api/v1/tus/**', async (route) => {
    const r = route.request();
    const offset = r.headers()['upload-offset'];
    seen.push(`${r.method()} ${offset ?? ''}`);
    // The second piece never arrives: the connection is reset under it.
    if (r.method() === 'PATCH' && offset !== '0' && !cut) {
      cut = true;
      await route.abort('connectionreset');
      return;
    }
    await route.continue();
  });

  await step('a verified member signs in and sees the open call on a phone', async () => {
    await page.goto(`${BASE_URL}/signin.html?next=${encodeURIComponent('/submit.html')}#token=${TOKEN}`);
    await page.waitForURL('**/submit.html');
    await page.waitForSelector('#sub-calls li button');
    expect((await page.textContent('#sub-calls')).includes(CALL), await page.textContent('#sub-calls'));
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'wider than the screen');
    await page.screenshot({ path: path.join(ARTIFACTS, 'submit-01-calls.png'), fullPage: true });
  });

  await step('the form asks for the call\'s fields; a video is chosen', async () => {
    await page.tap('#sub-calls li button');
    await page.waitForSelector('#sub-form:not([hidden])');
    const labels = await page.textContent('#sub-fields');
    expect(labels.includes('工作单位 *'), labels);
    await page.selectOption('#sub-kind', 'video');
    await page.fill('#sub-item-title', '手机上传的微视频');
    await page.fill('#sub-fields input[data-field="unit"]', '第五机床厂');
    await page.setInputFiles('#sub-file', CLIP);
  });

  await step('sent with tus: cut in the second piece, resumed from the server\'s offset, whole', async () => {
    await page.tap('#sub-send');
    await page.waitForFunction(() => document.querySelector('#sub-status').textContent.includes('已提交'), null, { timeout: 90000 });
    expect(cut, 'the second piece was never cut');
    const patches = seen.filter((s) => s.startsWith('PATCH'));
    const heads = seen.filter((s) => s.startsWith('HEAD'));
    expect(patches[0] === 'PATCH 0', seen.join(', '));
    expect(heads.length >= 1, `no HEAD after the cut: ${seen.join(', ')}`);
    const resumed = patches.slice(1).map((s) => Number(s.split(' ')[1]));
    expect(resumed.includes(4 * 1024 * 1024), `not resumed at 4 MiB: ${seen.join(', ')}`);
    expect(size > 4 * 1024 * 1024, `the clip has ${size} bytes`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'submit-02-sent.png'), fullPage: true });
  });

  await step('the member sees the submission and its state', async () => {
    await page.waitForSelector('#sub-mine li[data-state]');
    const li = await page.textContent('#sub-mine li');
    expect(li.includes('手机上传的微视频'), li);
    expect(/处理中|审核中/.test(li), li);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'wider than the screen');
  });

  await step('once transcoded it shows 审核中 (in review)', async () => {
    for (let i = 0; i < 120; i++) {
      await page.reload();
      await page.waitForSelector('#sub-mine li[data-state]');
      if ((await page.getAttribute('#sub-mine li', 'data-state')) === 'in_review') break;
      await page.waitForTimeout(1000);
    }
    expect((await page.getAttribute('#sub-mine li', 'data-state')) === 'in_review', await page.textContent('#sub-mine li'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'submit-03-review.png'), fullPage: true });
  });
  await context.close();

  await step('console: the queue shows it; the editor accepts it into the column', async () => {
    const { context: e, page: p } = await openConsole(browser, BASE_URL, EDITOR, errors);
    await p.click('[role=tab][data-tab=submissions]');
    await p.selectOption('#rev-filter [name=state]', 'in_review');
    await p.waitForSelector('#rev-list li[data-submission]');
    await p.click('#rev-list li[data-submission] [data-action=open]');
    await p.waitForSelector('#rev-detail:not([hidden])');
    expect((await p.textContent('#rev-preview')).includes('▶'), 'no preview link');
    await p.selectOption('#rev-form [name=column]', 'wei-shi-pin');
    await p.click('#rev-form [data-action=accept]');
    await p.waitForFunction(() => document.querySelector('#rev-meta').textContent.includes('已采用'));
    await p.screenshot({ path: path.join(ARTIFACTS, 'submit-04-console.png'), fullPage: true });
    await e.close();
  });

  await step('a text: the picture button uploads a picture and puts it at the cursor', async () => {
    const c = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN',
      isMobile: true, hasTouch: true });
    const p = await c.newPage();
    p.setDefaultTimeout(20000);
    p.on('pageerror', (x) => errors.push(x.message));
    p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await p.goto(`${BASE_URL}/signin.html?next=${encodeURIComponent('/submit.html')}#token=${TOKEN}`);
    await p.waitForURL('**/submit.html');
    await p.tap('#sub-calls li button');
    await p.waitForSelector('#sub-form:not([hidden])');
    await p.selectOption('#sub-kind', 'text');
    expect(await p.isVisible('#sub-body-box .sub-picture'), 'no picture button for a text');
    expect(await p.evaluate(() => { const i = document.querySelector('#sub-picture'); i.focus();
      return document.activeElement === i; }), 'the picture button cannot be reached with the keyboard');
    expect(await p.isHidden('#sub-file-box'), 'a text asks for a file');
    await p.fill('#sub-item-title', '带图的稿件');
    await p.fill('#sub-fields input[data-field="unit"]', '第五机床厂');
    await p.fill('#sub-body', '第一段\n\n第二段');
    // The cursor after the first line, as a thumb would put it.
    await p.evaluate(() => { const ta = document.querySelector('#sub-body'); ta.selectionStart = ta.selectionEnd = 4; });
    await p.setInputFiles('#sub-picture', PIC);
    await p.waitForFunction(() => document.querySelector('#sub-body').value.includes('/images/'));
    const text = await p.inputValue('#sub-body');
    expect(/^第一段\n!\[\]\(\/images\/[0-9a-f]{32}\.png\)\n\n第二段$/.test(text), JSON.stringify(text));
    await p.tap('#sub-preview-btn');
    await p.waitForSelector('#sub-preview:not([hidden]) img');
    await p.waitForFunction(() => document.querySelector('#sub-preview img').complete);
    expect(await p.evaluate(() => document.querySelector('#sub-preview img').naturalWidth > 0), 'the picture does not load');
    expect(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'wider than the screen');
    await p.screenshot({ path: path.join(ARTIFACTS, 'submit-05-picture.png'), fullPage: true });
    await p.tap('#sub-send');
    await p.waitForFunction(() => document.querySelector('#sub-status').textContent.includes('已提交'));
    await c.close();
  });

  await step('console: the text\'s review preview shows its picture', async () => {
    const { context: e, page: p } = await openConsole(browser, BASE_URL, EDITOR, errors);
    await p.click('[role=tab][data-tab=submissions]');
    await p.selectOption('#rev-filter [name=kind]', 'text');
    await p.waitForSelector('#rev-list li[data-submission]');
    await p.click('#rev-list li[data-submission] [data-action=open]');
    await p.waitForSelector('#rev-preview img');
    await p.waitForFunction(() => document.querySelector('#rev-preview img').complete);
    expect(await p.evaluate(() => document.querySelector('#rev-preview img').naturalWidth > 0), 'the picture does not load');
    expect((await p.textContent('#rev-preview')).includes('第二段'), await p.textContent('#rev-preview'));
    await p.screenshot({ path: path.join(ARTIFACTS, 'submit-06-review-text.png'), fullPage: true });
    await e.close();
  });

  await step('the accepted video is put to a vote; the member votes for it on the phone', async () => {
    const ed = async (method, url, body) => {
      const r = await fetch(`${BASE_URL}/api/v1${url}`, { method, body: body && JSON.stringify(body),
        headers: { Authorization: `Bearer ${EDITOR}`, 'content-type': 'application/json' } });
      expect(r.ok, `${method} ${url}: ${r.status}`);
      return r.json();
    };
    const subs = await ed('GET', '/submissions?kind=video&state=accepted');
    const video = subs.submissions[0].video_id;
    const vote = await ed('POST', '/votes', { title: '最美微视频评选', description: '为你喜欢的作品投票',
      opens_at: new Date(Date.now() - 3600e3).toISOString(), closes_at: new Date(Date.now() + 86400e3).toISOString(),
      votes_per_day: 1, tally: 'live', items: [{ id: video }] });
    await ed('POST', `/votes/${vote.id}/open`);
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN',
      isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    p.on('pageerror', (x) => errors.push(x.message));
    p.setDefaultTimeout(20000);
    await p.goto(`${BASE_URL}/signin.html?next=${encodeURIComponent(`/vote.html?id=${vote.id}`)}#token=${TOKEN}`);
    await p.waitForURL(`**/vote.html?id=${vote.id}`);
    await p.tap(`.vote-item[data-item="${video}"] button`);
    await p.waitForSelector(`.vote-item[data-item="${video}"] button.voted[disabled]`);
    expect((await p.textContent(`.vote-item[data-item="${video}"] .count`)).includes('1'), 'not counted');
    await p.screenshot({ path: path.join(ARTIFACTS, 'submit-07-voted.png'), fullPage: true });
    await phone.close();
  });

  await step('no page errors but the one cut connection made on purpose', async () => {
    const other = errors.filter((e) => !e.includes('ERR_CONNECTION_RESET'));
    expect(other.length === 0 && errors.length === 1, errors.join(' | '));
  });
} finally {
  await browser.close();
}
summary();
process.exit(failures() ? 1 : 0);
