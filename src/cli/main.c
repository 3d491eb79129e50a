/* SPDX-License-Identifier: MIT */
/*
 * main.c: the restauth command-line tool: options, client setup, and dispatch.
 *
 * Order of work: parse and check the whole command line (so a usage error never prompts or
 * sends anything), configure the client (an option wins over its environment variable),
 * obtain the credentials (a file, the environment, or a terminal prompt), then run it.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: restauth [options] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  projects                              list every project of the account\n"
    "  project create NAME [--sign-key]      create a project (with its App Certificate)\n"
    "  project get --id ID | --name NAME     show one project\n"
    "  project enable|disable ID             enable or disable a project\n"
    "  project delete ID                     delete a project (legacy endpoint)\n"
    "  signkey enable|disable|reset ID       manage the primary App Certificate\n"
    "  recording-server set ID ADDR          set the recording server (ip:port)\n"
    "  call METHOD PATH [JSON|-]             send any request; prints the response body\n"
    "\n"
    "Options:\n"
    "  -c, --credentials FILE  key_and_secret.txt to read the Customer ID and Secret from\n"
    "                          (default: RESTAUTH_CUSTOMER_ID and RESTAUTH_CUSTOMER_SECRET,\n"
    "                          else a prompt on the terminal)\n"
    "  -b, --base-url URL      API base URL, or a comma-separated failover list\n"
    "                          (default: RESTAUTH_BASE_URL, else https://api.agora.io, ...)\n"
    "      --cacert FILE       CA bundle for a private CA (default: RESTAUTH_CA_FILE)\n"
    "  -r, --retries N         retries after a 429, 5xx or network failure (default 3)\n"
    "  -t, --table             print a table for people instead of JSON\n"
    "  -v, --verbose           report every attempt on stderr\n"
    "  -h, --help              show this help;  -V, --version  show the version\n"
    "\n"
    "Exit status: 0 ok, 1 other failure, 2 usage, 3 authentication, 4 request rejected,\n"
    "5 rate limited, 6 network, 7 server error. See restauth(1).\n";

void
cli_err(const char *fmt, ...)
{
    va_list ap;
    fputs("restauth: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

enum cli_exit
cli_exit_for(enum ra_err err)
{
    switch (err) {
    case RA_OK:
        return CLI_OK;
    case RA_EAUTH:
    case RA_EFORBIDDEN:
        return CLI_AUTH;
    case RA_ENOTFOUND:
    case RA_EREQUEST:
        return CLI_REJECTED;
    case RA_ERATELIMIT:
        return CLI_RATE;
    case RA_EDNS:
    case RA_ECONNECT:
    case RA_ENETWORK:
    case RA_ETLS:
        return CLI_NETWORK;
    case RA_ESERVER:
        return CLI_SERVER;
    case RA_ENOCRED:
        return CLI_USAGE;
    default:
        return CLI_FAILURE;
    }
}

enum cli_exit
cli_fail(struct ra_client *c, enum ra_err err)
{
    const char *detail = ra_client_errmsg(c);
    if (detail[0] != '\0')
        cli_err("%s: %s", ra_strerror(err), detail);
    else
        cli_err("%s", ra_strerror(err));
    return cli_exit_for(err);
}

static void
usage_error(const char *msg)
{
    cli_err("%s", msg);
    fputs("Try 'restauth --help'.\n", stderr);
}

enum { OPT_CACERT = 256, OPT_ID, OPT_NAME, OPT_SIGN_KEY };

static const struct option longopts[] = {
    {"credentials", required_argument, NULL, 'c'},
    {"base-url", required_argument, NULL, 'b'},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"retries", required_argument, NULL, 'r'},
    {"table", no_argument, NULL, 't'},
    {"verbose", no_argument, NULL, 'v'},
    {"id", required_argument, NULL, OPT_ID},
    {"name", required_argument, NULL, OPT_NAME},
    {"sign-key", no_argument, NULL, OPT_SIGN_KEY},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Parse the --retries value: 0 to 20. */
