/* SPDX-License-Identifier: MIT */
/*
 * test_commands.c: the command table (server/commands.c) against the option table
 * (server/config.c): which command takes which option, checked against a reference list written
 * out here; each command's --help (exactly its options, each with its default); needed options;
 * positional argument counts; finding the command from its words; the command list.
 */
#include "commands.h"
#include "config.h"

#include "capture.h"
#include "harness.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The options every command takes. */
/* The options of the server, taken by serve, check-config and config-example. */
#define SERVER                                                                                     \
    COMMON, "--listen", "--tls-cert", "--tls-key", "--insecure-http", "--access-log", "--threads", \
        "--rate-limit", "--auth-fail-limit", "--max-body", "--max-header", "--max-conns",          \
        "--max-conns-per-ip", "--idle-timeout", "--header-timeout", "--body-timeout",              \
        "--get-status", "--max-projects", "--max-secrets", "--sync-interval-ms",                   \
        "--session-idle-s", "--session-max-s", "--signin-fail-limit", "--signin-ip-fail-limit",    \
        "--trusted-proxy", "--socket-mode", "--forward-limit", "--user", "--admin-listen",         \
        "--no-metrics", "--usage-retention-days", "--audit-retention-days"
#define COMMON "--store", "--key-file", "--help", "--config", "--log-format", "--log-level"

/* Which command takes which option, written out apart from the table as the reference. */
static const struct {
    const char *words;
    const char *options[48];
} accepted[] = {
    {"init", {COMMON, "--max-projects", "--demo-credentials"}},
    {"serve", {SERVER}},
    {"account add", {COMMON, "--email", "--password-file"}},
    {"account passwd", {COMMON, "--email", "--password-file"}},
    {"account list", {COMMON}},
    {"secret add",
     {COMMON, "--max-secrets", "--account", "--out", "--expires-in", "--expires-at", "--tripwire"}},
    {"secret list", {COMMON, "--account", "--json"}},
    {"secret delete", {COMMON, "--force", "--wait"}},
    {"secret disable", {COMMON, "--force"}},
    {"secret enable", {COMMON}},
    {"secret expire", {COMMON, "--in", "--at", "--never", "--force"}},
    {"secret roll", {COMMON, "--overlap", "--out"}},
    {"audit list", {COMMON, "--account", "--since", "--limit"}},
    {"cluster status", {COMMON}},
    {"check-config", {SERVER}},
    {"config-example", {SERVER}},
    {"manual", {COMMON}},
};

/* True if `name` is in the reference list of options of command `words`. */
static bool
reference_accepts(const char *words, const char *name)
{
    for (size_t i = 0; i < N_ELEMS(accepted); i++) {
        if (strcmp(accepted[i].words, words) != 0)
            continue;
        for (size_t j = 0; j < N_ELEMS(accepted[i].options) && accepted[i].options[j]; j++)
            if (strcmp(accepted[i].options[j], name) == 0)
                return true;
        return false;
    }
    HARNESS_FAIL("no reference list for command %s", words);
    return false;
}

/* The command of the table named `words` (they are split into argv for commands_find). */
static const struct command *
command_named(const char *words)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", words);
    char *argv[3] = {buf, NULL, NULL};
    char *space = strchr(buf, ' ');
    int argc = 1, nwords = -1;
    if (space != NULL) {
        *space = '\0';
        argv[argc++] = space + 1;
    }
    const struct command *cmd = commands_find(argc, argv, &nwords);
    ASSERT_TRUE(cmd != NULL && nwords == argc);
    return cmd;
}

/* What commands_help() prints for cmd (malloc'd), or NULL. */
static char *
help_text(const struct command *cmd)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    commands_help(f, cmd);
    fclose(f);
    return text;
}

