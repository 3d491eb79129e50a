/* SPDX-License-Identifier: MIT */
/*
 * config.c: the option table. Each option names its field, its kind, its range and a line of
 * documentation, so that parsing, defaults and `--help` come from one place.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum opt_kind { OPT_STR, OPT_LONG, OPT_FLAG };

struct option_def {
    const char *name;
    enum opt_kind kind;
    size_t offset;
    long min, max;
    const char *doc;
};

#define STR(n, f, d)                                                                               \
    {                                                                                              \
        n, OPT_STR, offsetof(struct config, f), 0, 0, d                                            \
    }
#define NUM(n, f, lo, hi, d)                                                                       \
    {                                                                                              \
        n, OPT_LONG, offsetof(struct config, f), lo, hi, d                                         \
    }
#define FLAG(n, f, d)                                                                              \
    {                                                                                              \
        n, OPT_FLAG, offsetof(struct config, f), 0, 0, d                                           \
    }

static const struct option_def options[] = {
    STR("--store", store, "store URL (sqlite:PATH)"),
    STR("--key-file", key_file, "server key file (default: the SQLite path + .key)"),
    STR("--listen", listen, "ADDR:PORT to listen on"),
    STR("--tls-cert", tls_cert, "TLS certificate chain (PEM)"),
    STR("--tls-key", tls_key, "TLS private key (PEM)"),
    FLAG("--insecure-http", insecure_http, "allow plain HTTP on a non-loopback address"),
    STR("--access-log", access_log, "access log path, - for stdout, off"),
    NUM("--threads", threads, 0, 256, "worker threads (0 = one per core)"),
    NUM("--rate-limit", rate_limit, 0, 1000000, "requests/s per account per endpoint (0 = off)"),
    NUM("--auth-fail-limit", auth_fail_limit, 0, 1000000,
        "failed authentications per client IP per minute (0 = off)"),
    NUM("--max-body", max_body, 16, 16 * 1024 * 1024, "largest request body, bytes"),
    NUM("--max-header", max_header, 1024, 1024 * 1024, "largest request header section, bytes"),
    NUM("--max-conns", max_conns, 1, 1000000, "simultaneous connections"),
    NUM("--max-conns-per-ip", max_conns_per_ip, 1, 1000000, "simultaneous connections per IP"),
    NUM("--idle-timeout", idle_timeout, 1, 86400, "seconds before an idle connection is closed"),
    NUM("--get-status", get_status, 200, 201, "success status of GET endpoints (200 or 201)"),
    NUM("--max-projects", max_projects, 1, 1000000, "projects per account"),
    NUM("--max-secrets", max_secrets, 1, 1000, "credential pairs per account"),
    NUM("--sync-interval-ms", sync_interval_ms, 10, 60000,
        "how often to look for changes made by other processes"),
    NUM("--session-idle-s", session_idle_s, 1, 7 * 86400,
        "console: seconds of inactivity that end a session"),
    NUM("--session-max-s", session_max_s, 1, 30 * 86400,
        "console: seconds after sign-in that end a session"),
    NUM("--signin-fail-limit", signin_fail_limit, 1, 1000000,
        "console: failed sign-ins per account per 15 minutes"),
    NUM("--signin-ip-fail-limit", signin_ip_fail_limit, 1, 1000000,
        "console: failed sign-ins per client IP per 15 minutes"),
    STR("--account", account, "account name"),
    STR("--out", out, "file to write the new credential to (created once, mode 0600)"),
    STR("--demo-credentials", demo_credentials, "init: create a demo account, write its pair here"),
    STR("--email", email, "account add/passwd: the console sign-in e-mail"),
    STR("--password-file", password_file,
        "account add/passwd: file whose first line is the console password"),
    FLAG("--force", force, "allow deleting an account's last credential"),
};

void
config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->store = "sqlite:var/restauth.db";
    cfg->listen = "127.0.0.1:8443";
    cfg->access_log = "-";
    cfg->rate_limit = 10;
    cfg->auth_fail_limit = 30;
    cfg->max_body = 64 * 1024;
    cfg->max_header = 8192;
    cfg->max_conns = 1024;
    cfg->max_conns_per_ip = 256;
    cfg->idle_timeout = 30;
    cfg->get_status = 201;
    cfg->max_projects = 20;
    cfg->max_secrets = 10;
    cfg->sync_interval_ms = 250;
    cfg->session_idle_s = 30 * 60;
    cfg->session_max_s = 12 * 3600;
    cfg->signin_fail_limit = 10;
    cfg->signin_ip_fail_limit = 30;
}

/* Store one option's value into cfg. Returns 0 or -EINVAL after printing why. */
static int
set_option(struct config *cfg, const struct option_def *o, const char *value)
{
    char *field = (char *)cfg + o->offset;
    if (o->kind == OPT_FLAG) {
        *(bool *)field = true;
        return 0;
    }
    if (o->kind == OPT_STR) {
        *(const char **)field = value;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno != 0 || value[0] < '0' || value[0] > '9' || *end != '\0' || v < o->min ||
        v > o->max || (strcmp(o->name, "--get-status") == 0 && v != 200 && v != 201)) {
        fprintf(stderr, "restauthd: %s: expected a whole number from %ld to %ld\n", o->name, o->min,
                o->max);
        return -EINVAL;
    }
    *(long *)field = v;
    return 0;
}

int
config_parse(struct config *cfg, int argc, char **argv, int *npos)
{
    int pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            argv[pos++] = argv[i];
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
        const struct option_def *o = NULL;
        for (size_t k = 0; k < sizeof(options) / sizeof(options[0]); k++)
            if (strlen(options[k].name) == nlen && strncmp(options[k].name, arg, nlen) == 0)
                o = &options[k];
        if (o == NULL) {
            fprintf(stderr, "restauthd: unknown option %.*s\n", (int)nlen, arg);
            return -EINVAL;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (o->kind == OPT_FLAG && value != NULL) {
            fprintf(stderr, "restauthd: %s takes no value\n", o->name);
            return -EINVAL;
        }
        if (o->kind != OPT_FLAG && value == NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "restauthd: %s needs a value\n", o->name);
                return -EINVAL;
            }
            value = argv[++i];
        }
        if (set_option(cfg, o, value) < 0)
            return -EINVAL;
    }
    *npos = pos;
    return 0;
}

void
config_usage(FILE *out)
{
    struct config def;
    config_defaults(&def);
    for (size_t k = 0; k < sizeof(options) / sizeof(options[0]); k++) {
        const struct option_def *o = &options[k];
        const char *field = (const char *)&def + o->offset;
        fprintf(out, "  %-22s %s", o->name, o->doc);
        if (o->kind == OPT_LONG)
            fprintf(out, " [%ld]", *(const long *)field);
        else if (o->kind == OPT_STR && *(const char *const *)field != NULL)
            fprintf(out, " [%s]", *(const char *const *)field);
        fputc('\n', out);
    }
}

int
config_key_path(const struct config *cfg, char *buf, size_t len)
{
    if (cfg->key_file != NULL) {
        if ((size_t)snprintf(buf, len, "%s", cfg->key_file) >= len)
            return -ENAMETOOLONG;
        return 0;
    }
    const char *path = cfg->store;
    if (strncasecmp(path, "sqlite:", 7) != 0) {
        fprintf(stderr, "restauthd: --key-file is required with store %s\n", cfg->store);
        return -EINVAL;
    }
    path += 7;
    if (strncmp(path, "//", 2) == 0)
        path += 2;
    if ((size_t)snprintf(buf, len, "%s.key", path) >= len)
        return -ENAMETOOLONG;
    return 0;
}
