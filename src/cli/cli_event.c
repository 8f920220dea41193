/* cli_event: `lectern event create|rekey` and `lectern video show` — schedule lives, replace
 * their keys, read videos. */
#include "auth/auth.h"
#include "cli/cli.h"
#include "db/db_audit.h"
#include "db/db_video.h"
#include "media/event.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int event_create_cmd(int argc, char **argv)
{
  CliRun run = { 0 };
  char *title = NULL, *presenter = NULL, *kind = NULL, *starts = NULL;
  GOptionEntry entries[] = {
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, "Lesson title (1-200 characters)", "T" },
    { "presenter", 0, 0, G_OPTION_ARG_STRING, &presenter, "Presenter's name", "P" },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind, "model-worker, volunteer, teacher or other", "K" },
    { "starts", 0, 0, G_OPTION_ARG_STRING, &starts, "Scheduled start, ISO 8601 with a zone", "ISO8601" },
    G_OPTION_ENTRY_NULL
  };
  int status = 1;

  if (cli_run_parse(&run, "- schedule a live lesson and print its stream key once", entries, &argc, &argv) < 0)
    goto out;
  if (!title) {
    cli_print_error("usage", "event create needs --title T");
    goto out;
  }
  if (cli_run_open(&run) < 0)
    goto out;
  EventRequest req = { title, presenter, kind, starts };
  JsonNode *node = NULL;
  const char *field = NULL, *msg = NULL;
  int rc = event_create(run.db, &run.config, run.secret, &req, NULL, &node, &field, &msg);
  if (rc == -EINVAL) {
    cli_print_error("invalid_field", "--%s: %s", !strcmp(field, "presenter") ? "presenter" : field, msg);
    goto out;
  }
  if (rc < 0) {
    cli_print_error("internal", "could not schedule the lesson: %s", g_strerror(-rc));
    goto out;
  }
  cli_print_json(node);
  status = 0;
out:
  cli_run_clear(&run);
  g_free(title);
  g_free(presenter);
  g_free(kind);
  g_free(starts);
  return status;
}

static int event_rekey_cmd(int argc, char **argv)
{
  CliRun run = { 0 };
  int status = 1;
  if (cli_run_parse(&run, "ID - give a live that has not gone on air a new stream key, printed once; "
                    "the old key is refused from now on", NULL, &argc, &argv) < 0)
    goto out;
  if (argc != 2) {
    cli_print_error("usage", "event rekey needs one video id");
    goto out;
  }
  if (cli_run_open(&run) < 0)
    goto out;
  const char *id = argv[1];
  JsonNode *node = NULL;
  int rc = db_begin(run.db);
  if (rc == 0 && (rc = event_rekey(run.db, &run.config, run.secret, id, &node)) == 0 &&
      (rc = db_audit_add(run.db, CLI_ACTOR_ID, CLI_ACTOR_NAME, "video.rekey", "video", id, NULL)) == 0)
    rc = db_commit(run.db);
  if (rc < 0) {
    db_rollback(run.db);
    if (node)
      json_node_unref(node);
    if (rc == -ENOENT)
      cli_print_error("not_found", "no video %s", id);
    else if (rc == -EBUSY)
      cli_print_error("on_air", "the live %s is on air: its key cannot change until the stream stops", id);
    else if (rc == -EINVAL)
      cli_print_error("not_scheduled", "only a live that has not gone on air gets a new key; %s is not one", id);
    else
      cli_print_error("internal", "could not replace the key: %s", g_strerror(-rc));
    goto out;
  }
  cli_print_json(node);
  status = 0;
out:
  cli_run_clear(&run);
  return status;
}

int cli_event(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "create") == 0)
    return event_create_cmd(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "rekey") == 0)
    return event_rekey_cmd(argc - 1, argv + 1);
  fprintf(stderr, "usage: lectern event create --title T [--presenter P] "
                  "[--kind model-worker|volunteer|teacher|other] [--starts ISO8601]\n"
                  "       lectern event rekey ID\n");
  return 2;
}

static int video_show(int argc, char **argv)
{
  CliRun run = { 0 };
  int status = 1;
  if (cli_run_parse(&run, "ID - print a video as JSON", NULL, &argc, &argv) < 0)
    goto out;
  if (argc != 2) {
    cli_print_error("usage", "video show needs one video id");
    goto out;
  }
  if (cli_run_open(&run) < 0)
    goto out;
  int rc = 0;
  JsonNode *node = db_video_json(run.db, argv[1], &rc);
  if (!node) {
    cli_print_error(rc == -ENOENT ? "not_found" : "internal", "no video %s", argv[1]);
    goto out;
  }
  cli_print_json(node);
  status = 0;
out:
  cli_run_clear(&run);
  return status;
}

int cli_video(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "show") == 0)
    return video_show(argc - 1, argv + 1);
  fprintf(stderr, "usage: lectern video show ID\n");
  return 2;
}
