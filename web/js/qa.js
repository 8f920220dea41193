// Questions to the presenter (Q&A) on a live page (protocol: schemas/ws/qa.*, rules:
// docs/chat.md). Apart from the chat but on the same /ws connection: on every welcome it
// joins the live's questions, then applies what qa.batch brings. Members ask and upvote
// others' questions (once each); the list is sorted like the presenter's: pinned, still to
// answer, most votes, oldest. Questions are text, put on the page with textContent.
'use strict';
window.LecternQa = (() => {
  const { el, $ } = window.LecternSite;
  const { t } = window.LecternI18n;
  const ERROR_WINDOW_MS = 3000; // an error this soon after our request is ours to show

  // The listing order (the server's qa_order).
  function order(a, b) {
    if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
    const ta = a.state === 'pending' || a.state === 'open';
    const tb = b.state === 'pending' || b.state === 'open';
    if (ta !== tb) return ta ? -1 : 1;
    if (a.votes !== b.votes) return b.votes - a.votes;
    return a.id - b.id;
  }

  function attach(watch, video) {
    const box = $('#qa-box');
    const list = $('#qa-list');
    const form = $('#qa-form');
    const input = $('#qa-input');
    const status = $('#qa-state');
    const questions = new Map();
    const voted = new Set();
    let joined = null;
    let lastSent = 0;
    let stateKey = '';
    box.hidden = false;

    function setState(key) {
      stateKey = key;
      status.textContent = key ? t(key) : '';
      status.hidden = !key;
    }

    function row(q) {
      const li = el('li', { className: `qa-q ${q.state}${q.pinned ? ' pinned' : ''}`, dataset: { id: String(q.id) } });
      const vote = el('button', { type: 'button', className: 'qa-vote', textContent: `▲ ${q.votes}`,
        title: t('qa_upvote'), disabled: !joined || !joined.member || voted.has(q.id) || q.state === 'pending',
        on: { click: () => {
          if (watch.send({ type: 'qa.vote', video, question: q.id })) { lastSent = Date.now(); voted.add(q.id); render(); }
        } } });
      li.append(vote, el('span', { className: 'chat-who', textContent: q.member.display_name }),
        el('span', { className: 'qa-text', textContent: q.text }));
      if (q.state !== 'open') li.append(el('span', { className: `chat-badge qa-badge ${q.state}`, textContent: t(`qa.state.${q.state}`) }));
      if (q.answer) li.append(el('p', { className: 'qa-answer', textContent: q.answer }));
      return li;
    }

    function render() {
      const sorted = [...questions.values()].sort(order);
      list.replaceChildren(...sorted.map(row));
      const can = joined && joined.can_ask;
      input.disabled = !can;
      form.querySelector('button').disabled = !can;
      if (joined) input.maxLength = joined.max_length;
      if (joined && !joined.can_ask && !stateKey) setState('qa.why.' + joined.why_not);
    }

    function receive(m) {
      switch (m.type) {
        case 'welcome':
          watch.send({ type: 'qa.join', video });
          break;
        case 'qa.joined':
          if (m.video !== video) break;
          // Who may ask may upvote (guests and unverified members neither).
          joined = { ...m, member: m.can_ask || m.moderator || m.why_not === 'not_live' };
          questions.clear();
          voted.clear();
          for (const q of m.questions) questions.set(q.id, q);
          for (const id of m.voted) voted.add(id);
          setState('');
          render();
          break;
        case 'qa.batch':
          if (m.video !== video) break;
          for (const q of m.questions) {
            if (q.state === 'dismissed') questions.delete(q.id);
            else questions.set(q.id, q);
          }
          for (const id of m.removed) questions.delete(id);
          if (m.premoderate !== undefined && joined) joined.premoderate = m.premoderate;
          render();
          break;
        case 'error':
          if (Date.now() - lastSent > ERROR_WINDOW_MS) break;
          if (t('qa.why.' + m.code) !== 'qa.why.' + m.code) setState('qa.why.' + m.code);
          else if (t('chat.why.' + m.code) !== 'chat.why.' + m.code) setState('chat.why.' + m.code);
          break;
        default:
          break;
      }
    }

    watch.addListener(receive);
    if (watch.welcomed) watch.send({ type: 'qa.join', video });

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text || !joined || !joined.can_ask) return;
      if (watch.send({ type: 'qa.ask', video, text })) {
        lastSent = Date.now();
        input.value = '';
        setState(joined.premoderate && !joined.moderator ? 'qa_awaiting' : '');
      } else {
        setState('chat.why.offline');
      }
    });

    return { rerender: () => { if (stateKey) setState(stateKey); render(); } };
  }

  return { attach, order };
})();
