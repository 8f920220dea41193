/* cli_member: `lectern member add|list` — members and their one-time credentials. */
#include "auth/auth.h"
#include "cli/cli.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

static int member_add(int argc, char **argv)
{
  CliRun run = { 0 };
  char *name = NULL, *role_text = NULL;
  gboolean verified = FALSE;
  gint count = 0;
  GOptionEntry entries[] = {
    { "count", 0, 0, G_OPTION_ARG_INT, &count,
      "Add N members named \"NAME 1\" … \"NAME N\" in one transaction and print them as a JSON "
      "array (for load tests)", "N" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Display name (1-100 characters)", "NAME" },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_text, "viewer, editor or admin", "ROLE" },
    { "real-name-verified", 0, 0, G_OPTION_ARG_NONE, &verified,
      "The member's real name is verified (only they earn points)", NULL },
    G_OPTION_ENTRY_NULL
  };
  int status = 1;
  Role role;

  if (cli_run_parse(&run, "- add a member and print its credential once", entries, &argc, &argv) < 0)
    goto out;
  if (!name || !role_text) {
    cli_print_error("usage", "member add needs --name NAME and --role viewer|editor|admin");
    goto out;
  }
  if (role_parse(role_text, &role) < 0) {
    cli_print_error("usage", "--role must be viewer, editor or admin, not '%s'", role_text);
    goto out;
  }
  if (count < 0 || count > 100000) {
    cli_print_error("usage", "--count must be 1 to 100000");
    goto out;
  }
  if (cli_run_open(&run) < 0)
    goto out;
  if (count > 0) {
    JsonArray *arr = json_array_new();
    int ret = db_begin(run.db);
    for (int i = 1; ret == 0 && i <= count; i++) {
      Member *m = NULL;
      char *token = NULL;
      g_autofree char *nth = g_strdup_printf("%s %d", name, i);
      if ((ret = auth_member_create(run.db, run.secret, nth, role, verified, &m, &token)) == 0)
        json_array_add_element(arr, auth_member_json(m, token));
      member_free(&m);
      g_free(token);
    }
    if (ret == 0)
      ret = db_commit(run.db);
    if (ret < 0) {
      db_rollback(run.db);
      json_array_unref(arr);
      cli_print_error("internal", "could not add the members: %s", g_strerror(-ret));
      goto out;
    }
    JsonNode *node = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(node, arr);
    cli_print_json(node);
    status = 0;
    goto out;
  }

  Member *m = NULL;
  char *token = NULL;
  int ret = auth_member_create(run.db, run.secret, name, role, verified, &m, &token);
  if (ret == -EINVAL) {
    cli_print_error("invalid_name", "--name must be 1 to 100 characters of UTF-8");
    goto out;
  }
  if (ret < 0) {
    cli_print_error("internal", "could not add the member: %s", g_strerror(-ret));
    goto out;
  }
  cli_print_json(auth_member_json(m, token));
  member_free(&m);
  g_free(token);
  status = 0;
out:
  cli_run_clear(&run);
  g_free(name);
  g_free(role_text);
  return status;
}

static int member_list(int argc, char **argv)
{
  CliRun run = { 0 };
  GPtrArray *members = NULL;
  int status = 1;

  if (cli_run_parse(&run, "- list members", NULL, &argc, &argv) < 0 || cli_run_open(&run) < 0)
    goto out;
  if (db_member_list(run.db, &members) < 0) {
    cli_print_error("internal", "could not read members");
    goto out;
  }
  JsonArray *arr = json_array_new();
  for (guint i = 0; i < members->len; i++)
    json_array_add_element(arr, auth_member_json(members->pdata[i], NULL));
  JsonObject *obj = json_object_new();
  json_object_set_array_member(obj, "members", arr);
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, obj);
  cli_print_json(node);
  status = 0;
out:
  if (members)
    g_ptr_array_unref(members);
  cli_run_clear(&run);
  return status;
}

int cli_member(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "add") == 0)
    return member_add(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "list") == 0)
    return member_list(argc - 1, argv + 1);
  cli_print_error("usage", "usage: lectern member add|list [OPTIONS]");
  return 1;
}
