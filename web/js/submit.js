// The submissions page (网上申报, docs/submissions.md): open calls, a form per call, the file
// sent with tus-js-client in 4 MiB pieces (a cut connection resumes from the last whole piece,
// also after a reload: the upload's address is kept in localStorage under the submission's
// id), and the member's own submissions with their states and the editors' reasons. A text
// gets pictures through the picture button (stored by the server, inserted as `![](url)`) and a
// preview rendered by the server as the article will show it.
'use strict';
(() => {
  const { api, el, when, $, start, notice, ApiError, csrfToken } = window.LecternSite;
  const { t, tf } = window.LecternI18n;
  const CHUNK = 4 * 1024 * 1024;  // below [submit] chunk_bytes (8 MiB by default)
  const accept = { video: 'video/*', pdf: 'application/pdf,.pdf' };
  let member = null;
  let calls = [];
  let mine = [];
  let call = null;      // the call whose form is shown
  let busy = false;

  const refusal = (e) => (e instanceof ApiError && e.code && t('sub_err.' + e.code) !== 'sub_err.' + e.code
    ? t('sub_err.' + e.code) : e.message);

  function showError(text) {
    const p = $('#sub-error');
    p.textContent = text || '';
    p.hidden = !text;
  }

  function renderCalls() {
    $('#sub-calls').replaceChildren(...(calls.length ? calls.map((c) => el('li', {},
      el('strong', { textContent: c.title }),
      el('div', { className: 'meta', textContent: `${c.kinds.map((k) => t('sub_kind.' + k)).join(' · ')} · ${when(c.opens_at)} – ${when(c.closes_at)}` }),
      member ? el('button', { type: 'button', textContent: t('sub_open_form'), onclick: () => openForm(c) }) : ''))
      : [el('li', { className: 'empty', textContent: t('sub_no_calls') })]));
  }

  function openForm(c) {
    call = c;
    showError('');
    $('#sub-form').hidden = false;
    $('#sub-call-title').textContent = c.title;
    $('#sub-call-desc').textContent = c.description;
    $('#sub-call-rules').textContent = tf('sub_rules', { mb: Math.floor(c.max_bytes / 1048576), s: c.max_seconds })
      + (c.real_name_only ? ` ${t('sub_real_name')}` : '');
    $('#sub-kind').replaceChildren(...c.kinds.map((k) => el('option', { value: k, textContent: t('sub_kind.' + k) })));
    $('#sub-fields').replaceChildren(...c.fields.map((f) => el('label', {},
      el('span', { textContent: f.label + (f.required ? ' *' : '') }),
      el('input', { name: `field-${f.name}`, maxLength: f.max, required: f.required, dataset: { field: f.name } }))));
    kindChanged();
    $('#sub-form').scrollIntoView();
  }

  function kindChanged() {
    const kind = $('#sub-kind').value;
    $('#sub-body-box').hidden = kind !== 'text';
    $('#sub-file-box').hidden = kind === 'text';
    $('#sub-file').accept = accept[kind] || '';
  }

  // A picture for the text: stored by the server (POST /submissions/images), then `![](url)`
  // put where the cursor is, on lines of its own so it is a paragraph of its own.
  async function addPicture(input) {
    const file = input.files[0];
    if (!file) return;
    showError('');
    $('#sub-status').textContent = t('sub_picture_busy');
    try {
      const r = await api('/submissions/images', { auth: true, method: 'POST', body: file, contentType: file.type || 'application/octet-stream' });
      const ta = $('#sub-body');
      const at = ta.selectionStart ?? ta.value.length;
      const before = ta.value.slice(0, at), after = ta.value.slice(at);
      const md = `${before && !before.endsWith('\n') ? '\n' : ''}![](${r.url})\n`;
      ta.value = before + md + after;
      ta.selectionStart = ta.selectionEnd = at + md.length;
      ta.focus();
      $('#sub-status').textContent = '';
      if (!$('#sub-preview').hidden) await preview();
    } catch (e) {
      $('#sub-status').textContent = '';
      showError(e instanceof ApiError && e.status === 413 ? t('sub_err.image_too_large') : refusal(e));
    }
    input.value = '';
  }

  // The server's rendering of the text (the articles' safe cmark pass), parsed, never run.
  async function preview() {
    const r = await api('/submissions/preview', { auth: true, method: 'POST', body: { body: $('#sub-body').value } });
    const tpl = document.createElement('template');
    tpl.innerHTML = r.html;
    $('#sub-preview').replaceChildren(tpl.content);
    $('#sub-preview').hidden = false;
  }

  // Sends FILE as submission ID's file; resolves when the last byte is taken.
  function upload(id, file) {
    return new Promise((resolve, reject) => {
      const bar = $('#sub-progress');
      bar.hidden = false;
      bar.value = 0;
      const up = new window.tus.Upload(file, {
        endpoint: '/api/v1/tus',
        chunkSize: CHUNK,
        retryDelays: [0, 1000, 3000, 5000, 10000],
        metadata: { submission: id, filename: file.name, filetype: file.type },
        headers: { 'X-CSRF-Token': csrfToken() },
        // One stored address per submission and file: a reload resumes the same upload.
        fingerprint: (f) => Promise.resolve(`lectern-sub:${id}:${f.name}:${f.size}:${f.lastModified}`),
        removeFingerprintOnSuccess: true,
        onProgress: (sent, total) => {
          bar.value = total ? sent / total : 0;
          $('#sub-status').textContent = tf('sub_uploading', { pct: Math.floor(100 * sent / total) });
        },
        onSuccess: () => resolve(),
        onError: (e) => {
          const r = e.originalResponse;
          let msg = e.message;
          try {
            const body = r && JSON.parse(r.getBody());
            if (body && body.error) msg = refusal(new ApiError(body.error.message, r.getStatus(), body.error.code));
          } catch (x) { /* not our JSON */ }
          reject(new Error(msg));
        },
      });
      up.findPreviousUploads().then((previous) => {
        if (previous.length) up.resumeFromPreviousUpload(previous[0]);
        up.start();
      });
    });
  }

  async function send(ev) {
    ev.preventDefault();
    if (busy || !call) return;
    showError('');
    const kind = $('#sub-kind').value;
    const file = $('#sub-file').files[0];
    if (kind !== 'text' && !file) { showError(t('sub_need_file')); return; }
    if (file && file.size > call.max_bytes) { showError(t('sub_err.payload_too_large')); return; }
    const fields = {};
    for (const input of $('#sub-fields').querySelectorAll('input')) if (input.value) fields[input.dataset.field] = input.value;
    const body = { call_id: call.id, kind, title: $('#sub-item-title').value, fields };
    if (kind === 'text') body.body = $('#sub-body').value;
    busy = true;
    $('#sub-send').disabled = true;
    try {
      const s = await api('/submissions', { auth: true, method: 'POST', body });
      if (file) await upload(s.id, file);
      $('#sub-status').textContent = t('sub_sent');
      $('#sub-form').reset();
      $('#sub-progress').hidden = true;
      $('#sub-preview').hidden = true;
    } catch (e) {
      showError(refusal(e));
    }
    busy = false;
    $('#sub-send').disabled = false;
    await refreshMine();
  }

  // A new file for a submission asked for changes, or whose file failed or never arrived.
  function resend(s) {
    const input = el('input', { type: 'file', accept: accept[s.kind] || '' });
    input.addEventListener('change', async () => {
      if (!input.files[0]) return;
      try {
        await upload(s.id, input.files[0]);
        notice(t('sub_sent'));
      } catch (e) {
        notice(refusal(e), true);
      }
      await refreshMine();
    });
    input.click();
  }

  async function editText(s) {
    const text = window.prompt(t('sub_body'), s.body || '');
    if (text === null) return;
    try {
      await api(`/submissions/${encodeURIComponent(s.id)}`, { auth: true, method: 'PATCH', body: { body: text } });
      notice(t('sub_sent'));
    } catch (e) {
      notice(refusal(e), true);
    }
    await refreshMine();
  }

  function renderMine() {
    $('#sub-mine-box').hidden = !member;
    $('#sub-mine').replaceChildren(...(mine.length ? mine.map((s) => {
      const again = ['received', 'changes_requested', 'failed'].includes(s.state);
      return el('li', { dataset: { id: s.id, state: s.state } },
        el('strong', { textContent: s.title }),
        el('div', { className: 'meta', textContent: `${s.call_title} · ${t('sub_kind.' + s.kind)} · ${when(s.created_at)}` }),
        el('div', { className: 'sub-state', textContent: t('sub_state.' + s.state) }),
        s.reason ? el('div', { className: 'sub-reason', textContent: tf('sub_reason', { reason: s.reason }) }) : '',
        again && s.kind !== 'text' ? el('button', { type: 'button', textContent: t('sub_resend'), onclick: () => resend(s) }) : '',
        again && s.kind === 'text' && s.state === 'changes_requested'
          ? el('button', { type: 'button', textContent: t('sub_edit'), onclick: () => editText(s) }) : '');
    }) : [el('li', { className: 'empty', textContent: t('sub_none') })]));
  }

  async function refreshMine() {
    if (!member) return;
    try {
      mine = (await api('/me/submissions', { auth: true })).submissions;
    } catch (e) {
      notice(e.message, true);
    }
    renderMine();
  }

  function render() {
    $('#sub-signin').hidden = !!member;
    renderCalls();
    renderMine();
  }

  async function load(m) {
    member = m;
    calls = (await api('/calls')).calls;
    if (member) mine = (await api('/me/submissions', { auth: true })).submissions;
  }

  $('#sub-kind').addEventListener('change', kindChanged);
  $('#sub-picture').addEventListener('change', (e) => addPicture(e.target));
  $('#sub-preview-btn').addEventListener('click', () => preview().catch((e) => showError(refusal(e))));
  $('#sub-form').addEventListener('submit', send);
  start({ load, render, title: () => t('sub_title') });
})();
