// Browser test of the viewer app (web/*.html) in Debian's headless Chromium, driven by
// playwright-core, against a real server with a real imported lesson and a live that ffmpeg
// publishes over RTMP. Three viewers watch the same lesson at once: a real-name member, a
// guest, and a second real-name member whose tab is hidden. The member's points must rise,
// the others' must not.
// Env: BASE_URL, MEMBER_TOKEN, HIDDEN_TOKEN, SPEED_TOKEN (a third real-name member), VIDEO (a
// ready lesson, ≥ 95 s, two renditions, chapters, storyboard), NEXT (a short lesson filed after
// it), COLUMN (a column holding both), LIVE (a scheduled live's id, with a poster), PUBLISH_URL
// (its rtmp URL), ARTIFACTS (a dir).
// Prints TAP lines ("ok N - …" / "not ok N - …"); exits 1 when any failed.
import { mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { step, expect, failures, launch, summary } from './tap.mjs';

const { BASE_URL, MEMBER_TOKEN, HIDDEN_TOKEN, SPEED_TOKEN, VIDEO, NEXT, COLUMN, LIVE, PUBLISH_URL, ARTIFACTS } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const browser = await launch();

// A viewer: its own browser context (cookies, storage), one page, its console errors, and the
// HLS URLs it fetched.
async function viewer(name, { width = 1280, height = 900, mobile = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN',
    isMobile: mobile, hasTouch: mobile, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  const v = { name, context, page, errors: [], fetched: [] };
  // A failed load's console line does not name the resource: the response does.
  page.on('console', (m) => { if (m.type() === 'error') v.errors.push(`${m.text()} ${m.location()?.url || ''}`); });
  page.on('pageerror', (e) => v.errors.push(e.message));
  page.on('request', (r) => { if (r.url().includes('/hls/')) v.fetched.push(r.url()); });
  v.shot = (file) => page.screenshot({ path: path.join(ARTIFACTS, `${file}.png`), fullPage: true });
  return v;
}

const currentTime = (page) => page.evaluate(() => document.querySelector('#video').currentTime);
async function waitTime(page, atLeast, timeout = 30000) {
  await page.waitForFunction((t) => document.querySelector('#video').currentTime >= t, atLeast, { timeout });
}
async function signIn(v, token) {
  await v.page.goto(`${BASE_URL}/signin.html`);
  await v.page.fill('#token', token);
  await v.page.click('#signin-form button[type=submit]');
  await v.page.waitForURL('**/me.html');
  await v.page.waitForSelector('#me:not([hidden])');
}
async function api(pathname, token) {
  const r = await fetch(`${BASE_URL}/api/v1${pathname}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  expect(r.ok, `${pathname}: HTTP ${r.status}`);
  return r.json();
}

const member = await viewer('member');
const guest = await viewer('guest');
const hidden = await viewer('hidden');
const checked = [member, guest, hidden];  // pages whose console must stay clean
let ffmpeg = null;
let memberBefore = null;

try {
  await step('home page: strict CSP, featured column and the lesson, no CDN', async () => {
    const resp = await guest.page.goto(`${BASE_URL}/`);
    expect(resp.status() === 200, `status ${resp.status()}`);
    const csp = resp.headers()['content-security-policy'] || '';
    expect(csp.includes("script-src 'self'") && !csp.includes('unsafe-inline'), `CSP: ${csp}`);
    await guest.page.waitForSelector(`#columns a[href="/column.html?c=${COLUMN}"]`);
    await guest.page.waitForSelector(`#latest a[href="/watch.html?v=${VIDEO}"]`);
    await guest.page.waitForSelector('#upcoming .card');
    const foreign = await guest.page.evaluate(() => [...document.querySelectorAll('script[src],link[href]')]
      .map((e) => e.src || e.href).filter((u) => !u.startsWith(location.origin)));
    expect(foreign.length === 0, `foreign resources: ${foreign}`);
    const inline = await guest.page.evaluate(() => [...document.querySelectorAll('script:not([src])')].length);
    expect(inline === 0, 'inline script');
    // viewers' footer: no server status, version or API links (those are the console's)
    const footer = await guest.page.textContent('#site-footer');
    expect(footer.includes('工会公益课堂') && !/lectern|schema|API|服务状态/.test(footer), `footer: ${footer}`);
    expect(await guest.page.locator('#site-footer a').count() === 0, 'links in the footer');
    await guest.shot('01-home');
  });

  await step('English is available and the choice is kept', async () => {
    await guest.page.click('#lang');
    await guest.page.waitForFunction(() => document.documentElement.lang === 'en');
    expect((await guest.page.textContent('#live-h')).includes('Live now'), await guest.page.textContent('#live-h'));
    await guest.shot('02-home-en');
    await guest.page.reload();
    await guest.page.waitForFunction(() => document.documentElement.lang === 'en');
    await guest.page.click('#lang');
    await guest.page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  });

  await step('column page lists the lesson', async () => {
    await guest.page.click(`#columns a[href="/column.html?c=${COLUMN}"]`);
    await guest.page.waitForSelector(`#column-items a[href="/watch.html?v=${VIDEO}"]`);
    expect((await guest.page.textContent('#column-title')).length > 0, 'no title');
    await guest.shot('03-column');
  });

  await step('search finds the lesson by a two-character Chinese word', async () => {
    await guest.page.fill('#site-search input', '匠心');
    await guest.page.press('#site-search input', 'Enter');
    await guest.page.waitForURL('**/search.html?q=*');
    await guest.page.waitForSelector(`#results a[href="/watch.html?v=${VIDEO}"]`);
    await guest.shot('04-search');
  });

  await step('a bad credential is refused on the sign-in page', async () => {
    await member.page.goto(`${BASE_URL}/signin.html`);
    await member.page.fill('#token', 'lct1.nobody.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');
    await member.page.click('#signin-form button[type=submit]');
    await member.page.waitForSelector('#notice.error:not([hidden])');
    await member.shot('05-signin');
    // the 401 of the refused credential is the page's own doing, not an error in it
    member.errors = member.errors.filter((e) => !e.includes('401'));
  });

  await step('members sign in with their credentials', async () => {
    await signIn(member, MEMBER_TOKEN);
    await signIn(hidden, HIDDEN_TOKEN);
    expect(await member.page.isVisible('#who-points'), 'no balance in the header');
    memberBefore = (await api('/me/points', MEMBER_TOKEN)).balance;
    expect(memberBefore === 0, `a new member has ${memberBefore} points`);
  });

  // ---- the three viewers watch the lesson together ---------------------------------------
  const start = {};
  await step('the lesson plays for a member (currentTime +5 s, hls.js)', async () => {
    await Promise.all([member, guest, hidden].map((v) => v.page.goto(`${BASE_URL}/watch.html?v=${VIDEO}`)));
    // the hidden viewer's tab is hidden before anything plays
    await hidden.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { get: () => 'hidden', configurable: true });
      Object.defineProperty(document, 'hidden', { get: () => true, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    for (const v of [member, guest, hidden]) {
      await v.page.waitForSelector('#points-state[data-state]');
      await v.page.waitForFunction(() => window.lecternPlayer && window.lecternPlayer.hls &&
        window.lecternPlayer.hls.levels.length > 0);
      await v.page.click('#play');
    }
    // what the member's points box showed, every change, until the first point
    await member.page.evaluate(() => {
      window.pointsLog = [];
      const box = document.querySelector('#points-box');
      new MutationObserver(() => window.pointsLog.push({
        balance: Number(document.querySelector('#points-balance').dataset.balance || 0),
        next: document.querySelector('#points-next').dataset.seconds,
      })).observe(box, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    const t0 = await currentTime(member.page);
    start.at = Date.now();
    await waitTime(member.page, t0 + 5);
    expect(await member.page.evaluate(() => document.body.dataset.engine) === 'hls.js', 'not hls.js');
    expect(await member.page.textContent('#points-state[data-state=points_counting]'), 'not counting');
    await member.shot('06-watch-member');
  });

  await step('the guest is told that signing in earns points; the hidden tab is not counting', async () => {
    await guest.page.waitForSelector('#points-state[data-state=points_guest]');
    await hidden.page.waitForSelector('#points-state[data-state=points_hidden]');
    await waitTime(guest.page, 5);
    await waitTime(hidden.page, 5);
  });

  await step('switching quality changes the rendition being fetched', async () => {
    const levels = await member.page.evaluate(() => window.lecternPlayer.hls.levels.map((l) => l.url[0] || l.uri));
    expect(levels.length >= 2, `levels: ${levels}`);
    const dir = (u) => u.split('/').slice(-2, -1)[0];
    for (const want of [0, levels.length - 1]) {
      const name = dir(levels[want]);
      const before = member.fetched.length;
      await member.page.selectOption('#quality', String(want));
      const deadline = Date.now() + 20000;
      while (!member.fetched.slice(before).some((u) => u.includes(`/${name}/`) && u.endsWith('.ts'))) {
        expect(Date.now() < deadline, `no segment of ${name} fetched after choosing it`);
        await sleep(200);
      }
      // hls.currentLevel is the level of the fragment playing: it follows a moment after the fetch
      await member.page.waitForFunction((w) => window.lecternPlayer.hls.currentLevel === w, want, { timeout: 10000 })
        .catch(() => { throw new Error('level not set'); });
    }
    await member.page.selectOption('#quality', '-1');
    expect(await member.page.evaluate(() => window.lecternPlayer.hls.autoLevelEnabled), 'auto not back');
  });

  await step('storyboard previews on the scrub bar', async () => {
    const box = await guest.page.locator('#scrub').boundingBox();
    await guest.page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await guest.page.waitForSelector('#preview:not([hidden])');
    await guest.page.waitForFunction(() => {
      const img = document.querySelector('#preview-img');
      return !img.hidden && img.complete && img.naturalWidth > 0 && /storyboard\//.test(img.src);
    });
    expect((await guest.page.textContent('#preview-time')).includes(':'), 'no time in the preview');
    await guest.shot('07-storyboard');
    await guest.page.mouse.move(box.x + box.width * 0.5, box.y - 200);
  });

  await step('chapters are listed and a click seeks to one', async () => {
    const items = await guest.page.locator('#chapters button').count();
    expect(items >= 2, `${items} chapters`);
    await guest.page.locator('#chapters button').nth(1).click();
    await guest.page.waitForFunction(() => document.querySelector('#video').currentTime >= 30);
    await guest.page.waitForSelector('#chapters button.on[data-index="1"]');
  });

  await step('the points box shows the rule, the countdown to the next point and the daily cap', async () => {
    await member.page.waitForSelector('#points-next:not([hidden])');
    const rule = await member.page.textContent('#points-rule');
    expect(rule.includes('每看满 1 分钟得 1 积分') && rule.includes('每节课不设上限'), `rule: ${rule}`);
    const next = await member.page.textContent('#points-next');
    expect(/^再看 [01]:\d\d 得 1 积分$/.test(next), `next: ${next}`);
    const cap = await member.page.textContent('#today-cap');
    expect(cap.includes('每日上限 30 积分'), `cap: ${cap}`);
    expect(/^\d+ \/ 30$/.test(await member.page.textContent('#today-text')), await member.page.textContent('#today-text'));
  });

  await step("the member's points rise while watching (pushed live), when the countdown said", async () => {
    await member.page.waitForFunction(() => Number(document.querySelector('#points-balance').dataset.balance) >= 1,
      null, { timeout: 120000 });
    // Before the first point the countdown went down to at most one heartbeat (10 s, plus a
    // report's slack) from zero: it counted towards the point the server paid.
    const log = await member.page.evaluate(() => window.pointsLog);
    const before = log.filter((e) => e.balance === 0 && e.next).map((e) => Number(e.next));
    expect(before.length && Math.min(...before) <= 15 && new Set(before).size >= 2,
      `the countdown before the first point: ${[...new Set(before)]}`);
    const after = await api('/me/points', MEMBER_TOKEN);
    expect(after.balance >= memberBefore + 1, `balance ${after.balance}`);
    expect(after.today && after.today.points >= 1, 'today not counted');
    expect((await member.page.textContent('#who-points')).startsWith(String(after.balance)), 'header balance');
    await member.shot('08-points-earned');
  });

  await step("neither the guest's nor the hidden tab's viewing earned anything", async () => {
    const h = await api('/me/points', HIDDEN_TOKEN);
    expect(h.balance === 0, `hidden tab's balance ${h.balance}`);
    const hist = await api('/me/history', HIDDEN_TOKEN);
    const row = hist.videos.find((x) => x.video_id === VIDEO);
    expect(row && row.credited_seconds <= 1, `hidden tab credited ${row && row.credited_seconds} s`);
    expect(await hidden.page.evaluate(() => document.querySelector('#video').currentTime) > 50, 'hidden tab did not play');
    expect(await guest.page.textContent('#points-balance') === '', 'guest shows a balance');
  });

  await step('leaving and coming back resumes where the member left off', async () => {
    // under load the points can come late, near the lesson's end where no resume is offered
    if (await currentTime(member.page) > 60) {
      await member.page.evaluate(() => { document.querySelector('#video').currentTime = 40; });
      await member.page.waitForFunction(() => Math.abs(document.querySelector('#video').currentTime - 40) < 5);
    }
    const at = await currentTime(member.page);
    await member.page.click('#play'); // pause: the pause is reported with the position
    await sleep(1500);
    await member.page.reload();
    await member.page.waitForSelector('#resume:not([hidden])');
    const resumed = await currentTime(member.page);
    expect(Math.abs(resumed - at) < 12, `resumed at ${resumed}, left at ${at}`);
    await member.shot('09-resumed');
  });

  await step('my points and history', async () => {
    await member.page.goto(`${BASE_URL}/me.html`);
    await member.page.waitForSelector(`#history a[href="/watch.html?v=${VIDEO}"]`);
    const bal = Number(await member.page.textContent('#me-balance'));
    expect(bal >= 1, `balance ${bal}`);
    await member.page.waitForSelector('#ledger td.num');
    const rules = await member.page.textContent('#campaign-rules');
    for (const want of ['测试积分', '至', '（Asia/Shanghai）', '每看满 1 分钟得 1 积分', '每日上限 30 积分', '每节课不设上限',
      '直播中观看满 10 分钟，另得 3 积分', '只计算页面在前台']) {
      expect(rules.includes(want), `campaign rules lack "${want}": ${rules}`);
    }
    expect(/\d{4}-\d\d-\d\d 至 \d{4}-\d\d-\d\d/.test(rules), `no dates: ${rules}`);
    expect((await member.page.textContent('#points-for')).includes('学习积分'), 'what points are for');
    await member.shot('10-me');
  });

  // ---- viewer basics: speed, keys, the end of a lesson, sharing --------------------------
  await step('at 2× a member earns at most real time (the server\'s clock bounds the credit)', async () => {
    const fast = await viewer('speed');
    checked.push(fast);
    await signIn(fast, SPEED_TOKEN);
    await fast.page.goto(`${BASE_URL}/watch.html?v=${VIDEO}`);
    await fast.page.waitForFunction(() => window.lecternPlayer && window.lecternPlayer.hls &&
      window.lecternPlayer.hls.levels.length > 0);
    await fast.page.waitForSelector('#points-state[data-state]');
    expect(await fast.page.isVisible('#speed'), 'no speed menu on a lesson');
    // data to play at once: the play report then says playing (the server credits from it)
    await fast.page.waitForFunction(() => document.querySelector('#video').readyState >= 3);
    await fast.page.selectOption('#speed', '2');
    expect(await fast.page.evaluate(() => document.querySelector('#video').playbackRate) === 2, 'rate not 2');
    await fast.page.click('#play');
    await fast.page.waitForFunction(() => document.querySelector('#video').currentTime > 0.5);
    const p0 = await currentTime(fast.page);
    const w0 = Date.now();
    await waitTime(fast.page, p0 + 24, 40000);
    await fast.page.click('#play');  // pause: reported (with the rate) and acknowledged
    const p1 = await currentTime(fast.page);
    const wall = (Date.now() - w0) / 1000;
    await sleep(2000);
    const credited = Number(await fast.page.getAttribute('#video-credited', 'data-seconds'));
    const hist = await api('/me/history', SPEED_TOKEN);
    const row = hist.videos.find((x) => x.video_id === VIDEO);
    expect(row, 'no history row');
    expect(p1 - p0 >= 1.6 * wall, `played ${p1 - p0} s of video in ${wall} s: not fast`);
    // credit: at most the wall time the player took (+1 s: the start, rounding), and some
    expect(row.credited_seconds <= wall + 2, `credited ${row.credited_seconds} s for ${wall.toFixed(1)} s of real time`);
    expect(row.credited_seconds >= wall / 2, `credited only ${row.credited_seconds} s for ${wall.toFixed(1)} s`);
    expect(credited === row.credited_seconds, `page says ${credited}, server ${row.credited_seconds}`);
    await fast.shot('21-watch-speed');
    await fast.context.close();
  });

  await step('keyboard: space, ←/→, m, f on the player; not while typing in a field', async () => {
    const pg = guest.page;
    // the guest's lesson played to its end while the members watched (and was marked
    // completed then): forget that, the next step ends it on purpose
    await pg.evaluate(() => localStorage.removeItem('lectern.done'));
    await pg.goto(`${BASE_URL}/watch.html?v=${VIDEO}`);
    await pg.waitForFunction(() => window.lecternPlayer && window.lecternPlayer.hls &&
      window.lecternPlayer.hls.levels.length > 0);
    // the position settled (no resume arriving mid-test), 20 s in, paused
    await pg.waitForFunction(() => document.querySelector('#video').readyState >= 1);
    await pg.evaluate(() => { window.lecternPlayer.chosePosition = true; document.querySelector('#video').currentTime = 20; });
    await pg.waitForFunction(() => Math.abs(document.querySelector('#video').currentTime - 20) < 0.5);
    await pg.click('#video-title');  // nothing focused that has its own keys
    const paused = () => pg.evaluate(() => document.querySelector('#video').paused);
    await pg.keyboard.press('Space');
    await pg.waitForFunction(() => !document.querySelector('#video').paused);
    await waitTime(pg, 2);
    await pg.keyboard.press('Space');
    await pg.waitForFunction(() => document.querySelector('#video').paused);
    const t0 = await currentTime(pg);
    await pg.keyboard.press('ArrowRight');
    await pg.waitForFunction((t) => Math.abs(document.querySelector('#video').currentTime - (t + 10)) < 0.5, t0);
    await pg.keyboard.press('ArrowLeft');
    await pg.waitForFunction((t) => Math.abs(document.querySelector('#video').currentTime - t) < 0.5, t0);
    const muted = () => pg.evaluate(() => document.querySelector('#video').muted);
    await pg.keyboard.press('m');
    expect(await muted(), 'm did not mute');
    expect((await pg.textContent('#mute')) === '取消静音', 'mute button not updated');
    await pg.keyboard.press('m');
    expect(!(await muted()), 'm did not unmute');
    await pg.keyboard.press('f');
    await pg.waitForFunction(() => document.fullscreenElement && document.fullscreenElement.id === 'player');
    await pg.keyboard.press('f');
    await pg.waitForFunction(() => !document.fullscreenElement);
    // typing in the search box: space and m are text, not player keys
    await pg.click('#site-search input');
    await pg.keyboard.type('m ');
    expect(await paused(), 'space in the search box played the video');
    expect(!(await muted()), 'm in the search box muted');
    expect(await pg.inputValue('#site-search input') === 'm ', 'the search box lost the keys');
    await pg.fill('#site-search input', '');
  });

  await step('a finished lesson: end screen (replay, next in the column) and marked completed', async () => {
    const pg = guest.page;
    expect(await pg.isHidden('#done-badge'), 'completed before it ended');
    await pg.evaluate(() => { const v = document.querySelector('#video'); v.currentTime = v.duration - 3; });
    await pg.evaluate(() => document.querySelector('#video').play());
    await pg.waitForSelector('#end-screen:not([hidden])', { timeout: 30000 });
    await pg.waitForSelector('#done-badge:not([hidden])');
    await pg.waitForSelector('#end-next:not([hidden])');
    expect((await pg.getAttribute('#end-next', 'href')) === `/watch.html?v=${NEXT}&c=${COLUMN}`,
      `next: ${await pg.getAttribute('#end-next', 'href')}`);
    await guest.shot('22-end-screen');
    await pg.click('#end-replay');
    await pg.waitForSelector('#end-screen', { state: 'hidden' });
    await pg.waitForFunction(() => { const v = document.querySelector('#video'); return !v.paused && v.currentTime < 10; });
    await pg.evaluate(() => document.querySelector('#video').pause());
    // the column's cards show the lesson as completed (and only it)
    await pg.goto(`${BASE_URL}/column.html?c=${COLUMN}`);
    await pg.waitForSelector(`#column-items a[href="/watch.html?v=${VIDEO}"] .badge.done`);
    expect(await pg.locator(`#column-items a[href="/watch.html?v=${NEXT}"] .badge.done`).count() === 0, 'next marked done');
    // the next lesson of the column is the last one: its end screen says so
    await pg.goto(`${BASE_URL}/watch.html?v=${NEXT}&c=${COLUMN}`);
    await pg.waitForFunction(() => window.lecternPlayer && document.querySelector('#video').readyState >= 1);
    await pg.evaluate(() => { const v = document.querySelector('#video'); v.currentTime = Math.max(0, v.duration - 2); v.play(); });
    await pg.waitForSelector('#end-note:not([hidden])', { timeout: 30000 });
    expect(await pg.isHidden('#end-next'), 'a next lesson after the last');
  });

  await step('share: the lesson link (copied) and a QR code of it', async () => {
    const pg = guest.page;
    await guest.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
    await pg.goto(`${BASE_URL}/watch.html?v=${VIDEO}`);
    await pg.click('#share-toggle');
    await pg.waitForSelector('#share-qr svg path');
    const url = `${BASE_URL}/watch.html?v=${VIDEO}`;
    expect(await pg.inputValue('#share-url') === url, `link ${await pg.inputValue('#share-url')}`);
    // the code drawn is the link's: its dark modules equal qrcode-generator's for the link
    const same = await pg.evaluate((u) => {
      const qr = window.qrcode(0, 'M'); qr.addData(u); qr.make();
      const n = qr.getModuleCount();
      const drawn = new Set([...document.querySelector('#share-qr path').getAttribute('d').matchAll(/M(\d+) (\d+)/g)]
        .map((m) => `${m[2] - 4},${m[1] - 4}`));
      let dark = 0;
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
        if (qr.isDark(r, c) !== drawn.has(`${r},${c}`)) return `module ${r},${c} differs`;
        if (qr.isDark(r, c)) dark++;
      }
      return dark === drawn.size && n >= 21 ? 'same' : `dark ${dark} drawn ${drawn.size}`;
    }, url);
    expect(same === 'same', same);
    await pg.click('#share-copy');
    await pg.waitForFunction(() => document.querySelector('#share-copy').textContent === '已复制');
    expect(await pg.evaluate(() => navigator.clipboard.readText()) === url, 'clipboard');
    await guest.shot('23-share');
  });

  // ---- a live published by ffmpeg ----------------------------------------------------------
  // A guest opens the live's page before it starts and nothing touches it: every playwright
  // call on a page (even a screenshot) counts as a user gesture in Chromium, and headless
  // Chromium refuses sound to a page without one. So this page must start by itself, muted,
  // and offer the sound; what it did is recorded by the page itself and read afterwards.
  const early = await viewer('early');
  await early.context.addInitScript(() => {
    window.addEventListener('DOMContentLoaded', () => {
      const v = document.querySelector('#video');
      v && v.addEventListener('playing', () => {
        if (window.firstPlaying) return;
        window.firstPlaying = { at: Date.now(), muted: v.muted, gesture: navigator.userActivation.hasBeenActive };
      });
    });
  });
  await early.page.goto(`${BASE_URL}/watch.html?v=${LIVE}`);
  const playing = (page) => page.evaluate(() => {
    const v = document.querySelector('#video');
    return { t: v.currentTime, paused: v.paused, muted: v.muted };
  });
  await step('a scheduled live: the page says it will play, and the points box why nothing is counted', async () => {
    await member.page.goto(`${BASE_URL}/watch.html?v=${LIVE}`);
    await member.page.waitForSelector('#player-message:not([hidden])');
    expect((await member.page.textContent('#player-message')).includes('开始后本页会自动播放'), await member.page.textContent('#player-message'));
    await member.page.waitForSelector('#points-state[data-state=points_scheduled]');
    const box = await member.page.textContent('#points-state');
    expect(box.includes('直播开始后开始计时') && !box.includes('连接中'), `points box: ${box}`);
    expect(Number(await member.page.getAttribute('#points-balance', 'data-balance')) >= 1, 'no balance on the waiting page');
    await member.shot('16-live-waiting');
  });

  await step("a missing video's page says so, and its points box why nothing is counted", async () => {
    const missing = await viewer('missing');
    await missing.page.goto(`${BASE_URL}/watch.html?v=nosuchvideo0`);
    await missing.page.waitForSelector('#points-state[data-state=points_no_video]');
    expect((await missing.page.textContent('#video-title')).includes('找不到'), 'no "not found" title');
    expect(!(await missing.page.textContent('#points-state')).includes('连接中'), 'says connecting');
    await missing.context.close();
  });

  let firstPlaylist = 0;
  await step('the live goes on air: the pages opened before play by themselves within 10 s of the first playlist', async () => {
    ffmpeg = spawn('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=44100',
      '-t', '150', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '50', '-keyint_min', '50',
      '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-b:v', '800k', '-c:a', 'aac', '-f', 'flv', PUBLISH_URL],
    { stdio: ['ignore', 'ignore', 'inherit'] });
    // the master playlist exists once the first segments are written
    const deadline = Date.now() + 30000;
    for (;;) {
      const r = await fetch(`${BASE_URL}/hls/${LIVE}/master.m3u8`);
      if (r.ok) break;
      expect(Date.now() < deadline, 'the live never got a playlist');
      await sleep(200);
    }
    firstPlaylist = Date.now();
    await member.page.waitForFunction(() => {
      const v = document.querySelector('#video');
      return !v.paused && v.currentTime > 0;
    }, null, { timeout: 10000 });
    // the untouched page: read what it recorded once the 10 s are over
    await sleep(Math.max(0, firstPlaylist + 10000 - Date.now()));
    const first = await early.page.evaluate(() => window.firstPlaying || null);
    expect(first, 'the page opened before the live did not play within 10 s of the first playlist');
    console.log(`# the waiting page played ${((first.at - firstPlaylist) / 1000).toFixed(1)} s after the first playlist`);
    expect(first.at - firstPlaylist <= 10000, `played ${first.at - firstPlaylist} ms after the first playlist`);
    expect(!first.gesture, 'the page had a user gesture before it played');
    // and keeps playing, at the live edge (not held on a first frame while the latency climbs)
    const t0 = await playing(early.page);
    await sleep(5000);
    const t1 = await playing(early.page);
    expect(t1.t >= t0.t + 3 && !t1.paused, `currentTime ${t0.t} → ${t1.t} in 5 s`);
    const latency = Number(await early.page.getAttribute('#live-badge', 'data-latency'));
    expect(latency > 0 && latency < 15, `latency ${latency}`);
    const m = await playing(member.page);
    expect(m.t >= 3 && !m.paused, `the member's waiting page: currentTime ${m.t}, paused ${m.paused}`);
  });

  await step('without a gesture it plays muted and offers the sound ("点击开启声音")', async () => {
    const first = await early.page.evaluate(() => window.firstPlaying);
    expect(first.muted, 'sound was refused, yet it did not play muted');
    expect((await playing(early.page)).muted, 'not muted');
    expect(await early.page.isVisible('#unmute'), 'no unmute button');
    expect((await early.page.textContent('#unmute')) === '点击开启声音', await early.page.textContent('#unmute'));
    await early.shot('17-live-muted');
    await early.page.click('#unmute');
    await early.page.waitForFunction(() => !document.querySelector('#video').muted);
    expect(await early.page.isHidden('#unmute'), 'unmute button still shown');
    const s1 = await playing(early.page);
    await sleep(2000);
    const s2 = await playing(early.page);
    expect(!s2.paused && s2.t > s1.t + 1, 'stopped playing when the sound was turned on');
  });

  await step('a page opened mid-live plays by itself, with the live badge, its latency and the viewer count', async () => {
    await guest.page.goto(`${BASE_URL}/`);
    await guest.page.waitForSelector(`#live-hero a[href="/watch.html?v=${LIVE}"]`);
    await guest.shot('11-home-live');
    await guest.page.click(`#live-hero a[href="/watch.html?v=${LIVE}"]`);
    await guest.page.waitForSelector('#live-badge:not([hidden])');
    // no click on "play": it starts by itself
    await guest.page.waitForFunction(() => !document.querySelector('#video').paused && document.querySelector('#video').currentTime > 0,
      null, { timeout: 15000 });
    const t0 = await currentTime(guest.page);
    await waitTime(guest.page, t0 + 3);
    await guest.page.waitForFunction(() => document.querySelector('#live-badge').dataset.latency !== '');
    const latency = Number(await guest.page.getAttribute('#live-badge', 'data-latency'));
    expect(latency > 0 && latency < 30, `latency ${latency}`);
    expect((await guest.page.textContent('#latency')).includes('延迟'), await guest.page.textContent('#latency'));
    expect(await guest.page.isHidden('#scrub'), 'scrub bar shown for a live');
    expect(await guest.page.isHidden('#speed-box'), 'speed menu shown for a live');
    await guest.page.waitForSelector('#viewers:not([hidden])');
    expect(/\d+/.test(await guest.page.textContent('#viewers')), await guest.page.textContent('#viewers'));
    expect(await guest.page.isHidden('#live-ended'), 'says ended while on air');
    await guest.shot('12-watch-live');
  });

  await step('the home page shows the live big: its poster and how many watch it', async () => {
    const live = await api(`/videos/${LIVE}`);
    expect(live.poster_url, 'the live has no poster');
    await member.page.goto(`${BASE_URL}/`);
    const hero = `#live-hero a[href="/watch.html?v=${LIVE}"]`;
    await member.page.waitForSelector(`${hero} [data-viewers]`);
    await member.page.waitForFunction((src) => {
      const img = document.querySelector('#live-hero img');
      return img && img.complete && img.naturalWidth > 0 && new URL(img.src).pathname === src;
    }, live.poster_url);
    const n = Number(await member.page.getAttribute(`${hero} [data-viewers]`, 'data-viewers'));
    expect(n >= 1, `${n} viewers shown while the guest and another page watch`);
    expect((await member.page.textContent(`${hero} h3`)) === live.title, 'title');
    const box = await member.page.locator('#live-hero .thumb').boundingBox();
    expect(box.width >= 600, `the live is not big: ${box.width}px`);
    await member.shot('24-home-live-hero');
  });

  await step('the end of the live is shown; the viewer count and 回到直播 go away; the recording plays on', async () => {
    // behind the live edge, so that "back to live" shows before the end
    await early.page.evaluate(() => { const v = document.querySelector('#video'); v.currentTime = Math.max(0, v.currentTime - 20); });
    await early.page.waitForSelector('#go-live:not([hidden])', { timeout: 15000 });
    await early.page.waitForSelector('#viewers:not([hidden])');
    ffmpeg.kill('SIGINT');  // the presenter stops: ffmpeg unpublishes, the recording is finished
    for (const v of [early, guest]) {
      await v.page.waitForSelector('#live-ended:not([hidden])', { timeout: 45000 });
      expect((await v.page.textContent('#live-ended')).includes('直播已结束 · 可回看'), await v.page.textContent('#live-ended'));
      expect(await v.page.isHidden('#viewers'), `${v.name}: viewer count still shown`);
      expect(await v.page.isHidden('#go-live'), `${v.name}: 回到直播 still shown`);
      expect(await v.page.isHidden('#live-badge'), `${v.name}: live badge still shown`);
      expect(await v.page.isVisible('#scrub'), `${v.name}: no scrub bar for the recording`);
    }
    // the page that was 20 s behind plays on into the recording
    const t0 = await currentTime(early.page);
    await waitTime(early.page, t0 + 3, 20000);
    expect(!(await playing(early.page)).paused, 'paused at the end of the live');
    // and the recording can be scrubbed from its start
    await guest.page.evaluate(() => { document.querySelector('#video').currentTime = 2; });
    await guest.page.evaluate(() => document.querySelector('#video').play().catch(() => {}));
    await guest.page.waitForFunction(() => { const v = document.querySelector('#video'); return v.currentTime >= 4 && v.currentTime < 30; },
      null, { timeout: 20000 });
    await early.shot('18-live-ended');
    // the viewer count stays gone
    await sleep(3000);
    expect(await guest.page.isHidden('#viewers'), 'viewer count came back');
  });
  // the pages that waited asked for the first playlist before it was written (404)
  for (const v of [early, member]) v.errors = v.errors.filter((e) => !/status of 404/.test(e));
  checked.push(early);

  await step('phone-sized screens: no sideways scrolling, player usable', async () => {
    const phone = await viewer('phone', { width: 390, height: 844, mobile: true });
    checked.push(phone);
    for (const [url, file] of [['/', '13-phone-home'], [`/watch.html?v=${VIDEO}`, '14-phone-watch'],
      [`/column.html?c=${COLUMN}`, '15-phone-column']]) {
      await phone.page.goto(BASE_URL + url);
      await phone.page.waitForLoadState('networkidle');
      const over = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(over <= 0, `${url} is ${over}px wider than the phone`);
      await phone.shot(file);
      if (url.startsWith('/watch')) {
        const box = await phone.page.locator('#play').boundingBox();
        expect(box && box.width >= 32 && box.height >= 32, 'play button too small to tap');
      }
    }
  });

  // Safari plays HLS itself and the player uses that there; Chromium 156 has its own HLS
  // too, so ?engine=native runs the same code path here.
  await step("the browser's own HLS (the Safari path) plays the lesson", async () => {
    await guest.page.goto(`${BASE_URL}/watch.html?v=${VIDEO}&engine=native`);
    await guest.page.waitForFunction(() => document.body.dataset.engine === 'native');
    expect(await guest.page.evaluate(() => !window.lecternPlayer.hls && /master\.m3u8$/.test(document.querySelector('#video').src)),
      'not playing the master playlist natively');
    await guest.page.click('#play');
    await waitTime(guest.page, 3);
    expect(await guest.page.isDisabled('#quality'), 'quality selector enabled without hls.js');
  });
} finally {
  if (ffmpeg) ffmpeg.kill('SIGINT');
}

await step('a recording of a live is badged 回放 (an imported lesson is not)', async () => {
  const deadline = Date.now() + 60000;
  while ((await api(`/videos/${LIVE}`)).state !== 'ready') {
    expect(Date.now() < deadline, 'the live never became a recording');
    await sleep(1000);
  }
  await guest.page.goto(`${BASE_URL}/`);
  await guest.page.waitForSelector(`#latest a[href="/watch.html?v=${LIVE}"] .badge.replay`);
  expect((await guest.page.textContent(`#latest a[href="/watch.html?v=${LIVE}"] .badge.replay`)) === '回放', 'badge text');
  expect(await guest.page.locator(`#latest a[href="/watch.html?v=${VIDEO}"] .badge.replay`).count() === 0,
    'an imported lesson badged as a recording');
  await guest.shot('25-home-recording');
  await guest.page.goto(`${BASE_URL}/watch.html?v=${LIVE}`);
  await guest.page.waitForSelector('#replay-badge:not([hidden])');
  await guest.page.goto(`${BASE_URL}/watch.html?v=${VIDEO}`);
  await guest.page.waitForSelector('#video-title:not(:empty)');
  expect(await guest.page.isHidden('#replay-badge'), 'the imported lesson shows 回放');
});

await step('an unknown page: status 404, styled, with the site header and a way home', async () => {
  const lost = await viewer('lost');
  const resp = await lost.page.goto(`${BASE_URL}/no/such/lesson`);
  expect(resp.status() === 404, `status ${resp.status()}`);
  await lost.page.waitForSelector('#site-header #site-search input');
  await lost.page.waitForSelector(`#latest a[href^="/watch.html?v="]`);
  expect((await lost.page.textContent('h1')) === '找不到这个页面', await lost.page.textContent('h1'));
  expect(await lost.page.isVisible('main a[href="/"]'), 'no way home');
  const styled = await lost.page.evaluate(() => getComputedStyle(document.querySelector('#site-header')).display);
  expect(styled === 'flex', `header not styled: ${styled}`);
  await lost.shot('26-not-found');
  const errors = lost.errors.filter((e) => !/404/.test(e));
  expect(errors.length === 0, errors.join(' | '));
  await lost.context.close();
});

// ---- recovery from errors (its page logs failed loads on purpose: not in the console check) --
const flaky = await viewer('flaky');
await step('a network error reloads: the manifest fails, then plays once the network is back', async () => {
  let blocked = true;
  await flaky.page.route('**/master.m3u8', (route) => (blocked ? route.abort('connectionfailed') : route.continue()));
  await flaky.page.goto(`${BASE_URL}/watch.html?v=${VIDEO}`);
  await flaky.page.waitForFunction(() => window.lecternPlayer && window.lecternPlayer.recoveries.network >= 1);
  expect(await flaky.page.isVisible('#player-message'), 'no reconnecting message');
  blocked = false;
  await flaky.page.waitForFunction(() => window.lecternPlayer.hls && window.lecternPlayer.hls.levels.length > 0);
  await flaky.page.click('#play');
  await waitTime(flaky.page, 2);
});

await step('a media error is recovered (recoverMediaError) and playback goes on', async () => {
  await flaky.page.evaluate(() => {
    const { hls } = window.lecternPlayer;
    hls.trigger(window.Hls.Events.ERROR, { type: window.Hls.ErrorTypes.MEDIA_ERROR,
      details: window.Hls.ErrorDetails.BUFFER_STALLED_ERROR, fatal: true });
  });
  await flaky.page.waitForFunction(() => window.lecternPlayer.recoveries.media === 1);
  const t = await currentTime(flaky.page);
  await flaky.page.click('#play').catch(() => {});
  await flaky.page.evaluate(() => document.querySelector('#video').play().catch(() => {}));
  await waitTime(flaky.page, t + 2);
});

await step('the pages raised no console errors', async () => {
  // A preload hint that came to nothing (the live ended before that part) is answered 404, as
  // RFC 8216bis has it and hls.js expects; Chromium still logs the failed load. Only that.
  const voidHint = (e) => /status of 404/.test(e) && /\/hls\/[^ ]+-p\d+\.ts$/.test(e);
  const all = checked.flatMap((v) => v.errors.filter((e) => !voidHint(e)).map((e) => `${v.name}: ${e}`));
  expect(all.length === 0, all.join(' | '));
});

await browser.close();
summary();
process.exit(failures() ? 1 : 0);
