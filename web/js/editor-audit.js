// The console's audit log: who changed what and when, filtered by target, actor, action
// and time, newest first, a page at a time.
'use strict';
(() => {
  const { t } = window.LecternI18n;
  const { el, $ } = window.LecternSite;
  const K = window.LecternConsoleKit;
  const C = window.LecternConsole;
  const PAGE = 50;
  let filter = new URLSearchParams();
  let entries = [];

  // The filter form as query parameters; datetime-local fields are the browser's local time.
  function readFilter(f) {
    const q = new URLSearchParams({ limit: String(PAGE) });
    for (const k of ['target_type', 'target_id', 'member', 'action']) {
      const v = f[k].value.trim();
      if (v) q.set(k, v);
    }
    for (const k of ['since', 'until']) if (f[k].value) q.set(k, new Date(f[k].value).toISOString());
    return q;
  }

  function render() {
    $('#audit-rows').replaceChildren(...(entries.length ? entries.map((e) => el('tr', { dataset: { entry: e.id, action: e.action } },
      ...K.cells(K.when(e.at), `${e.member_name} (${e.member_id})`, e.action, `${t(`c_t_${e.target_type}`)} ${e.target_id}`,
                 el('span', { className: 'detail', textContent: JSON.stringify(e.detail) }))))
      : [K.empty(5)]));
  }

  async function load(more = false) {
    const q = new URLSearchParams(filter);
    if (more && entries.length) q.set('before', String(entries[entries.length - 1].id));
    const r = await K.call('GET', `/audit?${q}`);
    entries = more ? entries.concat(r.entries) : r.entries;
    $('#audit-more').hidden = r.entries.length < PAGE;
    render();
  }

  C.loaders.audit = () => { filter = readFilter($('#audit-filter')); return load(); };
  document.addEventListener('DOMContentLoaded', () => {
    K.onSubmit($('#audit-filter'), (f) => { filter = readFilter(f); return load(); });
    $('#audit-more').addEventListener('click', () => K.run($('#audit-filter'), () => load(true)));
    K.onLanguage(() => { if (!$('#tab-audit').hidden) render(); });
  });
})();
