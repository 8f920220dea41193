/* vfs_full: a default-VFS wrapper whose writes fail with SQLITE_FULL on demand. */
#include "vfs_full.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  sqlite3_file base;        /* methods: ours */
  sqlite3_file *real;       /* the default VFS's file, right after this struct */
} FullFile;

static sqlite3_vfs full_vfs;
static sqlite3_vfs *real_vfs;
static sqlite3_io_methods full_methods;
static const sqlite3_io_methods *real_methods;
static bool disk_full;

#define REAL(f) (((FullFile *)(f))->real)

static int x_close(sqlite3_file *f)
{
  int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
  return rc;
}
static int x_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL(f)->pMethods->xRead(REAL(f), b, n, o); }
static int x_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
  return disk_full ? SQLITE_FULL : REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int x_truncate(sqlite3_file *f, sqlite3_int64 s) { return REAL(f)->pMethods->xTruncate(REAL(f), s); }
static int x_sync(sqlite3_file *f, int fl) { return REAL(f)->pMethods->xSync(REAL(f), fl); }
static int x_size(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int x_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int x_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int x_check(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int x_fcntl(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int x_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int x_chars(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int x_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **p)
{
  return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, p);
}
static int x_shmlock(sqlite3_file *f, int o, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl); }
static void x_shmbarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int x_shmunmap(sqlite3_file *f, int d) { return REAL(f)->pMethods->xShmUnmap(REAL(f), d); }
static int x_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **p)
{
  *p = NULL; /* no memory mapping: every read goes through xRead */
  (void)f; (void)o; (void)n;
  return SQLITE_OK;
}
static int x_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p) { (void)f; (void)o; (void)p; return SQLITE_OK; }

static int x_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
  (void)vfs;
  FullFile *ff = (FullFile *)f;
  ff->real = (sqlite3_file *)(ff + 1);
  memset(ff->real, 0, (size_t)real_vfs->szOsFile);
  int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    f->pMethods = NULL;
    return rc;
  }
  if (!real_methods) {
    real_methods = ff->real->pMethods;
    full_methods = (sqlite3_io_methods){
      .iVersion = 3, .xClose = x_close, .xRead = x_read, .xWrite = x_write, .xTruncate = x_truncate,
      .xSync = x_sync, .xFileSize = x_size, .xLock = x_lock, .xUnlock = x_unlock,
      .xCheckReservedLock = x_check, .xFileControl = x_fcntl, .xSectorSize = x_sector,
      .xDeviceCharacteristics = x_chars, .xShmMap = x_shmmap, .xShmLock = x_shmlock,
      .xShmBarrier = x_shmbarrier, .xShmUnmap = x_shmunmap, .xFetch = x_fetch, .xUnfetch = x_unfetch,
    };
  }
  f->pMethods = &full_methods;
  return SQLITE_OK;
}

void vfs_full_install(void)
{
  if (real_vfs)
    return;
  real_vfs = sqlite3_vfs_find(NULL);
  full_vfs = *real_vfs;
  full_vfs.zName = "lectern-test-full";
  full_vfs.szOsFile = (int)sizeof(FullFile) + real_vfs->szOsFile;
  full_vfs.xOpen = x_open;
  full_vfs.pNext = NULL;
  sqlite3_vfs_register(&full_vfs, 1);
}

void vfs_full_set(bool full)
{
  disk_full = full;
}
