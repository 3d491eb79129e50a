/* SPDX-License-Identifier: MIT */
/*
 * test_hosts.c: base URL rules, loopback checks, the failover planner, and the handle's
 * settings and argument checks (none of which touches the network).
 */
#include "harness.h"

#include "client_internal.h"
#include "common/alloc.h"
#include "hosts.h"

#include <stdlib.h>

/* Normalise url and compare with want (NULL: expect failure `err`). */
static void
norm_case(const char *url, enum ra_err err, const char *want)
{
    char *out = NULL;
    char why[160] = "";
    enum ra_err got = ra__url_normalize(url, strlen(url), &out, why, sizeof(why));
    t_checks++;
    if (got != err)
        T_FAIL("normalize(%s): got %d (%s), want %d", url, got, why, err);
    if (want != NULL)
        CHECK_STR(out, want);
    else
        CHECK(out == NULL);
    ra_free(out);
}

static void
test_normalize(void)
{
    norm_case("https://api.agora.io", RA_OK, "https://api.agora.io");
    norm_case("https://api.agora.io/", RA_OK, "https://api.agora.io");
    norm_case("https://h.example:8443/prefix/", RA_OK, "https://h.example:8443/prefix");
    norm_case("https://h.example:443", RA_OK, "https://h.example"); /* default port dropped */
    norm_case("HTTPS://api.agora.io", RA_OK, "https://api.agora.io");
    norm_case("http://127.0.0.1:8080", RA_OK, "http://127.0.0.1:8080");
    norm_case("http://127.9.8.7", RA_OK, "http://127.9.8.7");
    norm_case("http://localhost:1/", RA_OK, "http://localhost:1");
    norm_case("http://[::1]:80", RA_OK, "http://[::1]");
    norm_case("https://[::1]:8443", RA_OK, "https://[::1]:8443");
    norm_case("http://api.agora.io", RA_EINSECURE, NULL);
    norm_case("http://10.0.0.1", RA_EINSECURE, NULL);
    norm_case("http://127.0.0.1.nip.io", RA_EINSECURE, NULL);
    norm_case("http://localhost.example.com", RA_EINSECURE, NULL);
    norm_case("http://[::2]", RA_EINSECURE, NULL);
    norm_case("ftp://api.agora.io", RA_EINVAL, NULL);
    norm_case("https://user:pw@api.agora.io", RA_EINVAL, NULL);
    norm_case("https://api.agora.io/?x=1", RA_EINVAL, NULL);
    norm_case("https://api.agora.io/#top", RA_EINVAL, NULL);
    norm_case("api.agora.io", RA_EINVAL, NULL);
    norm_case("https://", RA_EINVAL, NULL);
    norm_case("https://a b", RA_EINVAL, NULL);
    norm_case("", RA_EINVAL, NULL);
    char *longurl = malloc(3000);
    memcpy(longurl, "https://", 8);
    memset(longurl + 8, 'a', 2991);
    longurl[2999] = '\0';
    norm_case(longurl, RA_EINVAL, NULL);
    free(longurl);
}

static void
test_loopback(void)
{
    CHECK(ra__ip_is_loopback("127.0.0.1"));
    CHECK(ra__ip_is_loopback("127.255.255.254"));
    CHECK(ra__ip_is_loopback("::1"));
    CHECK(ra__ip_is_loopback("::ffff:127.0.0.1"));
    CHECK(!ra__ip_is_loopback("128.0.0.1"));
    CHECK(!ra__ip_is_loopback("10.0.0.1"));
    CHECK(!ra__ip_is_loopback("::2"));
    CHECK(!ra__ip_is_loopback("::ffff:10.0.0.1"));
    CHECK(!ra__ip_is_loopback(""));
    CHECK(!ra__ip_is_loopback("localhost"));
    CHECK(!ra__ip_is_loopback(NULL));
    CHECK(ra__host_is_loopback("localhost"));
    CHECK(ra__host_is_loopback("LocalHost"));
    CHECK(ra__host_is_loopback("[::1]"));
    CHECK(ra__host_is_loopback("127.0.0.1"));
    CHECK(!ra__host_is_loopback("[fe80::1%25eth0]"));
    CHECK(!ra__host_is_loopback("localhost.example.com"));
    CHECK(!ra__host_is_loopback("example.com"));
    CHECK(ra__url_is_http("http://127.0.0.1"));
    CHECK(!ra__url_is_http("https://127.0.0.1"));
}

