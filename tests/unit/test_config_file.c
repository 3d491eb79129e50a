/* SPDX-License-Identifier: MIT */
/*
 * test_config_file.c: the configuration file (server/config_file.c): values of every type,
 * comments, blanks and quotes, the command line winning, repeatable options, errors that name
 * FILE:LINE, options of other commands, a reload over the command line; and check-config's
 * redaction of secrets (server/config_doc.c).
 */
#include "config.h"
#include "config_doc.h"
#include "config_file.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/ra-test-conffile-XXXXXX";
#include "tmpdir.h"

#include "capture.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Write text to <tmpdir>/NAME; returns its path (static storage, one at a time). */
static const char *
write_file(const char *name, const char *text)
{
    static char path[PATH_MAX];
    path_in(path, sizeof(path), "", name);
    FILE *f = fopen(path, "w");
    ASSERT_TRUE(f != NULL);
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

/* Parse argv (NULL-terminated) then load `text` as the file for `command`, with stderr caught
 * into err. Returns config_file_load's code; *file must be freed by the caller. */
static int
load(struct config *cfg, char **argv, const char *text, unsigned command, char *err, size_t size,
     struct config_file **file)
{
    int argc = 0, npos = 0;
    while (argv != NULL && argv[argc] != NULL)
        argc++;
    config_defaults(cfg);
    ASSERT_EQ_INT(config_parse(cfg, argc, argv, &npos), 0);
    const char *path = write_file("c.conf", text);
    struct capture cap;
    if (capture_begin(&cap) < 0)
        return -1;
    int rc = config_file_load(cfg, path, command, command == CMD_SERVE ? "serve" : "init", file);
    capture_end(&cap, err, size);
    return rc;
}

static void
test_values(void)
{
    struct config c;
    struct config_file *f = NULL;
    char err[1024];
    const char *text = "# a comment\n"
                       "\n"
                       "   store = sqlite:/srv/ra.db   # trailing comment\n"
                       "listen=[::1]:9000\n"
                       "\trate-limit = 0\n"
                       "insecure-http = yes\n"
                       "forward-limit = \"GET /api api 5\"\n"
                       "forward-limit = POST /x x 1\n"
                       "access-log = /var/log/a#b.log\n"
                       "log-level = debug\r\n";
    ASSERT_EQ_INT(load(&c, NULL, text, CMD_SERVE, err, sizeof(err), &f), 0);
    ASSERT_EQ_STR(err, "");
    ASSERT_EQ_STR(c.store, "sqlite:/srv/ra.db");
    ASSERT_EQ_STR(c.listen, "[::1]:9000");
    ASSERT_EQ_INT(c.rate_limit, 0);
    ASSERT_TRUE(c.insecure_http);
    ASSERT_EQ_INT(c.forward_limits.n, 2);
    ASSERT_EQ_STR(c.forward_limits.item[0], "GET /api api 5");
    ASSERT_EQ_STR(c.forward_limits.item[1], "POST /x x 1");
    ASSERT_EQ_INT(c.forward_limits.line[0], 7);
    ASSERT_EQ_INT(c.forward_limits.line[1], 8);
    ASSERT_EQ_STR(c.access_log, "/var/log/a#b.log"); /* "#" after no blank is no comment */
    ASSERT_EQ_STR(c.log_level, "debug");
    ASSERT_TRUE(config_given(&c, "--listen") && !config_given(&c, "--threads"));
    ASSERT_EQ_INT(c.given, 0);
    ASSERT_EQ_INT(c.file_line[config_find("--store") - config_options(&(size_t){0})], 3);
    ASSERT_EQ_INT(c.file_line[config_find("--rate-limit") - config_options(&(size_t){0})], 5);
    config_file_free(f);

    /* The false words of a flag. */
    static const char *const no[] = {"false", "no", "0"};
    for (size_t i = 0; i < N_ELEMS(no); i++) {
        char line[64];
        snprintf(line, sizeof(line), "insecure-http = %s\n", no[i]);
        ASSERT_EQ_INT(load(&c, NULL, line, CMD_SERVE, err, sizeof(err), &f), 0);
        ASSERT_TRUE(!c.insecure_http);
        config_file_free(f);
    }
}

/* The command line wins; a list given there replaces the file's. */
static void
test_overrides(void)
{
    struct config c;
    struct config_file *f = NULL;
    char err[1024];
    char *argv[] = {"--rate-limit", "7", "--forward-limit", "* / all 9", NULL};
    const char *text = "rate-limit = 3\nthreads = 2\nforward-limit = GET /a a 1\n";
    ASSERT_EQ_INT(load(&c, argv, text, CMD_SERVE, err, sizeof(err), &f), 0);
    ASSERT_EQ_INT(c.rate_limit, 7);
    ASSERT_EQ_INT(c.threads, 2);
    ASSERT_EQ_INT(c.forward_limits.n, 1);
    ASSERT_EQ_STR(c.forward_limits.item[0], "* / all 9");
    ASSERT_EQ_INT(c.forward_limits.line[0], 0);
    config_file_free(f);

    /* A value the command line overrides must still be valid. */
    ASSERT_EQ_INT(load(&c, argv, "rate-limit = lots\n", CMD_SERVE, err, sizeof(err), &f), -EINVAL);
    ASSERT_TRUE(strstr(err, "c.conf:1: rate-limit:") != NULL);

    /* A reload starts again from the command line alone. */
    struct config first;
    ASSERT_EQ_INT(load(&first, argv, "threads = 4\n", CMD_SERVE, err, sizeof(err), &f), 0);
    struct config cmdline;
    config_defaults(&cmdline);
    int npos = 0;
    char *argv2[] = {"--rate-limit", "7", NULL};
    ASSERT_EQ_INT(config_parse(&cmdline, 2, argv2, &npos), 0);
    const char *path = write_file("r.conf", "auth-fail-limit = 4\nrate-limit = 1\n");
    struct config again;
    struct config_file *f2 = NULL;
    ASSERT_EQ_INT(config_file_reload(&cmdline, path, CMD_SERVE, "serve", &again, &f2), 0);
    ASSERT_EQ_INT(again.rate_limit, 7);
    ASSERT_EQ_INT(again.auth_fail_limit, 4);
    ASSERT_EQ_INT(again.threads, 0); /* not carried over from the first load */
    ASSERT_TRUE(again.cmdline == &cmdline);
    config_file_free(f2);
    config_file_free(f);
}

/* Each bad file is refused with FILE:LINE and the reason. */
static void
test_errors(void)
{
    static const struct {
        const char *text;
        unsigned command;
        const char *want; /* in the message, after "c.conf:" */
    } bad[] = {
        {"\n\nnope = 1\n", CMD_SERVE, "3: unknown option \"nope\""},
        {"--listen = x\n", CMD_SERVE, "1: unknown option \"--listen\" (write names without"},
        {"listen\n", CMD_SERVE, "1: expected name = value"},
        {"listen =\n", CMD_SERVE, "1: listen needs a value"},
        {"# x\nthreads = 999\n", CMD_SERVE, "2: threads: expected a whole number from 0 to 256"},
        {"get-status = 204\n", CMD_SERVE, "1: get-status: expected 200|201"},
        {"insecure-http = maybe\n", CMD_SERVE, "1: insecure-http: expected true or false"},
        {"log-format = xml\n", CMD_SERVE, "1: log-format: expected text|json"},
        {"force = true\n", CMD_SERVE, "1: serve does not take force"},
        {"account = a\n", CMD_INIT, "1: init does not take account"},
        {"config = other.conf\n", CMD_SERVE, "1: config cannot be set in a configuration file"},
        {"help = true\n", CMD_SERVE, "1: help cannot be set"},
        {"threads = 1\nlisten = x:1\nthreads = 2\n", CMD_SERVE,
         "3: threads is set twice (first on line 1)"},
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        struct config c;
        struct config_file *f = (struct config_file *)1;
        char err[1024], want[256];
        int rc = load(&c, NULL, bad[i].text, bad[i].command, err, sizeof(err), &f);
        snprintf(want, sizeof(want), "c.conf:%s", bad[i].want);
        harness_checks++;
        if (rc != -EINVAL || f != NULL || strstr(err, want) == NULL)
            HARNESS_FAIL("case %zu: rc %d, message %s", i, rc, err);
    }

    /* A missing file. */
    struct config c;
    struct config_file *f = NULL;
    config_defaults(&c);
    char path[PATH_MAX];
    ASSERT_EQ_INT(config_file_load(&c, path_in(path, sizeof(path), "", "absent.conf"), CMD_SERVE,
                                   "serve", &f),
                  -ENOENT);
    ASSERT_TRUE(f == NULL);
}

/* A file written for serve also serves init: serve's options that init does not take are
 * skipped, the ones it takes are read. */
static void
test_shared_file(void)
{
    struct config c;
    struct config_file *f = NULL;
    char err[1024];
    const char *text = "store = sqlite:/srv/x.db\nlisten = 0.0.0.0:443\nmax-projects = 3\n";
    ASSERT_EQ_INT(load(&c, NULL, text, CMD_INIT, err, sizeof(err), &f), 0);
    ASSERT_EQ_STR(c.store, "sqlite:/srv/x.db");
    ASSERT_EQ_STR(c.listen, "127.0.0.1:8443");
    ASSERT_TRUE(!config_given(&c, "--listen"));
    ASSERT_EQ_INT(c.max_projects, 3);
    config_file_free(f);
}

static void
test_redact(void)
{
    static const char *const cases[][2] = {
        {"postgresql://ra:s3cret@db:5432/ra", "postgresql://ra:REDACTED@db:5432/ra"},
        {"postgresql://ra@db/ra?password=pw&sslmode=require",
         "postgresql://ra@db/ra?password=REDACTED&sslmode=require"},
        {"postgresql://u:p@h/d?password=q", "postgresql://u:REDACTED@h/d?password=REDACTED"},
        {"postgresql://h:5432/d", "postgresql://h:5432/d"}, /* a port is no password */
        {"sqlite:/var/lib/restauth/restauth.db", "sqlite:/var/lib/restauth/restauth.db"},
        {"host=db password=x user=ra", "host=db password=REDACTED user=ra"},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        char out[256];
        ASSERT_EQ_STR(config_doc_redact(cases[i][0], out, sizeof(out)), cases[i][1]);
    }
    char tiny[8];
    ASSERT_EQ_STR(config_doc_redact("postgresql://u:p@h", tiny, sizeof(tiny)), "postgre");
}

int
main(void)
{
    if (tmpdir_make() < 0)
        return 1;
    RUN(test_values);
    RUN(test_overrides);
    RUN(test_errors);
    RUN(test_shared_file);
    RUN(test_redact);
    tmpdir_remove();
    return harness_done();
}
