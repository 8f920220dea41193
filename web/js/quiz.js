// The daily quiz, phone first: one question a screen with the server's time limit counting
// down, the verdict and explanation after each answer, the result, and the time to tomorrow's
// quiz. The server picks, shuffles and keeps the answers until each is locked (docs/quiz.md).
'use strict';
(() => {
  const { api, el, $, start, notice } = window.LecternSite;
  const { t, tf } = window.LecternI18n;
  let member = null;
  let quiz = null;          // GET /me/quiz
  let feedback = null;      // the item just locked, shown until "next"
  let picked = new Set();
  let deadline = 0;         // performance.now() when the open question's time is up
  let countdownAt = 0;      // performance.now() when tomorrow's quiz opens
  let ticker = 0;
  let sending = false;

  const items = () => (quiz && quiz.attempt ? quiz.attempt.items : []);
  const openItem = () => items().find((i) => i.state === 'open');

  function take(q) {
    quiz = q;
    const now = performance.now();
    const open = openItem();
    if (open) deadline = now + open.remaining_ms;
    countdownAt = now + q.next_day_in * 1000;
  }

  function show(id) {
    for (const s of ['#quiz-intro', '#quiz-question', '#quiz-feedback', '#quiz-result'])
      $(s).hidden = s !== id;
  }

  async function act(method, path, body) {
    if (sending) return;
    sending = true;
    try {
      take(await api(path, { auth: true, method, body }));
    } catch (e) {
      notice(e.message, true);
      take(await api('/me/quiz', { auth: true }));
    } finally {
      sending = false;
    }
    render();
  }

  async function submit() {
    const open = openItem();
    if (!open) return;
    const position = open.position;
    await act('POST', '/me/quiz/answers', { position, choices: [...picked] });
    feedback = items().find((i) => i.position === position && i.state === 'locked') || null;
    picked = new Set();
    render();
  }

  function renderQuestion(open) {
    show('#quiz-question');
    const total = items().length;
    $('#quiz-progress').textContent = tf('quiz_progress', { n: open.position + 1, total });
    $('#quiz-kind').textContent = [t('quiz_kind.' + open.kind), open.category].filter(Boolean).join(' · ');
    $('#quiz-text').textContent = open.text;
    const multiple = open.kind === 'multiple';
    $('#quiz-options').replaceChildren(...open.options.map((o, i) => el('button', {
      type: 'button', className: 'option' + (picked.has(i) ? ' picked' : ''),
      attrs: { 'aria-pressed': String(picked.has(i)) },
      textContent: `${String.fromCharCode(65 + i)}. ${o}`,
      on: { click: () => {
        if (multiple) { if (picked.has(i)) picked.delete(i); else picked.add(i); } else picked = new Set([i]);
        renderQuestion(open);
      } } })));
    $('#quiz-submit').disabled = picked.size === 0;
  }

  function renderFeedback(i) {
    show('#quiz-feedback');
    $('#quiz-verdict').textContent = i.late ? t('quiz_late') : i.correct ? t('quiz_correct') : t('quiz_wrong');
    $('#quiz-verdict').className = 'verdict ' + (i.correct ? 'good' : 'bad');
    $('#quiz-right').textContent = tf('quiz_answer_was', { a: i.answer.map((n) => String.fromCharCode(65 + n)).join('、') });
    $('#quiz-explanation').textContent = i.explanation;
    $('#quiz-next').textContent = quiz.attempt.finished ? t('quiz_see_result') : t('quiz_next');
  }

  function renderResult() {
    show('#quiz-result');
    const a = quiz.attempt;
    $('#quiz-score').textContent = tf('quiz_score', { n: a.correct, total: a.items.length, p: a.points });
    $('#quiz-review').replaceChildren(...a.items.filter((i) => i.state === 'locked').map((i) => el('li', {},
      el('strong', { textContent: `${i.correct ? '✔' : '✘'} ${i.text}` }),
      el('p', { className: 'meta', textContent: tf('quiz_answer_was', { a: i.answer.map((n) => `${String.fromCharCode(65 + n)}. ${i.options[n]}`).join('；') }) }),
      i.explanation ? el('p', { textContent: i.explanation }) : null)));
  }

  function render() {
    if (!member) {
      notice(t('me_signin_first'));
      return;
    }
    if (!quiz) return;
    const a = quiz.attempt;
    $('#quiz-rules').textContent = tf(quiz.earns_points ? 'quiz_rules' : 'quiz_rules_no_points',
      { n: quiz.questions, s: quiz.seconds, p: quiz.rate, cap: quiz.cap === null ? '—' : quiz.cap });
    const open = openItem();
    if (!a) show('#quiz-intro');
    else if (feedback) renderFeedback(feedback);
    else if (open) renderQuestion(open);
    else if (a.finished) renderResult();
    else { show('#quiz-feedback'); $('#quiz-verdict').textContent = ''; $('#quiz-right').textContent = '';
      $('#quiz-explanation').textContent = ''; $('#quiz-next').textContent = t('quiz_next'); }
    $('#quiz-countdown').hidden = !(a && a.finished);
    tick();
  }

  function two(n) { return String(n).padStart(2, '0'); }

  // Each second: the open question's time left (at zero the choice so far is sent: the
  // server judges the time, so a late answer scores nothing anyway) and tomorrow's countdown.
  function tick() {
    const now = performance.now();
    const open = openItem();
    if (open && !feedback) {
      const left = Math.max(0, Math.ceil((deadline - now) / 1000));
      $('#quiz-timer').textContent = tf('quiz_seconds_left', { s: left });
      $('#quiz-timer').classList.toggle('urgent', left <= 5);
      if (left === 0 && !sending) submit();
    }
    const rest = Math.max(0, Math.round((countdownAt - now) / 1000));
    $('#quiz-countdown').textContent = tf('quiz_tomorrow',
      { time: `${two(Math.floor(rest / 3600))}:${two(Math.floor(rest / 60) % 60)}:${two(rest % 60)}` });
  }

  async function load(m) {
    member = m;
    if (!member) return;
    take(await api('/me/quiz', { auth: true }));
    $('#quiz-start').addEventListener('click', () => act('POST', '/me/quiz'));
    $('#quiz-submit').addEventListener('click', submit);
    $('#quiz-next').addEventListener('click', async () => {
      feedback = null;
      if (quiz.attempt.finished) render();
      else await act('POST', '/me/quiz/next');
    });
    ticker = setInterval(tick, 250);
  }

  start({ load, render, title: () => t('quiz_title') });
  window.addEventListener('pagehide', () => clearInterval(ticker));
})();
