/* main: the `lectern` binary — dispatches to subcommands. */
#include "cli/cli.h"
#include "cli/log_bridge.h"
#include "core/log.h"
#include "lectern-build.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {
  { "serve", cli_serve, "run the server (HTTP, WebSocket, RTMP)" },
  { "member", cli_member, "add or list members, set passwords, make sign-in links (member add|list|passwd|link)" },
  { "migrate", cli_migrate, "create or upgrade the database" },
  { "config", cli_config, "print the sample config, or check a config file" },
  { "demo", cli_demo, "load demo members and columns (once)" },
  { "event", cli_event, "schedule a live lesson (event create --title T ...), replace its key (event rekey ID)" },
  { "video", cli_video, "show a video (video show ID)" },
  { "import", cli_import, "import a recorded lesson (import FILE --title T [--wait])" },
  { "points", cli_points, "check the points aggregates against the ledger (points check; exit 1 on a difference)" },
  { "vote", cli_vote, "count a vote again from its ballot log (vote recount ID; exit 1 when it differs from the published result)" },
  { "lottery", cli_lottery, "the points lottery: verify a draw record (lottery verify FILE), freeze, draw, record, expire" },
  { "quiz", cli_quiz, "the daily quiz's question bank (quiz import FILE, quiz list)" },
};

static void usage(FILE *to)
{
  fprintf(to, "usage: lectern COMMAND [OPTIONS]\n\ncommands:\n");
  for (unsigned i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(to, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf(to, "  version   print the version\n\n"
              "Every command takes -c FILE, --data-dir DIR and --log-level LEVEL;\n"
              "`lectern COMMAND --help` lists the rest.\n");
}

int main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
    printf("lectern %s\n", LECTERN_VERSION);
    return 0;
  }
  if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  log_bridge_install();
  for (unsigned i = 0; i < G_N_ELEMENTS(commands); i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "lectern: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
