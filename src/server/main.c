/* SPDX-License-Identifier: MIT */
/*
 * main.c: restauthd's command dispatch. The options are parsed first (anywhere on the line);
 * the leading positional arguments name the command (commands.c); the configuration file of
 * --config fills in what the command line left out (config_file.c); then the command checks
 * that it accepts every option given and gets the arguments it needs.
 */
#include "commands.h"
#include "common/log.h"
#include "common/rand.h"
#include "config.h"
#include "config_file.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/*
 * No command matched the positional arguments pos[0..npos). `restauthd`, `restauthd help`,
 * `restauthd --help` and `restauthd GROUP --help` (GROUP: account, secret) print the commands;
 * anything else is an unknown command. Returns the exit code.
 */
static int
no_command(const struct config *cfg, int npos, char **pos)
{
    bool help_word = npos == 1 && strcmp(pos[0], "help") == 0;
    if (npos == 0 || help_word) {
        bool asked = cfg->help || help_word;
        commands_usage(asked ? stdout : stderr, NULL);
        return asked ? 0 : 2;
    }
    if (npos == 1 && cfg->help && commands_usage(stdout, pos[0]) > 0)
        return 0;
    fprintf(stderr, "restauthd: unknown command %s%s%s\n", pos[0], npos > 1 ? " " : "",
            npos > 1 ? pos[1] : "");
    if (commands_usage(stderr, pos[0]) == 0)
        commands_usage(stderr, NULL);
    return 2;
}

/* Check the command line against cmd, read the configuration file, set up diagnostics and
 * run cmd with the positional arguments pos[0..npos) (its words first). Returns the exit code. */
static int
run_command(const struct command *cmd, struct config *cfg, int npos, char **pos, int nwords)
{
    /* What the command line alone says, for a reload that reads the file again. */
    struct config cmdline = *cfg;
    cfg->cmdline = &cmdline;
    int nargs = npos - nwords;
    if (config_check_command(cfg, cmd->bit, cmd->words) < 0)
        return 2;
    struct config_file *file = NULL;
    if (cfg->config_file != NULL &&
        config_file_load(cfg, cfg->config_file, cmd->bit, cmd->words, &file) < 0)
        return 2;
    int code = 2;
    if (commands_check(cmd, cfg, nargs) < 0 ||
        ra_log_configure(cfg->log_format, cfg->log_level) < 0)
        goto out;
    code = 1;
    if (ra_rand_init() < 0) {
        fprintf(stderr, "restauthd: cannot initialise the random number generator\n");
        goto out;
    }
    /* The entry point sees the command's last word, then the positional arguments. */
    code = cmd->run(cfg, nargs + 1, pos + nwords - 1);
out:
    config_file_free(file);
    return code;
}

int
main(int argc, char **argv)
{
    struct config cfg;
    config_defaults(&cfg);
    char **pos = argv + 1;
    int npos = 0;
    if (config_parse(&cfg, argc - 1, pos, &npos) < 0)
        return 2;
    int nwords = 0;
    const struct command *cmd = commands_find(npos, pos, &nwords);
    if (cmd == NULL)
        return no_command(&cfg, npos, pos);
    if (cfg.help) {
        commands_help(stdout, cmd);
        return 0;
    }
    return run_command(cmd, &cfg, npos, pos, nwords);
}
