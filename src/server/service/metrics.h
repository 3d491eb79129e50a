/* SPDX-License-Identifier: MIT */
/*
 * metrics.h: the server's counters, and their Prometheus text exposition (format 0.0.4).
 *
 * Counting costs the request path no lock: the counters are relaxed atomics spread over a few
 * shards, and each thread writes to its own shard, so two threads seldom share a cache line;
 * a scrape sums the shards. Every counting function accepts a NULL `struct metrics` and then
 * does nothing: that is what `serve --no-metrics` runs with.
 *
 * Routes are keys (a route's address) seen for the first time at run time: the first request
 * of a route claims a slot with one compare-and-swap, later ones find it by hashing the key.
 * The labels of a slot are the route's method and path, as its route table gives them.
 */
#ifndef RA_SERVER_SERVICE_METRICS_H
#define RA_SERVER_SERVICE_METRICS_H

#include "common/buf.h"

#include <stdbool.h>
#include <stdint.h>

struct metrics;

/*
 * Why an authentication failed; each failed request counts under exactly one reason. A
 * failure answered 429 (past --auth-fail-limit) counts as `throttled`, whatever its cause.
 */
enum metrics_auth_reason {
    METRICS_AUTH_MISSING,      /* no Authorization field, or another scheme */
    METRICS_AUTH_MALFORMED,    /* Basic, but not base64 of "id:secret" within the limits */
    METRICS_AUTH_UNKNOWN_ID,   /* no such Customer ID in the credential table */
    METRICS_AUTH_WRONG_SECRET, /* a known ID with another secret */
    METRICS_AUTH_THROTTLED,    /* refused with 429 by the failure throttle */
    METRICS_AUTH_DISABLED,     /* the pair is disabled */
    METRICS_AUTH_EXPIRED,      /* the pair is past its expiry */
    METRICS_AUTH_TRIPWIRE,     /* the pair is a tripwire */
    METRICS_AUTH_REASONS
};

/* Allocate the counters (all zero). NULL when out of memory. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/*
 * One finished request: its route (`route` is the route's address, NULL when no route matched;
 * `method` and `path` its table entry, read only the first time the route is seen), the status
 * sent and the microseconds it took.
 */
void metrics_request(struct metrics *m, const void *route, const char *method, const char *path,
                     int status, int64_t micros);

/* One failed authentication. */
void metrics_auth_failure(struct metrics *m, enum metrics_auth_reason why);

/* One request refused by the per-account rate limit. */
void metrics_rate_limited(struct metrics *m);

/* The engine adapter: a connection accepted, a connection closed, a TLS handshake done. */
void metrics_conn_open(struct metrics *m, bool tls);
void metrics_conn_close(struct metrics *m, bool tls);
void metrics_tls_handshake(struct metrics *m);

/*
 * A store operation's result at a service choke point: -EIO, -ENOTCONN and -ENOMEM count as
 * store errors (the other refusals are answers, not failures). Returns rc unchanged.
 */
int metrics_store_result(struct metrics *m, int rc);

/* Figures read at scrape time from the rest of the server (negative: not known). */
struct metrics_state {
    const char *version;     /* build info */
    const char *store;       /* the store's scheme: "sqlite" or "postgresql" */
    int64_t credentials;     /* pairs in the credential table */
    int64_t sync_lag_rows;   /* change-feed rows not applied yet */
    double sync_age_seconds; /* since the feed was last read to its end */
    bool store_up;           /* the last readiness probe reached the store */
    bool draining;           /* shutting down */
};

/*
 * Append the exposition of m (NULL: only the figures of `st`) and st to out, with HELP and
 * TYPE lines, every name prefixed "restauthd_". 0, or -ENOMEM / -ENOSPC from the buffer.
 */
int metrics_render(const struct metrics *m, const struct metrics_state *st, struct ra_buf *out);

#endif
