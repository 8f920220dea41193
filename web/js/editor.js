// The editor console: schedule lives, upload lessons, edit videos and chapters, curate columns.
// Talks only to /api/v1 with the editor's bearer credential (kept for this tab only).
// Every text from the server goes into the page with textContent, never as HTML.
'use strict';
(() => {
  const { t, apply, toggle } = window.LecternI18n;
  const { el, notice } = window.LecternSite;  // shared with the viewer pages
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const KINDS = ['model-worker', 'volunteer', 'teacher', 'other'];
  const VISIBILITIES = ['draft', 'published', 'unlisted'];
  let token = sessionStorage.getItem('lectern.token') || '';
  let currentVideo = null;   // id being edited
  let currentColumn = null;  // the column JSON being edited

  // ---- helpers ---------------------------------------------------------------

  class ApiError extends Error {}

  // Calls the API; resolves with the parsed JSON, rejects with ApiError(server's message).
  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const init = { method, headers, cache: 'no-store' };
    if (body instanceof Blob) { // an image, sent as it is
      headers['Content-Type'] = body.type;
      init.body = body;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const r = await fetch(`/api/v1${path}`, init);
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new ApiError((data.error && data.error.message) || `HTTP ${r.status}`);
    return data;
  }

  function guard(fn) {
    return async (...args) => {
      try {
        await fn(...args);
      } catch (e) {
        notice(e.message, true);
      }
    };
  }

  function fillSelect(select, values, labelKeyPrefix, current) {
    select.replaceChildren(...values.map((v) => el('option', {
      value: v, textContent: labelKeyPrefix ? t(labelKeyPrefix + v) : v, selected: v === current,
    })));
  }

  // <input type=datetime-local> holds local time without a zone; the API wants ISO 8601.
  const toIso = (local) => (local ? new Date(local).toISOString() : null);
  function toLocal(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }
  function clock(seconds) {
    const s = Math.round(seconds);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }
  function parseClock(text) {
    const parts = text.trim().split(':').map(Number);
    if (parts.some((n) => !Number.isFinite(n) || n < 0)) return NaN;
    return parts.reduce((acc, n) => acc * 60 + n, 0);
  }

  function videoLabel(v) {
    return `${v.title} · ${v.presenter || '—'} · ${t(`state.${v.state}`)} · ${t(`vis.${v.visibility}`)}`;
  }

  // ---- sign-in ---------------------------------------------------------------

  async function signIn(candidate) {
    token = candidate;
    let me;
    try {
      me = await api('GET', '/me');
    } catch (e) {
      token = '';
      sessionStorage.removeItem('lectern.token');
      throw new ApiError(t('bad_token'));
    }
    if (me.role !== 'editor' && me.role !== 'admin') {
      token = '';
      throw new ApiError(t('not_editor'));
    }
    sessionStorage.setItem('lectern.token', token);
    $('#who').textContent = `${me.display_name} (${me.role})`;
    $('#login').hidden = true;
    $('#app').hidden = false;
    $('#logout').hidden = false;
    $('#notice').hidden = true;
    await loadCategories();
    showTab('lives');
  }

  function signOut() {
    sessionStorage.removeItem('lectern.token');
    token = '';
    location.reload();
  }

  // ---- tabs ------------------------------------------------------------------

  const loaders = {
    lives: () => loadLives(),
    upload: () => {},
    videos: () => loadVideos(),
    columns: () => loadColumns(),
  };

  function showTab(name) {
    $$('[role=tab]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === name)));
    $$('[role=tabpanel]').forEach((p) => { p.hidden = p.id !== `tab-${name}`; });
    guard(loaders[name])();
  }

  // ---- lives -----------------------------------------------------------------

  async function loadLives() {
    const [now, upcoming] = await Promise.all([
      api('GET', '/videos?state=live&visibility=any&per_page=50'),
      api('GET', '/videos?state=scheduled&visibility=any&sort=upcoming&per_page=50'),
    ]);
    const show = (list, videos) => {
      list.replaceChildren(...(videos.length ? videos.map((v) => el('li', {
        textContent: `${v.scheduled_start ? new Date(v.scheduled_start).toLocaleString() + ' · ' : ''}${videoLabel(v)}`,
      })) : [el('li', { className: 'empty', textContent: t('none') })]));
    };
    show($('#lives-now'), now.videos);
    show($('#lives-upcoming'), upcoming.videos);
  }

  async function scheduleLive(ev) {
    ev.preventDefault();
    const f = ev.target;
    const body = { title: f.title.value, presenter: f.presenter.value, kind: f.kind.value,
                   visibility: f.visibility.value };
    if (f.starts.value) body.starts = toIso(f.starts.value);
    const v = await api('POST', '/events', body);
    $('#rtmp-server').value = v.rtmp_server;
    $('#stream-key').value = v.stream_key;
    $('#rtmp-url').value = v.rtmp_url;
    $('#live-created').hidden = false;
    f.reset();
    await loadLives();
  }

  async function copyField(button) {
    const input = $(`#${button.dataset.copy}`);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch (e) {
      document.execCommand('copy'); // older browsers, or no clipboard permission
    }
    button.textContent = t('copied');
    setTimeout(() => { button.textContent = t('copy'); }, 1500);
  }

  // ---- upload ----------------------------------------------------------------

  function upload(ev) {
    ev.preventDefault();
    const f = ev.target;
    const file = f.file.files[0];
    if (!file) return;
    const q = new URLSearchParams({ title: f.title.value, presenter: f.presenter.value,
                                    kind: f.kind.value, filename: file.name });
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/uploads?${q}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    $('#upload-status').hidden = false;
    $('#upload-edit').hidden = true;
    $('#upload-progress').value = 0;
    $('#job-progress').value = 0;
    $('#job-state').textContent = '';
    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((100 * e.loaded) / e.total);
      $('#upload-progress').value = pct;
      $('#upload-pct').textContent = `${pct}%`;
    });
    xhr.addEventListener('load', () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch (e) { /* shown below */ }
      if (xhr.status !== 202) {
        notice((data.error && data.error.message) || `HTTP ${xhr.status}`, true);
        return;
      }
      $('#upload-progress').value = 100;
      $('#upload-pct').textContent = '100%';
      f.reset();
      followJob(data.job_id, data.id);
    });
    xhr.addEventListener('error', () => notice('upload failed: network error', true));
    xhr.send(file);
  }

  function followJob(jobId, videoId) {
    const tick = guard(async () => {
      const job = await api('GET', `/jobs/${encodeURIComponent(jobId)}`);
      $('#job-progress').value = Math.round(job.progress * 100);
      $('#job-state').textContent = `${t(`job.${job.state}`)} ${Math.round(job.progress * 100)}%${job.error ? ` — ${job.error}` : ''}`;
      if (job.state === 'queued' || job.state === 'running') {
        setTimeout(tick, 1000);
        return;
      }
      if (job.state === 'done') {
        const b = $('#upload-edit');
        b.hidden = false;
        b.onclick = () => { showTab('videos'); guard(editVideo)(videoId); };
      }
    });
    tick();
  }

  // ---- videos ----------------------------------------------------------------

  async function loadCategories() {
    const { categories } = await api('GET', '/categories');
    const select = $('#categories');
    select.replaceChildren(el('option', { value: '', textContent: t('no_category') }),
      ...categories.map((c) => el('option', { value: c.name, textContent: c.name })));
  }

  const VIDEO_PAGE = 50;

  // One page of every video (drafts too), newest first, or of those matching Q.
  async function listVideos(q, page = 1) {
    const params = new URLSearchParams({ visibility: 'any', per_page: String(VIDEO_PAGE), page: String(page) });
    if (q) params.set('q', q);
    return api('GET', `/videos?${params}`);
  }

  let videoPage = { q: '', page: 0, shown: 0, total: 0 };

  function videoItem(v) {
    return el('li', {}, el('button', { type: 'button', className: 'link', textContent: videoLabel(v),
                                       dataset: { video: v.id }, on: { click: () => guard(editVideo)(v.id) } }));
  }

  // The first page of the list (MORE: the next page, added below what is shown).
  async function loadVideos(more = false) {
    const q = more ? videoPage.q : $('#video-search').q.value;
    const page = more ? videoPage.page + 1 : 1;
    const r = await listVideos(q, page);
    const items = r.videos.map(videoItem);
    if (more) $('#video-list').append(...items);
    else $('#video-list').replaceChildren(...(items.length ? items : [el('li', { className: 'empty', textContent: t('none') })]));
    videoPage = { q, page, shown: (more ? videoPage.shown : 0) + r.videos.length, total: r.total };
    const rest = videoPage.shown < videoPage.total && r.videos.length > 0;
    $('#video-more').hidden = !rest;
    labelMore();
  }

  function labelMore() {
    $('#video-more').textContent = t('more_videos').replace('{shown}', videoPage.shown).replace('{total}', videoPage.total);
  }

  // The videos a column can take: the first page, or those matching what is typed.
  async function fillColumnVideos() {
    const { videos } = await listVideos($('#column-video-q').value.trim());
    $('#column-add-video').replaceChildren(...videos.map((v) => el('option', { value: v.id, textContent: videoLabel(v) })));
  }

  function chapterRow(c = { start: 0, title: '' }) {
    const li = el('li', { className: 'row' },
      el('input', { className: 'ch-start', value: clock(c.start), size: 6, ariaLabel: t('chapter_start'),
                    placeholder: t('chapter_start') }),
      el('input', { className: 'ch-title', value: c.title, maxLength: 200, ariaLabel: t('chapter_title'),
                    placeholder: t('chapter_title') }),
      el('button', { type: 'button', className: 'link', textContent: t('remove'),
                     on: { click: () => li.remove() } }));
    return li;
  }

  async function editVideo(id) {
    const v = await api('GET', `/videos/${encodeURIComponent(id)}`);
    currentVideo = v.id;
    const f = $('#video-form');
    $('#video-heading').textContent = `${v.title} (${v.id})`;
    f.title.value = v.title;
    f.presenter.value = v.presenter;
    fillSelect(f.presenter_kind, KINDS, 'kind.', v.presenter_kind);
    f.category.value = v.category;
    f.tags.value = v.tags.join(', ');
    f.description.value = v.description;
    fillSelect(f.visibility, VISIBILITIES, 'vis.', v.visibility);
    f.publish_at.value = toLocal(v.publish_at);
    $('#chapters').replaceChildren(...v.chapters.map(chapterRow));
    showImage($('#video-poster'), v.poster_url);
    $('#video-poster-file').value = '';
    f.hidden = false;
    f.title.focus();
  }

  async function saveVideo(ev) {
    ev.preventDefault();
    const f = ev.target;
    const tags = f.tags.value.split(/[,，]/).map((s) => s.trim()).filter(Boolean);
    const chapters = $$('#chapters li').map((li) => ({
      start: parseClock($('.ch-start', li).value), title: $('.ch-title', li).value.trim(),
    }));
    const path = `/videos/${encodeURIComponent(currentVideo)}`;
    await api('PATCH', path, {
      title: f.title.value, presenter: f.presenter.value, presenter_kind: f.presenter_kind.value,
      category: f.category.value, tags, description: f.description.value,
      visibility: f.visibility.value, publish_at: toIso(f.publish_at.value),
    });
    await api('PUT', `${path}/chapters`, { chapters });
    notice(t('saved'));
    await loadVideos();
  }

  // ---- images (a video's poster, a column's cover) -----------------------------

  function showImage(img, url) {
    img.hidden = !url;
    if (url) img.src = url;
    else img.removeAttribute('src');
  }

  // Sends the file chosen in INPUT to PATH (PUT, the file's own type); returns the answer.
  async function putImage(input, path) {
    const file = input.files[0];
    if (!file) return null;
    const answer = await api('PUT', path, file);
    input.value = '';
    notice(t('image_saved'));
    return answer;
  }

  async function replacePoster(ev) {
    const v = await putImage(ev.target, `/videos/${encodeURIComponent(currentVideo)}/poster`);
    if (v) showImage($('#video-poster'), v.poster_url);
  }

  function showCover() {
    showImage($('#column-cover'), currentColumn.cover_url);
    $('#column-cover-remove').hidden = !currentColumn.cover_url;
  }

  async function replaceCover(ev) {
    const c = await putImage(ev.target, `/columns/${encodeURIComponent(currentColumn.slug)}/cover`);
    if (c) { currentColumn = c; showCover(); }
  }

  async function removeCover() {
    currentColumn = await api('DELETE', `/columns/${encodeURIComponent(currentColumn.slug)}/cover`);
    showCover();
    notice(t('cover_removed'));
  }

  // ---- columns ---------------------------------------------------------------

  async function loadColumns() {
    const { columns } = await api('GET', '/columns?all=true&items=0');
    $('#column-list').replaceChildren(...(columns.length ? columns.map((c) => el('li', {},
      el('button', { type: 'button', className: 'link', dataset: { column: c.slug },
                     textContent: `${c.title} (${c.slug})${c.archived ? ` · ${t('archived')}` : ''}`,
                     on: { click: () => guard(editColumn)(c.slug) } })))
      : [el('li', { className: 'empty', textContent: t('none') })]));
  }

  async function createColumn(ev) {
    ev.preventDefault();
    const f = ev.target;
    const c = await api('POST', '/columns', { slug: f.slug.value, title: f.title.value,
                                              description: f.description.value });
    f.reset();
    await loadColumns();
    await editColumn(c.slug);
  }

  function renderItems() {
    const items = currentColumn.items;
    $('#column-items').replaceChildren(...items.map((it, i) => el('li', { className: 'row', dataset: { video: it.video.id } },
      el('span', { className: 'grow', textContent: videoLabel(it.video) }),
      el('button', { type: 'button', className: 'link', textContent: t('up'), disabled: i === 0,
                     on: { click: guard(() => moveItem(i, -1)) } }),
      el('button', { type: 'button', className: 'link', textContent: t('down'), disabled: i === items.length - 1,
                     on: { click: guard(() => moveItem(i, 1)) } }),
      el('button', { type: 'button', className: `link${it.featured ? ' on' : ''}`,
                     textContent: it.featured ? t('featured') : t('feature'),
                     on: { click: guard(() => saveItems(items.map((x, j) => ({ ...x, featured: j === i ? !x.featured : x.featured })))) } }),
      el('button', { type: 'button', className: 'link', textContent: t('remove'),
                     on: { click: guard(() => saveItems(items.filter((_, j) => j !== i))) } }))));
  }

  async function saveItems(items) {
    const slug = encodeURIComponent(currentColumn.slug);
    currentColumn = await api('PUT', `/columns/${slug}/items`, {
      items: items.map((it, i) => ({ video_id: it.video.id, position: i, featured: it.featured })),
    });
    renderItems();
  }

  function moveItem(i, delta) {
    const items = currentColumn.items.slice();
    [items[i], items[i + delta]] = [items[i + delta], items[i]];
    return saveItems(items);
  }

  async function editColumn(slug) {
    currentColumn = await api('GET', `/columns/${encodeURIComponent(slug)}?all=true&per_page=100`);
    const c = currentColumn;
    const f = $('#column-form');
    $('#column-heading').textContent = `${c.title} (${c.slug})`;
    f.title.value = c.title;
    f.description.value = c.description;
    f.publish_from.value = toLocal(c.publish_from);
    f.publish_until.value = toLocal(c.publish_until);
    f.archived.checked = c.archived;
    showCover();
    $('#column-cover-file').value = '';
    renderItems();
    $('#column-video-q').value = '';
    await fillColumnVideos();
    f.hidden = false;
  }

  async function saveColumn(ev) {
    ev.preventDefault();
    const f = ev.target;
    currentColumn = await api('PATCH', `/columns/${encodeURIComponent(currentColumn.slug)}`, {
      title: f.title.value, description: f.description.value, archived: f.archived.checked,
      publish_from: toIso(f.publish_from.value), publish_until: toIso(f.publish_until.value),
    });
    renderItems();
    notice(t('saved'));
    await loadColumns();
  }

  async function addToColumn() {
    const id = $('#column-add-video').value;
    if (!id) return;
    currentColumn = await api('POST', `/columns/${encodeURIComponent(currentColumn.slug)}/items`, { video_id: id });
    renderItems();
  }

  // The console's other screens (editor-*.js) add their tabs' loaders here and call the
  // API with this tab's credential.
  window.LecternConsole = { loaders, showTab, guard, token: () => token };

  // ---- wiring ----------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $$('select.kinds').forEach((s) => fillSelect(s, KINDS, 'kind.', 'other'));
    $$('select.visibilities').forEach((s) => fillSelect(s, VISIBILITIES, 'vis.', 'draft'));
    apply();
    $('#lang').addEventListener('click', () => {
      toggle();
      $$('select.kinds').forEach((s) => fillSelect(s, KINDS, 'kind.', s.value));
      $$('select.visibilities').forEach((s) => fillSelect(s, VISIBILITIES, 'vis.', s.value));
      labelMore();
    });
    $('#logout').addEventListener('click', signOut);
    $('#login-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      guard(signIn)($('#token').value.trim());
    });
    $$('[role=tab]').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));
    $('#live-form').addEventListener('submit', guard(scheduleLive));
    $$('[data-copy]').forEach((b) => b.addEventListener('click', () => copyField(b)));
    $('#upload-form').addEventListener('submit', upload);
    $('#video-search').addEventListener('submit', (ev) => { ev.preventDefault(); guard(loadVideos)(); });
    $('#video-form').addEventListener('submit', guard(saveVideo));
    $('#chapter-add').addEventListener('click', () => $('#chapters').append(chapterRow()));
    $('#column-create').addEventListener('submit', guard(createColumn));
    $('#column-form').addEventListener('submit', guard(saveColumn));
    $('#column-add').addEventListener('click', guard(addToColumn));
    $('#video-more').addEventListener('click', () => guard(loadVideos)(true));
    let typing = null;
    $('#column-video-q').addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(guard(fillColumnVideos), 300);
    });
    $('#column-cover-file').addEventListener('change', guard(replaceCover));
    $('#column-cover-remove').addEventListener('click', guard(removeCover));
    $('#video-poster-file').addEventListener('change', guard(replacePoster));
    if (token) guard(signIn)(token);
  });
})();
