/* SPDX-License-Identifier: MIT */
/*
 * metrics.c: sharded lock-free counters and their Prometheus text exposition.
 *
 * A shard holds every counter. A thread takes a shard index the first time it counts (from a
 * process-wide counter: thread identity, not server state) and always writes there, with
 * relaxed atomic additions; a scrape sums the shards. Latencies go into a histogram of fixed
 * bucket bounds; the exposition makes the buckets cumulative, as Prometheus expects.
 */
#include "service/metrics.h"

#include "common/alloc.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#define SHARDS 8
#define ROUTE_SLOTS 128 /* a power of two; slot 0 is "unmatched" */

/* The statuses counted one by one; any other counts as "other" (its class still shows). */
static const int known_codes[] = {200, 201, 204, 301, 302, 303, 304, 307, 308, 400, 401, 403,
                                  404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415, 416,
                                  417, 422, 426, 428, 429, 431, 500, 501, 502, 503, 504, 505};
#define NCODES (sizeof(known_codes) / sizeof(known_codes[0]))
#define CODE_OTHER NCODES

/* Upper bounds of the latency buckets, in microseconds (the exposition says seconds). */
static const int64_t bucket_us[] = {100,     250,     500,     1000,    2500,   5000,
                                    10000,   25000,   50000,   100000,  250000, 500000,
                                    1000000, 2500000, 5000000, 10000000};
#define NBUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

static const char *const reason_names[METRICS_AUTH_REASONS] = {
    "missing",   "malformed", "unknown_id", "wrong_secret",
    "throttled", "disabled",  "expired",    "tripwire",
};

struct shard {
    _Atomic uint64_t requests[ROUTE_SLOTS][NCODES + 1];
    _Atomic uint64_t latency[NBUCKETS + 1]; /* per bucket, not cumulative; last = +Inf */
    _Atomic uint64_t latency_sum_us;
    _Atomic uint64_t auth[METRICS_AUTH_REASONS];
    _Atomic uint64_t rate_limited;
    _Atomic uint64_t store_errors;
    _Atomic uint64_t conns[2];  /* opened, by [tls] */
    _Atomic uint64_t closed[2]; /* closed, by [tls] */
    _Atomic uint64_t handshakes;
} __attribute__((aligned(64)));

struct route_slot {
    _Atomic(const void *) key;
    _Atomic(const char *) method; /* set after key; NULL while being claimed */
    const char *path;
};

struct metrics {
    struct route_slot routes[ROUTE_SLOTS];
    _Atomic uint64_t lost_routes; /* requests of routes that found no free slot */
    struct shard shards[SHARDS];
};

static atomic_uint next_thread;

/* This thread's shard of m. */
static struct shard *
my_shard(struct metrics *m)
{
    static _Thread_local unsigned ix = 0; /* 0: not assigned yet; else index + 1 */
    if (ix == 0)
        ix = atomic_fetch_add_explicit(&next_thread, 1, memory_order_relaxed) % SHARDS + 1;
    return &m->shards[ix - 1];
}

