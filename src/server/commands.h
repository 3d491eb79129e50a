/* SPDX-License-Identifier: MIT */
/*
 * commands.h: restauthd's command table. Each command has the words that name it, its
 * positional arguments, the options it cannot do without, a summary line, its bit in the
 * option table's masks (config.h) and the entry point that runs it.
 */
#ifndef RA_SERVER_COMMANDS_H
#define RA_SERVER_COMMANDS_H

#include "config.h"

#include <stdbool.h>
#include <stdio.h>

/*
 * Runs a command and returns the process exit code (0 ok, 1 failure, 2 usage). argv[0] is the
 * command's last word ("add" for `secret add`, "init" for `init`), then its positional
 * arguments: the calling convention of admin_account() and admin_secret() (admin.h).
 */
typedef int (*command_fn)(const struct config *cfg, int argc, char **argv);

struct command {
    const char *words;    /* "secret add" */
    const char *args;     /* its positional arguments for the usage line ("NAME"); NULL: none */
    int nargs;            /* how many positional arguments it takes */
    const char *summary;  /* one line for --help */
    unsigned bit;         /* CMD_* (config.h): the options whose mask holds it are accepted */
    const char *needs[2]; /* at least one of these options must be given; NULL: unused */
    command_fn run;
    bool hidden; /* left out of --help and the manual: generators run by the build */
};

/* The command table, in the order --help lists it; *count gets its length. */
const struct command *commands_table(size_t *count);

/*
 * The command named by the leading words of argv[0..argc), or NULL; *nwords gets how many of
 * them it took.
 */
const struct command *commands_find(int argc, char *const *argv, int *nwords);

/*
 * Check a parsed command line against cmd: every option given is one cmd accepts, one of the
 * options it needs is there and nargs positional arguments follow its words. Prints what is
 * wrong and cmd's usage line to stderr; returns 0 or -EINVAL.
 */
int commands_check(const struct command *cmd, const struct config *cfg, int nargs);

/* `restauthd WORDS --help`: cmd's usage line, summary and every option it accepts. */
void commands_help(FILE *out, const struct command *cmd);

/*
 * `restauthd --help`: the commands whose first word is `group` (every command if NULL) and the
 * options every command takes. Prints nothing if no command is in the group; returns how many
 * commands it listed.
 */
int commands_usage(FILE *out, const char *group);

#endif
