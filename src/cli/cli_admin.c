/* cli_admin: `lectern migrate`, `lectern config sample|check`, `lectern demo`. */
#include "auth/auth.h"
#include "auth/password.h"
#include "core/util.h"
#include "cli/cli.h"
#include "db/db_column.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cli_migrate(int argc, char **argv)
{
  CliRun run = { 0 };
  int status = 1;
  if (cli_run_parse(&run, "- create or upgrade the database", NULL, &argc, &argv) < 0 ||
      cli_run_open(&run) < 0)
    goto out;
  JsonObject *o = json_object_new();
  json_object_set_string_member(o, "database", run.db->path);
  json_object_set_int_member(o, "schema_version", db_schema_version(run.db));
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, o);
  cli_print_json(node);
  status = 0;
out:
  cli_run_clear(&run);
  return status;
}

int cli_config(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "sample") == 0) {
    char *text = config_render_sample();
    fputs(text, stdout);
    g_free(text);
    return 0;
  }
  if (argc >= 2 && strcmp(argv[1], "check") == 0) {
    CliRun run = { 0 };
    Config *config = &run.config;
    int status = 1;
    int n = argc - 1;
    char **args = argv + 1;
    if (cli_run_parse(&run, "- validate a configuration file", NULL, &n, &args) == 0 &&
        cli_load_config(&run.common, config) == 0) {
      JsonObject *o = json_object_new();
      json_object_set_boolean_member(o, "ok", TRUE);
      json_object_set_string_member(o, "data_dir", config->data_dir);
      json_object_set_int_member(o, "http_port", config->http_port);
      json_object_set_int_member(o, "rtmp_port", config->rtmp_port);
      JsonNode *node = json_node_new(JSON_NODE_OBJECT);
      json_node_take_object(node, o);
      cli_print_json(node);
      status = 0;
    }
    cli_run_clear(&run);
    return status;
  }
  cli_print_error("usage", "usage: lectern config sample|check [OPTIONS]");
  return 1;
}

/* Demo content: members of each role and the union's themed columns. Their
 * credentials are written to <data_dir>/demo-credentials.json (0600), which
 * also marks the demo as done so a second run changes nothing. */
static const struct { const char *name; Role role; bool verified; const char *key, *login; } demo_members[] = {
  { "演示管理员 Demo Admin", ROLE_ADMIN, true, "admin", "demo-admin" },
  { "演示编辑 Demo Editor", ROLE_EDITOR, true, "editor", "demo-editor" },
  { "演示学员 Demo Viewer", ROLE_VIEWER, true, "viewer", "demo-viewer" },
  { "访客学员 Unverified Viewer", ROLE_VIEWER, false, "unverified_viewer", "demo-unverified" },
};

static const struct { const char *slug, *title, *description; } demo_columns[] = {
  { "shuangjian", "助力\"双减\"工会在行动", "劳模工匠、志愿教师走进课后服务课堂。" },
  { "health", "健康大讲坛", "医生、体育教师讲身心健康。" },
  { "masters", "名师空中课堂", "优秀教师的示范课与讲座。" },
};

int cli_demo(int argc, char **argv)
{
  CliRun run = { 0 };
  int status = 1;
  char *cred_path = NULL, *existing = NULL;

  if (cli_run_parse(&run, "- load demo members and columns (once)", NULL, &argc, &argv) < 0 ||
      cli_run_open(&run) < 0)
    goto out;
  Db *db = run.db;
  cred_path = g_build_filename(run.config.data_dir, "demo-credentials.json", NULL);
  if (g_file_get_contents(cred_path, &existing, NULL, NULL)) {
    fputs(existing, stdout);
    status = 0;
    goto out;
  }

  if (db_begin(db) < 0) {
    cli_print_error("internal", "database is busy");
    goto out;
  }
  JsonObject *members = json_object_new();
  for (unsigned i = 0; i < G_N_ELEMENTS(demo_members); i++) {
    Member *m = NULL;
    char *token = NULL;
    if (auth_member_create(db, run.secret, demo_members[i].name, demo_members[i].role,
                           demo_members[i].verified, &m, &token) < 0) {
      db_rollback(db);
      json_object_unref(members);
      cli_print_error("internal", "could not create demo members");
      goto out;
    }
    /* A sign-in name and a made-up password too, for the sign-in page. */
    g_autofree char *password = util_random_id(12);
    if (password_set(db, m->id, demo_members[i].login, password) < 0) {
      db_rollback(db);
      json_object_unref(members);
      member_free(&m);
      g_free(token);
      cli_print_error("internal", "could not give the demo members passwords");
      goto out;
    }
    JsonNode *mj = auth_member_json(m, token);
    json_object_set_string_member(json_node_get_object(mj), "login", demo_members[i].login);
    json_object_set_string_member(json_node_get_object(mj), "password", password);
    json_object_set_member(members, demo_members[i].key, mj);
    member_free(&m);
    g_free(token);
  }
  JsonArray *columns = json_array_new();
  for (unsigned i = 0; i < G_N_ELEMENTS(demo_columns); i++) {
    gint64 id;
    int ret = db_column_insert(db, demo_columns[i].slug, demo_columns[i].title,
                               demo_columns[i].description, &id);
    if (ret < 0 && ret != -EEXIST) {
      db_rollback(db);
      json_object_unref(members);
      json_array_unref(columns);
      cli_print_error("internal", "could not create demo columns");
      goto out;
    }
    json_array_add_string_element(columns, demo_columns[i].slug);
  }
  if (db_commit(db) < 0) {
    db_rollback(db);
    json_object_unref(members);
    json_array_unref(columns);
    cli_print_error("internal", "could not commit demo content");
    goto out;
  }

  JsonObject *o = json_object_new();
  json_object_set_object_member(o, "members", members);
  json_object_set_array_member(o, "columns", columns);
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, o);
  char *text = util_json_text(node, true);
  int fd = open(cred_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
      fprintf(stderr, "lectern: could not write %s\n", cred_path);
    close(fd);
  }
  g_free(text);
  cli_print_json(node);
  status = 0;
out:
  g_free(existing);
  g_free(cred_path);
  cli_run_clear(&run);
  return status;
}
