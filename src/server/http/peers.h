/* SPDX-License-Identifier: MIT */
/*
 * peers.h: how many connections each client address holds, for --max-conns-per-ip. A fixed
 * number of buckets under striped locks; an address's entry lives while it has connections.
 */
#ifndef RA_SERVER_HTTP_PEERS_H
#define RA_SERVER_HTTP_PEERS_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

#define PEERS_BUCKETS 4096
#define PEERS_LOCKS 64

struct peer_entry;

struct peers {
    long cap; /* connections allowed per address */
    struct peer_entry *bucket[PEERS_BUCKETS];
    pthread_mutex_t lock[PEERS_LOCKS];
};

/* Set up an empty table allowing `cap` connections per address. */
void peers_init(struct peers *p, long cap);

/* Free every entry. */
void peers_cleanup(struct peers *p);

/*
 * Count one more connection of `addr` (IPv4, IPv6; IPv4-mapped IPv6 is its IPv4 address).
 * 0, -EMFILE when the address already holds `cap`, -ENOMEM. Other families are not counted
 * (0).
 */
int peers_take(struct peers *p, const struct sockaddr *addr);

/* Count one connection of `addr` fewer (after a successful peers_take). */
void peers_give(struct peers *p, const struct sockaddr *addr);

#endif