static void
bump(_Atomic uint64_t *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint64_t
load(const _Atomic uint64_t *c)
{
    return atomic_load_explicit((_Atomic uint64_t *)c, memory_order_relaxed);
}

struct metrics *
metrics_new(void)
{
    struct metrics *m = ra_calloc(1, sizeof(*m));
    if (m != NULL)
        atomic_store(&m->routes[0].method, "");
    return m;
}

void
metrics_free(struct metrics *m)
{
    ra_free(m);
}

/*
 * The slot of route key `r` (0 for NULL): found by hashing its address, or claimed with one
 * compare-and-swap the first time, when its labels are published. -1 when the table is full.
 */
static int
route_slot(struct metrics *m, const void *r, const char *method, const char *path)
{
    if (r == NULL)
        return 0;
    uint64_t h = (uint64_t)(uintptr_t)r * UINT64_C(0x9e3779b97f4a7c15);
    for (unsigned i = 0; i < ROUTE_SLOTS - 1; i++) {
        unsigned ix = 1 + (unsigned)((h >> 40) + i) % (ROUTE_SLOTS - 1);
        struct route_slot *s = &m->routes[ix];
        const void *k = atomic_load_explicit(&s->key, memory_order_acquire);
        if (k == r)
            return (int)ix;
        if (k != NULL)
            continue;
        const void *expected = NULL;
        if (atomic_compare_exchange_strong(&s->key, &expected, r)) {
            s->path = path;
            atomic_store_explicit(&s->method, method, memory_order_release);
            return (int)ix;
        }
        if (expected == r)
            return (int)ix;
    }
    return -1;
}

/* The index of a status in known_codes, or CODE_OTHER. */
static unsigned
code_index(int status)
{
    for (unsigned i = 0; i < NCODES; i++)
        if (known_codes[i] == status)
            return i;
    return CODE_OTHER;
}

void
metrics_request(struct metrics *m, const void *route, const char *method, const char *path,
                int status, int64_t micros)
{
    if (m == NULL)
        return;
    int slot = route_slot(m, route, method, path);
    if (slot < 0) {
        bump(&m->lost_routes, 1);
        return;
    }
    struct shard *sh = my_shard(m);
    bump(&sh->requests[slot][code_index(status)], 1);
    unsigned b = 0;
    while (b < NBUCKETS && micros > bucket_us[b])
        b++;
    bump(&sh->latency[b], 1);
    bump(&sh->latency_sum_us, micros > 0 ? (uint64_t)micros : 0);
}

void
metrics_auth_failure(struct metrics *m, enum metrics_auth_reason why)
{
    if (m != NULL && (unsigned)why < METRICS_AUTH_REASONS)
        bump(&my_shard(m)->auth[why], 1);
}

void
metrics_rate_limited(struct metrics *m)
{
    if (m != NULL)
        bump(&my_shard(m)->rate_limited, 1);
}

void
metrics_conn_open(struct metrics *m, bool tls)
{
    if (m != NULL)
        bump(&my_shard(m)->conns[tls ? 1 : 0], 1);
}

void
metrics_conn_close(struct metrics *m, bool tls)
{
    if (m != NULL)
        bump(&my_shard(m)->closed[tls ? 1 : 0], 1);
}

void
metrics_tls_handshake(struct metrics *m)
{
    if (m != NULL)
        bump(&my_shard(m)->handshakes, 1);
}

int
metrics_store_result(struct metrics *m, int rc)
{
    if (m != NULL && (rc == -EIO || rc == -ENOTCONN || rc == -ENOMEM))
        bump(&my_shard(m)->store_errors, 1);
    return rc;
}

/* The sum over the shards of the counter at byte offset `off` of a shard. */
static uint64_t
total(const struct metrics *m, size_t off)
{
    uint64_t sum = 0;
    for (int i = 0; i < SHARDS; i++)
        sum += load((const _Atomic uint64_t *)((const char *)&m->shards[i] + off));
    return sum;
}

#define TOTAL(m, field) total(m, offsetof(struct shard, field))

static void
family(struct ra_buf *out, const char *name, const char *type, const char *help)
{
    ra_buf_printf(out, "# HELP restauthd_%s %s\n# TYPE restauthd_%s %s\n", name, help, name, type);
}

/* A label value: the route tables' methods and paths hold no quote, backslash or newline,
 * but a value is escaped anyway as the format asks. */
static void
label_value(struct ra_buf *out, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            ra_buf_putc(out, '\\');
        if (*s == '\n')
            ra_buf_puts(out, "\\n");
        else
            ra_buf_putc(out, *s);
    }
}

/* The method of slot i, NULL while it is free. */
static const char *
slot_method(const struct metrics *m, int i)
{
    return atomic_load_explicit((_Atomic(const char *) *)&m->routes[i].method,
                                memory_order_acquire);
}

