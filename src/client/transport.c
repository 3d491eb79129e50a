/* SPDX-License-Identifier: MIT */
/*
 * transport.c: one authenticated API request over libcurl, with retries and host failover.
 *
 * Every attempt resets the handle's curl easy handle (keeping its connection cache), sets the
 * options from scratch, and classifies the outcome: a response (2xx done; 429 and 5xx
 * retryable), or a transport failure (DNS, connect, TLS, a dropped connection). The
 * pre-request callback marks the moment the request leaves, which tells "the server cannot
 * have acted on it" apart from "it may have", and, for plain http, checks that the connected
 * address is loopback before a single credential byte is written.
 *
 * The Authorization header is built once per call and wiped (ours and curl's list copy)
 * before it is freed.
 */
#include "client_internal.h"

#include "common/alloc.h"
#include "common/buf.h"
#include "decode.h"
#include "hosts.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* State shared with the curl callbacks during one attempt. */
struct xfer {
    struct ra_buf body;
    bool sent;         /* the request was about to be written on a connection */
    bool check_lo;     /* plain http: the peer must be a loopback address */
    bool refused_peer; /* the pre-request check refused the peer */
};

/* What one attempt came to. */
struct outcome {
    enum ra_err err;    /* RA_OK when a response arrived, else the transport error */
    long status;        /* HTTP status, 0 without a response */
    bool retryable;     /* the failure is of a kind that a retry may cure */
    bool unsent;        /* the server cannot have acted on the request */
    enum ra__fail why;  /* for choosing the next host */
    long retry_after_s; /* the server's Retry-After, or -1 */
};

static size_t
on_write(char *data, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    return ra_buf_append(&x->body, data, n) == 0 ? n : 0;
}

static int
on_prereq(void *ud, char *peer_ip, char *local_ip, int peer_port, int local_port)
{
    struct xfer *x = ud;
    (void)local_ip;
    (void)peer_port;
    (void)local_port;
    if (x->check_lo && !ra__ip_is_loopback(peer_ip)) {
        x->refused_peer = true;
        return CURL_PREREQFUNC_ABORT;
    }
    x->sent = true;
    return CURL_PREREQFUNC_OK;
}

/* Build the header list; *auth is the node holding the credentials (wiped later). */
static enum ra_err
build_headers(const struct ra_client *c, struct curl_slist **list, struct curl_slist **auth)
{
    static const char prefix[] = "Authorization: Basic ";
    size_t idlen = strlen(c->customer_id);
    size_t plain_len = idlen + 1 + c->secret_len;
    size_t b64_cap = sodium_base64_ENCODED_LEN(plain_len, sodium_base64_VARIANT_ORIGINAL);
    size_t line_cap = sizeof(prefix) - 1 + b64_cap; /* b64_cap counts the NUL */
    unsigned char *plain = ra_malloc(plain_len);
    char *line = ra_malloc(line_cap);
    enum ra_err e = RA_ENOMEM;
    *list = *auth = NULL;
    if (plain != NULL && line != NULL) {
        memcpy(plain, c->customer_id, idlen);
        plain[idlen] = ':';
        memcpy(plain + idlen + 1, c->secret, c->secret_len);
        memcpy(line, prefix, sizeof(prefix) - 1);
        /* Exactly the size libsodium requires: it aborts on a smaller buffer. */
        sodium_bin2base64(line + sizeof(prefix) - 1, b64_cap, plain, plain_len,
                          sodium_base64_VARIANT_ORIGINAL);
        *auth = curl_slist_append(NULL, line);
        e = *auth ? RA_OK : RA_ENOMEM;
    }
    ra_free_secret(plain, plain_len);
    ra_free_secret(line, line_cap);
    static const char *const others[] = {"Content-Type: application/json",
                                         "Accept: application/json", "Expect:"};
    struct curl_slist *l = *auth;
    for (size_t i = 0; e == RA_OK && i < sizeof(others) / sizeof(others[0]); i++) {
        struct curl_slist *n = curl_slist_append(l, others[i]);
        e = n ? RA_OK : RA_ENOMEM;
        l = n ? n : l;
    }
    *list = l;
    return e;
}

