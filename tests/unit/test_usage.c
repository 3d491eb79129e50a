/* SPDX-License-Identifier: MIT */
/*
 * test_usage.c: per-pair usage counts (service/usage.c) counted from several threads at once,
 * read back before a flush, written to a store by the flush (and kept when the store fails).
 */
#include "service/usage.h"

#include "harness.h"
#include "store_fixture.h"

#include <errno.h>
#include <pthread.h>

#define THREADS 4
#define PER_THREAD 20000
#define NOW 1700000000 /* 22:13:20 UTC */

static const char *const ids[3] = {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                   "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                                   "cccccccccccccccccccccccccccccccc"};

struct worker {
    struct usage *u;
    int n;
};

/* Count PER_THREAD requests: pair i % 3, two endpoints, two hours of the same day. */
static void *
count_many(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++)
        usage_count(w->u, ids[i % 3], i % 2 ? "projects.list" : "project.get",
                    NOW + (i % 4 < 2 ? 0 : 3600));
    return NULL;
}

static int
fail_add(void *priv, const struct store_usage *u, size_t n)
{
    (void)priv;
    (void)u;
    (void)n;
    return -EIO;
}

struct totals {
    int64_t by_id[3];
};

static int
sum_day(void *ctx, const struct store_usage *u)
{
    struct totals *t = ctx;
    for (int i = 0; i < 3; i++)
        if (strcmp(u->customer_id, ids[i]) == 0)
            t->by_id[i] += u->count;
    return 0;
}

static void
test_threads_and_flush(void)
{
    struct usage *u = NULL;
    struct store st;
    ASSERT_EQ_INT(usage_new(&u), 0);
    if (u == NULL || open_store(&st, "usage.db") != 0)
        return;
    int64_t acc = add_account(&st, "acct");
    for (int i = 0; i < 3; i++)
        add_cred(&st, ids[i], acc, 1, (const unsigned char *)"0123456789abcdef0123456789abcdef");
    int64_t want[3]; /* each thread gives pair i every third count */
    for (int i = 0; i < 3; i++)
        want[i] = THREADS * (PER_THREAD / 3 + (i < PER_THREAD % 3));
    pthread_t tid[THREADS];
    struct worker w = {u, 0};
    for (int i = 0; i < THREADS; i++)
        ASSERT_EQ_INT(pthread_create(&tid[i], NULL, count_many, &w), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(tid[i], NULL);

    /* Every count is there before the flush: the day of NOW is the last of the window. */
    int64_t first = NOW - NOW % 86400 - (USAGE_DAYS - 1) * 86400;
    int64_t total = 0;
    for (int i = 0; i < 3; i++) {
        int64_t days[USAGE_DAYS] = {0};
        usage_pending(u, ids[i], first, days);
        ASSERT_EQ_INT(days[USAGE_DAYS - 1], want[i]);
        total += days[USAGE_DAYS - 1];
    }
    ASSERT_EQ_INT(total, THREADS * PER_THREAD);
    ASSERT_EQ_INT(usage_dropped(u), 0);

    /* A failed flush keeps the counts; a good one writes them all and empties memory. */
    struct store_ops failing = *st.ops;
    failing.usage_add = fail_add;
    struct store bad = {&failing, st.priv};
    ASSERT_EQ_INT(usage_flush(u, &bad), -EIO);
    ASSERT_EQ_INT(usage_flush(u, &st), 0);
    struct totals t = {{0}};
    ASSERT_EQ_INT(st.ops->usage_daily(st.priv, acc, first, sum_day, &t), 0);
    ASSERT_EQ_INT(t.by_id[0] + t.by_id[1] + t.by_id[2], THREADS * PER_THREAD);
    for (int i = 0; i < 3; i++)
        ASSERT_EQ_INT(t.by_id[i], want[i]);
    int64_t days[USAGE_DAYS] = {0};
    usage_pending(u, ids[0], first, days);
    ASSERT_EQ_INT(days[USAGE_DAYS - 1], 0);
    /* Counts of an hour older than the window are not shown. */
    usage_count(u, ids[0], "x", first - 1);
    usage_pending(u, ids[0], first, days);
    ASSERT_EQ_INT(days[0], 0);
    usage_free(u);
    store_close(&st);
}

int
main(void)
{
    if (fixture_begin("usage") < 0)
        return 1;
    RUN(test_threads_and_flush);
    return harness_done();
}
