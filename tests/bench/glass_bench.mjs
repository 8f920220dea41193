// Glass-to-glass latency in Chromium with hls.js (issue 22, benchmark (a)), the browser side of
// tests/bench/glass_bench.sh. The published frames carry the wall clock in ms when they were
// made (tests/tools/clock_frames.py: 32 bits as 80 px blocks, two copies); here, for every
// frame the watch page's <video> presents (requestVideoFrameCallback), the frame is drawn into
// a small canvas, the blocks are read at their centres, and the stamp is compared with the
// wall-clock time the frame is shown: performance.timeOrigin's counterpart taken in the same
// callback (Date.now() − performance.now(), so a drift between the two clocks does not count)
// plus metadata.expectedDisplayTime. The script runs in the page through playwright's
// page.evaluate (CDP), so the page's CSP is untouched and no script is added to it.
//
// Env: BASE_URL, LIVE (a live on air), SELFTEST (files "VALUE:PATH.png,..." — frames of known
// stamps passed through x264 and a downscale; the reader must read each exactly, or the
// benchmark stops), BENCH_SECONDS (60), SKIP_SECONDS (5: startup left out), LABEL.
// Prints figures; exits 2 when the reader fails its self-check or no frame decodes.
import { readFileSync } from 'node:fs';
import { launch } from '../web/tap.mjs';

const { BASE_URL, LIVE } = process.env;
const SECONDS = Number(process.env.BENCH_SECONDS || 60);
const SKIP = Number(process.env.SKIP_SECONDS || 5);
const LABEL = process.env.LABEL || 'live';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fail = (msg) => { console.error(`benchmark stopped: ${msg}`); process.exitCode = 2; };

