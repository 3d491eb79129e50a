/* SPDX-License-Identifier: MIT */
/*
 * credtab.c: an open-addressing hash table of credentials behind a reader-writer lock.
 * Readers (every request) take the lock shared; rebuilds swap in a whole new array.
 */
#include "service/credtab.h"

#include "common/alloc.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>

struct cred_entry {
    char id[STORE_HEX32 + 1]; /* "" = empty slot */
    unsigned char id_len;
    bool active;        /* status 1: not disabled */
    bool tripwire;      /* any use is refused and reported */
    int64_t expires_at; /* unix seconds; 0 = never */
    unsigned char hash[SECRET_HASH_LEN];
    struct acct *acct;
    _Atomic int64_t last_used; /* unix seconds */
    int64_t flushed;           /* last value written to the store */
};

struct credtab {
    pthread_rwlock_t lock; /* readers: every request; writers: swaps and in-place changes */
    /* Serialises every change to the contents: a reload holds it from its first read of the
     * store to its swap, so a change applied meanwhile (a deletion made by this process) waits
     * and lands on the new table instead of being undone by it. */
    pthread_mutex_t mutate;
    struct cred_entry *slots;
    size_t mask; /* capacity - 1; capacity is a power of two */
    size_t count;
    struct secret_hasher hasher;
    struct accounts *accounts;
    unsigned char dummy[SECRET_HASH_LEN]; /* compared against for unknown IDs */
};

/* FNV-1a over the ID bytes; IDs are random, so this spreads them well enough. */
static size_t
slot_of(const char *id, size_t len, size_t mask)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)id[i]) * 1099511628211ull;
    return (size_t)h & mask;
}

/* The entry for id in slots, or NULL. */
static struct cred_entry *
find(struct cred_entry *slots, size_t mask, const char *id, size_t len)
{
    if (slots == NULL || len == 0 || len > STORE_HEX32)
        return NULL;
    for (size_t i = slot_of(id, len, mask);; i = (i + 1) & mask) {
        struct cred_entry *e = &slots[i];
        if (e->id_len == 0)
            return NULL;
        if (e->id_len == len && memcmp(e->id, id, len) == 0)
            return e;
    }
}

int
credtab_new(const unsigned char key[SECRET_KEY_LEN], struct accounts *accounts,
            struct credtab **out)
{
    struct credtab *t = ra_calloc(1, sizeof(*t));
    if (t == NULL)
        return -ENOMEM;
    t->accounts = accounts;
    pthread_rwlock_init(&t->lock, NULL);
    pthread_mutex_init(&t->mutate, NULL);
    secret_hasher_init(&t->hasher, key);
    randombytes_buf(t->dummy, sizeof(t->dummy));
    *out = t;
    return 0;
}

void
credtab_free(struct credtab *t)
{
    if (t == NULL)
        return;
    ra_free_secret(t->slots, (t->slots ? t->mask + 1 : 0) * sizeof(struct cred_entry));
    pthread_rwlock_destroy(&t->lock);
    pthread_mutex_destroy(&t->mutate);
    ra_free_secret(t, sizeof(*t));
}

struct build {
    struct accounts *accounts;
    struct cred_entry *slots;
    size_t mask;
    size_t count;
    int err;
};

/* store_cred_fn: insert one stored credential into the table being built. */
static int
add_row(void *ctx, const struct store_cred *c)
{
    struct build *b = ctx;
    if (c->pending)
        return 0; /* no secret yet: a pending pair never authenticates */
    size_t len = strnlen(c->customer_id, STORE_HEX32);
    struct acct *a = accounts_get(b->accounts, c->account_id);
    if (a == NULL) {
        b->err = -ENOMEM;
        return 1;
    }
    size_t i = slot_of(c->customer_id, len, b->mask);
    while (b->slots[i].id_len != 0)
        i = (i + 1) & b->mask;
    struct cred_entry *e = &b->slots[i];
    memcpy(e->id, c->customer_id, len);
    e->id[len] = '\0';
    e->id_len = (unsigned char)len;
    e->active = c->status == 1;
    e->tripwire = c->tripwire;
    e->expires_at = c->expires_at;
    memcpy(e->hash, c->hash, SECRET_HASH_LEN);
    e->acct = a;
    atomic_store(&e->last_used, c->last_used);
    e->flushed = c->last_used;
    b->count++;
    return 0;
}

/* store_cred_fn: count rows. */
static int
count_row(void *ctx, const struct store_cred *c)
{
    (void)c;
    (*(size_t *)ctx)++;
    return 0;
}

/* Carry unsaved last-used times from the old array into the new one; caller holds the lock. */
static void
carry_last_used(struct credtab *t, struct build *b)
{
    if (t->slots == NULL)
        return;
    for (size_t i = 0; i <= t->mask; i++) {
        struct cred_entry *old = &t->slots[i];
        if (old->id_len == 0)
            continue;
        struct cred_entry *e = find(b->slots, b->mask, old->id, old->id_len);
        int64_t v = atomic_load(&old->last_used);
        if (e != NULL && v > atomic_load(&e->last_used))
            atomic_store(&e->last_used, v);
    }
}

