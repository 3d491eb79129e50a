/* SPDX-License-Identifier: MIT */
/*
 * test_accounts.c: the per-account state of server/service/accounts.c: the registry, the
 * account's name (set once, also under racing setters) and the generation-checked project-list
 * cache. (Names loaded from a store along with the credentials: test_credtab.c.)
 */
#include "service/accounts.h"

#include "common/alloc.h"

#include "harness.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

static struct accounts *accounts;

static void
test_registry(void)
{
    /* The same id gives the same state; different ids different states. */
    struct acct *a = accounts_get(accounts, 424242);
    ASSERT_TRUE(a != NULL && a->id == 424242);
    ASSERT_TRUE(accounts_get(accounts, 424242) == a);
    ASSERT_TRUE(accounts_get(accounts, 424243) != a);
    ASSERT_TRUE(accounts_get(accounts, -5) != NULL && accounts_get(accounts, -5)->id == -5);
    ASSERT_TRUE(accounts_get(accounts, 0) != NULL && accounts_get(accounts, 0)->id == 0);
    ASSERT_TRUE(accounts_get(accounts, INT64_MAX) != NULL &&
                accounts_get(accounts, INT64_MAX)->id == INT64_MAX);

    /* Many accounts (more than the buckets): all distinct, all stable. */
    enum { M = 5000 };
    static struct acct *many[M];
    for (int i = 0; i < M; i++)
        many[i] = accounts_get(accounts, 2000000 + i);
    int bad = 0;
    for (int i = 0; i < M; i++)
        bad += many[i] == NULL || many[i]->id != 2000000 + i ||
               accounts_get(accounts, 2000000 + i) != many[i];
    ASSERT_EQ_INT(bad, 0);
}

struct namer {
    struct acct *a;
    char name[16];
};

static void *
namer_main(void *arg)
{
    struct namer *n = arg;
    for (int i = 0; i < 1000; i++)
        acct_set_name(n->a, n->name);
    return NULL;
}

/* A name is set once: racing setters leave one of their names, and later ones change
 * nothing. */
static void
test_name_set_once(void)
{
    struct acct *fresh = accounts_get(accounts, 930001);
    ASSERT_TRUE(fresh != NULL);
    if (fresh == NULL)
        return;
    ASSERT_EQ_STR(acct_name(fresh), "");
    struct namer n[3];
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        n[i] = (struct namer){.a = fresh};
        snprintf(n[i].name, sizeof(n[i].name), "racer%d", i);
        ASSERT_EQ_INT(pthread_create(&th[i], NULL, namer_main, &n[i]), 0);
    }
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    const char *won = acct_name(fresh);
    ASSERT_TRUE(strcmp(won, "racer0") == 0 || strcmp(won, "racer1") == 0 ||
                strcmp(won, "racer2") == 0);
    ASSERT_EQ_INT(acct_set_name(fresh, "later"), 0);
    ASSERT_TRUE(acct_name(fresh) == won);
}

/* acct_cache_with: copy the cached body. */
static int
copy_body(void *ctx, const struct project_cache *c)
{
    char **out = ctx;
    *out = ra_malloc(c->len);
    if (*out == NULL)
        return -ENOMEM;
    memcpy(*out, c->json, c->len);
    return (int)c->len;
}

/* The cached body of a (a copy at *out, its length at *len), or -ENOENT and the generation. */
static int
cache_get(struct acct *a, char **out, size_t *len, uint64_t *gen)
{
    int rc = acct_cache_with(a, copy_body, out, gen);
    if (rc < 0)
        return rc;
    *len = (size_t)rc;
    return 0;
}

/* Offer a body (taken) to the cache as built at generation gen. */
static void
cache_put(struct acct *a, char *json, size_t len, uint64_t gen)
{
    struct project_cache c = {.json = json, .len = len};
    acct_cache_put(a, &c, gen);
}

static void
test_cache(void)
{
    struct acct *a = accounts_get(accounts, 910001);
    struct acct *b = accounts_get(accounts, 910002);
    char *out = NULL;
    size_t len = 0;
    uint64_t g0 = 0, g1 = 0, g2 = 0, gb = 0;
    ASSERT_TRUE(a != NULL && b != NULL);
    if (a == NULL || b == NULL)
        return;

    /* Nothing cached at first. */
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g0), -ENOENT);
    ASSERT_TRUE(out == NULL);

    /* Put with the current generation: cached, and get returns a copy. */
    cache_put(a, ra_strdup("{\"projects\":[1]}"), 16, g0);
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g1), 0);
    ASSERT_EQ_INT(len, 16);
    if (out != NULL && len == 16)
        ASSERT_EQ_MEM(out, "{\"projects\":[1]}", 16);
    char *first = out;
    out = NULL;
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g1), 0);
    ASSERT_TRUE(out != NULL && out != first); /* a new copy each time */
    ra_free(first);
    ra_free(out);
    out = NULL;

    /* A second put while something is cached does not replace it. */
    cache_put(a, ra_strdup("{\"projects\":[2]}"), 16, g0);
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g1), 0);
    if (out != NULL && len == 16)
        ASSERT_EQ_MEM(out, "{\"projects\":[1]}", 16);
    ra_free(out);
    out = NULL;

    /* Invalidate: gone, and a new generation. */
    acct_invalidate(a);
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g1), -ENOENT);
    ASSERT_TRUE(g1 != g0);

    /* A list built before the invalidation (old generation) is dropped. */
    cache_put(a, ra_strdup("{\"projects\":[\"stale\"]}"), 22, g0);
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g2), -ENOENT);
    ASSERT_EQ_INT(g2, g1);

    /* A list built after it is kept. */
    cache_put(a, ra_strdup("{\"projects\":[3]}"), 16, g1);
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g2), 0);
    if (out != NULL && len == 16)
        ASSERT_EQ_MEM(out, "{\"projects\":[3]}", 16);
    ra_free(out);
    out = NULL;

    /* A race: the list is read (gen g), the account changes, then the stale list arrives. */
    acct_invalidate(a);
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g1), -ENOENT);
    acct_invalidate(a);
    cache_put(a, ra_strdup("{\"projects\":[]}"), 15, g1);
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g2), -ENOENT);
    ASSERT_TRUE(g2 != g1);

    /* Invalidating one account leaves another's cache alone; invalidate_all drops both. */
    cache_put(a, ra_strdup("{\"projects\":[4]}"), 16, g2);
    ASSERT_EQ_INT(cache_get(b, &out, &len, &gb), -ENOENT);
    cache_put(b, ra_strdup("{\"projects\":[5]}"), 16, gb);
    acct_invalidate(a);
    ASSERT_EQ_INT(cache_get(b, &out, &len, &gb), 0);
    ra_free(out);
    out = NULL;
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g2), -ENOENT);
    cache_put(a, ra_strdup("{\"projects\":[6]}"), 16, g2);
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g1), 0);
    ra_free(out);
    out = NULL;
    uint64_t before_a = g2;
    accounts_invalidate_all(accounts);
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g1), -ENOENT);
    ASSERT_EQ_INT(cache_get(b, &out, &len, &gb), -ENOENT);
    ASSERT_TRUE(g1 != before_a);
    /* A put with the generation from before invalidate_all is dropped too. */
    cache_put(a, ra_strdup("{\"projects\":[7]}"), 16, before_a);
    ASSERT_EQ_INT(cache_get(a, &out, &len, &g2), -ENOENT);
}

int
main(void)
{
    if (accounts_new(&accounts) < 0)
        return 1;
    RUN(test_registry);
    RUN(test_name_set_once);
    RUN(test_cache);
    accounts_free(accounts);
    return harness_done();
}