// Installed in the page: the reader and the sampler. The geometry is clock_frames.py's.
function install() {
  const W = 1280, H = 720, BLOCK = 80, PER_ROW = 16, TOP = 160, ROWS = 4;
  const CW = 320, CH = ROWS * BLOCK * CW / W; // the canvas: the rows of blocks at a quarter size
  const cell = CW / PER_ROW;
  const canvas = document.createElement('canvas');
  canvas.width = CW;
  canvas.height = CH;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  // SOURCE (a video or an image) of intrinsic size SW×SH → { value } or { reject: why }.
  function read(source, sw, sh) {
    ctx.drawImage(source, 0, TOP * sh / H, sw, ROWS * BLOCK * sh / H, 0, 0, CW, CH);
    const px = ctx.getImageData(0, 0, CW, CH).data;
    const rows = [];
    for (let r = 0; r < ROWS; r++) {
      let v = 0;
      for (let i = 0; i < PER_ROW; i++) {
        // The mean of the 2×2 pixels at the block's centre; luma from RGB (BT.601 weights).
        let sum = 0;
        for (const [dx, dy] of [[-1, -1], [0, -1], [-1, 0], [0, 0]]) {
          const x = i * cell + cell / 2 + dx, y = r * cell + cell / 2 + dy;
          const o = (y * CW + x) * 4;
          sum += 0.299 * px[o] + 0.587 * px[o + 1] + 0.114 * px[o + 2];
        }
        const luma = sum / 4;
        if (luma > 64 && luma < 192) return { reject: 'unclear' }; // neither black nor white
        v = v * 2 + (luma >= 128 ? 1 : 0);
      }
      rows.push(v);
    }
    if (rows[0] !== rows[2] || rows[1] !== rows[3]) return { reject: 'copies differ' };
    return { value: rows[0] * 65536 + rows[1] };
  }
  const g = { read, samples: [], decoded: 0, unclear: 0, differ: 0, frames: 0, running: false };
  // Milliseconds from stamp to screen, modulo 2^32 (the stamp is the low 32 bits of epoch ms),
  // as a signed number: a negative one would mean a broken reader or clock.
  const since = (now, stamp) => {
    let d = (Math.round(now) % 4294967296 - stamp + 4294967296) % 4294967296;
    if (d >= 2147483648) d -= 4294967296;
    return d;
  };
  g.start = () => {
    const video = document.querySelector('#video');
    g.running = true;
    const onFrame = (now, meta) => {
      if (!g.running) return;
      const wallOffset = Date.now() - performance.now();
      const callbackWall = Date.now();
      g.frames++;
      let r;
      try {
        r = read(video, video.videoWidth, video.videoHeight);
      } catch (e) {
        r = { reject: 'unclear' }; // no picture yet (size 0): counted as unread, the loop goes on
      }
      if (r.reject === 'unclear') g.unclear++;
      else if (r.reject) g.differ++;
      else {
        g.decoded++;
        // With hls.js's own view at that moment: how far behind its estimate of the live edge
        // it plays (edge of the last playlist + the playlist's age), and the buffer ahead.
        const player = window.lecternPlayer, hls = player && player.hls;
        const badge = player && player.latency();
        const b = video.buffered;
        g.samples.push([since(wallOffset + meta.expectedDisplayTime, r.value),
          since(callbackWall, r.value), video.videoHeight,
          hls ? Math.round(hls.latency * 1000) : NaN,
          b.length ? Math.round((b.end(b.length - 1) - video.currentTime) * 1000) : NaN,
          badge === null ? NaN : Math.round(badge * 1000)]);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  g.reset = () => { g.samples = []; g.decoded = g.unclear = g.differ = g.frames = 0; };
  window.__glass = g;
}

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE_URL}/watch.html?v=${LIVE}`);
  await page.evaluate(install);

  // The reader on frames of known stamps first: a wrong reader must not produce plausible numbers.
  for (const item of (process.env.SELFTEST || '').split(',').filter(Boolean)) {
    const [want, file] = [Number(item.split(':')[0]), item.slice(item.indexOf(':') + 1)];
    const got = await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      return window.__glass.read(bmp, bmp.width, bmp.height);
    }, readFileSync(file).toString('base64'));
    if (got.value !== want) {
      fail(`the reader read ${JSON.stringify(got)} from ${file}, stamped ${want}`);
      throw new Error('self-check');
    }
    console.log(`# reader self-check: ${file.split('/').pop()} read ${want} (0x${want.toString(16)})`);
  }

  await page.waitForFunction(() => document.querySelector('#video').currentTime > 0.5, null, { timeout: 60000 });
  await page.evaluate(() => window.__glass.start());
  await sleep(SKIP * 1000);
  await page.evaluate(() => window.__glass.reset());
  const t0 = Date.now();
  await sleep(SECONDS * 1000);
  const g = await page.evaluate(() => {
    const w = window.__glass;
    w.running = false;
    const p = window.lecternPlayer, hls = p && p.hls;
    const level = hls && hls.levels[hls.currentLevel];
    const d = level && level.details;
    const v = document.querySelector('#video');
    const q = v.getVideoPlaybackQuality();
    return {
      samples: w.samples, decoded: w.decoded, unclear: w.unclear, differ: w.differ, frames: w.frames,
      hls: hls && {
        latency: hls.latency, target: hls.targetLatency, partHoldBack: d && d.partHoldBack,
        partTarget: d && d.partTarget, holdBack: d && d.holdBack, parts: !!(d && d.partList),
        height: level && level.height,
      },
      badge: document.querySelector('#live-badge')?.dataset.latency,
      dropped: q.droppedVideoFrames, total: q.totalVideoFrames, rate: v.playbackRate,
    };
  });
  const wall = (Date.now() - t0) / 1000;
  console.log(`# ${LABEL}: ${g.frames} frames presented in ${wall.toFixed(0)} s, ${g.decoded} read, ` +
    `${g.unclear} rejected (a block neither black nor white), ${g.differ} rejected (copies differ)`);
  if (g.decoded === 0) {
    fail(`${LABEL}: no frame read in ${wall.toFixed(0)} s of playback (${g.frames} presented)`);
  } else {
    const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.ceil(p / 100 * xs.length) - 1)];
    const show = g.samples.map((s) => s[0]).sort((a, b) => a - b);
    const cb = g.samples.map((s) => s[1]).sort((a, b) => a - b);
    const heights = [...new Set(g.samples.map((s) => s[2]))].join('/');
    console.log(`${LABEL}: glass-to-glass p50 ${pct(show, 50)} ms, p95 ${pct(show, 95)} ms, max ` +
      `${show[show.length - 1]} ms, min ${show[0]} ms, n=${show.length} (rendition ${heights}p)`);
    const col = (i) => g.samples.map((s) => s[i]).filter(Number.isFinite).sort((a, b) => a - b);
    const [edge, ahead, badge] = [col(3), col(4), col(5)];
    console.log(`# ${LABEL}: to the frame callback instead of the expected display time: p50 ` +
      `${pct(cb, 50)} ms, p95 ${pct(cb, 95)} ms`);
    console.log(`# ${LABEL}: hls.js behind its live edge (hls.latency) p50 ${pct(edge, 50)} ms, p95 ` +
      `${pct(edge, 95)} ms; buffer ahead of the playhead p50 ${pct(ahead, 50)} ms; so from a frame's ` +
      `making to the live edge hls.js sees, p50 about ${pct(show, 50) - pct(edge, 50)} ms`);
    console.log(`# ${LABEL}: the player's own latency (wall clock − PROGRAM-DATE-TIME, the live ` +
      `badge) p50 ${pct(badge, 50)} ms, p95 ${pct(badge, 95)} ms`);
    const h = g.hls || {};
    const f = (x) => (typeof x === 'number' ? x.toFixed(2) : String(x));
    console.log(`# ${LABEL}: hls.js at the end: latency ${f(h.latency)} s, target ${f(h.target)} s, ` +
      `PART-HOLD-BACK ${f(h.partHoldBack)}, PART-TARGET ${f(h.partTarget)}, HOLD-BACK ${f(h.holdBack)}, ` +
      `parts ${h.parts}, level ${h.height}p, rate ${g.rate}; badge ${g.badge} s; ` +
      `dropped ${g.dropped} of ${g.total} frames`);
  }
  if (errors.length) console.log(`# page errors: ${errors.slice(0, 3).join('; ')}`);
} catch (e) {
  if (!process.exitCode) fail(e.message.split('\n')[0]);
} finally {
  await browser.close();
}
