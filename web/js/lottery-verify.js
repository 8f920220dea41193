// The lottery draw verifier in the browser: recomputes a draw record (lectern-lottery-draw/1)
// from its rules, entry list and public values with SHA-256 (crypto.subtle) and BigInt, the
// same method as src/lottery/lottery_draw.c and docs/lottery.md, written apart from it.
'use strict';
window.LecternLotteryVerify = (() => {
  const enc = new TextEncoder();

  async function sha256hex(text) {
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(text)));
    return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // Byte order of the UTF-8 forms (what C's strcmp does), not JavaScript's UTF-16 order.
  function byteCompare(a, b) {
    const x = enc.encode(a), y = enc.encode(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  }

  // Only ASCII white space is trimmed, as the server does.
  const trim = (s) => s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');

  // Returns {ok, problems: [text], winners: [code], picks, prizes, entriesSha256}.
  async function verify(record, commitment) {
    const problems = [];
    if (!record || record.format !== 'lectern-lottery-draw/1') {
      return { ok: false, problems: ['not a draw record'], winners: [] };
    }
    const entries = record.entries;
    const text = entries.map(([c, t]) => `${c} ${t}\n`).join('');
    const sha = await sha256hex(text);
    for (let i = 0; i < entries.length; i++) {
      const [c, t] = entries[i];
      if (!/^[0-9a-f]{16}$/.test(c) || !(Number.isInteger(t) && t > 0) ||
          (i > 0 && byteCompare(entries[i - 1][0], c) >= 0)) {
        problems.push('the entry list is not canonical');
        break;
      }
    }
    if (sha !== record.entries_sha256) problems.push(`the entry list hashes to ${sha}, not to the stated ${record.entries_sha256}`);
    if (commitment && sha !== commitment.toLowerCase()) problems.push(`the entry list hashes to ${sha}, not to the commitment published at the freeze ${commitment}`);
    if (problems.length) return { ok: false, problems, winners: [], entriesSha256: sha };

    const values = record.public_values.map(trim).sort(byteCompare);
    const key = `${sha}/${values.map((v) => v + '/').join('')}`;
    if (key !== record.key) problems.push(`the key from the public values is "${key}", not the stated "${record.key}"`);

    const prizes = record.tiers.reduce((s, t) => s + t.quantity, 0);
    const wanted = prizes + Math.floor((prizes * record.reserve_percent + 99) / 100);
    const tierOf = [];
    record.tiers.forEach((t, i) => { for (let k = 0; k < t.quantity; k++) tierOf.push(i); });
    const left = entries.map(([, t]) => t);
    let remaining = left.reduce((s, t) => s + t, 0);
    const picks = [];
    for (let n = 1; picks.length < wanted && remaining > 0; n++) {
      const hash = await sha256hex(key + n);
      const offset = Number(BigInt('0x' + hash) % BigInt(remaining));
      let i = 0;
      for (let acc = 0; i < left.length; i++) {
        acc += left[i];
        if (acc > offset) break;
      }
      picks.push({ n, tier: n <= prizes ? tierOf[n - 1] : null, hash, remaining, offset, code: entries[i][0] });
      const gone = record.one_prize_per_member ? left[i] : 1;
      left[i] -= gone;
      remaining -= gone;
    }
    if (picks.length !== record.picks.length) problems.push(`the rules give ${picks.length} picks, the record states ${record.picks.length}`);
    let shown = 0;
    for (let i = 0; i < Math.min(picks.length, record.picks.length); i++) {
      const a = picks[i], b = record.picks[i];
      if (a.n === b.n && a.tier === b.tier && a.hash === b.hash && a.remaining === b.remaining &&
          a.offset === b.offset && a.code === b.code) continue;
      if (shown++ < 10) problems.push(`pick ${i + 1}: recomputed winner ${a.code}, the record states ${b.code}`);
    }
    return { ok: problems.length === 0, problems, winners: picks.map((p) => p.code), picks: picks.length, prizes, entriesSha256: sha };
  }

  return { verify, sha256hex };
})();