/* Rebuild the table from the store; the caller holds t->mutate. */
static int
reload_locked(struct credtab *t, struct store *st)
{
    size_t n = 0;
    int rc = st->ops->cred_list(st->priv, -1, count_row, &n);
    if (rc < 0)
        return rc;
    size_t cap = 16;
    while (cap < n * 2 + 16) /* room for rows added between the two reads */
        cap *= 2;
    struct build b = {.accounts = t->accounts,
                      .slots = ra_calloc(cap, sizeof(struct cred_entry)),
                      .mask = cap - 1};
    if (b.slots == NULL)
        return -ENOMEM;
    rc = st->ops->cred_list(st->priv, -1, add_row, &b);
    if (rc >= 0 && b.err == 0 && b.count * 2 + 16 > cap)
        rc = -EAGAIN; /* the table grew a lot meanwhile; the next poll retries */
    if (rc >= 0 && b.err == 0)
        rc = accounts_load_names(t->accounts, st); /* named before they are published */
    if (rc < 0 || b.err < 0) {
        ra_free_secret(b.slots, cap * sizeof(struct cred_entry));
        return rc < 0 ? rc : b.err;
    }
    pthread_rwlock_wrlock(&t->lock);
    carry_last_used(t, &b);
    struct cred_entry *old = t->slots;
    size_t old_cap = old ? t->mask + 1 : 0;
    t->slots = b.slots;
    t->mask = b.mask;
    t->count = b.count;
    pthread_rwlock_unlock(&t->lock);
    ra_free_secret(old, old_cap * sizeof(struct cred_entry));
    return 0;
}

int
credtab_reload(struct credtab *t, struct store *st)
{
    pthread_mutex_lock(&t->mutate);
    int rc = reload_locked(t, st);
    pthread_mutex_unlock(&t->mutate);
    return rc;
}

size_t
credtab_size(struct credtab *t)
{
    pthread_rwlock_rdlock(&t->lock);
    size_t n = t->count;
    pthread_rwlock_unlock(&t->lock);
    return n;
}

bool
credtab_has(struct credtab *t, const char *id, size_t len)
{
    pthread_rwlock_rdlock(&t->lock);
    bool known = find(t->slots, t->mask, id, len) != NULL;
    pthread_rwlock_unlock(&t->lock);
    return known;
}

int
credtab_verify(struct credtab *t, const struct basic_cred *c, int64_t now, struct acct **acct,
               char *customer_id)
{
    unsigned char presented[SECRET_HASH_LEN];
    /* The hash is computed for every request, known ID or not, before the table is consulted:
     * the work done does not depend on whether the ID exists, nor on its state. */
    secret_hash(&t->hasher, c->id, c->id_len, c->secret, c->secret_len, presented);

    pthread_rwlock_rdlock(&t->lock);
    struct cred_entry *e = find(t->slots, t->mask, c->id, c->id_len);
    const unsigned char *stored = e != NULL ? e->hash : t->dummy;
    bool match = sodium_memcmp(stored, presented, sizeof(presented)) == 0;
    /* Disabled and expired pairs are refused exactly as a wrong secret; expiry is judged
     * against the caller's clock to the second. */
    bool expired = e != NULL && e->expires_at != 0 && now >= e->expires_at;
    bool live = match && e != NULL && e->active && e->acct != NULL && !expired;
    bool ok = live && !e->tripwire;
    /* Why a right secret is refused, for the metrics only: the reply is the same. */
    int refused = !match || e == NULL || e->acct == NULL ? -EACCES
                  : !e->active                           ? -EKEYREVOKED
                                                         : -EKEYEXPIRED;
    if (live) {
        *acct = e->acct;
        if (ok && atomic_load_explicit(&e->last_used, memory_order_relaxed) < now)
            atomic_store_explicit(&e->last_used, now, memory_order_relaxed);
    }
    pthread_rwlock_unlock(&t->lock);
    ra_wipe(presented, sizeof(presented));
    if (!live)
        return refused;
    memcpy(customer_id, c->id, c->id_len);
    customer_id[c->id_len] = '\0';
    return ok ? 0 : -EPERM;
}

int64_t
credtab_last_used(struct credtab *t, const char *customer_id)
{
    pthread_rwlock_rdlock(&t->lock);
    struct cred_entry *e = find(t->slots, t->mask, customer_id, strnlen(customer_id, 64));
    int64_t v = e != NULL ? atomic_load(&e->last_used) : 0;
    pthread_rwlock_unlock(&t->lock);
    return v;
}

/*
 * Insert one new credential in place, under the write lock, when the table has room for it
 * while staying at most half full; otherwise -ENOSPC, and the caller reloads the whole table.
 * An entry with the same ID (one forgotten earlier) is overwritten.
 */