/* owner[i]: the first slot whose labels equal those of slot i (two routes may share method
 * and path, such as the console's 404 and 405 routes: their counts are shown together), or -1
 * for a free slot. */
static void
label_owners(const struct metrics *m, int owner[ROUTE_SLOTS])
{
    for (int i = 0; i < ROUTE_SLOTS; i++) {
        const char *mi = slot_method(m, i);
        owner[i] = mi == NULL ? -1 : i;
        for (int j = 1; i > 0 && mi != NULL && j < i; j++)
            if (owner[j] == j && strcmp(mi, slot_method(m, j)) == 0 &&
                strcmp(m->routes[i].path, m->routes[j].path) == 0) {
                owner[i] = j;
                break;
            }
    }
}

/* One line of restauthd_http_requests_total. */
static void
request_line(const struct metrics *m, struct ra_buf *out, int slot, unsigned code, uint64_t n)
{
    const char *method = slot_method(m, slot);
    ra_buf_puts(out, "restauthd_http_requests_total{route=\"");
    label_value(out, slot == 0 ? "unmatched" : m->routes[slot].path);
    ra_buf_puts(out, "\",method=\"");
    label_value(out, slot == 0 ? "" : method[0] != '\0' ? method : "other");
    if (code < NCODES)
        ra_buf_printf(out, "\",code=\"%d\"} %llu\n", known_codes[code], (unsigned long long)n);
    else
        ra_buf_printf(out, "\",code=\"other\"} %llu\n", (unsigned long long)n);
}

/* restauthd_http_requests_total{route,method,code}: one line per route and status seen. */
static int
render_requests(const struct metrics *m, struct ra_buf *out)
{
    uint64_t(*sum)[NCODES + 1] = ra_calloc(ROUTE_SLOTS, sizeof(*sum));
    if (sum == NULL)
        return -ENOMEM;
    int owner[ROUTE_SLOTS];
    label_owners(m, owner);
    for (int s = 0; s < SHARDS; s++)
        for (int i = 0; i < ROUTE_SLOTS; i++)
            for (unsigned c = 0; c <= NCODES && owner[i] >= 0; c++)
                sum[owner[i]][c] += load(&m->shards[s].requests[i][c]);
    family(out, "http_requests_total", "counter",
           "Requests answered, by route (its path in the route table, or unmatched), the "
           "route's method and the status sent.");
    for (int i = 0; i < ROUTE_SLOTS; i++)
        for (unsigned c = 0; c <= NCODES; c++)
            if (owner[i] == i && sum[i][c] > 0)
                request_line(m, out, i, c, sum[i][c]);
    ra_free(sum);
    family(out, "http_requests_unlabelled_total", "counter",
           "Requests counted without route labels, the table of routes being full.");
    ra_buf_printf(out, "restauthd_http_requests_unlabelled_total %llu\n",
                  (unsigned long long)load(&m->lost_routes));
    return 0;
}

