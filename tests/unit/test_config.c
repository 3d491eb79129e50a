/* SPDX-License-Identifier: MIT */
/*
 * test_config.c: command-line options (server/config.c): defaults, both value forms, flags,
 * positional arguments, every rejection, the derived key-file path, the usage text, the option
 * table's entries, the --get-status validator and the repeatable --forward-limit; and the
 * --listen and --socket-mode parsers (server/http/listen.c).
 */
#include "config.h"
#include "http/listen.h"

#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Parse a NULL-terminated list of arguments into *cfg (from defaults); returns the code. */
static int
parse_args(struct config *cfg, char **argv, int *npos)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    config_defaults(cfg);
    *npos = -1;
    return config_parse(cfg, argc, argv, npos);
}

static void
test_defaults(void)
{
    struct config c;
    memset(&c, 0x5a, sizeof(c));
    config_defaults(&c);
    ASSERT_EQ_STR(c.store, "sqlite:var/restauth.db");
    ASSERT_TRUE(c.key_file == NULL);
    ASSERT_EQ_STR(c.listen, "127.0.0.1:8443");
    ASSERT_EQ_STR(c.socket_mode, "0660");
    ASSERT_TRUE(c.tls_cert == NULL && c.tls_key == NULL);
    ASSERT_TRUE(!c.insecure_http);
    ASSERT_EQ_STR(c.access_log, "-");
    ASSERT_EQ_INT(c.threads, 0);
    ASSERT_EQ_INT(c.rate_limit, 10);
    ASSERT_EQ_INT(c.forward_limits.n, 0);
    ASSERT_EQ_INT(c.auth_fail_limit, 30);
    ASSERT_EQ_INT(c.max_body, 65536);
    ASSERT_EQ_INT(c.max_header, 8192);
    ASSERT_EQ_INT(c.max_conns, 10000);
    ASSERT_EQ_INT(c.max_conns_per_ip, 256);
    ASSERT_EQ_INT(c.idle_timeout, 30);
    ASSERT_EQ_INT(c.header_timeout, 10);
    ASSERT_EQ_INT(c.body_timeout, 30);
    ASSERT_EQ_INT(c.get_status, 201);
    ASSERT_EQ_INT(c.max_projects, 20);
    ASSERT_EQ_INT(c.max_secrets, 10);
    ASSERT_EQ_INT(c.sync_interval_ms, 250);
    ASSERT_EQ_INT(c.session_idle_s, 1800);
    ASSERT_EQ_INT(c.session_max_s, 43200);
    ASSERT_EQ_INT(c.signin_fail_limit, 10);
    ASSERT_EQ_INT(c.signin_ip_fail_limit, 30);
    ASSERT_TRUE(c.account == NULL && c.out == NULL && c.demo_credentials == NULL);
    ASSERT_TRUE(c.email == NULL && c.password_file == NULL);
    ASSERT_TRUE(!c.force);

    /* No arguments: defaults untouched, nothing positional. */
    struct config d;
    int npos;
    char *none[] = {NULL};
    ASSERT_EQ_INT(parse_args(&d, none, &npos), 0);
    ASSERT_EQ_INT(npos, 0);
    ASSERT_EQ_MEM(&c, &d, sizeof(c));
}

