/* cli_vote: `lectern vote recount ID` — a vote's tally counted again from its ballot log and
 * compared with the result published when it closed (docs/votes.md). */
#include "cli/cli.h"
#include "club/vote_contest.h"
#include "club/vote_tally.h"

#include <stdio.h>
#include <string.h>

static int vote_recount(int argc, char **argv)
{
  CliRun run = { 0 };
  int status = 2;
  VoteContest *c = NULL;
  gint64 id = 0;
  if (cli_run_parse(&run, "ID - count a vote again from its ballot log and compare it with the "
                    "published result (exit 1 when they differ)", NULL, &argc, &argv) < 0)
    goto out;
  if (argc != 2 || !g_ascii_string_to_signed(argv[1], 10, 1, G_MAXINT64, &id, NULL)) {
    cli_print_error("usage", "usage: lectern vote recount ID");
    goto out;
  }
  if (cli_run_open(&run) < 0)
    goto out;
  if (vote_contest_get(run.db, id, &c) < 0) {
    cli_print_error("not_found", "no such vote: %s", argv[1]);
    goto out;
  }
  char *text = NULL, *sha = NULL;
  bool match = false;
  if (vote_tally_recount(run.db, c, &text, &sha, &match) < 0) {
    cli_print_error("internal", "could not read the ballot log");
    goto out;
  }
  bool closed = strcmp(c->state, "closed") == 0;
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "vote", c->id);
  json_object_set_string_member(o, "state", c->state);
  json_object_set_string_member(o, "recount_sha256", sha);
  json_object_set_string_member(o, "recount", text);
  if (closed) {
    json_object_set_string_member(o, "published_sha256", c->result_sha256);
    json_object_set_boolean_member(o, "match", match);
  } else {
    json_object_set_null_member(o, "published_sha256");
    json_object_set_null_member(o, "match");
  }
  g_free(text);
  g_free(sha);
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, o);
  cli_print_json(node);
  if (closed && !match)
    fprintf(stderr, "lectern: vote %" G_GINT64_FORMAT ": the recount differs from the published result\n", id);
  status = closed && !match ? 1 : 0;
out:
  vote_contest_free(&c);
  cli_run_clear(&run);
  return status;
}

int cli_vote(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "recount") == 0)
    return vote_recount(argc - 1, argv + 1);
  fprintf(stderr, "usage: lectern vote recount ID [OPTIONS]\n");
  return 2;
}
