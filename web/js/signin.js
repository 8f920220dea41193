// Member sign-in: the credential the union issued (lct1.…), checked with GET /api/v1/me and
// kept in this browser. A credential link /signin.html#token=lct1.… signs in at once (the
// fragment never reaches a server or a log).
'use strict';
(() => {
  const { api, setToken, notice, $, start, ApiError } = window.LecternSite;
  const { t } = window.LecternI18n;
  const next = new URLSearchParams(location.search).get('next') || '/me.html';
  const safeNext = next.startsWith('/') && !next.startsWith('//') ? next : '/me.html';

  async function signIn(token) {
    setToken(token);
    try {
      await api('/me', { auth: true });
    } catch (e) {
      setToken('');
      notice(e instanceof ApiError && e.status === 401 ? t('bad_token') : e.message, true);
      return;
    }
    notice(t('signin_ok'));
    location.replace(safeNext);
  }

  $('#signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    signIn($('#token').value.trim());
  });

  async function load() {
    const m = /^#token=([A-Za-z0-9._~-]{1,256})$/.exec(location.hash);
    if (m) {
      history.replaceState(null, '', location.pathname + location.search);
      await signIn(m[1]);
    }
  }
  start({ load, title: () => t('signin_title') });
})();
