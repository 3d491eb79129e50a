/* SPDX-License-Identifier: MIT */
/*
 * config.c: the option table. Each option names its field, its type, its default, its range or
 * validator, the commands that accept it and a line of documentation, so that defaults,
 * parsing, the per-command check and `--help` all come from one place.
 */
#include "config.h"

#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Options of the server process (and of the commands that show them). */
#define SRV CMD_SERVER_OPTIONS

#define STR(n, a, f, d, cmds, h)                                                                   \
    {                                                                                              \
        .name = n, .arg = a, .type = CONFIG_STRING, .offset = offsetof(struct config, f),          \
        .def.str = d, .commands = cmds, .help = h                                                  \
    }
#define NUM(n, a, f, d, lo, hi, cmds, h)                                                           \
    {                                                                                              \
        .name = n, .arg = a, .type = CONFIG_NUMBER, .offset = offsetof(struct config, f),          \
        .def.num = d, .min = lo, .max = hi, .commands = cmds, .help = h                            \
    }
/* A number that a running server takes anew on SIGHUP. */
#define LIVE_NUM(n, a, f, d, lo, hi, cmds, h)                                                      \
    {                                                                                              \
        .name = n, .arg = a, .type = CONFIG_NUMBER, .offset = offsetof(struct config, f),          \
        .def.num = d, .min = lo, .max = hi, .commands = cmds, .help = h, .live = true              \
    }
/* A word among `words` ("text|json"), which a running server takes anew on SIGHUP. */
#define LIVE_CHOICE(n, words, f, d, cmds, h)                                                       \
    {                                                                                              \
        .name = n, .arg = words, .type = CONFIG_STRING, .offset = offsetof(struct config, f),      \
        .def.str = d, .commands = cmds, .help = h, .choices = words, .live = true                  \
    }
#define CHECKED(n, a, f, d, fn, cmds, h)                                                           \
    {                                                                                              \
        .name = n, .arg = a, .type = CONFIG_NUMBER, .offset = offsetof(struct config, f),          \
        .def.num = d, .valid = fn, .commands = cmds, .help = h                                     \
    }
#define OPTIONAL_NUM(n, a, f, implied_value, lo, hi, cmds, h)                                      \
    {                                                                                              \
        .name = n, .arg = a, .type = CONFIG_NUMBER, .offset = offsetof(struct config, f),          \
        .def.num = 0, .min = lo, .max = hi, .implied = implied_value, .commands = cmds, .help = h  \
    }
#define LIST(n, a, f, cmds, h)                                                                     \
    {                                                                                              \
        .name = n, .arg = a, .type = CONFIG_LIST, .offset = offsetof(struct config, f),            \
        .commands = cmds, .help = h                                                                \
    }
#define FLAG(n, f, cmds, h)                                                                        \
    {                                                                                              \
        .name = n, .type = CONFIG_FLAG, .offset = offsetof(struct config, f), .commands = cmds,    \
        .help = h                                                                                  \
    }

/* config_valid_fn for --get-status: the two success codes a GET may answer with. */
static bool
success_status(long v)
{
    return v == 200 || v == 201;
}

