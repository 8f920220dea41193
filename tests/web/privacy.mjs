// Browser test of members' data (issue 17.5) in Debian's headless Chromium: a member downloads
// their data from /me.html; an admin exports a member from the console's member card and
// erases one after typing its id (a wrong id erases nothing). docs/privacy.md.
// Env: BASE_URL, LOGIN and PASSWORD (a viewer's), MEMBER (that viewer's id), ADMIN_TOKEN,
// TARGET (the id of the member to erase), ARTIFACTS.
// Prints TAP lines; exits 1 when any failed.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { step, expect, failures, launch, summary } from './tap.mjs';

const { BASE_URL, LOGIN, PASSWORD, MEMBER, ADMIN_TOKEN, TARGET, ARTIFACTS } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });
const browser = await launch();
const errors = [];
const asAdmin = async (p) => (await fetch(`${BASE_URL}/api/v1${p}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).json();

async function fresh() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => errors.push(e.message));
  return page;
}

try {
  const page = await fresh();
  await step('a member downloads their data from /me.html as a JSON file', async () => {
    await page.goto(`${BASE_URL}/signin.html`);
    await page.fill('#login', LOGIN);
    await page.fill('#password', PASSWORD);
    await page.click('#password-form button[type=submit]');
    await page.waitForURL('**/me.html');
    await page.waitForSelector('#me:not([hidden])');
    expect((await page.textContent('#my-data')) === '下载我的数据', await page.textContent('#my-data'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#my-data')]);
    const file = await download.path();
    const data = JSON.parse(readFileSync(file, 'utf8'));
    expect(data.member_id === MEMBER && data.sign_in_names[0].login_name === LOGIN, JSON.stringify(data).slice(0, 300));
    expect(data.browser_sessions.length >= 1 && !JSON.stringify(data).includes('argon2'), 'sessions or a hash');
    await page.screenshot({ path: path.join(ARTIFACTS, 'privacy-01-me.png'), fullPage: true });
  });

  const admin = await fresh();
  await step('an admin opens a member in the console: the export link gives its data', async () => {
    await admin.goto(`${BASE_URL}/editor/`);
    await admin.fill('#token', ADMIN_TOKEN);
    await admin.click('#login-form button[type=submit]');
    await admin.waitForSelector('#app:not([hidden])');
    await admin.click('[data-tab=members]');
    await admin.fill('#member-search input[name=q]', TARGET);
    await admin.click('#member-search button[type=submit]');
    await admin.waitForSelector(`#member-rows tr[data-member="${TARGET}"]`);
    await admin.click(`#member-rows tr[data-member="${TARGET}"] button`);
    await admin.waitForSelector('#member-privacy:not([hidden])');
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.click('#member-export')]);
    const data = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(data.member_id === TARGET && data.profile.display_name !== '已注销会员', JSON.stringify(data).slice(0, 300));
    const { entries } = await asAdmin(`/audit?action=member.export&target_id=${TARGET}`);
    expect(entries.length === 1, `${entries.length} export entries`);
  });

  await step('erasing needs the member\'s id typed: a wrong one erases nothing', async () => {
    await admin.fill('#member-erase input[name=confirm]', 'not-the-id');
    await admin.click('#member-erase button[type=submit]');
    await admin.waitForSelector('#member-erase .form-msg.error');
    const { members } = await asAdmin(`/members?q=${TARGET}`);
    expect(members[0].erased_at === null, JSON.stringify(members[0]));
  });

  await step('with the id typed the member is erased and shown so', async () => {
    await admin.fill('#member-erase input[name=confirm]', TARGET);
    await admin.click('#member-erase button[type=submit]');
    await admin.waitForSelector('#member-erase .form-msg:has-text("已删除个人信息")');
    await admin.waitForSelector(`#member-rows tr[data-member="${TARGET}"]:has-text("已注销会员")`);
    expect(await admin.isHidden('#member-verify'), 'flags still offered');
    const { members } = await asAdmin(`/members?q=${TARGET}`);
    expect(members[0].erased_at && members[0].display_name === '已注销会员' && members[0].disabled, JSON.stringify(members[0]));
    await admin.screenshot({ path: path.join(ARTIFACTS, 'privacy-02-console.png'), fullPage: true });
  });

  await step('no script error on the pages', async () => { expect(errors.length === 0, errors.join(' | ')); });
} finally {
  await browser.close();
}
summary();
process.exit(failures() ? 1 : 0);
