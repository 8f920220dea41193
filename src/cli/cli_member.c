/* cli_member: `lectern member add|list|passwd|link|import|export|erase` — members, their one-time
 * credentials, sign-in names and passwords, one-time sign-in links, the roster import, and the
 * export and erasure of one member's personal data (docs/privacy.md). */
#include "auth/auth.h"
#include "auth/password.h"
#include "auth/roster.h"
#include "auth/signin_link.h"
#include "cli/cli.h"
#include "club/submit_files.h"
#include "db/db_audit.h"
#include "db/db_privacy.h"
#include "core/util.h"
#include "db/db_session.h"
#include "db/db_signin.h"

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

/* The first line of standard input, without its line end; NULL at end of input. */
static char *read_line_stdin(void)
{
  char buf[PASSWORD_MAX_BYTES + 4];
  if (!fgets(buf, sizeof buf, stdin))
    return NULL;
  buf[strcspn(buf, "\r\n")] = '\0';
  return g_strdup(buf);
}

/* lectern member passwd ID [--login NAME] [--generate]: the password from standard input
 * (one line: never on the command line, where ps and shell history would show it). */
static int member_passwd(int argc, char **argv)
{
  CliRun run = { 0 };
  char *login = NULL, *password = NULL;
  gboolean generate = FALSE;
  GOptionEntry entries[] = {
    { "login", 0, 0, G_OPTION_ARG_STRING, &login,
      "Sign-in name (default: the one the member has, else the member id)", "NAME" },
    { "generate", 0, 0, G_OPTION_ARG_NONE, &generate,
      "Make up a password and print it once (instead of reading one from standard input)", NULL },
    G_OPTION_ENTRY_NULL
  };
  int status = 1;
  Member *m = NULL;

  if (cli_run_parse(&run, "ID - set a member's sign-in name and password (read from standard input)",
                    entries, &argc, &argv) < 0)
    goto out;
  if (argc != 2) {
    cli_print_error("usage", "usage: lectern member passwd ID [--login NAME] [--generate] < password");
    goto out;
  }
  if (cli_run_open(&run) < 0)
    goto out;
  gint64 erased = 0;
  if (db_member_get(run.db, argv[1], &m, NULL) < 0 || db_privacy_erased_at(run.db, m->id, &erased) < 0) {
    cli_print_error("not_found", "no member %s", argv[1]);
    goto out;
  }
  if (erased) {
    cli_print_error("erased", "member %s was erased: it cannot sign in again", m->id);
    goto out;
  }
  if (!login && db_signin_login_name(run.db, m->id, &login) < 0)
    login = g_strdup(m->id);
  if (!password_login_ok(login)) {
    cli_print_error("invalid_login", "--login must be 1 to %d characters without spaces", PASSWORD_LOGIN_MAX);
    goto out;
  }
  password = generate ? util_random_id(12) : read_line_stdin();
  if (!password) {
    cli_print_error("usage", "give the password on standard input (one line), or --generate");
    goto out;
  }
  int ret = db_begin(run.db);
  int ended = 0;
  if (ret == 0)
    ret = password_set(run.db, m->id, login, password);
  /* A new password signs the member out everywhere (someone else may have known the old). */
  if (ret == 0)
    ret = db_session_delete_member(run.db, m->id, &ended);
  if (ret == 0)
    ret = db_commit(run.db);
  if (ret < 0)
    db_rollback(run.db);
  if (ret == -EEXIST) {
    cli_print_error("login_taken", "another member signs in as '%s'", login);
    goto out;
  }
  if (ret == -EINVAL) {
    cli_print_error("invalid_password", "a password is %d to %d characters of text",
                    PASSWORD_MIN_CHARS, PASSWORD_MAX_BYTES);
    goto out;
  }
  if (ret < 0) {
    cli_print_error("internal", "could not set the password: %s", g_strerror(-ret));
    goto out;
  }
  JsonObject *o = json_object_new();
  json_object_set_string_member(o, "id", m->id);
  json_object_set_string_member(o, "login", login);
  json_object_set_int_member(o, "sessions_ended", ended);
  if (generate)
    json_object_set_string_member(o, "password", password);
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, o);
  cli_print_json(node);
  status = 0;
