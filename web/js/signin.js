// Member sign-in: the union's single sign-on when configured (GET /api/v1/oidc), or each way
// exchanged for a browser session (POST /api/v1/session) so the page
// keeps nothing: a sign-in name and password; a one-time link /signin.html#link=lsl1.… an
// admin sent; or the credential the union issued (lct1.…, also as /signin.html#token=…).
// Fragments never reach a server or a log.
'use strict';
(() => {
  const { api, signIn, notice, $, start, ApiError } = window.LecternSite;
  const { t } = window.LecternI18n;
  const next = new URLSearchParams(location.search).get('next') || '/me.html';
  const safeNext = next.startsWith('/') && !next.startsWith('//') ? next : '/me.html';
  // The server's refusals, in the page's language.
  const REFUSALS = { unauthorized: 'bad_token', bad_password: 'bad_password', bad_link: 'bad_link',
    too_many_attempts: 'too_many_attempts' };

  async function withBody(body) {
    try {
      await signIn(body);
    } catch (e) {
      const key = e instanceof ApiError && REFUSALS[e.code];
      notice(key ? t(key) : e.message, true);
      return;
    }
    notice(t('signin_ok'));
    location.replace(safeNext);
  }

  $('#password-form').addEventListener('submit', (e) => {
    e.preventDefault();
    withBody({ login: $('#login').value.trim(), password: $('#password').value });
  });
  $('#signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    withBody({ token: $('#token').value.trim() });
  });

  // The union's single sign-on, when the server has a provider: a plain link (the provider's
  // pages are a full navigation away), leading back to where the member was going.
  async function offerSso() {
    try {
      const info = await api('/oidc');
      if (!info.enabled) return;
      $('#oidc-signin').href = `${info.start}?return_to=${encodeURIComponent(safeNext)}`;
      $('#oidc-section').hidden = false;
    } catch (e) { /* no single sign-on: the forms below stay */ }
  }

  async function load() {
    await offerSso();
    const m = /^#(token|link)=([A-Za-z0-9._~-]{1,256})$/.exec(location.hash);
    if (m) {
      history.replaceState(null, '', location.pathname + location.search);
      await withBody({ [m[1]]: m[2] });
    }
  }
  start({ load, title: () => t('signin_title') });
})();