/* The line of `text` that documents option `name` ("  --name ..."), copied into line. */
static bool
option_line(const char *text, const char *name, char *line, size_t size)
{
    size_t nlen = strlen(name);
    for (const char *p = text; p != NULL && *p != '\0';) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nlen + 2 && strncmp(p, "  ", 2) == 0 && strncmp(p + 2, name, nlen) == 0 &&
            (p[2 + nlen] == ' ' || p[2 + nlen] == '[')) {
            snprintf(line, size, "%.*s", (int)len, p);
            return true;
        }
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* Every entry of the command table is well formed and agrees with the option table. */
static void
test_command_table(void)
{
    size_t ncmd;
    const struct command *cmds = commands_table(&ncmd);
    unsigned bits = 0;
    for (size_t k = 0; k < ncmd; k++) {
        const struct command *c = &cmds[k];
        /* One bit each, all different. */
        ASSERT_TRUE(c->bit != 0 && (c->bit & (c->bit - 1)) == 0 && (bits & c->bit) == 0);
        bits |= c->bit;
        /* The argument names and their count agree. */
        int words = 0;
        for (const char *p = c->args; p != NULL && *p != '\0'; p++)
            words += *p != ' ' && (p == c->args || p[-1] == ' ');
        ASSERT_EQ_INT(words, c->nargs);
        ASSERT_TRUE(c->summary != NULL && c->summary[0] != '\0' && c->run != NULL);
        /* A needed option exists and the command accepts it. */
        for (size_t i = 0; i < N_ELEMS(c->needs) && c->needs[i] != NULL; i++) {
            const struct config_option *o = config_find(c->needs[i]);
            ASSERT_TRUE(o != NULL && (o->commands & c->bit) != 0);
        }
        ASSERT_TRUE(command_named(c->words) == c);
    }
    ASSERT_EQ_INT(bits, CMD_ALL);
    ASSERT_EQ_INT(ncmd, N_ELEMS(accepted));
}
/* Each command's help lists exactly the options of the reference list, each with the default
 * config_defaults() gives it (if it has one). */
static void
test_command_help(void)
{
    size_t nopt;
    const struct config_option *opts = config_options(&nopt);
    struct config def;
    config_defaults(&def);
    for (size_t i = 0; i < N_ELEMS(accepted); i++) {
        const struct command *cmd = command_named(accepted[i].words);
        char *text = cmd ? help_text(cmd) : NULL;
        ASSERT_TRUE(text != NULL);
        if (text == NULL)
            continue;
        char usage[80];
        snprintf(usage, sizeof(usage), "usage: restauthd %s", cmd->words);
        ASSERT_TRUE(strncmp(text, usage, strlen(usage)) == 0);
        ASSERT_TRUE(strstr(text, cmd->summary) != NULL);
        size_t listed = 0;
        for (const char *p = strstr(text, "\n  --"); p != NULL; p = strstr(p + 1, "\n  --"))
            listed++;
        size_t want = 0;
        for (size_t k = 0; k < nopt; k++) {
            const struct config_option *o = &opts[k];
            bool expect = reference_accepts(cmd->words, o->name);
            want += expect;
            char line[256], dflt[128] = "";
            bool found = option_line(text, o->name, line, sizeof(line));
            harness_checks++;
            if (found != expect) {
                HARNESS_FAIL("`%s --help` %s %s", cmd->words, found ? "lists" : "lacks", o->name);
                continue;
            }
            const char *field = (const char *)&def + o->offset;
            if (o->type == CONFIG_NUMBER)
                snprintf(dflt, sizeof(dflt), " [%ld]", *(const long *)field);
            else if (o->type == CONFIG_STRING && *(const char *const *)field != NULL)
                snprintf(dflt, sizeof(dflt), " [%s]", *(const char *const *)field);
            size_t ll = strlen(line), dl = strlen(dflt);
            harness_checks++;
            if (found &&
                (dl > 0 ? ll < dl || strcmp(line + ll - dl, dflt) != 0 : line[ll - 1] == ']'))
                HARNESS_FAIL("`%s --help`: want default \"%s\" in: %s", cmd->words, dflt, line);
        }
        ASSERT_EQ_INT(listed, want);
        free(text);
    }
}

struct check_call {
    const struct command *cmd;
    struct config cfg;
    int nargs;
};

/* Run commands_check for `call` with stderr caught; returns the code, the text in out. */
static int
check_quietly(struct check_call *call, char *out, size_t size)
{
    struct capture cap;
    if (capture_begin(&cap) < 0)
        return -1;
    int rc = commands_check(call->cmd, &call->cfg, call->nargs);
    capture_end(&cap, out, size);
    return rc;
}