static const struct config_option options[] = {
    STR("--store", "URL", store, "sqlite:var/restauth.db", CMD_ALL,
        "store URL: sqlite:PATH or postgresql://USER@HOST:PORT/DB"),
    STR("--key-file", "FILE", key_file, NULL, CMD_ALL,
        "server key file (default: the SQLite path + .key; required for PostgreSQL)"),
    FLAG("--help", help, CMD_ALL, "print this help and exit"),
    STR("--config", "FILE", config_file, NULL, CMD_ALL,
        "read options from FILE, one \"name = value\" per line (the command line wins)"),
    LIVE_CHOICE("--log-format", "text|json", log_format, "text", CMD_ALL,
                "diagnostics on stderr: text lines or JSON lines"),
    LIVE_CHOICE("--log-level", "error|warning|info|debug", log_level, "info", CMD_ALL,
                "the least severe diagnostics written"),
    STR("--listen", "ADDR:PORT", listen, "127.0.0.1:8443", SRV,
        "address and port to listen on, or unix:PATH for a Unix socket (plain HTTP)"),
    STR("--socket-mode", "0NNN", socket_mode, "0660", SRV,
        "permissions of the --listen unix:PATH socket, in octal"),
    STR("--tls-cert", "FILE", tls_cert, NULL, SRV, "TLS certificate chain (PEM)"),
    STR("--tls-key", "FILE", tls_key, NULL, SRV, "TLS private key (PEM)"),
    FLAG("--insecure-http", insecure_http, SRV, "allow plain HTTP on a non-loopback address"),
    STR("--user", "NAME", user, NULL, SRV,
        "when started as root: switch to this user once the port, the key, the certificate and "
        "the store are open"),
    STR("--trusted-proxy", "ADDR", trusted_proxy, NULL, SRV,
        "a balancer's IP address: from it, take the client from X-Forwarded-For and the scheme "
        "from X-Forwarded-Proto"),
    STR("--access-log", "PATH", access_log, "-", SRV, "access log path, - for stdout, off"),
    NUM("--threads", "N", threads, 0, 0, 256, SRV,
        "event-loop threads (0 = one per CPU the process may run on)"),
    LIVE_NUM("--rate-limit", "N", rate_limit, 10, 0, 1000000, SRV,
             "requests/s per account per endpoint (0 = off)"),
    LIST("--forward-limit", "\"METHOD PREFIX CLASS LIMIT\"", forward_limits, SRV,
         "/auth/verify: requests/s per account for original requests under PREFIX "
         "(METHOD may be *; the longest prefix wins; others: --rate-limit); repeatable"),
    LIVE_NUM("--auth-fail-limit", "N", auth_fail_limit, 30, 0, 1000000, SRV,
             "failed authentications per client IP per minute (0 = off)"),
    NUM("--max-body", "BYTES", max_body, 64 * 1024, 16, 16 * 1024 * 1024, SRV,
        "largest request body"),
    NUM("--max-header", "BYTES", max_header, 8192, 1024, 1024 * 1024, SRV,
        "largest request header section"),
    NUM("--max-conns", "N", max_conns, 10000, 1, 1000000, SRV, "simultaneous connections"),
    NUM("--max-conns-per-ip", "N", max_conns_per_ip, 256, 1, 1000000, SRV,
        "simultaneous connections per IP"),
    NUM("--idle-timeout", "SEC", idle_timeout, 30, 1, 86400, SRV,
        "seconds before an idle connection is closed"),
    NUM("--header-timeout", "SEC", header_timeout, 10, 1, 3600, SRV,
        "seconds for a whole request head, from its first byte (not reset by later bytes)"),
    NUM("--body-timeout", "SEC", body_timeout, 30, 1, 3600, SRV,
        "seconds for a whole request body, from the end of its head"),
    CHECKED("--get-status", "200|201", get_status, 201, success_status, SRV,
            "success status of GET endpoints"),
    NUM("--max-projects", "N", max_projects, 20, 1, 1000000, SRV | CMD_INIT,
        "projects per account"),
    NUM("--max-secrets", "N", max_secrets, 10, 1, 1000, SRV | CMD_SECRET_ADD,
        "credential pairs per account"),
    NUM("--sync-interval-ms", "MS", sync_interval_ms, 250, 10, 60000, SRV,
        "how often to look for changes made by other processes"),
    LIVE_NUM("--session-idle-s", "SEC", session_idle_s, 30 * 60, 1, 7 * 86400, SRV,
             "console: seconds of inactivity that end a session"),
    LIVE_NUM("--session-max-s", "SEC", session_max_s, 12 * 3600, 1, 30 * 86400, SRV,
             "console: seconds after sign-in that end a session"),
    LIVE_NUM("--signin-fail-limit", "N", signin_fail_limit, 10, 1, 1000000, SRV,
             "console: failed sign-ins per account per 15 minutes"),
    LIVE_NUM("--signin-ip-fail-limit", "N", signin_ip_fail_limit, 30, 1, 1000000, SRV,
             "console: failed sign-ins per client IP per 15 minutes"),
    {.name = "--admin-listen",
     .arg = "ADDR:PORT",
     .type = CONFIG_STRING,
     .offset = offsetof(struct config, admin_listen),
     .commands = SRV,
     .help = "plain-HTTP listener for /healthz, /readyz and /metrics (no credentials; off by "
             "default; keep it on loopback or a private network)",
     .example = "127.0.0.1:9090"},
    FLAG("--no-metrics", no_metrics, SRV,
         "count nothing per request or connection (/metrics then shows only the state)"),
    NUM("--usage-retention-days", "DAYS", usage_retention_days, 90, 1, 3650, SRV,
        "keep per-pair usage counts this many days"),
    NUM("--audit-retention-days", "DAYS", audit_retention_days, 365, 1, 36500, SRV,
        "keep audit log entries this many days"),
    STR("--account", "NAME", account, NULL, CMD_SECRET_ADD | CMD_SECRET_LIST | CMD_AUDIT_LIST,
        "account name"),
    STR("--out", "FILE", out, NULL, CMD_SECRET_ADD | CMD_SECRET_ROLL,
        "write the new pair to this new file (mode 0600), not stdout"),
    STR("--expires-in", "DURATION", expires_in, NULL, CMD_SECRET_ADD,
        "the new pair expires after this long: N followed by d, h or m (90d)"),
    STR("--expires-at", "TIME", expires_at, NULL, CMD_SECRET_ADD,
        "the new pair expires at this RFC 3339 time (2030-01-31T00:00:00Z)"),
    FLAG("--tripwire", tripwire, CMD_SECRET_ADD,
         "a tripwire pair: never meant to be used; every use is refused and raises an alert"),
    STR("--in", "DURATION", in, NULL, CMD_SECRET_EXPIRE, "expire after this long (7d, 12h, 30m)"),
    STR("--at", "TIME", at, NULL, CMD_SECRET_EXPIRE, "expire at this RFC 3339 time"),
    FLAG("--never", never, CMD_SECRET_EXPIRE, "never expire"),
    STR("--overlap", "DURATION", overlap, NULL, CMD_SECRET_ROLL,
        "how long the old pair keeps working (24h; 0 revokes it at once)"),
    FLAG("--json", json, CMD_SECRET_LIST, "one JSON object per line instead of a table"),
    STR("--since", "TIME", since, NULL, CMD_AUDIT_LIST,
        "only entries at or after this RFC 3339 time"),
    NUM("--limit", "N", limit, 100, 1, 100000, CMD_AUDIT_LIST, "at most this many entries"),
    STR("--demo-credentials", "FILE", demo_credentials, NULL, CMD_INIT,
        "create a demo account and write its pair here"),
    STR("--email", "E", email, NULL, CMD_ACCOUNT_ADD | CMD_ACCOUNT_PASSWD,
        "the console sign-in e-mail"),
    STR("--password-file", "FILE", password_file, NULL, CMD_ACCOUNT_ADD | CMD_ACCOUNT_PASSWD,
        "file whose first line is the console password"),
    FLAG("--force", force, CMD_SECRET_DELETE | CMD_SECRET_DISABLE | CMD_SECRET_EXPIRE,
         "allow deleting, disabling or expiring an account's last enabled credential pair"),
    OPTIONAL_NUM("--wait", "[=SECONDS]", wait_s, 10, 0, 3600, CMD_SECRET_DELETE,
                 "wait until every live node has applied the deletion (0 = do not wait)"),
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

_Static_assert(N_OPTIONS <= CONFIG_OPTIONS_MAX, "struct config has one bit per option");

const struct config_option *
config_options(size_t *count)
{
    *count = N_OPTIONS;
    return options;
}

/* The entry whose name is the first len bytes of name, or NULL. Names match exactly. */
static const struct config_option *
find_option(const char *name, size_t len)
{
    for (size_t k = 0; k < N_OPTIONS; k++)
        if (strlen(options[k].name) == len && strncmp(options[k].name, name, len) == 0)
            return &options[k];
    return NULL;
}

const struct config_option *
config_find(const char *name)
{
    return find_option(name, strlen(name));
}

void
config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    for (size_t k = 0; k < N_OPTIONS; k++) {
        const struct config_option *o = &options[k];
        char *field = (char *)cfg + o->offset;
        if (o->type == CONFIG_STRING)
            *(const char **)field = o->def.str;
        else if (o->type == CONFIG_NUMBER)
            *(long *)field = o->def.num;
        else if (o->type == CONFIG_FLAG)
            *(bool *)field = false;
        /* CONFIG_LIST: empty, from the memset */
    }
}

