// The presenter view (docs/chat.md): opened with the live's presenter link
// (/presenter.html#key=…), not an editor account. Every 2 s it asks the server for the live's
// state, audience and questions (POST /api/v1/presenter with the link in the body: never in
// a URL the server logs), sorted by votes; the presenter approves, answers live (pinned),
// answers in text, pins or dismisses a question. The link opens that one live only.
'use strict';
(() => {
  const { api, el, $, start, clock } = window.LecternSite;
  const { t, tf } = window.LecternI18n;
  const POLL_MS = 2000;
  const key = new URLSearchParams(location.hash.slice(1)).get('key') || '';
  let view = null;
  let failed = '';
  let answering = 0; // the question whose answer form is open

  function setStatus(text) {
    $('#pv-status').textContent = text;
    $('#pv-status').hidden = !text;
  }

  async function act(q, action, answer) {
    try {
      const body = { key, action };
      if (answer !== undefined) body.answer = answer;
      await api(`/presenter/questions/${q.id}`, { method: 'POST', body });
      answering = 0;
      setStatus('');
      await poll();
    } catch (e) {
      setStatus(tf('presenter_failed', { why: e.message }));
    }
  }

  function button(labelKey, cls, onClick) {
    return el('button', { type: 'button', className: `link ${cls}`, textContent: t(labelKey), on: { click: onClick } });
  }

  function row(q) {
    const li = el('li', { className: `qa-q ${q.state}${q.pinned ? ' pinned' : ''}`, dataset: { id: String(q.id) } },
      el('span', { className: 'pill qa-votes', textContent: tf('presenter_votes', { n: q.votes }) }),
      el('span', { className: 'chat-who', textContent: q.member.display_name }),
      el('span', { className: 'qa-text', textContent: q.text }));
    if (q.state !== 'open') li.append(el('span', { className: `chat-badge qa-badge ${q.state}`, textContent: t(`qa.state.${q.state}`) }));
    if (q.answer) li.append(el('p', { className: 'qa-answer', textContent: q.answer }));
    const tools = el('span', { className: 'chat-tools' });
    if (q.state === 'pending') tools.append(button('presenter_approve', 'pv-approve', () => act(q, 'approve')));
    if (q.state !== 'answered_live') tools.append(button('presenter_answer_live', 'pv-answer-live', () => act(q, 'answer_live')));
    tools.append(button('presenter_answer_text', 'pv-answer-text', () => { answering = q.id; render(); }));
    if (q.state !== 'pending') {
      tools.append(q.pinned ? button('presenter_unpin', 'pv-unpin', () => act(q, 'unpin'))
        : button('presenter_pin', 'pv-pin', () => act(q, 'pin')));
    }
    tools.append(button('presenter_dismiss', 'pv-dismiss', () => act(q, 'dismiss')));
    li.append(tools);
    if (answering === q.id) {
      const input = el('input', { type: 'text', maxLength: 1000, className: 'pv-answer-input', placeholder: t('presenter_answer_prompt') });
      const form = el('form', { className: 'chat-form', on: { submit: (e) => { e.preventDefault(); act(q, 'answer', input.value); } } },
        input, el('button', { type: 'submit', textContent: t('presenter_answer_text') }));
      li.append(form);
    }
    return li;
  }

  function render() {
    if (failed) {
      $('#pv-title').textContent = '';
      $('#pv-state').textContent = '';
      setStatus(t(failed));
      return;
    }
    if (!view) return;
    $('#pv-title').textContent = view.title;
    $('#pv-state').textContent = t(view.live ? 'presenter_on_air' : 'presenter_off_air');
    $('#pv-state').classList.toggle('on-air', view.live);
    $('#pv-clock').textContent = view.live && view.live_seconds !== null ? clock(view.live_seconds) : '';
    $('#pv-audience').textContent = String(view.audience);
    // An open answer form is not redrawn away under the presenter's typing.
    if (answering && document.activeElement && document.activeElement.classList.contains('pv-answer-input')) return;
    const sorted = [...view.questions].sort(window.LecternQa.order);
    $('#pv-list').replaceChildren(...sorted.map(row));
    $('#pv-none').hidden = sorted.length > 0;
  }

  async function poll() {
    try {
      view = await api('/presenter', { method: 'POST', body: { key } });
      failed = '';
    } catch (e) {
      if (e.status === 401) failed = 'presenter_bad_link';
      else setStatus(tf('presenter_failed', { why: e.message }));
    }
    render();
  }

  start({
    load: async () => {
      if (!key) { failed = 'presenter_bad_link'; return; }
      await poll();
      setInterval(poll, POLL_MS);
    },
    render,
    title: () => t('presenter_title'),
  });
})();