/* Walk the planner through failures of one kind; seq[i] is the host of attempt i+1. */
static void
plan_case(enum ra__fail why, size_t nhosts, const size_t *seq, size_t n)
{
    size_t host = 0;
    unsigned tries = 0;
    for (size_t i = 0; i < n; i++) {
        tries++;
        t_checks++;
        if (host != seq[i])
            T_FAIL("fail kind %d, %zu hosts: attempt %zu went to %zu, want %zu", (int)why, nhosts,
                   i + 1, host, seq[i]);
        size_t next = ra__next_host(host, why, nhosts, tries);
        if (next != host)
            tries = 0;
        host = next;
    }
}

static void
test_planner(void)
{
    /* Agora: primary, primary again, alternate, then the adjacent region. */
    static const size_t dns3[] = {0, 0, 1, 2, 2};
    plan_case(RA__FAIL_DNS, 3, dns3, 5);
    plan_case(RA__FAIL_SERVER, 3, dns3, 5);
    /* A network failure skips the alternate. */
    static const size_t net3[] = {0, 0, 2, 2};
    plan_case(RA__FAIL_NETWORK, 3, net3, 4);
    static const size_t net4[] = {0, 0, 2, 3, 3};
    plan_case(RA__FAIL_NETWORK, 4, net4, 5);
    /* With no regional entry, a network failure falls back to the alternate. */
    static const size_t net2[] = {0, 0, 1, 1};
    plan_case(RA__FAIL_NETWORK, 2, net2, 4);
    /* 429 never changes host; one host never changes either. */
    static const size_t same[] = {0, 0, 0, 0};
    plan_case(RA__FAIL_RATE, 3, same, 4);
    plan_case(RA__FAIL_DNS, 1, same, 4);
    plan_case(RA__FAIL_NETWORK, 1, same, 4);
    CHECK_INT(ra__next_host(1, RA__FAIL_RATE, 3, 1), 1);
    CHECK_INT(ra__next_host(1, RA__FAIL_NETWORK, 3, 1), 2);
    CHECK_INT(ra__next_host(7, RA__FAIL_DNS, 3, 1), 0);
}

static void
test_defaults_and_lists(void)
{
    struct ra_client *c = NULL;
    CHECK_ERR(ra_client_new(&c), RA_OK, c);
    CHECK_INT(ra_client_host_count(c), 3);
    CHECK_STR(ra_client_host(c, 0), "https://api.agora.io");
    CHECK_STR(ra_client_host(c, 1), "https://api.sd-rtn.com");
    CHECK_STR(ra_client_host(c, 2), "https://api-us-west-1.agora.io");
    CHECK(ra_client_host(c, 3) == NULL);
    CHECK(ra_client_customer_id(c) == NULL);
    CHECK_STR(ra_client_errmsg(c), "");
    CHECK_ERR(ra_client_set_base_url(c, " https://a.example/ , https://b.example:8443/p"), RA_OK,
              c);
    CHECK_INT(ra_client_host_count(c), 2);
    CHECK_STR(ra_client_host(c, 0), "https://a.example");
    CHECK_STR(ra_client_host(c, 1), "https://b.example:8443/p");
    /* A bad entry leaves the list as it was. */
    CHECK_ERR(ra_client_set_base_url(c, "https://ok.example,http://bad.example"), RA_EINSECURE, c);
    CHECK(strstr(ra_client_errmsg(c), "clear text") != NULL);
    CHECK_ERR(ra_client_set_base_url(c, "https://ok.example,,https://x.example"), RA_EINVAL, c);
    CHECK_ERR(ra_client_set_base_url(c, ""), RA_EINVAL, c);
    CHECK_INT(ra_client_host_count(c), 2);
    const char *many[RA__MAX_HOSTS + 1];
    for (size_t i = 0; i <= RA__MAX_HOSTS; i++)
        many[i] = "https://h.example";
    CHECK_ERR(ra_client_set_hosts(c, many, RA__MAX_HOSTS + 1), RA_EINVAL, c);
    CHECK_ERR(ra_client_set_hosts(c, many, 0), RA_EINVAL, c);
    CHECK_ERR(ra_client_set_hosts(c, many, RA__MAX_HOSTS), RA_OK, c);
    CHECK_INT(ra_client_host_count(c), RA__MAX_HOSTS);
    const char *one[] = {"http://localhost:9"};
    CHECK_ERR(ra_client_set_hosts(c, one, 1), RA_OK, c);
    CHECK_STR(ra_client_host(c, 0), "http://localhost:9");
    ra_client_free(c);
}

