/* SPDX-License-Identifier: MIT */
/*
 * test_credfile.c: the key_and_secret.txt parser, the file reader, credentials from the
 * environment, and the parser's behaviour when allocations fail.
 */
#include "harness.h"

#include "client_internal.h"
#include "common/alloc.h"
#include "credfile.h"

#include <stdlib.h>
#include <unistd.h>

#define ID "4259477b83624c6b9e5e1b11a1b3a0f0"
#define SECRET "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define NOTICE "Please keep this file safe. The Customer Secret can be downloaded only once."
#define FW "\xEF\xBC\x9A" /* fullwidth colon */

/* Parse text and expect the pair (want_id NULL: expect RA_ECREDFILE and `why_has` in why). */
static void
parse_case(const char *text, const char *want_id, const char *want_secret, const char *why_has)
{
    char *id = NULL, *secret = NULL;
    char why[160] = "";
    enum ra_err e = ra__cred_parse(text, strlen(text), &id, &secret, why, sizeof(why));
    if (want_id != NULL) {
        CHECK_INT(e, RA_OK);
        CHECK_STR(id, want_id);
        CHECK_STR(secret, want_secret);
    } else {
        CHECK_INT(e, RA_ECREDFILE);
        CHECK(id == NULL && secret == NULL);
        t_checks++;
        if (why_has != NULL && strstr(why, why_has) == NULL)
            T_FAIL("reason \"%s\" lacks \"%s\"", why, why_has);
        /* A reason never quotes a value. */
        CHECK(strstr(why, SECRET) == NULL && strstr(why, "hunter2") == NULL);
    }
    ra_free(id);
    ra_free_secret(secret, secret ? strlen(secret) : 0);
}

static void
test_layouts(void)
{
    /* Exactly what Agora Console and `restauthd secret add --out` write. */
    parse_case(NOTICE "\r\nkey" FW ID "\r\nsecret" FW SECRET, ID, SECRET, NULL);
    parse_case(NOTICE "\r\nkey" FW ID "\r\nsecret" FW SECRET "\r\n", ID, SECRET, NULL);
    parse_case(NOTICE "\nkey" FW ID "\nsecret" FW SECRET "\n", ID, SECRET, NULL);
    parse_case("key:" ID "\nsecret:" SECRET, ID, SECRET, NULL);
    parse_case("secret:" SECRET "\r\nkey:" ID "\r\n", ID, SECRET, NULL);
    parse_case("\xEF\xBB\xBFkey" FW ID "\r\nsecret" FW SECRET, ID, SECRET, NULL);
    parse_case("  Key " FW " " ID " \t\n\tSECRET\t:\t" SECRET "  \n", ID, SECRET, NULL);
    parse_case("customer_id: " ID "\ncustomer_secret: " SECRET "\n", ID, SECRET, NULL);
    parse_case("\n\r\n# a comment\nkeyboard: layout\nkey" FW ID "\n\nsecret" FW SECRET "\n\n", ID,
               SECRET, NULL);
    /* A secret may contain ':' (Basic splits at the first colon, which ends the ID). */
    parse_case("key:abc\nsecret:a:b:c", "abc", "a:b:c", NULL);
}

static void
test_rejections(void)
{
    parse_case("", NULL, NULL, "no key line");
    parse_case(NOTICE "\r\n", NULL, NULL, "no key line");
    parse_case("key" FW ID "\r\n", NULL, NULL, "no secret line");
    parse_case("secret" FW SECRET "\r\n", NULL, NULL, "no key line");
    parse_case("key:" ID "\nkey:" ID "\nsecret:" SECRET, NULL, NULL, "line 2: a second key");
    parse_case("key:" ID "\nsecret:hunter2\nsecret:" SECRET, NULL, NULL, "second secret");
    parse_case("key:\nsecret:" SECRET, NULL, NULL, "line 1: the key is empty");
    parse_case("key:" ID "\nsecret:   \n", NULL, NULL, "the secret is empty");
    parse_case("key:a:b\nsecret:" SECRET, NULL, NULL, "line 1");
    parse_case("key:" ID "\nsecret:hun\x01ter2", NULL, NULL, "invalid characters");
    parse_case("key:" ID "\nsecret:hun\rter2", NULL, NULL, "line 2");
    parse_case("key " ID "\nsecret " SECRET, NULL, NULL, "no key line");
    char big[400];
    memset(big, 'x', sizeof(big));
    memcpy(big, "key:", 4);
    memcpy(big + 4 + 257, "\nsecret:s", 10);
    parse_case(big, NULL, NULL, "too long");
}

/* Write `len` bytes of text to a new temporary file; returns its path (static buffer). */
static const char *
temp_file(const char *text, size_t len)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/ra_credfile_XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return "/nonexistent";
    CHECK(write(fd, text, len) == (ssize_t)len);
    close(fd);
    return path;
}

