// The player: hls.js where Media Source Extensions exist (Safari's own HLS on Apple's
// browsers), automatic quality with a manual choice, a live badge with the current latency,
// resume, chapters, storyboard previews on the scrub bar, and recovery from errors.
'use strict';
window.LecternPlayer = (() => {
  const { t } = window.LecternI18n;
  const { clock, el } = window.LecternSite;
  const $ = (sel) => document.querySelector(sel);

  // WebVTT storyboard: cues whose text is an image URL, optionally with #xywh=x,y,w,h.
  function parseStoryboard(text, base) {
    const toSec = (s) => s.split(':').reduce((acc, p) => acc * 60 + parseFloat(p), 0);
    const cues = [];
    for (const block of text.replace(/\r/g, '').split(/\n\n+/)) {
      const lines = block.split('\n').filter(Boolean);
      const i = lines.findIndex((l) => l.includes('-->'));
      if (i < 0 || !lines[i + 1]) continue;
      const [a, b] = lines[i].split('-->').map((s) => toSec(s.trim().split(/\s/)[0]));
      const url = new URL(lines[i + 1].trim(), base);
      const m = /^#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(url.hash);
      url.hash = '';
      if (url.origin !== location.origin) continue;
      cues.push({ start: a, end: b, src: url.href, xywh: m ? m.slice(1).map(Number) : null });
    }
    return cues;
  }

  // A resume position arriving after this many seconds of playback is not applied.
  const RESUME_LATE_S = 15;
  // ←/→ move this many seconds.
  const SEEK_STEP_S = 10;

  // Which engine plays HLS here: Apple's browsers have their own (and it is the one to
  // use there), elsewhere hls.js on MSE; ?engine=native|hlsjs overrides for testing.
  function chooseEngine(video) {
    const forced = new URLSearchParams(location.search).get('engine');
    const native = video.canPlayType('application/vnd.apple.mpegurl') !== '';
    const hlsjs = !!(window.Hls && window.Hls.isSupported());
    if (forced === 'native' && native) return 'native';
    if (forced === 'hlsjs' && hlsjs) return 'hls.js';
    const apple = /^Apple/.test(navigator.vendor || '');
    if (apple && native) return 'native';
    if (hlsjs) return 'hls.js';
    return native ? 'native' : null;
  }

  class Player {
    // INFO: the video's JSON from /api/v1/videos/<id>.
    constructor(info) {
      this.info = info;
      this.video = $('#video');
      this.hls = null;
      this.engine = chooseEngine(this.video);
      this.live = info.state === 'live';
      this.wasLive = this.live;   // on air when the page began: its end is shown, positions stay on air time
      this.startedPlaying = false;
      this.mutedForAutoplay = false; // the browser refused sound without a gesture
      this.liveStart = info.live_started_at ? Date.parse(info.live_started_at) : null;
      this.storyboard = [];
      this.recoveries = { network: 0, media: 0 };
      this.chosePosition = false; // the viewer picked a place (scrub bar, chapter, restart)
      this.lastMediaRecovery = 0;
      this.pendingResume = null;
      this.onReport = () => {};  // set by the page: something the watch-time service must hear
      this.onLiveEnded = () => {}; // set by the page: the live went off air while playing
      this.bindControls();
      setInterval(() => this.tick(), 1000);
    }

    message(text, isError = false) {
      const m = $('#player-message');
      m.textContent = text || '';
      m.classList.toggle('error', isError);
      m.hidden = !text;
    }

    // Starts loading the stream.
    attach() {
      const src = this.info.hls_url;
      if (!this.engine) {
        this.message(t('no_hls'), true);
        return;
      }
      document.body.dataset.engine = this.engine;
      if (this.engine === 'native') {
        this.video.src = src;
        $('#quality').disabled = true;
        if (this.live) this.video.addEventListener('loadedmetadata', () => this.autoplay(), { once: true });
      } else {
        this.createHls(src);
      }
      if (this.info.storyboard_url) this.loadStoryboard(this.info.storyboard_url);
      this.renderChapters();
      this.setLive(this.live);
    }

    createHls(src) {
      const Hls = window.Hls;
      // Low-Latency HLS for lives (issue 22): hls.js follows the parts and blocking playlist
      // reloads when the playlist offers them (EXT-X-PART-INF), and plays PART-HOLD-BACK behind
      // the edge; a playlist without them (a recording) plays as before. A player that fell
      // behind (a stall, a slow start) catches up by playing up to 1.25× until it is back at
      // that distance, rather than staying late for the rest of the lesson.
      const hls = new Hls({ enableWorker: true, lowLatencyMode: this.live, backBufferLength: 60,
        capLevelToPlayerSize: false, startLevel: -1,
        maxLiveSyncPlaybackRate: this.live ? 1.25 : 1 });
      this.hls = hls;
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        this.renderQualities();
        this.message('');
        if (this.live) this.autoplay();
      });
      hls.on(Hls.Events.LEVEL_SWITCHED, () => this.renderQualities());
      hls.on(Hls.Events.LEVEL_LOADED, (ev, data) => {
        // A live's playlist turns into the recording (ENDLIST) when it goes off air.
        if (this.live && !data.details.live) this.endLive();
        if (!this.duration && !this.live) this.duration = data.details.totalduration;
      });
      hls.on(Hls.Events.FRAG_LOADED, () => {
        if (this.recovering) { this.recovering = false; this.message(''); }
      });
      hls.on(Hls.Events.ERROR, (ev, data) => this.onHlsError(data, src));
      hls.loadSource(src);
      hls.attachMedia(this.video);
    }

    // Fatal errors only (hls.js retries the others itself): network → load again (the
    // manifest itself when that is what failed), media → recoverMediaError (twice in a row:
    // swap the audio codec first), anything else → a new hls.js instance.
    onHlsError(data, src) {
      if (!data.fatal) return;
      const Hls = window.Hls;
      this.recovering = true;
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        this.recoveries.network++;
        this.message(t('recovering'));
        const delay = Math.min(1000 * 2 ** Math.min(this.recoveries.network - 1, 4), 15000);
        const manifest = data.details === Hls.ErrorDetails.MANIFEST_LOAD_ERROR ||
          data.details === Hls.ErrorDetails.MANIFEST_LOAD_TIMEOUT ||
          data.details === Hls.ErrorDetails.MANIFEST_PARSING_ERROR;
        setTimeout(() => {
          if (!this.hls) return;
          if (manifest) this.hls.loadSource(src);
          else this.hls.startLoad();
        }, delay);
      } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        this.recoveries.media++;
        const now = Date.now();
        if (now - this.lastMediaRecovery < 3000) this.hls.swapAudioCodec();
        this.lastMediaRecovery = now;
        this.hls.recoverMediaError();
      } else {
        this.message(t('player_error') + data.details, true);
        const at = this.video.currentTime;
        this.hls.destroy();
        this.hls = null;
        setTimeout(() => { this.createHls(src); this.resumeTo(at); }, 2000);
      }
    }

    // ---- quality ----------------------------------------------------------------------

    renderQualities() {
      const sel = $('#quality');
      if (!this.hls) return;
      const levels = this.hls.levels.map((l, i) => ({ i, h: l.height, bw: l.bitrate }))
        .sort((a, b) => b.h - a.h || b.bw - a.bw);
      const auto = this.hls.autoLevelEnabled;
      const cur = this.hls.levels[this.hls.currentLevel];
      const opts = [new Option(`${t('auto')}${auto && cur ? ` (${cur.height}p)` : ''}`, '-1')]
        .concat(levels.map((l) => new Option(`${l.h}p · ${Math.round(l.bw / 1000)} kbps`, String(l.i))));
      sel.replaceChildren(...opts);
      sel.value = auto ? '-1' : String(this.hls.currentLevel);
    }

    setQuality(value) {
      if (!this.hls) return;
      const level = Number(value);
      this.hls.currentLevel = level; // -1: automatic again
      this.hls.loadLevel = level;
      this.renderQualities();
    }

    // ---- live -------------------------------------------------------------------------

    setLive(live) {
      document.body.classList.toggle('is-live', live);
      $('#live-badge').hidden = !live;
      $('#scrub').hidden = live;
      // A live plays at its own pace: no faster than it is made.
      $('#speed-box').hidden = live;
      if (live) this.setSpeed(1);
      $('#live-ended').hidden = live || !this.wasLive;
      if (!live) $('#go-live').hidden = true;
    }

    // The live went off air: its playlists are now the recording, which plays on from here
    // (and can be scrubbed); the page is told so it can drop the viewer count.
    endLive() {
      if (!this.live) return;
      this.live = false;
      this.setLive(false);
      const d = this.video.duration;
      if (Number.isFinite(d)) { this.duration = d; this.renderTicks(); }
      this.onLiveEnded();
    }

    // A live plays by itself, from the live edge. Where the browser refuses sound without a
    // gesture it plays muted and offers the sound with a button; where it refuses even that,
    // it asks for a click. Only until the first playback: a viewer's pause is respected.
    async autoplay() {
      const v = this.video;
      if (this.startedPlaying || !v.paused) return;
      try {
        await v.play();
        return;
      } catch (e) {
        if (e.name !== 'NotAllowedError') return; // e.g. interrupted by a reload: tried again on the next manifest
      }
      v.muted = true;
      this.mutedForAutoplay = true;
      this.renderButtons();
      try {
        await v.play();
      } catch (e) {
        if (e.name === 'NotAllowedError') this.message(t('tap_to_play'));
      }
    }

    // Before the first playback of a live (autoplay refused, then a click much later) the
    // player may hold a frame far behind: start from the live edge instead.
    catchUpOnFirstPlay() {
      if (!this.live || this.startedPlaying) return;
      const l = this.latency();
      const target = this.hls && Number.isFinite(this.hls.targetLatency) ? this.hls.targetLatency : 8;
      if (l !== null && l > target + 6) this.goLive();
    }

    // Seconds behind the live edge: wall clock minus the playing frame's
    // EXT-X-PROGRAM-DATE-TIME, or hls.js's own estimate before that is known.
    latency() {
      const date = this.playingDate();
      if (date) return Math.max(0, (Date.now() - date.getTime()) / 1000);
      return this.hls && Number.isFinite(this.hls.latency) ? this.hls.latency : null;
    }

    // Whether hls.js plays the live's parts (LL-HLS) rather than whole segments.
    lowLatency() {
      const lvl = this.hls && this.hls.levels && this.hls.levels[this.hls.currentLevel];
      return !!(this.hls && this.hls.lowLatencyMode && lvl && lvl.details && lvl.details.partList &&
        lvl.details.partList.length);
    }

    playingDate() {
      if (this.hls && this.hls.playingDate) return this.hls.playingDate;
      if (this.engine === 'native' && this.video.getStartDate) {
        const s = this.video.getStartDate();
        if (s && !Number.isNaN(s.getTime())) return new Date(s.getTime() + this.video.currentTime * 1000);
      }
      return null;
    }

    // Where the viewer is, as the watch-time service counts it: seconds into the video, or
    // for a live seconds since it went on air.
    position() {
      if (this.live || this.wasLive) {
        const date = this.playingDate();
        if (date && this.liveStart) return Math.max(0, (date.getTime() - this.liveStart) / 1000);
        if (this.live) return 0;
      }
      return this.video.currentTime || 0;
    }

    goLive() {
      if (this.hls && Number.isFinite(this.hls.liveSyncPosition)) this.video.currentTime = this.hls.liveSyncPosition;
      else if (this.video.seekable.length) this.video.currentTime = this.video.seekable.end(this.video.seekable.length - 1);
    }

    // ---- resume -----------------------------------------------------------------------

    // Seeks to SECONDS once the media can seek; a recorded video only, not at its end, and
    // not once the viewer has picked a place or watched a while (the position can come late
    // when the network or the machine is slow).
    resumeTo(seconds) {
      if (this.live || !(seconds > 3)) return;
      const go = () => {
        const d = this.video.duration;
        const at = this.video.currentTime;
        if (!Number.isFinite(d) || seconds > d - 5 || this.chosePosition || at > RESUME_LATE_S ||
            Math.abs(at - seconds) < 3) return;
        this.video.currentTime = seconds;
        $('#resume-text').textContent = t('resumed_at') + clock(seconds);
        $('#resume').hidden = false;
        setTimeout(() => { $('#resume').hidden = true; }, 8000);
        this.onReport();
      };
      if (this.video.readyState >= 1) go();
      else this.video.addEventListener('loadedmetadata', go, { once: true });
    }

    // ---- chapters and storyboard ----------------------------------------------------------

    renderChapters() {
      const chapters = this.info.chapters || [];
      $('#chapters-box').hidden = chapters.length === 0;
      const list = $('#chapters');
      list.replaceChildren(...chapters.map((c, i) => el('li', {},
        el('button', { type: 'button', className: 'link', dataset: { index: String(i) }, on: { click: () => {
          this.chosePosition = true;
          this.video.currentTime = c.start;
          if (this.video.paused) this.video.play().catch(() => {});
        } } }, el('span', { className: 'at', textContent: clock(c.start) }), ' ' + c.title))));
      this.renderTicks();
    }

    renderTicks() {
      const d = this.duration || this.info.duration;
      const ticks = $('#chapter-ticks');
      ticks.replaceChildren();
      if (!d) return;
      for (const c of this.info.chapters || []) {
        if (c.start <= 0) continue;
        const tick = el('span');
        tick.style.left = `${(100 * c.start) / d}%`;
        ticks.append(tick);
      }
    }

    chapterAt(time) {
      let found = null;
      (this.info.chapters || []).forEach((c, i) => { if (c.start <= time) found = i; });
      return found;
    }

    async loadStoryboard(url) {
      try {
        const r = await fetch(url);
        if (!r.ok) return;
        this.storyboard = parseStoryboard(await r.text(), new URL(url, location.href));
      } catch (e) {
        this.storyboard = [];
      }
    }

    showPreview(clientX) {
      const d = this.video.duration || this.info.duration;
      const scrub = $('#scrub');
      const rect = scrub.getBoundingClientRect();
      if (!d || !rect.width) return;
      const frac = Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
      const time = frac * d;
      const cue = this.storyboard.find((c) => time >= c.start && time < c.end) ||
        (time >= d - 0.5 ? this.storyboard[this.storyboard.length - 1] : null);
      const preview = $('#preview');
      const img = $('#preview-img');
      if (cue) {
        if (img.getAttribute('src') !== cue.src) img.src = cue.src;
        img.hidden = false;
      } else {
        img.hidden = true;
      }
      const ch = this.chapterAt(time);
      $('#preview-time').textContent = clock(time) + (ch !== null ? ' · ' + this.info.chapters[ch].title : '');
      preview.hidden = false;
      const w = preview.offsetWidth || 160;
      preview.style.left = `${Math.min(rect.width - w, Math.max(0, frac * rect.width - w / 2))}px`;
    }

    // ---- controls -------------------------------------------------------------------------

    bindControls() {
      const v = this.video;
      const report = () => this.onReport();
      $('#play').addEventListener('click', () => (v.paused ? v.play().catch((e) => this.message(e.message, true)) : v.pause()));
      v.addEventListener('click', () => (v.paused ? v.play().catch(() => {}) : v.pause()));
      $('#mute').addEventListener('click', () => { v.muted = !v.muted; this.renderButtons(); });
      $('#unmute').addEventListener('click', () => {
        v.muted = false;
        this.mutedForAutoplay = false;
        if (v.paused) v.play().catch(() => {});
        this.renderButtons();
      });
      v.addEventListener('play', () => this.catchUpOnFirstPlay());
      v.addEventListener('playing', () => {
        this.startedPlaying = true;
        if ($('#player-message').textContent === t('tap_to_play')) this.message('');
      });
      $('#fullscreen').addEventListener('click', () => this.toggleFullscreen());
      // Speed: the watch-time service hears the rate (ratechange), and credits no more than
      // its own clock allows whatever the rate (docs/points.md).
      $('#speed').addEventListener('change', (e) => this.setSpeed(Number(e.target.value)));
      v.addEventListener('ratechange', () => { $('#speed').value = String(v.playbackRate); });
      document.addEventListener('keydown', (e) => this.onKey(e));
      $('#quality').addEventListener('change', (e) => this.setQuality(e.target.value));
      $('#go-live').addEventListener('click', () => this.goLive());
      $('#resume-restart').addEventListener('click', () => { this.chosePosition = true; v.currentTime = 0; $('#resume').hidden = true; });
      const seek = $('#seek');
      seek.addEventListener('input', () => { this.seeking = true; $('#time').textContent = this.timeText(Number(seek.value)); });
      seek.addEventListener('change', () => { this.chosePosition = true; v.currentTime = Number(seek.value); this.seeking = false; });
      const scrub = $('#scrub');
      scrub.addEventListener('pointermove', (e) => this.showPreview(e.clientX));
      scrub.addEventListener('pointerleave', () => { $('#preview').hidden = true; });
      for (const ev of ['play', 'pause', 'seeked', 'ratechange', 'ended']) v.addEventListener(ev, report);
      for (const ev of ['play', 'pause', 'volumechange']) v.addEventListener(ev, () => this.renderButtons());
      v.addEventListener('timeupdate', () => this.renderTime());
      v.addEventListener('durationchange', () => {
        // the browser's own HLS: a live's duration becomes finite when its playlist ends
        if (v.duration === Infinity) this.sawLiveDuration = true;
        if (this.live && this.sawLiveDuration && Number.isFinite(v.duration)) this.endLive();
        if (!this.live) { this.duration = v.duration; this.renderTicks(); }
      });
      document.addEventListener('visibilitychange', report);
    }

    toggleFullscreen() {
      const root = $('#player');
      const v = this.video;
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
      else if (root.requestFullscreen) root.requestFullscreen().catch(() => {});
      else if (v.webkitEnterFullscreen) v.webkitEnterFullscreen();
    }

    setSpeed(rate) {
      if (!(rate >= 0.75 && rate <= 2)) return;
      this.video.defaultPlaybackRate = rate;  // kept when the source is loaded again
      this.video.playbackRate = rate;
    }

    // Keys: space (or k) play/pause, ←/→ 10 s back/forward, f full screen, m mute. Not
    // while typing in a field, not with a modifier (the browser's own shortcuts), and space
    // on a focused button or link is that control's own.
    onKey(e) {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const target = e.target instanceof Element ? e.target : document.body;
      if (target.closest('input, textarea, select, [contenteditable]')) return;
      const v = this.video;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      if (key === ' ' || key === 'k') {
        if (key === ' ' && target.closest('button, a')) return;
        if (v.paused) v.play().catch(() => {});
        else v.pause();
      } else if ((key === 'ArrowLeft' || key === 'ArrowRight') && !this.live) {
        const d = Number.isFinite(v.duration) ? v.duration : Infinity;
        this.chosePosition = true;
        v.currentTime = Math.min(d, Math.max(0, v.currentTime + (key === 'ArrowLeft' ? -SEEK_STEP_S : SEEK_STEP_S)));
      } else if (key === 'f') {
        this.toggleFullscreen();
      } else if (key === 'm') {
        v.muted = !v.muted;
        this.renderButtons();
      } else {
        return;
      }
      e.preventDefault();
    }

    timeText(at) {
      const d = this.video.duration;
      return Number.isFinite(d) && !this.live ? `${clock(at)} / ${clock(d)}` : clock(at);
    }

    renderButtons() {
      const v = this.video;
      const play = $('#play');
      play.textContent = t(v.paused ? 'play' : 'pause');
      play.setAttribute('aria-pressed', String(!v.paused));
      $('#mute').textContent = t(v.muted ? 'unmute' : 'mute');
      if (!v.muted) this.mutedForAutoplay = false;
      $('#unmute').hidden = !this.mutedForAutoplay;
    }

    renderTime() {
      const v = this.video;
      const seek = $('#seek');
      if (Number.isFinite(v.duration)) seek.max = String(v.duration);
      if (!this.seeking) seek.value = String(v.currentTime);
      $('#time').textContent = this.timeText(v.currentTime);
      const ch = this.chapterAt(v.currentTime);
      document.querySelectorAll('#chapters button').forEach((b) => {
        b.classList.toggle('on', Number(b.dataset.index) === ch);
      });
    }

    // Every second: the live badge's latency and the "back to live" button.
    tick() {
      if (!this.live) return;
      const l = this.latency();
      $('#latency').textContent = l === null ? '' : `· ${t('latency')} ${l.toFixed(1)} ${t('seconds_short')}`;
      $('#live-badge').dataset.latency = l === null ? '' : l.toFixed(1);
      const ll = this.lowLatency();
      $('#live-badge').dataset.ll = ll ? '1' : '';
      $('#live-badge').title = ll ? t('ll_hls_on') : '';
      const target = this.hls && Number.isFinite(this.hls.targetLatency) ? this.hls.targetLatency : 8;
      $('#go-live').hidden = !(l !== null && l > target + 8);
    }

    rerender() {
      this.renderButtons();
      this.renderQualities();
      this.renderChapters();
      this.tick();
    }
  }

  return { Player, parseStoryboard };
})();
