// Scripted members in a live's chat over real /ws (Node 20: run with --experimental-websocket):
// honest chatters, a spammer (rate-limited, then muted), a banned member, an unverified one, a
// guest trying to post, a moderator deleting a message that then vanishes for everyone, likes,
// and bad input (oversize, malformed, unknown type, too long, HTML as text). Prints TAP lines
// and "N passed, N failed" (tests/integration/test_chat.sh relays them).
// Usage: node --experimental-websocket chat_members.mjs PORT LIVE TOKENS_JSON
// TOKENS_JSON: {a, b, spammer, banned, unverified, editor: tokens}
const [port, live, tokensJson] = process.argv.slice(2);
const tokens = JSON.parse(tokensJson);
const base = `http://127.0.0.1:${port}`;
let n = 0, failed = 0;
const ok = (what) => console.log(`ok ${++n} - ${what}`);
const notOk = (what, why) => { failed++; console.log(`not ok ${++n} - ${what}\n#   ${String(why).split('\n')[0]}`); };
const check = (what, cond, why = '') => (cond ? ok(what) : notOk(what, why || 'false'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Member {
  constructor(name, token) {
    this.name = name;
    this.token = token;
    this.got = [];       // every message received
    this.frames = 0;     // chat.batch frames received
    this.closed = false;
  }

  open() {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      this.ws.onopen = () => this.send(this.token ? { type: 'hello', token: this.token } : { type: 'hello' });
      this.ws.onmessage = (e) => {
        const m = JSON.parse(e.data);
        this.got.push(m);
        if (m.type === 'chat.batch') this.frames++;
        if (m.type === 'welcome') this.send({ type: 'chat.join', video: live });
        if (m.type === 'chat.joined') { this.joined = m; resolve(this); }
      };
      this.ws.onclose = () => { this.closed = true; };
      this.ws.onerror = (e) => reject(new Error(`${this.name}: ${e.message || 'socket error'}`));
      setTimeout(() => reject(new Error(`${this.name}: no chat.joined`)), 5000);
    });
  }

  send(m) { this.ws.send(typeof m === 'string' ? m : JSON.stringify(m)); }
  say(text) { this.send({ type: 'chat.send', video: live, text }); }
  errors() { return this.got.filter((m) => m.type === 'error').map((m) => m.code); }
  messages() { return this.got.filter((m) => m.type === 'chat.batch').flatMap((m) => m.messages); }
  deleted() { return this.got.filter((m) => m.type === 'chat.batch').flatMap((m) => m.deleted); }
  likes() {
    const b = this.got.filter((m) => m.type === 'chat.batch' && m.likes !== undefined);
    return b.length ? b[b.length - 1].likes : (this.joined ? this.joined.likes : 0);
  }
  close() { try { this.ws.close(); } catch (e) { /* gone */ } }
}

