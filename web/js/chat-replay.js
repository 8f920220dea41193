// The chat replay on a recording of a live (rules: docs/chat.md): the live's messages come back at
// the moment of the video they were posted over, with the questions asked (and their answers),
// and the like count as it stood then. The panel
// follows the player's currentTime: it reads GET /videos/{id}/chat/replay a minute of media time at
// a time (paged by next_after), keeps what it read, and shows every message whose media_time has
// been reached; seeking backwards or forwards shows what was said in the two minutes up to the new
// moment. Messages are text: put on the page with textContent, never as markup. Editors and
// admins (who moderate the chat) get a delete button on each message, as in the live panel:
// the message goes from the replay for everyone (the API answers without it from then on).
'use strict';
window.LecternChatReplay = (() => {
  const { api, el, me, $ } = window.LecternSite;
  const { t, tf } = window.LecternI18n;
  const WINDOW = 60;       // seconds of media time one read covers
  const MAX_SHOWN = 200;   // messages kept on the page
  const PAGE = 200;

  function attach(video, id) {
    const box = $('#chat-box');
    const list = $('#chat-list');
    const status = $('#chat-state');
    const likeButton = $('#chat-like');
    const likeCount = $('#chat-like-count');
    const windows = new Map(); // window index -> Promise of {messages}
    const messages = [];       // every message read so far, by media time then id
    let shownUpTo = -1;        // media time the list shows messages up to
    const likeWindows = new Map(); // window index -> {before, likes} (likes placed before it, its buckets)
    let failed = false;
    let stopped = false;
    let auth = false;          // guests' reads are cacheable; a members-only chat needs the session
    let moderator = false;     // an editor or admin: may delete messages

    $('#chat-form').hidden = true;
    likeButton.disabled = true;
    box.classList.add('replay');
    status.hidden = false;
    status.textContent = t('chat_replay_note');

    const byTime = (a, b) => a.media_time - b.media_time || a.id - b.id;

    async function readWindow(w) {
      const from = w * WINDOW;
      const base = `/videos/${encodeURIComponent(id)}/chat/replay?from=${from}&to=${from + WINDOW}&limit=${PAGE}`;
      let page;
      try {
        page = await api(base, { auth });
      } catch (e) {
        if (auth || e.code !== 'sign_in_required') throw e;
        auth = true;
        page = await api(base, { auth });
      }
      // Questions (first page only) go in the same timeline, marked as questions.
      const got = { messages: page.messages.concat(page.questions.map((q) => ({ ...q, question: true }))) };
      likeWindows.set(w, { before: page.likes_before, likes: page.likes });
      while (page.next_after !== null && !stopped) {
        page = await api(`${base}&after=${page.next_after}`, { auth });
        got.messages.push(...page.messages);
      }
      return got;
    }

    function load(w) {
      if (w < 0 || windows.has(w)) return windows.get(w);
      const p = readWindow(w).then((got) => {
        messages.push(...got.messages);
        messages.sort(byTime);
        return got;
      }).catch((e) => {
        windows.delete(w);
        stop(e);
      });
      windows.set(w, p);
      return p;
    }

    function stop(e) {
      if (stopped) return;
      if (e && e.code === 'chat_off') { box.hidden = true; stopped = true; return; }
      if (e && e.code === 'not_ready') { stopped = true; return; }
      failed = true;
      status.textContent = e && e.code === 'sign_in_required' ? t('chat.why.sign_in_required') : t('chat_replay_failed');
    }

    async function remove(m) {
      try {
        await api(`/videos/${encodeURIComponent(id)}/chat/messages/${m.id}`, { auth: true, method: 'DELETE' });
        const at = messages.indexOf(m);
        if (at >= 0) messages.splice(at, 1);
        const li = list.querySelector(`li[data-id="${Number(m.id)}"]:not(.chat-question)`);
        if (li) li.remove();
      } catch (e) {
        status.textContent = tf('chat_mod_failed', { why: e.message });
      }
    }

    function line(m) {
      const li = el('li', { className: m.question ? 'chat-msg chat-question' : 'chat-msg',
        dataset: { id: String(m.id), at: String(m.media_time) } });
      if (m.question) li.append(el('span', { className: 'chat-badge', textContent: t('chat_replay_question') }));
      li.append(el('span', { className: 'chat-who', textContent: m.member.display_name }));
      if (m.member.moderator) li.append(el('span', { className: 'chat-badge', textContent: t('chat_moderator') }));
      li.append(el('span', { className: 'chat-text', textContent: m.text }));
      if (m.question && (m.answered_live || m.answer)) {
        li.append(el('span', { className: 'chat-badge', textContent: t(m.answered_live ? 'chat_replay_answered_live' : 'qa.state.answered') }));
      }
      if (m.question && m.answer) li.append(el('div', { className: 'qa-answer', textContent: m.answer }));
      if (moderator && !m.question) {
        li.append(el('span', { className: 'chat-tools' },
          el('button', { type: 'button', className: 'link chat-delete', textContent: t('chat_delete'),
            on: { click: () => remove(m) } })));
      }
      return li;
    }

    // Shows the messages up to NOW: appended when playing on, redrawn after a seek back.
    function render(now) {
      if (now < shownUpTo) {
        list.replaceChildren();
        shownUpTo = -1;
      }
      const fresh = messages.filter((m) => m.media_time > shownUpTo && m.media_time <= now);
      const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
      if (shownUpTo < 0) {
        list.replaceChildren(...fresh.slice(-MAX_SHOWN).map(line));
      } else {
        for (const m of fresh) list.append(line(m));
      }
      while (list.children.length > MAX_SHOWN) list.firstElementChild.remove();
      if (atBottom || fresh.length) list.scrollTop = list.scrollHeight;
      shownUpTo = now;
      // The likes as they stood at this moment of the live: those before the window and its
      // buckets reached so far.
      const lw = likeWindows.get(Math.floor(now / WINDOW));
      if (lw) {
        const n = lw.likes.reduce((sum, l) => sum + (l.media_time <= now ? l.count : 0), lw.before);
        likeCount.textContent = String(n);
      }
    }

    async function follow() {
      if (stopped || failed) return;
      const now = video.currentTime || 0;
      const w = Math.floor(now / WINDOW);
      // The current window (and the one before, for a seek's history) before showing; the next
      // one read ahead so crossing a minute shows its first seconds at once.
      await Promise.all([load(w), load(w - 1)]);
      load(w + 1);
      if (!stopped) render(video.currentTime || 0);
    }

    me().then((member) => {
      moderator = !!member && (member.role === 'editor' || member.role === 'admin');
      if (moderator && !stopped && !failed) { shownUpTo = Infinity; render(video.currentTime || 0); }
    }).catch(() => {});
    video.addEventListener('timeupdate', follow);
    video.addEventListener('seeked', () => { shownUpTo = Infinity; follow(); });
    box.hidden = false;
    follow();
    return { rerender: () => { if (!failed && !stopped) status.textContent = t('chat_replay_note'); render(video.currentTime || 0); } };
  }

  return { attach };
})();
