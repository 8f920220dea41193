// The console's members screen: search, real-name verification, disqualification with a
// reason (kept in the audit log), and points corrections (a new ledger entry each); for admins,
// a member's data export and its erasure (docs/privacy.md).
'use strict';
(() => {
  const { t } = window.LecternI18n;
  const { el, $, session } = window.LecternSite;
  const K = window.LecternConsoleKit;
  const C = window.LecternConsole;
  let members = [];
  let current = null;  // the member in the card
  let pager = null;
  let query = '';
  let admin = false;  // the console's own member may export and erase

  const status = (m) => (m.erased_at ? t('c_erased_state') : m.disqualified
    ? `${t('c_disqualified')}${m.disqualified_reason ? `：${m.disqualified_reason}` : ''}`
    : m.disabled ? t('c_disabled') : t('c_eligible'));

  function row(m) {
    return el('tr', { dataset: { member: m.id } },
      ...K.cells(el('button', { type: 'button', className: 'link', textContent: `${m.display_name} (${m.id})`,
                                on: { click: () => open(m) } }),
                 t(`c_role.${m.role}`), m.real_name_verified ? t('c_yes') : t('c_no'),
                 el('span', { className: m.disqualified ? 'badge-off' : '', textContent: status(m) })));
  }

  function render() {
    $('#member-rows').replaceChildren(...(members.length ? members.map(row) : [K.empty(4)]));
    if (current) card();
  }

  async function search(page = 1) {
    const q = new URLSearchParams({ page: String(page), per_page: '20' });
    if (query) q.set('q', query);
    const r = await K.call('GET', `/members?${q}`);
    members = r.members;
    pager.show(r.page, r.per_page, r.total);
    render();
  }

  function card() {
    const m = current;
    $('#member-heading').textContent = `${m.display_name} (${m.id})`;
    $('#member-state').textContent = `${t(`c_role.${m.role}`)} · ${t('c_verified')}: ${m.real_name_verified ? t('c_yes') : t('c_no')} · ${status(m)}`;
    $('#member-verify').textContent = m.real_name_verified ? t('c_unverify') : t('c_verify');
    $('#member-disqualify-button').textContent = m.disqualified ? t('c_requalify') : t('c_disqualify');
    // An erased member's flags no longer change (the server says 409): nothing to offer.
    ['#member-verify', '#member-disqualify'].forEach((s) => { $(s).hidden = Boolean(m.erased_at); });
    $('#member-privacy').hidden = !admin;
    $('#member-export').href = `/api/v1/members/${encodeURIComponent(m.id)}/data`;
    $('#member-export').download = `lectern-data-${m.id}.json`;
    $('#member-card').hidden = false;
  }

  function open(m) {
    current = m;
    $('#member-disqualify').reason.value = '';
    $('#member-erase').confirm.value = '';
    ['#member-verify', '#member-disqualify', '#correction-form', '#member-erase'].forEach((s) => K.say($(s), ''));
    card();
  }

  // Applies CHANGE to the member in the card and shows the answer everywhere.
  async function change(body) {
    const m = await K.call('PATCH', `/members/${encodeURIComponent(current.id)}`, body);
    current = m;
    members = members.map((x) => (x.id === m.id ? m : x));
    render();
    return m;
  }

  async function disqualify(f) {
    const reason = f.reason.value.trim();
    if (!reason) throw new Error(t('c_reason_needed'));
    await change({ disqualified: !current.disqualified, reason });
    f.reason.value = '';
    K.say(f, t('saved'));
  }

  async function correct(f) {
    const amount = Number(f.amount.value);
    if (!Number.isInteger(amount) || amount === 0) throw new Error(t('c_amount_needed'));
    const r = await K.call('POST', '/points/corrections', { member: current.id, amount, note: f.note.value.trim() });
    f.reset();
    K.say(f, t('c_corrected').replace('{amount}', r.amount > 0 ? `+${r.amount}` : r.amount).replace('{balance}', r.balance));
  }

  // Irreversible, so the admin types the member's id; the server keeps the rest idempotent.
  async function erase(f) {
    if (f.confirm.value.trim() !== current.id) throw new Error(t('c_erase_mismatch'));
    await K.call('POST', `/members/${encodeURIComponent(current.id)}/erase`);
    const r = await K.call('GET', `/members?${new URLSearchParams({ q: current.id, per_page: '20' })}`);
    const m = r.members.find((x) => x.id === current.id);
    if (m) {
      current = m;
      members = members.map((x) => (x.id === m.id ? m : x));
    }
    f.confirm.value = '';
    render();
    K.say(f, t('c_erased'));
  }

  C.loaders.members = async () => {
    const s = await session();
    admin = Boolean(s && s.member.role === 'admin');
    return search(1);
  };
  document.addEventListener('DOMContentLoaded', () => {
    pager = K.pager($('#members-prev'), $('#members-next'), $('#members-page'),
      (page) => K.run($('#members-page'), () => search(page)));
    K.onSubmit($('#member-search'), (f) => { query = f.q.value.trim(); return search(1); });
    $('#member-verify').addEventListener('click', (ev) => K.run(ev.target,
      async () => { await change({ real_name_verified: !current.real_name_verified }); K.say(ev.target, t('saved')); }));
    K.onSubmit($('#member-disqualify'), disqualify);
    K.onSubmit($('#correction-form'), correct);
    K.onSubmit($('#member-erase'), erase);
    K.onLanguage(() => { if (!$('#tab-members').hidden) render(); });
  });
})();
