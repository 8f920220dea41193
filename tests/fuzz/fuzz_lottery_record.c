/* Fuzz target: the lottery draw record reader and verifier (src/lottery/lottery_draw.c), what
 * `lectern lottery verify FILE` runs on a file from anyone — a record's bytes. */
#include "fuzz.h"
#include "lottery/lottery_draw.h"

#include <errno.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  fuzz_quiet();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
  int rc = lottery_verify((const char *)data, size, NULL, problems);
  FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -EINVAL);
  /* A refusal always says why; a record that checks out has nothing to say. */
  FUZZ_CHECK((rc == 0) == (problems->len == 0));
  if (rc == 0) {
    /* What verifies is a draw that runs again to the same record. */
    LotteryDrawInput *in = NULL;
    LotteryDrawResult *st = NULL, *re = NULL;
    char *err = NULL;
    FUZZ_CHECK(lottery_record_parse((const char *)data, size, &in, &st, &err) == 0);
    FUZZ_CHECK(lottery_draw_run(in, &re) == 0);
    FUZZ_CHECK(re->n_picks == st->n_picks);
    lottery_draw_result_free(&re);
    lottery_draw_result_free(&st);
    lottery_draw_input_free(&in);
  }
  g_ptr_array_unref(problems);
  return 0;
}
