/* SPDX-License-Identifier: MIT */
/*
 * retry_e2e.c: retries, back-off, Retry-After, failover and transport failures, against the
 * fake API server of test_client_retry.py (and, once, a real restauthd), all on 127.0.0.1.
 *
 * Environment: RA_TOKEN, RA_FAKE_HTTPS_PORT, RA_FAKE_HTTP_PORT, RA_FAKE_WRONG_PORT,
 * RA_FAKE_RESET_PORT, RA_CLOSED_PORT, RA_REAL_PORT, RA_CRED_FILE, RESTAUTH_CA_FILE.
 * Each scenario prints "ok NAME" or "not ok NAME"; the Python side then checks what the
 * fake server saw. Back-off pauses are milliseconds so the whole run stays short.
 */
#include "harness.h"

#include <restauth/restauth.h>

#include <stdlib.h>
#include <time.h>

#define MAX_SEEN 16

static const char *token, *https_port, *http_port, *wrong_port, *reset_port, *closed_port,
    *real_port, *cred_file, *ca_file;

/* URLs built for a scenario (freed after it). */
static char urls[8][256];

/* What the attempt callback saw during the last call. */
static struct {
    unsigned n;
    char host[MAX_SEEN][256];
    int result[MAX_SEEN];
    long status[MAX_SEEN];
    unsigned wait[MAX_SEEN];
} seen;

static void
on_attempt(void *ud, const struct ra_attempt *a)
{
    (void)ud;
    if (seen.n < MAX_SEEN) {
        snprintf(seen.host[seen.n], sizeof(seen.host[0]), "%s", a->base_url);
        seen.result[seen.n] = a->result;
        seen.status[seen.n] = a->status;
        seen.wait[seen.n] = a->wait_ms;
    }
    seen.n++;
}

static const char *
fake(int slot, const char *label, const char *script)
{
    snprintf(urls[slot], sizeof(urls[slot]), "https://127.0.0.1:%s/t/%s/%s/%s", https_port, token,
             label, script);
    return urls[slot];
}

static const char *
port_url(int slot, const char *scheme, const char *host, const char *port)
{
    snprintf(urls[slot], sizeof(urls[slot]), "%s://%s:%s", scheme, host, port);
    return urls[slot];
}

/* A client for the given hosts: fast back-off (10, 20, 40 ms), 3 retries, fake credentials. */
static struct ra_client *
make(const char *const *hosts, size_t n)
{
    struct ra_client *c = NULL;
    static const unsigned fast[] = {10, 20, 40};
    CHECK_ERR(ra_client_new(&c), RA_OK, c);
    if (c == NULL)
        exit(1);
    CHECK_ERR(ra_client_set_hosts(c, hosts, n), RA_OK, c);
    CHECK_ERR(ra_client_set_ca_file(c, ca_file), RA_OK, c);
    CHECK_ERR(ra_client_set_credentials(c, "fake-id", "fake-secret"), RA_OK, c);
    CHECK_ERR(ra_client_set_backoff(c, fast, 3), RA_OK, c);
    CHECK_ERR(ra_client_set_attempt_callback(c, on_attempt, NULL), RA_OK, c);
    memset(&seen, 0, sizeof(seen));
    return c;
}

static struct ra_client *
make1(const char *host)
{
    return make(&host, 1);
}

static long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The attempt sequence went to these host list entries. */
static void
check_hosts(struct ra_client *c, const size_t *idx, unsigned n)
{
    CHECK_INT(seen.n, n);
    for (unsigned i = 0; i < n && i < seen.n; i++)
        CHECK_STR(seen.host[i], ra_client_host(c, idx[i]));
}

