// Browser test of the editor console (web/editor/) in Debian's headless Chromium, driven by
// playwright-core. An editor signs in, schedules a live, uploads a lesson, edits and
// publishes it, builds a column with it; the public API must then show it. No edit form is
// shown before something is chosen; errors appear beside the button that caused them, in
// Chinese; 9:99 is not a chapter time; drafts are flagged; a video is deleted, a live's key
// replaced; on a phone nothing scrolls sideways.
// Env: BASE_URL, EDITOR_TOKEN, VIEWER_TOKEN, CLIP (a small video file), PICTURE (a 320x180
// JPEG), ARTIFACTS (a dir).
// Prints TAP lines ("ok N - …" / "not ok N - …"); exits 1 when any failed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { step, expect, failures, launch, summary } from './tap.mjs';

const { BASE_URL, EDITOR_TOKEN, VIEWER_TOKEN, CLIP, PICTURE, ARTIFACTS } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
const page = await context.newPage();
page.setDefaultTimeout(15000);
const consoleErrors = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('pageerror', (e) => consoleErrors.push(e.message));
const shot = (name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

let videoId = null;
try {
  await step('console page has a strict CSP and loads', async () => {
    const resp = await page.goto(`${BASE_URL}/editor/`);
    expect(resp.status() === 200, `status ${resp.status()}`);
    const csp = resp.headers()['content-security-policy'] || '';
    expect(csp.includes("script-src 'self'") && !csp.includes('unsafe-inline'), `CSP: ${csp}`);
    await page.waitForSelector('#login-form');
    await shot('01-login');
  });

  await step('a viewer credential is refused with a reason beside the sign-in button', async () => {
    await page.fill('#token', VIEWER_TOKEN);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login-form button[type=submit] + .err');
    const text = await page.textContent('#login-form .err');
    expect(text.includes('编辑权限'), text);
    expect(await page.isHidden('#app'), 'console shown to a viewer');
  });

  await step('an editor signs in', async () => {
    await page.fill('#token', EDITOR_TOKEN);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#app:not([hidden])');
    expect((await page.textContent('#who')).includes('editor'), 'no editor name shown');
  });

  await step('no blank edit form on the 视频 and 专题专栏 tabs before something is chosen', async () => {
    for (const [tab, form] of [['videos', '#video-form'], ['columns', '#column-form']]) {
      await page.click(`[data-tab=${tab}]`);
      await page.waitForSelector(`#tab-${tab}:not([hidden])`);
      const display = await page.$eval(form, (f) => getComputedStyle(f).display);
      expect(display === 'none', `${form} is shown (display ${display})`);
      expect(await page.isHidden(form), `${form} visible`);
    }
    await shot('01b-no-blank-forms');
    await page.click('[data-tab=lives]');
  });

  await step('a draft live is flagged as invisible to viewers', async () => {
    const warn = '#live-form .draft-warning';
    expect((await page.inputValue('#live-form select[name=visibility]')) === 'draft', 'default is not draft');
    await page.waitForSelector(`${warn}:not([hidden])`);
    expect((await page.textContent(warn)).includes('观众不可见'), await page.textContent(warn));
    await page.selectOption('#live-form select[name=visibility]', 'published');
    await page.waitForSelector(warn, { state: 'hidden' });
  });

  let firstKey = null;
  await step('schedules a live and sees the RTMP URL and key to copy', async () => {
    await page.fill('#live-form input[name=title]', '劳模直播课：焊接');
    await page.fill('#live-form input[name=presenter]', '王师傅');
    await page.selectOption('#live-form select[name=kind]', 'model-worker');
    await page.selectOption('#live-form select[name=visibility]', 'published');
    // A datetime-local value three days from now (the browser's local time), never a fixed date.
    const soon = new Date(Date.now() + 3 * 86400e3);
    const pad = (n) => String(n).padStart(2, '0');
    await page.fill('#live-form input[name=starts]',
      `${soon.getFullYear()}-${pad(soon.getMonth() + 1)}-${pad(soon.getDate())}T19:30`);
    await page.click('#live-form button[type=submit]');
    await page.waitForSelector('#live-created:not([hidden])');
    const key = await page.inputValue('#stream-key');
    const url = await page.inputValue('#rtmp-url');
    expect(key.length > 20, `key "${key}"`);
    expect(url.startsWith('rtmp://') && url.endsWith(`/${key}`), `url ${url}`);
    firstKey = key;
    await page.waitForSelector('#lives-upcoming li:has-text("劳模直播课：焊接")');
    await shot('02-live-scheduled');
  });

  await step('replaces the live\'s stream key: a new one shown once, audited', async () => {
    const li = page.locator('#lives-upcoming li:has-text("劳模直播课：焊接")');
    await li.locator('button.rekey').click();
    await li.locator('button.rekey-confirm').click();
    await page.waitForFunction((old) => document.querySelector('#stream-key').value !== old, firstKey);
    const key = await page.inputValue('#stream-key');
    expect(key.length > 20 && key !== firstKey, `key "${key}"`);
    expect((await page.inputValue('#rtmp-url')).endsWith(`/${key}`), 'URL without the new key');
    await page.waitForSelector('#notice:has-text("旧推流码已失效")');
    const id = await li.getAttribute('data-video');
    const audit = await (await fetch(`${BASE_URL}/api/v1/audit?target_type=video&target_id=${id}`,
      { headers: { Authorization: `Bearer ${EDITOR_TOKEN}` } })).json();
    expect(audit.entries[0].action === 'video.rekey', JSON.stringify(audit.entries[0]));
    expect(!JSON.stringify(audit).includes(key), 'the key is in the audit log');
    await shot('02b-live-rekeyed');
  });

  await step('uploads a lesson with a progress bar and follows its transcode', async () => {
    await page.click('[data-tab=upload]');
    await page.setInputFiles('#upload-form input[name=file]', CLIP);
    await page.fill('#upload-form input[name=title]', '志愿者课堂：科学小实验');
    await page.fill('#upload-form input[name=presenter]', '李老师');
    await page.selectOption('#upload-form select[name=kind]', 'volunteer');
    await page.click('#upload-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#upload-progress').value === 100);
    await page.waitForSelector('#upload-edit:not([hidden])', { timeout: 180000 });
    expect((await page.getAttribute('#job-progress', 'value')) === '100', 'job progress not 100');
    await shot('03-uploaded');
  });

  await step('edits the lesson: category, tags, chapters, published', async () => {
    await page.click('#upload-edit');
    await page.waitForSelector('#video-form:not([hidden])');
    const heading = await page.textContent('#video-heading');
    videoId = heading.match(/\(([^)]+)\)$/)[1];
    await page.selectOption('#video-form select[name=category]', '科学普及');
    await page.fill('#video-form input[name=tags]', '双减, 科学');
    await page.fill('#video-form textarea[name=description]', '<b>不是标签</b> 用家里的材料做实验');
    await page.waitForSelector('#video-form .draft-warning:not([hidden])'); // an upload starts as a draft
    await page.selectOption('#video-form select[name=visibility]', 'published');
    await page.waitForSelector('#video-form .draft-warning', { state: 'hidden' });
    await page.click('#chapter-add');
    await page.click('#chapter-add');
    const starts = page.locator('#chapters .ch-start');
    const titles = page.locator('#chapters .ch-title');
    await starts.nth(0).fill('0:00');
    await titles.nth(0).fill('开场');
    await starts.nth(1).fill('9:99');
    await titles.nth(1).fill('动手做');
    // 9:99 is refused beside the save button, in Chinese, and nothing is saved.
    await page.click('#video-form button[type=submit]');
    const err = '#video-form button[type=submit] + .err';
    await page.waitForSelector(err);
    const text = await page.textContent(err);
    expect(text.includes('9:99') && text.includes('分:秒'), text);
    expect((await starts.nth(1).getAttribute('aria-invalid')) === 'true', 'the bad start is not marked');
    await shot('04a-bad-chapter-time');
    const before = await (await fetch(`${BASE_URL}/api/v1/videos/${videoId}`,
      { headers: { Authorization: `Bearer ${EDITOR_TOKEN}` } })).json();
    expect(before.chapters.length === 0 && before.visibility === 'draft', 'saved despite 9:99');
    await starts.nth(1).fill('0:02');
    await page.click('#video-form button[type=submit]');
    await page.waitForSelector('#notice:not(.error):not([hidden])');
    expect(await page.locator(err).count() === 0, 'the error stayed after a good save');
    await shot('04-video-edited');
  });

  // The picture in the form must be the one uploaded (320 wide), loaded from /images/.
  const pictureShown = (sel) => page.waitForFunction((s) => {
    const img = document.querySelector(s);
    return !img.hidden && img.complete && img.naturalWidth === 320 && img.src.includes('/images/');
  }, sel);

  await step('replaces the lesson poster with an uploaded picture', async () => {
    await page.setInputFiles('#video-poster-file', PICTURE);
    await page.waitForSelector('#notice:has-text("图片已保存")');
    await pictureShown('#video-poster');
    const v = await (await fetch(`${BASE_URL}/api/v1/videos/${videoId}`)).json();
    expect(v.poster_url === new URL(await page.getAttribute('#video-poster', 'src'), BASE_URL).pathname,
           `poster_url ${v.poster_url}`);
    const img = await fetch(`${BASE_URL}${v.poster_url}`);
    expect(img.headers.get('content-type') === 'image/jpeg', `served as ${img.headers.get('content-type')}`);
  });

  await step('deletes a video: asked first, then gone from the list and the API', async () => {
    const auth = { Authorization: `Bearer ${EDITOR_TOKEN}` };
    const r = await fetch(`${BASE_URL}/api/v1/events`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: '上传失败的课', presenter: '测试' }) });
    const { id } = await r.json();
    await page.click('[data-tab=videos]');
    await page.fill('#video-search input[name=q]', '上传失败');
    await page.click('#video-search button[type=submit]');
    try {
      await page.click(`#video-list button[data-video="${id}"]`);
      // The form is already open on the lesson edited before: wait until it shows this
      // video, or the delete button would be pressed on the lesson (and the confirmation
      // closed again when this video's details arrive).
      await page.waitForSelector(`#video-form:not([hidden]) #video-heading:has-text("${id}")`);
      await page.click('#video-delete');
      await page.waitForSelector('#video-delete-confirm:not([hidden])');
      expect((await page.textContent('#video-delete-explain')).includes('积分'), 'no explanation');
      await shot('04b-delete-asked');
      await page.click('#video-delete-yes');
      await page.waitForSelector('#video-form', { state: 'hidden' });
      await page.waitForSelector('#notice:has-text("已删除")');
      await page.waitForSelector(`#video-list button[data-video="${id}"]`, { state: 'detached' });
      const gone = await fetch(`${BASE_URL}/api/v1/videos/${id}`, { headers: auth });
      expect(gone.status === 404, `GET after delete: ${gone.status}`);
    } finally {
      // The steps after this one expect the whole list, whatever happened here.
      await page.fill('#video-search input[name=q]', '');
      await page.click('#video-search button[type=submit]');
    }
  });

  await step('builds a column and files the lesson in it, featured', async () => {
    await page.click('[data-tab=columns]');
    await page.fill('#column-create input[name=slug]', 'kexue-ketang');
    await page.fill('#column-create input[name=title]', '科学小课堂');
    await page.fill('#column-create textarea[name=description]', '志愿教师的科学课');
    await page.click('#column-create button[type=submit]');
    await page.waitForSelector('#column-form:not([hidden])');
    await page.selectOption('#column-add-video', videoId);
    await page.click('#column-add');
    await page.waitForSelector(`#column-items li[data-video="${videoId}"]`);
    await page.click(`#column-items li[data-video="${videoId}"] button:has-text("推荐")`);
    await page.waitForSelector(`#column-items li[data-video="${videoId}"] button:has-text("已推荐")`);
  });

  await step('an error from the server is shown beside its button, in Chinese', async () => {
    await page.fill('#column-create input[name=slug]', 'kexue-ketang');  // taken just now
    await page.fill('#column-create input[name=title]', '重复的专栏');
    await page.click('#column-create button[type=submit]');
    const err = '#column-create button[type=submit] + .err';
    await page.waitForSelector(err);
    const text = await page.textContent(err);
    expect(text.includes('已被占用') && !/[a-z]{4,}/.test(text), text);
    await shot('05a-error-beside-button');
    await page.fill('#column-create input[name=slug]', '');
    await page.fill('#column-create input[name=title]', '');
  });

  await step('orders the column: a second item moved to the top', async () => {
    const live = await page.$eval('#column-add-video', (s) =>
      Array.from(s.options).find((o) => o.textContent.startsWith('劳模直播课')).value);
    await page.selectOption('#column-add-video', live);
    await page.click('#column-add');
    await page.waitForSelector(`#column-items li:nth-child(2)[data-video="${live}"]`);
    await page.click(`#column-items li[data-video="${live}"] button:has-text("上移")`);
    await page.waitForSelector(`#column-items li:nth-child(1)[data-video="${live}"]`);
    const col = await (await fetch(`${BASE_URL}/api/v1/columns/kexue-ketang`)).json();
    expect(col.items.map((i) => i.video.id).join() === `${live},${videoId}`, JSON.stringify(col.items.map((i) => i.video.id)));
    await page.click(`#column-items li[data-video="${live}"] button:has-text("下移")`);
    await page.waitForSelector(`#column-items li:nth-child(1)[data-video="${videoId}"]`);
    await shot('05-column-built');
  });

  await step('gives the column a cover, then removes it', async () => {
    expect(await page.isHidden('#column-cover-remove'), 'a remove button without a cover');
    await page.setInputFiles('#column-cover-file', PICTURE);
    await pictureShown('#column-cover');
    await page.waitForSelector('#column-cover-remove:not([hidden])');
    let col = await (await fetch(`${BASE_URL}/api/v1/columns/kexue-ketang`)).json();
    expect(col.cover_url && col.cover_url.startsWith('/images/'), `cover_url ${col.cover_url}`);
    await shot('05b-column-cover');
    await page.click('#column-cover-remove');
    await page.waitForSelector('#column-cover', { state: 'hidden' });
    await page.waitForSelector('#notice:has-text("封面已移除")');
    col = await (await fetch(`${BASE_URL}/api/v1/columns/kexue-ketang`)).json();
    expect(col.cover_url === null, `cover_url ${col.cover_url}`);
    expect(await page.isHidden('#column-cover-remove'), 'remove button still shown');
  });

  await step('the public API shows the published lesson in the column', async () => {
    const col = await (await fetch(`${BASE_URL}/api/v1/columns/kexue-ketang`)).json();
    expect(col.item_count === 2, `item_count ${col.item_count}`);
    const it = col.items[0];
    expect(it.video.id === videoId && it.featured, JSON.stringify(it).slice(0, 200));
    const v = await (await fetch(`${BASE_URL}/api/v1/videos/${videoId}`)).json();
    expect(v.visibility === 'published' && v.state === 'ready', `${v.visibility} ${v.state}`);
    expect(v.category === '科学普及' && v.tags.join() === '双减,科学', `${v.category} ${v.tags}`);
    expect(v.chapters.length === 2 && v.chapters[1].start === 2 && v.chapters[1].title === '动手做',
           JSON.stringify(v.chapters));
    expect(v.description.startsWith('<b>'), 'markup not stored verbatim');
    expect(v.columns.some((c) => c.slug === 'kexue-ketang'), 'column not on the video');
    const found = await (await fetch(`${BASE_URL}/api/v1/videos?q=${encodeURIComponent('科学')}`)).json();
    expect(found.videos.some((x) => x.id === videoId), 'search 科学 misses it');
  });

  await step('markup in text shows as text, not HTML', async () => {
    await page.click('[data-tab=videos]');
    await page.waitForSelector(`#video-list button[data-video="${videoId}"]`);
    expect(await page.locator('#video-list b').count() === 0, 'a <b> element was created');
  });

  await step('lists every video a page at a time; a column finds one past the first page', async () => {
    const auth = { Authorization: `Bearer ${EDITOR_TOKEN}` };
    for (let i = 1; i <= 60; i++) { // the oldest of them has a title of its own
      const r = await fetch(`${BASE_URL}/api/v1/events`, {
        method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: i === 1 ? '最早的分页课' : `分页课 第${i}讲`, presenter: '测试', kind: 'other' }),
      });
      expect(r.status === 201, `event ${i}: ${r.status}`);
    }
    const { total } = await (await fetch(`${BASE_URL}/api/v1/videos?visibility=any&per_page=1`, { headers: auth })).json();
    expect(total >= 62, `total ${total}`);
    await page.click('[data-tab=videos]');
    await page.waitForFunction(() => document.querySelectorAll('#video-list li').length === 50);
    const more = await page.textContent('#video-more');
    expect(more.includes(`50 / ${total}`), `button says "${more}"`);
    await page.click('#video-more');
    await page.waitForFunction((n) => document.querySelectorAll('#video-list li').length === n, total);
    expect(await page.isHidden('#video-more'), 'more button shown with everything listed');
    const ids = await page.$$eval('#video-list button', (bs) => bs.map((b) => b.dataset.video));
    expect(new Set(ids).size === total && ids.includes(videoId), `${new Set(ids).size} distinct of ${total}`);

    const { videos: [oldest] } = await (await fetch(`${BASE_URL}/api/v1/videos?visibility=any&q=${encodeURIComponent('最早')}`,
                                                     { headers: auth })).json();
    await page.click('[data-tab=columns]');
    await page.click('#column-list button[data-column="kexue-ketang"]');
    await page.waitForFunction(() => document.querySelectorAll('#column-add-video option').length === 50);
    const before = await page.$$eval('#column-add-video option', (os) => os.map((o) => o.value));
    expect(before.length === 50 && !before.includes(oldest.id), `${before.length} options, oldest among them`);
    await page.fill('#column-video-q', '最早');
    await page.waitForFunction((id) => [...document.querySelectorAll('#column-add-video option')]
      .some((o) => o.value === id), oldest.id);
    await page.selectOption('#column-add-video', oldest.id);
    await page.click('#column-add');
    await page.waitForSelector(`#column-items li[data-video="${oldest.id}"]`);
  });

  await step('switches to English', async () => {
    await page.click('#lang');
    expect((await page.textContent('[data-tab=columns]')) === 'Columns', 'tab not translated');
    expect((await page.getAttribute('html', 'lang')) === 'en', 'html lang not en');
    await shot('06-english');
  });

  await step('on a phone (375 px) nothing scrolls sideways', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'zh-CN',
                                             deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    p.on('pageerror', (e) => consoleErrors.push(e.message));
    await p.goto(`${BASE_URL}/editor/`);
    await p.fill('#token', EDITOR_TOKEN);
    await p.click('#login-form button[type=submit]');
    await p.waitForSelector('#app:not([hidden])');
    const wide = () => p.evaluate(() => [document.scrollingElement.scrollWidth, innerWidth]);
    const checkAt = async (what) => {
      // A phone's layout viewport grows to fit content that is too wide: innerWidth must
      // stay the screen's 375 px, and nothing may scroll past it.
      const [sw, iw] = await wide();
      expect(sw <= iw && iw === 375, `${what}: scrollWidth ${sw}, innerWidth ${iw} (screen 375)`);
    };
    await p.fill('#live-form input[name=title]', '手机上预约的直播');
    await p.click('#live-form button[type=submit]');
    await p.waitForSelector('#live-created:not([hidden])');
    await checkAt('lives with the key shown');
    await p.screenshot({ path: path.join(ARTIFACTS, '07-phone-lives.png'), fullPage: true });
    await p.click('[data-tab=videos]');
    await p.fill('#video-search input[name=q]', '科学小实验');
    await p.click('#video-search button[type=submit]');
    await p.click(`#video-list button[data-video="${videoId}"]`);
    await p.waitForSelector(`#video-form:not([hidden]) #video-heading:has-text("${videoId}")`);
    await checkAt('a video being edited');
    await p.screenshot({ path: path.join(ARTIFACTS, '07-phone-video.png'), fullPage: true });
    await p.click('[data-tab=columns]');
    await p.click('#column-list button[data-column="kexue-ketang"]');
    await p.waitForSelector('#column-form:not([hidden])');
    await checkAt('a column being edited');
    await p.screenshot({ path: path.join(ARTIFACTS, '07-phone-column.png'), fullPage: true });
    await p.click('[data-tab=upload]');
    await checkAt('upload');
    await phone.close();
  });

  await step('no console errors', async () => {
    // The browser logs the one refusal this test asks for on purpose (the taken slug, 409).
    const refused = consoleErrors.filter((m) => m.includes('status of 409'));
    const others = consoleErrors.filter((m) => !m.includes('status of 409'));
    expect(refused.length === 1, `409s: ${refused.length}`);
    expect(others.length === 0, others.join(' | '));
  });
} finally {
  await browser.close();
}
summary();
process.exit(failures() ? 1 : 0);
