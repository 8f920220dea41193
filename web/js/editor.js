// The editor console: schedule lives, upload lessons, edit videos and chapters, curate columns.
// Talks only to /api/v1 with the browser session (site.js: the editor's credential is
// exchanged for it at sign-in; changes carry the session's CSRF token).
// Every text from the server goes into the page with textContent, never as HTML.
'use strict';
(() => {
  const { t, apply, toggle } = window.LecternI18n;
  const { el, notice, ApiError } = window.LecternSite;  // shared with the viewer pages
  const Site = window.LecternSite;
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const KINDS = ['model-worker', 'volunteer', 'teacher', 'other'];
  const VISIBILITIES = ['draft', 'published', 'unlisted'];
  // Kept by older versions for this tab: exchanged for a session once, then forgotten.
  const legacyToken = sessionStorage.getItem('lectern.token') || '';
  sessionStorage.removeItem('lectern.token');
  let currentVideo = null;   // the video JSON being edited
  let currentColumn = null;  // the column JSON being edited

  // ---- helpers ---------------------------------------------------------------

  // Calls the API; resolves with the parsed JSON, rejects with ApiError (the server's message,
  // status and error code).
  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-Token'] = Site.csrfToken();
    const init = { method, headers, cache: 'no-store', credentials: 'same-origin' };
    if (body instanceof Blob) { // an image, sent as it is
      headers['Content-Type'] = body.type;
      init.body = body;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let r;
    try {
      r = await fetch(`/api/v1${path}`, init);
    } catch (e) {
      throw new ApiError(e.message, 0, 'network');
    }
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      const e = data.error || {};
      throw new ApiError(e.message || `HTTP ${r.status}`, r.status, e.code);
    }
    return data;
  }

  // Server codes whose own message names what was wrong (which field, which chapter): the
  // console's words come first, the server's detail after them.
  const WITH_DETAIL = new Set(['invalid_field', 'invalid_parameter', 'bad_request', 'malformed_json', 'unknown_field']);

  // What to tell the editor about error E, in the console's language; the server's message
  // when the code is not one the console knows.
  function errorText(e) {
    const key = e.code ? `err.${e.code}` : null;
    if (!key || t(key) === key) return e.message;
    return WITH_DETAIL.has(e.code) ? `${t(key)}（${t('err_detail')}${e.message}）` : t(key);
  }

  // The error shown beside ANCHOR (the button or field that caused it): one per anchor,
  // replaced by the next; TEXT empty removes it.
  function showError(anchor, text) {
    let box = anchor && anchor.nextElementSibling && anchor.nextElementSibling.classList.contains('err')
      ? anchor.nextElementSibling : null;
    if (!text) {
      if (box) box.remove();
      return;
    }
    if (!anchor) {
      notice(text, true);
      return;
    }
    if (!box) {
      box = el('span', { className: 'err', attrs: { role: 'alert' } });
      anchor.after(box);
    }
    box.textContent = text;
    notice(''); // a success said at the top earlier is not the news any more
  }

  // The element an event's error belongs beside: the submit button of a submitted form, the
  // button clicked, the file input changed.
  function anchorOf(ev) {
    if (!(ev instanceof Event)) return null;
    if (ev.type === 'submit') return ev.submitter || ev.target.querySelector('[type=submit]');
    return ev.currentTarget instanceof Element ? ev.currentTarget : ev.target;
  }

  // FN as an event handler whose failure is shown beside ANCHOR (or the event's own anchor;
  // with neither, in the notice at the top).
  function guard(fn, anchor = null) {
    return async (...args) => {
      const at = anchor || anchorOf(args[0]);
      showError(at, '');
      try {
        await fn(...args);
      } catch (e) {
        showError(at, errorText(e));
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
  // A chapter start as m:ss or h:mm:ss, with its fraction when it has one (so saving again
  // never moves it).
  function clock(seconds) {
    const ms = Math.round(seconds * 1000);
    const whole = Math.floor(ms / 1000);
    const frac = ms % 1000 ? `.${String(ms % 1000).padStart(3, '0').replace(/0+$/, '')}` : '';
    const h = Math.floor(whole / 3600);
    const m = Math.floor((whole % 3600) / 60);
    const ss = `${String(whole % 60).padStart(2, '0')}${frac}`;
    return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
  }
  // Seconds from "75", "1:05", "1:02:03" (the last part may have up to 3 decimals); after a
  // colon two digits below 60, as the server wants: "9:99" is NaN, never 639 s.
  function parseClock(text) {
    const m = /^(\d{1,9})(?::(\d{2}))?(?::(\d{2}))?(?:\.(\d{1,3}))?$/.exec(text.trim());
    if (!m) return NaN;
    const parts = [m[1], m[2], m[3]].filter((p) => p !== undefined).map(Number);
    if (parts.slice(1).some((n) => n >= 60)) return NaN;
    return parts.reduce((acc, n) => acc * 60 + n, 0) + (m[4] ? Number(`0.${m[4]}`) : 0);
  }
  const fill = (key, values) => Object.entries(values).reduce((s, [k, v]) => s.replaceAll(`{${k}}`, v), t(key));

  // The warning beside a visibility choice while it says draft: drafts are for editors only.
  function draftWarning(select) {
    const label = select.closest('label');
    let warn = label.nextElementSibling && label.nextElementSibling.classList.contains('draft-warning')
      ? label.nextElementSibling : null;
    if (!warn) {
      warn = el('p', { className: 'warn draft-warning', attrs: { role: 'note' } });
      label.after(warn);
    }
    warn.textContent = t('draft_warning');
    warn.hidden = select.value !== 'draft';
  }

  // Would a viewer see V in lists and columns?
  const isPublic = (v) => v.visibility === 'published' && ['scheduled', 'live', 'ready'].includes(v.state)
    && (!v.publish_at || new Date(v.publish_at) <= new Date());

  function videoLabel(v) {
    return `${v.title} · ${v.presenter || '—'} · ${t(`state.${v.state}`)} · ${t(`vis.${v.visibility}`)}`
      + (isPublic(v) ? '' : ` · ${t('not_public')}`);
  }

  // ---- sign-in ---------------------------------------------------------------

  // The credential is checked (GET /me with it) before a session is made, so a viewer's
  // credential signs nobody in here.
  async function signIn(candidate) {
    let me;
    try {
      me = await Site.api('/me', { bearer: candidate });
    } catch (e) {
      throw e instanceof TypeError ? new ApiError(e.message, 0, 'network') : new ApiError(t('bad_token'));
    }
    if (me.role !== 'editor' && me.role !== 'admin') throw new ApiError(t('not_editor'));
    await Site.signIn({ token: candidate });
    await enter(me);
  }

  async function enter(me) {
    $('#who').textContent = `${me.display_name} (${me.role})`;
    $('#login').hidden = true;
    $('#app').hidden = false;
    $('#logout').hidden = false;
    $('#notice').hidden = true;
    // The first tab opens with the console, before anything is awaited: an editor who clicks
    // another tab while the categories load stays there (CI run of stop 29 saw the console
    // jump back to lives under a test that had already moved to columns).
    showTab('lives');
    await loadCategories();
  }

  // Already signed in on this site (here or on the viewer pages) as an editor: straight in.
  async function resume() {
    const s = await Site.session();
    if (s && (s.member.role === 'editor' || s.member.role === 'admin')) await enter(s.member);
  }

  async function signOut() {
    // A member who came through the union's sign-on is signed out there too (RP-initiated logout).
    const out = await Site.signOut();
    if (out) location.assign(out); else location.reload();
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
      list.replaceChildren(...(videos.length ? videos.map((v) => el('li', { className: 'row', dataset: { video: v.id } },
        el('span', { className: 'grow',
          textContent: `${v.scheduled_start ? new Date(v.scheduled_start).toLocaleString() + ' · ' : ''}${videoLabel(v)}` }),
        v.state === 'scheduled' ? rekeyControls(v) : null, presenterLinkControls(v)))
        : [el('li', { className: 'empty', textContent: t('none') })]));
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
    showKey(v);
    f.reset();
    draftWarning(f.visibility);
    await loadLives();
  }

  // The push settings of live V (its key is in this answer only).
  function showKey(v) {
    $('#live-created-title').textContent = v.title;
    $('#rtmp-server').value = v.rtmp_server;
    $('#stream-key').value = v.stream_key;
    $('#rtmp-url').value = v.rtmp_url;
    $('#live-created').hidden = false;
  }

  // "New stream key", then a confirmation: the old key stops working at once.
  function rekeyControls(v) {
    const confirmBox = el('span', { className: 'confirm', hidden: true },
      el('span', { className: 'note', textContent: t('rekey_explain') }));
    const ask = el('button', { type: 'button', className: 'link rekey', textContent: t('rekey'),
      on: { click: () => { ask.hidden = true; confirmBox.hidden = false; } } });
    const yes = el('button', { type: 'button', className: 'danger rekey-confirm', textContent: t('confirm_rekey') });
    yes.addEventListener('click', guard(async () => {
      const answer = await api('POST', `/videos/${encodeURIComponent(v.id)}/rekey`);
      showKey(answer);
      notice(t('rekeyed'));
      $('#live-created').scrollIntoView({ block: 'nearest' });
      confirmBox.hidden = true;
      ask.hidden = false;
    }));
    confirmBox.append(yes, el('button', { type: 'button', className: 'link', textContent: t('cancel'),
      on: { click: () => { confirmBox.hidden = true; ask.hidden = false; showError(yes, ''); } } }));
    return el('span', { className: 'row' }, ask, confirmBox);
  }

  // The live's presenter link (docs/chat.md): made (or replaced) here and shown this once;
  // it opens the presenter view of this live only.
  function presenterLinkControls(v) {
    const out = el('input', { type: 'text', readOnly: true, className: 'presenter-link', hidden: true, size: 40 });
    const note = el('span', { className: 'note', hidden: true, textContent: t('ed_presenter_link_once') });
    const make = el('button', { type: 'button', className: 'link presenter-link-make', textContent: t('ed_presenter_link') });
    make.title = t('ed_presenter_link_make');
    make.addEventListener('click', guard(async () => {
      const answer = await api('POST', `/videos/${encodeURIComponent(v.id)}/presenter-link`);
      out.value = `${location.origin}${answer.path}`;
      out.hidden = false;
      note.hidden = false;
      out.select();
    }));
    return el('span', { className: 'row' }, make, out, note);
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
    const button = f.querySelector('[type=submit]');
    showError(button, '');
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/uploads?${q}`);
    xhr.setRequestHeader('X-CSRF-Token', Site.csrfToken());
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
        const e = data.error || {};
        showError(button, errorText(new ApiError(e.message || `HTTP ${xhr.status}`, xhr.status, e.code)));
        return;
      }
      $('#upload-progress').value = 100;
      $('#upload-pct').textContent = '100%';
      f.reset();
      followJob(data.job_id, data.id);
    });
    xhr.addEventListener('error', () => showError(button, t('err.network')));
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
        b.onclick = () => { showTab('videos'); guard(editVideo, b)(videoId); };
      }
    }, $('#job-state'));
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

  // One page of every video (drafts too), newest first, or of those matching Q; AFTER is the
  // `next` of the page before (pages by key: nothing repeats or is skipped while videos are added).
  async function listVideos(q, after = null) {
    const params = new URLSearchParams({ visibility: 'any', per_page: String(VIDEO_PAGE) });
    if (q) params.set('q', q);
    if (after) params.set('after', after);
    return api('GET', `/videos?${params}`);
  }

  let videoPage = { q: '', next: null, shown: 0, total: 0, estimate: false };

  function videoItem(v) {
    const b = el('button', { type: 'button', className: 'link', textContent: videoLabel(v), dataset: { video: v.id } });
    b.addEventListener('click', () => guard(editVideo, b)(v.id));
    return el('li', {}, b);
  }

  // The first page of the list (MORE: the next page, added below what is shown).
  // Answers can arrive out of order (the tab's first load and a search typed right after
  // it): only the latest request started may fill a list or a form.
  const latest = {};
  async function newest(what, promise) {
    const n = (latest[what] = (latest[what] || 0) + 1);
    const r = await promise;
    return n === latest[what] ? r : null;
  }

  async function loadVideos(more = false) {
    const q = more ? videoPage.q : $('#video-search').q.value;
    const r = await newest('videos', listVideos(q, more ? videoPage.next : null));
    if (!r) return;
    const items = r.videos.map(videoItem);
    if (more) $('#video-list').append(...items);
    else $('#video-list').replaceChildren(...(items.length ? items : [el('li', { className: 'empty', textContent: t('none') })]));
    videoPage = { q, next: r.next, shown: (more ? videoPage.shown : 0) + r.videos.length, total: r.total,
                  estimate: r.total_is_estimate };
    $('#video-more').hidden = !r.next;
    labelMore();
  }

  function labelMore() {
    const total = videoPage.estimate ? t('total_at_least').replace('{n}', videoPage.total) : videoPage.total;
    $('#video-more').textContent = t('more_videos').replace('{shown}', videoPage.shown).replace('{total}', total);
  }

  // The videos a column can take: the first page, or those matching what is typed.
  async function fillColumnVideos() {
    const r = await newest('column-videos', listVideos($('#column-video-q').value.trim()));
    if (!r) return;
    const { videos } = r;
    $('#column-add-video').replaceChildren(...videos.map((v) => el('option', { value: v.id, textContent: videoLabel(v) })));
  }

  function chapterRow(c = { start: 0, title: '' }) {
    const li = el('li', { className: 'row' },
      el('input', { className: 'ch-start', value: clock(c.start), size: 8, ariaLabel: t('chapter_start'),
                    placeholder: t('chapter_start_hint'), inputMode: 'decimal',
                    on: { input: (ev) => ev.target.removeAttribute('aria-invalid') } }),
      el('input', { className: 'ch-title', value: c.title, maxLength: 200, ariaLabel: t('chapter_title'),
                    placeholder: t('chapter_title') }),
      el('button', { type: 'button', className: 'link', textContent: t('remove'),
                     on: { click: () => li.remove() } }));
    return li;
  }

  async function editVideo(id) {
    const v = await newest('video', api('GET', `/videos/${encodeURIComponent(id)}`));
    if (!v) return;
    currentVideo = v;
    const f = $('#video-form');
    $('#video-heading').textContent = `${v.title} (${v.id})`;
    f.title.value = v.title;
    f.presenter.value = v.presenter;
    fillSelect(f.presenter_kind, KINDS, 'kind.', v.presenter_kind);
    f.category.value = v.category;
    f.tags.value = v.tags.join(', ');
    f.description.value = v.description;
    fillSelect(f.visibility, VISIBILITIES, 'vis.', v.visibility);
    draftWarning(f.visibility);
    f.publish_at.value = toLocal(v.publish_at);
    $('#chapters').replaceChildren(...v.chapters.map(chapterRow));
    showImage($('#video-poster'), v.poster_url);
    $('#video-poster-file').value = '';
    $$('#video-form .err').forEach((e) => e.remove());
    closeDelete();
    f.hidden = false;
    f.title.focus();
  }

  // The chapters as typed, checked as the server will check them: [{start, title}], or an
  // ApiError naming the first one that is wrong (its start field marked).
  function readChapters() {
    const rows = $$('#chapters li');
    const chapters = [];
    const seen = new Map();
    rows.forEach((li, i) => {
      const input = $('.ch-start', li);
      const text = input.value.trim();
      const start = parseClock(text);
      const n = i + 1;
      const bad = (key, extra = {}) => {
        input.setAttribute('aria-invalid', 'true');
        throw new ApiError(fill(key, { n, text, ...extra }));
      };
      if (Number.isNaN(start)) bad('chapter_bad_time');
      const duration = currentVideo.duration;
      if (duration && start >= duration) bad('chapter_past_end', { end: clock(duration) });
      if (seen.has(start)) bad('chapter_same_start');
      seen.set(start, true);
      const title = $('.ch-title', li).value.trim();
      if (!title) throw new ApiError(fill('chapter_no_title', { n }));
      input.removeAttribute('aria-invalid');
      chapters.push({ start, title });
    });
    return chapters;
  }

  async function saveVideo(ev) {
    ev.preventDefault();
    if (!currentVideo) return; // nothing chosen: the form is hidden then anyway
    const f = ev.target;
    const tags = f.tags.value.split(/[,，]/).map((s) => s.trim()).filter(Boolean);
    const chapters = readChapters();
    const path = `/videos/${encodeURIComponent(currentVideo.id)}`;
    await api('PATCH', path, {
      title: f.title.value, presenter: f.presenter.value, presenter_kind: f.presenter_kind.value,
      category: f.category.value, tags, description: f.description.value,
      visibility: f.visibility.value, publish_at: toIso(f.publish_at.value),
    });
    currentVideo = await api('PUT', `${path}/chapters`, { chapters });
    $('#video-heading').textContent = `${currentVideo.title} (${currentVideo.id})`;
    notice(t('saved'));
    await loadVideos();
  }

  // Deleting: the button asks first, saying what deleting does.
  function closeDelete() {
    $('#video-delete-confirm').hidden = true;
    $('#video-delete').hidden = false;
    showError($('#video-delete-yes'), '');
  }

  function askDelete() {
    $('#video-delete').hidden = true;
    $('#video-delete-explain').textContent = t('video_delete_explain');
    $('#video-delete-confirm').hidden = false;
  }

  async function deleteVideo() {
    const done = await api('DELETE', `/videos/${encodeURIComponent(currentVideo.id)}`);
    currentVideo = null;
    closeDelete();
    $('#video-form').hidden = true;
    notice(fill('video_deleted', { when: new Date(done.files_removed_after).toLocaleString() }));
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
    const v = await putImage(ev.target, `/videos/${encodeURIComponent(currentVideo.id)}/poster`);
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
    $('#column-list').replaceChildren(...(columns.length ? columns.map((c) => {
      const b = el('button', { type: 'button', className: 'link', dataset: { column: c.slug },
                               textContent: `${c.title} (${c.slug})${c.archived ? ` · ${t('archived')}` : ''}` });
      b.addEventListener('click', () => guard(editColumn, b)(c.slug));
      return el('li', {}, b);
    }) : [el('li', { className: 'empty', textContent: t('none') })]));
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
  window.LecternConsole = { loaders, showTab, guard };

  // ---- wiring ----------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $$('select.kinds').forEach((s) => fillSelect(s, KINDS, 'kind.', 'other'));
    $$('select.visibilities').forEach((s) => {
      fillSelect(s, VISIBILITIES, 'vis.', 'draft');
      draftWarning(s);
      s.addEventListener('change', () => draftWarning(s));
    });
    apply();
    $('#lang').addEventListener('click', () => {
      toggle();
      $$('select.kinds').forEach((s) => fillSelect(s, KINDS, 'kind.', s.value));
      $$('select.visibilities').forEach((s) => { fillSelect(s, VISIBILITIES, 'vis.', s.value); draftWarning(s); });
      labelMore();
    });
    $('#logout').addEventListener('click', signOut);
    $('#login-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      guard(signIn, $('#login-form [type=submit]'))($('#token').value.trim());
    });
    $$('[role=tab]').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));
    $('#live-form').addEventListener('submit', guard(scheduleLive));
    $$('[data-copy]').forEach((b) => b.addEventListener('click', () => copyField(b)));
    $('#upload-form').addEventListener('submit', upload);
    $('#video-search').addEventListener('submit', (ev) => { ev.preventDefault(); guard(loadVideos, anchorOf(ev))(); });
    $('#video-form').addEventListener('submit', guard(saveVideo));
    $('#chapter-add').addEventListener('click', () => $('#chapters').append(chapterRow()));
    $('#column-create').addEventListener('submit', guard(createColumn));
    $('#column-form').addEventListener('submit', guard(saveColumn));
    $('#column-add').addEventListener('click', guard(addToColumn));
    $('#video-more').addEventListener('click', (ev) => guard(loadVideos, ev.currentTarget)(true));
    $('#video-delete').addEventListener('click', askDelete);
    $('#video-delete-no').addEventListener('click', closeDelete);
    $('#video-delete-yes').addEventListener('click', guard(deleteVideo));
    let typing = null;
    $('#column-video-q').addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(guard(fillColumnVideos, $('#column-video-q')), 300);
    });
    $('#column-cover-file').addEventListener('change', guard(replaceCover));
    $('#column-cover-remove').addEventListener('click', guard(removeCover));
    $('#video-poster-file').addEventListener('change', guard(replacePoster));
    if (legacyToken) guard(signIn)(legacyToken);
    else guard(resume)();
  });
})();
