/* SPDX-License-Identifier: MIT */
/*
 * store_pg_pool.c: the connections of the PostgreSQL backend.
 *
 * The store URL is a libpq connection URI ("postgresql://user@host:port/db?sslmode=..."),
 * handed to libpq whole, so the password comes from the URI, PGPASSWORD or PGPASSFILE as with
 * every libpq program. One query parameter is ours: pool_size=N (1 to STORE_PG_POOL_MAX,
 * default STORE_PG_POOL_DEFAULT) is taken out before libpq sees the URI. The URI is never
 * logged: log lines name the host, port and database only.
 *
 * A pool of `size` connections serves the operations; each operation has one connection to
 * itself for its duration and gives it back before the caller's callbacks run. A thread
 * finding every connection busy waits up to ACQUIRE_WAIT_MS. Connections are opened when
 * first needed; every connection gets connect_timeout and tcp_user_timeout (so a dead server
 * costs a bounded wait, never a hang; the URI may set other values), statement_timeout,
 * synchronous_commit = on (an acknowledged COMMIT is on disk) and UTF-8.
 *
 * When a connection attempt fails, the pool stops trying for a while (BACKOFF_MIN_MS, doubling
 * up to BACKOFF_MAX_MS) and operations fail at once with -ENOTCONN; the outage is logged once
 * and so is the recovery. A pooled connection found broken is dropped; if it broke before the
 * operation committed anything, the operation runs once more on a new connection, since a
 * server restart leaves every pooled connection stale.
 *
 * feed_wait has a session of its own (the listen_* fields), outside the pool, that LISTENs on
 * STORE_PG_FEED_CHANNEL.
 */
#include "store/store_pg_priv.h"

#include "common/alloc.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#define ACQUIRE_WAIT_MS 10000
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000
#define RETRIES 4 /* further runs of a job after a deadlock or serialization failure */

/* Settings of every session. lock waits count in statement_timeout. */
#define SESSION_SETTINGS                                                                           \
    "SET statement_timeout = 5000; SET synchronous_commit = on; SET bytea_output = hex;"           \
    " SET client_min_messages = warning; SET idle_in_transaction_session_timeout = 60000"

static int64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parse the value of pool_size; 0 when it is not a number in range. */
static int
pool_size_of(const char *v, size_t n)
{
    int size = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9' || size > STORE_PG_POOL_MAX)
            return 0;
        size = size * 10 + (v[i] - '0');
    }
    return size <= STORE_PG_POOL_MAX ? size : 0;
}

/*
 * Copy the query string q (without '?') into out, leaving out pool_size=N, whose value goes
 * to *size. Returns 0, or -EINVAL for a bad pool_size.
 */
static int
strip_pool_size(const char *q, char *out, int *size)
{
    size_t used = 0;
    while (*q != '\0') {
        size_t n = strcspn(q, "&");
        if (n > 10 && strncmp(q, "pool_size=", 10) == 0) {
            *size = pool_size_of(q + 10, n - 10);
            if (*size == 0)
                return -EINVAL;
        } else if (n > 0) {
            if (used > 0)
                out[used++] = '&';
            memcpy(out + used, q, n);
            used += n;
        }
        q += n + (q[n] == '&');
    }
    out[used] = '\0';
    return 0;
}

/* Describe the server of the parsed URI in s->where. */
static void
describe(struct store_pg *s, PQconninfoOption *opts)
{
    const char *host = NULL, *port = NULL, *db = NULL;
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        if (o->val == NULL || o->val[0] == '\0')
            continue;
        if (strcmp(o->keyword, "host") == 0 || (host == NULL && !strcmp(o->keyword, "hostaddr")))
            host = o->val;
        else if (strcmp(o->keyword, "port") == 0)
            port = o->val;
        else if (strcmp(o->keyword, "dbname") == 0)
            db = o->val;
    }
    snprintf(s->where, sizeof(s->where), "host %.64s port %.16s database %.64s",
             host != NULL ? host : "(default)", port != NULL ? port : "(default)",
             db != NULL ? db : "(default)");
}

/*
 * Make s->conninfo from the store URL: the scheme in lower case (libpq knows only that form),
 * pool_size taken out. libpq then checks the rest; its message is not printed, since it may
 * quote any part of the URI, the password included. Returns 0, -EINVAL or -ENOMEM.
 */
