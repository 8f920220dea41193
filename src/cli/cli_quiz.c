/* cli_quiz: `lectern quiz import FILE` (a question bank from CSV or JSON) and `lectern quiz
 * list` (the bank with each question's correct rate). */
#include "cli/cli.h"
#include "club/quiz_bank.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int quiz_import(int argc, char **argv)
{
  CliRun run = { 0 };
  char *format = NULL;
  int status = 2;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "csv or json (default: from the file's first character)", "F" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  char *data = NULL;
  gsize len = 0;
  GPtrArray *qs = NULL;
  char *why = NULL;
  if (cli_run_parse(&run, "FILE - import quiz questions from CSV or JSON (a changed question "
                    "becomes a new version)", entries, &argc, &argv) < 0)
    goto out;
  if (argc != 2) {
    fprintf(stderr, "usage: lectern quiz import FILE [--format csv|json]\n");
    goto out;
  }
  GError *e = NULL;
  if (!g_file_get_contents(argv[1], &data, &len, &e)) {
    cli_print_error("not_found", "cannot read %s: %s", argv[1], e->message);
    g_error_free(e);
    status = 1;
    goto out;
  }
  if (quiz_bank_parse(data, len, format, &qs, &why) < 0) {
    cli_print_error("invalid_file", "%s: %s", argv[1], why);
    status = 1;
    goto out;
  }
  if (cli_run_open(&run) < 0)
    goto out;
  QuizImportStats st;
  int rc = db_begin(run.db);
  if (rc == 0 && (rc = quiz_bank_import(run.db, qs, util_now(), &st)) == 0)
    rc = db_commit(run.db);
  else if (rc == 0)
    db_rollback(run.db);
  if (rc < 0) {
    cli_print_error("internal", "could not store the questions (%s)", g_strerror(-rc));
    status = 1;
    goto out;
  }
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "questions", qs->len);
  json_object_set_int_member(o, "added", st.added);
  json_object_set_int_member(o, "changed", st.changed);
  json_object_set_int_member(o, "unchanged", st.unchanged);
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, o);
  cli_print_json(node);
  status = 0;
out:
  if (qs)
    g_ptr_array_unref(qs);
  g_free(why);
  g_free(data);
  g_free(format);
  cli_run_clear(&run);
  return status;
}

static int quiz_list(int argc, char **argv)
{
  CliRun run = { 0 };
  int status = 2, rc = 0;
  if (cli_run_parse(&run, "- the question bank with each question's correct rate", NULL, &argc, &argv) < 0 ||
      cli_run_open(&run) < 0)
    goto out;
  JsonNode *arr = quiz_bank_list_json(run.db, &rc);
  if (!arr) {
    cli_print_error("internal", "could not read the questions");
    status = 1;
    goto out;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "questions", arr);
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, o);
  cli_print_json(node);
  status = 0;
out:
  cli_run_clear(&run);
  return status;
}

int cli_quiz(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "import") == 0)
    return quiz_import(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "list") == 0)
    return quiz_list(argc - 1, argv + 1);
  fprintf(stderr, "usage: lectern quiz import FILE [--format csv|json] | lectern quiz list [OPTIONS]\n");
  return 2;
}
