// The video page: the lesson's details, the player, chapters, and the watch-time box that
// shows points earned and today's progress as the server acknowledges them.
'use strict';
(() => {
  const { api, el, clock, when, columnUrl, $, start, token, showBalance, ApiError, isRecording } = window.LecternSite;
  const { t } = window.LecternI18n;
  const id = new URLSearchParams(location.search).get('v') || '';
  let info = null;
  let player = null;
  let watch = null;
  let welcome = null;
  let points = null;       // {balance, today, campaign}
  let videoCredited = 0;   // seconds of this video credited to the member
  let stateKey = 'points_offline';
  let viewers = null;
  let endScreen = null;

  const visible = () => document.visibilityState === 'visible';
  const guestKey = () => `lectern.pos.${id}`;

  function renderInfo() {
    if (!info) return;
    $('#video-title').textContent = info.title;
    const bits = [info.presenter ? t('presenter_label') + info.presenter : '', t('kind.' + info.presenter_kind), info.category];
    if (info.state === 'scheduled') bits.push(`${t('starts_at')} ${when(info.scheduled_start)}`);
    $('#video-meta').textContent = bits.filter(Boolean).join(' · ');
    const cols = info.columns || [];
    $('#video-columns').replaceChildren(...(cols.length ? [t('in_columns'),
      ...cols.flatMap((c, i) => [i ? '、' : '', el('a', { href: columnUrl(c.slug), textContent: c.title })])] : []));
    $('#video-description').textContent = info.description || '';
    $('#replay-badge').hidden = !isRecording(info);
  }

  function renderPoints() {
    const member = welcome && welcome.member;
    const earns = welcome && welcome.earns_points;
    $('#points-balance').textContent = points ? `${points.balance} ${t('points_balance')}` : '';
    $('#points-balance').dataset.balance = points ? String(points.balance) : '';
    if (points) showBalance(points.balance);
    const today = points && points.today;
    $('#points-today').hidden = !today;
    if (today) {
      $('#today-text').textContent = `${today.points}${today.cap !== null ? ' / ' + today.cap : ''}`;
      $('#today-progress').max = today.cap || Math.max(today.points, 1);
      $('#today-progress').value = today.points;
    }
    $('#credited-row').hidden = !member;
    $('#video-credited').textContent = clock(videoCredited);
    $('#video-credited').dataset.seconds = String(videoCredited);
    let key = stateKey;
    if (welcome && !member) key = 'points_guest';
    else if (welcome && !earns) key = 'points_unverified';
    else if (welcome && points && !points.campaign) key = 'points_no_campaign';
    $('#points-state').textContent = t(key);
    $('#points-state').dataset.state = key;
    const v = $('#viewers');
    v.hidden = viewers === null;
    v.textContent = viewers === null ? '' : `${viewers} ${t('watching_now')}`;
  }

  // What the points box says about the counting right now.
  function counting() {
    if (!watch || watch.stopped) return;
    const v = player.video;
    stateKey = !visible() ? 'points_hidden' : v.paused || v.ended ? 'points_paused' : 'points_counting';
    renderPoints();
  }

  function state() {
    const v = player.video;
    const rate = v.playbackRate > 0 && v.playbackRate <= 16 ? v.playbackRate : 1;
    return { position: player.position(), playing: !v.paused && !v.ended && v.readyState >= 2, visible: visible(), rate };
  }

  function startWatchClient() {
    watch = new window.LecternWatch.WatchClient({
      token: token(),
      video: id,
      state,
      onWelcome: (m) => {
        welcome = m;
        if (m.points) points = m.points;
        counting();
      },
      onStarted: (m) => {
        videoCredited = m.credited_seconds;
        if (m.live) viewers = m.viewers;
        // Resume: the server's position for a member, this browser's for a guest.
        const resume = m.resume_position !== null ? m.resume_position
          : Number(localStorage.getItem(guestKey()) || 0);
        player.resumeTo(resume);
        counting();
      },
      onAck: (m) => {
        videoCredited = m.video_credited;
        renderPoints();
      },
      onPoints: (m) => {
        points = { balance: m.balance, today: m.today, campaign: m.campaign };
        renderPoints();
      },
      onViewers: (m) => { viewers = m.viewers; renderPoints(); },
      onEnded: (m) => {
        if (m.reason === 'superseded') { stateKey = 'superseded'; renderPoints(); }
      },
      onError: (m) => {
        if (m.fatal) { stateKey = 'points_offline'; renderPoints(); }
      },
      onStatus: (key) => { stateKey = key; renderPoints(); },
    });
    player.onReport = () => { counting(); watch.report(); };
    document.addEventListener('visibilitychange', counting);
    window.addEventListener('pagehide', () => {
      if (!welcome || !welcome.member) localStorage.setItem(guestKey(), String(player.video.currentTime || 0));
      watch.stop();
    });
    setInterval(() => {
      if (welcome && !welcome.member && !player.live) localStorage.setItem(guestKey(), String(player.video.currentTime || 0));
    }, 5000);
    watch.connect();
  }

  function begin() {
    player = new window.LecternPlayer.Player(info);
    window.lecternPlayer = player;  // for the browser tests and the curious
    player.attach();
    endScreen = new window.LecternEnd.EndScreen(player, info);
    startWatchClient();
  }

  // A scheduled live: look every 10 s until it is on air.
  function waitForLive() {
    player = null;
    $('#player-message').textContent = t('not_started');
    $('#player-message').hidden = false;
    const poll = setInterval(async () => {
      try {
        const v = await api(`/videos/${encodeURIComponent(id)}`);
        if (v.playable) {
          clearInterval(poll);
          info = v;
          renderInfo();
          $('#player-message').hidden = true;
          begin();
        }
      } catch (e) { /* try again */ }
    }, 10000);
  }

  async function load() {
    try {
      info = await api(`/videos/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) {
        $('#video-title').textContent = t('not_found_video');
        return;
      }
      throw e;
    }
    if (info.poster_url) $('#video').poster = info.poster_url;
    renderInfo();
    window.LecternShare.attach(id);
    if (info.playable) begin();
    else if (info.state === 'scheduled') waitForLive();
    else {
      $('#player-message').textContent = t('not_playable');
      $('#player-message').hidden = false;
    }
  }

  function render() {
    renderInfo();
    renderPoints();
    if (player) player.rerender();
    if (endScreen) endScreen.rerender();
  }

  start({ load, render, title: () => (info ? info.title : '') });
})();