static void
rate_then_ok(void)
{
    struct ra_client *c = make1(fake(0, "rate", "429+429+201"));
    CHECK_ERR(ra_project_list(c, NULL), RA_OK, c);
    CHECK_INT(ra_client_last_attempts(c), 3);
    CHECK_INT(ra_client_last_status(c), 201);
    CHECK_INT(seen.n, 3);
    CHECK_INT(seen.result[0], RA_ERATELIMIT);
    CHECK_INT(seen.status[1], 429);
    CHECK_INT(seen.result[2], RA_OK);
    CHECK_INT(seen.wait[0], 10);
    CHECK_INT(seen.wait[1], 20);
    CHECK_INT(seen.wait[2], 0);
    ra_client_free(c);
}

static void
retry_after_honoured(void)
{
    struct ra_client *c = make1(fake(0, "ra1", "429r1+201"));
    long t0 = now_ms();
    CHECK_ERR(ra_project_list(c, NULL), RA_OK, c);
    CHECK(now_ms() - t0 >= 1000);
    CHECK_INT(ra_client_last_attempts(c), 2);
    CHECK_INT(seen.wait[0], 1000);
    ra_client_free(c);
}

static void
retry_after_too_long(void)
{
    struct ra_client *c = make1(fake(0, "ra5", "429r5+201"));
    CHECK_ERR(ra_client_set_retry_after_max(c, 1000), RA_OK, c);
    long t0 = now_ms();
    CHECK_ERR(ra_project_list(c, NULL), RA_ERATELIMIT, c);
    CHECK(now_ms() - t0 < 1000);
    CHECK_INT(ra_client_last_attempts(c), 1);
    CHECK(strstr(ra_client_errmsg(c), "asks to wait 5 s") != NULL);
    ra_client_free(c);
}

static void
rate_exhausted(void)
{
    struct ra_client *c = make1(fake(0, "rate-x", "429"));
    CHECK_ERR(ra_client_set_retries(c, 2), RA_OK, c);
    CHECK_ERR(ra_project_list(c, NULL), RA_ERATELIMIT, c);
    CHECK_INT(ra_client_last_attempts(c), 3);
    CHECK_INT(ra_client_last_status(c), 429);
    CHECK(strstr(ra_client_errmsg(c), "API rate limit exceeded (after 3 attempts)") != NULL);
    ra_client_free(c);
}

static void
server_errors_then_ok(void)
{
    struct ra_client *c = make1(fake(0, "5xx", "500+503+201"));
    CHECK_ERR(ra_project_list(c, NULL), RA_OK, c);
    CHECK_INT(ra_client_last_attempts(c), 3);
    CHECK_INT(seen.result[0], RA_ESERVER);
    ra_client_free(c);
}

static void
backoff_schedule(void)
{
    struct ra_client *c = make1(fake(0, "sched", "502"));
    static const unsigned sched[] = {30, 60};
    CHECK_ERR(ra_client_set_backoff(c, sched, 2), RA_OK, c);
    long t0 = now_ms();
    CHECK_ERR(ra_project_list(c, NULL), RA_ESERVER, c);
    CHECK(now_ms() - t0 >= 150);
    CHECK_INT(ra_client_last_attempts(c), 4);
    CHECK_INT(seen.wait[0], 30);
    CHECK_INT(seen.wait[1], 60);
    CHECK_INT(seen.wait[2], 60); /* the last pause repeats */
    CHECK_INT(seen.wait[3], 0);
    ra_client_free(c);
}

static void
drop_get_retried(void)
{
    struct ra_client *c = make1(fake(0, "drop-get", "drop+201"));
    CHECK_ERR(ra_project_list(c, NULL), RA_OK, c);
    CHECK_INT(ra_client_last_attempts(c), 2);
    CHECK_INT(seen.result[0], RA_ENETWORK);
    ra_client_free(c);
}

static void
drop_create_not_retried(void)
{
    struct ra_client *c = make1(fake(0, "drop-create", "drop+201"));
    struct ra_project *p = NULL;
    CHECK_ERR(ra_project_create(c, "x", false, &p), RA_ENETWORK, c);
    CHECK(p == NULL);
    CHECK_INT(ra_client_last_attempts(c), 1);
    CHECK_INT(ra_client_last_status(c), 0);
    ra_client_free(c);
}

