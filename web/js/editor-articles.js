// The console's articles screen: write in Markdown, preview the server's rendering (the same
// cmark pass readers get, never a browser-side renderer), insert pictures, set a cover and a
// publish window, publish or take back, put the article in a column (docs/articles.md).
'use strict';
(() => {
  const { t, tf } = window.LecternI18n;
  const { el, $, api } = window.LecternSite;
  const K = window.LecternConsoleKit;
  const C = window.LecternConsole;
  let articles = [];
  let current = null;   // the article being edited (null: a new one)
  let coverUrl;         // undefined: unchanged; null: none; a URL: the new cover

  const local = (iso) => {
    if (!iso) return '';
    const d = new Date(iso);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  };
  const iso = (v) => (v ? new Date(v).toISOString() : null);

  function render() {
    $('#article-rows').replaceChildren(...(articles.length ? articles.map((a) => el('tr', { dataset: { article: a.id, status: a.status } },
      ...K.cells(a.title, t(a.status === 'published' ? 'ed_article_published' : 'ed_article_draft'),
        el('button', { type: 'button', className: 'link', textContent: t('ed_article_edit'), on: { click: () => K.run($('#article-rows'), () => edit(a.id)) } }))))
      : [K.empty(3)]));
  }

  async function load() {
    articles = (await K.call('GET', '/articles?all=true&per_page=100')).articles;
    render();
    const cols = (await K.call('GET', '/columns?all=true&items=0')).columns || [];
    $('#article-place [name=column]').replaceChildren(...cols.map((c) => el('option', { value: c.slug, textContent: c.title })));
  }

  function fill(a) {
    current = a;
    coverUrl = undefined;
    const f = $('#article-form');
    f.elements.title.value = a ? a.title : '';
    f.elements.summary.value = a ? a.summary : '';
    f.elements.author.value = a ? a.author || '' : '';
    f.elements.body.value = a ? a.body : '';
    f.elements.publish_from.value = a ? local(a.publish_from) : '';
    f.elements.publish_until.value = a ? local(a.publish_until) : '';
    $('#article-publish-btn').hidden = !a;
    $('#article-delete-btn').hidden = !a;
    $('#article-place').hidden = !a;
    if (a) $('#article-publish-btn').textContent = t(a.status === 'published' ? 'ed_article_unpublish' : 'ed_article_publish');
    showPreview(a ? a.html : '', a ? a.read_seconds : null);
  }

  // The server's rendering, safe by construction (cmark, safe mode), parsed, never run.
  function showPreview(html, seconds) {
    const tpl = document.createElement('template');
    tpl.innerHTML = html || '';
    $('#article-preview').replaceChildren(tpl.content);
    $('#article-estimate').textContent = seconds === null ? '' : tf('ed_article_read_seconds', { s: seconds });
  }

  async function edit(id) {
    fill(await K.call('GET', `/articles/${id}`));
  }

  async function save(f) {
    const body = { title: f.elements.title.value, summary: f.elements.summary.value, author: f.elements.author.value.trim(), body: f.elements.body.value,
      publish_from: iso(f.elements.publish_from.value), publish_until: iso(f.elements.publish_until.value) };
    if (coverUrl !== undefined) body.cover_url = coverUrl;
    const a = current ? await K.call('PATCH', `/articles/${current.id}`, body) : await K.call('POST', '/articles', body);
    fill(a);
    K.say(f, t('ed_article_saved'));
    await load();
  }

  async function preview() {
    const r = await K.call('POST', '/articles/preview', { body: $('#article-form').elements.body.value });
    showPreview(r.html, r.read_seconds);
  }

  async function publish() {
    fill(await K.call('POST', `/articles/${current.id}/publish`, { publish: current.status !== 'published' }));
    await load();
  }

  async function remove() {
    if (!window.confirm(t('ed_article_delete_confirm'))) return;
    await K.call('DELETE', `/articles/${current.id}`);
    fill(null);
    await load();
  }

  const upload = (file) => api('/articles/images', { auth: true, method: 'POST', body: file, contentType: file.type });

  async function insertImage(input) {
    const file = input.files[0];
    if (!file) return;
    const r = await upload(file);
    const ta = $('#article-form').elements.body;
    const at = ta.selectionStart ?? ta.value.length;
    ta.value = `${ta.value.slice(0, at)}\n![](${r.url})\n${ta.value.slice(at)}`;
    input.value = '';
  }

  async function setCover(input) {
    const file = input.files[0];
    if (!file) return;
    coverUrl = (await upload(file)).url;
  }

  async function place(f) {
    await K.call('PUT', `/columns/${encodeURIComponent(f.elements.column.value)}/articles/${current.id}`, { position: Number(f.elements.position.value) });
    K.say(f, t('ed_article_saved'));
  }

  C.loaders.articles = load;
  document.addEventListener('DOMContentLoaded', () => {
    const f = $('#article-form');
    K.onSubmit(f, save);
    K.onSubmit($('#article-place'), place);
    $('#article-new').addEventListener('click', () => fill(null));
    $('#article-preview-btn').addEventListener('click', () => K.run(f, preview));
    $('#article-publish-btn').addEventListener('click', () => K.run(f, publish));
    $('#article-delete-btn').addEventListener('click', () => K.run(f, remove));
    $('#article-image').addEventListener('change', (e) => K.run(f, () => insertImage(e.target)));
    $('#article-cover').addEventListener('change', (e) => K.run(f, () => setCover(e.target)));
    K.onLanguage(() => { if (!$('#tab-articles').hidden) render(); });
  });
})();
