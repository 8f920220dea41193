/* cli_lottery: `lectern lottery verify FILE` (recompute a draw record, no database needed),
 * and the operator's freeze, draw, record and expire on the local database. */
#include "cli/cli.h"
#include "core/util.h"
#include "db/db_lottery.h"
#include "lottery/lottery_draw.h"
#include "lottery/lottery_service.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define RECORD_MAX (512 * 1024 * 1024) /* bytes: 100,000 entries make about 3 MB */

static const LotteryActor cli_actor = { "cli", "lectern CLI" };

static int lottery_verify_file(int argc, char **argv)
{
  char *commitment = NULL;
  GOptionEntry entries[] = {
    { "commitment", 0, 0, G_OPTION_ARG_STRING, &commitment,
      "the entry list's SHA-256 published at the freeze (checked against the record)", "HEX" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  GOptionContext *ctx = g_option_context_new("FILE - recompute a lottery draw record and report every difference "
                                             "(exit 0: it checks out, 1: it does not, 2: not a record)");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *err = NULL;
  int status = 2;
  char *text = NULL;
  gsize len = 0;
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
    fprintf(stderr, "usage: lectern lottery verify FILE [--commitment HEX]%s%s\n", err ? ": " : "",
            err ? err->message : "");
    goto out;
  }
  if (!g_file_get_contents(argv[1], &text, &len, &err) || len > RECORD_MAX) {
    cli_print_error("unreadable", "%s: %s", argv[1], err ? err->message : "too large");
    goto out;
  }
  GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
  int rc = lottery_verify(text, len, commitment, problems);
  JsonObject *o = json_object_new();
  json_object_set_boolean_member(o, "ok", rc == 0);
  LotteryDrawInput *in = NULL;
  LotteryDrawResult *st = NULL;
  char *perr = NULL;
  if (rc != -EINVAL && lottery_record_parse(text, len, &in, &st, &perr) == 0) {
    json_object_set_string_member(o, "entries_sha256", st->entries_sha256);
    json_object_set_int_member(o, "entries", (gint64)in->n_entries);
    json_object_set_int_member(o, "picks", (gint64)st->n_picks);
    json_object_set_int_member(o, "prizes", st->prizes);
    JsonArray *winners = json_array_new();
    for (size_t i = 0; i < st->n_picks; i++)
      if (st->picks[i].entry < in->n_entries)
        json_array_add_string_element(winners, in->entries[st->picks[i].entry].code);
    json_object_set_array_member(o, "winners", winners);
  }
  g_free(perr);
  lottery_draw_input_free(&in);
  lottery_draw_result_free(&st);
  JsonArray *arr = json_array_new();
  for (guint i = 0; i < problems->len; i++) {
    json_array_add_string_element(arr, g_ptr_array_index(problems, i));
    fprintf(stderr, "lectern: %s\n", (char *)g_ptr_array_index(problems, i));
  }
  json_object_set_array_member(o, "problems", arr);
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, o);
  cli_print_json(node);
  g_ptr_array_unref(problems);
  status = rc == 0 ? 0 : rc == -EINVAL ? 2 : 1;
out:
  if (err)
    g_error_free(err);
  g_free(text);
  g_free(commitment);
  g_option_context_free(ctx);
  return status;
}

/* The draw id in ARGV[1], or -1 after printing the usage. */
static gint64 draw_arg(int argc, char **argv, const char *usage)
{
  char *end = NULL;
  gint64 id = argc == 2 ? g_ascii_strtoll(argv[1], &end, 10) : 0;
  if (id <= 0 || !end || *end) {
    fprintf(stderr, "usage: lectern lottery %s\n", usage);
    return -1;
  }
  return id;
}

static const char *why(int rc)
{
  switch (rc) {
  case -ENOENT: return "no such draw";
  case -EALREADY: return "the draw is past that step already";
  case -EAGAIN: return "the draw's entries are not frozen yet";
  case -EINVAL: return "bad public values or no prize tiers";
  default: return "the database could not do it";
  }
}

static int print_draw(Db *db, gint64 id)
{
  LotteryDrawRow *d = NULL;
  if (db_lottery_draw_get(db, id, &d) < 0)
    return 2;
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "id", d->id);
  json_object_set_string_member(o, "state", d->state);
  if (d->entries_sha256) {
    json_object_set_string_member(o, "entries_sha256", d->entries_sha256);
    json_object_set_int_member(o, "entries", d->entries);
    json_object_set_int_member(o, "tickets", d->tickets);
  }
  lottery_draw_row_free(&d);
  JsonNode *n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, o);
  cli_print_json(n);
  return 0;
}

