/* SPDX-License-Identifier: MIT */
/*
 * config_doc.c: check-config, the example configuration file and the generated part of the
 * manual page, all written from the option table (config.c) and the command table
 * (commands.c), so that none of them can list an option or a command that does not exist or
 * miss one that does.
 */
#include "config_doc.h"

#include "commands.h"
#include "handlers/forward_rules.h"
#include "http/listen.h"

#include <arpa/inet.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* The column where check-config's "# source" starts. */
#define SOURCE_COLUMN 44

/* Options that are about reading options, never settings of their own. */
static bool
is_meta(const struct config_option *o)
{
    return strcmp(o->name, "--help") == 0 || strcmp(o->name, "--config") == 0;
}

const char *
config_doc_redact(const char *value, char *out, size_t len)
{
    static const char mask[] = "REDACTED";
    size_t o = 0;
    const char *scheme = strstr(value, "://");
    const char *user_end = scheme != NULL ? strpbrk(scheme + 3, "@/?#") : NULL;
    const char *pw = scheme != NULL && user_end != NULL && *user_end == '@'
                         ? memchr(scheme + 3, ':', (size_t)(user_end - scheme - 3))
                         : NULL;
    for (const char *p = value; *p != '\0' && o + 1 < len;) {
        const char *skip_to = NULL;
        if (p == pw + 1 && pw != NULL)
            skip_to = user_end; /* the URL's password, up to "@" */
        else if (strncmp(p, "password=", 9) == 0 && (p == value || strchr("?&; ", p[-1]))) {
            o += (size_t)snprintf(out + o, len - o, "password=");
            p += 9;
            skip_to = p + strcspn(p, "& ");
        }
        if (skip_to != NULL) {
            if (o < len)
                o += (size_t)snprintf(out + o, len - o, "%s", mask);
            p = skip_to;
            continue;
        }
        out[o++] = *p++;
    }
    out[o < len ? o : len - 1] = '\0';
    return out;
}

/* The value of a single-valued option as text: NULL for a string that is not set. */
static const char *
value_text(const struct config *cfg, const struct config_option *o, char *buf, size_t len)
{
    const char *field = (const char *)cfg + o->offset;
    switch (o->type) {
    case CONFIG_STRING:
        return *(const char *const *)field;
    case CONFIG_NUMBER:
        snprintf(buf, len, "%ld", *(const long *)field);
        return buf;
    case CONFIG_FLAG:
        return *(const bool *)field ? "true" : "false";
    case CONFIG_LIST:
        break;
    }
    return NULL;
}

/* Where a value comes from: "command line", "FILE:LINE" or "default". */
static const char *
source_text(const struct config *cfg, const struct config_option *o, unsigned line, char *buf,
            size_t len)
{
    uint64_t bit = config_bit(o);
    if ((cfg->given & bit) != 0)
        return "command line";
    if ((cfg->from_file & bit) == 0)
        return "default";
    const struct config *base = cfg->cmdline != NULL ? cfg->cmdline : cfg;
    snprintf(buf, len, "%s:%u", base->config_file != NULL ? base->config_file : cfg->config_file,
             line);
    return buf;
}

/* One line of check-config: "name = value", padded, then "# source". */
static void
put_setting(const char *name, const char *value, const char *source)
{
    char head[4200];
    char clean[4096];
    if (value != NULL)
        snprintf(head, sizeof(head), "%s = %s", name,
                 config_doc_redact(value, clean, sizeof(clean)));
    else
        snprintf(head, sizeof(head), "# %s is not set", name);
    printf("%-*s # %s\n", SOURCE_COLUMN - 1, head, source);
}

/* Print the effective value(s) of option o with their sources. */
static void
show_option(const struct config *cfg, const struct config_option *o)
{
    char buf[32], where[4200];
    size_t index = (size_t)__builtin_ctzll(config_bit(o));
    const char *name = o->name + 2;
    if (o->type != CONFIG_LIST) {
        const char *v = o->secret ? "REDACTED" : value_text(cfg, o, buf, sizeof(buf));
        put_setting(name, v, source_text(cfg, o, cfg->file_line[index], where, sizeof(where)));
        return;
    }
    const struct config_list *list = (const void *)((const char *)cfg + o->offset);
    if (list->n == 0)
        put_setting(name, NULL, source_text(cfg, o, 0, where, sizeof(where)));
    for (size_t i = 0; i < list->n; i++)
        put_setting(name, o->secret ? "REDACTED" : list->item[i],
                    source_text(cfg, o, list->line[i], where, sizeof(where)));
}

