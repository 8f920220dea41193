// What the console's screens of issue 15.6 share: API calls with the browser session
// (site.js's api()), and results or errors shown next to the control that caused them.
'use strict';
window.LecternConsoleKit = (() => {
  const { t } = window.LecternI18n;
  const { api, el } = window.LecternSite;

  const call = (method, path, body) => api(path, { method, body, auth: true });

  // The <output class="form-msg"> beside BUTTON (or in FORM).
  const msgFor = (node) => (node.closest('form, .row') || node).querySelector('.form-msg');

  function say(node, text, isError = false) {
    const out = msgFor(node);
    if (!out) return;
    out.textContent = text;
    out.classList.toggle('error', isError);
  }

  // Runs FN; its error is shown beside NODE in the console's language, with the server's words.
  async function run(node, fn) {
    say(node, '');
    try {
      return await fn();
    } catch (e) {
      const known = e.code && t(`c_err.${e.code}`) !== `c_err.${e.code}` ? t(`c_err.${e.code}`) : '';
      say(node, `${t('c_failed')}${known ? `：${known}` : ''} (${e.message})`, true);
      return undefined;
    }
  }

  // A form's submit handler: FN(form) with errors shown in the form.
  const onSubmit = (form, fn) => form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run(form, () => fn(form));
  });

  const when = (iso) => (iso ? new Date(iso).toLocaleString(window.LecternI18n.lang === 'en' ? 'en-GB' : 'zh-CN') : '—');
  const cells = (...values) => values.map((v) => (v instanceof Node ? el('td', {}, v) : el('td', { textContent: String(v ?? '—') })));
  const empty = (cols) => el('tr', {}, el('td', { className: 'empty', colSpan: cols, textContent: t('none') }));

  // Pager buttons PREV/NEXT and label LABEL for STATE {page, per_page, total}; GO(page) loads.
  function pager(prev, next, label, go) {
    const state = { page: 1, per_page: 20, total: 0 };
    prev.addEventListener('click', () => go(state.page - 1));
    next.addEventListener('click', () => go(state.page + 1));
    return {
      state,
      show(page, perPage, total) {
        Object.assign(state, { page, per_page: perPage, total });
        const pages = Math.max(1, Math.ceil(total / perPage));
        label.textContent = `${page} / ${pages} · ${total}`;
        prev.hidden = page <= 1;
        next.hidden = page >= pages;
      },
    };
  }

  // Re-renders with FN when the language changes.
  const onLanguage = (fn) => document.getElementById('lang').addEventListener('click', () => setTimeout(fn));

  return { call, run, say, onSubmit, when, cells, empty, pager, onLanguage };
})();
