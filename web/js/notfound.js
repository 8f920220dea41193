// The 404 page (web/404.html, sent by the server for unknown paths): the site's header, a
// way home, and the latest lessons to go on with.
'use strict';
(() => {
  const { api, cards, $, start } = window.LecternSite;
  const { t } = window.LecternI18n;
  let latest = null;

  async function load() {
    latest = (await api('/videos?state=ready&sort=newest&per_page=4')).videos;
  }

  function render() {
    if (latest) cards($('#latest'), latest, 'no_videos');
  }

  start({ load, render, title: () => t('not_found_title') });
})();
