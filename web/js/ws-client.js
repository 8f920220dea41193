// The watch-time client (protocol: schemas/ws, docs/points.md). One WebSocket to /ws:
// hello (with the member's credential, or none for a guest), watch.start for the video, then
// a heartbeat every heartbeat_interval seconds and at once whenever play, pause, a seek, the
// rate or the tab's visibility changes — the server credits a stretch only when the report
// before it said playing and visible, so a hidden tab earns nothing. Reconnects by itself.
'use strict';
window.LecternWatch = (() => {
  class WatchClient {
    // OPTS: token (scripts; pages leave it out and the session cookie speaks), video (id), state() → {position, playing, visible, rate}, and callbacks
    // onWelcome, onStarted, onAck, onPoints, onViewers, onEnded, onError, onStatus(text key).
    constructor(opts) {
      this.o = opts;
      this.ws = null;
      this.seq = 0;
      this.session = null;
      this.interval = 10;
      this.timer = null;
      this.lastSent = 0;
      this.pending = null;
      this.retry = 0;
      this.stopped = false;  // superseded or left: no more reports, no reconnect
      this.started = false;
      this.listeners = [];  // other services on the same connection (chat.js): every message
      this.welcomed = false;
    }

    // FN(message) hears every message from the server, before this client acts on it.
    addListener(fn) {
      this.listeners.push(fn);
    }

    connect() {
      if (this.stopped) return;
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
      const ws = new WebSocket(url);
      this.ws = ws;
      this.seq = 0;
      this.session = null;
      this.started = false;
      ws.onopen = () => {
        this.retry = 0;
        const hello = { type: 'hello', client: 'lectern-web/1' };
        if (this.o.token) hello.token = this.o.token;
        this.send(hello);
      };
      ws.onmessage = (e) => {
        let m;
        try { m = JSON.parse(e.data); } catch (err) { return; }
        this.receive(m);
      };
      ws.onclose = () => {
        this.welcomed = false;
        clearInterval(this.timer);
        this.timer = null;
        if (this.ws !== ws || this.stopped) return;
        this.o.onStatus && this.o.onStatus('points_offline');
        const delay = Math.min(30000, 1000 * 2 ** this.retry++);
        setTimeout(() => this.connect(), delay);
      };
      ws.onerror = () => {};  // onclose follows
    }

    send(msg) {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
      this.ws.send(JSON.stringify(msg));
      this.lastSent = Date.now();
      return true;
    }

    startWatching() {
      const s = this.o.state();
      this.started = true;
      this.send({ type: 'watch.start', video: this.o.video, position: round(s.position),
        playing: s.playing, visible: s.visible, rate: s.rate });
    }

    heartbeat() {
      if (!this.session || this.stopped) return;
      const s = this.o.state();
      this.send({ type: 'heartbeat', seq: ++this.seq, video: this.o.video, position: round(s.position),
        playing: s.playing, visible: s.visible, rate: s.rate });
    }

    // Something changed (play, pause, seek, visibility): report it now, at most one report
    // every 600 ms (the server allows 2 a second on average).
    report() {
      if (!this.session || this.stopped || this.pending) return;
      const wait = Math.max(0, this.lastSent + 600 - Date.now());
      this.pending = setTimeout(() => { this.pending = null; this.heartbeat(); }, wait);
    }

    // Leaving the page: the last position, so resume starts from it.
    stop() {
      if (this.session && !this.stopped) {
        this.send({ type: 'watch.stop', seq: ++this.seq, video: this.o.video, position: round(this.o.state().position) });
      }
      this.stopped = true;
      clearInterval(this.timer);
    }

    receive(m) {
      const o = this.o;
      if (m.type === 'welcome') this.welcomed = true;
      this.listeners.forEach((fn) => fn(m));
      switch (m.type) {
        case 'welcome':
          this.interval = m.heartbeat_interval || 10;
          o.onWelcome && o.onWelcome(m);
          this.startWatching();
          break;
        case 'watch.started':
          this.session = m.session;
          clearInterval(this.timer);
          this.timer = setInterval(() => this.heartbeat(), this.interval * 1000);
          o.onStarted && o.onStarted(m);
          this.report();  // the state may have changed while the session was opening
          break;
        case 'heartbeat.ack':
          o.onAck && o.onAck(m);
          break;
        case 'points.update':
          o.onPoints && o.onPoints(m);
          break;
        case 'live.viewers':
          o.onViewers && o.onViewers(m);
          break;
        case 'watch.ended':
          this.session = null;
          clearInterval(this.timer);
          if (m.reason === 'superseded') {
            this.stopped = true;
            this.ws.close();
          } else if (m.reason === 'timeout' && !this.stopped) {
            this.startWatching();  // e.g. the tab slept; a new session from here
          }
          o.onEnded && o.onEnded(m);
          break;
        case 'error':
          if (m.code === 'no_session' && !this.stopped) this.startWatching();
          if (m.code === 'unauthorized') this.stopped = true;
          o.onError && o.onError(m);
          break;
        default:
          break;
      }
    }
  }

  const round = (x) => Math.round(Math.max(0, Math.min(86400, x || 0)) * 1000) / 1000;

  return { WatchClient };
})();