/* The checks serve makes at start-up before it touches the store; how many failed. */
static int
check_server_settings(const struct config *cfg)
{
    int bad = 0;
    struct listen_addr la;
    mode_t mode;
    if (listen_parse(cfg->listen, &la) < 0 && ++bad)
        fprintf(stderr, "restauthd: listen %s: expected ADDR:PORT or unix:PATH\n", cfg->listen);
    if (listen_mode_parse(cfg->socket_mode, &mode) < 0 && ++bad)
        fprintf(stderr, "restauthd: socket-mode %s: expected an octal mode such as 0660\n",
                cfg->socket_mode);
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL) && ++bad)
        fprintf(stderr, "restauthd: tls-cert and tls-key go together\n");
    unsigned char addr[16];
    if (cfg->trusted_proxy != NULL && inet_pton(AF_INET, cfg->trusted_proxy, addr) != 1 &&
        inet_pton(AF_INET6, cfg->trusted_proxy, addr) != 1 && ++bad)
        fprintf(stderr, "restauthd: trusted-proxy %s: expected an IP address\n",
                cfg->trusted_proxy);
    if (cfg->user != NULL && getpwnam(cfg->user) == NULL && ++bad)
        fprintf(stderr, "restauthd: user %s: no such user\n", cfg->user);
    static struct forward_rules rules; /* large; this command runs once, on one thread */
    char why[512];
    if (forward_rules_build(&rules, cfg->forward_limits.item, cfg->forward_limits.n, why,
                            sizeof(why)) < 0 &&
        ++bad)
        fprintf(stderr, "restauthd: forward-limit %s\n", why);
    return bad;
}

int
config_doc_check(const struct config *cfg, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int bad = check_server_settings(cfg);
    size_t n;
    const struct config_option *opts = config_options(&n);
    for (size_t k = 0; k < n; k++)
        if ((opts[k].commands & CMD_CHECK_CONFIG) != 0 && !is_meta(&opts[k]))
            show_option(cfg, &opts[k]);
    fflush(stdout);
    if (bad > 0)
        fprintf(stderr, "restauthd: %d problem%s\n", bad, bad == 1 ? "" : "s");
    return bad > 0 ? 2 : 0;
}

/* Write text as comment lines of at most 90 columns ("# " and words). */
static void
put_comment(const char *text)
{
    size_t col = 0;
    for (const char *p = text; *p != '\0';) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (w == 0)
            break;
        if (col > 0 && col + 1 + w > 88) {
            putchar('\n');
            col = 0;
        }
        printf("%s%.*s", col == 0 ? "# " : " ", (int)w, p);
        col += (col == 0 ? 2 : 1) + w;
        p += w;
    }
    putchar('\n');
}

/* " Repeatable." for a list whose help does not say so already, else "". */
static const char *
repeatable_note(const struct config_option *o)
{
    return o->type == CONFIG_LIST && strstr(o->help, "repeatable") == NULL ? " Repeatable." : "";
}

/* One option of the example file: its help, default, and the setting itself. */
static void
example_option(const struct config *cfg, const struct config_option *o)
{
    char help[1024], buf[32];
    struct config defaults;
    config_defaults(&defaults);
    const char *dflt = o->type == CONFIG_LIST ? NULL : value_text(&defaults, o, buf, sizeof(buf));
    snprintf(help, sizeof(help), "%s.%s%s%s%s", o->help, repeatable_note(o),
             dflt != NULL ? " Default: " : "", dflt != NULL ? dflt : "",
             o->live ? (dflt != NULL ? ". Applied again on SIGHUP." : " Applied again on SIGHUP.")
                     : (dflt != NULL ? "." : ""));
    putchar('\n');
    put_comment(help);
    const char *name = o->name + 2;
    bool set = ((cfg->given | cfg->from_file) & config_bit(o)) != 0;
    if (o->type == CONFIG_LIST) {
        const struct config_list *list = (const void *)((const char *)cfg + o->offset);
        for (size_t i = 0; set && i < list->n; i++)
            printf("%s = %s\n", name, list->item[i]);
        if (!set)
            printf("#%s = %s\n", name, o->arg);
        return;
    }
    const char *v = value_text(set ? cfg : &defaults, o, buf, sizeof(buf));
    printf("%s%s = %s\n", set ? "" : "#", name,
           v != NULL            ? v
           : o->example != NULL ? o->example
                                : o->arg);
}

