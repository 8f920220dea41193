// My points and history: balance, today's points against the daily cap, the open campaign,
// the lessons watched (with where to continue) and the ledger, older entries on demand.
'use strict';
(() => {
  const { api, el, clock, when, videoUrl, $, start, showBalance } = window.LecternSite;
  const { t, tf } = window.LecternI18n;
  let member = null;
  let points = null;
  let history = [];
  let ledger = [];

  function render() {
    if (!member) {
      $('#notice').textContent = t('me_signin_first');
      $('#notice').hidden = false;
      return;
    }
    $('#me').hidden = false;
    $('#me-who').textContent = `${t('signed_in_as')}${member.display_name} · ${member.real_name_verified ? t('verified') : t('not_verified')}`;
    $('#me-balance').textContent = String(points.balance);
    showBalance(points.balance);
    const today = points.today;
    $('#me-today').textContent = today ? `${today.points}${today.cap !== null ? ' / ' + today.cap : ''}` : '–';
    const k = points.campaign;
    $('#me-campaign').textContent = k ? `${k.name} (${k.points_per_minute} / ${t('minutes')})` : t('points_no_campaign');
    $('#me-earns').textContent = points.earns_points ? '' : t(member.real_name_verified ? 'points_no_campaign' : 'points_unverified');
    renderRules(k);
    // Today's progress per activity of the campaign's table (GET /me/points today.activities).
    const acts = (today && today.activities) || [];
    $('#activity-progress').replaceChildren(...acts.map((a) => el('li', { dataset: { activity: a.activity } },
      `${t('activity.' + a.activity)}: ${a.points}${a.cap !== null ? ' / ' + a.cap : ''}`)));
    $('#history').replaceChildren(...(history.length ? history.map((h) => el('li', {},
      el('a', { href: videoUrl(h.video_id), textContent: h.title }),
      el('span', { className: 'meta', textContent:
        ` · ${t('watched')} ${clock(h.position)}${h.duration ? ' / ' + clock(h.duration) : ''}` +
        ` · ${t('counted')} ${clock(h.credited_seconds)} · ${when(h.last_watched_at)}` }),
      h.duration && h.position < h.duration - 5
        ? el('a', { className: 'continue', href: videoUrl(h.video_id), textContent: t('continue_watching') }) : null))
      : [el('li', { className: 'empty', textContent: t('no_history') })]));
    $('#ledger').replaceChildren(...(ledger.length ? ledger.map((e) => el('tr', {},
      el('td', { textContent: when(e.at) }),
      el('td', { textContent: t('reason.' + e.reason) }),
      el('td', { textContent: e.video_title || e.note || '' }),
      el('td', { className: e.amount < 0 ? 'num neg' : 'num', textContent: (e.amount > 0 ? '+' : '') + e.amount })))
      : [el('tr', {}, el('td', { className: 'empty', textContent: t('no_ledger') }))]));
  }

  // The open campaign's rules: its dates, what a minute earns, the caps, the live bonus, and
  // what is counted at all (docs/points.md).
  function renderRules(k) {
    const items = k ? [
      [k.name, tf('campaign_dates', { from: k.starts_on, until: k.ends_on, tz: k.time_zone })],
      [tf('points_rule', { n: k.points_per_minute }), ''],
      [k.daily_cap !== null ? tf('points_daily_cap', { n: k.daily_cap }) : t('points_no_daily_cap'), ''],
      [k.per_video_cap !== null ? tf('points_video_cap', { n: k.per_video_cap }) : t('points_per_video_no_cap'), ''],
      k.live_bonus_points > 0 ? [tf('points_live_bonus', { m: k.live_bonus_minutes, n: k.live_bonus_points }), ''] : null,
      [t('points_rule_how'), ''],
    ] : [[t('points_no_campaign'), '']];
    $('#campaign-rules').replaceChildren(...items.filter(Boolean).map(([a, b]) => el('li', {},
      b ? el('strong', { textContent: a }) : a, b ? ' ' + b : null)));
    $('#campaign-rules').dataset.campaign = k ? String(k.id) : '';
  }

  async function loadLedger(before) {
    const page = await api(`/me/points?limit=50${before ? '&before=' + before : ''}`, { auth: true });
    if (!before) points = page;
    ledger = ledger.concat(page.history);
    const older = $('#older');
    older.hidden = !page.next_before;
    older.onclick = async () => { await loadLedger(page.next_before); render(); };
  }

  async function load(m) {
    member = m;
    if (!member) return;
    const [, h] = await Promise.all([loadLedger(0), api('/me/history?limit=50', { auth: true })]);
    history = h.videos;
  }

  start({ load, render, title: () => t('nav_me') });
})();