/* Log a rejection of option o: "WHERE: name: why" from a configuration file (where set; the
 * name as the file spells it) or "--name: why". */
static void reject(const struct config_option *o, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
reject(const struct config_option *o, const char *where, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (where != NULL)
        ra_log(RA_LOG_ERR, "%s: %s: %s", where, o->name + 2, why);
    else
        ra_log(RA_LOG_ERR, "%s: %s", o->name, why);
}

/* True if value is one of the "|"-separated words of `choices`. */
static bool
is_choice(const char *choices, const char *value)
{
    size_t len = strlen(value);
    for (const char *p = choices; *p != '\0';) {
        size_t wlen = strcspn(p, "|");
        if (wlen == len && strncmp(p, value, len) == 0)
            return true;
        p += wlen;
        p += *p == '|';
    }
    return false;
}

/* A flag's value in a configuration file: 1 true, 0 false, -1 neither. */
static int
flag_value(const char *value)
{
    static const char *const yes[] = {"true", "yes", "1"}, *const no[] = {"false", "no", "0"};
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(value, yes[i]) == 0)
            return 1;
        if (strcmp(value, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* Store a CONFIG_LIST value; 0 or -EINVAL after printing why. */
static int
append_item(struct config_list *list, const struct config_option *o, const char *value,
            const char *where)
{
    if (list->n >= CONFIG_LIST_MAX) {
        reject(o, where, "at most %d values", CONFIG_LIST_MAX);
        return -EINVAL;
    }
    list->line[list->n] = 0; /* the configuration file notes its own line */
    list->item[list->n++] = value;
    return 0;
}

/* Store a CONFIG_NUMBER value; 0 or -EINVAL after printing why. */
static int
set_number(long *field, const struct config_option *o, const char *value, const char *where)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    bool number = errno == 0 && value[0] >= '0' && value[0] <= '9' && *end == '\0';
    if (o->valid != NULL) {
        if (!number || !o->valid(v)) {
            reject(o, where, "expected %s", o->arg);
            return -EINVAL;
        }
    } else if (!number || v < o->min || v > o->max) {
        reject(o, where, "expected a whole number from %ld to %ld", o->min, o->max);
        return -EINVAL;
    }
    *field = v;
    return 0;
}

int
config_set(struct config *cfg, const struct config_option *o, const char *value, const char *where)
{
    char *field = (char *)cfg + o->offset;
    switch (o->type) {
    case CONFIG_FLAG: {
        int v = where == NULL ? 1 : flag_value(value);
        if (v < 0) {
            reject(o, where, "expected true or false (yes/no, 1/0), not \"%s\"", value);
            return -EINVAL;
        }
        *(bool *)field = v == 1;
        return 0;
    }
    case CONFIG_STRING:
        if (o->choices != NULL && !is_choice(o->choices, value)) {
            reject(o, where, "expected %s, not \"%s\"", o->choices, value);
            return -EINVAL;
        }
        *(const char **)field = value;
        return 0;
    case CONFIG_LIST:
        return append_item((struct config_list *)field, o, value, where);
    case CONFIG_NUMBER:
        break;
    }
    return set_number((long *)field, o, value, where);
}

uint64_t
config_bit(const struct config_option *o)
{
    return UINT64_C(1) << (o - options);
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
        const struct config_option *o = find_option(arg, nlen);
        if (o == NULL) {
            fprintf(stderr, "restauthd: unknown option %.*s\n", (int)nlen, arg);
            return -EINVAL;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (o->type == CONFIG_FLAG && value != NULL) {
            fprintf(stderr, "restauthd: %s takes no value\n", o->name);
            return -EINVAL;
        }
        char implied[24];
        if (o->type == CONFIG_NUMBER && o->implied != 0 && value == NULL) {
            snprintf(implied, sizeof(implied), "%ld", o->implied);
            value = implied;
        } else if (o->type != CONFIG_FLAG && value == NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "restauthd: %s needs a value\n", o->name);
                return -EINVAL;
            }
            value = argv[++i];
        }
        if (config_set(cfg, o, value, NULL) < 0)
            return -EINVAL;
        cfg->given |= config_bit(o);
    }
    *npos = pos;
    return 0;
}