static void
test_values(void)
{
    struct config c;
    int npos;
    char *argv[] = {"--store",
                    "sqlite:/tmp/a.db",
                    "--key-file",
                    "/tmp/k.key",
                    "--listen",
                    "[::1]:9000",
                    "--socket-mode",
                    "0600",
                    "--tls-cert",
                    "cert.pem",
                    "--tls-key",
                    "key.pem",
                    "--access-log",
                    "off",
                    "--threads",
                    "4",
                    "--rate-limit",
                    "0",
                    "--auth-fail-limit",
                    "5",
                    "--max-body",
                    "16",
                    "--max-header",
                    "1048576",
                    "--max-conns",
                    "1",
                    "--max-conns-per-ip",
                    "1000000",
                    "--idle-timeout",
                    "86400",
                    "--header-timeout",
                    "3600",
                    "--body-timeout",
                    "1",
                    "--get-status",
                    "200",
                    "--max-projects",
                    "7",
                    "--max-secrets",
                    "1000",
                    "--sync-interval-ms",
                    "10",
                    "--account",
                    "acme",
                    "--out",
                    "pair.txt",
                    "--demo-credentials",
                    "demo.txt",
                    NULL};
    ASSERT_EQ_INT(parse_args(&c, argv, &npos), 0);
    ASSERT_EQ_INT(npos, 0);
    ASSERT_EQ_STR(c.store, "sqlite:/tmp/a.db");
    ASSERT_EQ_STR(c.key_file, "/tmp/k.key");
    ASSERT_EQ_STR(c.listen, "[::1]:9000");
    ASSERT_EQ_STR(c.socket_mode, "0600");
    ASSERT_EQ_STR(c.tls_cert, "cert.pem");
    ASSERT_EQ_STR(c.tls_key, "key.pem");
    ASSERT_EQ_STR(c.access_log, "off");
    ASSERT_EQ_INT(c.threads, 4);
    ASSERT_EQ_INT(c.rate_limit, 0);
    ASSERT_EQ_INT(c.auth_fail_limit, 5);
    ASSERT_EQ_INT(c.max_body, 16);
    ASSERT_EQ_INT(c.max_header, 1048576);
    ASSERT_EQ_INT(c.max_conns, 1);
    ASSERT_EQ_INT(c.max_conns_per_ip, 1000000);
    ASSERT_EQ_INT(c.idle_timeout, 86400);
    ASSERT_EQ_INT(c.header_timeout, 3600);
    ASSERT_EQ_INT(c.body_timeout, 1);
    ASSERT_EQ_INT(c.get_status, 200);
    ASSERT_EQ_INT(c.max_projects, 7);
    ASSERT_EQ_INT(c.max_secrets, 1000);
    ASSERT_EQ_INT(c.sync_interval_ms, 10);
    ASSERT_EQ_STR(c.account, "acme");
    ASSERT_EQ_STR(c.out, "pair.txt");
    ASSERT_EQ_STR(c.demo_credentials, "demo.txt");
    ASSERT_TRUE(!c.insecure_http && !c.force);
}

static void
test_equals_form(void)
{
    struct config c;
    int npos;
    char *argv[] = {"--store=sqlite:x=y.db",
                    "--threads=12",
                    "--get-status=201",
                    "--listen=0.0.0.0:80",
                    "--access-log=",
                    "--rate-limit=1000000",
                    NULL};
    ASSERT_EQ_INT(parse_args(&c, argv, &npos), 0);
    ASSERT_EQ_INT(npos, 0);
    ASSERT_EQ_STR(c.store, "sqlite:x=y.db"); /* split at the first '=' only */
    ASSERT_EQ_INT(c.threads, 12);
    ASSERT_EQ_INT(c.get_status, 201);
    ASSERT_EQ_STR(c.listen, "0.0.0.0:80");
    ASSERT_EQ_STR(c.access_log, ""); /* an explicit empty value */
    ASSERT_EQ_INT(c.rate_limit, 1000000);

    /* The last occurrence wins, whichever the form. */
    char *again[] = {"--threads", "2", "--threads=3", "--threads", "5", NULL};
    ASSERT_EQ_INT(parse_args(&c, again, &npos), 0);
    ASSERT_EQ_INT(c.threads, 5);

    /* A value that looks like an option is taken as the value of the separate form. */
    char *dash[] = {"--out", "--force", NULL};
    ASSERT_EQ_INT(parse_args(&c, dash, &npos), 0);
    ASSERT_EQ_STR(c.out, "--force");
    ASSERT_TRUE(!c.force);
}

