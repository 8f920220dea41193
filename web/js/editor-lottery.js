// The console's lottery screen (issue 18): lotteries (create, edit), their draws, prize tiers,
// redemption codes from CSV, the freeze, the draw with public values, and the prizes with
// disqualification (the prize goes to the next reserve).
'use strict';
(() => {
  const { t } = window.LecternI18n;
  const { el, $ } = window.LecternSite;
  const K = window.LecternConsoleKit;
  const C = window.LecternConsole;
  let lotteries = [];
  let editing = null; // the lottery in the form (full), or null for a new one
  let prizes = {};    // draw id -> prizes (editors' view)

  const NUMBERS = ['points_per_ticket', 'max_tickets', 'min_balance', 'reserve_percent', 'claim_days'];
  // datetime-local <-> ISO 8601 with the browser's zone.
  const local = (iso) => {
    const d = new Date(iso);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
  };
  const iso = (value) => new Date(value).toISOString();

  function renderList() {
    $('#lottery-list').replaceChildren(...(lotteries.length ? lotteries.map((l) => el('li', { className: 'row', dataset: { lottery: l.id } },
      el('span', { className: 'grow', textContent: `#${l.id} ${l.title} · ${K.when(l.opens_at)} – ${K.when(l.closes_at)}` }),
      el('button', { type: 'button', className: 'link', textContent: t('c_edit'), dataset: { action: 'edit' },
        on: { click: () => K.run($('#lottery-new'), () => open(l.id)) } })))
      : [el('li', { className: 'empty', textContent: t('none') })]));
  }

  async function load() {
    lotteries = (await K.call('GET', '/lotteries')).lotteries;
    renderList();
  }

  function fill(l) {
    const f = $('#lottery-form');
    const now = Date.now();
    const v = l || { title: '', rules: '', opens_at: new Date(now).toISOString(), closes_at: new Date(now + 30 * 86400e3).toISOString(),
      points_per_ticket: 10, max_tickets: 100, min_balance: 0, reserve_percent: 10, claim_days: 30, one_prize_per_member: true };
    f.title.value = v.title;
    f.rules.value = v.rules;
    f.opens_at.value = local(v.opens_at);
    f.closes_at.value = local(v.closes_at);
    for (const k of NUMBERS) f[k].value = v[k];
    f.one_prize_per_member.checked = v.one_prize_per_member;
    $('#lottery-heading').textContent = l ? `${t('c_edit')}：${l.title} (#${l.id})` : t('c_lottery_new');
    K.say(f, '');
    f.hidden = false;
  }

  async function open(id) {
    editing = await K.call('GET', `/lotteries/${id}`);
    prizes = {};
    for (const d of editing.draws) if (d.state === 'drawn') prizes[d.id] = (await K.call('GET', `/lottery-draws/${d.id}/prizes`)).prizes;
    fill(editing);
    renderDraws();
  }

  async function save(f) {
    const body = { title: f.title.value.trim(), rules: f.rules.value, opens_at: iso(f.opens_at.value),
      closes_at: iso(f.closes_at.value), one_prize_per_member: f.one_prize_per_member.checked };
    for (const k of NUMBERS) body[k] = Number(f[k].value);
    const l = editing ? await K.call('PATCH', `/lotteries/${editing.id}`, body) : await K.call('POST', '/lotteries', body);
    await load();
    await open(l.id);
    K.say(f, t('saved'));
  }

  function tierRow(tier, drawn) {
    const file = el('input', { type: 'file', accept: '.csv,text/csv,text/plain' });
    return el('tr', { dataset: { tier: tier.id } }, ...K.cells(tier.position, tier.name, tier.value, tier.quantity, tier.codes),
      el('td', {}, drawn ? '' : el('span', { className: 'row' }, file,
        el('button', { type: 'button', className: 'link', textContent: t('c_lottery_codes'), on: { click: (ev) => K.run(ev.target, async () => {
          if (!file.files.length) throw new Error(t('c_lottery_pick_file'));
          const r = await K.call('POST', `/lottery-tiers/${tier.id}/codes`, { csv: await file.files[0].text() });
          await open(editing.id);
          K.say($('#draw-form'), `${t('c_lottery_codes_added')} ${r.added} / ${r.skipped}`);
        }) } }), el('output', { className: 'form-msg' }))));
  }

  function drawCard(d) {
    const drawn = d.state === 'drawn';
    const card = el('div', { className: 'card', dataset: { draw: d.id, state: d.state } },
      el('h4', { textContent: `#${d.id} · ${t('lottery_state_' + d.state)} · ${t('c_lottery_freeze')} ${K.when(d.freeze_at)}` }),
      el('p', { className: 'meta', textContent: d.entries_sha256 ? `SHA-256 ${d.entries_sha256} · ${d.entries} / ${d.tickets}` : t('lottery_commitment_later') }),
      el('table', { className: 'table' }, el('tbody', {}, ...d.tiers.map((tier) => tierRow(tier, drawn)))));
    if (!drawn) {
      const tf = el('form', { className: 'row tier-form' },
        el('input', { name: 'position', type: 'number', min: 1, required: true, placeholder: t('c_lottery_position'), value: String(d.tiers.length + 1) }),
        el('input', { name: 'name', required: true, maxLength: 200, placeholder: t('c_name') }),
        el('input', { name: 'quantity', type: 'number', min: 1, required: true, placeholder: t('c_lottery_quantity') }),
        el('input', { name: 'value', maxLength: 200, placeholder: t('c_lottery_value') }),
        el('button', { type: 'submit', textContent: t('c_lottery_tier_add') }), el('output', { className: 'form-msg' }));
      K.onSubmit(tf, async (f) => {
        await K.call('POST', `/lottery-draws/${d.id}/tiers`, { position: Number(f.position.value), name: f.name.value.trim(),
          quantity: Number(f.quantity.value), value: f.value.value.trim() });
        await open(editing.id);
      });
      card.append(tf);
    }
    if (d.state === 'open') {
      card.append(el('div', { className: 'row' }, el('button', { type: 'button', className: 'freeze', textContent: t('c_lottery_freeze_now'),
        on: { click: (ev) => K.run(ev.target, async () => { await K.call('POST', `/lottery-draws/${d.id}/freeze`); await open(editing.id); }) } }),
        el('output', { className: 'form-msg' })));
    }
    if (d.state === 'frozen') {
      const df = el('form', { className: 'grid draw-run' },
        el('label', { className: 'wide' }, el('span', { textContent: t('c_lottery_values') }),
          el('textarea', { name: 'values', rows: 3, required: true })),
        el('div', { className: 'wide row' }, el('button', { type: 'submit', textContent: t('c_lottery_run') }), el('output', { className: 'form-msg' })));
      K.onSubmit(df, async (f) => {
        const values = f.values.value.split('\n').map((v) => v.trim()).filter(Boolean);
        await K.call('POST', `/lottery-draws/${d.id}/draw`, { public_values: values });
        await open(editing.id);
      });
      card.append(df);
    }
    if (drawn) {
      card.append(el('p', {}, el('a', { href: `/api/v1/lottery-draws/${d.id}/record`, textContent: t('lottery_record') })),
        el('table', { className: 'table prizes' }, el('tbody', {}, ...(prizes[d.id] || []).map((p) => el('tr', { dataset: { prize: p.id, state: p.state } },
          ...K.cells(p.tier, p.pick, `${p.display_name} (${p.member_id})`, p.entry_code, p.code, t('lottery_prize_' + p.state), p.reason || ''),
          el('td', {}, p.state === 'won' || p.state === 'claimed' ? el('button', { type: 'button', className: 'link disqualify',
            textContent: t('c_lottery_disqualify'), on: { click: (ev) => K.run(ev.target, async () => {
              const reason = window.prompt(t('c_lottery_reason'));
              if (!reason) return;
              await K.call('POST', `/lottery-prizes/${p.id}/disqualify`, { reason });
              await open(editing.id);
            }) } }) : '', el('output', { className: 'form-msg' })))))));
    }
    return card;
  }

  function renderDraws() {
    $('#lottery-draws').hidden = !editing;
    if (editing) $('#draw-list').replaceChildren(...editing.draws.map(drawCard));
  }

  C.loaders.lottery = load;
  document.addEventListener('DOMContentLoaded', () => {
    $('#lottery-new').addEventListener('click', () => { editing = null; fill(null); renderDraws(); });
    K.onSubmit($('#lottery-form'), save);
    K.onSubmit($('#draw-form'), async (f) => {
      await K.call('POST', `/lotteries/${editing.id}/draws`, { freeze_at: iso(f.freeze_at.value) });
      await open(editing.id);
    });
    K.onLanguage(() => { if (!$('#tab-lottery').hidden) { renderList(); renderDraws(); } });
  });
})();
