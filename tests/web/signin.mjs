// Browser test of signing in (issue 17) in Debian's headless Chromium: the sign-in page with a
// name and password, a one-time link, sign-out from the header, the editor console taking the
// session, and a refused password in the page's words.
// Env: BASE_URL, LOGIN and PASSWORD (a real-name viewer's), LINK (a one-time link path for
// another member, "/signin.html#link=…"), EDITOR_LOGIN, EDITOR_PASSWORD, ARTIFACTS.
// Prints TAP lines; exits 1 when any failed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { step, expect, failures, launch, summary } from './tap.mjs';

const { BASE_URL, LOGIN, PASSWORD, LINK, EDITOR_LOGIN, EDITOR_PASSWORD, ARTIFACTS } = process.env;
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

try {
  const { context, page } = await fresh();
  await step('the sign-in page asks for a name and password first, in Chinese', async () => {
    await page.goto(`${BASE_URL}/signin.html`);
    await page.waitForSelector('#password-form');
    expect((await page.textContent('#password-form')).includes('密码'), 'no 密码 label');
    const forms = await page.$$eval('form', (fs) => fs.map((f) => f.id));
    expect(forms.indexOf('password-form') < forms.indexOf('signin-form'), `order ${forms}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'signin-01-page.png'), fullPage: true });
  });

  await step('a wrong password is refused in the page\'s words', async () => {
    await page.fill('#login', LOGIN);
    await page.fill('#password', 'not-the-password');
    await page.click('#password-form button[type=submit]');
    await page.waitForSelector('#notice.error:not([hidden])');
    const text = await page.textContent('#notice');
    expect(text.includes('账号或密码不对'), text);
    expect(!(await cookies(context)).lectern_session, 'a cookie after a refusal');
  });

  await step('name and password sign in: the member page, an HttpOnly session cookie', async () => {
    await page.fill('#password', PASSWORD);
    await page.click('#password-form button[type=submit]');
    await page.waitForURL('**/me.html');
    await page.waitForSelector('#me:not([hidden])');
    const c = await cookies(context);
    expect(c.lectern_session && c.lectern_session.httpOnly && c.lectern_session.sameSite === 'Lax',
      `cookie ${JSON.stringify(c.lectern_session)}`);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(!stored.includes('lct1.') && !stored.includes(PASSWORD), 'a secret kept in storage');
    const seen = await page.evaluate(() => document.cookie);
    expect(!seen.includes('lectern_session'), 'the page can read the session cookie');
    await page.screenshot({ path: path.join(ARTIFACTS, 'signin-02-me.png'), fullPage: true });
  });

  await step('the member stays signed in across pages', async () => {
    await page.goto(`${BASE_URL}/`);
    await page.waitForSelector('#who a[href="/me.html"]');
  });

  await step('sign-out from the header ends the session', async () => {
    await page.click('#who button');
    await page.waitForSelector('#who a[href^="/signin.html"]');
    expect(!(await cookies(context)).lectern_session, 'cookie still there');
    const r = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    expect(r === 401, `GET /me after sign-out: ${r}`);
  });
  await context.close();

  const other = await fresh();
  await step('a one-time link signs in at once', async () => {
    await other.page.goto(`${BASE_URL}${LINK}`);
    await other.page.waitForURL('**/me.html');
    await other.page.waitForSelector('#me:not([hidden])');
  });
  await other.context.close();

  const again = await fresh();
  await step('the same link a second time is refused with a reason', async () => {
    await again.page.goto(`${BASE_URL}${LINK}`);
    await again.page.waitForSelector('#notice.error:not([hidden])');
    expect((await again.page.textContent('#notice')).includes('登录链接已失效'), 'no reason shown');
    expect(again.page.url().endsWith('/signin.html'), `the link stays in the address bar: ${again.page.url()}`);
  });
  await again.context.close();

  const ed = await fresh();
  // The categories answer late (as on a loaded machine): the console must not jump back to its
  // first tab when it arrives after the editor has moved to another one.
  await ed.page.route('**/api/v1/categories', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await step('an editor signed in on the sign-in page finds the console open', async () => {
    await ed.page.goto(`${BASE_URL}/signin.html?next=/editor/`);
    await ed.page.fill('#login', EDITOR_LOGIN);
    await ed.page.fill('#password', EDITOR_PASSWORD);
    await ed.page.click('#password-form button[type=submit]');
    await ed.page.waitForURL('**/editor/');
    await ed.page.waitForSelector('#app:not([hidden])');
    expect((await ed.page.textContent('#who')).includes('editor'), 'no editor shown');
  });
  await step('the console\'s changes go with the session and its CSRF token', async () => {
    await ed.page.click('[data-tab=columns]');
    const slug = `s${Date.now() % 100000}`;
    await ed.page.fill('#column-create [name=slug]', slug);
    await ed.page.fill('#column-create [name=title]', '会话专栏');
    const [resp] = await Promise.all([
      ed.page.waitForResponse((r) => r.url().endsWith('/api/v1/columns') && r.request().method() === 'POST'),
      ed.page.click('#column-create [type=submit]'),
    ]);
    expect(resp.status() === 201, `POST /columns: ${resp.status()}`);
    const h = resp.request().headers();
    expect(!h.authorization && /^[0-9a-f]{64}$/.test(h['x-csrf-token'] || ''), `headers ${JSON.stringify(h)}`);
    await ed.page.waitForFunction(() => document.querySelector('#categories').options.length > 0);
    expect(await ed.page.isVisible('#tab-columns'), 'the late categories sent the console back to its first tab');
  });
  await step('console sign-out ends the session', async () => {
    await ed.page.click('#logout');
    await ed.page.waitForSelector('#login-form');
    expect(!(await cookies(ed.context)).lectern_session, 'cookie still there');
  });
  await ed.context.close();

  await step('the pages raised no errors', async () => {
    expect(errors.length === 0, errors.join(' | '));
  });
} finally {
  await browser.close();
}
summary();
process.exit(failures() ? 1 : 0);
