// What every viewer page shares: who is signed in (the browser session), API calls, the header, cards.
// Every text from the server goes into the page with textContent, never as HTML.
'use strict';
window.LecternSite = (() => {
  const { t, apply, toggle } = window.LecternI18n;
  const TOKEN_KEY = 'lectern.member';
  const $ = (sel, root = document) => root.querySelector(sel);

  // ---- who is signed in: the browser session -------------------------------------------
  // Signing in (a credential, later a password or a link) gives this browser a session cookie
  // the page cannot read (HttpOnly) and a readable companion saying one is held; changes made
  // with the cookie carry the session's CSRF token, which GET/POST /api/v1/session tell. A
  // credential kept here by an older version is exchanged for a session once, then forgotten.

  const LEGACY_TOKEN_KEY = 'lectern.member';
  let csrf = '';
  const hasSession = () => /(?:^|;\s*)lectern_signed_in=1(?:;|$)/.test(document.cookie);

  class ApiError extends Error {
    constructor(message, status, code) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // GET/POST the API; resolves with the parsed JSON, rejects with ApiError(server's message).
  // Guests' reads go without cookies so that shared caches may keep them; AUTH sends the
  // session (and its CSRF token with a change). BEARER is a credential instead of the session
  // (scripts' way; the console's when it was given one).
  // BODY goes as JSON, or as it is (a file's text) when CONTENT_TYPE names another type.
  async function api(path, { auth = false, bearer = '', method = 'GET', body, contentType } = {}) {
    const headers = { Accept: 'application/json' };
    const init = { method, headers, credentials: auth && !bearer ? 'same-origin' : 'omit' };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    else if (auth && method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
    if (auth || bearer) init.cache = 'no-store';
    if (body !== undefined) {
      headers['Content-Type'] = contentType || 'application/json';
      init.body = contentType ? body : JSON.stringify(body);
    }
    const r = await fetch(`/api/v1${path}`, init);
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      const e = data.error || {};
      throw new ApiError(e.message || `HTTP ${r.status}`, r.status, e.code);
    }
    return data;
  }

  // The session ({member, csrf_token, expires_at, …}) or null; asked once per page.
  let sessionPromise = null;
  function session() {
    if (!sessionPromise) {
      sessionPromise = (async () => {
        const legacy = localStorage.getItem(LEGACY_TOKEN_KEY);
        if (legacy) {
          localStorage.removeItem(LEGACY_TOKEN_KEY);
          try { return await signIn({ token: legacy }); } catch (e) { /* no longer valid */ }
        }
        if (!hasSession()) return null;
        try {
          const s = await api('/session', { auth: true });
          csrf = s.csrf_token;
          return s;
        } catch (e) {
          return null;  // ended: the server has removed the cookies
        }
      })();
    }
    return sessionPromise;
  }

  // Signs this browser in with BODY ({token} for now); resolves with the session or rejects
  // with ApiError.
  async function signIn(body) {
    const s = await api('/session', { auth: true, method: 'POST', body });
    csrf = s.csrf_token;
    sessionPromise = Promise.resolve(s);
    return s;
  }

  // Ends the session; resolves to the provider's logout URL when the member came through the
  // union's single sign-on and the provider offers one (the caller goes there), else null.
  async function signOut() {
    let out = null;
    try {
      await session();
      out = (await api('/session', { auth: true, method: 'DELETE' })).logout_url || null;
    } catch (e) { /* already ended */ }
    csrf = '';
    sessionPromise = null;
    return out;
  }

  // The signed-in member, or null for a guest.
  const me = () => session().then((s) => (s ? s.member : null));

  // ---- building the page -----------------------------------------------------------------

  function el(tag, props = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k === 'on') Object.entries(v).forEach(([ev, f]) => e.addEventListener(ev, f));
      else if (k === 'attrs') Object.entries(v).forEach(([a, val]) => e.setAttribute(a, val));
      else e[k] = v;
    }
    children.forEach((c) => { if (c !== null && c !== undefined) e.append(c); });
    return e;
  }

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds || 0));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, '0');
    return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
  }

  function when(iso) {
    if (!iso) return '';
    const lang = window.LecternI18n.lang === 'en' ? 'en-GB' : 'zh-CN';
    return new Date(iso).toLocaleString(lang, {
      month: 'short', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit',
    });
  }

  const videoUrl = (id) => `/watch.html?v=${encodeURIComponent(id)}`;
  const columnUrl = (slug) => `/column.html?c=${encodeURIComponent(slug)}`;

  // Lessons watched to the end in this browser (the watch page marks them; cards show it).
  const DONE_KEY = 'lectern.done';
  const doneIds = () => { try { return JSON.parse(localStorage.getItem(DONE_KEY)) || []; } catch (e) { return []; } };
  const isDone = (id) => doneIds().includes(id);
  function markDone(id) {
    if (isDone(id)) return;
    localStorage.setItem(DONE_KEY, JSON.stringify(doneIds().concat(id).slice(-500)));
  }
  // A recording of a live (回放), as opposed to a lesson imported from a file.
  const isRecording = (v) => v.source === 'live' && v.state === 'ready';

  // A lesson's card: poster, title, presenter, duration or state; 回放 on recordings of
  // lives, 已看完 on lessons watched to the end here.
  function card(v) {
    const badge = v.state === 'live'
      ? el('span', { className: 'badge live', textContent: t('live') })
      : v.state === 'scheduled'
        ? el('span', { className: 'badge soon', textContent: when(v.scheduled_start) })
        : v.duration ? el('span', { className: 'badge', textContent: clock(v.duration) }) : null;
    const poster = v.poster_url
      ? el('img', { src: v.poster_url, alt: '', loading: 'lazy', width: 320, height: 180 })
      : el('div', { className: 'noposter', textContent: t('kind.' + v.presenter_kind) });
    const replay = isRecording(v) ? el('span', { className: 'badge replay', textContent: t('recording') }) : null;
    const done = isDone(v.id) ? el('span', { className: 'badge done', textContent: '✓ ' + t('completed') }) : null;
    return el('li', { className: 'card' },
      el('a', { href: videoUrl(v.id) },
        el('div', { className: 'thumb' }, poster, replay, done, badge),
        el('h3', { textContent: v.title }),
        el('p', { className: 'meta', textContent: [v.presenter, v.category].filter(Boolean).join(' · ') })));
  }

  // Articles as links to /article.html (issue 20): title, summary; LIST's box shown when any.
  function articleList(list, articles) {
    list.replaceChildren(...articles.map((a) => el('li', {},
      el('a', { href: `/article.html?id=${a.id}`, textContent: a.title }),
      a.summary ? el('p', { className: 'meta', textContent: a.summary }) : null)));
    const box = list.closest('section');
    if (box) box.hidden = articles.length === 0;
  }

  function cards(list, videos, emptyKey) {
    list.replaceChildren(...(videos.length ? videos.map(card)
      : [el('li', { className: 'empty', textContent: t(emptyKey) })]));
  }

  function notice(text, isError = false) {
    const n = $('#notice');
    if (!n) return;
    n.textContent = text;
    n.classList.toggle('error', isError);
    n.hidden = !text;
  }

  // The header and footer every page shares (built here, so they are written once).
  function frame() {
    const header = $('#site-header');
    header.replaceChildren(
      el('a', { className: 'brand', href: '/' },
        el('img', { src: '/favicon.svg', alt: '', width: 28, height: 28 }),
        el('span', { dataset: { i18n: 'site_name' } })),
      el('form', { id: 'site-search', action: '/search.html', attrs: { role: 'search' } },
        el('input', { name: 'q', type: 'search', maxLength: 200, dataset: { i18nPlaceholder: 'search_hint' },
          attrs: { 'aria-label': '搜索 Search' } }),
        el('button', { type: 'submit', dataset: { i18n: 'nav_search' } })),
      el('nav', {},
        el('a', { href: '/', dataset: { i18n: 'nav_home' } }),
        el('a', { href: '/me.html', dataset: { i18n: 'nav_me' } })),
      el('span', { id: 'who', className: 'who' }),
      el('button', { id: 'lang', type: 'button', className: 'link', dataset: { i18n: 'other_lang' } }));
    // Viewers' footer: what the site is (the server's status is the editor console's).
    $('#site-footer').replaceChildren(el('span', { dataset: { i18n: 'footer_note' } }));
    return header;
  }

  // The header: navigation, search box, who is signed in (and their balance), language.
  // PAGE.render() is called again when the language changes.
  async function start(page) {
    const header = frame();
    const rerender = () => {
      apply();
      document.title = `${page.title ? page.title() + ' · ' : ''}${t('site_name')}`;
      if (page.render) page.render();
    };
    $('#lang').addEventListener('click', () => { toggle(); rerender(); });
    const q = new URLSearchParams(location.search).get('q');
    if (q && $('#site-search input')) $('#site-search input').value = q;
    apply();
    const member = await me();
    const who = $('#who', header);
    if (member) {
      who.replaceChildren(el('a', { href: '/me.html', textContent: member.display_name }),
        el('span', { id: 'who-points', className: 'pill', hidden: true }),
        el('button', { className: 'link', type: 'button', dataset: { i18n: 'logout' }, textContent: t('logout'),
          on: { click: async () => {
            const out = await signOut();
            if (out) location.assign(out); else location.reload();
          } } }));
    } else {
      who.replaceChildren(el('a', { href: `/signin.html?next=${encodeURIComponent(location.pathname + location.search)}`,
        dataset: { i18n: 'nav_signin' }, textContent: t('nav_signin') }));
    }
    try {
      await page.load(member);
    } catch (e) {
      notice(e.message, true);
    }
    rerender();
  }

  // The balance beside the member's name; WHO-points is updated by the watch-time client too.
  function showBalance(balance) {
    const p = $('#who-points');
    if (!p || balance === null || balance === undefined) return;
    p.textContent = `${balance} ${t('points_balance')}`;
    p.hidden = false;
  }

  return { api, ApiError, me, session, signIn, signOut, hasSession, csrfToken: () => csrf, el, clock, when, card, cards, articleList, notice, start,
    showBalance, videoUrl, columnUrl, $, isDone, markDone, isRecording };
})();
