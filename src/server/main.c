/* SPDX-License-Identifier: MIT */
/*
 * main.c: restauthd's command dispatch.
 */
#include "admin.h"
#include "common/log.h"
#include "common/rand.h"
#include "config.h"
#include "serve.h"

#include <stdio.h>
#include <string.h>

static void
usage(FILE *out)
{
    fprintf(out, "usage: restauthd COMMAND [options]\n"
                 "commands:\n"
                 "  init [--demo-credentials FILE]    create the store and the server key\n"
                 "  serve                             run the HTTPS server\n"
                 "  account add NAME [--email E] [--password-file F]\n"
                 "  account passwd NAME [--email E] [--password-file F]\n"
                 "  account list\n"
                 "  secret add --account NAME [--out FILE]\n"
                 "  secret list --account NAME\n"
                 "  secret delete ID [--force]\n"
                 "options:\n");
    config_usage(out);
}

int
main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (ra_rand_init() < 0) {
        fprintf(stderr, "restauthd: cannot initialise the random number generator\n");
        return 1;
    }
    struct config cfg;
    config_defaults(&cfg);
    int npos = 0;
    if (config_parse(&cfg, argc - 2, argv + 2, &npos) < 0)
        return 2;
    const char *cmd = argv[1];
    if (strcmp(cmd, "init") == 0 && npos == 0)
        return admin_init(&cfg);
    if (strcmp(cmd, "serve") == 0 && npos == 0)
        return serve_run(&cfg);
    if (strcmp(cmd, "account") == 0)
        return admin_account(&cfg, npos, argv + 2);
    if (strcmp(cmd, "secret") == 0)
        return admin_secret(&cfg, npos, argv + 2);
    usage(stderr);
    return 2;
}
