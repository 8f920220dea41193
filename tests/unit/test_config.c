/* Tests for src/core/config.c: the key table, file loading, errors, the sample file. */
#include "core/config.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static void setup(void) { dir = tu_tmpdir(); }
static void teardown(void) { tu_rmtree(dir); g_free(dir); }

START_TEST(defaults_are_documented_values)
{
  Config c;
  config_init_defaults(&c);
  ck_assert_str_eq(c.http_host, "127.0.0.1");
  ck_assert_int_eq(c.http_port, 8080);
  ck_assert_int_eq(c.rtmp_port, 1935);
  ck_assert_int_eq(c.max_body_bytes, 1024 * 1024);
  ck_assert_str_eq(c.log_level, "info");
  ck_assert_str_eq(c.cors_origin, "");
  config_clear(&c);
}
END_TEST

START_TEST(file_overrides_defaults)
{
  Config c;
  char *err = NULL;
  config_init_defaults(&c);
  char *p = tu_write(dir, "a.conf",
                     "[server]\nhttp_port = 9090\n[storage]\ndata_dir=/srv/lectern\n"
                     "[http]\nmax_body_bytes = 64K\n[log]\nlevel = debug\n");
  ck_assert_int_eq(config_load_file(&c, p, &err), 0);
  ck_assert_int_eq(c.http_port, 9090);
  ck_assert_str_eq(c.data_dir, "/srv/lectern");
  ck_assert_int_eq(c.max_body_bytes, 64 * 1024);
  ck_assert_str_eq(c.log_level, "debug");
  config_clear(&c);
  g_free(p);
}
END_TEST

/* Each bad file must fail with -EINVAL and a message naming file and key. */
static const struct { const char *text, *must_mention; } bad_files[] = {
  { "[server]\nhttp_prot = 1\n", "http_prot" },
  { "[nonsense]\nx = 1\n", "[nonsense]" },
  { "[server]\nhttp_port = eighty\n", "http_port" },
  { "[server]\nhttp_port = 70000\n", "from 1 to 65535" },
  { "[server]\nhttp_port = 0\n", "http_port" },
  { "[http]\nmax_body_bytes = 12Q\n", "max_body_bytes" },
  { "[http]\nmax_body_bytes = 1G\n", "max_body_bytes" },
  { "[log]\nlevel = loud\n", "one of error|warn|info|debug" },
  { "this is not ini\n", "bad.conf" },
  { "[oidc]\nissuer = https://id.example\n", "needs [oidc] client_id and [http] public_url" },
  { "[oidc]\nissuer = https://id.example\nclient_id = x\n", "public_url" },
  { "[http]\npublic_url = https://l.example\n[oidc]\nissuer = id.example\nclient_id = x\n", "http(s) URL" },
};

START_TEST(bad_values_are_refused_with_key_and_file)
{
  Config c;
  char *err = NULL;
  config_init_defaults(&c);
  char *p = tu_write(dir, "bad.conf", bad_files[_i].text);
  ck_assert_int_eq(config_load_file(&c, p, &err), -EINVAL);
  ck_assert_ptr_nonnull(err);
  ck_assert_msg(strstr(err, "bad.conf") != NULL, "no file name in: %s", err);
  ck_assert_msg(strstr(err, bad_files[_i].must_mention) != NULL, "'%s' not in: %s",
                bad_files[_i].must_mention, err);
  g_free(err);
  config_clear(&c);
  g_free(p);
}
END_TEST

START_TEST(missing_file_is_enoent)
{
  Config c;
  char *err = NULL;
  config_init_defaults(&c);
  char *p = g_build_filename(dir, "none.conf", NULL);
  ck_assert_int_eq(config_load_file(&c, p, &err), -ENOENT);
  ck_assert_ptr_nonnull(strstr(err, "none.conf"));
  g_free(err);
  g_free(p);
  config_clear(&c);
}
END_TEST

START_TEST(override_names_its_source)
{
  Config c;
  char *err = NULL;
  config_init_defaults(&c);
  ck_assert_int_eq(config_set(&c, "--http-port", "server", "http_port", "99999", &err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "--http-port"));
  g_free(err);
  ck_assert_int_eq(config_set(&c, "--http-port", "server", "http_port", "8081", &err), 0);
  ck_assert_int_eq(c.http_port, 8081);
  config_clear(&c);
}
END_TEST

START_TEST(sample_file_is_current_and_loads)
{
  char *path = tu_source_path("samples/config/lectern.conf");
  char *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "missing %s", path);
  char *expected = config_render_sample();
  ck_assert_msg(strcmp(text, expected) == 0,
                "samples/config/lectern.conf is stale: regenerate with `lectern config sample`");

  /* Every key is documented, and uncommenting every default gives a valid file. */
  GString *active = g_string_new(NULL);
  char **lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++) {
    if ((*l)[0] == '#' && (*l)[1] != ' ' && (*l)[1] != '\0' && strchr(*l, '='))
      g_string_append_printf(active, "%s\n", *l + 1);
    else
      g_string_append_printf(active, "%s\n", *l);
  }
  for (const ConfKey *k = config_keys; k->key; k++) {
    char *line = g_strdup_printf("\n%s = %s\n", k->key, k->def);
    ck_assert_msg(strstr(active->str, line) != NULL, "sample lacks %s", k->key);
    g_free(line);
  }
  char *p = tu_write(dir, "all.conf", active->str);
  Config c;
  char *err = NULL;
  config_init_defaults(&c);
  ck_assert_msg(config_load_file(&c, p, &err) == 0, "%s", err ? err : "");
  config_clear(&c);
  g_free(p);
  g_strfreev(lines);
  g_string_free(active, TRUE);
  g_free(expected);
  g_free(text);
  g_free(path);
}
END_TEST

static Suite *config_suite(void)
{
  Suite *s = suite_create("config");
  TCase *tc = tcase_create("config");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, defaults_are_documented_values);
  tcase_add_test(tc, file_overrides_defaults);
  tcase_add_loop_test(tc, bad_values_are_refused_with_key_and_file, 0, G_N_ELEMENTS(bad_files));
  tcase_add_test(tc, missing_file_is_enoent);
  tcase_add_test(tc, override_names_its_source);
  tcase_add_test(tc, sample_file_is_current_and_loads);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(config_suite)
