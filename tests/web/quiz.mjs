// Browser test of the daily quiz (issue 20) on a phone-sized page (375 px) in Debian's
// headless Chromium: /me shows today's progress per activity and links to the quiz; the quiz
// shows one question a screen with the server's timer, the verdict and explanation after each
// answer, the result with explanations and the countdown to tomorrow; the rules page lists
// the table of activities. Env: BASE_URL, TOKEN (a real-name viewer's credential), ARTIFACTS.
// Prints TAP lines; exits 1 when any failed.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { step, expect, failures, launch, summary } from './tap.mjs';

const { BASE_URL, TOKEN, EDITOR_TOKEN, BANK_FILE, ARTIFACTS } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });
const browser = await launch();
const errors = [];
const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `quiz-${name}.png`), fullPage: true });

try {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => errors.push(e.message));
  const fits = async () => {
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(w <= 375, `the page is ${w} px wide on a 375 px screen`);
  };

  await step('a member signs in and /me links to the quiz, with today by activity', async () => {
    await page.goto(`${BASE_URL}/signin.html#token=${TOKEN}`);
    await page.waitForURL('**/me.html');
    await page.waitForSelector('#me:not([hidden])');
    const quiz = await page.textContent('#activity-progress li[data-activity=quiz]');
    expect(quiz.includes('每日答题') && quiz.includes('0 / 5'), `progress: ${quiz}`);
    await shot(page, '01-me');
    await page.click('#quiz-link');
    await page.waitForURL('**/quiz.html');
    await page.waitForSelector('#quiz-intro:not([hidden])');
    expect((await page.textContent('#quiz-rules')).includes('每天 3 题'), await page.textContent('#quiz-rules'));
  });

  let total = 0;
  await step('one question a screen with the timer, the verdict and explanation after each', async () => {
    await page.click('#quiz-start');
    for (;;) {
      await page.waitForSelector('#quiz-question:not([hidden])');
      await fits();
      const timer = await page.textContent('#quiz-timer');
      expect(/剩余 \d+ 秒/.test(timer), `timer: ${timer}`);
      expect((await page.$$('#quiz-options .option')).length >= 2, 'no options');
      if (total === 0) await shot(page, '02-question');
      // Each tap re-draws the options: find them again by position every time.
      const texts = await page.$$eval('#quiz-options .option', (os) => os.map((o) => o.textContent));
      for (let i = 0; i < texts.length; i++)
        if (/RIGHT|正确/.test(texts[i])) await page.locator('#quiz-options .option').nth(i).click();
      await page.click('#quiz-submit');
      await page.waitForSelector('#quiz-feedback:not([hidden])');
      total++;
      const verdict = await page.textContent('#quiz-verdict');
      expect(verdict.includes('回答正确'), `verdict: ${verdict}`);
      expect((await page.textContent('#quiz-explanation')).includes('EXPL'), 'no explanation');
      if (total === 1) await shot(page, '03-feedback');
      const next = await page.textContent('#quiz-next');
      await page.click('#quiz-next');
      if (next.includes('查看成绩')) break;
      expect(total < 10, 'the quiz does not end');
    }
    expect(total === 3, `${total} questions`);
  });

  await step('the result: score, points, explanations, the countdown to tomorrow', async () => {
    await page.waitForSelector('#quiz-result:not([hidden])');
    const score = await page.textContent('#quiz-score');
    expect(score.includes('答对 3 / 3') && score.includes('5 积分'), `score: ${score}`);
    expect((await page.$$('#quiz-review li')).length === 3, 'review');
    const countdown = await page.textContent('#quiz-countdown');
    expect(/距明天的答题还有 \d\d:\d\d:\d\d/.test(countdown), `countdown: ${countdown}`);
    await fits();
    await shot(page, '04-result');
  });

  await step('coming back the same day shows the result, not a second attempt', async () => {
    await page.reload();
    await page.waitForSelector('#quiz-result:not([hidden])');
    expect(await page.isHidden('#quiz-intro'), 'the start button is back');
  });

  await step('the rules page lists the activities and today\'s quiz points', async () => {
    await page.goto(`${BASE_URL}/rules.html`);
    await page.waitForSelector('#rules-rows tr[data-activity=quiz]');
    const row = await page.textContent('#rules-rows tr[data-activity=quiz]');
    expect(row.includes('每日答题') && row.includes('5'), `row: ${row}`);
    expect((await page.$$('#rules-rows tr')).length === 3, 'watch, live bonus, quiz');
    await fits();
    await shot(page, '05-rules');
  });

  await context.close();

  const ed = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const console_ = await ed.newPage();
  console_.setDefaultTimeout(20000);
  console_.on('pageerror', (e) => errors.push(e.message));
  await step('the console\'s bank screen: correct rates, import, retire', async () => {
    await console_.goto(`${BASE_URL}/editor/`);
    await console_.fill('#token', EDITOR_TOKEN);
    await console_.click('#login-form button[type=submit]');
    await console_.click('[data-tab=quiz]');
    await console_.waitForSelector('#quiz-rows tr[data-question]');
    const rows = await console_.$$eval('#quiz-rows tr[data-question]', (rs) => rs.map((r) => r.textContent));
    expect(rows.length === 3 && rows.every((r) => r.includes('100%')), `rows: ${rows.join(' | ')}`);
    await console_.setInputFiles('#quiz-import input[name=file]', BANK_FILE);
    await console_.click('#quiz-import button[type=submit]');
    await console_.waitForSelector('#quiz-rows tr[data-question]:nth-child(4)');
    expect((await console_.textContent('#quiz-import .form-msg')).includes('新增 1'), await console_.textContent('#quiz-import .form-msg'));
    await console_.click('#quiz-rows tr[data-question] button[data-action=retire]');
    await console_.waitForSelector('#quiz-rows tr[data-status=retired]');
    await console_.screenshot({ path: path.join(ARTIFACTS, 'quiz-06-console.png'), fullPage: true });
  });
  await ed.close();

  await step('the pages raised no errors', async () => {
    expect(errors.length === 0, errors.join(' | '));
  });
} finally {
  await browser.close();
}
summary();
process.exit(failures() ? 1 : 0);
