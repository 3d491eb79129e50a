/* SPDX-License-Identifier: MIT */
/*
 * ra_client.h: the client handle, its configuration, and the raw request call.
 *
 * Part of librestauth's public API; include <restauth/restauth.h> rather than this file.
 *
 * Threads: call ra_global_init() once before any thread uses the library. After that the
 * library has no global state: use one handle per thread (a handle must not be used by two
 * threads at once), exactly as with a libcurl easy handle.
 *
 * Errors: every call that can fail returns an enum ra_err. After a failure,
 * ra_client_errmsg() gives a one-line detail (never containing the secret); after a success it
 * is "". The library never prints and never aborts.
 */
#ifndef RESTAUTH_RA_CLIENT_H
#define RESTAUTH_RA_CLIENT_H

#include "ra_error.h"
#include "ra_version.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque client handle: credentials, host list, TLS and retry settings, one connection. */
struct ra_client;

/**
 * Initialise the library (and libcurl) for the process. Call it once, before any other
 * thread exists, and before ra_client_new(). It may be called again; each call must then be
 * matched by ra_global_cleanup(). Returns RA_OK or RA_EINIT (libcurl too old or failed).
 */
RA_EXTERN enum ra_err ra_global_init(void);

/** Undo ra_global_init(), once every handle has been freed. Not thread-safe. */
RA_EXTERN void ra_global_cleanup(void);

/**
 * Create a handle with the defaults: no credentials; the Agora host list (see
 * ra_client_set_hosts); the system CA store; 3 retries with back-off 1 s, 3 s, 6 s; failover
 * on; Retry-After honoured up to 60 s; connect timeout 10 s, whole-attempt timeout 30 s.
 * Nothing is read from the environment (see ra_client_load_env()).
 * On success *out owns a handle to release with ra_client_free(). Returns RA_OK, RA_EINVAL
 * (out is NULL), RA_ENOMEM, or RA_EINIT (ra_global_init() was not called, or curl failed).
 */
RA_EXTERN enum ra_err ra_client_new(struct ra_client **out);

/** Release a handle; its copy of the Customer Secret is wiped first. Accepts NULL. */
RA_EXTERN void ra_client_free(struct ra_client *c);

/**
 * The detail of the last failure on this handle ("" after a success, never NULL). Borrowed:
 * valid until the next call on the handle. Never contains the Customer Secret; may quote the
 * server's `message` (sanitised to printable characters).
 */
RA_EXTERN const char *ra_client_errmsg(const struct ra_client *c);

/* ---- Credentials ---------------------------------------------------------------------- */

/**
 * Use this Customer ID and Customer Secret (both copied; the previous secret is wiped).
 * Each must be 1-256 bytes without control characters, and the ID must not contain ':'.
 * Returns RA_OK, RA_EINVAL or RA_ENOMEM.
 */
RA_EXTERN enum ra_err ra_client_set_credentials(struct ra_client *c, const char *customer_id,
                                                const char *customer_secret);

/**
 * Take the credentials from RESTAUTH_CUSTOMER_ID and RESTAUTH_CUSTOMER_SECRET. Returns RA_OK,
 * RA_ENOCRED (either variable unset or empty), RA_EINVAL (invalid value) or RA_ENOMEM.
 */
RA_EXTERN enum ra_err ra_client_load_credentials_env(struct ra_client *c);

/**
 * Take the credentials from a key_and_secret.txt file as Agora Console (and
 * `restauthd secret add --out`) writes it: a notice line, `key：<customer id>` and
 * `secret：<customer secret>`, with a fullwidth (U+FF1A) or ASCII colon, CRLF or LF line
 * ends. `customer_id: ` / `customer_secret: ` lines are accepted too. Other lines are
 * ignored. The file's buffer is wiped after parsing. Returns RA_OK, RA_EINVAL (path NULL),
 * RA_ECREDFILE (unreadable, over 64 KiB, or without exactly one key and one secret line) or
 * RA_ENOMEM.
 */