static void
test_flags_positional(void)
{
    struct config c;
    int npos;
    char *argv[] = {"serve", "--insecure-http", "--threads", "3", "extra", "--force", "-",
                    "last",  "--account=a",     "-x",        NULL};
    ASSERT_EQ_INT(parse_args(&c, argv, &npos), 0);
    ASSERT_TRUE(c.insecure_http);
    ASSERT_TRUE(c.force);
    ASSERT_EQ_INT(c.threads, 3);
    ASSERT_EQ_STR(c.account, "a");
    /* Positional arguments, in order, at the front. */
    ASSERT_EQ_INT(npos, 5);
    if (npos == 5) {
        ASSERT_EQ_STR(argv[0], "serve");
        ASSERT_EQ_STR(argv[1], "extra");
        ASSERT_EQ_STR(argv[2], "-");
        ASSERT_EQ_STR(argv[3], "last");
        ASSERT_EQ_STR(argv[4], "-x");
    }

    char *cmd[] = {"secret", "--account", "acme", "add", "--out", "f.txt", NULL};
    ASSERT_EQ_INT(parse_args(&c, cmd, &npos), 0);
    ASSERT_EQ_INT(npos, 2);
    ASSERT_EQ_STR(cmd[0], "secret");
    ASSERT_EQ_STR(cmd[1], "add");
    ASSERT_EQ_STR(c.account, "acme");
    ASSERT_EQ_STR(c.out, "f.txt");

    char *only_pos[] = {"account", "list", NULL};
    ASSERT_EQ_INT(parse_args(&c, only_pos, &npos), 0);
    ASSERT_EQ_INT(npos, 2);
    ASSERT_EQ_STR(only_pos[0], "account");
    ASSERT_EQ_STR(only_pos[1], "list");
}

/* Each of these must be rejected with -EINVAL. */
static void
test_rejections(void)
{
    static const char *const bad[][3] = {
        /* unknown options */
        {"--nope", NULL, NULL},
        {"--nope=1", NULL, NULL},
        {"--stor", "x", NULL}, /* a prefix is not an abbreviation */
        {"--store-x", "x", NULL},
        {"--STORE", "x", NULL}, /* case-sensitive */
        {"--=x", NULL, NULL},
        /* missing values */
        {"--store", NULL, NULL},
        {"--threads", NULL, NULL},
        {"--out", NULL, NULL},
        {"serve", "--listen", NULL},
        /* numbers out of range or malformed */
        {"--threads", "257", NULL},
        {"--threads", "-1", NULL},
        {"--threads", "", NULL},
        {"--threads=", NULL, NULL},
        {"--threads", "abc", NULL},
        {"--threads", "5x", NULL},
        {"--threads", "1.5", NULL},
        {"--threads", "99999999999999999999999", NULL},
        {"--rate-limit", "1000001", NULL},
        {"--rate-limit", "-1", NULL},
        {"--auth-fail-limit", "-5", NULL},
        {"--max-body", "15", NULL},
        {"--max-body", "16777217", NULL},
        {"--max-header", "1023", NULL},
        {"--max-conns", "0", NULL},
        {"--max-conns-per-ip", "0", NULL},
        {"--idle-timeout", "0", NULL},
        {"--idle-timeout", "86401", NULL},
        {"--header-timeout", "0", NULL},
        {"--body-timeout", "3601", NULL},
        {"--get-status", "202", NULL},
        {"--get-status=202", NULL, NULL},
        {"--get-status", "199", NULL},
        {"--get-status", "204", NULL},
        {"--max-projects", "0", NULL},
        {"--max-secrets", "1001", NULL},
        {"--sync-interval-ms", "9", NULL},
        {"--sync-interval-ms", "60001", NULL},
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        char *argv[4] = {(char *)bad[i][0], (char *)bad[i][1], (char *)bad[i][2], NULL};
        struct config c;
        int npos;
        int rc = parse_args(&c, argv, &npos);
        harness_checks++;
        if (rc != -EINVAL)
            HARNESS_FAIL("config_parse(%s %s) = %d, want -EINVAL", bad[i][0],
                         bad[i][1] ? bad[i][1] : "", rc);
    }

    /* The bounds themselves are accepted. */
    static const char *const good[][2] = {
        {"--threads", "0"},         {"--threads", "256"},
        {"--max-body", "16777216"}, {"--max-header", "1024"},
        {"--idle-timeout", "1"},    {"--get-status", "201"},
        {"--max-secrets", "1"},     {"--sync-interval-ms", "60000"},
        {"--auth-fail-limit", "0"}, {"--max-projects", "1000000"},
    };
    for (size_t i = 0; i < N_ELEMS(good); i++) {
        char *argv[3] = {(char *)good[i][0], (char *)good[i][1], NULL};
        struct config c;
        int npos;
        int rc = parse_args(&c, argv, &npos);
        harness_checks++;
        if (rc != 0)
            HARNESS_FAIL("config_parse(%s %s) = %d, want 0", good[i][0], good[i][1], rc);
    }

    /* A flag takes no value: "--force=no" must not quietly mean --force (nor
     * "--insecure-http=0" turn plain HTTP on). */
    char *f1[] = {"--force=no", NULL};
    char *f2[] = {"--insecure-http=0", NULL};
    struct config c;
    int npos;
    ASSERT_EQ_INT(parse_args(&c, f1, &npos), -EINVAL);
    ASSERT_EQ_INT(parse_args(&c, f2, &npos), -EINVAL);
}

