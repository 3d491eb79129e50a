/* SPDX-License-Identifier: MIT */
/*
 * commands.c: the table of restauth commands, their operand checks, and their bodies.
 *
 * Each command is one or two words followed by a fixed range of operands. The table drives
 * both the check before anything is sent and the dispatch afterwards.
 */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_STDIN_BODY (1024 * 1024)

typedef enum cli_exit (*run_fn)(struct ra_client *c, const struct cli_opts *o, char **ops);

/* Which command-specific options a command accepts. */
enum { ALLOW_ID_NAME = 1, ALLOW_SIGN_KEY = 2 };

struct command {
    const char *word1;
    const char *word2; /* NULL for one-word commands */
    int min_ops, max_ops;
    unsigned allow;
    const char *synopsis;
    run_fn run;
};

/* Print a single project, or report the failure. */
static enum cli_exit
show_project(struct ra_client *c, enum ra_err e, struct ra_project *p, bool table)
{
    enum cli_exit rc = e == RA_OK ? out_project(p, table) : cli_fail(c, e);
    ra_project_free(p);
    return rc;
}

/* Print a list of projects, or report the failure. */
static enum cli_exit
show_projects(struct ra_client *c, enum ra_err e, struct ra_projects *l, bool table)
{
    enum cli_exit rc = e == RA_OK ? out_projects(l, table) : cli_fail(c, e);
    ra_projects_free(l);
    return rc;
}

static enum cli_exit
run_projects(struct ra_client *c, const struct cli_opts *o, char **ops)
{
    struct ra_projects *l = NULL;
    (void)ops;
    enum ra_err e = ra_project_list(c, &l);
    return show_projects(c, e, l, o->table);
}

static enum cli_exit
run_credentials(struct ra_client *c, const struct cli_opts *o, char **ops)
{
    struct ra_credentials *l = NULL;
    (void)ops;
    enum ra_err e = ra_credential_list(c, &l);
    enum cli_exit rc = e == RA_OK ? out_credentials(l, o->table) : cli_fail(c, e);
    ra_credentials_free(l);
    return rc;
}

static enum cli_exit
run_create(struct ra_client *c, const struct cli_opts *o, char **ops)
{
    struct ra_project *p = NULL;
    enum ra_err e = ra_project_create(c, ops[0], o->sign_key, &p);
    return show_project(c, e, p, o->table);
}

static enum cli_exit
run_get(struct ra_client *c, const struct cli_opts *o, char **ops)
{
    struct ra_projects *l = NULL;
    (void)ops;
    enum ra_err e = ra_project_get(c, o->id, o->name, &l);
    return show_projects(c, e, l, o->table);
}

static enum cli_exit
run_enable(struct ra_client *c, const struct cli_opts *o, char **ops)
{
    struct ra_project *p = NULL;
    enum ra_err e = ra_project_set_status(c, ops[0], true, &p);
    return show_project(c, e, p, o->table);
}

static enum cli_exit
run_disable(struct ra_client *c, const struct cli_opts *o, char **ops)
{
    struct ra_project *p = NULL;
    enum ra_err e = ra_project_set_status(c, ops[0], false, &p);
    return show_project(c, e, p, o->table);
}

static enum cli_exit
run_delete(struct ra_client *c, const struct cli_opts *o, char **ops)
{
    enum ra_err e = ra_project_delete(c, ops[0]);
    return e == RA_OK ? out_deleted(ops[0], o->table) : cli_fail(c, e);
}

static enum cli_exit
run_signkey_enable(struct ra_client *c, const struct cli_opts *o, char **ops)
{
    struct ra_project *p = NULL;
    enum ra_err e = ra_project_set_sign_key(c, ops[0], true, &p);
    return show_project(c, e, p, o->table);
}

static enum cli_exit
run_signkey_disable(struct ra_client *c, const struct cli_opts *o, char **ops)
{
    struct ra_project *p = NULL;
    enum ra_err e = ra_project_set_sign_key(c, ops[0], false, &p);
    return show_project(c, e, p, o->table);
}

static enum cli_exit
run_signkey_reset(struct ra_client *c, const struct cli_opts *o, char **ops)
{
    struct ra_project *p = NULL;
    enum ra_err e = ra_project_reset_sign_key(c, ops[0], &p);
    return show_project(c, e, p, o->table);
}

static enum cli_exit
run_recording(struct ra_client *c, const struct cli_opts *o, char **ops)
{
    struct ra_project *p = NULL;
    enum ra_err e = ra_project_set_recording_server(c, ops[0], ops[1], &p);
    return show_project(c, e, p, o->table);
}

/* Read all of stdin (at most MAX_STDIN_BODY bytes) into a new NUL-terminated string. */
static char *
read_stdin(void)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        if (n + 1 == cap) {
            char *bigger = cap >= MAX_STDIN_BODY ? NULL : realloc(buf, cap * 2);
            if (bigger == NULL)
                break;
            buf = bigger;
            cap *= 2;
        }
        ssize_t r = read(STDIN_FILENO, buf + n, cap - n - 1);
        if (r == 0) {
            buf[n] = '\0';
            return buf;
        }
        if (r < 0)
            break;
        n += (size_t)r;
    }
    free(buf);
    return NULL;
}

