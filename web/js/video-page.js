// The video page: the lesson's details, the player, chapters, and the watch-time box that
// shows points earned and today's progress as the server acknowledges them.
'use strict';
(() => {
  const { api, el, clock, when, columnUrl, $, start, showBalance, ApiError, isRecording } = window.LecternSite;
  const { t, tf } = window.LecternI18n;
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
  let chat = null;          // the live chat panel (chat.js), on lives
  let qa = null;            // the questions panel (qa.js), on lives
  let inSync = true;        // the countdown to the next point agreed with what the server paid
  let videoCapped = false;  // a minute passed without a point: the per-video cap is reached

  // How often a page waiting for a live looks whether it is on air, and whether its first
  // playlist is written (the state turns live a few seconds before that).
  const WAIT_POLL_MS = 3000;
  const PLAYLIST_POLL_MS = 1000;

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
      $('#today-cap').textContent = today.cap !== null ? tf('points_daily_cap', { n: today.cap }) : t('points_no_daily_cap');
      $('#today-progress').max = today.cap || Math.max(today.points, 1);
      $('#today-progress').value = today.points;
    }
    renderRule();
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

  const campaign = () => (points && points.campaign) || null;
  const earning = () => !!(welcome && welcome.earns_points && campaign());
  const capReached = () => !!(points && points.today && points.today.cap !== null &&
    points.today.points >= points.today.cap);

  // The campaign's rule, and how far the next point is. A point is paid for every full
  // minute of this video's seconds credited to the member while a campaign is open
  // (docs/points.md); the server acknowledges the video's credited seconds, so the
  // countdown is the rest of the current minute — shown only while it agrees with the
  // points the server actually pays (see docs/viewer.md).
  function renderRule() {
    const k = campaign();
    const rule = $('#points-rule');
    const next = $('#points-next');
    rule.hidden = !k || !(welcome && welcome.member);
    next.hidden = true;
    next.dataset.seconds = '';
    if (rule.hidden) return;
    const bits = [tf('points_rule', { n: k.points_per_minute })];
    bits.push(k.per_video_cap !== null ? tf('points_video_cap', { n: k.per_video_cap }) : t('points_per_video_no_cap'));
    if (player && player.wasLive && k.live_bonus_points > 0) {
      bits.push(tf('points_live_bonus', { m: k.live_bonus_minutes, n: k.live_bonus_points }));
    }
    rule.textContent = bits.join(' · ');
    if (!earning() || !watch || watch.stopped) return;
    let text = null;
    const rest = 60 - (videoCredited % 60);
    const left = player && !player.live && info.duration ? Math.floor(info.duration) - videoCredited : Infinity;
    if (capReached()) text = t('points_cap_reached');
    else if (videoCapped) text = t('points_video_capped');
    else if (left < rest) text = t('points_video_short');
    else if (inSync) {
      text = tf('points_next', { time: clock(rest), n: k.points_per_minute });
      next.dataset.seconds = String(rest);
    }
    next.hidden = !text;
    next.textContent = text || '';
  }

  // An acknowledgement moved the video's credited seconds from BEFORE: did the server pay a
  // point where the countdown said it would? If not (seconds credited before the member could
  // earn, a cap), stop showing a countdown rather than a wrong one.
  function checkPaid(before, m) {
    const k = campaign();
    if (!earning() || m.credited <= 0) return;
    const crossed = Math.floor(m.video_credited / 60) > Math.floor(before / 60);
    const bonus = player && player.wasLive && m.points === k.live_bonus_points;
    if (crossed && m.points === 0 && !capReached()) {
      if (k.per_video_cap !== null) videoCapped = true;
      else inSync = false;
    } else if (!crossed && m.points > 0 && !bonus) {
      inSync = false;
    }
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
    // No token: /ws takes the browser session from its cookie (a guest without one).
    watch = new window.LecternWatch.WatchClient({
      video: id,
      state,
      onWelcome: (m) => {
        welcome = m;
        if (m.points) points = m.points;
        counting();
      },
      onStarted: (m) => {
        videoCredited = m.credited_seconds;
        if (m.live && player.live) viewers = m.viewers;
        // Resume: the server's position for a member, this browser's for a guest.
        const resume = m.resume_position !== null ? m.resume_position
          : Number(localStorage.getItem(guestKey()) || 0);
        player.resumeTo(resume);
        counting();
      },
      onAck: (m) => {
        const before = videoCredited;
        videoCredited = m.video_credited;
        checkPaid(before, m);
        renderPoints();
      },
      onPoints: (m) => {
        points = { balance: m.balance, today: m.today, campaign: m.campaign };
        renderPoints();
      },
      onViewers: (m) => {
        if (!player.live) return; // off air: the count is gone
        viewers = m.viewers;
        renderPoints();
      },
      onEnded: (m) => {
        if (m.reason === 'superseded') { stateKey = 'superseded'; renderPoints(); }
      },
      onError: (m) => {
        if (m.fatal) { stateKey = 'points_offline'; renderPoints(); }
      },
      onStatus: (key) => { stateKey = key; renderPoints(); },
    });
    player.onReport = () => { counting(); watch.report(); };
    player.onLiveEnded = () => { viewers = null; renderPoints(); };
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
    stateKey = 'points_offline';
    player = new window.LecternPlayer.Player(info);
    window.lecternPlayer = player;  // for the browser tests and the curious
    player.attach();
    endScreen = new window.LecternEnd.EndScreen(player, info);
    startWatchClient();
    if (info.state === 'live' && window.LecternChat) chat = window.LecternChat.attach(watch, id);
    else if (isRecording(info) && window.LecternChatReplay) chat = window.LecternChatReplay.attach(player.video, id);
    if (info.state === 'live' && window.LecternQa) qa = window.LecternQa.attach(watch, id);
  }

  // Is the live's first playlist there? (It is written a few seconds after it goes on air.)
  async function playlistReady(url) {
    try {
      const r = await fetch(url, { cache: 'no-store' });
      return r.ok;
    } catch (e) {
      return false;
    }
  }

  // A scheduled live: look every few seconds until it is on air and its first playlist is
  // written, then play it (the player starts it by itself, at the live edge).
  function waitForLive() {
    player = null;
    $('#player-message').textContent = t('not_started');
    $('#player-message').hidden = false;
    const look = async () => {
      let next = WAIT_POLL_MS;
      try {
        const v = await api(`/videos/${encodeURIComponent(id)}`);
        if (v.playable) {
          if (await playlistReady(v.hls_url)) {
            info = v;
            renderInfo();
            $('#player-message').hidden = true;
            begin();
            renderPoints();
            return;
          }
          next = PLAYLIST_POLL_MS;
        }
      } catch (e) { /* try again */ }
      setTimeout(look, next);
    };
    setTimeout(look, WAIT_POLL_MS);
  }

  // Nothing will be counted on this page (yet): say why, and show a member's points as they are.
  async function nothingToCount(key, member) {
    stateKey = key;
    if (!member) return;
    try {
      const p = await api('/me/points?limit=1', { auth: true });
      points = { balance: p.balance, today: p.today, campaign: p.campaign };
    } catch (e) { /* the box still says why nothing is counted */ }
  }

  async function load(member) {
    try {
      info = await api(`/videos/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) {
        $('#video-title').textContent = t('not_found_video');
        await nothingToCount('points_no_video', member);
        return;
      }
      throw e;
    }
    if (info.poster_url) $('#video').poster = info.poster_url;
    renderInfo();
    window.LecternShare.attach(id);
    if (info.playable) begin();
    else if (info.state === 'scheduled') {
      waitForLive();
      await nothingToCount('points_scheduled', member);
    } else {
      $('#player-message').textContent = t('not_playable');
      $('#player-message').hidden = false;
      await nothingToCount('points_not_playable', member);
    }
  }

  function render() {
    renderInfo();
    renderPoints();
    if (player) player.rerender();
    if (endScreen) endScreen.rerender();
    if (chat) chat.rerender();
    if (qa) qa.rerender();
  }

  start({ load, render, title: () => (info ? info.title : '') });
})();