async function apiCall(method, path, body) {
  const r = await fetch(`${base}/api/v1${path}`, {
    method, headers: { Authorization: `Bearer ${tokens.editor}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json().catch(() => ({})) };
}

async function main() {
  const guest = await new Member('guest', null).open();
  const a = await new Member('a', tokens.a).open();
  const b = await new Member('b', tokens.b).open();
  const spammer = await new Member('spammer', tokens.spammer).open();
  const banned = await new Member('banned', tokens.banned).open();
  const unverified = await new Member('unverified', tokens.unverified).open();
  const editor = await new Member('editor', tokens.editor).open();
  const all = [guest, a, b, spammer, banned, unverified, editor];
  check('everyone joined the live chat', all.every((m) => m.joined && m.joined.live));
  check('a guest may not post (chat.joined says why)', guest.joined.can_post === false && guest.joined.why_not === 'sign_in_required');
  check('a verified member may post', a.joined.can_post === true);
  check('the moderator is told so', editor.joined.moderator === true && a.joined.moderator === false);

  // Honest chatters; HTML is text.
  a.say('大家好，老师好！');
  b.say('<script>alert("x")</script><b>bold?</b>');
  editor.say('欢迎来到直播间');
  await sleep(600);
  for (const m of all) {
    const texts = m.messages().map((x) => x.text);
    if (!(texts.includes('大家好，老师好！') && texts.includes('<script>alert("x")</script><b>bold?</b>') && texts.includes('欢迎来到直播间'))) {
      notOk(`${m.name} received the three messages`, JSON.stringify(texts));
    }
  }
  ok('every member (and the guest) received the honest messages, HTML as plain text');
  check('three messages, fewer frames than messages × members (batched)', a.frames <= 2, `frames ${a.frames}`);
  const fromEditor = a.messages().find((x) => x.text === '欢迎来到直播间');
  check('the moderator is marked in the chat', fromEditor && fromEditor.member.moderator === true);
  const aMsg = a.messages().find((x) => x.text === '大家好，老师好！');
  check('messages carry their time on air (the live went on air 600 s ago)', aMsg && aMsg.live_time >= 590 && aMsg.live_time < 900, aMsg && aMsg.live_time);

  // Who may not post.
  guest.say('我是游客');
  unverified.say('未实名');
  banned.say('我被封了吗');
  await sleep(300);
  check('a guest trying to post: sign_in_required', guest.errors().includes('sign_in_required'), guest.errors());
  check('an unverified member: not_verified', unverified.errors().includes('not_verified'), unverified.errors());
  check('a banned member: banned', banned.errors().includes('banned'), banned.errors());

  // The spammer: rate-limited, then muted automatically.
  for (let i = 0; i < 16; i++) spammer.say(`快来买课 ${i}`);
  await sleep(300);
  const limited = spammer.errors().filter((c) => c === 'rate_limited').length;
  check(`the spammer is rate-limited (${limited} refused)`, limited >= 10, spammer.errors());
  await sleep(1200);
  spammer.say('现在呢');
  await sleep(300);
  check('… then muted', spammer.errors().includes('muted'), spammer.errors());
  const spam = a.messages().filter((x) => x.text.startsWith('快来买课')).length;
  check(`only the burst of the spam reached the room (${spam})`, spam <= 3);

  // The sensitive-word list (the editor added 加微信), matched on folded text.
  unverified.got = [];
  await sleep(1100);
  b.say('详情请 加 微，信 了解');
  await sleep(300);
  check('a listed word, spaced and with full-width punctuation: filtered', b.errors().includes('filtered'), b.errors());
  check('… and nobody saw it', !guest.messages().some((x) => x.text.includes('微')));

  // Bad input: errors, and nobody else hears of it.
  const bad = await new Member('bad', tokens.b).open();
  bad.send('{"type":"chat.send",');
  bad.send({ type: 'chat.dance', video: live });
  bad.say('长'.repeat(201));
  bad.send({ type: 'chat.send', video: live, text: '' });
  await sleep(300);
  check('malformed JSON: malformed_json', bad.errors().includes('malformed_json'), bad.errors());
  check('unknown type: unknown_type', bad.errors().includes('unknown_type'), bad.errors());
  check('a message over [chat] max_length: too_long', bad.errors().includes('too_long'), bad.errors());
  check('an empty message: invalid_field', bad.errors().includes('invalid_field'), bad.errors());
  bad.say('x'.repeat(3000));
  await sleep(400);
  check('an oversize frame: too_large, and that connection is closed', bad.errors().includes('too_large') && bad.closed, bad.errors());
  check('the others were not disturbed', !a.closed && !guest.closed && a.errors().length === 0);

  // A moderator deletes a message: it vanishes for everyone.
  const del = await apiCall('DELETE', `/videos/${live}/chat/messages/${aMsg.id}`);
  check('the moderator deletes a message (API)', del.status === 200, JSON.stringify(del));
  await sleep(600);
  const missed = all.filter((m) => m !== bad && !m.deleted().includes(aMsg.id)).map((m) => m.name);
  check('… every screen is told to remove it', missed.length === 0, `not told: ${missed}`);
  const again = await apiCall('DELETE', `/videos/${live}/chat/messages/${aMsg.id}`);
  check('… deleting it again: 404', again.status === 404);
  const late = await new Member('late', tokens.b).open();
  check('… and a newcomer does not see it in the history', !late.joined.messages.some((x) => x.id === aMsg.id)
        && late.joined.messages.some((x) => x.text === '欢迎来到直播间'));

  // Likes: added up, pushed as a count.
  const before = a.likes();
  for (let i = 0; i < 5; i++) a.send({ type: 'chat.like', video: live, count: 10 });
  b.send({ type: 'chat.like', video: live, count: 7 });
  guest.send({ type: 'chat.like', video: live });
  await sleep(600);
  check(`likes are counted for everyone (${before} → ${guest.likes()})`, guest.likes() === before + 57 && editor.likes() === before + 57);
  check('a guest may not like', guest.errors().filter((c) => c === 'sign_in_required').length >= 2);

  // The moderator mutes a member through the API.
  const mute = await apiCall('POST', '/chat/sanctions', { member: b.joined && tokens.b_id, kind: 'mute', minutes: 5, video: live });
  check('the moderator mutes a member for 5 minutes (API)', mute.status === 201, JSON.stringify(mute));
  b.say('我还能说话吗');
  await sleep(300);
  check('… whose next message is refused: muted', b.errors().includes('muted'), b.errors());

  all.concat([late]).forEach((m) => m.close());
  console.log(`${n - failed} passed, ${failed} failed`);
}

main().catch((e) => { notOk('the chat scenario ran', e.stack || e); console.log(`${n - failed} passed, ${failed} failed`); });
