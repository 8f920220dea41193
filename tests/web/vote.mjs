// Browser test of the vote page (issue 21) on a phone-sized screen (375 px) in Debian's
// headless Chromium: a verified member votes, sees the votes left today and the live count,
// is held to one vote per item and two a day; a guest sees the counts and no way to vote; an
// unverified member is told why; nothing is wider than the screen.
// The editor console's votes screen: results, the signal report, a new vote set up and opened.
// Env: BASE_URL, VOTE (the vote's id), TOKEN (a verified viewer's credential), UNVERIFIED (an
// unverified viewer's), EDITOR (an editor's), ITEMS (the vote's video ids, space-separated), ARTIFACTS. Prints TAP lines; exits 1 when any failed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { step, expect, failures, launch, openConsole, summary } from './tap.mjs';

const { BASE_URL, VOTE, TOKEN, UNVERIFIED, EDITOR, ITEMS, ARTIFACTS } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });
const browser = await launch();
const errors = [];
const url = `${BASE_URL}/vote.html?id=${VOTE}`;

async function fresh(token) {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: 'zh-CN',
    isMobile: true, hasTouch: true });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  if (token) {
    await page.goto(`${BASE_URL}/signin.html?next=${encodeURIComponent(`/vote.html?id=${VOTE}`)}#token=${token}`);
    await page.waitForURL(`**/vote.html?id=${VOTE}`);
  } else {
    await page.goto(url);
  }
  await page.waitForSelector('#vote-box:not([hidden]) .vote-item');
  return { context, page };
}
const noSideScroll = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const remaining = (page) => page.textContent('#vote-remaining');
const count = (page, item) => page.textContent(`.vote-item[data-item="${item}"] .count`);

try {
  const { context, page } = await fresh(TOKEN);
  let first;
  await step('a verified member sees the vote, its rules and two votes left today', async () => {
    expect((await page.textContent('#vote-rules')).includes('实名'), 'no real-name rule');
    expect((await remaining(page)).trim() === '2', `remaining ${await remaining(page)}`);
    const buttons = await page.$$('.vote-item button:not([disabled])');
    expect(buttons.length === 3, `${buttons.length} buttons to press`);
    first = await page.getAttribute('.vote-item', 'data-item');
    expect(await noSideScroll(page), 'wider than the screen');
    await page.screenshot({ path: path.join(ARTIFACTS, 'vote-01-before.png'), fullPage: true });
  });

  await step('voting: thanks, one vote left, the item marked 已投 and counted live', async () => {
    await page.tap(`.vote-item[data-item="${first}"] button`);
    await page.waitForSelector(`.vote-item[data-item="${first}"] button.voted[disabled]`);
    expect((await remaining(page)).trim() === '1', `remaining ${await remaining(page)}`);
    expect((await page.textContent('#notice')).includes('投票成功'), await page.textContent('#notice'));
    expect((await count(page, first)).includes('1'), `count ${await count(page, first)}`);
  });

  await step('the second vote uses up the day: every button off', async () => {
    const other = await page.$$eval('.vote-item button:not([disabled])', (bs) => bs.map((b) => b.dataset.item));
    await page.tap(`.vote-item[data-item="${other[0]}"] button`);
    await page.waitForFunction(() => document.querySelector('#vote-remaining').textContent.trim() === '0');
    await page.waitForFunction(() => [...document.querySelectorAll('.vote-item button')].every((b) => b.disabled));
    expect(await noSideScroll(page), 'wider than the screen');
    await page.screenshot({ path: path.join(ARTIFACTS, 'vote-02-voted.png'), fullPage: true });
  });

  await step('the server holds the line too: a vote sent anyway for an item voted today is refused (already_voted)', async () => {
    const r = await page.evaluate(async ([id, item]) => {
      const s = await (await fetch('/api/v1/session', { credentials: 'same-origin' })).json();
      const resp = await fetch(`/api/v1/votes/${id}/ballots`, { method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token }, body: JSON.stringify({ item }) });
      return [resp.status, (await resp.json()).error.code];
    }, [VOTE, first]);
    expect(r[0] === 409 && r[1] === 'already_voted', `answer ${r}`);
  });
  await context.close();

  await step('a guest sees the live counts and a note to sign in, no button to press', async () => {
    const g = await fresh('');
    expect((await g.page.$$('.vote-item button:not([disabled])')).length === 0, 'a guest can press');
    expect((await g.page.textContent('#vote-status')).includes('登录'), await g.page.textContent('#vote-status'));
    expect((await count(g.page, first)).includes('1'), 'no count for the guest');
    await g.context.close();
  });

  await step('an unverified member is told why they cannot vote', async () => {
    const u = await fresh(UNVERIFIED);
    expect((await u.page.textContent('#vote-status')).includes('实名认证'), await u.page.textContent('#vote-status'));
    expect((await u.page.$$('.vote-item button:not([disabled])')).length === 0, 'unverified can press');
    await u.page.screenshot({ path: path.join(ARTIFACTS, 'vote-03-unverified.png'), fullPage: true });
    await u.context.close();
  });

  await step('the list of votes links to it', async () => {
    const g = await browser.newContext({ viewport: { width: 375, height: 740 } });
    const p = await g.newPage();
    await p.goto(`${BASE_URL}/vote.html`);
    await p.waitForSelector(`#vote-list a[href="/vote.html?id=${VOTE}"]`);
    await g.close();
  });

  await step('console: the votes tab lists the vote; its results count the two ballots', async () => {
    const { context: e, page: p } = await openConsole(browser, BASE_URL, EDITOR, errors);
    await p.click('[role=tab][data-tab=votes]');
    await p.waitForSelector(`#vote-list li[data-vote="${VOTE}"]`);
    await p.click(`#vote-list li[data-vote="${VOTE}"] [data-action=results]`);
    await p.waitForSelector('#vote-results:not([hidden]) #vote-results-rows tr');
    const summary = await p.textContent('#vote-results-summary');
    expect(summary.includes('有效 2'), summary);
    await p.click(`#vote-list li[data-vote="${VOTE}"] [data-action=report]`);
    await p.waitForSelector('#vote-report:not([hidden])');
    await p.screenshot({ path: path.join(ARTIFACTS, 'vote-04-console.png'), fullPage: true });

    await p.click('#vote-new');
    await p.fill('#vote-form [name=title]', '优秀案例投票');
    await p.fill('#vote-form [name=items]', ITEMS.split(' ').join('\n'));
    await p.click('#vote-form button[type=submit]');
    await p.waitForFunction(() => [...document.querySelectorAll('#vote-list li')].some((li) => li.textContent.includes('优秀案例投票')));
    const row = p.locator('#vote-list li', { hasText: '优秀案例投票' });
    expect((await row.textContent()).includes('草稿'), await row.textContent());
    await row.locator('[data-action=open]').click();
    await p.waitForFunction(() => [...document.querySelectorAll('#vote-list li')].some((li) => li.textContent.includes('优秀案例投票') && li.textContent.includes('进行中')));
    await e.close();
  });

  await step('no page errors but the one refusal asked for', async () => {
    const other = errors.filter((e) => !e.includes('status of 409'));
    expect(other.length === 0 && errors.length === 1, errors.join(' | '));
  });
} finally {
  await browser.close();
}
summary();
process.exit(failures() ? 1 : 0);
