// Browser test of the points lottery page (issue 18) in Debian's headless Chromium: the link
// from /me, rules, prizes and stock, the commitment, masked winners, a winner's code, the
// in-browser verifier (crypto.subtle and BigInt) agreeing with `lectern lottery verify` and
// refusing a tampered record, a member buying tickets for the next draw with a countdown, and
// the console's lottery screen adding a tier, freezing and running that draw.
// Env: BASE_URL, LOGIN and PASSWORD (the reserve who got the first prize), BUYER_LOGIN and
// BUYER_PASSWORD (a member free to buy), EDITOR_LOGIN and EDITOR_PASSWORD, LOTTERY, COMMITMENT, WINNERS (JSON array of entry
// codes in pick order), ARTIFACTS. Prints TAP lines; exits 1 when any failed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { step, expect, failures, launch, summary } from './tap.mjs';

const { BASE_URL, LOGIN, PASSWORD, BUYER_LOGIN, BUYER_PASSWORD, EDITOR_LOGIN, EDITOR_PASSWORD, LOTTERY, COMMITMENT, WINNERS,
  ARTIFACTS } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });
const browser = await launch();
const errors = [];

async function signedIn(login, password) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE_URL}/signin.html`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('#password-form button[type=submit]');
  await page.waitForURL('**/me.html');
  return { context, page };
}

try {
  const { page } = await signedIn(LOGIN, PASSWORD);
  await step('/me links to the lottery', async () => {
    await page.waitForSelector('#me:not([hidden])');
    await page.click('#me .lottery-link a');
    await page.waitForURL('**/lottery.html');
    await page.waitForSelector('#lottery:not([hidden])');
  });

  await step('the page shows the rules, prizes with stock and the commitment', async () => {
    await page.waitForSelector('.lottery-draw[data-state=drawn]');
    const rules = await page.textContent('#lottery-rules');
    expect(rules.includes('每张券 10 积分'), rules);
    const draw = await page.textContent('.lottery-draw[data-state=drawn]');
    expect(draw.includes('一等奖 手机券') && draw.includes('兑换码 1 个'), draw);
    expect((await page.textContent('.lottery-draw[data-state=drawn] .commitment')) === COMMITMENT, 'commitment differs');
  });

  await step('winners are masked, the winner sees their redemption code', async () => {
    const winners = await page.$$eval('.winners li', (ls) => ls.map((l) => l.textContent));
    expect(winners.length === 2 && winners.every((w) => /王\*·…[0-9a-f]{4}$/.test(w)), winners.join(' | '));
    const prize = await page.textContent('#mine-prizes');
    expect(prize.includes('PHONE-7731') && prize.includes('已领取'), prize);
    await page.screenshot({ path: path.join(ARTIFACTS, 'lottery-01-results.png'), fullPage: true });
  });

  await step('the verifier in the browser recomputes the winners of the record', async () => {
    await page.click('.lottery-draw[data-state=drawn] button.verify');
    await page.waitForSelector('.verify-result');
    expect((await page.getAttribute('.verify-result', 'data-ok')) === 'true', await page.textContent('.lottery-draw[data-state=drawn]'));
    const codes = (await page.textContent('.verify-winners')).split('：').pop().trim().split(' ');
    expect(JSON.stringify(codes) === WINNERS, `${codes} vs ${WINNERS}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'lottery-02-verified.png'), fullPage: true });
  });

  await step('the verifier refuses a tampered public value and a tampered entry list', async () => {
    const draw = await page.getAttribute('.lottery-draw[data-state=drawn]', 'data-draw');
    const r = await page.evaluate(async ({ draw, commitment }) => {
      const rec = await fetch(`/api/v1/lottery-draws/${draw}/record`).then((x) => x.json());
      const v = window.LecternLotteryVerify.verify;
      const a = structuredClone(rec); a.public_values[0] += '1';
      const b = structuredClone(rec); b.entries[0][1] += 1;
      const c = structuredClone(rec); c.entries[0][1] += 1;
      c.entries_sha256 = await window.LecternLotteryVerify.sha256hex(c.entries.map(([k, t]) => `${k} ${t}\n`).join(''));
      return [await v(rec, commitment), await v(a, commitment), await v(b, commitment), await v(c, commitment)];
    }, { draw, commitment: COMMITMENT });
    expect(r[0].ok, 'the true record fails');
    expect(!r[1].ok && r[1].problems.some((p) => p.includes('key')), JSON.stringify(r[1].problems));
    expect(!r[2].ok && r[2].problems.some((p) => p.includes('stated')), JSON.stringify(r[2].problems));
    expect(!r[3].ok && r[3].problems.some((p) => p.includes('commitment')), JSON.stringify(r[3].problems));
  });

  const buyer = await signedIn(BUYER_LOGIN, BUYER_PASSWORD);
  await step('a member buys tickets for the next draw, with the countdown to its freeze', async () => {
    const p = buyer.page;
    await p.goto(`${BASE_URL}/lottery.html?id=${LOTTERY}`);
    await p.waitForSelector('.lottery-draw[data-state=open] .countdown');
    expect(/距截止还有 0 天 0 时 [0-5]?\d 分/.test(await p.textContent('.countdown')), await p.textContent('.countdown'));
    const before = Number(await p.textContent('#mine-balance'));
    await p.fill('#buy-n', '2');
    await p.click('#buy-go');
    await p.waitForFunction(() => document.querySelector('#mine-tickets').textContent === '2');
    expect(Number(await p.textContent('#mine-balance')) === before - 20, 'balance not reduced by 20');
    await p.screenshot({ path: path.join(ARTIFACTS, 'lottery-03-bought.png'), fullPage: true });
  });

  const editor = await signedIn(EDITOR_LOGIN, EDITOR_PASSWORD);
  await step('the console: a tier, the freeze and the draw of the next draw, the prizes', async () => {
    const p = editor.page;
    await p.goto(`${BASE_URL}/editor/`);
    await p.click('[role=tab][data-tab=lottery]');
    await p.click(`#lottery-list li[data-lottery="${LOTTERY}"] [data-action=edit]`);
    await p.waitForSelector('#draw-list .card[data-state=drawn] .prizes');
    const drawn = await p.textContent('#draw-list .card[data-state=drawn]');
    expect(drawn.includes('PHONE-7731') && drawn.includes('刷积分'), drawn);
    const open = '#draw-list .card[data-state=open]';
    await p.fill(`${open} .tier-form [name=name]`, '三等奖 商场券');
    await p.fill(`${open} .tier-form [name=quantity]`, '1');
    await p.click(`${open} .tier-form button[type=submit]`);
    await p.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('三等奖 商场券'), open);
    await p.click(`${open} button.freeze`);
    await p.waitForSelector('#draw-list .card[data-state=frozen] .draw-run');
    await p.fill('#draw-list .card[data-state=frozen] textarea', '福利彩票 2026002: 01 02 03\ndrand 5000100');
    await p.click('#draw-list .card[data-state=frozen] .draw-run button[type=submit]');
    await p.waitForFunction(() => document.querySelectorAll('#draw-list .card[data-state=drawn]').length === 2);
    const second = await p.$$eval('#draw-list .card[data-state=drawn]', (cs) => cs[1].textContent);
    expect(second.includes('三等奖 商场券') && second.includes('SHA-256'), second);
    await p.screenshot({ path: path.join(ARTIFACTS, 'lottery-04-console.png'), fullPage: true });
  });

  await step('no script errors on the pages', async () => {
    expect(errors.length === 0, errors.join(' | '));
  });
} catch (e) {
  console.log(`not ok - the test stopped: ${e.message}`);
} finally {
  await browser.close();
}
summary();
process.exit(failures() ? 1 : 0);