static int lottery_freeze_cmd(int argc, char **argv)
{
  CliRun run = { 0 };
  int status = 2;
  if (cli_run_parse(&run, "DRAW - close a draw's entries now and publish its commitment", NULL, &argc, &argv) < 0)
    goto out;
  gint64 id = draw_arg(argc, argv, "freeze DRAW");
  if (id < 0 || cli_run_open(&run) < 0)
    goto out;
  int rc = lottery_freeze(run.db, id, util_now(), true, &cli_actor);
  if (rc < 0)
    cli_print_error(rc == -ENOENT ? "not_found" : "refused", "draw %" G_GINT64_FORMAT ": %s", id, why(rc));
  else
    status = print_draw(run.db, id);
out:
  cli_run_clear(&run);
  return status;
}

static int lottery_draw_cmd(int argc, char **argv)
{
  CliRun run = { 0 };
  char **values = NULL;
  int status = 2;
  GOptionEntry entries[] = {
    { "value", 0, 0, G_OPTION_ARG_STRING_ARRAY, &values, "a public value (repeat for each)", "V" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  if (cli_run_parse(&run, "DRAW --value V [--value V…] - run a frozen draw with the public values", entries,
                    &argc, &argv) < 0)
    goto out;
  gint64 id = draw_arg(argc, argv, "draw DRAW --value V [--value V…]");
  if (id < 0 || cli_run_open(&run) < 0)
    goto out;
  size_t n = values ? g_strv_length(values) : 0;
  int rc = lottery_draw(run.db, id, values, n, &cli_actor, util_now(), NULL);
  if (rc < 0)
    cli_print_error(rc == -ENOENT ? "not_found" : "refused", "draw %" G_GINT64_FORMAT ": %s", id, why(rc));
  else
    status = print_draw(run.db, id);
out:
  g_strfreev(values);
  cli_run_clear(&run);
  return status;
}

static int lottery_record_cmd(int argc, char **argv)
{
  CliRun run = { 0 };
  int status = 2;
  if (cli_run_parse(&run, "DRAW - print a drawn draw's record (for lottery verify)", NULL, &argc, &argv) < 0)
    goto out;
  gint64 id = draw_arg(argc, argv, "record DRAW");
  if (id < 0 || cli_run_open(&run) < 0)
    goto out;
  LotteryDrawRow *d = NULL;
  if (db_lottery_draw_get(run.db, id, &d) < 0 || !d->record) {
    cli_print_error("not_found", "draw %" G_GINT64_FORMAT " has no record (not drawn, or no such draw)", id);
  } else {
    fputs(d->record, stdout);
    fputc('\n', stdout);
    status = 0;
  }
  lottery_draw_row_free(&d);
out:
  cli_run_clear(&run);
  return status;
}

static int lottery_expire_cmd(int argc, char **argv)
{
  CliRun run = { 0 };
  int status = 2;
  if (cli_run_parse(&run, "- pass every prize unclaimed after its claim deadline to the next reserve", NULL,
                    &argc, &argv) < 0 || cli_run_open(&run) < 0)
    goto out;
  int count = 0;
  if (lottery_expire_unclaimed(run.db, util_now(), &count) < 0) {
    cli_print_error("internal", "could not expire the unclaimed prizes");
    goto out;
  }
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "expired", count);
  JsonNode *n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, o);
  cli_print_json(n);
  status = 0;
out:
  cli_run_clear(&run);
  return status;
}

int cli_lottery(int argc, char **argv)
{
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } subs[] = {
    { "verify", lottery_verify_file }, { "freeze", lottery_freeze_cmd }, { "draw", lottery_draw_cmd },
    { "record", lottery_record_cmd }, { "expire", lottery_expire_cmd },
  };
  for (size_t i = 0; argc >= 2 && i < G_N_ELEMENTS(subs); i++)
    if (strcmp(argv[1], subs[i].name) == 0)
      return subs[i].run(argc - 1, argv + 1);
  fprintf(stderr, "usage: lectern lottery verify FILE [--commitment HEX] | freeze DRAW | "
          "draw DRAW --value V… | record DRAW | expire\n");
  return 2;
}
