/* fuzz: what every fuzz target shares — quiet logs, a scratch directory, input pieces and
 * placeholders. Each target is one LLVMFuzzerTestOneInput over one parser; the same file
 * links with libFuzzer (the fuzz build) or with replay.c (every build: regression inputs). */
#pragma once

#include "core/log.h"
#include "core/util.h"

#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A failed invariant: abort, so libFuzzer keeps the input as a crash. */
#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      fprintf(stderr, "fuzz: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
      abort();                                                                            \
    }                                                                                     \
  } while (0)

/* Log lines still get formatted (that code sees fuzzed text too), but go nowhere: writing
 * them to the terminal would cost more than the parsing. FUZZ_LOG=1 keeps them. */
static inline void fuzz_quiet(void)
{
  if (g_getenv("FUZZ_LOG"))
    return;
  int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd >= 0)
    log_set_fd(fd);
  log_set_level(LOG_INFO);
}

/* A scratch directory for targets that need files (a database, a root to resolve paths in):
 * on tmpfs when there is one, as fsync there costs nothing. Removed at exit. */
static char *fuzz_dir;
static void fuzz_dir_remove(void)
{
  if (fuzz_dir) {
    char *cmd = g_strdup_printf("rm -rf '%s'", fuzz_dir);
    if (system(cmd) != 0)
      fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir);
    g_free(cmd);
  }
}
static inline const char *fuzz_scratch(void)
{
  if (!fuzz_dir) {
    const char *base = g_access("/dev/shm", W_OK) == 0 ? "/dev/shm" : g_get_tmp_dir();
    char *tmpl = g_build_filename(base, "lectern-fuzz-XXXXXX", NULL);
    if (!g_mkdtemp(tmpl)) {
      perror("fuzz: mkdtemp");
      abort();
    }
    fuzz_dir = tmpl;
    atexit(fuzz_dir_remove);
  }
  return fuzz_dir;
}

/* Feeding a parser the way a socket does: pieces of varying size (1 to 4096 bytes), drawn
 * from a generator seeded by the input's length and first bytes, so one input always splits
 * the same way and a captured session can be a seed as it is. */
typedef struct {
  guint32 state;
} FuzzPieces;

static inline void fuzz_pieces_init(FuzzPieces *p, const uint8_t *data, size_t size)
{
  guint32 h = 2166136261u ^ (guint32)size;
  for (size_t i = 0; i < size && i < 8; i++)
    h = (h ^ data[i]) * 16777619u;
  p->state = h ? h : 1;
}

static inline size_t fuzz_pieces_next(FuzzPieces *p)
{
  p->state ^= p->state << 13;
  p->state ^= p->state >> 17;
  p->state ^= p->state << 5;
  switch (p->state % 4) {
  case 0: return 1 + (p->state >> 8) % 7;      /* a few bytes: headers cut anywhere */
  case 1: return 1 + (p->state >> 8) % 200;
  default: return 1 + (p->state >> 8) % 4096;  /* whole chunks, mostly */
  }
}

/* DATA as a string with every "@NAME@" of the NULL-terminated pairs FROM[i], TO[i] replaced:
 * the fuzzer cannot guess a credential or an id the database made, the seeds name them. */
static inline GString *fuzz_subst(const uint8_t *data, size_t size, const char *const *pairs)
{
  GString *s = g_string_new_len((const char *)data, (gssize)size);
  for (size_t i = 0; pairs[i]; i += 2) {
    if (!memchr(s->str, '@', s->len))
      break;
    g_string_replace(s, pairs[i], pairs[i + 1], 0);
  }
  return s;
}
