/* SPDX-License-Identifier: MIT */
/*
 * cli.h: the pieces of the restauth command-line tool.
 *
 * Data goes to stdout (JSON by default, a table with --table); diagnostics go to stderr,
 * prefixed "restauth: ". The Customer Secret is never printed and never taken from argv.
 */
#ifndef RA_CLI_H
#define RA_CLI_H

#include <restauth/restauth.h>

#include <stdbool.h>
#include <stddef.h>

/* Exit codes (documented in restauth(1)). */
enum cli_exit {
    CLI_OK = 0,
    CLI_FAILURE = 1,  /* any other failure: local files, memory, an unexpected response */
    CLI_USAGE = 2,    /* bad command line, or no way to get credentials */
    CLI_AUTH = 3,     /* HTTP 401 or 403 */
    CLI_REJECTED = 4, /* HTTP 400, 404 or another 4xx: the API refused the request */
    CLI_RATE = 5,     /* HTTP 429 after every retry */
    CLI_NETWORK = 6,  /* DNS, connection, TLS or a dropped connection */
    CLI_SERVER = 7,   /* HTTP 5xx after every retry */
};

/* The parsed command line. */
struct cli_opts {
    const char *credentials; /* --credentials FILE */
    const char *base_url;    /* --base-url URL[,URL...] */
    const char *cacert;      /* --cacert FILE */
    long retries;            /* --retries N, -1 when not given */
    bool table;              /* --table */
    bool verbose;            /* --verbose */
    const char *id;          /* --id (project get) */
    const char *name;        /* --name (project get) */
    bool sign_key;           /* --sign-key (project create) */
    char **args;             /* the positional arguments: the command and its operands */
    int nargs;
};

/* Print "restauth: " + message + newline on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The exit code for a library error. */
enum cli_exit cli_exit_for(enum ra_err err);

/* Report a failed library call on stderr and return its exit code. */
enum cli_exit cli_fail(struct ra_client *c, enum ra_err err);

/*
 * Check the command and its operands against the options before anything is sent. Returns
 * CLI_OK or CLI_USAGE (after printing why).
 */
enum cli_exit cli_check_command(const struct cli_opts *o);

/* Run the (checked) command with a ready client. */
enum cli_exit cli_run_command(struct ra_client *c, const struct cli_opts *o);

/* Output (output.c). Each returns CLI_OK, or CLI_FAILURE if stdout could not be written. */
enum cli_exit out_project(const struct ra_project *p, bool table);
enum cli_exit out_projects(const struct ra_projects *l, bool table);
/* The caller's credential pairs: {"credentials":[...]} or a table (never a secret). */
enum cli_exit out_credentials(const struct ra_credentials *l, bool table);
enum cli_exit out_deleted(const char *id, bool table);
enum cli_exit out_raw(const char *body, size_t len);

/*
 * Prompt on the terminal for whatever credentials the environment lacks (the ID is echoed,
 * the secret is not) and set them on the client. Returns CLI_OK, CLI_USAGE when there is no
 * terminal, or the error of setting them.
 */
enum cli_exit cli_prompt_credentials(struct ra_client *c);

#endif
