/* SPDX-License-Identifier: MIT */
/*
 * config.h: restauthd's settings, parsed from command-line options by one declarative table.
 * Each entry of the table (config.c) holds an option's name, type, default, bounds or
 * validator, the commands that accept it and its help line; defaults, parsing, the per-command
 * check and `--help` all read it.
 */
#ifndef RA_SERVER_CONFIG_H
#define RA_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The most values a repeatable option (CONFIG_LIST) collects. */
#define CONFIG_LIST_MAX 32

/* The most options the table holds: struct config keeps one bit per option. */
#define CONFIG_OPTIONS_MAX 64

/* The values of a repeatable option, in the order given. */
struct config_list {
    const char *item[CONFIG_LIST_MAX];
    unsigned line[CONFIG_LIST_MAX]; /* the configuration file's line of each; 0: command line */
    size_t n;
};

struct config {
    const char *store;    /* store URL */
    const char *key_file; /* server key; NULL = derived from the store path */
    const char *listen;   /* ADDR:PORT, or unix:PATH */
    /* The octal permissions of a unix:PATH socket ("0660"). */
    const char *socket_mode;
    const char *tls_cert; /* PEM files; both or neither */
    const char *tls_key;
    bool insecure_http;        /* allow plain HTTP on a non-loopback address */
    const char *trusted_proxy; /* a balancer's address whose X-Forwarded-For/-Proto count */
    const char *access_log;    /* path, "-" for stdout, "off" */
    long threads;              /* 0 = one per core */
    long rate_limit;           /* per account per endpoint per second; 0 = off */
    /* The "METHOD PREFIX CLASS LIMIT" rules of forward authentication (--forward-limit). */
    struct config_list forward_limits;
    long auth_fail_limit; /* failures per client IP per minute; 0 = off */
    long max_body;
    long max_header;
    long max_conns;
    long max_conns_per_ip;
    long idle_timeout;   /* seconds */
    long header_timeout; /* seconds for a request head, from its first byte */
    long body_timeout;   /* seconds for a request body, from the end of its head */
    long get_status;     /* 200 or 201 */
    long max_projects;
    long max_secrets;
    long sync_interval_ms;
    long session_idle_s;       /* console: a session idle this long ends */
    long session_max_s;        /* console: a session ends this long after sign-in */
    long signin_fail_limit;    /* console: failed sign-ins per account per 15 minutes */
    long signin_ip_fail_limit; /* console: failed sign-ins per client IP per 15 minutes */
    const char *admin_listen;  /* ADDR:PORT of the admin listener; NULL = none */
    bool no_metrics;           /* count nothing per request or connection */
    long usage_retention_days; /* per-pair usage counts are kept this long */
    long audit_retention_days; /* audit log entries are kept this long */
    /* command-specific */
    const char *account; /* --account NAME */
    const char *out;     /* --out FILE */
    const char *demo_credentials;
    const char *email;         /* account add/passwd: --email E */
    const char *password_file; /* account add/passwd: --password-file F (first line) */
    const char *expires_in;    /* secret add: --expires-in 90d (d, h or m) */
    const char *expires_at;    /* secret add: --expires-at RFC 3339 */
    bool tripwire;             /* secret add --tripwire */
    const char *in;            /* secret expire --in 7d */
    const char *at;            /* secret expire --at RFC 3339 */
    bool never;                /* secret expire --never */
    const char *overlap;       /* secret roll --overlap 24h */
    bool json;                 /* secret list --json */
    const char *since;         /* audit list --since RFC 3339 */
    long limit;                /* audit list --limit N */
    bool force;
    long wait_s; /* secret delete --wait[=SECONDS]: wait for every live node; 0 = do not */
    bool help;   /* --help: print the command's usage instead of running it */
    const char *config_file; /* --config FILE: "name = value" lines (config_file.h) */
    const char *user;        /* serve --user NAME: drop to this user once listening */
    const char *log_format;  /* diagnostics: "text" or "json" */
    const char *log_level;   /* diagnostics: "error", "warning", "info" or "debug" */
    /* Which options the command line gave, one bit per table entry; read it through
     * config_given(). */
    uint64_t given;
    /* Which options the configuration file set, and the line of each (config_file.c). */
    uint64_t from_file;
    unsigned file_line[CONFIG_OPTIONS_MAX];
    /* The settings as the command line alone gave them, kept for a reload that reads the
     * configuration file again; NULL when there is none. */
    const struct config *cmdline;
};

