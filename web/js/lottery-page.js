// The lottery page: rules, prizes and stock, my tickets and balance, buying tickets, the
// countdown to the freeze, the commitment, the results and the in-browser verifier.
'use strict';
(() => {
  const { api, el, when, $, start, showBalance, notice } = window.LecternSite;
  const { t, tf } = window.LecternI18n;
  let member = null;
  let lottery = null;
  let mine = null;
  let skew = 0; // server clock minus ours, seconds
  let buyKey = null; // kept for a retry of the same purchase after a lost answer
  const verified = {}; // draw id -> result of the verifier

  const openDraw = () => (lottery ? lottery.draws.find((d) => d.state === 'open') : null);

  function countdown(iso) {
    let s = Math.max(0, Math.floor(Date.parse(iso) / 1000 - (Date.now() / 1000 + skew)));
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    return tf('lottery_countdown', { d, h, m, s });
  }

  function renderDraw(d) {
    const box = el('section', { className: 'campaign lottery-draw', dataset: { draw: String(d.id), state: d.state } },
      el('h2', { textContent: `${t('lottery_draw')} #${d.id} · ${t('lottery_state_' + d.state)}` }),
      el('p', { className: 'meta', textContent: `${t('lottery_freeze_at')} ${when(d.freeze_at)}` }),
      d.state === 'open' ? el('p', { className: 'countdown', dataset: { freeze: d.freeze_at }, textContent: countdown(d.freeze_at) }) : null,
      el('p', { className: 'meta' }, `${t('lottery_commitment')} `,
        d.entries_sha256 ? el('code', { className: 'commitment', textContent: d.entries_sha256 }) : t('lottery_commitment_later')),
      d.entries_sha256 ? el('p', { className: 'meta', textContent: tf('lottery_entries_n', { n: d.entries, tickets: d.tickets }) }) : null,
      el('table', { className: 'ledger' }, el('tbody', {}, ...d.tiers.map((tier) => el('tr', {},
        el('td', { textContent: tier.name }), el('td', { textContent: tier.value }),
        el('td', { className: 'num', textContent: tf('lottery_quantity', { n: tier.quantity }) }),
        el('td', { className: 'num', textContent: tf('lottery_stock', { n: tier.codes }) }))))));
    if (d.state === 'drawn') {
      box.append(el('h3', { textContent: t('lottery_results') }),
        el('ol', { className: 'rules winners' }, ...(d.winners || []).map((w) =>
          el('li', { textContent: `${w.tier} · ${w.winner}` }))),
        el('p', {}, el('a', { href: `/api/v1/lottery-draws/${d.id}/record`, download: `lottery-draw-${d.id}.json`,
          textContent: t('lottery_record') }), ' ',
        el('button', { type: 'button', className: 'verify', textContent: t('lottery_verify'),
          on: { click: () => runVerify(d) } })));
      const v = verified[d.id];
      if (v) {
        box.append(el('p', { className: v.ok ? 'verify-result ok' : 'verify-result bad', dataset: { ok: String(v.ok) },
          textContent: v.ok ? tf('lottery_verified', { picks: v.picks, prizes: v.prizes }) : t('lottery_not_verified') }),
        ...v.problems.map((p) => el('p', { className: 'meta problem', textContent: p })));
        if (v.ok) box.append(el('p', { className: 'meta verify-winners', textContent: `${t('lottery_winning_codes')} ${v.winners.join(' ')}` }));
      }
    }
    return box;
  }

  async function runVerify(d) {
    try {
      const record = await fetch(`/api/v1/lottery-draws/${d.id}/record`).then((r) => r.json());
      verified[d.id] = await window.LecternLotteryVerify.verify(record, d.entries_sha256);
    } catch (e) {
      verified[d.id] = { ok: false, problems: [e.message], winners: [] };
    }
    render();
  }

  function renderMine() {
    $('#signin-hint').hidden = !!member;
    $('#mine').hidden = !member || !mine;
    if (!member || !mine) return;
    const draw = openDraw();
    $('#mine-balance').textContent = String(mine.balance);
    showBalance(mine.balance);
    const entry = draw ? mine.entries.find((e) => e.draw === draw.id) : null;
    $('#mine-tickets').textContent = String(entry ? entry.tickets : 0);
    $('#mine-code').textContent = mine.code;
    const holds = lottery.one_prize_per_member && mine.prizes.some((p) => p.state === 'won' || p.state === 'claimed');
    $('#buy').hidden = !draw || !mine.eligible || holds;
    $('#buy-n').max = String(lottery.max_tickets);
    $('#buy-cost').textContent = tf('lottery_cost', { n: lottery.points_per_ticket });
    $('#mine-state').textContent = !mine.eligible ? t('lottery_not_eligible') : holds ? t('lottery_holds_prize')
      : draw ? '' : t('lottery_closed');
    $('#mine-prizes').replaceChildren(...mine.prizes.map((p) => el('li', { className: 'prize', dataset: { state: p.state } },
      el('strong', { textContent: `${p.tier} (${p.value}) · ${t('lottery_prize_' + p.state)}` }),
      p.code ? el('span', {}, ` · ${t('lottery_code')} `, el('code', { className: 'redeem', textContent: p.code })) : null,
      p.state === 'won' ? el('button', { type: 'button', textContent: t('lottery_claim'), on: { click: () => claim(p.id) } }) : null,
      p.claim_deadline && p.state === 'won' ? el('span', { className: 'meta', textContent: ` ${t('lottery_claim_by')} ${when(p.claim_deadline)}` }) : null)));
  }

  function render() {
    if (!lottery) {
      $('#lottery-none').hidden = false;
      return;
    }
    $('#lottery').hidden = false;
    $('#lottery-title').textContent = lottery.title;
    $('#lottery-window').textContent = `${t('lottery_window')} ${when(lottery.opens_at)} – ${when(lottery.closes_at)}`;
    $('#lottery-rules').textContent = lottery.rules;
    $('#lottery-terms').replaceChildren(...[
      el('li', { textContent: tf('lottery_cost', { n: lottery.points_per_ticket }) }),
      el('li', { textContent: tf('lottery_max', { n: lottery.max_tickets }) }),
      lottery.min_balance ? el('li', { textContent: tf('lottery_min', { n: lottery.min_balance }) }) : null,
      el('li', { textContent: t(lottery.one_prize_per_member ? 'lottery_one_prize' : 'lottery_many_prizes') }),
      el('li', { textContent: tf('lottery_reserve', { n: lottery.reserve_percent }) }),
      el('li', { textContent: t('lottery_verified_only') })].filter(Boolean));
    renderMine();
    $('#draws').replaceChildren(...lottery.draws.map(renderDraw));
  }

  async function reload() {
    lottery = await api(`/lotteries/${lottery.id}`);
    skew = lottery.server_time - Date.now() / 1000;
    if (member) mine = await api(`/lotteries/${lottery.id}/mine`, { auth: true });
    render();
  }

  function newKey() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  async function buy(ev) {
    ev.preventDefault();
    const n = Number($('#buy-n').value);
    if (!buyKey) buyKey = newKey();
    $('#buy-go').disabled = true;
    try {
      const r = await api(`/lotteries/${lottery.id}/tickets`, { auth: true, method: 'POST', body: { tickets: n, key: buyKey } });
      buyKey = null;
      notice(tf('lottery_bought', { n: r.tickets, points: r.points }));
      await reload();
    } catch (e) {
      if (e.status) buyKey = null; // the server answered: a new click is a new purchase
      // A refusal with no text of ours (csrf, storage_full, …) shows the server's message.
      const known = e.code && t('err.' + e.code) !== 'err.' + e.code;
      notice(known ? t('err.' + e.code) : e.message, true);
    } finally {
      $('#buy-go').disabled = false;
    }
  }

  async function claim(id) {
    try {
      await api(`/lottery-prizes/${id}/claim`, { auth: true, method: 'POST' });
      await reload();
    } catch (e) {
      notice(e.message, true);
    }
  }

  setInterval(() => {
    document.querySelectorAll('.countdown').forEach((p) => { p.textContent = countdown(p.dataset.freeze); });
  }, 1000);

  start({
    title: () => (lottery ? lottery.title : t('lottery_title')),
    async load(m) {
      member = m;
      $('#buy').addEventListener('submit', buy);
      let id = Number(new URLSearchParams(location.search).get('id'));
      if (!id) {
        const list = await api('/lotteries');
        id = list.lotteries.length ? list.lotteries[0].id : 0;
      }
      if (!id) return;
      lottery = { id };
      await reload();
    },
    render,
  });
})();
