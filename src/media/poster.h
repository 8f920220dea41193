/* poster: a JPEG still from a media segment, made on the main loop. */
#pragma once
#include <stdbool.h>

typedef struct Poster Poster;

/* Called once on the main loop: ERROR is NULL when OUT now holds the JPEG, otherwise why
 * not (valid during the call). */
typedef void (*PosterDone)(const char *error, void *user);

/* Starts pipelines/common/poster on SEGMENT (an MPEG-TS segment with H.264): its first frame,
 * WIDTH pixels wide (height from SRC_W x SRC_H, even), as a JPEG written to a hidden
 * temporary beside OUT and renamed to OUT when complete. DONE runs when it ends; the
 * caller then frees the Poster. Returns NULL with *ERR (caller frees) if it cannot start. */
Poster *poster_start(const char *segment, const char *out, int width, int src_w, int src_h,
                     PosterDone done, void *user, char **err);

/* Stops a poster still being made (DONE is not called) and frees it. Accepts NULL. */
void poster_free(Poster **p);