static enum cli_exit
run_call(struct ra_client *c, const struct cli_opts *o, char **ops)
{
    char method[17];
    char *body = NULL, *stdin_body = NULL;
    const char *json = ops[2];
    long status = 0;
    size_t len = 0;
    (void)o;
    /* call_ok() checked that the method is 1-16 letters. */
    size_t mlen = strlen(ops[0]);
    for (size_t i = 0; i <= mlen && i < sizeof(method); i++)
        method[i] = (char)toupper((unsigned char)ops[0][i]);
    method[sizeof(method) - 1] = '\0';
    if (json != NULL && strcmp(json, "-") == 0) {
        json = stdin_body = read_stdin();
        if (stdin_body == NULL) {
            cli_err("cannot read the request body from stdin (at most %d bytes)", MAX_STDIN_BODY);
            return CLI_FAILURE;
        }
    }
    enum ra_err e = ra_client_request(c, method, ops[1], json, &status, &body, &len);
    free(stdin_body);
    enum cli_exit rc = CLI_OK;
    if (body != NULL)
        rc = out_raw(body, len);
    ra_body_free(body);
    if (e != RA_OK)
        return cli_fail(c, e);
    return rc;
}

static const struct command commands[] = {
    {"projects", NULL, 0, 0, 0, "projects", run_projects},
    {"project", "create", 1, 1, ALLOW_SIGN_KEY, "project create NAME [--sign-key]", run_create},
    {"project", "get", 0, 0, ALLOW_ID_NAME, "project get --id ID | --name NAME", run_get},
    {"project", "enable", 1, 1, 0, "project enable ID", run_enable},
    {"project", "disable", 1, 1, 0, "project disable ID", run_disable},
    {"project", "delete", 1, 1, 0, "project delete ID", run_delete},
    {"signkey", "enable", 1, 1, 0, "signkey enable ID", run_signkey_enable},
    {"signkey", "disable", 1, 1, 0, "signkey disable ID", run_signkey_disable},
    {"signkey", "reset", 1, 1, 0, "signkey reset ID", run_signkey_reset},
    {"recording-server", "set", 2, 2, 0, "recording-server set ID ADDR", run_recording},
    {"credentials", "list", 0, 0, 0, "credentials list", run_credentials},
    {"call", NULL, 2, 3, 0, "call METHOD PATH [JSON|-]", run_call},
};

/* The table entry for the command in o->args, or NULL. */
static const struct command *
find_command(const struct cli_opts *o)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const struct command *cmd = &commands[i];
        if (strcmp(o->args[0], cmd->word1) != 0)
            continue;
        if (cmd->word2 == NULL || (o->nargs > 1 && strcmp(o->args[1], cmd->word2) == 0))
            return cmd;
    }
    return NULL;
}

/* Check the operands of `call`: a method token of letters and a path from '/'. */
static bool
call_ok(char **ops)
{
    size_t n = strlen(ops[0]);
    if (n == 0 || n > 16 || ops[1][0] != '/')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalpha((unsigned char)ops[0][i]))
            return false;
    return true;
}

/* Explain an unknown command, listing the sub-commands when the first word is known. */
static void
unknown_command(const struct cli_opts *o)
{
    char subs[128] = "";
    size_t used = 0;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (commands[i].word2 != NULL && strcmp(o->args[0], commands[i].word1) == 0 &&
            used < sizeof(subs))
            used += (size_t)snprintf(subs + used, sizeof(subs) - used, "%s%s", used ? ", " : "",
                                     commands[i].word2);
    if (used > 0)
        cli_err("'%s' needs one of: %s", o->args[0], subs);
    else
        cli_err("unknown command '%s'", o->args[0]);
    fputs("Try 'restauth --help'.\n", stderr);
}

enum cli_exit
cli_check_command(const struct cli_opts *o)
{
    const struct command *cmd = find_command(o);
    if (cmd == NULL) {
        unknown_command(o);
        return CLI_USAGE;
    }
    int nops = o->nargs - (cmd->word2 ? 2 : 1);
    bool ok = nops >= cmd->min_ops && nops <= cmd->max_ops;
    if ((o->id || o->name) && !(cmd->allow & ALLOW_ID_NAME))
        ok = false;
    if (o->sign_key && !(cmd->allow & ALLOW_SIGN_KEY))
        ok = false;
    if ((cmd->allow & ALLOW_ID_NAME) && o->id == NULL && o->name == NULL)
        ok = false;
    if (ok && cmd->run == run_call && !call_ok(o->args + 1))
        ok = false;
    if (!ok) {
        cli_err("usage: restauth [options] %s", cmd->synopsis);
        return CLI_USAGE;
    }
    return CLI_OK;
}

enum cli_exit
cli_run_command(struct ra_client *c, const struct cli_opts *o)
{
    const struct command *cmd = find_command(o);
    char *ops[3] = {NULL, NULL, NULL};
    int first = cmd->word2 ? 2 : 1;
    for (int i = first; i < o->nargs && i - first < 3; i++)
        ops[i - first] = o->args[i];
    return cmd->run(c, o, ops);
}
