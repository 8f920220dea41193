// Home: lives on air, upcoming lives, the featured columns, the latest lessons.
'use strict';
(() => {
  const { api, el, cards, columnUrl, videoUrl, $, start } = window.LecternSite;
  const { t } = window.LecternI18n;
  let data = null;

  // A column shows its featured lessons first (all of them), then others up to four.
  function columnBlock(c) {
    const items = c.items || [];
    const featured = items.filter((i) => i.featured);
    const shown = (featured.length ? featured : items).slice(0, Math.max(4, featured.length));
    const list = el('ul', { className: 'cards' });
    cards(list, shown.map((i) => i.video), 'no_videos');
    return el('section', { className: 'column-block' },
      el('h3', {}, el('a', { href: columnUrl(c.slug), textContent: c.title })),
      c.description ? el('p', { className: 'meta', textContent: c.description }) : null,
      list,
      el('p', {}, el('a', { href: columnUrl(c.slug), textContent: `${t('more')} (${c.item_count}) →` })));
  }

  // The live on air (the first, when several are), shown big: its poster, title, presenter
  // and how many watch it now (the API's viewers).
  function hero(v) {
    if (!v) return [];
    const poster = v.poster_url
      ? el('img', { src: v.poster_url, alt: '', width: 640, height: 360 })
      : el('div', { className: 'noposter', textContent: t('kind.' + v.presenter_kind) });
    const viewers = Number.isInteger(v.viewers)
      ? el('span', { className: 'hero-viewers', dataset: { viewers: String(v.viewers) },
        textContent: t('viewers_count').replace('{n}', v.viewers) }) : null;
    return [el('a', { className: 'live-hero', href: videoUrl(v.id) },
      el('div', { className: 'thumb' }, poster, el('span', { className: 'badge live', textContent: t('live') }), viewers),
      el('div', { className: 'hero-text' },
        el('h3', { textContent: v.title }),
        el('p', { className: 'meta', textContent: [v.presenter, v.category].filter(Boolean).join(' · ') }),
        el('span', { className: 'button', textContent: `${t('watch_live')} →` })))];
  }

  function render() {
    if (!data) return;
    $('#live-hero').replaceChildren(...hero(data.live[0]));
    const others = data.live.slice(1);
    if (others.length || !data.live.length) cards($('#live-now'), others, 'no_live');
    else $('#live-now').replaceChildren();
    $('#live-section').classList.toggle('on-air', data.live.length > 0);
    cards($('#upcoming'), data.upcoming, 'no_upcoming');
    $('#columns').replaceChildren(...data.columns.map(columnBlock));
    cards($('#latest'), data.latest, 'no_videos');
  }

  async function load() {
    const [live, upcoming, columns, latest] = await Promise.all([
      api('/lives/now'), api('/lives/upcoming?per_page=6'), api('/columns'),
      api('/videos?state=ready&sort=newest&per_page=8'),
    ]);
    data = { live: live.videos, upcoming: upcoming.videos, columns: columns.columns, latest: latest.videos };
  }

  start({ load, render });
  // Lives start and end: look again every 30 s.
  setInterval(async () => { try { await load(); render(); } catch (e) { /* keep what is shown */ } }, 30000);
})();