static int
parse_url(struct store_pg *s, const char *url)
{
    const char *rest = strstr(url, "://");
    size_t scheme = rest != NULL ? (size_t)(rest - url) : 0;
    if ((scheme != 10 || strncasecmp(url, "postgresql", 10) != 0) &&
        (scheme != 8 || strncasecmp(url, "postgres", 8) != 0)) {
        fprintf(stderr, "restauthd: store: a PostgreSQL store URL starts with postgresql://\n");
        return -EINVAL;
    }
    size_t len = strlen(url);
    s->conninfo = ra_calloc(1, len + 1);
    if (s->conninfo == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < scheme; i++)
        s->conninfo[i] = (char)(url[i] >= 'A' && url[i] <= 'Z' ? url[i] - 'A' + 'a' : url[i]);
    const char *q = strchr(rest, '?');
    size_t head = (size_t)((q != NULL ? q : url + len) - rest);
    memcpy(s->conninfo + scheme, rest, head);
    char *tail = s->conninfo + scheme + head;
    s->size = STORE_PG_POOL_DEFAULT;
    if (q != NULL && strip_pool_size(q + 1, tail + 1, &s->size) != 0) {
        fprintf(stderr, "restauthd: store: pool_size must be a number from 1 to %d\n",
                STORE_PG_POOL_MAX);
        return -EINVAL;
    }
    if (q != NULL && tail[1] != '\0')
        tail[0] = '?';
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(s->conninfo, &err);
    if (err != NULL)
        ra_wipe(err, strlen(err));
    PQfreemem(err);
    if (opts == NULL) {
        fprintf(stderr, "restauthd: store: the PostgreSQL store URL is not a valid "
                        "connection URI\n");
        return -EINVAL;
    }
    describe(s, opts);
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        if (o->val != NULL)
            ra_wipe(o->val, strlen(o->val));
    }
    PQconninfoFree(opts);
    return 0;
}

int
store_pg_pool_init(struct store_pg *s, const char *url)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return -ENOMEM;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&s->freed, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0)
        return -ENOMEM;
    if (pthread_mutex_init(&s->lock, NULL) != 0)
        return -ENOMEM;
    if (pthread_mutex_init(&s->listen_lock, NULL) != 0)
        return -ENOMEM;
    rc = parse_url(s, url);
    if (rc != 0)
        return rc;
    s->slots = ra_calloc((size_t)s->size, sizeof(*s->slots));
    return s->slots != NULL ? 0 : -ENOMEM;
}

/* Free what store_pg_pool_init made, after a failed or a complete init. */
void
store_pg_pool_free(struct store_pg *s)
{
    for (int i = 0; s->slots != NULL && i < s->size; i++)
        PQfinish(s->slots[i].pg);
    ra_free(s->slots);
    PQfinish(s->listen);
    if (s->conninfo != NULL)
        ra_free_secret(s->conninfo, strlen(s->conninfo));
    pthread_mutex_destroy(&s->listen_lock);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->freed);
}

/* Record the outcome of a connection attempt in b (under s->lock): log an outage once, and
 * the recovery. */
static void
backoff_note(struct store_pg *s, struct store_pg_backoff *b, PGconn *failed)
{
    pthread_mutex_lock(&s->lock);
    if (failed == NULL) {
        if (b->down)
            fprintf(stderr, "restauthd: store: PostgreSQL (%s) is reachable again\n", s->where);
        b->down = false;
        b->delay_ms = 0;
        b->retry_at_ms = 0;
    } else {
        if (!b->down) {
            const char *msg = PQerrorMessage(failed);
            size_t n = strcspn(msg, "\n");
            fprintf(stderr, "restauthd: store: cannot connect to PostgreSQL (%s): %.*s\n", s->where,
                    (int)n, msg);
        }
        b->down = true;
        b->delay_ms = b->delay_ms == 0 ? BACKOFF_MIN_MS : b->delay_ms * 2;
        if (b->delay_ms > BACKOFF_MAX_MS)
            b->delay_ms = BACKOFF_MAX_MS;
        b->retry_at_ms = mono_ms() + b->delay_ms;
    }
    pthread_mutex_unlock(&s->lock);
}

/* Swallow the server's notices (the migrations' "already exists" and such). */
static void
quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/*
 * Open and set up a connection unless b says to wait. Returns it, or NULL when the server
 * cannot be reached now (logged once per outage).
 */