/* restauthd_http_request_duration_seconds: the latency histogram. */
static void
render_latency(const struct metrics *m, struct ra_buf *out)
{
    family(out, "http_request_duration_seconds", "histogram",
           "Time from the header section in to the exchange over, of every request.");
    uint64_t cumulative = 0;
    for (unsigned b = 0; b <= NBUCKETS; b++) {
        cumulative += total(m, offsetof(struct shard, latency) + b * sizeof(uint64_t));
        if (b < NBUCKETS)
            ra_buf_printf(out, "restauthd_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                          (double)bucket_us[b] / 1e6, (unsigned long long)cumulative);
        else
            ra_buf_printf(out, "restauthd_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                          (unsigned long long)cumulative);
    }
    ra_buf_printf(out, "restauthd_http_request_duration_seconds_sum %.6f\n",
                  (double)TOTAL(m, latency_sum_us) / 1e6);
    ra_buf_printf(out, "restauthd_http_request_duration_seconds_count %llu\n",
                  (unsigned long long)cumulative);
}

/* Authentication failures, limits, store errors, connections. */
static void
render_counters(const struct metrics *m, struct ra_buf *out)
{
    family(out, "auth_failures_total", "counter",
           "Failed Basic authentications, by reason (a throttled one counts only as throttled).");
    for (int r = 0; r < METRICS_AUTH_REASONS; r++)
        ra_buf_printf(out, "restauthd_auth_failures_total{reason=\"%s\"} %llu\n", reason_names[r],
                      (unsigned long long)total(m, offsetof(struct shard, auth) +
                                                       (size_t)r * sizeof(uint64_t)));
    family(out, "rate_limited_total", "counter",
           "Requests refused by the per-account rate limit (429).");
    ra_buf_printf(out, "restauthd_rate_limited_total %llu\n",
                  (unsigned long long)TOTAL(m, rate_limited));
    family(out, "store_errors_total", "counter",
           "Store operations that failed (database error or unreachable), at the service layer.");
    ra_buf_printf(out, "restauthd_store_errors_total %llu\n",
                  (unsigned long long)TOTAL(m, store_errors));
    family(out, "connections_total", "counter", "Connections accepted.");
    family(out, "open_connections", "gauge", "Connections open now.");
    for (int t = 0; t < 2; t++) {
        uint64_t in = total(m, offsetof(struct shard, conns) + (size_t)t * sizeof(uint64_t));
        uint64_t gone = total(m, offsetof(struct shard, closed) + (size_t)t * sizeof(uint64_t));
        const char *tls = t ? "true" : "false";
        ra_buf_printf(out, "restauthd_connections_total{tls=\"%s\"} %llu\n", tls,
                      (unsigned long long)in);
        ra_buf_printf(out, "restauthd_open_connections{tls=\"%s\"} %lld\n", tls,
                      (long long)(in - gone));
    }
    family(out, "tls_handshakes_total", "counter",
           "TLS handshakes completed (counted at a connection's first request).");
    ra_buf_printf(out, "restauthd_tls_handshakes_total %llu\n",
                  (unsigned long long)TOTAL(m, handshakes));
}

/* The figures of the rest of the server. */
static void
render_state(const struct metrics_state *st, struct ra_buf *out)
{
    family(out, "build_info", "gauge", "The build: version and store backend; always 1.");
    ra_buf_puts(out, "restauthd_build_info{version=\"");
    label_value(out, st->version != NULL ? st->version : "");
    ra_buf_puts(out, "\",store=\"");
    label_value(out, st->store != NULL ? st->store : "");
    ra_buf_puts(out, "\"} 1\n");
    family(out, "credentials_loaded", "gauge", "Credential pairs in the in-memory table.");
    ra_buf_printf(out, "restauthd_credentials_loaded %lld\n", (long long)st->credentials);
    if (st->sync_lag_rows >= 0) {
        family(out, "sync_lag_rows", "gauge", "Change-feed rows this node has not applied yet.");
        ra_buf_printf(out, "restauthd_sync_lag_rows %lld\n", (long long)st->sync_lag_rows);
    }
    if (st->sync_age_seconds >= 0) {
        family(out, "sync_age_seconds", "gauge",
               "Seconds since this node last read the change feed to its end.");
        ra_buf_printf(out, "restauthd_sync_age_seconds %.3f\n", st->sync_age_seconds);
    }
    family(out, "store_up", "gauge", "1 when the last readiness probe reached the store.");
    ra_buf_printf(out, "restauthd_store_up %d\n", st->store_up ? 1 : 0);
    family(out, "draining", "gauge", "1 once shutdown has begun.");
    ra_buf_printf(out, "restauthd_draining %d\n", st->draining ? 1 : 0);
}

int
metrics_render(const struct metrics *m, const struct metrics_state *st, struct ra_buf *out)
{
    if (m != NULL) {
        if (render_requests(m, out) < 0)
            return -ENOMEM;
        render_latency(m, out);
        render_counters(m, out);
    }
    render_state(st, out);
    if (out->failed)
        return out->len >= out->max ? -ENOSPC : -ENOMEM;
    return 0;
}
