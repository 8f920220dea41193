/* freeport: prints a TCP port on 127.0.0.1 that is free now and that no other freeport
 * call handed out in the last RESERVE_S seconds, for tests.
 *
 * The integration tests run several at a time (tests/meson.build): a port a test was given
 * but has not bound yet (a server still starting, one restarted on the same port after a
 * kill) must not go to another test. Each port handed out is reserved by creating
 * $FREEPORT_DIR/<port> (default $TMPDIR/lectern-freeport-<uid>) while holding an flock on
 * the directory's lock file, so two callers never both take one; a reservation older than
 * RESERVE_S is stale and is renewed. Ports come from the kernel (bind to port 0), so a
 * port some other program holds is never chosen. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Longer than any integration test runs (the longest has a 600 s timeout). */
#define RESERVE_S 900
#define TRIES 200

/* Picks a port the kernel says is free now; 0 on failure. */
static int kernel_port(void)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0 };
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  int port = 0;
  if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
      getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
    port = ntohs(sa.sin_port);
  else
    perror("freeport");
  if (fd >= 0)
    close(fd);
  return port;
}

/* Reserves PORT in DIR (the caller holds DIR's lock): 1 when it is ours now, 0 when another
 * test holds it, -1 on error. A reservation holds the time() it was made, in its text and
 * not as its mtime: under faketime (scripts/test's dateshift run) time() is a year ahead and
 * stat() adds a year to file times as well. One made on the other clock is a year off, so
 * stale: that run is over (scripts/test never runs the two at once). */
static int reserve(const char *dir, int port, time_t now)
{
  char path[4200], text[32] = { 0 };
  snprintf(path, sizeof path, "%s/%d", dir, port);
  int fd = open(path, O_RDONLY);
  if (fd >= 0) {
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n > 0 && llabs((long long)now - atoll(text)) < RESERVE_S)
      return 0;
  }
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    return -1;
  int len = snprintf(text, sizeof text, "%lld\n", (long long)now);
  int wrote = write(fd, text, len) == len;
  return close(fd) == 0 && wrote ? 1 : -1;
}

int main(void)
{
  char dir[4096];
  const char *d = getenv("FREEPORT_DIR");
  if (d && *d) {
    snprintf(dir, sizeof dir, "%s", d);
  } else {
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/lectern-freeport-%ld", t && *t ? t : "/tmp", (long)getuid());
  }
  if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
    perror(dir);
    return 1;
  }
  char lock[4200];
  snprintf(lock, sizeof lock, "%s/lock", dir);
  int lfd = open(lock, O_RDWR | O_CREAT, 0600);
  if (lfd < 0 || flock(lfd, LOCK_EX) < 0) {
    perror(lock);
    return 1;
  }
  time_t now = time(NULL);
  for (int i = 0; i < TRIES; i++) {
    int port = kernel_port();
    if (!port)
      return 1;
    int r = reserve(dir, port, now);
    if (r < 0) {
      perror(dir);
      return 1;
    }
    if (r == 1) {
      printf("%d\n", port);
      return 0;  /* exiting releases the lock */
    }
  }
  fprintf(stderr, "freeport: no port free and unreserved after %d tries\n", TRIES);
  return 1;
}