static void
test_key_path(void)
{
    struct config c;
    char buf[256];

    config_defaults(&c);
    ASSERT_EQ_INT(config_key_path(&c, buf, sizeof(buf)), 0);
    ASSERT_EQ_STR(buf, "var/restauth.db.key");

    c.store = "sqlite:/srv/ra/data.db";
    ASSERT_EQ_INT(config_key_path(&c, buf, sizeof(buf)), 0);
    ASSERT_EQ_STR(buf, "/srv/ra/data.db.key");

    c.store = "sqlite:///srv/ra/data.db";
    ASSERT_EQ_INT(config_key_path(&c, buf, sizeof(buf)), 0);
    ASSERT_EQ_STR(buf, "/srv/ra/data.db.key");

    c.store = "sqlite://rel/data.db";
    ASSERT_EQ_INT(config_key_path(&c, buf, sizeof(buf)), 0);
    ASSERT_EQ_STR(buf, "rel/data.db.key");

    /* An explicit --key-file wins, for any store. */
    c.store = "sqlite:/srv/ra/data.db";
    c.key_file = "/etc/ra/server.key";
    ASSERT_EQ_INT(config_key_path(&c, buf, sizeof(buf)), 0);
    ASSERT_EQ_STR(buf, "/etc/ra/server.key");
    c.store = "postgres://db.example/ra";
    ASSERT_EQ_INT(config_key_path(&c, buf, sizeof(buf)), 0);
    ASSERT_EQ_STR(buf, "/etc/ra/server.key");

    /* Another scheme needs --key-file. */
    c.key_file = NULL;
    ASSERT_EQ_INT(config_key_path(&c, buf, sizeof(buf)), -EINVAL);

    /* Too small a buffer: an error, never a truncated path. */
    c.store = "sqlite:/srv/ra/data.db";
    ASSERT_EQ_INT(config_key_path(&c, buf, strlen("/srv/ra/data.db.key") + 1), 0);
    ASSERT_EQ_INT(config_key_path(&c, buf, strlen("/srv/ra/data.db.key")), -ENAMETOOLONG);
    c.key_file = "/etc/ra/server.key";
    ASSERT_EQ_INT(config_key_path(&c, buf, 5), -ENAMETOOLONG);
    c.key_file = NULL;

    /* The scheme is case-insensitive for store_open() (store.c, RFC 3986), so the key path
     * must be derived for the same URLs. */
    c.store = "SQLite:/srv/ra/data.db";
    ASSERT_EQ_INT(config_key_path(&c, buf, sizeof(buf)), 0);
    ASSERT_EQ_STR(buf, "/srv/ra/data.db.key");

    /* From a parsed command line. */
    char *argv[] = {"--store=sqlite:///var/lib/ra/x.db", NULL};
    int npos;
    ASSERT_EQ_INT(parse_args(&c, argv, &npos), 0);
    ASSERT_EQ_INT(config_key_path(&c, buf, sizeof(buf)), 0);
    ASSERT_EQ_STR(buf, "/var/lib/ra/x.db.key");
}

