// Scripted members on a live's questions over real /ws (Node 20: --experimental-websocket),
// and the presenter over HTTP with the live's presenter link: members ask, upvote (once each,
// never their own), a guest and a banned member are refused, pre-moderation holds a question
// until the presenter approves it, the presenter answers live (pinned) and in text and
// dismisses one; every viewer's list follows in order of votes. The presenter's own account
// is marked in the chat. Prints TAP lines and "N passed, N failed" (test_qa.sh relays them).
// Usage: node --experimental-websocket qa_members.mjs PORT LIVE TOKENS_JSON
// TOKENS_JSON: {a, b, banned, presenter, presenter_id, editor, key}
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
    this.got = [];
    this.questions = new Map(); // what this screen shows, by id
  }

  open() {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      this.ws.onopen = () => this.send(this.token ? { type: 'hello', token: this.token } : { type: 'hello' });
      this.ws.onmessage = (e) => {
        const m = JSON.parse(e.data);
        this.got.push(m);
        if (m.type === 'welcome') { this.send({ type: 'qa.join', video: live }); this.send({ type: 'chat.join', video: live }); }
        if (m.type === 'qa.joined') { this.joined = m; for (const q of m.questions) this.questions.set(q.id, q); resolve(this); }
        if (m.type === 'qa.batch') {
          for (const q of m.questions) { if (q.state === 'dismissed') this.questions.delete(q.id); else this.questions.set(q.id, q); }
          for (const id of m.removed) this.questions.delete(id);
        }
      };
      this.ws.onerror = (e) => reject(new Error(`${this.name}: ${e.message || 'socket error'}`));
      setTimeout(() => reject(new Error(`${this.name}: no qa.joined`)), 5000);
    });
  }

  send(m) { this.ws.send(JSON.stringify(m)); }
  ask(text) { this.send({ type: 'qa.ask', video: live, text }); }
  vote(id) { this.send({ type: 'qa.vote', video: live, question: id }); }
  errors() { return this.got.filter((m) => m.type === 'error').map((m) => m.code); }
  byText(text) { return [...this.questions.values()].find((q) => q.text === text); }
  // The list as the page sorts it: pinned, to answer, most votes, oldest.
  listed() {
    const toAnswer = (q) => q.state === 'pending' || q.state === 'open';
    return [...this.questions.values()].sort((x, y) => (x.pinned !== y.pinned ? (x.pinned ? -1 : 1)
      : toAnswer(x) !== toAnswer(y) ? (toAnswer(x) ? -1 : 1) : y.votes - x.votes || x.id - y.id)).map((q) => q.text);
  }
  close() { try { this.ws.close(); } catch (e) { /* gone */ } }
}

async function until(what, cond, ms = 3000) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) { if (cond()) return true; await sleep(50); }
  notOk(what, 'timed out');
  return false;
}

