/* vfs_full: an SQLite VFS over the default one whose writes fail with SQLITE_FULL while
 * "the disk is full" — for tests of what a full disk does to commits (a WAL commit writes
 * its frames at COMMIT, so that is where the failure lands, as on a real disk). */
#pragma once

#include <stdbool.h>

/* Registers the VFS as SQLite's default (connections opened after this use it). Idempotent. */
void vfs_full_install(void);

/* While FULL, every write to a database, WAL or journal file fails with SQLITE_FULL. */
void vfs_full_set(bool full);