out:
  member_free(&m);
  if (password)
    memset(password, 0, strlen(password));
  g_free(password);
  g_free(login);
  cli_run_clear(&run);
  return status;
}

/* lectern member link ID [--valid SECONDS]: a one-time sign-in link to send to the member. */
static int member_link(int argc, char **argv)
{
  CliRun run = { 0 };
  gint valid = 0;
  GOptionEntry entries[] = {
    { "valid", 0, 0, G_OPTION_ARG_INT, &valid,
      "Seconds the link stays usable (default [auth] link_valid, 60 to 2592000)", "SECONDS" },
    G_OPTION_ENTRY_NULL
  };
  int status = 1;
  Member *m = NULL;
  char *token = NULL, *url = NULL, *expires = NULL;

  if (cli_run_parse(&run, "ID - make a one-time sign-in link for a member", entries, &argc, &argv) < 0)
    goto out;
  if (argc != 2 || (valid != 0 && (valid < 60 || valid > 2592000))) {
    cli_print_error("usage", "usage: lectern member link ID [--valid 60..2592000]");
    goto out;
  }
  if (cli_run_open(&run) < 0)
    goto out;
  if (db_member_get(run.db, argv[1], &m, NULL) < 0 || m->disabled) {
    cli_print_error("not_found", "no member %s who may sign in", argv[1]);
    goto out;
  }
  gint64 now = util_now(), life = valid ? valid : run.config.link_valid;
  if (signin_link_create(run.db, run.secret, m->id, life, now, &token) < 0) {
    cli_print_error("internal", "could not make the link");
    goto out;
  }
  const char *base = run.config.public_url ? run.config.public_url : "";
  size_t blen = strlen(base);
  url = g_strdup_printf("%.*s/signin.html#link=%s",
                                         (int)(blen && base[blen - 1] == '/' ? blen - 1 : blen), base, token);
  expires = util_iso8601(now + life);
  JsonObject *o = json_object_new();
  json_object_set_string_member(o, "id", m->id);
  json_object_set_string_member(o, "link", url);
  json_object_set_string_member(o, "expires_at", expires);
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, o);
  cli_print_json(node);
  status = 0;
out:
  member_free(&m);
  g_free(token);
  g_free(url);
  g_free(expires);
  cli_run_clear(&run);
  return status;
}

#define ROSTER_FILE_MAX (256 * 1024 * 1024)

/* lectern member import ROSTER.CSV: the union's member list into the roster; prints the report
 * (added, updated, unchanged, refused lines with their reasons). Exit 0 when the file was
 * read (even with refused lines: the report says which), 1 when it could not be. */
static int member_import(int argc, char **argv)
{
  CliRun run = { 0 };
  int status = 1;
  char *text = NULL, *err = NULL;
  gsize len = 0;
  GError *gerr = NULL;
  RosterReport r = { 0 };

  if (cli_run_parse(&run, "ROSTER.CSV - import the union's member list (member_number,name,unit,phone|id_number)",
                    NULL, &argc, &argv) < 0)
    goto out;
  if (argc != 2) {
    cli_print_error("usage", "usage: lectern member import ROSTER.CSV");
    goto out;
  }
  if (!g_file_get_contents(argv[1], &text, &len, &gerr)) {
    cli_print_error("io", "%s", gerr->message);
    g_error_free(gerr);
    goto out;
  }
  if (len > ROSTER_FILE_MAX) {
    cli_print_error("too_large", "%s is larger than 256 MiB", argv[1]);
    goto out;
  }
  if (cli_run_open(&run) < 0)
    goto out;
  int ret = roster_import(run.db, run.secret, text, len, "cli", "lectern (command line)", &r, &err);
  if (ret == -EINVAL) {
    cli_print_error("invalid_roster", "%s", err);
    goto out;
  }
  if (ret < 0) {
    cli_print_error("internal", "the roster could not be stored: %s", g_strerror(-ret));
    goto out;
  }
  cli_print_json(roster_report_json(&r));
  status = 0;
out:
  roster_report_clear(&r);
  g_free(text);
  g_free(err);
  cli_run_clear(&run);
  return status;
}

