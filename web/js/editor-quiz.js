// The console's quiz screen: the daily quiz's question bank — import a CSV or JSON file, see
// each question's correct rate, retire a bad one or restore it (docs/quiz.md).
'use strict';
(() => {
  const { t } = window.LecternI18n;
  const { el, $ } = window.LecternSite;
  const K = window.LecternConsoleKit;
  const C = window.LecternConsole;
  let questions = [];

  function render() {
    $('#quiz-rows').replaceChildren(...(questions.length ? questions.map((q) => el('tr', { dataset: { question: q.id, status: q.status } },
      ...K.cells(`${q.text}${q.category ? ' · ' + q.category : ''}`, t('quiz_kind.' + q.kind), q.version, q.answered,
        q.correct_rate === null ? '—' : `${Math.round(q.correct_rate * 100)}%`, t('q_status.' + q.status),
        el('button', { type: 'button', className: 'link', dataset: { action: q.status === 'active' ? 'retire' : 'restore' },
          textContent: t(q.status === 'active' ? 'q_retire' : 'q_restore'),
          on: { click: () => K.run($('#quiz-list-msg'), () => setStatus(q, q.status === 'active' ? 'retired' : 'active')) } }))))
      : [K.empty(7)]));
  }

  async function load() {
    questions = (await K.call('GET', '/quiz/questions')).questions;
    render();
  }

  async function setStatus(q, status) {
    await K.call('PATCH', `/quiz/questions/${q.id}`, { status });
    await load();
  }

  async function importFile(f) {
    const file = f.file.files[0];
    if (!file) return;
    const data = await file.text();
    const format = /\.json$/i.test(file.name) ? 'json' : /\.csv$/i.test(file.name) ? 'csv' : undefined;
    const r = await K.call('POST', '/quiz/questions', format ? { data, format } : { data });
    K.say(f, t('q_imported').replace('{a}', r.added).replace('{c}', r.changed).replace('{u}', r.unchanged));
    await load();
  }

  C.loaders.quiz = load;
  document.addEventListener('DOMContentLoaded', () => {
    K.onSubmit($('#quiz-import'), importFile);
    K.onLanguage(() => { if (!$('#tab-quiz').hidden) render(); });
  });
})();