RA_EXTERN enum ra_err ra_client_load_credentials_file(struct ra_client *c, const char *path);

/** The Customer ID in use, or NULL when none is set. Borrowed from the handle. */
RA_EXTERN const char *ra_client_customer_id(const struct ra_client *c);

/* ---- Where requests go ---------------------------------------------------------------- */

/**
 * Set the host list, in failover order, from `count` base URLs such as
 * "https://api.agora.io" (scheme, host, optional port and path prefix; no user, query or
 * fragment). Entry 0 is the primary host, entry 1 the alternate, and entries 2.. the
 * regional hosts (see ra_client_set_failover()). The default list is
 * https://api.agora.io, https://api.sd-rtn.com, https://api-us-west-1.agora.io.
 * http:// is accepted only for a loopback host (127.0.0.0/8, ::1, localhost), and even then
 * the connected address is checked before the credentials are sent.
 * Returns RA_OK, RA_EINVAL (bad URL, count 0 or over 16), RA_EINSECURE or RA_ENOMEM; on
 * failure the previous list stays.
 */
RA_EXTERN enum ra_err ra_client_set_hosts(struct ra_client *c, const char *const *urls,
                                          size_t count);

/**
 * Set the base URL: one URL, or several separated by commas (then a failover list as in
 * ra_client_set_hosts()). Same return values.
 */
RA_EXTERN enum ra_err ra_client_set_base_url(struct ra_client *c, const char *url);

/** The number of entries in the host list. */
RA_EXTERN size_t ra_client_host_count(const struct ra_client *c);

/** Entry i of the host list (normalised, without a trailing '/'), or NULL. Borrowed. */
RA_EXTERN const char *ra_client_host(const struct ra_client *c, size_t i);

/**
 * Verify servers with the PEM CA bundle at `path` instead of the system store (for a private
 * CA); NULL restores the system store. Verification of the peer and its host name is always
 * on. Returns RA_OK, RA_EINVAL (file unreadable) or RA_ENOMEM.
 */
RA_EXTERN enum ra_err ra_client_set_ca_file(struct ra_client *c, const char *path);

/**
 * Apply RESTAUTH_BASE_URL (as ra_client_set_base_url()) and RESTAUTH_CA_FILE (as
 * ra_client_set_ca_file()) when they are set and non-empty. Credentials are separate:
 * ra_client_load_credentials_env(). Returns RA_OK or the first setter's error.
 */
RA_EXTERN enum ra_err ra_client_load_env(struct ra_client *c);

/* ---- Reliability ------------------------------------------------------------------------ */

/**
 * What to do when a call that is not safe to repeat (create a project, reset a certificate,
 * delete a project, and raw calls other than GET/HEAD) fails in a retryable way.
 */
enum ra_unsafe_retry {
    /* Never retry such a call. */
    RA_UNSAFE_RETRY_NEVER = 0,
    /* Default: retry only when the server cannot have acted on it: the host name did not
     * resolve, no connection or TLS session was made, or the answer was 429. */
    RA_UNSAFE_RETRY_UNSENT = 1,
    /* Retry it like a safe call (also after a dropped connection or a 5xx). */
    RA_UNSAFE_RETRY_ALWAYS = 2,
};

/**
 * At most `retries` further attempts after the first (default 3, at most 20). 0 turns
 * retrying and failover off. Retryable: 429, 5xx, DNS and network failures.
 */
RA_EXTERN enum ra_err ra_client_set_retries(struct ra_client *c, unsigned retries);

/**
 * The pauses before retry 1, 2, 3, ... in milliseconds (the last one repeats); default
 * {1000, 3000, 6000}. 1-16 values, each at most 600000. For 429 and 503 the pause is at least
 * the server's Retry-After (see ra_client_set_retry_after_max()).
 */
RA_EXTERN enum ra_err ra_client_set_backoff(struct ra_client *c, const unsigned *ms, size_t count);

