/* pdf_preview: checks that a file is a PDF and draws its first page as a PNG, with poppler's
 * pdftoppm run as a child process under limits (time, memory, output size) — a crafted PDF
 * that crashes or hangs the parser costs one child, never the server. Runs asynchronously on
 * the thread-default main context. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Limits of the child: CPU seconds, address space, wall-clock seconds before it is killed. */
#define PDF_PREVIEW_CPU_SECONDS 20
#define PDF_PREVIEW_MEMORY_BYTES (768LL * 1024 * 1024)
#define PDF_PREVIEW_TIMEOUT_SECONDS 30
/* The preview's longer side, pixels. */
#define PDF_PREVIEW_SIZE 800

/* Called once on the main context: STATUS 0 with URL "/images/<hash>.png" of the preview
 * stored in IMAGES_DIR, or -EINVAL (poppler cannot read it as a PDF: WHY says so), -ETIMEDOUT,
 * -EIO (the tool could not run or the image could not be stored). */
typedef void (*PdfPreviewDone)(int status, const char *url, const char *why, void *user);

/* Starts checking and drawing PDF_PATH. Returns 0 (DONE will be called), or -errno when
 * nothing could start (DONE is not called). */
int pdf_preview_start(const char *pdf_path, const char *images_dir, PdfPreviewDone done, void *user);