/* One bit per command: an option's `commands` mask names the commands that accept it. */
enum config_command {
    CMD_INIT = 1u << 0,
    CMD_SERVE = 1u << 1,
    CMD_ACCOUNT_ADD = 1u << 2,
    CMD_ACCOUNT_PASSWD = 1u << 3,
    CMD_ACCOUNT_LIST = 1u << 4,
    CMD_SECRET_ADD = 1u << 5,
    CMD_SECRET_LIST = 1u << 6,
    CMD_SECRET_DELETE = 1u << 7,
    CMD_CLUSTER_STATUS = 1u << 8,
    CMD_SECRET_DISABLE = 1u << 9,
    CMD_SECRET_ENABLE = 1u << 10,
    CMD_SECRET_EXPIRE = 1u << 11,
    CMD_SECRET_ROLL = 1u << 12,
    CMD_AUDIT_LIST = 1u << 13,
    CMD_CHECK_CONFIG = 1u << 14,   /* takes every option of serve */
    CMD_CONFIG_EXAMPLE = 1u << 15, /* hidden: the example configuration file */
    CMD_MANUAL = 1u << 16,         /* hidden: the generated part of restauthd(8) */
    CMD_ALL = (1u << 17) - 1,
};

/* The commands that take the server's options: serve, and the two that show them. */
#define CMD_SERVER_OPTIONS (CMD_SERVE | CMD_CHECK_CONFIG | CMD_CONFIG_EXAMPLE)

/* CONFIG_LIST: a string option that may be given several times; each value is appended to a
 * struct config_list (at most CONFIG_LIST_MAX), and it has no default. */
enum config_type { CONFIG_STRING, CONFIG_NUMBER, CONFIG_FLAG, CONFIG_LIST };

/*
 * A number's validator: true if v is acceptable. An option with a validator has no bounds;
 * its `arg` names the values it accepts ("200|201"), which is what a rejection quotes.
 */
typedef bool (*config_valid_fn)(long v);

/* One entry of the option table. */
struct config_option {
    const char *name; /* "--listen" */
    const char *arg;  /* what the value is, for help ("ADDR:PORT"); NULL for a flag */
    enum config_type type;
    size_t offset; /* of the field in struct config */
    union {
        const char *str; /* CONFIG_STRING; NULL = unset */
        long num;        /* CONFIG_NUMBER */
    } def;
    long min, max;         /* CONFIG_NUMBER without a validator: the accepted range */
    config_valid_fn valid; /* CONFIG_NUMBER: replaces min and max when set */
    long implied;          /* CONFIG_NUMBER: when not 0, the value may be left out
                            * ("--wait" means --wait=implied); a value then needs "=" */
    unsigned commands;     /* CMD_* bits of the commands that accept the option */
    const char *help;
    /* CONFIG_STRING: when set, the value must be one of these "|"-separated words (it is
     * also `arg`). */
    const char *choices;
    const char *example; /* a value the example configuration suggests (commented out) when
                          * the option has no default; NULL: the `arg` placeholder */
    bool live;           /* a running server applies a new value on SIGHUP */
    bool secret;         /* check-config never prints the value */
};

/* The option table, in the order --help lists it; *count gets its length. */
const struct config_option *config_options(size_t *count);

/* The table entry of option `name` ("--listen"), or NULL. */
const struct config_option *config_find(const char *name);

/* Fill every field with its default from the table; nothing is marked given. */
void config_defaults(struct config *cfg);

/*
 * Parse the options in argv[0..argc) into cfg and mark each in cfg->given; the remaining
 * positional arguments are moved to the front of argv in order and their count is stored in
 * *npos. A single-valued option given twice keeps its last value; a CONFIG_LIST option keeps
 * them all. Unknown options, missing values, numbers out of range and more than
 * CONFIG_LIST_MAX values of one list print a message to stderr and return -EINVAL. Whether the
 * command accepts the options is config_check_command's job.
 */
int config_parse(struct config *cfg, int argc, char **argv, int *npos);

/*
 * Store `value` into option o of cfg, as the command line or the configuration file gives it:
 * a flag takes true/false, yes/no or 1/0 from the file (`where` set) and nothing from the
 * command line. `where` ("FILE:LINE", or NULL for the command line) starts the message a
 * rejection prints to stderr. Marks nothing as given. Returns 0 or -EINVAL.
 */
int config_set(struct config *cfg, const struct config_option *o, const char *value,
               const char *where);

/* The bit of option o in cfg->given and cfg->from_file. */
uint64_t config_bit(const struct config_option *o);

/* True if the command line or the configuration file gave option `name`. */
bool config_given(const struct config *cfg, const char *name);

/*
 * Check that every option given in cfg is accepted by the command `command` (one CMD_* bit),
 * named `words` in messages. Each one that is not is named on stderr; returns 0 or -EINVAL.
 */
int config_check_command(const struct config *cfg, unsigned command, const char *words);

/*
 * Print one line per option accepted by every command in `commands` (a CMD_* mask): its name,
 * value, help and default, if it has one. CMD_ALL gives the options common to all commands;
 * 0 gives every option.
 */
void config_usage(FILE *out, unsigned commands);

/* The key file to use: cfg->key_file, or the SQLite path + ".key". Writes into buf. */
int config_key_path(const struct config *cfg, char *buf, size_t len);

#endif
