// Home: lives on air, upcoming lives, the featured columns, the latest lessons.
'use strict';
(() => {
  const { api, el, cards, columnUrl, $, start } = window.LecternSite;
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

  function render() {
    if (!data) return;
    cards($('#live-now'), data.live, 'no_live');
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
