/* markdown: an editor's Markdown as safe HTML (cmark, CMARK_OPT_SAFE) and its reading-time
 * estimate (docs/articles.md). */
#pragma once

#include <glib.h>

/* The fastest reading the estimate assumes: Chinese, Japanese and Korean characters a
 * minute, words of other scripts a minute, seconds per picture; and its bounds. */
#define MARKDOWN_CJK_PER_MINUTE 400
#define MARKDOWN_WORDS_PER_MINUTE 200
#define MARKDOWN_IMAGE_SECONDS 5
#define MARKDOWN_READ_MIN_SECONDS 10
#define MARKDOWN_READ_MAX_SECONDS 1800

/* Renders MD (LEN bytes, UTF-8) to HTML with raw HTML dropped and only safe link and image
 * targets kept (javascript:, vbscript:, file: and data: other than images are emptied), and
 * estimates its reading time in whole seconds (MARKDOWN_READ_MIN..MAX_SECONDS; 0 for a body
 * with no text and no picture). Returns 0 with *HTML (caller frees) and *SECONDS, or -EINVAL
 * when MD is not valid UTF-8, -ENOMEM. */
int markdown_render(const char *md, gsize len, char **html, gint64 *seconds);

/* The reading-time estimate of plain text TEXT plus IMAGES pictures, before the bounds:
 * CJK characters at MARKDOWN_CJK_PER_MINUTE, other words at MARKDOWN_WORDS_PER_MINUTE. */
gint64 markdown_estimate_seconds(const char *text, unsigned images);
