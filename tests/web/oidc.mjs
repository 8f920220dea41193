// Browser test of single sign-on (issue 17) in Debian's headless Chromium: the sign-in page
// offers the union's sign-on, the member signs in on the provider's own login and consent
// pages (a real oidc-provider), lands back signed in with an HttpOnly session, is real-name
// verified (the roster has the member number), an admin imports the roster in the console,
// and signing out goes through the provider's logout.
// Env: BASE_URL, ISSUER, LOGIN (an account of the provider), ADMIN_LOGIN, ADMIN_PASSWORD,
// ROSTER_CSV (a file), OUT (written: {"session", "callback"}), ARTIFACTS.
// Prints TAP lines; exits 1 when any failed.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { step, expect, failures, launch, summary } from './tap.mjs';

const { BASE_URL, ISSUER, LOGIN, ADMIN_LOGIN, ADMIN_PASSWORD, ROSTER_CSV, OUT, ARTIFACTS } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });
const browser = await launch();
const errors = [];

async function fresh() {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page };
}
const cookies = async (context) => Object.fromEntries((await context.cookies()).map((c) => [c.name, c]));
const meJson = (page) => page.evaluate(async () => (await fetch('/api/v1/me', { credentials: 'same-origin' })).json());

try {
  const { context, page } = await fresh();
  let callback = '';
  page.on('request', (r) => { if (r.url().includes('/api/v1/oidc/callback')) callback = r.url(); });

  await step('the sign-in page offers the union\'s single sign-on first', async () => {
    await page.goto(`${BASE_URL}/signin.html`);
    await page.waitForSelector('#oidc-section:not([hidden])');
    expect((await page.textContent('#oidc-signin')).includes('统一身份'), 'no 统一身份 on the button');
    const href = await page.getAttribute('#oidc-signin', 'href');
    expect(href.startsWith('/api/v1/oidc/start?return_to='), `href ${href}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'oidc-01-signin.png'), fullPage: true });
  });

  await step('the button leads to the provider\'s own login page', async () => {
    await page.click('#oidc-signin');
    await page.waitForURL((u) => u.href.startsWith(`${ISSUER}/interaction/`));
    await page.waitForSelector('input[name=login]');
    await page.screenshot({ path: path.join(ARTIFACTS, 'oidc-02-provider-login.png'), fullPage: true });
  });

  await step('signing in and consenting there brings the member back signed in', async () => {
    await page.fill('input[name=login]', LOGIN);
    await page.fill('input[name=password]', 'any password the test provider takes');
    await page.click('button[type=submit]');
    await page.waitForSelector('button[type=submit]:has-text("Continue")');
    await page.click('button[type=submit]:has-text("Continue")');
    await page.waitForURL(`${BASE_URL}/me.html`);
    expect(callback.includes('code=') && callback.includes('state='), `callback ${callback}`);
    await page.waitForSelector('#who a');
    await page.screenshot({ path: path.join(ARTIFACTS, 'oidc-03-signed-in.png'), fullPage: true });
  });

  let session = '';
  await step('the session cookie is HttpOnly and SameSite=Lax; the state cookie is gone', async () => {
    const c = await cookies(context);
    expect(c.lectern_session && c.lectern_session.httpOnly && c.lectern_session.sameSite === 'Lax',
      `cookie ${JSON.stringify(c.lectern_session)}`);
    expect(!c.lectern_oidc, 'the state cookie is still there');
    session = c.lectern_session.value;
    expect(!(await page.evaluate(() => document.cookie)).includes('lectern_session'), 'readable by scripts');
  });

  await step('the member has the provider\'s name and is real-name verified (the roster)', async () => {
    const m = await meJson(page);
    expect(m.display_name === '张三', `name ${m.display_name}`);
    expect(m.real_name_verified === true, 'not verified');
    expect((await page.textContent('#who a')) === '张三', 'header name');
  });
  writeFileSync(OUT, JSON.stringify({ session, callback }));

  // The admin's console: the roster card imports the same CSV as the CLI.
  const ad = await fresh();
  await step('an admin imports the roster in the console and sees the report', async () => {
    await ad.page.goto(`${BASE_URL}/signin.html?next=/editor/`);
    await ad.page.fill('#login', ADMIN_LOGIN);
    await ad.page.fill('#password', ADMIN_PASSWORD);
    await ad.page.click('#password-form button[type=submit]');
    await ad.page.waitForURL(`${BASE_URL}/editor/`);
    await ad.page.click('[data-tab=members]');
    await ad.page.waitForSelector('#roster-card:not([hidden])');
    await ad.page.setInputFiles('#roster-form input[type=file]', ROSTER_CSV);
    await ad.page.click('#roster-form button[type=submit]');
    await ad.page.waitForFunction(() => /新增|Added/.test(document.querySelector('#roster-form .form-msg').textContent));
    const msg = await ad.page.textContent('#roster-form .form-msg');
    expect(/新增 0，更新 0，未变 2，拒绝 2/.test(msg), `report ${msg}`);
    expect((await ad.page.$$('#roster-refused li')).length === 2, 'refused lines not listed');
    await ad.page.screenshot({ path: path.join(ARTIFACTS, 'oidc-04-roster.png'), fullPage: true });
  });
  await ad.context.close();

  // Sign-out in a second browser (the first one's session goes on earning points in the shell).
  const so = await fresh();
  await step('signing out ends the session and goes through the provider\'s logout', async () => {
    await so.page.goto(`${BASE_URL}/signin.html`);
    await so.page.click('#oidc-signin');
    await so.page.fill('input[name=login]', LOGIN);
    await so.page.fill('input[name=password]', 'any password the test provider takes');
    await so.page.click('button[type=submit]');
    await so.page.click('button[type=submit]:has-text("Continue")');
    await so.page.waitForURL(`${BASE_URL}/me.html`);
    await so.page.waitForSelector('#who button');
    await so.page.click('#who button');
    await so.page.waitForURL((u) => u.href.startsWith(`${ISSUER}/session/end`));
    expect(!(await cookies(so.context)).lectern_session, 'cookie still there');
    await so.page.click('button[name=logout]');
    await so.page.waitForURL((u) => u.href.startsWith(`${BASE_URL}/signin.html`));
    await so.page.waitForSelector('#oidc-section:not([hidden])');
    const m = await meJson(so.page);
    expect(m.error && m.error.code, 'still signed in after the logout');
  });
  await so.context.close();
  await context.close();

  await step('the pages raised no errors', async () => {
    expect(errors.length === 0, errors.join(' | '));
  });
} finally {
  await browser.close();
}
summary();
process.exit(failures() ? 1 : 0);
