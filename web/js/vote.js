// The vote page (网络投票): without ?id= the list of votes; with it one vote — its rules, the
// member's votes left today, a button per item, and the counts when the vote's rules show
// them (docs/votes.md). The server decides everything; the page only shows what it says.
'use strict';
(() => {
  const { api, el, when, videoUrl, $, start, notice, ApiError } = window.LecternSite;
  const { t, tf } = window.LecternI18n;
  const id = new URLSearchParams(location.search).get('id');
  let member = null;
  let votes = null;     // the list (no id)
  let vote = null;      // the vote with its items
  // Where an item is seen: the player, the article, or (an accepted PDF) its first page.
  const itemUrl = (it) => it.kind === 'article' ? `/article.html?id=${encodeURIComponent(it.id)}`
    : it.kind === 'submission' ? (it.poster_url || '#') : videoUrl(it.id);
  let results = null;   // what the results route shows
  let mine = null;      // the member's day
  let busy = false;

  // A refusal in the member's language: the server's code has a text, else its message.
  const refusal = (e) => (e instanceof ApiError && e.code && t('vote_err.' + e.code) !== 'vote_err.' + e.code
    ? t('vote_err.' + e.code) : e.message);

  function renderList() {
    $('#vote-list-box').hidden = false;
    $('#vote-list').replaceChildren(...(votes.length ? votes.map((v) => el('li', {},
      el('a', { href: `/vote.html?id=${v.id}`, textContent: v.title }),
      el('span', { className: 'meta', textContent: ` · ${t('vote_state.' + v.state)} · ${when(v.opens_at)} – ${when(v.closes_at)}` })))
      : [el('li', { className: 'empty', textContent: t('vote_none') })]));
  }

  // A bar as long as SHARE of the most votes (set through the CSSOM: the CSP allows no
  // style attributes).
  function bar(share) {
    const b = el('div', { className: 'bar' });
    b.style.width = `${Math.round(100 * share)}%`;
    return b;
  }

  function renderVote() {
    $('#vote-box').hidden = false;
    $('#vote-title').textContent = vote.title;
    $('#vote-desc').textContent = vote.description;
    $('#vote-rules').replaceChildren(
      el('li', { textContent: tf('vote_window', { from: when(vote.opens_at), until: when(vote.closes_at) }) }),
      el('li', { textContent: tf('vote_rule_per_day', { n: vote.votes_per_day }) }),
      el('li', { textContent: t('vote_rule_verified') }),
      el('li', { textContent: t('vote_tally.' + vote.tally) }));
    const remaining = mine ? mine.remaining : null;
    $('#vote-remaining').textContent = remaining === null ? '–' : String(remaining);
    $('#vote-status').textContent = !member ? t('vote_signin')
      : mine && mine.blocked ? t('vote_err.' + mine.blocked) : '';
    const shown = results ? results.shown : 'hidden';
    $('#vote-shown').textContent = shown === 'delayed' ? tf('vote_shown_delayed', { at: when(results.as_of) })
      : shown === 'hidden' ? t('vote_shown_hidden') : shown === 'final' ? t('vote_shown_final') : '';
    const tally = results && results.tally;
    const counts = new Map(tally ? tally.items.map((c) => [`${c.kind}:${c.id}`, c]) : []);
    const most = tally ? Math.max(1, ...tally.items.map((c) => c.votes)) : 1;
    const today = new Set(mine ? mine.today.map((x) => `${x.kind}:${x.id}`) : []);
    // Items in rank order when counts are shown, else in the vote's order.
    const items = vote.items.slice();
    if (tally) items.sort((a, b) => counts.get(`${a.kind}:${a.id}`).rank - counts.get(`${b.kind}:${b.id}`).rank || a.position - b.position);
    $('#vote-items').replaceChildren(...items.map((it) => {
      const key = `${it.kind}:${it.id}`;
      const c = counts.get(key);
      const voted = today.has(key);
      const canVote = member && mine && !mine.blocked && !voted && mine.remaining > 0 && !busy;
      const button = el('button', { type: 'button', className: voted ? 'voted' : '', disabled: !canVote,
        textContent: voted ? t('vote_voted') : t('vote_button'), dataset: { item: it.id },
        on: { click: () => cast(it) } });
      return el('li', { className: 'vote-item', dataset: { item: it.id } },
        it.poster_url ? el('img', { src: it.poster_url, alt: '', loading: 'lazy' }) : el('div', { className: 'noposter' }),
        el('div', {},
          el('h3', {}, el('a', { href: itemUrl(it), textContent: it.title || it.id })),
          c ? el('p', { className: 'meta' }, tf('vote_rank', { r: c.rank }), ' · ',
            el('span', { className: 'count', textContent: tf('vote_count', { n: c.votes }) })) : null,
          c ? bar(c.votes / most) : null),
        button);
    }));
    const hash = $('#vote-hash');
    hash.hidden = shown !== 'final';
    if (shown === 'final') {
      hash.textContent = tf('vote_hash', { sha: results.sha256, valid: results.tally.valid, invalid: results.tally.invalidated });
    }
  }

  function render() {
    if (id && vote) renderVote();
    else if (!id && votes) renderList();
  }

  async function refresh() {
    const [r, m] = await Promise.all([
      // Signed in, the results are asked with the session (editors see their live count);
      // a guest's go without cookies, so shared caches may keep them.
      api(`/votes/${id}/results`, { auth: !!member }),
      member ? api(`/votes/${id}/me`, { auth: true }) : Promise.resolve(null)]);
    results = r;
    mine = m;
  }

  async function cast(it) {
    busy = true;
    render();
    try {
      const r = await api(`/votes/${id}/ballots`, { auth: true, method: 'POST', body: { kind: it.kind, item: it.id } });
      notice(tf('vote_thanks', { n: r.remaining }));
    } catch (e) {
      notice(refusal(e), true);
    }
    busy = false;
    try { await refresh(); } catch (e) { notice(e.message, true); }
    render();
  }

  async function load(m) {
    member = m;
    if (!id) {
      votes = (await api('/votes')).votes;
      return;
    }
    vote = await api(`/votes/${encodeURIComponent(id)}`);
    await refresh();
  }

  start({ load, render, title: () => (vote ? vote.title : t('vote_list_title')) });
})();
