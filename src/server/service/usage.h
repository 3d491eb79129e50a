/* SPDX-License-Identifier: MIT */
/*
 * usage.h: request counts per credential pair, per endpoint (the request's rate class) and
 * per hour, kept in memory on the request path and written to the store in batches.
 *
 * Counting takes no global lock: the counters are spread over striped tables, each behind its
 * own mutex, the stripe chosen by a keyed hash of the Customer ID (SipHash, random key), so
 * requests of different pairs rarely meet and nobody can aim them at one stripe. A flush takes
 * each stripe's counts out under its lock and adds them to the store's (store.h, usage_add);
 * counts that cannot be written go back in and are tried again at the next flush. Each
 * stripe holds at most USAGE_STRIPE_MAX counters between two flushes; a count that finds its
 * stripe full is dropped and counted in usage_dropped().
 */
#ifndef RA_SERVER_SERVICE_USAGE_H
#define RA_SERVER_SERVICE_USAGE_H

#include "store/store.h"

#include <stdint.h>

#define USAGE_STRIPES 64
#define USAGE_STRIPE_MAX 65536
#define USAGE_DAYS 30 /* the days that listings show */

struct usage;

/* A new, empty set of counters at *out. 0 or -ENOMEM. */
int usage_new(struct usage **out);
void usage_free(struct usage *u);

/* Count one request of the pair in `endpoint` (truncated to STORE_ENDPOINT_MAX) at `now`
 * (unix seconds). Any thread, at any time. */
void usage_count(struct usage *u, const char *customer_id, const char *endpoint, int64_t now);

/* Write every count held to the store, in batches. 0 or the store's error (the counts not
 * written are kept). */
int usage_flush(struct usage *u, struct store *st);

/* Add the counts not written yet of the pair, per UTC day from first_day (unix seconds at the
 * start of a UTC day), to days[0..USAGE_DAYS). */
void usage_pending(struct usage *u, const char *customer_id, int64_t first_day,
                   int64_t days[USAGE_DAYS]);

/* Counts dropped because their stripe was full. */
uint64_t usage_dropped(struct usage *u);

#endif