/* Append option o with a valid value (a string, or a number's own default) to argv. */
static void
push_option(const struct config_option *o, char *num, size_t size, char **argv, int *argc)
{
    argv[(*argc)++] = (char *)o->name;
    if (o->choices != NULL) { /* the first of its words */
        snprintf(num, size, "%.*s", (int)strcspn(o->choices, "|"), o->choices);
        argv[(*argc)++] = num;
    } else if (o->type == CONFIG_STRING || o->type == CONFIG_LIST) {
        argv[(*argc)++] = "value";
    } else if (o->type == CONFIG_NUMBER) {
        snprintf(num, size, "%ld", o->def.num);
        argv[(*argc)++] = num;
    }
}

/* Every option given to every command (with the option it needs): accepted exactly where the
 * reference says; refused with a message that names both the option and the command. */
static void
test_option_per_command(void)
{
    size_t nopt;
    const struct config_option *opts = config_options(&nopt);
    for (size_t i = 0; i < N_ELEMS(accepted); i++) {
        struct check_call call = {.cmd = command_named(accepted[i].words)};
        if (call.cmd == NULL)
            continue;
        call.nargs = call.cmd->nargs;
        for (size_t k = 0; k < nopt; k++) {
            char num[2][32], *argv[5], err[512];
            int argc = 0, npos;
            if (call.cmd->needs[0] != NULL)
                push_option(config_find(call.cmd->needs[0]), num[0], sizeof(num[0]), argv, &argc);
            push_option(&opts[k], num[1], sizeof(num[1]), argv, &argc);
            config_defaults(&call.cfg);
            ASSERT_EQ_INT(config_parse(&call.cfg, argc, argv, &npos), 0);
            ASSERT_TRUE(config_given(&call.cfg, opts[k].name));
            bool expect = reference_accepts(accepted[i].words, opts[k].name);
            int rc = check_quietly(&call, err, sizeof(err));
            harness_checks++;
            if ((rc == 0) != expect)
                HARNESS_FAIL("%s %s: commands_check = %d (%s)", accepted[i].words, opts[k].name, rc,
                             err);
            harness_checks++;
            if (!expect &&
                (strstr(err, opts[k].name) == NULL || strstr(err, accepted[i].words) == NULL))
                HARNESS_FAIL("%s %s: the message does not name both: %s", accepted[i].words,
                             opts[k].name, err);
        }
    }
}

/* Parse argv (NULL-terminated) for command `words` and check it with nargs arguments; the
 * message goes to err. */
static int
check_line(const char *words, char **argv, int nargs, char *err, size_t size)
{
    struct check_call call = {.cmd = command_named(words), .nargs = nargs};
    int argc = 0, npos;
    while (argv[argc] != NULL)
        argc++;
    config_defaults(&call.cfg);
    if (call.cmd == NULL || config_parse(&call.cfg, argc, argv, &npos) != 0)
        return 1;
    return check_quietly(&call, err, size);
}

