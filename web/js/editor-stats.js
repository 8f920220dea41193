// The console's statistics of one video, drawn with Chart.js (served from our origin):
// views per day, concurrent viewers across the live, retention per 10 s.
'use strict';
(() => {
  const { t } = window.LecternI18n;
  const { el, $, clock } = window.LecternSite;
  const K = window.LecternConsoleKit;
  const C = window.LecternConsole;
  let stats = null;
  let video = null;

  async function fillVideos(f) {
    const q = new URLSearchParams({ visibility: 'any', per_page: '50' });
    if (f.q.value.trim()) q.set('q', f.q.value.trim());
    const { videos } = await K.call('GET', `/videos?${q}`);
    const keep = f.video.value;
    f.video.replaceChildren(...videos.map((v) => el('option', { value: v.id, textContent: `${v.title} · ${t(`state.${v.state}`)}` })));
    if (videos.some((v) => v.id === keep)) f.video.value = keep;
  }

  // One chart on CANVAS, replacing the one drawn there before. No animation: the figures
  // are the point, and a test can read them at once.
  function draw(canvas, type, labels, label, data, extra = {}) {
    const old = window.Chart.getChart(canvas);
    if (old) old.destroy();
    return new window.Chart(canvas, {
      type,
      data: { labels, datasets: [{ label, data, borderColor: '#b71c1c', backgroundColor: 'rgba(183,28,28,.35)', fill: type === 'line', stepped: extra.stepped || false, pointRadius: labels.length > 60 ? 0 : 2 }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
                 plugins: { legend: { display: false } } },
    });
  }

  function figures(s) {
    const items = [
      ['c_views', s.views], ['c_unique', s.unique_viewers], ['c_guest_views', s.guest_views],
      ['c_watch_time', clock(s.watch_seconds)], ['c_avg_watch', clock(s.average_watch_seconds)],
      ['c_peak', s.peak_concurrent],
    ];
    // The live's interactions (issue 19.5): messages, likes, questions, interacting members.
    const i = s.interactions;
    if (i) {
      items.push(['c_i_members', i.members], ['c_i_messages', i.messages], ['c_i_deleted', i.deleted_messages], ['c_i_likes', i.likes]);
      items.push(['c_i_questions', i.questions]);
    }
    $('#stats-figures').replaceChildren(...items.map(([k, v]) => el('div', {}, el('dt', { textContent: t(k) }), el('dd', { textContent: String(v) }))));
  }

  function render() {
    if (!stats) return;
    const s = stats;
    $('#stats-heading').textContent = `${video.title} (${video.id})`;
    figures(s);
    draw($('#chart-views'), 'bar', s.views_per_day.map((d) => d.day), t('c_views'), s.views_per_day.map((d) => d.views));
    const live = s.live_viewers;
    $('#stats-no-live').hidden = !!live;
    $('#chart-live').parentElement.hidden = !live;
    if (live) {
      const hm = (iso) => new Date(iso).toLocaleTimeString(window.LecternI18n.lang === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
      draw($('#chart-live'), 'line', live.points.map((p) => hm(p.at)), t('c_live_viewers'), live.points.map((p) => p.viewers), { stepped: true });
    } else {
      const old = window.Chart.getChart($('#chart-live'));
      if (old) old.destroy();
    }
    draw($('#chart-retention'), 'line', s.retention.map((r) => clock(r.from)), t('c_retention'), s.retention.map((r) => r.viewers));
    $('#stats-view').hidden = false;
  }

  async function show(f) {
    if (!f.video.value) throw new Error(t('c_pick_video'));
    const id = f.video.value;
    // Days in the browser's zone; one the server does not know falls back to its default.
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Shanghai';
    const path = `/videos/${encodeURIComponent(id)}/stats`;
    const [v, s] = await Promise.all([
      K.call('GET', `/videos/${encodeURIComponent(id)}`),
      K.call('GET', `${path}?time_zone=${encodeURIComponent(zone)}`)
        .catch((e) => { if (e.code === 'invalid_parameter') return K.call('GET', path); throw e; }),
    ]);
    video = v;
    stats = s;
    render();
  }

  C.loaders.stats = () => fillVideos($('#stats-pick'));
  document.addEventListener('DOMContentLoaded', () => {
    const f = $('#stats-pick');
    K.onSubmit(f, show);
    let typing = null;
    f.q.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => K.run(f, () => fillVideos(f)), 300);
    });
    K.onLanguage(render);
  });
})();