static void
test_usage(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ASSERT_TRUE(f != NULL);
    if (f == NULL)
        return;
    config_usage(f, 0); /* 0: every option */
    fclose(f);
    static const char *const names[] = {
        "--store",
        "--key-file",
        "--help",
        "--config",
        "--log-format",
        "--log-level",
        "--listen",
        "--socket-mode",
        "--tls-cert",
        "--tls-key",
        "--insecure-http",
        "--user",
        "--trusted-proxy",
        "--access-log",
        "--threads",
        "--rate-limit",
        "--forward-limit",
        "--auth-fail-limit",
        "--max-body",
        "--max-header",
        "--max-conns",
        "--max-conns-per-ip",
        "--idle-timeout",
        "--header-timeout",
        "--body-timeout",
        "--get-status",
        "--max-projects",
        "--max-secrets",
        "--sync-interval-ms",
        "--session-idle-s",
        "--session-max-s",
        "--signin-fail-limit",
        "--signin-ip-fail-limit",
        "--admin-listen",
        "--no-metrics",
        "--usage-retention-days",
        "--audit-retention-days",
        "--account",
        "--out",
        "--expires-in",
        "--expires-at",
        "--tripwire",
        "--in",
        "--at",
        "--never",
        "--overlap",
        "--json",
        "--since",
        "--limit",
        "--demo-credentials",
        "--email",
        "--password-file",
        "--force",
        "--wait",
    };
    for (size_t i = 0; i < N_ELEMS(names); i++) {
        char pat[64];
        snprintf(pat, sizeof(pat), "  %s", names[i]);
        /* The first line that names exactly this option ("--in", not "--insecure-http"). */
        const char *at = text != NULL ? strstr(text, pat) : NULL;
        while (at != NULL && at[strlen(pat)] != ' ' && at[strlen(pat)] != '[')
            at = strstr(at + 1, pat);
        char next = at != NULL ? at[strlen(pat)] : '\0';
        harness_checks++;
        if (next != ' ' && next != '[') /* "--wait[=SECONDS]": a value that may be left out */
            HARNESS_FAIL("usage lacks %s", names[i]);
    }
    ASSERT_TRUE(text != NULL && strstr(text, "  --wait[=SECONDS] ") != NULL);
    ASSERT_TRUE(text != NULL && strstr(text, "[sqlite:var/restauth.db]") != NULL);
    ASSERT_TRUE(text != NULL && strstr(text, "[127.0.0.1:8443]") != NULL);
    ASSERT_TRUE(text != NULL && strstr(text, "[201]") != NULL);
    ASSERT_TRUE(text != NULL && strstr(text, "[65536]") != NULL);
    ASSERT_TRUE(text != NULL && strstr(text, "--get-status 200|201 ") != NULL);
    ASSERT_TRUE(text != NULL && strstr(text, "[1800]") != NULL);  /* --session-idle-s */
    ASSERT_TRUE(text != NULL && strstr(text, "[43200]") != NULL); /* --session-max-s */
    ASSERT_TRUE(text != NULL && strstr(text, "[0660]") != NULL);  /* --socket-mode */
    ASSERT_TRUE(text != NULL &&
                strstr(text, "--forward-limit \"METHOD PREFIX CLASS LIMIT\" ") != NULL);
    /* One line per option. */
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    ASSERT_EQ_INT(lines, N_ELEMS(names));
    free(text);
}

/* Every entry of the option table is well formed. */
static void
test_option_table(void)
{
    size_t nopt;
    const struct config_option *opts = config_options(&nopt);
    ASSERT_TRUE(nopt > 0 && nopt <= 64);
    for (size_t k = 0; k < nopt; k++) {
        const struct config_option *o = &opts[k];
        harness_checks++;
        if (strncmp(o->name, "--", 2) != 0 || o->help == NULL || o->help[0] == '\0' ||
            o->commands == 0 || (o->commands & ~(unsigned)CMD_ALL) != 0 ||
            (o->arg == NULL) != (o->type == CONFIG_FLAG) || config_find(o->name) != o)
            HARNESS_FAIL("malformed option entry %s", o->name);
        if (o->type != CONFIG_NUMBER)
            continue;
        /* A default the option itself would refuse could never be given back on the line. */
        bool ok =
            o->valid != NULL ? o->valid(o->def.num) : o->min <= o->def.num && o->def.num <= o->max;
        harness_checks++;
        if (!ok)
            HARNESS_FAIL("%s: default %ld is not an accepted value", o->name, o->def.num);
    }
}

