// An article, phone first, and its reading credit (docs/articles.md). The body is the
// server's rendering (cmark, safe mode: no raw HTML, no unsafe links), so it is the one
// place a page takes HTML from the server. Reading time is reported over /ws: read.start,
// then read.beat every report_interval seconds and at once when the tab is hidden or shown;
// the server credits only time its own clock saw pass after a report that said visible.
'use strict';
(() => {
  const { api, $, start, notice } = window.LecternSite;
  const { t, tf } = window.LecternI18n;
  const id = Number(new URLSearchParams(location.search).get('id'));
  let article = null;
  let ws = null;
  let seq = 0;
  let timer = 0;
  let state = null;   // the last read.started / read.ack
  let retry = 0;
  let left = false;   // superseded or leaving: no more reports, no reconnect

  const visible = () => document.visibilityState === 'visible';

  function send(m) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
  }

  function beat() {
    if (state && !left) send({ type: 'read.beat', seq: ++seq, article: id, visible: visible() });
  }

  function renderBox() {
    const box = $('#read-box');
    if (!state) { box.hidden = true; return; }
    box.hidden = false;
    const p = $('#read-progress');
    p.max = Math.max(1, state.need_seconds);
    p.value = Math.min(state.need_seconds, state.credited_seconds);
    let text;
    if (left) text = t('read_superseded');
    else if (!state.earns) text = t('read_guest');
    else if (state.done) text = state.points > 0 ? tf('read_done_points', { p: state.points }) : t('read_done');
    else text = tf('read_progress', { s: Math.max(0, state.need_seconds - state.credited_seconds) });
    $('#read-status').textContent = text;
  }

  function connect() {
    if (left) return;
    const sock = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    ws = sock;
    seq = 0;
    sock.onopen = () => { retry = 0; send({ type: 'hello', client: 'lectern-web/1' }); };
    sock.onmessage = (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m.type === 'welcome') {
        send({ type: 'read.start', article: id, visible: visible() });
      } else if (m.type === 'read.started' || m.type === 'read.ack') {
        state = m;
        if (m.type === 'read.started') {
          clearInterval(timer);
          timer = setInterval(beat, (m.report_interval || 5) * 1000);
        }
        if (m.type === 'read.ack' && m.earned > 0) notice(tf('read_earned', { p: m.earned }));
        renderBox();
      } else if (m.type === 'read.ended' && m.reason === 'superseded') {
        left = true;
        clearInterval(timer);
        renderBox();
      }
    };
    sock.onclose = () => {
      clearInterval(timer);
      if (ws !== sock || left) return;
      setTimeout(connect, Math.min(30000, 1000 * 2 ** retry++));
    };
    sock.onerror = () => {};
  }

  function render() {
    if (!article) return;
    document.title = article.title;
    $('#article-title').textContent = article.title;
    $('#article-author').textContent = article.author ? tf('article_author', { name: article.author }) : '';
    $('#article-author').hidden = !article.author;
    $('#article-summary').textContent = article.summary;
    $('#article-summary').hidden = !article.summary;
    const when = article.published_at ? new Date(article.published_at).toLocaleDateString() : '';
    $('#article-meta').textContent = [when, tf('read_minutes', { m: Math.max(1, Math.round(article.read_seconds / 60)) })]
      .filter(Boolean).join(' · ');
    const cover = $('#article-cover');
    cover.hidden = !article.cover_url;
    if (article.cover_url) cover.src = article.cover_url;
    renderBox();
  }

  async function load() {
    if (!id) { notice(t('article_not_found'), true); return; }
    try {
      article = await api(`/articles/${id}`);
    } catch (e) {
      notice(e.status === 404 ? t('article_not_found') : e.message, true);
      return;
    }
    // The server's rendering, safe by construction (core/markdown.c); parsed into a
    // template, never run: scripts cannot come from it and the CSP forbids inline ones.
    const tpl = document.createElement('template');
    tpl.innerHTML = article.html;
    $('#article-body').replaceChildren(tpl.content);
    $('#article').hidden = false;
    render();
    connect();
  }

  document.addEventListener('visibilitychange', beat);
  window.addEventListener('pagehide', () => {
    if (state && !left) send({ type: 'read.stop', seq: ++seq, article: id });
    left = true;
    clearInterval(timer);
  });
  start({ load, render, title: () => (article ? article.title : t('article_title')) });
})();