static void
drop_create_allowed(void)
{
    struct ra_client *c = make1(fake(0, "drop-create-ok", "drop+201"));
    struct ra_project *p = NULL;
    CHECK_ERR(ra_client_set_unsafe_retry(c, RA_UNSAFE_RETRY_ALWAYS), RA_OK, c);
    CHECK_ERR(ra_project_create(c, "x", false, &p), RA_OK, c);
    CHECK(p != NULL && strcmp(p->id, "fake01") == 0);
    CHECK_INT(ra_client_last_attempts(c), 2);
    ra_project_free(p);
    ra_client_free(c);
}

static void
server_error_create_not_retried(void)
{
    struct ra_client *c = make1(fake(0, "5xx-create", "500+201"));
    CHECK_ERR(ra_project_create(c, "x", true, NULL), RA_ESERVER, c);
    CHECK_INT(ra_client_last_attempts(c), 1);
    ra_client_free(c);
}

static void
rate_create_retried(void)
{
    struct ra_client *c = make1(fake(0, "rate-create", "429+201"));
    CHECK_ERR(ra_project_create(c, "x", true, NULL), RA_OK, c);
    CHECK_INT(ra_client_last_attempts(c), 2);
    ra_client_free(c);
}

static void
rate_create_never(void)
{
    struct ra_client *c = make1(fake(0, "rate-never", "429+201"));
    CHECK_ERR(ra_client_set_unsafe_retry(c, RA_UNSAFE_RETRY_NEVER), RA_OK, c);
    CHECK_ERR(ra_project_create(c, "x", true, NULL), RA_ERATELIMIT, c);
    CHECK_INT(ra_client_last_attempts(c), 1);
    ra_client_free(c);
}

static void
unsafe_calls(void)
{
    struct ra_client *c = make1(fake(0, "reset", "drop+201"));
    CHECK_ERR(ra_project_reset_sign_key(c, "i", NULL), RA_ENETWORK, c);
    CHECK_INT(ra_client_last_attempts(c), 1);
    CHECK_ERR(ra_client_set_base_url(c, fake(1, "delete", "drop+200")), RA_OK, c);
    CHECK_ERR(ra_project_delete(c, "i"), RA_ENETWORK, c);
    CHECK_INT(ra_client_last_attempts(c), 1);
    CHECK_ERR(ra_client_set_base_url(c, fake(2, "raw-post", "drop+201")), RA_OK, c);
    CHECK_ERR(ra_client_request(c, "POST", "/dev/v1/project", "{}", NULL, NULL, NULL), RA_ENETWORK,
              c);
    CHECK_INT(ra_client_last_attempts(c), 1);
    /* Safe calls: set status, sign key and recording server, raw GET. */
    CHECK_ERR(ra_client_set_base_url(c, fake(3, "status", "drop+201")), RA_OK, c);
    CHECK_ERR(ra_project_set_status(c, "i", false, NULL), RA_OK, c);
    CHECK_INT(ra_client_last_attempts(c), 2);
    CHECK_ERR(ra_client_set_base_url(c, fake(4, "signkey", "drop+201")), RA_OK, c);
    CHECK_ERR(ra_project_set_sign_key(c, "i", true, NULL), RA_OK, c);
    CHECK_INT(ra_client_last_attempts(c), 2);
    CHECK_ERR(ra_client_set_base_url(c, fake(5, "recording", "drop+201")), RA_OK, c);
    CHECK_ERR(ra_project_set_recording_server(c, "i", "1.2.3.4:5", NULL), RA_OK, c);
    CHECK_INT(ra_client_last_attempts(c), 2);
    CHECK_ERR(ra_client_set_base_url(c, fake(6, "raw-get", "drop+201")), RA_OK, c);
    long status = 0;
    CHECK_ERR(ra_client_request(c, "GET", "/dev/v1/projects", NULL, &status, NULL, NULL), RA_OK, c);
    CHECK_INT(status, 201);
    CHECK_INT(ra_client_last_attempts(c), 2);
    ra_client_free(c);
}

