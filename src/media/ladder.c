/* ladder: the rendition ladder — parsed from config, fitted to a source (no upscaling). */
#include "media/ladder.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int ladder_parse(const char *spec, Ladder *out, char **err)
{
  memset(out, 0, sizeof *out);
  g_auto(GStrv) items = g_strsplit(spec ? spec : "", ",", -1);
  bool have_copy = false;
  for (int i = 0; items[i]; i++) {
    char *it = g_strstrip(items[i]);
    if (out->n == LADDER_MAX_RUNGS) {
      *err = g_strdup_printf("ladder: more than %d renditions", LADDER_MAX_RUNGS);
      return -EINVAL;
    }
    LadderRung *r = &out->rungs[out->n];
    if (!strcmp(it, "copy")) {
      if (have_copy) {
        *err = g_strdup("ladder: 'copy' given twice");
        return -EINVAL;
      }
      have_copy = true;
      r->copy = true;
      g_strlcpy(r->name, "source", sizeof r->name);
      out->n++;
      continue;
    }
    int w = 0, h = 0, k = 0, used = 0;
    if (sscanf(it, "%dx%d@%d%n", &w, &h, &k, &used) != 3 || it[used] != '\0') {
      *err = g_strdup_printf("ladder: '%s' is neither 'copy' nor WIDTHxHEIGHT@KBPS", it);
      return -EINVAL;
    }
    if (w < 64 || w > 7680 || h < 64 || h > 4320 || (w | h) & 1) {
      *err = g_strdup_printf("ladder: '%s': sizes must be even, 64-7680 wide, 64-4320 high", it);
      return -EINVAL;
    }
    if (k < 100 || k > 50000) {
      *err = g_strdup_printf("ladder: '%s': bitrate must be 100-50000 kbit/s", it);
      return -EINVAL;
    }
    for (int j = 0; j < out->n; j++)
      if (!out->rungs[j].copy && out->rungs[j].height == h) {
        *err = g_strdup_printf("ladder: two renditions %d pixels high", h);
        return -EINVAL;
      }
    r->width = w;
    r->height = h;
    r->kbps = k;
    snprintf(r->name, sizeof r->name, "%dp", h);
    out->n++;
  }
  if (out->n == 0) {
    *err = g_strdup("ladder: no renditions");
    return -EINVAL;
  }
  return 0;
}

void ladder_fit(const Ladder *spec, int src_w, int src_h, bool copy_ok, int source_kbps,
                Ladder *out)
{
  memset(out, 0, sizeof *out);
  bool have_source = false, spec_copy = false;
  for (int i = 0; i < spec->n; i++)
    spec_copy |= spec->rungs[i].copy;
  for (int i = 0; i < spec->n; i++) {
    const LadderRung *r = &spec->rungs[i];
    LadderRung *o = &out->rungs[out->n];
    if (r->copy) {
      *o = *r;
      o->width = src_w;
      o->height = src_h;
      if (!copy_ok) {
        o->copy = false;
        o->kbps = source_kbps;
      }
      have_source = true;
      out->n++;
      continue;
    }
    /* No upscaling; a rung as tall as the source only when there is no source rung. */
    if (r->height > src_h || (r->height == src_h && spec_copy))
      continue;
    *o = *r;
    /* Keep the source's shape at this height, rounded to even. */
    int w = (int)((double)src_w * r->height / src_h + 1) & ~1;
    o->width = MAX(w, 2);
    out->n++;
  }
  if (!have_source && out->n == 0) {
    LadderRung *o = &out->rungs[0];
    g_strlcpy(o->name, "source", sizeof o->name);
    o->width = src_w;
    o->height = src_h;
    o->kbps = source_kbps;
    out->n = 1;
  }
}
