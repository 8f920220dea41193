// The end of a lesson: it is marked as completed (in this browser; site.js's cards show it)
// and an end screen offers to watch it again or to go on to the next lesson of its column.
'use strict';
window.LecternEnd = (() => {
  const { api, videoUrl, isDone, markDone, $ } = window.LecternSite;
  const { t } = window.LecternI18n;

  // The column the lesson is watched in: the one named by ?c= when the lesson is in it, else
  // the first it belongs to.
  function columnOf(info) {
    const cols = info.columns || [];
    const want = new URLSearchParams(location.search).get('c');
    return cols.find((c) => c.slug === want) || cols[0] || null;
  }

  // The next playable lesson after INFO in COLUMN (editors' order), or null.
  async function nextIn(column, info) {
    const data = await api(`/columns/${encodeURIComponent(column.slug)}`);
    const videos = (data.items || []).map((i) => i.video).filter(Boolean);
    const at = videos.findIndex((v) => v.id === info.id);
    if (at < 0) return null;
    return videos.slice(at + 1).find((v) => v.state === 'ready' || v.state === 'live') || null;
  }

  class EndScreen {
    constructor(player, info) {
      this.player = player;
      this.info = info;
      this.next = undefined;  // not looked up yet
      const v = player.video;
      v.addEventListener('ended', () => this.show());
      for (const ev of ['play', 'seeking']) v.addEventListener(ev, () => { $('#end-screen').hidden = true; });
      $('#end-replay').addEventListener('click', () => {
        player.chosePosition = true;
        v.currentTime = 0;
        v.play().catch(() => {});
      });
      this.renderDone();
    }

    renderDone() {
      const done = isDone(this.info.id);
      $('#done-badge').hidden = !done;
      $('#done-badge').textContent = done ? `✓ ${t('completed')}` : '';
    }

    async show() {
      if (this.player.live) return;
      markDone(this.info.id);
      this.renderDone();
      $('#end-screen').hidden = false;
      const column = columnOf(this.info);
      if (this.next === undefined && column) {
        try {
          this.next = await nextIn(column, this.info);
        } catch (e) {
          this.next = null;
        }
      }
      this.render();
    }

    render() {
      const column = columnOf(this.info);
      const link = $('#end-next');
      const note = $('#end-note');
      link.hidden = !this.next;
      if (this.next) {
        link.href = `${videoUrl(this.next.id)}&c=${encodeURIComponent(column.slug)}`;
        link.textContent = `${t('next_lesson')}：${this.next.title} →`;
      }
      note.hidden = !!this.next || !column;
      note.textContent = column && !this.next ? `${column.title} · ${t('column_done')}` : '';
    }

    rerender() {
      this.renderDone();
      if (this.next !== undefined) this.render();
    }
  }

  return { EndScreen };
})();