/* Wipe the credentials in the header list, then free it. */
static void
free_headers(struct curl_slist *list, struct curl_slist *auth)
{
    if (auth != NULL && auth->data != NULL)
        ra_wipe(auth->data, strlen(auth->data));
    curl_slist_free_all(list);
}

/* Set the method and body of the request on the easy handle. */
static CURLcode
set_method(CURL *h, const struct ra__req *rq)
{
    CURLcode rc = CURLE_OK;
    if (rq->body != NULL) {
        rc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
        if (rc == CURLE_OK && strcmp(rq->method, "POST") != 0)
            rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
    } else if (strcmp(rq->method, "GET") == 0) {
        rc = curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(rq->method, "HEAD") == 0) {
        rc = curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        rc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
    }
    return rc;
}

/* Set every option for one attempt at `url`. */
static CURLcode
set_options(struct ra_client *c, const char *url, const struct ra__req *rq,
            struct curl_slist *headers, struct xfer *x)
{
    CURL *h = c->curl;
    CURLcode rc = curl_easy_setopt(h, CURLOPT_URL, url);
#define OPT(o, v)                                                                                  \
    do {                                                                                           \
        if (rc == CURLE_OK)                                                                        \
            rc = curl_easy_setopt(h, o, v);                                                        \
    } while (0)
#if LIBCURL_VERSION_NUM >= 0x075500
    OPT(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    OPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    OPT(CURLOPT_NOSIGNAL, 1L);
    OPT(CURLOPT_ERRORBUFFER, c->curl_errbuf);
    OPT(CURLOPT_SSL_VERIFYPEER, 1L);
    OPT(CURLOPT_SSL_VERIFYHOST, 2L);
    OPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (c->ca_file != NULL)
        OPT(CURLOPT_CAINFO, c->ca_file);
    OPT(CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
    OPT(CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    OPT(CURLOPT_FOLLOWLOCATION, 0L);
    OPT(CURLOPT_USERAGENT, "librestauth/" RA_VERSION_STRING);
    OPT(CURLOPT_HTTPHEADER, headers);
    OPT(CURLOPT_WRITEFUNCTION, on_write);
    OPT(CURLOPT_WRITEDATA, x);
    OPT(CURLOPT_PREREQFUNCTION, on_prereq);
    OPT(CURLOPT_PREREQDATA, x);
#undef OPT
    if (rc == CURLE_OK)
        rc = set_method(h, rq);
    return rc;
}

/* Fill `o` for a transport failure `rc`. */
static void
classify_failure(CURLcode rc, const struct xfer *x, struct outcome *o)
{
    o->unsent = !x->sent;
    o->why = RA__FAIL_NETWORK;
    o->retryable = true;
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        o->err = RA_EDNS;
        o->why = RA__FAIL_DNS;
        return;
    case CURLE_COULDNT_CONNECT:
        o->err = RA_ECONNECT;
        return;
    case CURLE_OPERATION_TIMEDOUT:
        o->err = x->sent ? RA_ENETWORK : RA_ECONNECT;
        return;
    case CURLE_SSL_CONNECT_ERROR:
        o->err = RA_ETLS; /* the handshake broke off: often the network, so retry */
        return;
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        o->err = RA_ENETWORK;
        return;
    default:
        break;
    }
    o->retryable = false;
    if (rc == CURLE_ABORTED_BY_CALLBACK && x->refused_peer)
        o->err = RA_EINSECURE;
    else if (rc == CURLE_WRITE_ERROR || rc == CURLE_WEIRD_SERVER_REPLY)
        o->err = RA_EPROTOCOL;
    else if (rc == CURLE_OUT_OF_MEMORY)
        o->err = RA_ENOMEM;
    else if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
        o->err = RA_EINVAL;
    else if (rc == CURLE_UNKNOWN_OPTION || rc == CURLE_NOT_BUILT_IN ||
             rc == CURLE_BAD_FUNCTION_ARGUMENT || rc == CURLE_FAILED_INIT)
        o->err = RA_EINIT; /* this libcurl lacks something the library needs */
    else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
             rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CIPHER ||
             rc == CURLE_SSL_ISSUER_ERROR || rc == CURLE_SSL_CRL_BADFILE)
        o->err = RA_ETLS;
    else
        o->err = RA_ENETWORK;
}

/* Fill `o` for a response with HTTP status `status`. */
static void
classify_status(CURL *h, long status, struct outcome *o)
{
    curl_off_t after = -1;
    o->err = RA_OK;
    o->status = status;
    o->retryable = status == 429 || (status >= 500 && status <= 599);
    o->unsent = status == 429; /* a rate-limited request is refused before it is served */
    o->why = status == 429 ? RA__FAIL_RATE : RA__FAIL_SERVER;
    if ((status == 429 || status == 503) &&
        curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after >= 0)
        o->retry_after_s = after > 86400 ? 86400 : (long)after;
}

/* Make one attempt at base URL `base`; the response (if any) goes to rs. */
static void
attempt(struct ra_client *c, const char *base, const struct ra__req *rq, struct curl_slist *headers,
        struct ra__resp *rs, struct outcome *o)
{
    struct xfer x = {.check_lo = ra__url_is_http(base)};
    struct ra_buf url;
    memset(o, 0, sizeof(*o));
    o->retry_after_s = -1;
    ra_buf_init(&x.body, RA__MAX_BODY);
    ra_buf_init(&url, 2 * RA__MAX_URL_LEN + 8192);
    ra_buf_puts(&url, base);
    ra_buf_puts(&url, rq->path);
    c->curl_errbuf[0] = '\0';
    curl_easy_reset(c->curl);
    CURLcode rc = url.failed ? CURLE_OUT_OF_MEMORY : set_options(c, url.data, rq, headers, &x);
    if (rc == CURLE_OK)
        rc = curl_easy_perform(c->curl);
    if (rc == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
        classify_status(c->curl, status, o);
        rs->status = status;
        rs->body = ra_buf_steal(&x.body, &rs->len);
        if (rs->body == NULL) {
            o->err = RA_ENOMEM;
            o->retryable = false;
            snprintf(c->curl_errbuf, sizeof(c->curl_errbuf), "out of memory");
        }
    } else {
        classify_failure(rc, &x, o);
        if (c->curl_errbuf[0] == '\0')
            snprintf(c->curl_errbuf, sizeof(c->curl_errbuf), "%s", curl_easy_strerror(rc));
    }
    ra_buf_cleanup(&x.body);
    ra_buf_cleanup(&url);
}

/* The pause (ms) before the next attempt, or -1 when the call must stop after `attempt`. */
static long
retry_wait(struct ra_client *c, const struct ra__req *rq, const struct outcome *o, unsigned n)
{
    if (!o->retryable || n > c->retries)
        return -1;
    if (!rq->repeatable &&
        (c->unsafe == RA_UNSAFE_RETRY_NEVER || (c->unsafe == RA_UNSAFE_RETRY_UNSENT && !o->unsent)))
        return -1;
    long wait = c->backoff_ms[n - 1 < c->nbackoff ? n - 1 : c->nbackoff - 1];
    if (o->retry_after_s >= 0) {
        long asked = o->retry_after_s * 1000;
        if (asked > (long)c->retry_after_max_ms)
            return -1; /* honour Retry-After: do not come back sooner than asked */
        if (asked > wait)
            wait = asked;
    }
    return wait;
}

static void
pause_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

enum ra_err
ra__status_err(long status)
{
    if (status >= 200 && status <= 299)
        return RA_OK;
    if (status == 401)
        return RA_EAUTH;
    if (status == 403)
        return RA_EFORBIDDEN;
    if (status == 404)
        return RA_ENOTFOUND;
    if (status == 429)
        return RA_ERATELIMIT;
    if (status >= 500 && status <= 599)
        return RA_ESERVER;
    if (status >= 400 && status <= 499)
        return RA_EREQUEST;
    return RA_EPROTOCOL;
}

/* Record the final outcome of a call in the handle's message and return its error. */
static enum ra_err
finish(struct ra_client *c, const struct outcome *o, const struct ra__resp *rs, const char *base,
       unsigned attempts)
{
    char tail[96] = "";
    if (o->retry_after_s >= 0 && o->retry_after_s * 1000 > (long)c->retry_after_max_ms)
        snprintf(tail, sizeof(tail), " (the server asks to wait %ld s, more than allowed)",
                 o->retry_after_s);
    else if (attempts > 1)
        snprintf(tail, sizeof(tail), " (after %u attempts)", attempts);
    if (o->err != RA_OK) {
        char detail[CURL_ERROR_SIZE];
        ra__sanitize(detail, sizeof(detail), c->curl_errbuf, strlen(c->curl_errbuf));
        if (o->err == RA_EINSECURE)
            snprintf(detail, sizeof(detail), "plain http connected to a non-loopback address");
        return ra__fail(c, o->err, "%s: %s%s", base, detail, tail);
    }
    enum ra_err e = ra__status_err(rs->status);
    if (e == RA_OK) {
        ra__ok(c);
        return RA_OK;
    }
    char msg[200];
    ra__error_text(rs->body, rs->len, msg, sizeof(msg));
    return ra__fail(c, e, "HTTP %ld from %s%s%s%s", rs->status, base, msg[0] ? ": " : "", msg,
                    tail);
}

/* Report one attempt to the caller's callback, if any. */
static void
report(struct ra_client *c, unsigned n, const char *base, const struct outcome *o, long wait)
{
    if (c->attempt_cb == NULL)
        return;
    struct ra_attempt a = {.number = n,
                           .base_url = base,
                           .result = o->err != RA_OK ? o->err : ra__status_err(o->status),
                           .status = o->status,
                           .wait_ms = wait > 0 ? (unsigned)wait : 0};
    c->attempt_cb(c->attempt_ud, &a);
}

/* Is the request well formed: an upper-case method token and a printable path from '/'? */
static bool
request_ok(const struct ra__req *rq)
{
    size_t mlen = rq->method ? strlen(rq->method) : 0;
    if (mlen == 0 || mlen > 16 || rq->path == NULL || rq->path[0] != '/' || strlen(rq->path) > 8192)
        return false;
    for (size_t i = 0; i < mlen; i++)
        if (rq->method[i] < 'A' || rq->method[i] > 'Z')
            return false;
    for (const char *p = rq->path; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f)
            return false;
    return true;
}

/* Run the attempts of one call; returns the final outcome in `o`. */
static unsigned
run_attempts(struct ra_client *c, const struct ra__req *rq, struct curl_slist *headers,
             struct ra__resp *rs, struct outcome *o, size_t *host)
{
    unsigned n = 0, tries_here = 0;
    *host = 0;
    for (;;) {
        n++;
        tries_here++;
        ra_free(rs->body);
        memset(rs, 0, sizeof(*rs));
        attempt(c, c->hosts[*host], rq, headers, rs, o);
        long wait = retry_wait(c, rq, o, n);
        report(c, n, c->hosts[*host], o, wait);
        if (wait < 0)
            return n;
        pause_ms(wait);
        size_t next = c->failover ? ra__next_host(*host, o->why, c->nhosts, tries_here) : 0;
        if (next != *host)
            tries_here = 0;
        *host = next;
    }
}

enum ra_err
ra__perform(struct ra_client *c, const struct ra__req *rq, struct ra__resp *rs)
{
    struct curl_slist *headers = NULL, *auth = NULL;
    struct outcome o;
    size_t host = 0;
    memset(rs, 0, sizeof(*rs));
    c->last_status = 0;
    c->last_attempts = 0;
    c->last_host = NULL;
    if (c->customer_id == NULL || c->secret == NULL)
        return ra__fail(c, RA_ENOCRED,
                        "no credentials set (a file, the environment or "
                        "ra_client_set_credentials)");
    if (!request_ok(rq))
        return ra__fail(c, RA_EINVAL, "the method or the path is malformed");
    if (build_headers(c, &headers, &auth) != RA_OK) {
        free_headers(headers, auth);
        return ra__fail(c, RA_ENOMEM, "out of memory");
    }
    unsigned n = run_attempts(c, rq, headers, rs, &o, &host);
    free_headers(headers, auth);
    c->last_status = rs->status;
    c->last_attempts = n;
    c->last_host = c->hosts[host];
    return finish(c, &o, rs, c->hosts[host], n);
}
