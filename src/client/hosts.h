/* SPDX-License-Identifier: MIT */
/*
 * hosts.h: base URLs (validation, the loopback rule for plain HTTP) and the failover planner.
 *
 * Everything here is a pure function of its arguments, so the unit tests cover it directly.
 */
#ifndef RA_CLIENT_HOSTS_H
#define RA_CLIENT_HOSTS_H

#include "restauth/ra_error.h"

#include <stdbool.h>
#include <stddef.h>

#define RA__MAX_URL_LEN 2048

/* How an attempt failed, as far as choosing the next host is concerned. */
enum ra__fail {
    RA__FAIL_RATE,    /* 429: the account's limit; another host would not help */
    RA__FAIL_SERVER,  /* 5xx */
    RA__FAIL_DNS,     /* the host name did not resolve */
    RA__FAIL_NETWORK, /* resolved, but the connection could not be made or broke */
};

/*
 * Check `len` bytes of `url` as a base URL and produce its normal form in *out
 * (scheme://host[:port][/prefix], no trailing '/'; ra_malloc'd). Only http and https are
 * accepted, with a host and without user info, query or fragment; http only for a loopback
 * host. Returns RA_OK, RA_EINVAL or RA_EINSECURE (with a reason in why), or RA_ENOMEM.
 */
enum ra_err ra__url_normalize(const char *url, size_t len, char **out, char *why, size_t whylen);

/* Is the URL host (as curl prints it: "127.0.0.1", "[::1]", "localhost") a loopback host? */
bool ra__host_is_loopback(const char *host);

/* Is the numeric address `ip` ("127.0.0.1", "::1", "::ffff:127.0.0.1") a loopback address? */
bool ra__ip_is_loopback(const char *ip);

/* Does this normalised base URL use plain http? */
bool ra__url_is_http(const char *url);

/*
 * The host list entry for the next attempt, after an attempt on entry `cur` failed with `why`
 * and `tries_on_cur` attempts have now been made on entry `cur`, following Agora's "Ensure
 * service reliability": 429 stays on the same host; the primary (0) is retried once; then a
 * DNS failure or 5xx moves to the alternate (1), a network failure skips the alternate and
 * moves to the first regional entry (2), if any; each later failure moves one entry down
 * the list, staying on the last entry at the end.
 */
size_t ra__next_host(size_t cur, enum ra__fail why, size_t nhosts, unsigned tries_on_cur);

#endif
