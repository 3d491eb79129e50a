/* SPDX-License-Identifier: MIT */
/*
 * client_internal.h: the layout of struct ra_client and the library's internal interfaces.
 *
 * Nothing here is installed. Internal non-static functions are named ra__* and are hidden from
 * the shared library's symbol table (-fvisibility=hidden); the unit tests reach them through
 * the static library.
 */
#ifndef RA_CLIENT_INTERNAL_H
#define RA_CLIENT_INTERNAL_H

#include "restauth/restauth.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#define RA__MAX_HOSTS 16
#define RA__MAX_BACKOFF 16
#define RA__MAX_RETRIES 20
#define RA__MAX_CRED_LEN 256
#define RA__MAX_BODY (8u * 1024 * 1024) /* the largest response body accepted */
#define RA__ERRMSG_SIZE 320

struct ra_client {
    CURL *curl;        /* one easy handle, reused so that connections are kept alive */
    char *customer_id; /* NULL until credentials are set */
    char *secret;      /* wiped before it is freed */
    size_t secret_len;
    char *hosts[RA__MAX_HOSTS]; /* base URLs without a trailing '/' */
    size_t nhosts;
    char *ca_file; /* NULL: the system store */
    unsigned retries;
    unsigned backoff_ms[RA__MAX_BACKOFF];
    size_t nbackoff;
    unsigned retry_after_max_ms;
    bool failover;
    enum ra_unsafe_retry unsafe;
    unsigned connect_timeout_ms;
    unsigned timeout_ms;
    ra_attempt_fn attempt_cb;
    void *attempt_ud;
    long last_status;
    unsigned last_attempts;
    const char *last_host; /* points into hosts[] */
    char errmsg[RA__ERRMSG_SIZE];
    char curl_errbuf[CURL_ERROR_SIZE];
};

/* Record a detail message for the failure `err` (printf-style) and return `err`. */
enum ra_err ra__fail(struct ra_client *c, enum ra_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear the detail message (a call succeeded). */
void ra__ok(struct ra_client *c);

/* Copy at most outlen-1 bytes of s into out, replacing control bytes with '?'. */
void ra__sanitize(char *out, size_t outlen, const char *s, size_t len);

/* ---- transport.c ---------------------------------------------------------------------- */

/* One API request. */
struct ra__req {
    const char *method; /* "GET", "POST", "DELETE", ... */
    const char *path;   /* starts with '/', may carry a query */
    const char *body;   /* JSON, or NULL */
    size_t body_len;
    bool repeatable; /* safe to send more than once */
};

/* Its response: status 0 and body NULL when none arrived. body is NUL-terminated. */
struct ra__resp {
    long status;
    char *body;
    size_t len;
};

/*
 * Send `rq` with the handle's credentials, hosts and retry policy. Returns RA_OK for a 2xx
 * answer; otherwise the error, with the detail recorded on the handle. `rs` receives the final
 * response whenever one arrived (the caller frees rs->body with ra_free, even on error).
 */
enum ra_err ra__perform(struct ra_client *c, const struct ra__req *rq, struct ra__resp *rs);

/* The error for a non-2xx HTTP status. */
enum ra_err ra__status_err(long status);

#endif