async function http(method, path, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(`${base}/api/v1${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, body: await r.json().catch(() => ({})) };
}
const presenter = (path, body) => http('POST', path, { key: tokens.key, ...body });

async function main() {
  const guest = await new Member('guest', null).open();
  const a = await new Member('a', tokens.a).open();
  const b = await new Member('b', tokens.b).open();
  const banned = await new Member('banned', tokens.banned).open();
  const editor = await new Member('editor', tokens.editor).open();
  const p = await new Member('presenter', tokens.presenter).open();
  check('everyone joined the questions', [guest, a, b, banned, editor, p].every((m) => m.joined && m.joined.live));
  check('a guest may not ask (qa.joined says why)', !guest.joined.can_ask && guest.joined.why_not === 'sign_in_required');
  check('a verified member may ask', a.joined.can_ask);

  // Asking; the guest and the banned member are refused.
  a.ask('什么时候能报名下一期？');
  b.ask('<b>劳模</b>是怎么评选的？');
  guest.ask('我是游客');
  banned.ask('捣乱');
  await until('both questions reach every screen', () => [guest, a, b, editor].every((m) => m.questions.size === 2));
  await until('the guest is refused', () => guest.errors().includes('sign_in_required'));
  await until('the banned member is refused', () => banned.errors().includes('banned'));
  check('HTML stays text', guest.byText('<b>劳模</b>是怎么评选的？') !== undefined);
  const q1 = a.byText('什么时候能报名下一期？').id;
  const q2 = a.byText('<b>劳模</b>是怎么评选的？').id;

  // Upvotes: once per member, never one's own; the list follows.
  b.vote(q2);
  b.vote(q2);
  a.vote(q2);
  a.vote(q2);
  editor.vote(q2);
  guest.vote(q2);
  banned.vote(q2);
  await until('upvotes counted once per member (2)', () => guest.byText('<b>劳模</b>是怎么评选的？').votes === 2);
  await sleep(400);
  check('still 2 after repeats', guest.questions.get(q2).votes === 2, JSON.stringify(guest.questions.get(q2)));
  check('own question refused', b.errors().includes('own_question'));
  check('a second upvote refused', a.errors().includes('already_voted'));
  check('a guest may not upvote', guest.errors().filter((c) => c === 'sign_in_required').length === 2);
  check('a banned member may not upvote', banned.errors().filter((c) => c === 'banned').length === 2);
  check('sorted by votes', guest.listed()[0] === '<b>劳模</b>是怎么评选的？', guest.listed().join(' | '));

  // Pre-moderation: the next question waits for approval, seen only by moderators.
  let r = await http('PATCH', `/videos/${live}/qa`, { premoderate: true }, tokens.editor);
  check('pre-moderation on (editor)', r.status === 200 && r.body.premoderate === true, JSON.stringify(r));
  await until('viewers are told', () => a.got.some((m) => m.type === 'qa.batch' && m.premoderate === true));
  await sleep(1100); // the rate limit
  a.ask('能讲讲安全生产吗？');
  await until('the moderator sees it pending', () => editor.byText('能讲讲安全生产吗？')?.state === 'pending');
  await sleep(300);
  check('viewers do not see a pending question', !guest.byText('能讲讲安全生产吗？') && !b.byText('能讲讲安全生产吗？'));

  // The presenter view with the link: questions by votes, pending included; the audience.
  r = await presenter('/presenter');
  check('the presenter view reads its live', r.status === 200 && r.body.video === live && r.body.live === true, JSON.stringify(r));
  check('… with the pending question', r.body.questions.some((q) => q.text === '能讲讲安全生产吗？' && q.state === 'pending'));
  check('… and an audience count', Number.isInteger(r.body.audience) && r.body.audience >= 0);
  const q3 = r.body.questions.find((q) => q.text === '能讲讲安全生产吗？').id;

  r = await presenter(`/presenter/questions/${q3}`, { action: 'approve' });
  check('the presenter approves it (5 points)', r.status === 200 && r.body.state === 'open' && r.body.points === 5, JSON.stringify(r));
  await until('… and it reaches the viewers', () => guest.byText('能讲讲安全生产吗？')?.state === 'open');
  r = await presenter(`/presenter/questions/${q1}`, { action: 'answer_live' });
  check('answered live (capped: 3 more points)', r.status === 200 && r.body.pinned === true && r.body.points === 3, JSON.stringify(r));
  await until('… pinned on top for viewers', () => guest.listed()[0] === '什么时候能报名下一期？');
  r = await presenter(`/presenter/questions/${q1}`, { action: 'answer_live' });
  check('answering again pays nothing', r.status === 200 && r.body.points === 0, JSON.stringify(r));
  r = await presenter(`/presenter/questions/${q2}`, { action: 'answer', answer: '由工会评选，每年一次。' });
  check('answered in text (B: 5 points)', r.status === 200 && r.body.state === 'answered' && r.body.points === 5, JSON.stringify(r));
  await until('… the answer reaches the viewers', () => guest.questions.get(q2)?.answer === '由工会评选，每年一次。');
  r = await presenter(`/presenter/questions/${q2}`, { action: 'answer' });
  check('an answer without text: 400', r.status === 400, JSON.stringify(r));
  r = await presenter(`/presenter/questions/${q2}`, { action: 'shout' });
  check('an unknown action: 400', r.status === 400, JSON.stringify(r));
  r = await presenter(`/presenter/questions/999999`, { action: 'dismiss' });
  check('an unknown question: 404', r.status === 404, JSON.stringify(r));
  r = await http('POST', `/presenter/questions/${q2}`, { key: 'lcp1.x.y', action: 'dismiss' });
  check('a wrong link may not decide: 401', r.status === 401, JSON.stringify(r));

  // The moderator dismisses one (through the editors' API): it leaves every screen.
  await sleep(1100);
  b.ask('这个问题会被忽略');
  await until('the moderator sees the new one', () => editor.byText('这个问题会被忽略'));
  const q4 = editor.byText('这个问题会被忽略').id;
  r = await http('POST', `/videos/${live}/questions/${q4}`, { action: 'dismiss' }, tokens.editor);
  check('dismissed by the moderator, no points', r.status === 200 && r.body.state === 'dismissed' && r.body.points === 0, JSON.stringify(r));
  r = await http('POST', `/videos/${live}/questions/${q4}`, { action: 'approve' }, tokens.editor);
  check('a dismissed question takes no more decisions: 409', r.status === 409, JSON.stringify(r));
  r = await http('POST', `/videos/${live}/questions/${q4}`, { action: 'dismiss' }, tokens.a);
  check('a member may not decide: 403', r.status === 403, JSON.stringify(r));
  await until('gone from the moderator\'s screen', () => !editor.byText('这个问题会被忽略'));
  check('never shown to viewers', !guest.byText('这个问题会被忽略'));

  // The presenter's own account is marked in the chat; others are not.
  p.send({ type: 'chat.send', video: live, text: '我是主讲人，欢迎提问' });
  a.send({ type: 'chat.send', video: live, text: '老师好' });
  const chat = (m) => m.got.filter((x) => x.type === 'chat.batch').flatMap((x) => x.messages);
  await until('chat reaches the guest', () => chat(guest).length >= 2);
  const mine = chat(guest).find((m) => m.text === '我是主讲人，欢迎提问');
  check('the presenter is marked in the chat', mine && mine.member.presenter === true && mine.member.id === tokens.presenter_id,
    JSON.stringify(mine));
  check('a member is not', chat(guest).find((m) => m.text === '老师好')?.member.presenter === undefined);

  // A newcomer sees the list in order with their upvotes.
  const late = await new Member('late', tokens.a).open();
  check('a newcomer is told what they upvoted', late.joined.voted.includes(q2), JSON.stringify(late.joined.voted));
  check('… and sees the list in order', late.joined.questions[0].text === '什么时候能报名下一期？',
    late.joined.questions.map((q) => q.text).join(' | '));

  for (const m of [guest, a, b, banned, editor, p, late]) m.close();
}

try {
  await main();
} catch (e) {
  notOk('scripted members', e.stack || e);
}
console.log(`${n - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