static int
add_locked(struct credtab *t, const struct store_cred *c)
{
    size_t len = strnlen(c->customer_id, STORE_HEX32 + 1);
    if (c->pending || len == 0 || len > STORE_HEX32)
        return -EINVAL;
    struct acct *a = accounts_get(t->accounts, c->account_id);
    if (a == NULL)
        return -ENOMEM;
    int rc = 0;
    pthread_rwlock_wrlock(&t->lock);
    struct cred_entry *e = find(t->slots, t->mask, c->customer_id, len);
    if (e == NULL && (t->slots == NULL || (t->count + 1) * 2 + 16 > t->mask + 1)) {
        rc = -ENOSPC;
    } else if (e == NULL) {
        size_t i = slot_of(c->customer_id, len, t->mask);
        while (t->slots[i].id_len != 0)
            i = (i + 1) & t->mask;
        e = &t->slots[i];
        memcpy(e->id, c->customer_id, len);
        e->id[len] = '\0';
        e->id_len = (unsigned char)len;
        t->count++;
    }
    if (e != NULL) {
        e->active = c->status == 1;
        e->tripwire = c->tripwire;
        e->expires_at = c->expires_at;
        memcpy(e->hash, c->hash, SECRET_HASH_LEN);
        e->acct = a;
        if (c->last_used > atomic_load(&e->last_used)) /* a newer time in memory stays */
            atomic_store(&e->last_used, c->last_used);
        if (c->last_used > e->flushed)
            e->flushed = c->last_used;
    }
    pthread_rwlock_unlock(&t->lock);
    return rc;
}

int
credtab_add(struct credtab *t, const struct store_cred *c)
{
    pthread_mutex_lock(&t->mutate);
    int rc = add_locked(t, c);
    pthread_mutex_unlock(&t->mutate);
    return rc;
}

static void
forget_locked(struct credtab *t, const char *customer_id)
{
    pthread_rwlock_wrlock(&t->lock);
    struct cred_entry *e = find(t->slots, t->mask, customer_id, strlen(customer_id));
    if (e != NULL) {
        e->active = false; /* the slot stays to keep probe chains intact */
        memset(e->hash, 0, sizeof(e->hash));
    }
    pthread_rwlock_unlock(&t->lock);
}

void
credtab_forget(struct credtab *t, const char *customer_id)
{
    pthread_mutex_lock(&t->mutate);
    forget_locked(t, customer_id);
    pthread_mutex_unlock(&t->mutate);
}

/* Record the name of an account before a credential of it is published (the answer of forward
 * authentication names the account). 0 or the store's error. */
static int
name_account(struct credtab *t, struct store *st, int64_t account_id)
{
    struct acct *a = accounts_get(t->accounts, account_id);
    if (a == NULL)
        return -ENOMEM;
    if (acct_name(a)[0] != '\0')
        return 0;
    struct store_login login;
    int rc = st->ops->login_by_id(st->priv, account_id, &login);
    if (rc == 0)
        rc = acct_set_name(a, login.name);
    ra_wipe(&login, sizeof(login)); /* it holds the password hash */
    return rc;
}

int
credtab_refresh(struct credtab *t, struct store *st, const char *customer_id)
{
    struct store_cred c;
    pthread_mutex_lock(&t->mutate);
    int rc = st->ops->cred_get(st->priv, customer_id, &c);
    if (rc == 0 && !c.pending) {
        rc = name_account(t, st, c.account_id);
        if (rc == 0)
            rc = add_locked(t, &c);
        if (rc == -ENOSPC)
            rc = reload_locked(t, st);
    } else if (rc == -ENOENT || rc == 0) { /* deleted, or pending */
        forget_locked(t, customer_id);
        rc = 0;
    }
    pthread_mutex_unlock(&t->mutate);
    ra_wipe(&c, sizeof(c));
    return rc;
}

int
credtab_flush_last_used(struct credtab *t, struct store *st)
{
    enum { BATCH = 256 };
    struct store_touch batch[BATCH];
    struct cred_entry *done[BATCH];
    int rc = 0;
    size_t i = 0;
    for (;;) {
        size_t n = 0;
        pthread_rwlock_rdlock(&t->lock);
        for (; t->slots != NULL && i <= t->mask && n < BATCH; i++) {
            struct cred_entry *e = &t->slots[i];
            int64_t v = atomic_load(&e->last_used);
            if (e->id_len == 0 || v <= e->flushed)
                continue;
            memcpy(batch[n].customer_id, e->id, e->id_len + 1);
            batch[n].last_used = v;
            done[n++] = e;
        }
        bool more = t->slots != NULL && i <= t->mask;
        if (n > 0)
            rc = st->ops->cred_touch(st->priv, batch, n);
        for (size_t k = 0; rc == 0 && k < n; k++)
            done[k]->flushed = batch[k].last_used;
        pthread_rwlock_unlock(&t->lock);
        if (rc < 0 || !more)
            return rc;
    }
}