static void
test_files(void)
{
    struct ra_client *c = NULL;
    CHECK_ERR(ra_client_new(&c), RA_OK, c);
    const char *text = NOTICE "\r\nkey" FW ID "\r\nsecret" FW SECRET;
    const char *path = temp_file(text, strlen(text));
    CHECK_ERR(ra_client_load_credentials_file(c, path), RA_OK, c);
    CHECK_STR(ra_client_customer_id(c), ID);
    unlink(path);
    CHECK_ERR(ra_client_load_credentials_file(c, path), RA_ECREDFILE, c);
    CHECK(strstr(ra_client_errmsg(c), "cannot open") != NULL);
    CHECK_STR(ra_client_customer_id(c), ID); /* the old pair stays */
    CHECK_ERR(ra_client_load_credentials_file(c, "/tmp"), RA_ECREDFILE, c);
    CHECK(strstr(ra_client_errmsg(c), "not a regular file") != NULL);
    CHECK_ERR(ra_client_load_credentials_file(c, NULL), RA_EINVAL, c);
    path = temp_file("key:x\n", 6);
    CHECK_ERR(ra_client_load_credentials_file(c, path), RA_ECREDFILE, c);
    CHECK(strstr(ra_client_errmsg(c), "no secret line") != NULL);
    unlink(path);
    /* 64 KiB is the limit: a file of that size is read, one byte more is refused. */
    size_t n = RA__CRED_FILE_MAX;
    char *pad = malloc(n + 1);
    memset(pad, '#', n + 1);
    const char *pair = "\nkey:k\nsecret:s\n";
    memcpy(pad + n - strlen(pair), pair, strlen(pair));
    path = temp_file(pad, n);
    CHECK_ERR(ra_client_load_credentials_file(c, path), RA_OK, c);
    CHECK_STR(ra_client_customer_id(c), "k");
    unlink(path);
    memcpy(pad + n + 1 - strlen(pair), pair, strlen(pair));
    path = temp_file(pad, n + 1);
    CHECK_ERR(ra_client_load_credentials_file(c, path), RA_ECREDFILE, c);
    CHECK(strstr(ra_client_errmsg(c), "larger than") != NULL);
    unlink(path);
    free(pad);
    ra_client_free(c);
}

static void
test_env(void)
{
    struct ra_client *c = NULL;
    CHECK_ERR(ra_client_new(&c), RA_OK, c);
    unsetenv("RESTAUTH_CUSTOMER_ID");
    unsetenv("RESTAUTH_CUSTOMER_SECRET");
    CHECK_ERR(ra_client_load_credentials_env(c), RA_ENOCRED, c);
    setenv("RESTAUTH_CUSTOMER_ID", ID, 1);
    CHECK_ERR(ra_client_load_credentials_env(c), RA_ENOCRED, c);
    setenv("RESTAUTH_CUSTOMER_SECRET", "", 1);
    CHECK_ERR(ra_client_load_credentials_env(c), RA_ENOCRED, c);
    setenv("RESTAUTH_CUSTOMER_SECRET", SECRET, 1);
    CHECK_ERR(ra_client_load_credentials_env(c), RA_OK, c);
    CHECK_STR(ra_client_customer_id(c), ID);
    setenv("RESTAUTH_CUSTOMER_ID", "has:colon", 1);
    CHECK_ERR(ra_client_load_credentials_env(c), RA_EINVAL, c);
    CHECK(strstr(ra_client_errmsg(c), SECRET) == NULL);
    unsetenv("RESTAUTH_CUSTOMER_ID");
    unsetenv("RESTAUTH_CUSTOMER_SECRET");
    ra_client_free(c);
}

/* Fail each allocation of a parse in turn: the result is RA_ENOMEM or success, never a leak. */
static void
test_alloc_failures(void)
{
    const char *text = NOTICE "\r\nkey" FW ID "\r\nsecret" FW SECRET;
    int oom = 0, ok = 0;
    for (unsigned long nth = 1; nth <= 8; nth++) {
        char *id = NULL, *secret = NULL;
        char why[160];
        ra_alloc_fail_at(nth);
        enum ra_err e = ra__cred_parse(text, strlen(text), &id, &secret, why, sizeof(why));
        ra_alloc_fail_at(0);
        CHECK(e == RA_OK || e == RA_ENOMEM);
        CHECK(e == RA_OK ? (id != NULL && secret != NULL) : (id == NULL && secret == NULL));
        oom += e == RA_ENOMEM;
        ok += e == RA_OK;
        ra_free(id);
        ra_free_secret(secret, secret ? strlen(secret) : 0);
    }
    CHECK_INT(oom, 2); /* the two copies */
    CHECK(ok > 0);
}

int
main(void)
{
    CHECK_INT(ra_global_init(), RA_OK);
    RUN(test_layouts);
    RUN(test_rejections);
    RUN(test_files);
    RUN(test_env);
    RUN(test_alloc_failures);
    ra_global_cleanup();
    return tests_done();
}
