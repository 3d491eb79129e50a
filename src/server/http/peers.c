/* SPDX-License-Identifier: MIT */
/*
 * peers.c: connections per client address. The key is the 16-byte IPv6 form of the address
 * (IPv4 as IPv4-mapped), so that both spellings of one IPv4 client share a count.
 */
#include "http/peers.h"

#include "common/alloc.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

struct peer_entry {
    struct peer_entry *next;
    unsigned char key[16];
    long count;
};

void
peers_init(struct peers *p, long cap)
{
    memset(p->bucket, 0, sizeof(p->bucket));
    p->cap = cap;
    for (int i = 0; i < PEERS_LOCKS; i++)
        pthread_mutex_init(&p->lock[i], NULL);
}

void
peers_cleanup(struct peers *p)
{
    for (int i = 0; i < PEERS_BUCKETS; i++) {
        while (p->bucket[i] != NULL) {
            struct peer_entry *e = p->bucket[i];
            p->bucket[i] = e->next;
            ra_free(e);
        }
    }
    for (int i = 0; i < PEERS_LOCKS; i++)
        pthread_mutex_destroy(&p->lock[i]);
}

/* The address's key and bucket; false for a family that is not counted. */
static bool
key_of(const struct sockaddr *addr, unsigned char key[16], unsigned *bucket)
{
    if (addr->sa_family == AF_INET) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        memcpy(key, mapped, sizeof(mapped));
        memcpy(key + 12, &((const struct sockaddr_in *)(const void *)addr)->sin_addr, 4);
    } else if (addr->sa_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr, 16);
    } else {
        return false;
    }
    uint32_t h = 2166136261u; /* FNV-1a: buckets are per address, and a cap bounds each one */
    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 16777619u;
    *bucket = h % PEERS_BUCKETS;
    return true;
}

/* The link that points at the entry of key in bucket b, or at the NULL that ends the bucket. */
static struct peer_entry **
find(struct peers *p, const unsigned char key[16], unsigned b)
{
    struct peer_entry **link = &p->bucket[b];
    while (*link != NULL && memcmp((*link)->key, key, 16) != 0)
        link = &(*link)->next;
    return link;
}

/* Lock the bucket of addr and fill its key and bucket; NULL for a family not counted. */
static pthread_mutex_t *
lock_for(struct peers *p, const struct sockaddr *addr, unsigned char key[16], unsigned *b)
{
    if (!key_of(addr, key, b))
        return NULL;
    pthread_mutex_t *lock = &p->lock[*b % PEERS_LOCKS];
    pthread_mutex_lock(lock);
    return lock;
}

int
peers_take(struct peers *p, const struct sockaddr *addr)
{
    unsigned char key[16];
    unsigned b;
    pthread_mutex_t *lock = lock_for(p, addr, key, &b);
    if (lock == NULL)
        return 0;
    int rc = 0;
    struct peer_entry *e = *find(p, key, b);
    if (e == NULL && (e = ra_calloc(1, sizeof(*e))) != NULL) {
        memcpy(e->key, key, 16);
        e->next = p->bucket[b];
        p->bucket[b] = e;
    }
    if (e == NULL)
        rc = -ENOMEM;
    else if (e->count >= p->cap)
        rc = -EMFILE;
    else
        e->count++;
    pthread_mutex_unlock(lock);
    return rc;
}

void
peers_give(struct peers *p, const struct sockaddr *addr)
{
    unsigned char key[16];
    unsigned b;
    pthread_mutex_t *lock = lock_for(p, addr, key, &b);
    if (lock == NULL)
        return;
    struct peer_entry **link = find(p, key, b);
    struct peer_entry *e = *link;
    if (e != NULL && --e->count <= 0) {
        *link = e->next;
        ra_free(e);
    }
    pthread_mutex_unlock(lock);
}
