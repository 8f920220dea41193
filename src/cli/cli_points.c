/* cli_points: `lectern points check` — the points aggregates recomputed from the ledger. */
#include "cli/cli.h"
#include "db/db_points.h"

#include <stdio.h>
#include <string.h>

/* Differences listed in full; the count says how many there are past that. */
#define CHECK_LIST_MAX 100

static int points_check(int argc, char **argv)
{
  CliRun run = { 0 };
  int status = 2;
  if (cli_run_parse(&run, "- recompute the points aggregates from the ledger and report any "
                    "difference (exit 1 when there is one)", NULL, &argc, &argv) < 0 ||
      cli_run_open(&run) < 0)
    goto out;
  JsonNode *diff = NULL;
  gint64 count = 0, members = 0, days = 0;
  if (db_points_check(run.db, CHECK_LIST_MAX, &diff, &count, &members, &days) < 0) {
    cli_print_error("internal", "could not read the ledger and the aggregates");
    goto out;
  }
  JsonObject *o = json_object_new();
  json_object_set_boolean_member(o, "ok", count == 0);
  json_object_set_int_member(o, "members", members);
  json_object_set_int_member(o, "days", days);
  json_object_set_int_member(o, "differences", count);
  json_object_set_member(o, "listed", diff);
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, o);
  cli_print_json(node);
  if (count)
    fprintf(stderr, "lectern: %" G_GINT64_FORMAT " difference(s) between the ledger and its "
            "aggregates\n", count);
  status = count ? 1 : 0;
out:
  cli_run_clear(&run);
  return status;
}

int cli_points(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "check") == 0)
    return points_check(argc - 1, argv + 1);
  fprintf(stderr, "usage: lectern points check [OPTIONS]\n");
  return 2;
}