/* --get-status is decided by its validator: exactly 200 and 201, with no range. */
static void
test_get_status_validator(void)
{
    const struct config_option *o = config_find("--get-status");
    ASSERT_TRUE(o != NULL && o->type == CONFIG_NUMBER && o->valid != NULL);
    if (o == NULL || o->valid == NULL)
        return;
    ASSERT_TRUE(o->min == 0 && o->max == 0);
    static const long good[] = {200, 201};
    static const long bad[] = {0, 1, 199, 202, 204, 299, -200, -201, LONG_MAX, LONG_MIN};
    for (size_t i = 0; i < N_ELEMS(good); i++)
        ASSERT_TRUE(o->valid(good[i]));
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        harness_checks++;
        if (o->valid(bad[i]))
            HARNESS_FAIL("--get-status accepts %ld", bad[i]);
    }
    struct config c;
    int npos;
    char *s200[] = {"--get-status", "200", NULL};
    ASSERT_EQ_INT(parse_args(&c, s200, &npos), 0);
    ASSERT_EQ_INT(c.get_status, 200);
    char *s0200[] = {"--get-status=0200", NULL}; /* still decimal 200 */
    ASSERT_EQ_INT(parse_args(&c, s0200, &npos), 0);
    ASSERT_EQ_INT(c.get_status, 200);
    char *s2010[] = {"--get-status", "2010", NULL};
    ASSERT_EQ_INT(parse_args(&c, s2010, &npos), -EINVAL);
    char *sx[] = {"--get-status", "20x", NULL};
    ASSERT_EQ_INT(parse_args(&c, sx, &npos), -EINVAL);
}

/* --forward-limit collects every value, in order, whichever the form, up to CONFIG_LIST_MAX;
 * a single-valued option next to it still keeps only its last value. */
static void
test_list_option(void)
{
    const struct config_option *o = config_find("--forward-limit");
    ASSERT_TRUE(o != NULL && o->type == CONFIG_LIST && o->arg != NULL);
    struct config c;
    int npos;
    char *argv[] = {"--forward-limit",
                    "GET /a a 1",
                    "serve",
                    "--rate-limit=3",
                    "--forward-limit=* /b b 2",
                    "--rate-limit",
                    "4",
                    "--forward-limit",
                    "--force",
                    NULL};
    ASSERT_EQ_INT(parse_args(&c, argv, &npos), 0);
    ASSERT_EQ_INT(npos, 1);
    ASSERT_EQ_INT(c.rate_limit, 4);
    ASSERT_TRUE(config_given(&c, "--forward-limit"));
    ASSERT_EQ_INT(c.forward_limits.n, 3);
    if (c.forward_limits.n == 3) {
        ASSERT_EQ_STR(c.forward_limits.item[0], "GET /a a 1");
        ASSERT_EQ_STR(c.forward_limits.item[1], "* /b b 2");
        ASSERT_EQ_STR(c.forward_limits.item[2], "--force"); /* a value, as for any string */
    }
    ASSERT_TRUE(!c.force);

    /* Exactly CONFIG_LIST_MAX values are taken; one more is refused. */
    char *many[2 * CONFIG_LIST_MAX + 3];
    int n = 0;
    for (int i = 0; i <= CONFIG_LIST_MAX; i++) {
        many[n++] = "--forward-limit";
        many[n++] = "GET / x 1";
    }
    many[n] = NULL;
    ASSERT_EQ_INT(parse_args(&c, many + 2, &npos), 0);
    ASSERT_EQ_INT(c.forward_limits.n, CONFIG_LIST_MAX);
    ASSERT_EQ_INT(parse_args(&c, many, &npos), -EINVAL);

    /* Without a value, and not given at all. */
    char *bare[] = {"--forward-limit", NULL};
    ASSERT_EQ_INT(parse_args(&c, bare, &npos), -EINVAL);
    char *none[] = {"serve", NULL};
    ASSERT_EQ_INT(parse_args(&c, none, &npos), 0);
    ASSERT_EQ_INT(c.forward_limits.n, 0);
    ASSERT_TRUE(!config_given(&c, "--forward-limit"));
}