/* lectern member export|erase ID: the export (ERASE false) or the erasure of member ID, with its
 * audit entry in the same transaction (an erasure that changes nothing records nothing). */
static int member_privacy(int argc, char **argv, bool erase)
{
  CliRun run = { 0 };
  int status = 1;
  JsonNode *node = NULL;
  g_auto(GStrv) files = NULL;  /* before the first goto: clang refuses a jump past a cleanup */
  const char *summary = erase
      ? "ID - erase a member's personal data (name, sign-in names, sessions, links, credential); "
        "points and statistics stay with the id. Irreversible; running it again changes nothing"
      : "ID - print everything the server holds about a member (JSON)";

  if (cli_run_parse(&run, summary, NULL, &argc, &argv) < 0)
    goto out;
  if (argc != 2) {
    cli_print_error("usage", "usage: lectern member %s ID", erase ? "erase" : "export");
    goto out;
  }
  if (cli_run_open(&run) < 0)
    goto out;
  const char *id = argv[1];
  int rc = db_begin(run.db);
  bool record = true;
  /* The member's pictures nothing else uses: listed before their rows go, deleted after the
   * commit (club/submit_files.c). */
  if (rc == 0 && erase)
    rc = submit_files_of_member(run.db, &run.config, id, &files);
  if (rc == 0 && erase && (rc = db_privacy_erase(run.db, id, util_now(), &node)) == 0)
    record = !json_object_get_boolean_member(json_node_get_object(node), "already_erased");
  if (rc == 0 && erase && record)
    json_object_set_int_member(json_object_get_object_member(json_node_get_object(node), "changed"),
                               "image_files", g_strv_length(files));
  /* Who read someone's data is recorded too; what was read is not. (-ENOENT: no member.) */
  gint64 erased_at = 0;
  if (rc == 0 && !erase)
    rc = db_privacy_erased_at(run.db, id, &erased_at);
  if (rc == 0 && record)
    rc = db_audit_add(run.db, CLI_ACTOR_ID, CLI_ACTOR_NAME, erase ? "member.erase" : "member.export",
                      "member", id, erase ? node : NULL);
  if (rc == 0)
    rc = db_commit(run.db);
  else
    db_rollback(run.db);
  if (rc == 0 && erase && record)
    submit_files_remove(files, NULL);
  if (rc == 0 && !erase)
    rc = db_privacy_export(run.db, id, util_now(), &node);
  if (rc == -ENOENT) {
    cli_print_error("not_found", "no member %s", id);
    goto out;
  }
  if (rc < 0) {
    cli_print_error("internal", "could not %s the member's data: %s", erase ? "erase" : "export",
                    g_strerror(-rc));
    goto out;
  }
  cli_print_json(g_steal_pointer(&node));
  status = 0;
out:
  if (node)
    json_node_unref(node);
  cli_run_clear(&run);
  return status;
}

int cli_member(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "add") == 0)
    return member_add(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "list") == 0)
    return member_list(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "passwd") == 0)
    return member_passwd(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "link") == 0)
    return member_link(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "import") == 0)
    return member_import(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "export") == 0)
    return member_privacy(argc - 1, argv + 1, false);
  if (argc >= 2 && strcmp(argv[1], "erase") == 0)
    return member_privacy(argc - 1, argv + 1, true);
  cli_print_error("usage", "usage: lectern member add|list|passwd|link|import|export|erase [OPTIONS]");
  return 1;
}
