// Scripted chatters for the chat replay test (tests/integration/test_chat_replay.sh): members
// join a live's chat over real /ws and post a few messages a little apart (within the rate
// limit), one member taps likes. Prints TAP lines and "N passed, N failed", then a last line
// "# said <json>": what each said, in order, for the shell to compare with the replay.
// Usage: node --experimental-websocket chat_replay_members.mjs PORT LIVE TOKENS_JSON
// TOKENS_JSON: {a, b: tokens}
const [port, live, tokensJson] = process.argv.slice(2);
const tokens = JSON.parse(tokensJson);
let n = 0, failed = 0;
const check = (what, cond, why = 'false') => {
  if (cond) console.log(`ok ${++n} - ${what}`);
  else { failed++; console.log(`not ok ${++n} - ${what}\n#   ${why}`); }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function join(token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const got = [];
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token }));
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      got.push(m);
      if (m.type === 'welcome') ws.send(JSON.stringify({ type: 'chat.join', video: live }));
      if (m.type === 'chat.joined') resolve({ ws, got });
    };
    ws.onerror = () => reject(new Error('socket error'));
    setTimeout(() => reject(new Error('no chat.joined')), 5000);
  });
}

const said = [];
try {
  const a = await join(tokens.a);
  const b = await join(tokens.b);
  check('two members joined the live chat', a.got.length && b.got.length);
  const lines = [[a, '第一条：老师好'], [b, '第二条：我从上海来'], [a, '第三条：这段讲得好'], [b, '第四条：要删掉的话'], [a, '第五条：谢谢老师']];
  for (const [who, text] of lines) {
    who.ws.send(JSON.stringify({ type: 'chat.send', video: live, text }));
    said.push(text);
    await sleep(1300);
  }
  b.ws.send(JSON.stringify({ type: 'chat.like', video: live, count: 7 }));
  await sleep(600);
  const shown = b.got.filter((m) => m.type === 'chat.batch').flatMap((m) => m.messages).map((m) => m.text);
  check('every message reached the others live', said.every((t) => shown.includes(t)), JSON.stringify(shown));
  const errs = [...a.got, ...b.got].filter((m) => m.type === 'error').map((m) => m.code);
  check('no refusals', errs.length === 0, errs.join(','));
  a.ws.close();
  b.ws.close();
} catch (e) {
  check('chatters ran', false, e.message);
}
console.log(`# said ${JSON.stringify(said)}`);
console.log(`${n - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