static void
refused(void)
{
    struct ra_client *c = make1(port_url(0, "https", "127.0.0.1", closed_port));
    CHECK_ERR(ra_client_set_retries(c, 2), RA_OK, c);
    CHECK_ERR(ra_project_list(c, NULL), RA_ECONNECT, c);
    CHECK_INT(ra_client_last_attempts(c), 3);
    CHECK(strstr(ra_client_errmsg(c), "after 3 attempts") != NULL);
    ra_client_free(c);
}

static void
refused_create_fails_over(void)
{
    const char *hosts[] = {port_url(0, "https", "127.0.0.1", closed_port),
                           fake(1, "create-alt", "201")};
    struct ra_client *c = make(hosts, 2);
    CHECK_ERR(ra_project_create(c, "x", false, NULL), RA_OK, c);
    /* primary, primary retry, then the alternate (there is no regional entry) */
    static const size_t idx[] = {0, 0, 1};
    check_hosts(c, idx, 3);
    CHECK_STR(ra_client_last_host(c), ra_client_host(c, 1));
    ra_client_free(c);
}

static void
network_skips_alternate(void)
{
    const char *hosts[] = {port_url(0, "https", "127.0.0.1", closed_port),
                           fake(1, "net-alt", "201"), fake(2, "net-reg", "201")};
    struct ra_client *c = make(hosts, 3);
    CHECK_ERR(ra_project_list(c, NULL), RA_OK, c);
    static const size_t idx[] = {0, 0, 2};
    check_hosts(c, idx, 3);
    CHECK_INT(seen.result[0], RA_ECONNECT);
    CHECK_STR(ra_client_last_host(c), ra_client_host(c, 2));
    ra_client_free(c);
}

static void
dns_uses_alternate(void)
{
    /* A 64-character label cannot be resolved, and no DNS query leaves the machine for it. */
    char dns[128] = "https://";
    memset(dns + 8, 'a', 64);
    memcpy(dns + 72, ".invalid", 9);
    const char *hosts[] = {dns, fake(1, "dns-alt", "201"), fake(2, "dns-reg", "201")};
    struct ra_client *c = make(hosts, 3);
    CHECK_ERR(ra_project_list(c, NULL), RA_OK, c);
    static const size_t idx[] = {0, 0, 1};
    check_hosts(c, idx, 3);
    CHECK_INT(seen.result[0], RA_EDNS);
    CHECK_INT(seen.result[1], RA_EDNS);
    ra_client_free(c);
    /* Alone, the DNS failure is the call's result. */
    c = make1(dns);
    CHECK_ERR(ra_client_set_retries(c, 0), RA_OK, c);
    CHECK_ERR(ra_project_list(c, NULL), RA_EDNS, c);
    ra_client_free(c);
}

static void
server_errors_fail_over(void)
{
    const char *hosts[] = {fake(0, "5xx-p", "500"), fake(1, "5xx-alt", "503"),
                           fake(2, "5xx-reg", "201")};
    struct ra_client *c = make(hosts, 3);
    CHECK_ERR(ra_project_list(c, NULL), RA_OK, c);
    static const size_t idx[] = {0, 0, 1, 2};
    check_hosts(c, idx, 4);
    ra_client_free(c);
}

static void
rate_stays(void)
{
    const char *hosts[] = {fake(0, "rate-p", "429+201"), fake(1, "rate-alt", "201")};
    struct ra_client *c = make(hosts, 2);
    CHECK_ERR(ra_project_list(c, NULL), RA_OK, c);
    static const size_t idx[] = {0, 0};
    check_hosts(c, idx, 2);
    ra_client_free(c);
}

