// The console's calls and review queue (issue 21.1-3, docs/submissions.md): create and edit
// calls for submissions; a queue filtered by call, kind and state; a preview (the draft video's
// player link, the PDF's first page, the text as text); accept (a video into a chosen column),
// reject or ask for changes with a reason the member reads. The server refuses any move the
// state does not allow; its refusal shows beside the buttons.
'use strict';
(() => {
  const { t, tf } = window.LecternI18n;
  const { el, $ } = window.LecternSite;
  const K = window.LecternConsoleKit;
  const C = window.LecternConsole;
  let calls = [];
  let editing = null;
  let queue = [];
  let current = null;

  const local = (iso) => {
    const d = new Date(iso);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
  };
  const iso = (value) => new Date(value).toISOString();

  function renderCalls() {
    $('#call-list').replaceChildren(...(calls.length ? calls.map((c) => el('li', { className: 'row', dataset: { call: c.id } },
      el('span', { className: 'grow', textContent: `#${c.id} ${c.title} · ${c.kinds.map((k) => t('sub_kind.' + k)).join('/')} · ${K.when(c.opens_at)} – ${K.when(c.closes_at)}` }),
      el('button', { type: 'button', className: 'link', textContent: t('c_edit'), dataset: { action: 'edit' },
        on: { click: () => edit(c) } })))
      : [el('li', { className: 'empty', textContent: t('none') })]));
    const sel = $('#rev-filter').call;
    const was = sel.value;
    sel.replaceChildren(el('option', { value: '', textContent: t('rev_any') }),
      ...calls.map((c) => el('option', { value: String(c.id), textContent: `#${c.id} ${c.title}` })));
    sel.value = was;
  }

  async function loadCalls() {
    calls = (await K.call('GET', '/calls?all=true')).calls;
    renderCalls();
  }

  function edit(c) {
    editing = c;
    const f = $('#call-form');
    const x = c || { title: '', description: '', kinds: ['video'], opens_at: new Date().toISOString(),
      closes_at: new Date(Date.now() + 30 * 86400e3).toISOString(), real_name_only: true, fields: [],
      max_bytes: 500 * 1048576, max_seconds: 600 };
    f.title.value = x.title;
    f.description.value = x.description;
    for (const k of ['video', 'text', 'pdf']) f[`kind_${k}`].checked = x.kinds.includes(k);
    f.opens_at.value = local(x.opens_at);
    f.closes_at.value = local(x.closes_at);
    f.real_name_only.checked = x.real_name_only;
    f.max_mb.value = Math.max(1, Math.round(x.max_bytes / 1048576));
    f.max_seconds.value = x.max_seconds;
    f.fields.value = x.fields.map((d) => `${d.name}=${d.label}${d.required ? ' *' : ''}`).join('\n');
    $('#call-heading').textContent = c ? `${t('c_edit')}：${c.title} (#${c.id})` : t('call_new');
    K.say(f, '');
    f.hidden = false;
    f.title.focus();
  }

  // "name=label *" lines into the call's field list.
  const parseFields = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const required = /\*\s*$/.test(l);
    const [name, ...rest] = l.replace(/\*\s*$/, '').split('=');
    return { name: name.trim(), label: (rest.join('=') || name).trim(), required };
  });

  async function saveCall(f) {
    const body = { title: f.title.value.trim(), description: f.description.value,
      kinds: ['video', 'text', 'pdf'].filter((k) => f[`kind_${k}`].checked),
      opens_at: iso(f.opens_at.value), closes_at: iso(f.closes_at.value), real_name_only: f.real_name_only.checked,
      fields: parseFields(f.fields.value), max_bytes: Number(f.max_mb.value) * 1048576, max_seconds: Number(f.max_seconds.value) };
    await K.call(editing ? 'PATCH' : 'POST', editing ? `/calls/${editing.id}` : '/calls', body);
    K.say(f, t('call_saved'));
    editing = null;
    await loadCalls();
  }

  function renderQueue() {
    $('#rev-list').replaceChildren(...(queue.length ? queue.map((s) => el('li', { className: 'row', dataset: { submission: s.id, state: s.state } },
      el('span', { className: 'grow', textContent: `${s.title} · ${t('sub_kind.' + s.kind)} · ${t('sub_state.' + s.state)} · ${tf('rev_author', { name: s.author || s.member_id })} · ${K.when(s.created_at)}` }),
      el('button', { type: 'button', className: 'link', textContent: t('rev_open'),
        dataset: { action: 'open' }, on: { click: () => K.run($('#rev-filter'), () => show(s.id)) } })))
      : [el('li', { className: 'empty', textContent: t('rev_none') })]));
  }

  async function loadQueue() {
    const f = $('#rev-filter');
    const q = new URLSearchParams();
    for (const k of ['call', 'kind', 'state']) if (f[k].value) q.set(k, f[k].value);
    queue = (await K.call('GET', `/submissions?${q}`)).submissions;
    renderQueue();
  }

  async function load() {
    await loadCalls();
    await loadQueue();
    const cols = (await K.call('GET', '/columns?all=true')).columns || [];
    $('#rev-form').column.replaceChildren(el('option', { value: '', textContent: '—' }),
      ...cols.map((c) => el('option', { value: c.slug, textContent: c.title })));
  }

  async function show(id) {
    current = await K.call('GET', `/submissions/${encodeURIComponent(id)}`);
    const s = current;
    $('#rev-detail').hidden = false;
    $('#rev-title').textContent = s.title;
    $('#rev-meta').textContent = `${s.call_title} · ${t('sub_kind.' + s.kind)} · ${t('sub_state.' + s.state)} · ${tf('rev_author', { name: s.author || s.member_id })}`
      + (s.reason ? ` · ${tf('sub_reason', { reason: s.reason })}` : '');
    $('#rev-fields').replaceChildren(...Object.entries(s.fields || {}).flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: v })]));
    const pv = [];
    if (s.kind === 'video' && s.video_id) pv.push(el('a', { href: `/watch.html?v=${encodeURIComponent(s.video_id)}`, target: '_blank', textContent: `▶ ${s.video_id} (${s.video_state || ''})` }));
    if (s.kind === 'pdf' && s.preview_url) pv.push(el('img', { src: s.preview_url, alt: s.title, className: 'rev-preview' }));
    if (s.kind === 'text') {
      // As the article will show it: the articles' safe renderer on the server (pictures shown),
      // parsed into a template, never run; the Markdown source beside it.
      const r = await K.call('POST', '/articles/preview', { body: s.body || '' });
      const tpl = document.createElement('template');
      tpl.innerHTML = r.html;
      pv.push(el('div', { className: 'rev-text article-body' }, tpl.content));
      pv.push(el('details', {}, el('summary', { textContent: 'Markdown' }), el('pre', { className: 'rev-text', textContent: s.body || '' })));
    }
    $('#rev-preview').replaceChildren(...pv);
    $('#rev-events').replaceChildren(...(s.events || []).map((e) => el('li', {
      textContent: `${K.when(e.at)} ${e.from ? t('sub_state.' + e.from) : '·'} → ${t('sub_state.' + e.to)}${e.reason ? ` (${e.reason})` : ''}` })));
    K.say($('#rev-form'), '');
  }

  async function review(action) {
    const f = $('#rev-form');
    const body = { action };
    if (f.reason.value.trim()) body.reason = f.reason.value.trim();
    if (action === 'accept' && current.kind !== 'pdf' && f.column.value) body.column = f.column.value;
    await K.call('POST', `/submissions/${encodeURIComponent(current.id)}/review`, body);
    f.reason.value = '';
    await show(current.id);
    await loadQueue();
    K.say(f, t('call_saved'));
  }

  C.loaders.calls = loadCalls;
  C.loaders.submissions = load;
  document.addEventListener('DOMContentLoaded', () => {
    $('#call-new').addEventListener('click', () => edit(null));
    K.onSubmit($('#call-form'), saveCall);
    $('#rev-filter').addEventListener('change', () => K.run($('#rev-filter'), loadQueue));
    for (const b of $('#rev-form').querySelectorAll('button[data-action]')) {
      b.addEventListener('click', () => K.run(b, () => review(b.dataset.action)));
    }
    K.onLanguage(() => { if (!$('#tab-calls').hidden) renderCalls(); if (!$('#tab-submissions').hidden) renderQueue(); });
  });
})();