static void
test_listen_good(void)
{
    struct listen_addr la;
    char host[64];

    ASSERT_EQ_INT(listen_parse("127.0.0.1:8443", &la), 0);
    ASSERT_EQ_INT(la.family, AF_INET);
    ASSERT_EQ_INT(la.u.in.sin_family, AF_INET);
    ASSERT_EQ_INT(ntohs(la.u.in.sin_port), 8443);
    ASSERT_EQ_INT(ntohl(la.u.in.sin_addr.s_addr), 0x7f000001);
    ASSERT_TRUE(la.loopback);
    listen_host(&la, host, sizeof(host));
    ASSERT_EQ_STR(host, "127.0.0.1");

    ASSERT_EQ_INT(listen_parse("[::1]:0", &la), 0);
    ASSERT_EQ_INT(la.family, AF_INET6);
    ASSERT_EQ_INT(la.u.in6.sin6_family, AF_INET6);
    ASSERT_EQ_INT(ntohs(la.u.in6.sin6_port), 0);
    ASSERT_TRUE(IN6_IS_ADDR_LOOPBACK(&la.u.in6.sin6_addr));
    ASSERT_TRUE(la.loopback);
    listen_host(&la, host, sizeof(host));
    ASSERT_EQ_STR(host, "[::1]");

    ASSERT_EQ_INT(listen_parse("localhost:1", &la), 0);
    ASSERT_EQ_INT(la.family, AF_INET);
    ASSERT_EQ_INT(ntohs(la.u.in.sin_port), 1);
    ASSERT_EQ_INT(ntohl(la.u.in.sin_addr.s_addr), 0x7f000001);
    ASSERT_TRUE(la.loopback);

    ASSERT_EQ_INT(listen_parse("0.0.0.0:80", &la), 0);
    ASSERT_EQ_INT(la.family, AF_INET);
    ASSERT_EQ_INT(ntohs(la.u.in.sin_port), 80);
    ASSERT_EQ_INT(la.u.in.sin_addr.s_addr, 0);
    ASSERT_TRUE(!la.loopback);
    listen_host(&la, host, sizeof(host));
    ASSERT_EQ_STR(host, "0.0.0.0");

    ASSERT_EQ_INT(listen_parse("127.255.255.254:65535", &la), 0);
    ASSERT_EQ_INT(ntohs(la.u.in.sin_port), 65535);
    ASSERT_TRUE(la.loopback); /* all of 127/8 */

    ASSERT_EQ_INT(listen_parse("10.1.2.3:8080", &la), 0);
    ASSERT_TRUE(!la.loopback);
    ASSERT_EQ_INT(listen_parse("128.0.0.1:8080", &la), 0);
    ASSERT_TRUE(!la.loopback);
    ASSERT_EQ_INT(listen_parse("126.255.255.255:8080", &la), 0);
    ASSERT_TRUE(!la.loopback);

    ASSERT_EQ_INT(listen_parse("[::]:443", &la), 0);
    ASSERT_EQ_INT(la.family, AF_INET6);
    ASSERT_EQ_INT(ntohs(la.u.in6.sin6_port), 443);
    ASSERT_TRUE(!la.loopback);
    listen_host(&la, host, sizeof(host));
    ASSERT_EQ_STR(host, "[::]");

    ASSERT_EQ_INT(listen_parse("[2001:db8::5]:8443", &la), 0);
    ASSERT_TRUE(!la.loopback);
    listen_host(&la, host, sizeof(host));
    ASSERT_EQ_STR(host, "[2001:db8::5]");

    /* Leading zeros in the port are still decimal. */
    ASSERT_EQ_INT(listen_parse("127.0.0.1:08443", &la), 0);
    ASSERT_EQ_INT(ntohs(la.u.in.sin_port), 8443);

    /* A Unix socket: any path that fits sun_path, with its NUL. */
    ASSERT_EQ_INT(listen_parse("unix:/run/restauth/restauthd.sock", &la), 0);
    ASSERT_EQ_INT(la.family, AF_UNIX);
    ASSERT_EQ_INT(la.u.un.sun_family, AF_UNIX);
    ASSERT_EQ_STR(la.u.un.sun_path, "/run/restauth/restauthd.sock");
    ASSERT_TRUE(!la.loopback);
    listen_host(&la, host, sizeof(host));
    ASSERT_EQ_STR(host, "unix:/run/restauth/restauthd.sock");
    ASSERT_EQ_INT(listen_parse("unix:rel.sock", &la), 0);
    ASSERT_EQ_STR(la.u.un.sun_path, "rel.sock");
    char longest[5 + sizeof(la.u.un.sun_path)];
    memcpy(longest, "unix:", 5);
    memset(longest + 5, 'a', sizeof(la.u.un.sun_path) - 1);
    longest[sizeof(longest) - 1] = '\0';
    ASSERT_EQ_INT(listen_parse(longest, &la), 0);
    ASSERT_EQ_INT(strlen(la.u.un.sun_path), sizeof(la.u.un.sun_path) - 1);
    char too_long[6 + sizeof(la.u.un.sun_path)];
    snprintf(too_long, sizeof(too_long), "%sa", longest);
    ASSERT_EQ_INT(listen_parse(too_long, &la), -EINVAL);
}