static void
failover_off(void)
{
    const char *hosts[] = {port_url(0, "https", "127.0.0.1", closed_port),
                           fake(1, "off-alt", "201"), fake(2, "off-reg", "201")};
    struct ra_client *c = make(hosts, 3);
    CHECK_ERR(ra_client_set_failover(c, false), RA_OK, c);
    CHECK_ERR(ra_client_set_retries(c, 2), RA_OK, c);
    CHECK_ERR(ra_project_list(c, NULL), RA_ECONNECT, c);
    static const size_t idx[] = {0, 0, 0};
    check_hosts(c, idx, 3);
    CHECK_ERR(ra_client_set_retries(c, 0), RA_OK, c);
    CHECK_ERR(ra_client_set_failover(c, true), RA_OK, c);
    memset(&seen, 0, sizeof(seen));
    CHECK_ERR(ra_project_list(c, NULL), RA_ECONNECT, c);
    CHECK_INT(ra_client_last_attempts(c), 1);
    ra_client_free(c);
}

/* The real restauthd behind a host list whose first entry is unreachable. */
static void
real_server_failover(void)
{
    const char *hosts[] = {port_url(0, "https", "127.0.0.1", closed_port),
                           port_url(1, "https", "localhost", real_port)};
    struct ra_client *c = make(hosts, 2);
    struct ra_projects *l = NULL;
    CHECK_ERR(ra_client_load_credentials_file(c, cred_file), RA_OK, c);
    CHECK_ERR(ra_project_list(c, &l), RA_OK, c);
    CHECK(l != NULL);
    CHECK_INT(ra_client_last_status(c), 201);
    static const size_t idx[] = {0, 0, 1};
    check_hosts(c, idx, 3);
    ra_projects_free(l);
    ra_client_free(c);
}

static void
reset_connection(void)
{
    struct ra_client *c = make1(port_url(0, "https", "127.0.0.1", reset_port));
    CHECK_ERR(ra_client_set_retries(c, 1), RA_OK, c);
    /* The peer resets the connection during the TLS handshake: retried like a network
     * failure, reported as a TLS failure. */
    CHECK_ERR(ra_project_list(c, NULL), RA_ETLS, c);
    CHECK_INT(ra_client_last_attempts(c), 2);
    CHECK(strstr(ra_client_errmsg(c), "reset") != NULL);
    /* The TLS session never started, so even a create may be sent again. */
    CHECK_ERR(ra_project_create(c, "x", false, NULL), RA_ETLS, c);
    CHECK_INT(ra_client_last_attempts(c), 2);
    ra_client_free(c);
}

static void
timeout(void)
{
    struct ra_client *c = make1(fake(0, "hang", "hang"));
    CHECK_ERR(ra_client_set_timeouts(c, 3000, 1500), RA_OK, c);
    CHECK_ERR(ra_client_set_retries(c, 0), RA_OK, c);
    long t0 = now_ms();
    CHECK_ERR(ra_project_list(c, NULL), RA_ENETWORK, c);
    long took = now_ms() - t0;
    CHECK(took >= 1400 && took < 4000);
    ra_client_free(c);
}

static void
wrong_cert(void)
{
    struct ra_client *c = make1(port_url(0, "https", "127.0.0.1", wrong_port));
    CHECK_ERR(ra_project_list(c, NULL), RA_ETLS, c);
    CHECK_INT(ra_client_last_attempts(c), 1);
    ra_client_free(c);
}

static void
plain_http_loopback(void)
{
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%s/t/%s/plain/201", http_port, token);
    struct ra_client *c = make1(url);
    CHECK_ERR(ra_project_list(c, NULL), RA_OK, c);
    CHECK_ERR(ra_client_set_base_url(c, "http://192.0.2.1"), RA_EINSECURE, c);
    CHECK_ERR(ra_client_set_base_url(c, "http://api.agora.io"), RA_EINSECURE, c);
    ra_client_free(c);
}

static void
not_json(void)
{
    struct ra_client *c = make1(fake(0, "garbage", "garbage"));
    CHECK_ERR(ra_project_list(c, NULL), RA_EPROTOCOL, c);
    CHECK_INT(ra_client_last_attempts(c), 1);
    CHECK(strstr(ra_client_errmsg(c), "not JSON") != NULL);
    ra_client_free(c);
}

