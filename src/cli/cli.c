/* cli: what every subcommand shares — options, config, data dir, database, output. */
#include "cli/cli.h"
#include "core/util.h"
#include "core/log.h"
#include "db/db_article.h"
#include "db/db_search.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

void cli_common_add(GOptionContext *ctx, CliCommon *common)
{
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &common->config_file,
      "Configuration file (see samples/config/lectern.conf)", "FILE" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &common->data_dir,
      "Data directory (overrides [storage] data_dir)", "DIR" },
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &common->log_level,
      "error, warn, info or debug (overrides [log] level)", "LEVEL" },
    G_OPTION_ENTRY_NULL
  };
  g_option_context_add_main_entries(ctx, entries, NULL);
}

int cli_load_config(CliCommon *common, Config *config)
{
  char *err = NULL;
  config_init_defaults(config);
  if (common->config_file && config_load_file(config, common->config_file, &err) < 0)
    goto fail;
  if (common->data_dir && config_set(config, "--data-dir", "storage", "data_dir", common->data_dir, &err) < 0)
    goto fail;
  if (common->log_level && config_set(config, "--log-level", "log", "level", common->log_level, &err) < 0)
    goto fail;

  LogLevel level;
  if (log_level_parse(config->log_level, &level) == 0)
    log_set_level(level);

  if (g_mkdir_with_parents(config->data_dir, 0700) < 0) {
    err = g_strdup_printf("data dir %s: cannot create: %s", config->data_dir, g_strerror(errno));
    goto fail;
  }
  if (access(config->data_dir, R_OK | W_OK | X_OK) < 0) {
    err = g_strdup_printf("data dir %s: not readable and writable: %s", config->data_dir,
                          g_strerror(errno));
    goto fail;
  }
  char *media = config_media_dir(config);
  int mk = g_mkdir_with_parents(media, 0755);
  if (mk < 0)
    err = g_strdup_printf("media dir %s: cannot create: %s", media, g_strerror(errno));
  g_free(media);
  if (mk < 0)
    goto fail;
  return 0;
fail:
  fprintf(stderr, "lectern: %s\n", err);
  g_free(err);
  return -1;
}

int cli_open_store(const Config *config, Db **db, guint8 secret[TOKEN_SECRET_LEN])
{
  char *err = NULL;
  char *secret_path = config_secret_path(config);
  char *db_path = config_db_path(config);
  int ret = token_secret_load_or_create(secret_path, secret, &err);
  if (ret == 0)
    ret = db_open(db_path, 0, db, &err);
  /* Derived data is brought up to date by whoever opens the store, not by db_open (db.c
   * stays below the table families that use it). */
  if (ret == 0 && db_search_sync(*db) < 0)
    log_warn("db", "%s: the search index could not be rebuilt; searches may miss videos", db_path);
  if (ret == 0 && db_article_search_sync(*db) < 0)
    log_warn("db", "%s: the article search index could not be rebuilt", db_path);
  if (ret < 0)
    fprintf(stderr, "lectern: %s\n", err);
  g_free(err);
  g_free(secret_path);
  g_free(db_path);
  return ret < 0 ? -1 : 0;
}

void cli_common_clear(CliCommon *common)
{
  g_clear_pointer(&common->config_file, g_free);
  g_clear_pointer(&common->data_dir, g_free);
  g_clear_pointer(&common->log_level, g_free);
}

int cli_run_parse(CliRun *r, const char *summary, const GOptionEntry *entries, int *argc,
                  char ***argv)
{
  r->options = g_option_context_new(summary);
  if (entries)
    g_option_context_add_main_entries(r->options, entries, NULL);
  cli_common_add(r->options, &r->common);
  GError *gerr = NULL;
  if (g_option_context_parse(r->options, argc, argv, &gerr))
    return 0;
  cli_print_error("usage", "%s", gerr->message);
  g_clear_error(&gerr);
  return -1;
}

int cli_run_open(CliRun *r)
{
  if (cli_load_config(&r->common, &r->config) < 0)
    return -1;
  return cli_open_store(&r->config, &r->db, r->secret);
}

void cli_run_clear(CliRun *r)
{
  db_close(&r->db);
  config_clear(&r->config);
  cli_common_clear(&r->common);
  g_clear_pointer(&r->options, g_option_context_free);
}

void cli_print_json(JsonNode *node)
{
  char *text = util_json_text(node, true);
  printf("%s\n", text);
  fflush(stdout);
  g_free(text);
  json_node_unref(node);
}

void cli_print_error(const char *code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  fprintf(stderr, "lectern: %s\n", msg);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "error");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "code");
  json_builder_add_string_value(b, code);
  json_builder_set_member_name(b, "message");
  json_builder_add_string_value(b, msg);
  json_builder_end_object(b);
  json_builder_end_object(b);
  cli_print_json(json_builder_get_root(b));
  g_object_unref(b);
  g_free(msg);
}