/* Needed options, argument counts and several refused options at once. */
static void
test_needs_and_counts(void)
{
    char err[1024];
    char *none[] = {NULL};
    char *account[] = {"--account", "acme", NULL};
    char *email[] = {"--email", "a@b.example", NULL};
    char *pwfile[] = {"--password-file", "pw.txt", NULL};

    ASSERT_EQ_INT(check_line("secret add", none, 0, err, sizeof(err)), -EINVAL);
    ASSERT_TRUE(strstr(err, "secret add needs --account") != NULL);
    ASSERT_TRUE(strstr(err, "usage: restauthd secret add --account NAME [options]") != NULL);
    ASSERT_EQ_INT(check_line("secret add", account, 0, err, sizeof(err)), 0);
    ASSERT_EQ_INT(check_line("secret list", none, 0, err, sizeof(err)), -EINVAL);
    ASSERT_EQ_INT(check_line("secret list", account, 0, err, sizeof(err)), 0);
    /* Either of the two is enough for account passwd; account add needs neither. */
    ASSERT_EQ_INT(check_line("account passwd", none, 1, err, sizeof(err)), -EINVAL);
    ASSERT_TRUE(strstr(err, "--email") != NULL && strstr(err, "--password-file") != NULL);
    ASSERT_EQ_INT(check_line("account passwd", email, 1, err, sizeof(err)), 0);
    ASSERT_EQ_INT(check_line("account passwd", pwfile, 1, err, sizeof(err)), 0);
    ASSERT_EQ_INT(check_line("account add", none, 1, err, sizeof(err)), 0);
    ASSERT_EQ_INT(check_line("account add", email, 1, err, sizeof(err)), 0);

    /* Positional argument counts, answered with the usage line. */
    static const struct {
        const char *words;
        int nargs, rc;
    } counts[] = {
        {"init", 0, 0},
        {"init", 1, -EINVAL},
        {"serve", 1, -EINVAL},
        {"account add", 0, -EINVAL},
        {"account add", 2, -EINVAL},
        {"account list", 1, -EINVAL},
        {"secret delete", 1, 0},
        {"secret delete", 0, -EINVAL},
        {"secret delete", 2, -EINVAL},
    };
    for (size_t i = 0; i < N_ELEMS(counts); i++) {
        int rc = check_line(counts[i].words, none, counts[i].nargs, err, sizeof(err));
        harness_checks++;
        if (rc != counts[i].rc || (rc != 0 && strstr(err, "usage: restauthd ") == NULL))
            HARNESS_FAIL("%s with %d arguments: %d (%s)", counts[i].words, counts[i].nargs, rc,
                         err);
    }

    /* Every refused option is named, not only the first. */
    char *three[] = {"--force", "--tls-cert", "nothing", "--rate-limit", "5", NULL};
    ASSERT_EQ_INT(check_line("init", three, 0, err, sizeof(err)), -EINVAL);
    ASSERT_TRUE(strstr(err, "init does not take --force") != NULL);
    ASSERT_TRUE(strstr(err, "init does not take --tls-cert") != NULL);
    ASSERT_TRUE(strstr(err, "init does not take --rate-limit") != NULL);
    /* The same line is fine for serve but for --force. */
    ASSERT_EQ_INT(check_line("serve", three, 0, err, sizeof(err)), -EINVAL);
    ASSERT_TRUE(strstr(err, "--force") != NULL && strstr(err, "--tls-cert") == NULL);
}

/* Finding the command from the leading words, and the command list of --help. */
static void
test_find_and_usage(void)
{
    static const struct {
        const char *args[3];
        const char *words; /* NULL: no command */
        int nwords;
    } cases[] = {
        {{"account", "add", "x"}, "account add", 2},
        {{"init", "serve"}, "init", 1},
        {{"secret", "delete"}, "secret delete", 2},
        {{"account"}, NULL, 0},
        {{"account", "ad"}, NULL, 0},
        {{"accounts", "add"}, NULL, 0},
        {{"add", "account"}, NULL, 0},
        {{"Init"}, NULL, 0},
        {{"help"}, NULL, 0},
        {{NULL}, NULL, 0},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        int argc = 0, nwords = -1;
        while (argc < 3 && cases[i].args[argc] != NULL)
            argc++;
        const struct command *cmd = commands_find(argc, (char *const *)cases[i].args, &nwords);
        harness_checks++;
        if ((cmd == NULL) != (cases[i].words == NULL) ||
            (cmd != NULL && strcmp(cmd->words, cases[i].words) != 0) || nwords != cases[i].nwords)
            HARNESS_FAIL("case %zu: found %s (%d words)", i, cmd ? cmd->words : "nothing", nwords);
    }

    static const struct {
        const char *group;
        int listed;
    } groups[] = {{NULL, 15}, /* config-example and manual are hidden */
                  {"account", 3}, {"secret", 7}, {"serve", 1}, {"cluster", 1},
                  {"audit", 1},   {"bogus", 0},  {"", 0}};
    for (size_t i = 0; i < N_ELEMS(groups); i++) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f == NULL)
            continue;
        int listed = commands_usage(f, groups[i].group);
        fclose(f);
        ASSERT_EQ_INT(listed, groups[i].listed);
        /* Nothing for an unknown group; otherwise the common options and no other. */
        ASSERT_TRUE(listed > 0 || len == 0);
        if (listed > 0) {
            ASSERT_TRUE(strstr(text, "  --store URL") != NULL);
            ASSERT_TRUE(strstr(text, "  --help") != NULL);
            ASSERT_TRUE(strstr(text, "  --listen") == NULL && strstr(text, "  --force") == NULL);
        }
        free(text);
    }
}
int
main(void)
{
    RUN(test_command_table);
    RUN(test_command_help);
    RUN(test_option_per_command);
    RUN(test_needs_and_counts);
    RUN(test_find_and_usage);
    return harness_done();
}
