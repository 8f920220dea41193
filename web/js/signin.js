// Member sign-in: the credential the union issued (lct1.…) exchanged for a browser session
// (POST /api/v1/session): the page never keeps it. A credential link /signin.html#token=lct1.…
// signs in at once (the fragment never reaches a server or a log).
'use strict';
(() => {
  const { signIn, notice, $, start, ApiError } = window.LecternSite;
  const { t } = window.LecternI18n;
  const next = new URLSearchParams(location.search).get('next') || '/me.html';
  const safeNext = next.startsWith('/') && !next.startsWith('//') ? next : '/me.html';

  async function withToken(token) {
    try {
      await signIn({ token });
    } catch (e) {
      notice(e instanceof ApiError && e.status === 401 ? t('bad_token') : e.message, true);
      return;
    }
    notice(t('signin_ok'));
    location.replace(safeNext);
  }

  $('#signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    withToken($('#token').value.trim());
  });

  async function load() {
    const m = /^#token=([A-Za-z0-9._~-]{1,256})$/.exec(location.hash);
    if (m) {
      history.replaceState(null, '', location.pathname + location.search);
      await withToken(m[1]);
    }
  }
  start({ load, title: () => t('signin_title') });
})();
