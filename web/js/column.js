// A themed column (专题专栏): its cover, description and lessons in the editors' order.
'use strict';
(() => {
  const { api, cards, articleList, $, start, ApiError } = window.LecternSite;
  const { t } = window.LecternI18n;
  const slug = new URLSearchParams(location.search).get('c') || '';
  let column = null;
  let articles = [];

  function render() {
    if (!column) return;
    $('#column-title').textContent = column.title;
    $('#column-description').textContent = column.description || '';
    const cover = $('#column-cover');
    if (column.cover_url) { cover.src = column.cover_url; cover.hidden = false; }
    cards($('#column-items'), column.items.map((i) => i.video), 'no_videos');
    articleList($('#column-articles'), articles);
  }

  async function load() {
    try {
      column = await api(`/columns/${encodeURIComponent(slug)}`);
      articles = (await api(`/columns/${encodeURIComponent(slug)}/articles`)).articles;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) {
        $('#column-title').textContent = t('not_found_column');
        return;
      }
      throw e;
    }
  }

  start({ load, render, title: () => (column ? column.title : t('featured_columns')) });
})();
