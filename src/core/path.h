/* path: maps a request path onto a file under a root, refusing anything that could escape it. */
#pragma once

#define PATH_REL_MAX 1024

/* Checks REL, a '/'-separated path relative to a root, as it arrives from a
 * URL after percent-decoding. Refused (-EINVAL): empty, longer than
 * PATH_REL_MAX, leading '/', empty or "." or ".." segments, segments
 * starting with '.', a '%' (double encoding), a backslash, control bytes.
 * Returns 0 when REL is acceptable. */
int path_check_relative(const char *rel);

/* Resolves REL under ROOT: path_check_relative(), then realpath() of the
 * result must still lie inside realpath(ROOT) (no symlink escapes) and be a
 * regular file. Returns 0 with *out set (caller frees), -EINVAL for a bad
 * path, -EPERM for an escape, -ENOENT when missing or not a regular file. */
int path_resolve_file(const char *root, const char *rel, char **out);

/* The same with REAL_ROOT already resolved (realpath) by the caller: a server resolving many
 * files under one root resolves the root once. */
int path_resolve_file_in(const char *real_root, const char *rel, char **out);

struct stat;

/* Opens REL (path_check_relative()) below the directory open as ROOT_FD in one system call
 * (openat2 with RESOLVE_BENEATH: no "..", symlink or mount point may lead out of it) and
 * requires a regular file. Returns 0 with *FD (close it) and *ST (its fstat); -EINVAL for a
 * bad path; -ENOENT when missing or not a regular file; -EXDEV when the way to it leaves
 * ROOT_FD or passes an absolute symlink (openat2 refuses both, even one pointing back
 * inside); -ENOSYS without openat2 (Linux < 5.6). Callers that must accept every symlink
 * staying inside the root answer anything but 0 with path_resolve_file_in. */
int path_open_beneath(int root_fd, const char *rel, int *fd, struct stat *st);
