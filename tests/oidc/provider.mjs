// A real OpenID provider on loopback for lectern's single sign-on test (issue 17): npm's
// oidc-provider (pinned in this folder's package-lock.json) with its own login and consent
// pages (devInteractions: any name and password signs in as the account of that name).
// lectern is registered as a confidential client; accounts and their claims come from
// ACCOUNTS (JSON: {"<login>": {"name", "member_number", "unit"}}), unknown logins get a name
// only. Env: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_URI, ACCOUNTS.
// Prints "ready <issuer>" once listening.
import Provider from 'oidc-provider';

const { PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_URI } = process.env;
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');
const issuer = `http://127.0.0.1:${PORT}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    post_logout_redirect_uris: [POST_LOGOUT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { methods: ['S256'], required: () => true },
  claims: { openid: ['sub'], profile: ['name', 'member_number', 'unit'] },
  async findAccount(ctx, sub) {
    const a = accounts[sub] || { name: sub };
    return { accountId: sub, async claims() { return { sub, ...a }; } };
  },
  cookies: { keys: ['lectern-test-only-cookie-key'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
});
provider.proxy = false;
// Quiet: the test's log is the TAP output; errors still show.
provider.on('server_error', (ctx, err) => console.error('provider server_error', err));
provider.listen(Number(PORT), '127.0.0.1', () => console.log(`ready ${issuer}`));