static PGconn *
open_conn(struct store_pg *s, struct store_pg_backoff *b)
{
    pthread_mutex_lock(&s->lock);
    bool wait = b->retry_at_ms > mono_ms();
    pthread_mutex_unlock(&s->lock);
    if (wait)
        return NULL;
    /* Entries before dbname are defaults the URI may override; client_encoding after it is
     * forced. */
    const char *const keys[] = {"connect_timeout", "tcp_user_timeout", "application_name",
                                "dbname",          "client_encoding",  NULL};
    const char *const vals[] = {"5", "10000", "restauthd", s->conninfo, "UTF8", NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (c != NULL && PQstatus(c) == CONNECTION_OK) {
        PQsetNoticeProcessor(c, quiet, NULL);
        PGresult *r = PQexec(c, SESSION_SETTINGS);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (ok) {
            backoff_note(s, b, NULL);
            return c;
        }
    }
    if (c != NULL)
        backoff_note(s, b, c);
    PQfinish(c);
    return NULL;
}

/* Take a free slot, preferring one with a connection; wait up to ACQUIRE_WAIT_MS for one.
 * NULL when none came free. */
static struct store_pg_slot *
slot_take(struct store_pg *s)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ACQUIRE_WAIT_MS / 1000;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        struct store_pg_slot *best = NULL;
        for (int i = 0; i < s->size; i++) {
            struct store_pg_slot *t = &s->slots[i];
            if (!t->busy && (best == NULL || (best->pg == NULL && t->pg != NULL)))
                best = t;
        }
        if (best != NULL) {
            best->busy = true;
            pthread_mutex_unlock(&s->lock);
            return best;
        }
        if (pthread_cond_timedwait(&s->freed, &s->lock, &until) == ETIMEDOUT) {
            pthread_mutex_unlock(&s->lock);
            fprintf(stderr, "restauthd: store: every PostgreSQL connection stayed busy\n");
            return NULL;
        }
    }
}

/* Give slot t back; a broken connection is closed (outside the lock). */
static void
slot_give(struct store_pg *s, struct store_pg_slot *t)
{
    PGconn *drop = NULL;
    if (t->pg != NULL && PQstatus(t->pg) != CONNECTION_OK) {
        drop = t->pg;
        t->pg = NULL;
    }
    pthread_mutex_lock(&s->lock);
    t->busy = false;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->lock);
    PQfinish(drop);
}

/*
 * Run job on a pooled connection (see the top of the file for the retries). Returns the
 * job's code; -ENOTCONN when no connection could be had.
 */
int
store_pg_run(struct store_pg *s, store_pg_job job, void *arg)
{
    for (int attempt = 0;; attempt++) {
        struct store_pg_slot *t = slot_take(s);
        if (t == NULL)
            return -ENOTCONN;
        bool fresh = t->pg == NULL;
        if (fresh)
            t->pg = open_conn(s, &s->backoff);
        int rc = t->pg != NULL ? job(t->pg, arg) : -ENOTCONN;
        bool stale = !fresh && rc == -ENOTCONN && PQstatus(t->pg) != CONNECTION_OK;
        slot_give(s, t);
        if ((stale && attempt == 0) || (rc == STORE_PG_RETRY && attempt < RETRIES))
            continue;
        return rc == STORE_PG_RETRY ? -EIO : rc;
    }
}

/* Open the LISTEN session if it is not open. Returns 0 when it was open already, 1 when it
 * was opened now, or -ENOTCONN. The caller holds listen_lock. */
static int
listen_open(struct store_pg *s)
{
    if (s->listen != NULL && PQstatus(s->listen) == CONNECTION_OK)
        return 0;
    PQfinish(s->listen);
    s->listen = open_conn(s, &s->listen_backoff);
    if (s->listen == NULL)
        return -ENOTCONN;
    if (store_pg_exec(s->listen, "LISTEN " STORE_PG_FEED_CHANNEL, NULL, NULL, "listen") != 0) {
        PQfinish(s->listen);
        s->listen = NULL;
        return -ENOTCONN;
    }
    return 1;
}

/* Take every notification received so far; true if there was any. */
static bool
drain(PGconn *c)
{
    bool any = false;
    PGnotify *n;
    while ((n = PQnotifies(c)) != NULL) {
        any = true;
        PQfreemem(n);
    }
    return any;
}

/* Wait on the open LISTEN session until a notification or the deadline. 1, 0 or -ENOTCONN. */
static int
listen_poll(struct store_pg *s, int timeout_ms)
{
    int64_t deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    for (;;) {
        if (!PQconsumeInput(s->listen) || PQstatus(s->listen) != CONNECTION_OK) {
            PQfinish(s->listen);
            s->listen = NULL;
            return -ENOTCONN;
        }
        if (drain(s->listen))
            return 1;
        int64_t left = deadline - mono_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = PQsocket(s->listen), .events = POLLIN};
        int n = poll(&p, 1, (int)left);
        if (n < 0 && errno != EINTR)
            return -EIO;
    }
}

/*
 * feed_wait: wait up to timeout_ms for a NOTIFY from a feed trigger. A session opened now
 * (the first call, or after the previous one broke) answers 1 at once: rows may have been
 * written while nobody listened.
 */
int
store_pg_listen_wait(struct store_pg *s, int timeout_ms)
{
    pthread_mutex_lock(&s->listen_lock);
    int rc = listen_open(s);
    if (rc == 0)
        rc = listen_poll(s, timeout_ms);
    pthread_mutex_unlock(&s->listen_lock);
    return rc;
}