static void
too_big(void)
{
    struct ra_client *c = make1(fake(0, "big", "big"));
    CHECK_ERR(ra_project_list(c, NULL), RA_EPROTOCOL, c);
    CHECK_INT(ra_client_last_attempts(c), 1);
    ra_client_free(c);
}

static void
auth_not_retried(void)
{
    struct ra_client *c = make1(fake(0, "auth", "401+201"));
    CHECK_ERR(ra_project_list(c, NULL), RA_EAUTH, c);
    CHECK_INT(ra_client_last_attempts(c), 1);
    CHECK(strstr(ra_client_errmsg(c), "fake-secret") == NULL);
    ra_client_free(c);
}

/* Every typed call once, so the Python side can check the requests' method, path and body. */
static void
request_shapes(void)
{
    struct ra_client *c = make1(fake(0, "shapes", "201"));
    CHECK_ERR(ra_project_create(c, "n\"q\xc3\xa9", true, NULL), RA_OK, c);
    CHECK_ERR(ra_project_get(c, "a b", "x&y=z", NULL), RA_OK, c);
    CHECK_ERR(ra_project_get(c, NULL, "only", NULL), RA_OK, c);
    CHECK_ERR(ra_project_list(c, NULL), RA_OK, c);
    CHECK_ERR(ra_project_set_status(c, "i", false, NULL), RA_OK, c);
    CHECK_ERR(ra_project_set_recording_server(c, "i", "1.2.3.4:5", NULL), RA_OK, c);
    CHECK_ERR(ra_project_set_sign_key(c, "i", false, NULL), RA_OK, c);
    CHECK_ERR(ra_project_reset_sign_key(c, "i", NULL), RA_OK, c);
    CHECK_ERR(ra_project_delete(c, "i"), RA_OK, c);
    ra_client_free(c);
}

static const struct {
    const char *name;
    void (*fn)(void);
} scenarios[] = {
/* clang-format off */
#define S(x) {#x, x}
    S(rate_then_ok),
    S(retry_after_honoured),
    S(retry_after_too_long),
    S(rate_exhausted),
    S(server_errors_then_ok),
    S(backoff_schedule),
    S(drop_get_retried),
    S(drop_create_not_retried),
    S(drop_create_allowed),
    S(server_error_create_not_retried),
    S(rate_create_retried),
    S(rate_create_never),
    S(unsafe_calls),
    S(refused),
    S(refused_create_fails_over),
    S(network_skips_alternate),
    S(dns_uses_alternate),
    S(server_errors_fail_over),
    S(rate_stays),
    S(failover_off),
    S(real_server_failover),
    S(reset_connection),
    S(timeout),
    S(wrong_cert),
    S(plain_http_loopback),
    S(not_json),
    S(too_big),
    S(auth_not_retried),
    S(request_shapes),
#undef S
    /* clang-format on */
};

static const char *
env(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL || v[0] == '\0') {
        fprintf(stderr, "retry_e2e: %s is not set\n", name);
        exit(2);
    }
    return v;
}

int
main(int argc, char **argv)
{
    token = env("RA_TOKEN");
    https_port = env("RA_FAKE_HTTPS_PORT");
    http_port = env("RA_FAKE_HTTP_PORT");
    wrong_port = env("RA_FAKE_WRONG_PORT");
    reset_port = env("RA_FAKE_RESET_PORT");
    closed_port = env("RA_CLOSED_PORT");
    real_port = env("RA_REAL_PORT");
    cred_file = env("RA_CRED_FILE");
    ca_file = env("RESTAUTH_CA_FILE");
    CHECK_INT(ra_global_init(), RA_OK);
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
        bool wanted = argc < 2;
        for (int k = 1; k < argc; k++)
            wanted = wanted || strcmp(argv[k], scenarios[i].name) == 0;
        if (wanted) {
            int before = t_failures;
            scenarios[i].fn();
            printf("%s %s\n", t_failures == before ? "ok" : "not ok", scenarios[i].name);
            fflush(stdout);
        }
    }
    ra_global_cleanup();
    return tests_done();
}