static bool
parse_retries(const char *s, long *out)
{
    char *end;
    errno = 0;
    *out = strtol(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && *out >= 0 && *out <= 20;
}

/* Apply option `ch` (with optarg) to *o. Returns -1 to go on, else the exit code. */
static int
take_option(int ch, struct cli_opts *o, char **argv)
{
    switch (ch) {
    case 'c':
        o->credentials = optarg;
        return -1;
    case 'b':
        o->base_url = optarg;
        return -1;
    case OPT_CACERT:
        o->cacert = optarg;
        return -1;
    case 'r':
        if (parse_retries(optarg, &o->retries))
            return -1;
        usage_error("--retries takes a number from 0 to 20");
        return CLI_USAGE;
    case 't':
        o->table = true;
        return -1;
    case 'v':
        o->verbose = true;
        return -1;
    case OPT_ID:
        o->id = optarg;
        return -1;
    case OPT_NAME:
        o->name = optarg;
        return -1;
    case OPT_SIGN_KEY:
        o->sign_key = true;
        return -1;
    case 'h':
        fputs(usage_text, stdout);
        return CLI_OK;
    case 'V':
        printf("restauth %s (librestauth %s)\n", RA_VERSION_STRING, ra_version());
        return CLI_OK;
    case ':':
        cli_err("option %s needs a value", argv[optind - 1]);
        break;
    default:
        cli_err("unknown option %s", argv[optind - 1]);
        break;
    }
    fputs("Try 'restauth --help'.\n", stderr);
    return CLI_USAGE;
}

/* Parse argv into *o. Returns -1 to continue, else the exit code to end with. */
static int
parse_args(int argc, char **argv, struct cli_opts *o)
{
    int ch, rc;
    memset(o, 0, sizeof(*o));
    o->retries = -1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":c:b:r:tvhV", longopts, NULL)) != -1)
        if ((rc = take_option(ch, o, argv)) >= 0)
            return rc;
    o->args = argv + optind;
    o->nargs = argc - optind;
    if (o->nargs == 0) {
        usage_error("no command given");
        return CLI_USAGE;
    }
    return -1;
}

/* Print one attempt of a call on stderr (--verbose). */
static void
on_attempt(void *ud, const struct ra_attempt *a)
{
    (void)ud;
    char what[64];
    if (a->status != 0)
        snprintf(what, sizeof(what), "HTTP %ld", a->status);
    else
        snprintf(what, sizeof(what), "%s", ra_strerror(a->result));
    if (a->wait_ms > 0)
        cli_err("attempt %u to %s: %s; retrying in %u ms", a->number, a->base_url, what,
                a->wait_ms);
    else
        cli_err("attempt %u to %s: %s", a->number, a->base_url, what);
}

/* Apply the options, or where one is absent its environment variable, to the client. */
static enum cli_exit
configure(struct ra_client *c, const struct cli_opts *o)
{
    enum ra_err e = RA_OK;
    const char *url = o->base_url ? o->base_url : getenv("RESTAUTH_BASE_URL");
    const char *ca = o->cacert ? o->cacert : getenv("RESTAUTH_CA_FILE");
    if (url != NULL && url[0] != '\0')
        e = ra_client_set_base_url(c, url);
    if (e == RA_OK && ca != NULL && ca[0] != '\0')
        e = ra_client_set_ca_file(c, ca);
    if (e == RA_OK && o->retries >= 0)
        e = ra_client_set_retries(c, (unsigned)o->retries);
    if (e == RA_OK && o->verbose)
        e = ra_client_set_attempt_callback(c, on_attempt, NULL);
    if (e == RA_OK)
        return CLI_OK;
    enum cli_exit rc = cli_fail(c, e);
    /* A malformed or insecure URL, or an unreadable CA file, is a mistake in the invocation. */
    return (e == RA_EINVAL || e == RA_EINSECURE) ? CLI_USAGE : rc;
}

/* Obtain the credentials: --credentials, else the environment, else a prompt. */
static enum cli_exit
credentials(struct ra_client *c, const struct cli_opts *o)
{
    enum ra_err e;
    if (o->credentials != NULL) {
        e = ra_client_load_credentials_file(c, o->credentials);
        return e == RA_OK ? CLI_OK : cli_fail(c, e);
    }
    const char *id = getenv("RESTAUTH_CUSTOMER_ID");
    const char *secret = getenv("RESTAUTH_CUSTOMER_SECRET");
    if (id != NULL && id[0] != '\0' && secret != NULL && secret[0] != '\0') {
        e = ra_client_load_credentials_env(c);
        return e == RA_OK ? CLI_OK : cli_fail(c, e);
    }
    return cli_prompt_credentials(c);
}

int
main(int argc, char **argv)
{
    struct cli_opts o;
    struct ra_client *c = NULL;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    rc = cli_check_command(&o);
    if (rc != CLI_OK)
        return rc;
    enum ra_err e = ra_global_init();
    if (e == RA_OK)
        e = ra_client_new(&c);
    if (e != RA_OK) {
        cli_err("cannot start: %s", ra_strerror(e));
        ra_global_cleanup();
        return CLI_FAILURE;
    }
    rc = configure(c, &o);
    if (rc == CLI_OK)
        rc = credentials(c, &o);
    if (rc == CLI_OK)
        rc = cli_run_command(c, &o);
    ra_client_free(c);
    ra_global_cleanup();
    return rc;
}
