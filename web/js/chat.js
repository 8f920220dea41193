// The live chat panel (protocol: schemas/ws/chat.*, rules: docs/chat.md). It rides the page's
// /ws connection (the watch client's): on every welcome it joins the live's chat, then shows
// what chat.batch brings. Messages are text: they are put on the page with textContent, never
// as markup. Likes are gathered on the page and sent at most once a second. Moderators (the
// server says so in chat.joined) get delete, mute and ban buttons that call the API.
'use strict';
window.LecternChat = (() => {
  const { api, el, $ } = window.LecternSite;
  const { t, tf } = window.LecternI18n;
  const MAX_SHOWN = 200;     // messages kept on the page
  const LIKE_FLUSH_MS = 1000;

  function attach(watch, video) {
    const box = $('#chat-box');
    const list = $('#chat-list');
    const form = $('#chat-form');
    const input = $('#chat-input');
    const likeButton = $('#chat-like');
    const likeCount = $('#chat-like-count');
    const status = $('#chat-state');
    let joined = null;         // the last chat.joined
    let stateKey = '';
    let stateVars = {};
    let likesPending = 0;

    box.hidden = false;

    function setState(key, vars = {}) {
      stateKey = key;
      stateVars = vars;
      status.textContent = key ? tf(key, vars) : '';
      status.hidden = !key;
    }

    function canPost() {
      return joined && joined.can_post;
    }

    function renderForm() {
      input.disabled = !canPost();
      form.querySelector('button').disabled = !canPost();
      likeButton.disabled = !joined || !joined.live || joined.why_not === 'sign_in_required';
      if (joined && !joined.can_post) setState('chat.why.' + joined.why_not);
      if (joined) input.maxLength = joined.max_length;
    }

    async function moderate(action, m) {
      try {
        if (action === 'delete') {
          await api(`/videos/${encodeURIComponent(video)}/chat/messages/${m.id}`, { auth: true, method: 'DELETE' });
        } else {
          const body = { member: m.member.id, kind: action === 'ban' ? 'ban' : 'mute', video,
            reason: action === 'ban' ? 'banned from the chat' : 'muted from the chat' };
          if (action === 'mute') body.minutes = 10;
          await api('/chat/sanctions', { auth: true, method: 'POST', body });
          setState(action === 'ban' ? 'chat_banned_done' : 'chat_muted_done', { name: m.member.display_name });
        }
      } catch (e) {
        setState('chat_mod_failed', { why: e.message });
      }
    }

    function line(m) {
      const who = el('span', { className: 'chat-who', textContent: m.member.display_name });
      const li = el('li', { className: 'chat-msg', dataset: { id: String(m.id) } }, who);
      if (m.member.presenter) li.append(el('span', { className: 'chat-badge presenter', textContent: t('chat_presenter') }));
      if (m.member.moderator) li.append(el('span', { className: 'chat-badge', textContent: t('chat_moderator') }));
      li.append(el('span', { className: 'chat-text', textContent: m.text }));
      if (m.held) {
        li.classList.add('held');
        li.append(el('span', { className: 'chat-badge held', textContent: t('chat_held') }));
      }
      if (joined && joined.moderator) {
        const tools = el('span', { className: 'chat-tools' },
          el('button', { type: 'button', className: 'link chat-delete', textContent: t('chat_delete'),
            on: { click: () => moderate('delete', m) } }));
        if (!m.member.moderator) {
          tools.append(el('button', { type: 'button', className: 'link chat-mute', textContent: t('chat_mute'),
            on: { click: () => moderate('mute', m) } }));
          tools.append(el('button', { type: 'button', className: 'link chat-ban', textContent: t('chat_ban'),
            on: { click: () => moderate('ban', m) } }));
        }
        li.append(tools);
      }
      return li;
    }

    function show(messages) {
      const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
      for (const m of messages) {
        const old = list.querySelector(`li[data-id="${Number(m.id)}"]`);
        if (old) old.replaceWith(line(m));  // a held message now shown to all
        else list.append(line(m));
      }
      while (list.children.length > MAX_SHOWN) list.firstElementChild.remove();
      if (atBottom) list.scrollTop = list.scrollHeight;
    }

    function receive(m) {
      switch (m.type) {
        case 'welcome':
          watch.send({ type: 'chat.join', video });
          break;
        case 'chat.joined':
          joined = m;
          list.replaceChildren();
          setState('');
          show(m.messages);
          likeCount.textContent = String(m.likes);
          renderForm();
          break;
        case 'chat.batch':
          if (m.video !== video) break;
          for (const gone of m.deleted) {
            const li = list.querySelector(`li[data-id="${Number(gone)}"]`);
            if (li) li.remove();
          }
          show(m.messages);
          if (m.likes !== undefined) likeCount.textContent = String(m.likes);
          if (m.settings && joined) {
            joined.settings = m.settings;
            if (m.settings.mode === 'off') joined.can_post = false, joined.why_not = 'chat_off';
            renderForm();
          }
          break;
        case 'error':
          if (t('chat.why.' + m.code) !== 'chat.why.' + m.code) setState('chat.why.' + m.code);
          break;
        default:
          break;
      }
    }

    watch.addListener(receive);
    if (watch.welcomed) watch.send({ type: 'chat.join', video });

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text || !canPost()) return;
      if (watch.send({ type: 'chat.send', video, text })) {
        input.value = '';
        setState('');
      } else {
        setState('chat.why.offline');
      }
    });
    likeButton.addEventListener('click', () => {
      likesPending++;
      likeCount.textContent = String(Number(likeCount.textContent || 0) + 1);
    });
    setInterval(() => {
      if (!likesPending) return;
      const count = Math.min(50, likesPending);
      if (watch.send({ type: 'chat.like', video, count })) likesPending -= count;
    }, LIKE_FLUSH_MS);

    return { rerender: () => { if (stateKey) setState(stateKey, stateVars); } };
  }

  return { attach };
})();
