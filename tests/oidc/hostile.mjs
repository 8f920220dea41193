// A provider that misbehaves on purpose, for the refusals oidc-provider cannot be made to
// produce (issue 17): it answers discovery, keys and the token endpoint itself (node's crypto
// only) and signs ID tokens wrongly in the way the authorization request's extra `mode`
// parameter asks:
//   good        a correct token (key "a")
//   otherkey    signed by another key under kid "a" (a forged signature)
//   unknownkid  signed by a key the set never holds (kid "x")
//   rotated     signed by key "c", published only after POST /rotate (key rotation)
//   expired     exp an hour ago
//   audience    issued to another client
//   nonce       with another nonce
//   error       the authorization answers error=access_denied
// Codes are single use (a second redemption gets invalid_grant) and PKCE S256 is checked.
// GET /stats gives {"jwks_fetches": n}. Env: PORT, CLIENT_ID. Prints "ready <issuer>".
import http from 'node:http';
import crypto from 'node:crypto';

const { PORT, CLIENT_ID } = process.env;
const issuer = `http://127.0.0.1:${PORT}`;
const rsa = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const keys = { a: rsa(), other: rsa(), x: rsa(), c: rsa() };
let published = ['a'];
let jwksFetches = 0;
const codes = new Map(); // code -> {mode, nonce, challenge, redirect}

const b64u = (b) => Buffer.from(b).toString('base64url');
const jwk = (kid) => ({ ...keys[kid].publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' });
function sign(claims, key, kid) {
  const head = b64u(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64u(JSON.stringify(claims));
  const sig = crypto.sign('sha256', Buffer.from(`${head}.${body}`), key.privateKey);
  return `${head}.${body}.${b64u(sig)}`;
}
function send(res, status, obj, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(obj));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname === '/.well-known/openid-configuration') {
    return send(res, 200, {
      issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  }
  if (url.pathname === '/jwks') {
    jwksFetches++;
    return send(res, 200, { keys: published.map(jwk) });
  }
  if (url.pathname === '/stats') return send(res, 200, { jwks_fetches: jwksFetches });
  if (url.pathname === '/rotate' && req.method === 'POST') {
    published = ['a', 'c'];
    return send(res, 200, { keys: published });
  }
  if (url.pathname === '/auth') {
    const q = url.searchParams;
    const back = new URL(q.get('redirect_uri'));
    back.searchParams.set('state', q.get('state'));
    if (q.get('mode') === 'error') {
      back.searchParams.set('error', 'access_denied');
    } else {
      const code = crypto.randomBytes(16).toString('base64url');
      codes.set(code, { mode: q.get('mode') || 'good', nonce: q.get('nonce'), challenge: q.get('code_challenge'),
                        method: q.get('code_challenge_method'), sub: q.get('sub') || 'hostile-user' });
      back.searchParams.set('code', code);
    }
    res.writeHead(302, { location: back.toString() });
    return res.end();
  }
  if (url.pathname === '/token' && req.method === 'POST') {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const f = new URLSearchParams(body);
      const c = codes.get(f.get('code'));
      codes.delete(f.get('code'));
      if (!c) return send(res, 400, { error: 'invalid_grant' });
      const verifier = f.get('code_verifier') || '';
      const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
      if (c.method !== 'S256' || challenge !== c.challenge) return send(res, 400, { error: 'invalid_grant' });
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: issuer, sub: c.sub, aud: CLIENT_ID, iat: now, exp: now + 300, nonce: c.nonce,
                       name: '敌对测试', member_number: 'H-1' };
      let key = keys.a, kid = 'a';
      if (c.mode === 'otherkey') key = keys.other;
      if (c.mode === 'unknownkid') { key = keys.x; kid = 'x'; }
      if (c.mode === 'rotated') { key = keys.c; kid = 'c'; }
      if (c.mode === 'expired') { claims.iat = now - 7200; claims.exp = now - 3600; }
      if (c.mode === 'audience') claims.aud = 'someone-else';
      if (c.mode === 'nonce') claims.nonce = 'not-the-nonce';
      return send(res, 200, { access_token: 'at', token_type: 'Bearer', id_token: sign(claims, key, kid) });
    });
    return undefined;
  }
  return send(res, 404, { error: 'not_found' });
});
server.listen(Number(PORT), '127.0.0.1', () => console.log(`ready ${issuer}`));
