/* SPDX-License-Identifier: MIT */
/*
 * tripwire.c: a ring of tripwire uses behind a mutex, filled by requests and emptied by the
 * sync thread.
 */
#include "service/tripwire.h"

#include "common/alloc.h"
#include "common/log.h"
#include "service/audit.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

struct tripwire_use {
    char customer_id[STORE_HEX32 + 1];
    char address[STORE_ADDRESS_MAX + 1];
    int64_t account_id;
    int64_t time;
};

struct tripwire_queue {
    pthread_mutex_t lock;
    struct tripwire_use ring[TRIPWIRE_QUEUE];
    size_t head; /* the oldest use */
    size_t n;
    _Atomic uint64_t dropped;
};

int
tripwire_new(struct tripwire_queue **out)
{
    struct tripwire_queue *q = ra_calloc(1, sizeof(*q));
    if (q == NULL)
        return -ENOMEM;
    pthread_mutex_init(&q->lock, NULL);
    *out = q;
    return 0;
}

void
tripwire_free(struct tripwire_queue *q)
{
    if (q == NULL)
        return;
    pthread_mutex_destroy(&q->lock);
    ra_free(q);
}

void
tripwire_report(const struct app *app, const char *customer_id, int64_t account_id,
                const char *address)
{
    const char *from = address != NULL && address[0] != '\0' ? address : "a local client";
    /* The counter is the one field requests change, as the request ids (gate/gate.c). */
    atomic_fetch_add(&((struct app *)app)->tripwire_uses, 1);
    ra_log(RA_LOG_WARN, "tripwire credential %.32s (account %lld) used from %s", customer_id,
           (long long)account_id, from);
    struct tripwire_queue *q = app->tripwires;
    if (q == NULL)
        return;
    pthread_mutex_lock(&q->lock);
    bool full = q->n == TRIPWIRE_QUEUE;
    if (!full) {
        struct tripwire_use *u = &q->ring[(q->head + q->n++) % TRIPWIRE_QUEUE];
        snprintf(u->customer_id, sizeof(u->customer_id), "%s", customer_id);
        snprintf(u->address, sizeof(u->address), "%s", address != NULL ? address : "");
        u->account_id = account_id;
        u->time = app_now_s(app);
    }
    pthread_mutex_unlock(&q->lock);
    if (full)
        atomic_fetch_add(&q->dropped, 1);
}

/* Take the oldest queued use into *u; false when the queue is empty. */
static bool
peek(struct tripwire_queue *q, struct tripwire_use *u)
{
    pthread_mutex_lock(&q->lock);
    bool any = q->n > 0;
    if (any)
        *u = q->ring[q->head];
    pthread_mutex_unlock(&q->lock);
    return any;
}

/* Drop the oldest queued use, once it is written. */
static void
pop(struct tripwire_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->head = (q->head + 1) % TRIPWIRE_QUEUE;
    q->n--;
    pthread_mutex_unlock(&q->lock);
}

int
tripwire_drain(struct app *app)
{
    struct tripwire_queue *q = app->tripwires;
    struct tripwire_use u;
    while (q != NULL && peek(q, &u)) {
        struct audit_who who = {u.customer_id, u.address};
        struct store_audit e;
        audit_fill(&e, app, u.account_id, &who, "credential.tripwire_used", u.customer_id, true);
        e.time = u.time;
        int rc = app->store->ops->audit_add(app->store->priv, &e);
        if (rc < 0)
            return rc;
        pop(q); /* only the sync thread pops: the oldest is still the one written */
    }
    return 0;
}

uint64_t
tripwire_dropped(struct tripwire_queue *q)
{
    return atomic_load(&q->dropped);
}