/* --socket-mode: "0" then one to three octal digits, nothing else. */
static void
test_socket_mode(void)
{
    static const struct {
        const char *text;
        mode_t mode;
    } good[] = {{"0660", 0660}, {"0600", 0600}, {"0777", 0777},
                {"00", 0},      {"07", 07},     {"070", 070}};
    for (size_t i = 0; i < N_ELEMS(good); i++) {
        mode_t m = 01000;
        int rc = listen_mode_parse(good[i].text, &m);
        harness_checks++;
        if (rc != 0 || m != good[i].mode)
            HARNESS_FAIL("listen_mode_parse(\"%s\") = %d, mode %o", good[i].text, rc, (unsigned)m);
    }
    static const char *const bad[] = {"",      "0",     "660",   "0668", "01777", "0x1ff",
                                      "-0660", "0660 ", " 0660", "06a0", "00000"};
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        mode_t m = 0;
        int rc = listen_mode_parse(bad[i], &m);
        harness_checks++;
        if (rc != -EINVAL)
            HARNESS_FAIL("listen_mode_parse(\"%s\") = %d, want -EINVAL", bad[i], rc);
    }
}

static void
test_listen_bad(void)
{
    static const char *const bad[] = {
        "",
        ":",
        ":80",
        "80",
        "127.0.0.1",
        "127.0.0.1:",
        "127.0.0.1:65536",
        "127.0.0.1:-1",
        "127.0.0.1:80x",
        "127.0.0.1:0x50",
        "127.0.0.1:99999999999999999999",
        "127.0.0.1:80:80",
        "256.0.0.1:80",
        "127.1:80",
        "1.2.3:80",
        "1.2.3.4.5:80",
        "example.com:80",
        "localhostx:80",
        "::1:80", /* IPv6 without brackets */
        "[::1]",
        "[::1]:",
        "[::1]80",
        "[]:80",
        "[::1:80",
        "::1]:80",
        "[127.0.0.1]:80", /* IPv4 in brackets */
        "[::1]x:80",
        "[::g]:80",
        " 127.0.0.1:80",
        "127.0.0.1 :80",
        "0123456789012345678901234567890123456789012345678901234567890123456789:80",
        "unix:", /* no path */
        "unix",
        "UNIX:/x.sock", /* the scheme is lower-case */
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        struct listen_addr la;
        int rc = listen_parse(bad[i], &la);
        harness_checks++;
        if (rc != -EINVAL)
            HARNESS_FAIL("listen_parse(\"%s\") = %d, want -EINVAL", bad[i], rc);
    }
}

int
main(void)
{
    RUN(test_defaults);
    RUN(test_values);
    RUN(test_equals_form);
    RUN(test_flags_positional);
    RUN(test_rejections);
    RUN(test_key_path);
    RUN(test_usage);
    RUN(test_option_table);
    RUN(test_get_status_validator);
    RUN(test_list_option);
    RUN(test_listen_good);
    RUN(test_listen_bad);
    RUN(test_socket_mode);
    return harness_done();
}