/**
 * The longest Retry-After (ms) the library will wait for; default 60000. When the server
 * asks for longer, the call stops and returns RA_ERATELIMIT (or RA_ESERVER) at once.
 */
RA_EXTERN enum ra_err ra_client_set_retry_after_max(struct ra_client *c, unsigned ms);

/**
 * Failover along the host list (default on), following Agora's "Ensure service reliability":
 * after a failure on the primary, retry the primary once; then, after a DNS failure, 5xx,
 * the alternate (entry 1) and then the regional entries (2..); after a network failure the
 * alternate is skipped. 429 always retries the same host. Off: every attempt uses entry 0.
 */
RA_EXTERN enum ra_err ra_client_set_failover(struct ra_client *c, bool on);

/** Policy for calls that are not safe to repeat; default RA_UNSAFE_RETRY_UNSENT. */
RA_EXTERN enum ra_err ra_client_set_unsafe_retry(struct ra_client *c, enum ra_unsafe_retry policy);

/**
 * Per-attempt limits in ms: for connecting (TCP and TLS) and for the whole attempt.
 * Defaults 10000 and 30000; each 1-3600000.
 */
RA_EXTERN enum ra_err ra_client_set_timeouts(struct ra_client *c, unsigned connect_ms,
                                             unsigned total_ms);

/* What one attempt did, as reported to an ra_attempt_fn. */
struct ra_attempt {
    unsigned number;      /* 1 for the first attempt of a call */
    const char *base_url; /* the host list entry used (borrowed for the callback's duration) */
    enum ra_err result;   /* RA_OK, or why the attempt failed */
    long status;          /* the HTTP status, or 0 when no response arrived */
    unsigned wait_ms;     /* the pause before the next attempt; 0 if there is none */
};

/* Called after every attempt, on the calling thread. It must not use the same handle. */
typedef void (*ra_attempt_fn)(void *userdata, const struct ra_attempt *attempt);

/** Observe attempts (for logging retries); fn NULL turns it off. Returns RA_OK or RA_EINVAL. */
RA_EXTERN enum ra_err ra_client_set_attempt_callback(struct ra_client *c, ra_attempt_fn fn,
                                                     void *userdata);

/* ---- After a call --------------------------------------------------------------------- */

/** The HTTP status of the last call's final attempt, or 0 if it got no response. */
RA_EXTERN long ra_client_last_status(const struct ra_client *c);

/** How many attempts the last call made (0 if it failed before sending anything). */
RA_EXTERN unsigned ra_client_last_attempts(const struct ra_client *c);

/** The host list entry of the last call's final attempt, or NULL. Borrowed. */
RA_EXTERN const char *ra_client_last_host(const struct ra_client *c);

/* ---- Raw calls ------------------------------------------------------------------------ */

/**
 * Send `method` (e.g. "GET", "POST", "DELETE"; upper-case letters) to `path` (starting with
 * '/', may hold a query string; appended to the base URL) with an optional JSON body
 * (NULL for none), authenticated, with the retry policy (GET and HEAD count as safe to repeat).
 * Whenever a response arrived, *status gets its HTTP status and *body a NUL-terminated copy of
 * its body (*body_len its length), even when the call returns an error; otherwise *status is
 * 0 and *body NULL. *body is owned by the caller: release it with ra_body_free(). status,
 * body and body_len may each be NULL if not wanted.
 * Returns RA_OK for a 2xx answer, else the error for the status (RA_EAUTH, RA_ENOTFOUND, ...)
 * or the transport failure.
 */
RA_EXTERN enum ra_err ra_client_request(struct ra_client *c, const char *method, const char *path,
                                        const char *json_body, long *status, char **body,
                                        size_t *body_len);

/** Release a body returned by ra_client_request(). Accepts NULL. */
RA_EXTERN void ra_body_free(char *body);

#ifdef __cplusplus
}
#endif

#endif
