// The console's campaigns screen: the points rules (create, edit) and who earned what.
'use strict';
(() => {
  const { t } = window.LecternI18n;
  const { el, $ } = window.LecternSite;
  const K = window.LecternConsoleKit;
  const C = window.LecternConsole;
  let campaigns = [];
  let active = null;
  let editing = null;  // the campaign in the form, or null for a new one
  let showing = null;  // the campaign whose earners are shown
  let earnersPager = null;

  const NUMBERS = ['points_per_minute', 'live_bonus_points', 'live_bonus_minutes'];
  const CAPS = ['per_video_cap', 'daily_cap'];

  function describe(c) {
    const cap = (v) => (v === null ? t('c_no_cap') : v);
    return `${c.name} · ${c.starts_on} – ${c.ends_on} (${c.time_zone}) · ${c.points_per_minute} ${t('c_ppm_short')}`
      + ` · ${t('c_per_video_cap_short')} ${cap(c.per_video_cap)} · ${t('c_daily_cap_short')} ${cap(c.daily_cap)}`
      + ` · ${t('c_bonus')} ${c.live_bonus_points}/${c.live_bonus_minutes}${t('minutes')}`;
  }

  function render() {
    $('#campaign-list').replaceChildren(...(campaigns.length ? campaigns.map((c) => el('li', {
      className: `row${c.id === active ? ' active' : ''}`, dataset: { campaign: c.id } },
      el('span', { className: 'grow', textContent: `${c.id === active ? `【${t('c_open')}】` : ''}${describe(c)}` }),
      el('button', { type: 'button', className: 'link', textContent: t('c_edit'), dataset: { action: 'edit' },
                     on: { click: () => edit(c) } }),
      el('button', { type: 'button', className: 'link', textContent: t('c_earners'), dataset: { action: 'earners' },
                     on: { click: () => K.run($('#campaign-list-msg'), () => earners(c, 1)) } })))
      : [el('li', { className: 'empty', textContent: t('none') })]));
    if (editing !== undefined) heading();
  }

  function heading() {
    $('#campaign-heading').textContent = editing ? `${t('c_edit')}：${editing.name} (#${editing.id})` : t('c_campaign_new');
  }

  async function load() {
    const r = await K.call('GET', '/campaigns');
    campaigns = r.campaigns;
    active = r.active;
    render();
  }

  // Today in the browser as YYYY-MM-DD, for a new campaign's default window.
  function day(offset) {
    const d = new Date(Date.now() + offset * 86400e3);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  }

  function edit(c) {
    editing = c;
    const f = $('#campaign-form');
    const v = c || { name: '', starts_on: day(0), ends_on: day(30), time_zone: 'Asia/Shanghai',
                     points_per_minute: 1, per_video_cap: null, daily_cap: null,
                     live_bonus_points: 0, live_bonus_minutes: 30 };
    for (const k of ['name', 'starts_on', 'ends_on', 'time_zone', ...NUMBERS]) f[k].value = v[k];
    for (const k of CAPS) f[k].value = v[k] === null ? '' : v[k];
    // The quiz row of the table of activities, and the total daily cap (docs/points.md).
    const q = ((c && c.activities) || []).find((a) => a.activity === 'quiz');
    f.quiz_rate.value = q ? q.rate : 0;
    f.quiz_daily_cap.value = q && q.daily_cap !== null ? q.daily_cap : '';
    f.quiz_questions.value = q ? q.questions : 5;
    f.quiz_seconds.value = q ? q.seconds : 30;
    f.daily_total_cap.value = c && c.daily_total_cap !== null && c.daily_total_cap !== undefined ? c.daily_total_cap : '';
    K.say(f, '');
    heading();
    f.hidden = false;
    f.name.focus();
  }

  async function save(f) {
    const body = { name: f.name.value.trim(), starts_on: f.starts_on.value, ends_on: f.ends_on.value,
                   time_zone: f.time_zone.value.trim() };
    for (const k of NUMBERS) body[k] = Number(f[k].value);
    for (const k of CAPS) body[k] = f[k].value === '' ? null : Number(f[k].value);
    body.daily_total_cap = f.daily_total_cap.value === '' ? null : Number(f.daily_total_cap.value);
    const rate = Number(f.quiz_rate.value || 0);
    body.activities = [rate > 0
      ? { activity: 'quiz', rate, daily_cap: f.quiz_daily_cap.value === '' ? null : Number(f.quiz_daily_cap.value),
          questions: Number(f.quiz_questions.value || 5), seconds: Number(f.quiz_seconds.value || 30) }
      : { activity: 'quiz', on: false }];
    const c = editing
      ? await K.call('PATCH', `/campaigns/${editing.id}`, body)
      : await K.call('POST', '/campaigns', body);
    editing = c;
    await load();
    K.say(f, t('saved'));
  }

  async function earners(c, page) {
    const r = await K.call('GET', `/campaigns/${c.id}/earners?page=${page}&per_page=20`);
    showing = r.campaign;
    $('#earners-heading').textContent = `${t('c_earners')}：${showing.name}`;
    $('#earners-summary').textContent = t('c_earners_summary').replace('{members}', r.members).replace('{points}', r.points);
    $('#earners-rows').replaceChildren(...(r.earners.length ? r.earners.map((e) => el('tr', { dataset: { member: e.member_id } },
      ...K.cells(`${e.display_name || '—'} (${e.member_id})`, e.points, e.watch_points, e.live_bonus_points, K.when(e.last_at))))
      : [K.empty(5)]));
    earnersPager.show(r.page, r.per_page, r.members);
    $('#campaign-earners').hidden = false;
  }

  C.loaders.campaigns = load;
  document.addEventListener('DOMContentLoaded', () => {
    earnersPager = K.pager($('#earners-prev'), $('#earners-next'), $('#earners-page'),
      (page) => K.run($('#earners-page'), () => earners(showing, page)));
    $('#campaign-new').addEventListener('click', () => edit(null));
    K.onSubmit($('#campaign-form'), save);
    K.onLanguage(() => { if (!$('#tab-campaigns').hidden) render(); });
  });
})();
