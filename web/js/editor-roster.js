// The console's roster card (admins, members tab): uploads the union's member list as CSV to
// POST /api/v1/members/roster and shows the import report, refused lines with their reasons.
'use strict';
(() => {
  const { t } = window.LecternI18n;
  const { api, el, me, $ } = window.LecternSite;
  const K = window.LecternConsoleKit;
  const fill = (text, vars) => Object.entries(vars).reduce((s, [k, v]) => s.replace(`{${k}}`, v), text);

  async function upload(f) {
    const file = f.file.files[0];
    if (!file) throw new Error(t('roster_file'));
    const text = await file.text();
    const r = await api('/members/roster', { auth: true, method: 'POST', body: text, contentType: 'text/csv' });
    K.say(f, fill(t('roster_report'), { added: r.added, updated: r.updated, unchanged: r.unchanged,
                                        refused: r.refused.length }));
    $('#roster-refused').replaceChildren(...r.refused.map((x) =>
      el('li', { textContent: fill(t('roster_line'), { line: x.line, reason: x.reason }) })));
  }

  // Only admins may import; the card stays hidden for editors (the server refuses them too).
  async function showIfAdmin() {
    const m = await me().catch(() => null);
    $('#roster-card').hidden = !(m && m.role === 'admin');
  }

  document.addEventListener('DOMContentLoaded', () => {
    K.onSubmit($('#roster-form'), upload);
    $('[data-tab=members]').addEventListener('click', showIfAdmin);
    showIfAdmin();
  });
})();
