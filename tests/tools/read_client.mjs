// A reader on /ws for test_articles.sh: hello with a member's credential, read.start on an
// article, then reports by a plan, printing every message the server sends as one JSON line.
// Usage: node read_client.mjs PORT TOKEN ARTICLE PLAN
//   honest   visible reports every 1.5 s for 9 s, then read.stop
//   fast     15 visible reports 60 ms apart (claims of reading quicker than time passes)
//   hidden   reports every 1.5 s for 9 s saying the page is hidden
//   replay   one report after 2 s, the same seq again, then stop
//   tabs     two connections of the member both reading and reporting every second for 4 s
//            (the second's lines prefixed "2:")
import net from 'node:net';
import crypto from 'node:crypto';

const [port, token, articleText, plan] = process.argv.slice(2);
const article = Number(articleText);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
setTimeout(() => { console.error('timed out'); process.exit(1); }, 30000).unref();

function frame(text) {
  const data = Buffer.from(text);
  const mask = crypto.randomBytes(4);
  const head = data.length < 126 ? Buffer.from([0x81, 0x80 | data.length])
    : Buffer.from([0x81, 0x80 | 126, data.length >> 8, data.length & 0xff]);
  const out = Buffer.concat([head, mask, Buffer.alloc(data.length)]);
  for (let i = 0; i < data.length; i++) out[head.length + 4 + i] = data[i] ^ mask[i % 4];
  return out;
}

// Opens a connection, says hello, resolves with {send, next, close} once welcomed.
function open(prefix) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), '127.0.0.1');
    const key = crypto.randomBytes(16).toString('base64');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const waiting = [];
    const queue = [];
    const c = {
      send: (m) => sock.write(frame(JSON.stringify(m))),
      // The next message (waits up to 5 s; null when none came).
      next: () => new Promise((res) => {
        if (queue.length) return res(queue.shift());
        const t = setTimeout(() => { waiting.splice(waiting.indexOf(w), 1); res(null); }, 5000);
        const w = (m) => { clearTimeout(t); res(m); };
        waiting.push(w);
      }),
      close: () => sock.destroy(),
    };
    sock.on('connect', () => sock.write([`GET /ws HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: websocket',
      'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13'].join('\r\n') + '\r\n\r\n'));
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.subarray(0, end).toString().startsWith('HTTP/1.1 101')) return reject(new Error('upgrade refused'));
        upgraded = true;
        buf = buf.subarray(end + 4);
        c.send({ type: 'hello', token, client: 'read-test' });
      }
      while (buf.length >= 2) {
        let len = buf[1] & 0x7f, off = 2;
        if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
        if (buf.length < off + len) return;
        const op = buf[0] & 0x0f;
        const text = buf.subarray(off, off + len).toString();
        buf = buf.subarray(off + len);
        if (op !== 1) continue;
        console.log(prefix + text);
        const m = JSON.parse(text);
        if (m.type === 'welcome') { resolve(c); continue; }
        const w = waiting.shift();
        if (w) w(m); else queue.push(m);
      }
    });
  });
}

const a = await open('');
let seq = 0;
const beat = (c, visible) => c.send({ type: 'read.beat', seq: ++seq, article, visible });
if (plan === 'tabs') {
  // Both tabs report every second for 4 s: counted twice they would reach the 5 s needed.
  const b = await open('2:');
  const seqs = [0, 0];
  a.send({ type: 'read.start', article, visible: true });
  await sleep(300);
  b.send({ type: 'read.start', article, visible: true });
  for (let i = 0; i < 4; i++) {
    await sleep(1000);
    a.send({ type: 'read.beat', seq: ++seqs[0], article, visible: true });
    b.send({ type: 'read.beat', seq: ++seqs[1], article, visible: true });
  }
  await sleep(300);
  b.send({ type: 'read.stop', seq: ++seqs[1], article });
  await sleep(800);
  a.close(); b.close();
  process.exit(0);
}
a.send({ type: 'read.start', article, visible: plan !== 'hidden' });
if (plan === 'honest' || plan === 'hidden') {
  for (let i = 0; i < 6; i++) { await sleep(1500); beat(a, plan === 'honest'); }
} else if (plan === 'fast') {
  for (let i = 0; i < 15; i++) { await sleep(60); beat(a, true); }
} else if (plan === 'replay') {
  await sleep(2000); beat(a, true);
  await sleep(200); a.send({ type: 'read.beat', seq, article, visible: true });
}
await sleep(300);
a.send({ type: 'read.stop', seq: ++seq, article });
await sleep(800);
a.close();
process.exit(0);