static void
test_env(void)
{
    struct ra_client *c = NULL;
    CHECK_ERR(ra_client_new(&c), RA_OK, c);
    setenv("RESTAUTH_BASE_URL", "https://one.example,https://two.example", 1);
    setenv("RESTAUTH_CA_FILE", "/nonexistent/ca.pem", 1);
    CHECK_ERR(ra_client_load_env(c), RA_EINVAL, c);
    CHECK(strstr(ra_client_errmsg(c), "/nonexistent/ca.pem") != NULL);
    CHECK_INT(ra_client_host_count(c), 2);
    setenv("RESTAUTH_CA_FILE", "/dev/null", 1);
    CHECK_ERR(ra_client_load_env(c), RA_OK, c);
    setenv("RESTAUTH_BASE_URL", "http://example.com", 1);
    CHECK_ERR(ra_client_load_env(c), RA_EINSECURE, c);
    unsetenv("RESTAUTH_BASE_URL");
    unsetenv("RESTAUTH_CA_FILE");
    CHECK_ERR(ra_client_load_env(c), RA_OK, c);
    CHECK_STR(ra_client_host(c, 1), "https://two.example");
    CHECK_ERR(ra_client_set_ca_file(c, NULL), RA_OK, c);
    ra_client_free(c);
}

static void
test_settings(void)
{
    struct ra_client *c = NULL;
    CHECK_ERR(ra_client_new(&c), RA_OK, c);
    CHECK_ERR(ra_client_set_retries(c, 0), RA_OK, c);
    CHECK_ERR(ra_client_set_retries(c, RA__MAX_RETRIES), RA_OK, c);
    CHECK_ERR(ra_client_set_retries(c, RA__MAX_RETRIES + 1), RA_EINVAL, c);
    unsigned ms[] = {1, 2, 3};
    CHECK_ERR(ra_client_set_backoff(c, ms, 3), RA_OK, c);
    CHECK_ERR(ra_client_set_backoff(c, ms, 0), RA_EINVAL, c);
    CHECK_ERR(ra_client_set_backoff(c, NULL, 1), RA_EINVAL, c);
    unsigned huge[] = {600001};
    CHECK_ERR(ra_client_set_backoff(c, huge, 1), RA_EINVAL, c);
    CHECK_ERR(ra_client_set_retry_after_max(c, 0), RA_OK, c);
    CHECK_ERR(ra_client_set_failover(c, false), RA_OK, c);
    CHECK_ERR(ra_client_set_unsafe_retry(c, RA_UNSAFE_RETRY_ALWAYS), RA_OK, c);
    CHECK_ERR(ra_client_set_unsafe_retry(c, (enum ra_unsafe_retry)7), RA_EINVAL, c);
    CHECK_ERR(ra_client_set_timeouts(c, 100, 200), RA_OK, c);
    CHECK_ERR(ra_client_set_timeouts(c, 0, 200), RA_EINVAL, c);
    CHECK_ERR(ra_client_set_timeouts(c, 100, 3600001), RA_EINVAL, c);
    CHECK_ERR(ra_client_set_attempt_callback(c, NULL, NULL), RA_OK, c);
    CHECK_INT(ra_client_last_status(c), 0);
    CHECK_INT(ra_client_last_attempts(c), 0);
    CHECK(ra_client_last_host(c) == NULL);
    ra_client_free(c);
    /* Every entry point refuses a NULL handle instead of crashing. */
    CHECK_INT(ra_client_set_retries(NULL, 1), RA_EINVAL);
    CHECK_INT(ra_client_set_base_url(NULL, "https://x.example"), RA_EINVAL);
    CHECK_INT(ra_client_set_credentials(NULL, "a", "b"), RA_EINVAL);
    CHECK_INT(ra_project_list(NULL, NULL), RA_EINVAL);
    CHECK_INT(ra_project_delete(NULL, "x"), RA_EINVAL);
    CHECK_INT(ra_client_request(NULL, "GET", "/", NULL, NULL, NULL, NULL), RA_EINVAL);
    CHECK_INT(ra_client_new(NULL), RA_EINVAL);
    CHECK_STR(ra_client_errmsg(NULL), "no client handle");
    ra_client_free(NULL);
    ra_project_free(NULL);
    ra_projects_free(NULL);
    ra_body_free(NULL);
}

