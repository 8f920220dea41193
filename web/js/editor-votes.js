// The console's votes screen (issue 21, docs/votes.md): set a vote up (draft), open and close
// it, watch its live count and ranks, read the signal report and invalidate a flagged group of
// ballots with a reason. Every rule is the server's; errors show beside the control.
'use strict';
(() => {
  const { t, tf } = window.LecternI18n;
  const { el, $ } = window.LecternSite;
  const K = window.LecternConsoleKit;
  const C = window.LecternConsole;
  let votes = [];
  let editing = null;  // the vote in the form, or null for a new one

  function render() {
    $('#vote-list').replaceChildren(...(votes.length ? votes.map((v) => el('li', { className: 'row', dataset: { vote: v.id } },
      el('span', { className: 'grow', textContent: `#${v.id} ${v.title} · ${t('v_state.' + v.state)} · ${K.when(v.opens_at)} – ${K.when(v.closes_at)}` }),
      v.state === 'draft' ? button('c_edit', 'edit', () => edit(v)) : null,
      v.state === 'draft' ? button('v_open', 'open', () => change(v, 'open')) : null,
      v.state === 'open' ? button('v_close', 'close', () => change(v, 'close')) : null,
      button('v_results', 'results', () => results(v)),
      v.state !== 'draft' ? button('v_report', 'report', () => report(v)) : null))
      : [el('li', { className: 'empty', textContent: t('none') })]));
  }

  const button = (key, action, fn) => el('button', { type: 'button', className: 'link', textContent: t(key),
    dataset: { action }, on: { click: () => K.run($('#vote-list-msg'), fn) } });

  async function load() {
    votes = (await K.call('GET', '/votes?all=true')).votes;
    render();
  }

  // An ISO time as the value of a datetime-local field (the browser's zone), and back.
  const local = (iso) => {
    const d = new Date(iso);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
  };
  const iso = (value) => new Date(value).toISOString();

  async function edit(v) {
    editing = v;
    const f = $('#vote-form');
    const full = v ? await K.call('GET', `/votes/${v.id}`) : null;
    const x = full || { title: '', description: '', opens_at: new Date().toISOString(),
      closes_at: new Date(Date.now() + 7 * 86400e3).toISOString(), time_zone: 'Asia/Shanghai',
      votes_per_day: 1, tally: 'live', tally_interval: 3600, items: [] };
    for (const k of ['title', 'description', 'time_zone', 'votes_per_day', 'tally', 'tally_interval']) f[k].value = x[k];
    f.opens_at.value = local(x.opens_at);
    f.closes_at.value = local(x.closes_at);
    f.items.value = x.items.map((i) => i.id).join('\n');
    $('#vote-heading').textContent = v ? `${t('c_edit')}：${v.title} (#${v.id})` : t('v_new');
    K.say(f, '');
    f.hidden = false;
    f.title.focus();
  }

  async function save(f) {
    const body = { title: f.title.value.trim(), description: f.description.value, time_zone: f.time_zone.value.trim(),
      opens_at: iso(f.opens_at.value), closes_at: iso(f.closes_at.value), votes_per_day: Number(f.votes_per_day.value),
      tally: f.tally.value, tally_interval: Number(f.tally_interval.value),
      items: f.items.value.split(/\s+/).filter(Boolean).map((id) => ({ kind: 'video', id })) };
    editing = editing ? await K.call('PATCH', `/votes/${editing.id}`, body) : await K.call('POST', '/votes', body);
    await load();
    K.say(f, t('saved'));
  }

  async function change(v, action) {
    await K.call('POST', `/votes/${v.id}/${action}`);
    await load();
    if (action === 'close') await results(v);
  }

  async function results(v) {
    const [r, full] = await Promise.all([K.call('GET', `/votes/${v.id}/results`), K.call('GET', `/votes/${v.id}`)]);
    const titles = new Map(full.items.map((i) => [i.id, i.title]));
    $('#vote-results-heading').textContent = `${t('v_results')}：${v.title}`;
    const tl = r.tally;
    $('#vote-results-summary').textContent = tl
      ? tf('v_summary', { ballots: tl.ballots, valid: tl.valid, invalid: tl.invalidated })
        + (r.sha256 ? ` · SHA-256 ${r.sha256}` : '')
      : t('v_no_tally');
    $('#vote-results-rows').replaceChildren(...(tl && tl.items.length ? tl.items.map((c) => el('tr', { dataset: { item: c.id } },
      ...K.cells(c.rank, `${titles.get(c.id) || ''} (${c.id})`, c.votes, c.invalidated))) : [K.empty(4)]));
    $('#vote-results').hidden = false;
  }

  async function report(v) {
    const r = await K.call('GET', `/votes/${v.id}/report`);
    $('#vote-report-heading').textContent = `${t('v_report')}：${v.title}`;
    const groups = [...r.shared_addresses.map((g) => ['v_sig_address', g]), ...r.new_member_bursts.map((g) => ['v_sig_new', g])];
    $('#vote-report-rows').replaceChildren(...(groups.length ? groups.map(([kind, g]) => {
      const reason = el('input', { name: 'reason', maxLength: 500, required: true, placeholder: t('v_reason') });
      const form = el('form', { className: 'row' }, reason,
        el('button', { type: 'submit', textContent: t('v_invalidate'), disabled: v.state === 'closed' }),
        el('output', { className: 'form-msg' }));
      K.onSubmit(form, async () => {
        const x = await K.call('POST', `/votes/${v.id}/invalidations`, { ballots: g.ballot_ids, reason: reason.value.trim() });
        K.say(form, tf('v_marked', { n: x.marked }));
      });
      return el('tr', {}, ...K.cells(`${t(kind)}${g.address ? ' ' + g.address : ''}`, `${K.when(g.from)} – ${K.when(g.until)}`,
        g.members, g.ballots, g.invalidated, form));
    }) : [K.empty(6)]));
    $('#vote-report').hidden = false;
  }

  C.loaders.votes = load;
  document.addEventListener('DOMContentLoaded', () => {
    $('#vote-new').addEventListener('click', () => edit(null));
    K.onSubmit($('#vote-form'), save);
    K.onLanguage(() => { if (!$('#tab-votes').hidden) render(); });
  });
})();