bool
config_given(const struct config *cfg, const char *name)
{
    const struct config_option *o = config_find(name);
    return o != NULL && ((cfg->given | cfg->from_file) & config_bit(o)) != 0;
}

int
config_check_command(const struct config *cfg, unsigned command, const char *words)
{
    int rc = 0;
    for (size_t k = 0; k < N_OPTIONS; k++) {
        if ((cfg->given & (UINT64_C(1) << k)) == 0 || (options[k].commands & command) != 0)
            continue;
        fprintf(stderr, "restauthd: %s does not take %s (see restauthd %s --help)\n", words,
                options[k].name, words);
        rc = -EINVAL;
    }
    return rc;
}

void
config_usage(FILE *out, unsigned commands)
{
    for (size_t k = 0; k < N_OPTIONS; k++) {
        const struct config_option *o = &options[k];
        if ((o->commands & commands) != commands)
            continue;
        char head[64];
        const char *sep = o->arg == NULL || o->implied != 0 ? "" : " ";
        snprintf(head, sizeof(head), "%s%s%s", o->name, sep, o->arg ? o->arg : "");
        fprintf(out, "  %-26s %s", head, o->help);
        if (o->type == CONFIG_NUMBER)
            fprintf(out, " [%ld]", o->def.num);
        else if (o->type == CONFIG_STRING && o->def.str != NULL)
            fprintf(out, " [%s]", o->def.str);
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
        fprintf(stderr, "restauthd: --key-file is required with a store other than sqlite:\n");
        return -EINVAL;
    }
    path += 7;
    if (strncmp(path, "//", 2) == 0)
        path += 2;
    if ((size_t)snprintf(buf, len, "%s.key", path) >= len)
        return -ENAMETOOLONG;
    return 0;
}
