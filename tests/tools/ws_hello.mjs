// Says hello on /ws the way a browser would, with the headers given, and prints the first
// message the server answers (one JSON line). For test_identity.sh: the session cookie and
// the Origin of the upgrade matter there, and the C test client sends neither.
// Usage: node ws_hello.mjs PORT [COOKIE] [ORIGIN] [keep]
// With "keep" it prints every text message until the server closes, then "closed" (for
// test_privacy.sh: an erased member's open connection is ended).
import net from 'node:net';
import crypto from 'node:crypto';

const [port, cookie = '', origin = '', mode = ''] = process.argv.slice(2);
const keep = mode === 'keep';
const sock = net.connect(Number(port), '127.0.0.1');
const key = crypto.randomBytes(16).toString('base64');
let buf = Buffer.alloc(0);
let upgraded = false;
const fail = (why) => { console.error(why); process.exit(1); };
setTimeout(() => fail('timed out'), keep ? 15000 : 5000).unref();

function frame(text) {
  const data = Buffer.from(text);
  if (data.length > 125) fail('hello too long for this tool');
  const mask = crypto.randomBytes(4);
  const out = Buffer.alloc(6 + data.length);
  out[0] = 0x81;
  out[1] = 0x80 | data.length;
  mask.copy(out, 2);
  for (let i = 0; i < data.length; i++) out[6 + i] = data[i] ^ mask[i % 4];
  return out;
}

sock.on('connect', () => {
  const lines = [`GET /ws HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13'];
  if (cookie) lines.push(`Cookie: ${cookie}`);
  if (origin) lines.push(`Origin: ${origin}`);
  sock.write(lines.join('\r\n') + '\r\n\r\n');
});
sock.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  if (!upgraded) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    if (!buf.subarray(0, end).toString().startsWith('HTTP/1.1 101')) fail('upgrade refused');
    upgraded = true;
    buf = buf.subarray(end + 4);
    sock.write(frame('{"type":"hello","client":"test"}'));
  }
  while (buf.length >= 2) {
    const opcode = buf[0] & 0x0f;
    let len = buf[1] & 0x7f, off = 2;
    if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
    if (buf.length < off + len) return;
    if (opcode === 0x8) sock.destroy(); /* the server's close frame: done ('close' below) */
    if (opcode === 0x8) return;
    console.log(buf.subarray(off, off + len).toString());
    buf = buf.subarray(off + len);
    if (!keep) {
      sock.destroy();
      process.exit(0);
    }
  }
});
sock.on('close', () => {
  if (!keep) fail('closed before an answer');
  console.log('closed');
  process.exit(0);
});
sock.on('error', (e) => fail(e.message));
