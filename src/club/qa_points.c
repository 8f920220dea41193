/* qa_points: points for an approved question, once, capped. */
#include "club/qa_points.h"
#include "db/db_points.h"
#include "points/points.h"

#include <errno.h>

int qa_points_award(Db *db, gint64 question, const char *member, const char *video, gint64 now,
                    gint64 *amount)
{
  *amount = 0;
  Campaign *k = NULL;
  int ret = db_campaign_active(db, now, &k);
  if (ret == -ENOENT)
    return 0;
  if (ret < 0)
    return ret;
  const CampaignActivity *act = &k->act[ACT_QUESTION];
  bool may = false;
  gint64 allowed = 0;
  g_autofree char *day = points_local_day(k, now);
  g_autofree char *key = g_strdup_printf("question:%" G_GINT64_FORMAT, question);
  if (!act->on || act->rate <= 0)
    goto out;
  if ((ret = points_may_earn(db, member, &may)) < 0 || !may)
    goto out;
  if ((ret = points_allowed(db, k, ACT_QUESTION, member, day, act->rate, &allowed)) < 0)
    goto out;
  if (act->item_cap >= 0) {
    gint64 on_live = 0;
    if ((ret = db_ledger_sum(db, member, video, k->id, NULL, "question", &on_live)) < 0)
      goto out;
    allowed = MIN(allowed, MAX(0, act->item_cap - on_live));
  }
  if (allowed <= 0)
    goto out;
  LedgerEntry e = { .member_id = member, .amount = allowed, .reason = "question", .video_id = video,
                    .campaign_id = k->id, .local_day = day, .key = key, .note = "approved question",
                    .at = now };
  ret = db_ledger_add(db, &e);
  if (ret == 0)
    *amount = allowed;
  else if (ret == -EEXIST)
    ret = 0; /* paid before */
out:
  campaign_free(&k);
  return ret;
}
