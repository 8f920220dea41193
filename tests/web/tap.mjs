// What the browser tests share: TAP output, steps, expectations, and Debian's Chromium
// launched headless through playwright-core (from web/node_modules) with the flags CI allows.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

let n = 0;
let failed = 0;
const ok = (what) => console.log(`ok ${++n} - ${what}`);
// A failure prints its error's first line and, for a playwright call that timed out, the
// call log after it (what it waited for and what was in the way), a dozen lines at most.
const notOk = (what, why) => {
  failed++;
  const lines = String(why).split('\n').filter((l) => l.trim() !== '').slice(0, 14);
  console.log(`not ok ${++n} - ${what}\n${lines.map((l) => `#   ${l}`).join('\n')}`);
};

// Runs FN as one TAP line: ok when it resolves, not ok with the first line of its error.
export async function step(what, fn) {
  try {
    await fn();
    ok(what);
    return true;
  } catch (e) {
    notOk(what, e.message);
    return false;
  }
}

export function expect(cond, msg) { if (!cond) throw new Error(msg); }

export const failures = () => failed;

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

// The editor console in a desktop-sized context of its own, signed in with TOKEN; page errors
// go to ERRORS. Returns { context, page } (close the context when done).
export async function openConsole(browser, baseUrl, token, errors) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.on('pageerror', (x) => errors.push(x.message));
  page.setDefaultTimeout(20000);
  await page.goto(`${baseUrl}/editor/`);
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#app:not([hidden])');
  return { context, page };
}

// The closing line, like Check's: "N passed, N failed".
export function summary() {
  console.log(`${n - failed} passed, ${failed} failed`);
}
