// Search: titles, presenters, tags and descriptions, in Chinese or English (GET /videos?q=).
'use strict';
(() => {
  const { api, cards, articleList, $, start } = window.LecternSite;
  const { t } = window.LecternI18n;
  const q = (new URLSearchParams(location.search).get('q') || '').trim();
  let result = null;
  let articles = [];

  function render() {
    $('#search-form input').value = q;
    if (!result) return;
    // Past 1000 matches the server stops counting (docs/read-path.md): "1000+".
    const total = result.total_is_estimate ? t('total_at_least').replace('{n}', result.total) : result.total;
    $('#search-summary').textContent = `“${q}” · ${total} ${t('results_count')}`;
    cards($('#results'), result.videos, 'search_none');
    articleList($('#article-results'), articles);
  }

  async function load() {
    $('#search-form input').focus();
    if (!q) return;
    result = await api(`/videos?q=${encodeURIComponent(q)}&sort=relevance&per_page=50`);
    articles = (await api(`/articles?q=${encodeURIComponent(q)}&per_page=20`)).articles;
  }

  $('#search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('#search-form input').value.trim();
    if (v) location.search = `?q=${encodeURIComponent(v)}`;
  });
  start({ load, render, title: () => t('nav_search') });
})();