int
config_doc_example(const struct config *cfg, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    put_comment("restauthd configuration file (restauthd(8)): one \"name = value\" per line, "
                "with the names of restauthd's options without their leading \"--\". A \"#\" at "
                "the start of a line or after a blank starts a comment. A flag takes true or "
                "false; a repeatable option may appear on several lines, any other once. "
                "Options given on the command line win over this file.");
    put_comment("Every option is listed with its help and default; a line starting with \"#\" "
                "leaves the default. `restauthd check-config --config FILE` shows the settings a "
                "server would use and where each comes from. SIGHUP makes a running server read "
                "the file again and apply the options marked so.");
    put_comment("This file is generated from restauthd's option table (restauthd "
                "config-example); the options of the other commands (init, account, secret) "
                "that they do not take are left out, and serve's options are skipped by them.");
    size_t n;
    const struct config_option *opts = config_options(&n);
    for (size_t k = 0; k < n; k++)
        if ((opts[k].commands & CMD_CONFIG_EXAMPLE) != 0 && !is_meta(&opts[k]))
            example_option(cfg, &opts[k]);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* Write s as roff text: "-" and "\" escaped, a leading "." or "'" made literal. */
static void
roff(const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", stdout);
    for (; *s != '\0'; s++) {
        if (*s == '-')
            fputs("\\-", stdout);
        else if (*s == '\\')
            fputs("\\e", stdout);
        else
            putchar(*s);
    }
}

/* The visible commands whose bits are in mask, as "init, serve" in roff. */
static void
roff_commands(unsigned mask)
{
    size_t n;
    const struct command *cmds = commands_table(&n);
    int listed = 0;
    if ((mask & CMD_ALL) == CMD_ALL) {
        fputs("every command", stdout);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (cmds[i].hidden || (cmds[i].bit & mask) == 0)
            continue;
        fputs(listed++ > 0 ? ", \\fB" : "\\fB", stdout);
        roff(cmds[i].words);
        fputs("\\fR", stdout);
    }
}

/* The OPTIONS entries: name and value, help, default, the commands that take it. */
static void
manual_options(void)
{
    size_t n;
    const struct config_option *opts = config_options(&n);
    struct config defaults;
    config_defaults(&defaults);
    for (size_t k = 0; k < n; k++) {
        const struct config_option *o = &opts[k];
        char buf[32];
        fputs(".TP\n\\fB", stdout);
        roff(o->name);
        fputs("\\fR", stdout);
        if (o->arg != NULL) {
            fputs(o->implied != 0 ? "\\fI" : " \\fI", stdout);
            roff(o->arg);
            fputs("\\fR", stdout);
        }
        putchar('\n');
        roff(o->help);
        fputs(".\n", stdout);
        const char *dflt =
            o->type == CONFIG_LIST ? NULL : value_text(&defaults, o, buf, sizeof(buf));
        if (dflt != NULL && o->type != CONFIG_FLAG) {
            fputs("Default: ", stdout);
            roff(dflt);
            fputs(".\n", stdout);
        }
        fputs(repeatable_note(o), stdout);
        if (o->live)
            fputs("A running server applies a new value on SIGHUP.\n", stdout);
        fputs("Taken by ", stdout);
        roff_commands(o->commands);
        fputs(".\n", stdout);
    }
}

int
config_doc_manual(const struct config *cfg, int argc, char **argv)
{
    (void)cfg;
    (void)argc;
    (void)argv;
    size_t n;
    const struct command *cmds = commands_table(&n);
    fputs(".SH COMMANDS\n", stdout);
    for (size_t i = 0; i < n; i++) {
        if (cmds[i].hidden)
            continue;
        fputs(".TP\n\\fBrestauthd ", stdout);
        roff(cmds[i].words);
        fputs("\\fR", stdout);
        if (cmds[i].args != NULL) {
            fputs(" \\fI", stdout);
            roff(cmds[i].args);
            fputs("\\fR", stdout);
        }
        fputs(" [\\fIoptions\\fR]\n", stdout);
        roff(cmds[i].summary);
        fputs(".\n", stdout);
    }
    fputs(".SH OPTIONS\n", stdout);
    manual_options();
    return fflush(stdout) == 0 ? 0 : 1;
}
