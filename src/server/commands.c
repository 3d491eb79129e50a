/* SPDX-License-Identifier: MIT */
/*
 * commands.c: the command table and what is derived from it: finding the command a command
 * line names, checking its options and arguments, and the help texts. Which options a
 * command accepts is recorded once, in the option table (config.c), by the command's bit.
 */
#include "commands.h"

#include "admin.h"
#include "config_doc.h"
#include "serve.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* command_fn of `init`: admin_init() takes no arguments. */
static int
run_init(const struct config *cfg, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return admin_init(cfg);
}

/* command_fn of `serve`: serve_run() takes no arguments. */
static int
run_serve(const struct config *cfg, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return serve_run(cfg);
}

static const struct command commands[] = {
    {.words = "init",
     .summary = "create the store and the server key (nothing is replaced)",
     .bit = CMD_INIT,
     .run = run_init},
    {.words = "serve",
     .summary = "run the HTTPS server until SIGTERM or SIGINT (SIGHUP: reload, SIGUSR1: reopen "
                "the access log)",
     .bit = CMD_SERVE,
     .run = run_serve},
    {.words = "account add",
     .args = "NAME",
     .nargs = 1,
     .summary = "create an account, optionally with a console sign-in",
     .bit = CMD_ACCOUNT_ADD,
     .run = admin_account},
    {.words = "account passwd",
     .args = "NAME",
     .nargs = 1,
     .summary = "set the console sign-in of an account",
     .bit = CMD_ACCOUNT_PASSWD,
     .needs = {"--email", "--password-file"},
     .run = admin_account},
    {.words = "account list",
     .summary = "list the accounts",
     .bit = CMD_ACCOUNT_LIST,
     .run = admin_account},
    {.words = "secret add",
     .summary = "create a credential pair for an account; the secret is shown once",
     .bit = CMD_SECRET_ADD,
     .needs = {"--account"},
     .run = admin_secret},
    {.words = "secret list",
     .summary = "list the credential pairs of an account (never a secret)",
     .bit = CMD_SECRET_LIST,
     .needs = {"--account"},
     .run = admin_secret},
    {.words = "secret delete",
     .args = "ID",
     .nargs = 1,
     .summary = "delete a credential pair",
     .bit = CMD_SECRET_DELETE,
     .run = admin_secret},
    {.words = "secret disable",
     .args = "ID",
     .nargs = 1,
     .summary = "disable a credential pair: it is refused as a wrong secret until enabled",
     .bit = CMD_SECRET_DISABLE,
     .run = admin_secret},
    {.words = "secret enable",
     .args = "ID",
     .nargs = 1,
     .summary = "enable a disabled credential pair again",
     .bit = CMD_SECRET_ENABLE,
     .run = admin_secret},
    {.words = "secret expire",
     .args = "ID",
     .nargs = 1,
     .summary = "set when a credential pair expires (--in, --at) or that it never does (--never)",
     .bit = CMD_SECRET_EXPIRE,
     .run = admin_secret},
    {.words = "secret roll",
     .args = "ID",
     .nargs = 1,
     .summary =
         "replace a pair: a new one (secret shown once); the old one expires after --overlap",
     .bit = CMD_SECRET_ROLL,
     .needs = {"--overlap"},
     .run = admin_secret},
    {.words = "audit list",
     .summary = "print the audit log as JSON lines, newest first",
     .bit = CMD_AUDIT_LIST,
     .run = admin_audit},
    {.words = "cluster status",
     .summary = "list the nodes: applied change-feed row, lag, last heartbeat",
     .bit = CMD_CLUSTER_STATUS,
     .run = admin_cluster},
    {.words = "check-config",
     .summary = "check the settings serve would use and print them with their sources",
     .bit = CMD_CHECK_CONFIG,
     .run = config_doc_check},
    {.words = "config-example",
     .summary = "print the commented example configuration file",
     .bit = CMD_CONFIG_EXAMPLE,
     .run = config_doc_example,
     .hidden = true},
    {.words = "manual",
     .summary = "print the COMMANDS and OPTIONS sections of restauthd(8) in roff",
     .bit = CMD_MANUAL,
     .run = config_doc_manual,
     .hidden = true},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct command *
commands_table(size_t *count)
{
    *count = N_COMMANDS;
    return commands;
}

/* How many leading arguments spell out `words` (space-separated), or 0 if they do not. */
static int
match_words(const char *words, int argc, char *const *argv)
{
    int n = 0;
    while (*words != '\0') {
        size_t len = strcspn(words, " ");
        if (n >= argc || strlen(argv[n]) != len || strncmp(argv[n], words, len) != 0)
            return 0;
        n++;
        words += len;
        words += *words == ' ';
    }
    return n;
}

const struct command *
commands_find(int argc, char *const *argv, int *nwords)
{
    for (size_t k = 0; k < N_COMMANDS; k++) {
        int n = match_words(commands[k].words, argc, argv);
        if (n > 0) {
            *nwords = n;
            return &commands[k];
        }
    }
    *nwords = 0;
    return NULL;
}

/* An option as a usage line shows it: its name and, unless it is a flag, its value. */
static void
put_option(FILE *out, const char *name)
{
    const struct config_option *o = config_find(name);
    fputs(name, out);
    if (o != NULL && o->arg != NULL)
        fprintf(out, " %s", o->arg);
}

/* "usage: restauthd WORDS ARGS {NEEDED | NEEDED} [options]". */
static void
usage_line(FILE *out, const struct command *cmd)
{
    const char *const *needs = cmd->needs;
    fprintf(out, "usage: restauthd %s", cmd->words);
    if (cmd->args != NULL)
        fprintf(out, " %s", cmd->args);
    if (needs[0] != NULL) {
        fputs(needs[1] != NULL ? " {" : " ", out);
        put_option(out, needs[0]);
        if (needs[1] != NULL) {
            fputs(" | ", out);
            put_option(out, needs[1]);
            fputc('}', out);
        }
    }
    fputs(" [options]\n", out);
}

int
commands_check(const struct command *cmd, const struct config *cfg, int nargs)
{
    if (config_check_command(cfg, cmd->bit, cmd->words) < 0)
        return -EINVAL;
    const char *const *needs = cmd->needs;
    if (needs[0] != NULL && !config_given(cfg, needs[0]) &&
        (needs[1] == NULL || !config_given(cfg, needs[1]))) {
        fprintf(stderr, "restauthd: %s needs %s%s%s\n", cmd->words, needs[0],
                needs[1] != NULL ? " or " : "", needs[1] != NULL ? needs[1] : "");
        usage_line(stderr, cmd);
        return -EINVAL;
    }
    if (nargs != cmd->nargs) {
        fprintf(stderr, "restauthd: %s takes %d argument%s, not %d\n", cmd->words, cmd->nargs,
                cmd->nargs == 1 ? "" : "s", nargs);
        usage_line(stderr, cmd);
        return -EINVAL;
    }
    return 0;
}

void
commands_help(FILE *out, const struct command *cmd)
{
    usage_line(out, cmd);
    fprintf(out, "%s\noptions:\n", cmd->summary);
    config_usage(out, cmd->bit);
}

/* True if the first word of cmd's words is `group`. */
static bool
in_group(const struct command *cmd, const char *group)
{
    size_t len = strcspn(cmd->words, " ");
    return strlen(group) == len && strncmp(cmd->words, group, len) == 0;
}

int
commands_usage(FILE *out, const char *group)
{
    int listed = 0;
    for (size_t k = 0; k < N_COMMANDS; k++) {
        const struct command *cmd = &commands[k];
        if (cmd->hidden || (group != NULL && !in_group(cmd, group)))
            continue;
        if (listed++ == 0)
            fprintf(out, "usage: restauthd COMMAND [ARGUMENTS] [options]\ncommands:\n");
        char head[64];
        snprintf(head, sizeof(head), "%s%s%s", cmd->words, cmd->args != NULL ? " " : "",
                 cmd->args != NULL ? cmd->args : "");
        fprintf(out, "  %-26s %s\n", head, cmd->summary);
    }
    if (listed == 0)
        return 0;
    fprintf(out, "options of every command:\n");
    config_usage(out, CMD_ALL);
    fprintf(out, "`restauthd COMMAND --help` lists the options of COMMAND with their defaults.\n");
    return listed;
}
