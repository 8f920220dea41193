/* cli: what every subcommand shares — options, config, data dir, database, output. */
#pragma once

#include "auth/token.h"
#include <json-glib/json-glib.h>
#include "core/config.h"
#include "db/db.h"

#include <glib.h>

/* Options every subcommand accepts. */
typedef struct {
  char *config_file;
  char *data_dir;
  char *log_level;
} CliCommon;

/* Adds -c/--config, --data-dir and --log-level to CTX's main group. */
void cli_common_add(GOptionContext *ctx, CliCommon *common);

/* Loads the config (file, then overrides), applies the log level, creates
 * the data dir and checks it is usable. Prints the reason and returns -1 on
 * failure, 0 on success. */
int cli_load_config(CliCommon *common, Config *config);

/* Opens the database and the server secret under config->data_dir. Prints the
 * reason and returns -1 on failure. */
int cli_open_store(const Config *config, Db **db, guint8 secret[TOKEN_SECRET_LEN]);

void cli_common_clear(CliCommon *common);

/* What a subcommand holds while it runs: its options, config, database and secret. */
typedef struct {
  CliCommon common;
  GOptionContext *options;
  Config config;
  Db *db;
  guint8 secret[TOKEN_SECRET_LEN];
} CliRun;

/* Parses ARGC/ARGV for a subcommand (SUMMARY for --help, ENTRIES or NULL, plus the common
 * options); ARGC/ARGV keep the positional arguments. Returns 0, or -1 after printing the
 * usage error. */
int cli_run_parse(CliRun *r, const char *summary, const GOptionEntry *entries, int *argc,
                  char ***argv);

/* Loads the config and opens the store (cli_load_config, cli_open_store). 0 or -1 after
 * printing why. */
int cli_run_open(CliRun *r);

/* Closes and frees what R holds, however far it got; R can be zero-initialised. */
void cli_run_clear(CliRun *r);

/* Prints NODE as pretty JSON on stdout; consumes NODE. */
void cli_print_json(JsonNode *node);

/* Prints {"error":{"code":CODE,"message":...}} on stdout and the message on stderr. */
void cli_print_error(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The command line acts for no member: its audit entries name it instead. */
#define CLI_ACTOR_ID "cli"
#define CLI_ACTOR_NAME "lectern (command line)"

int cli_serve(int argc, char **argv);
int cli_member(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_config(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_event(int argc, char **argv);
int cli_video(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_points(int argc, char **argv);
int cli_vote(int argc, char **argv);
int cli_lottery(int argc, char **argv);
int cli_quiz(int argc, char **argv);