/* Calls that must fail before any network activity (the host list points nowhere usable). */
static void
test_argument_checks(void)
{
    struct ra_client *c = NULL;
    struct ra_project *p = (struct ra_project *)&c; /* any non-NULL value: must be reset */
    struct ra_projects *l = (struct ra_projects *)&c;
    CHECK_ERR(ra_client_new(&c), RA_OK, c);
    CHECK_ERR(ra_project_list(c, &l), RA_ENOCRED, c);
    CHECK(l == NULL);
    CHECK(strstr(ra_client_errmsg(c), "no credentials") != NULL);
    CHECK_ERR(ra_client_set_credentials(c, "id", "s3cr3t-value"), RA_OK, c);
    CHECK_STR(ra_client_customer_id(c), "id");
    CHECK_ERR(ra_client_set_credentials(c, "a:b", "s"), RA_EINVAL, c);
    CHECK_ERR(ra_client_set_credentials(c, "", "s"), RA_EINVAL, c);
    CHECK_ERR(ra_client_set_credentials(c, "a", ""), RA_EINVAL, c);
    CHECK_ERR(ra_client_set_credentials(c, "a", "line\nbreak"), RA_EINVAL, c);
    CHECK_ERR(ra_client_set_credentials(c, NULL, "s"), RA_EINVAL, c);
    CHECK(strstr(ra_client_errmsg(c), "s3cr3t") == NULL);
    CHECK_STR(ra_client_customer_id(c), "id"); /* failed calls keep the old pair */
    CHECK_ERR(ra_project_create(c, "", false, &p), RA_EINVAL, c);
    CHECK(p == NULL);
    CHECK_ERR(ra_project_create(c, "bad\xff", false, NULL), RA_EINVAL, c);
    CHECK_ERR(ra_project_create(c, "\xc0\xaf", false, NULL), RA_EINVAL, c);
    CHECK_ERR(ra_project_create(c, "\xed\xa0\x80", false, NULL), RA_EINVAL, c);
    CHECK_ERR(ra_project_create(c, NULL, false, NULL), RA_EINVAL, c);
    CHECK_ERR(ra_project_get(c, NULL, NULL, &l), RA_EINVAL, c);
    CHECK_ERR(ra_project_set_status(c, NULL, true, NULL), RA_EINVAL, c);
    CHECK_ERR(ra_project_set_recording_server(c, "id", NULL, NULL), RA_EINVAL, c);
    CHECK_ERR(ra_project_set_sign_key(c, "", true, NULL), RA_EINVAL, c);
    CHECK_ERR(ra_project_reset_sign_key(c, NULL, NULL), RA_EINVAL, c);
    CHECK_ERR(ra_project_delete(c, NULL), RA_EINVAL, c);
    long status = 7;
    char *body = (char *)&c;
    CHECK_ERR(ra_client_request(c, "get", "/dev/v1/projects", NULL, &status, &body, NULL),
              RA_EINVAL, c);
    CHECK(status == 0 && body == NULL);
    CHECK_ERR(ra_client_request(c, "GET", "dev/v1/projects", NULL, NULL, NULL, NULL), RA_EINVAL, c);
    CHECK_ERR(ra_client_request(c, "GET", "/a b", NULL, NULL, NULL, NULL), RA_EINVAL, c);
    CHECK_ERR(ra_client_request(c, NULL, "/", NULL, NULL, NULL, NULL), RA_EINVAL, c);
    CHECK_INT(ra_client_last_attempts(c), 0);
    ra_client_free(c);
}

static void
test_strerror_and_version(void)
{
    for (int i = RA_OK; i <= RA_EINIT; i++) {
        const char *s = ra_strerror((enum ra_err)i);
        CHECK(s != NULL && s[0] != '\0' && strcmp(s, "unknown error") != 0);
        for (int j = RA_OK; j < i; j++)
            CHECK(strcmp(s, ra_strerror((enum ra_err)j)) != 0);
    }
    CHECK_STR(ra_strerror((enum ra_err)999), "unknown error");
    CHECK_STR(ra_version(), RA_VERSION_STRING);
    CHECK_INT(RA_VERSION_NUM, 0x000100);
}

int
main(void)
{
    /* ra_client_new() requires ra_global_init(). */
    struct ra_client *c = NULL;
    CHECK_INT(ra_client_new(&c), RA_EINIT);
    CHECK(c == NULL);
    CHECK_INT(ra_global_init(), RA_OK);
    RUN(test_normalize);
    RUN(test_loopback);
    RUN(test_planner);
    RUN(test_defaults_and_lists);
    RUN(test_env);
    RUN(test_settings);
    RUN(test_argument_checks);
    RUN(test_strerror_and_version);
    ra_global_cleanup();
    return tests_done();
}
