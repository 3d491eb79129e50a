/* SPDX-License-Identifier: MIT */
/*
 * config.h: restauthd's settings, parsed from command-line options by one declarative table.
 */
#ifndef RA_SERVER_CONFIG_H
#define RA_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct config {
    const char *store;    /* store URL */
    const char *key_file; /* server key; NULL = derived from the store path */
    const char *listen;   /* ADDR:PORT */
    const char *tls_cert; /* PEM files; both or neither */
    const char *tls_key;
    bool insecure_http;     /* allow plain HTTP on a non-loopback address */
    const char *access_log; /* path, "-" for stdout, "off" */
    long threads;           /* 0 = one per core */
    long rate_limit;        /* per account per endpoint per second; 0 = off */
    long auth_fail_limit;   /* failures per client IP per minute; 0 = off */
    long max_body;
    long max_header;
    long max_conns;
    long max_conns_per_ip;
    long idle_timeout; /* seconds */
    long get_status;   /* 200 or 201 */
    long max_projects;
    long max_secrets;
    long sync_interval_ms;
    long session_idle_s;       /* console: a session idle this long ends */
    long session_max_s;        /* console: a session ends this long after sign-in */
    long signin_fail_limit;    /* console: failed sign-ins per account per 15 minutes */
    long signin_ip_fail_limit; /* console: failed sign-ins per client IP per 15 minutes */
    /* command-specific */
    const char *account; /* --account NAME */
    const char *out;     /* --out FILE */
    const char *demo_credentials;
    const char *email;         /* account add/passwd: --email E */
    const char *password_file; /* account add/passwd: --password-file F (first line) */
    bool force;
};

/* Fill every field with its default. */
void config_defaults(struct config *cfg);

/*
 * Parse the options in argv[0..argc) into cfg; the remaining positional arguments are moved
 * to the front of argv in order and their count is stored in *npos. Unknown options, missing
 * values and out-of-range numbers print a message to stderr and return -EINVAL.
 */
int config_parse(struct config *cfg, int argc, char **argv, int *npos);

/* Print every option with its default and a one-line description. */
void config_usage(FILE *out);

/* The key file to use: cfg->key_file, or the SQLite path + ".key". Writes into buf. */
int config_key_path(const struct config *cfg, char *buf, size_t len);

#endif
