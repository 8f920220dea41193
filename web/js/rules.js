// The campaign's rules for members: one row per activity with its rate and daily cap, the
// total daily cap, and (signed in) what the member earned today by each (docs/points.md).
'use strict';
(() => {
  const { api, el, $, start } = window.LecternSite;
  const { t, tf } = window.LecternI18n;
  let rules = null;
  let today = null;

  // What one row pays, in words.
  function rate(a) {
    switch (a.activity) {
      case 'watch': return tf('points_rule', { n: a.rate }) + (a.item_cap !== null && a.item_cap !== undefined ? ' · ' + tf('points_video_cap', { n: a.item_cap }) : '');
      case 'live_bonus': return tf('points_live_bonus', { m: a.minutes, n: a.rate });
      case 'quiz': return tf('rules_quiz_rate', { n: a.rate, q: a.questions, s: a.seconds });
      default: return tf('rules_rate_each', { n: a.rate });
    }
  }

  function render() {
    const k = rules && rules.campaign;
    if (!k) {
      $('#rules-campaign').textContent = t('points_no_campaign');
      $('#rules-rows').replaceChildren();
      return;
    }
    $('#rules-campaign').textContent = `${k.name} · ${tf('campaign_dates', { from: k.starts_on, until: k.ends_on, tz: k.time_zone })}`;
    const got = new Map(((today && today.activities) || []).map((a) => [a.activity, a.points]));
    $('#rules-rows').replaceChildren(...k.activities.map((a) => el('tr', { dataset: { activity: a.activity } },
      el('td', { textContent: t('activity.' + a.activity) }),
      el('td', { textContent: rate(a) }),
      el('td', { className: 'num', textContent: a.daily_cap === null ? t('rules_no_cap') : String(a.daily_cap) }),
      el('td', { className: 'num', textContent: today ? String(got.get(a.activity) || 0) : '–' }))));
    $('#rules-total').textContent = k.daily_total_cap === null ? t('rules_no_total') : tf('rules_total', { n: k.daily_total_cap });
  }

  async function load(member) {
    rules = await api('/rules');
    if (member) today = (await api('/me/points?limit=1', { auth: true })).today;
  }

  start({ load, render, title: () => t('rules_title') });
})();
