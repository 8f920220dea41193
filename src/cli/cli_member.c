/* cli_member: `lectern member add|list` — members and their one-time credentials. */
#include "auth/auth.h"
#include "cli/cli.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

static int member_add(int argc, char **argv)
{
  CliCommon common = { 0 };
  char *name = NULL, *role_text = NULL;
  gboolean verified = FALSE;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Display name (1-100 characters)", "NAME" },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_text, "viewer, editor or admin", "ROLE" },
    { "real-name-verified", 0, 0, G_OPTION_ARG_NONE, &verified,
      "The member's real name is verified (only they earn points)", NULL },
    G_OPTION_ENTRY_NULL
  };
  GOptionContext *ctx = g_option_context_new("- add a member and print its credential once");
  g_option_context_add_main_entries(ctx, entries, NULL);
  cli_common_add(ctx, &common);
  Config config = { 0 };
  Db *db = NULL;
  guint8 secret[TOKEN_SECRET_LEN];
  GError *gerr = NULL;
  int status = 1;
  Role role;

  if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
    cli_print_error("usage", "%s", gerr->message);
    goto out;
  }
  if (!name || !role_text) {
    cli_print_error("usage", "member add needs --name NAME and --role viewer|editor|admin");
    goto out;
  }
  if (role_parse(role_text, &role) < 0) {
    cli_print_error("usage", "--role must be viewer, editor or admin, not '%s'", role_text);
    goto out;
  }
  if (cli_load_config(&common, &config) < 0 || cli_open_store(&config, &db, secret) < 0)
    goto out;

  Member *m = NULL;
  char *token = NULL;
  int ret = auth_member_create(db, secret, name, role, verified, &m, &token);
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
  g_clear_error(&gerr);
  db_close(&db);
  config_clear(&config);
  cli_common_clear(&common);
  g_free(name);
  g_free(role_text);
  g_option_context_free(ctx);
  return status;
}

static int member_list(int argc, char **argv)
{
  CliCommon common = { 0 };
  GOptionContext *ctx = g_option_context_new("- list members");
  cli_common_add(ctx, &common);
  Config config = { 0 };
  Db *db = NULL;
  guint8 secret[TOKEN_SECRET_LEN];
  GError *gerr = NULL;
  GPtrArray *members = NULL;
  int status = 1;

  if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
    cli_print_error("usage", "%s", gerr->message);
    goto out;
  }
  if (cli_load_config(&common, &config) < 0 || cli_open_store(&config, &db, secret) < 0)
    goto out;
  if (db_member_list(db, &members) < 0) {
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
  g_clear_error(&gerr);
  db_close(&db);
  config_clear(&config);
  cli_common_clear(&common);
  g_option_context_free(ctx);
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
