/* SPDX-License-Identifier: MIT */
/*
 * limiter.h: counting units per key in fixed windows, for every limit the server enforces
 * (the per-account request rate, the per-address failed-authentication throttle, the console's
 * sign-in limits). Each of those holds its own struct limiter; nothing is shared between them
 * and the module keeps no global state.
 *
 * Windows. A key's window opens when the key, having no live window, takes a unit; it lasts
 * window_ms from that moment and holds at most `limit` units. The first take at or after its
 * end opens a new window. Windows are anchored at a key's first unit, not at wall-clock
 * boundaries, so a burst that fits in one window is counted in one window whenever it starts.
 * The clock is injected: every call takes now_ms (milliseconds on any fixed scale, usually
 * since the epoch) and the module never reads a clock itself.
 *
 * Keys. A key is a 64-bit keyed hash (SipHash, libsodium's crypto_shorthash, under a random key
 * drawn by each limiter) of a kind byte followed by the data, so nobody can aim collisions at a
 * bucket and keys of one limiter say nothing about keys of another. Key 0 means "no key": it is
 * never produced by limiter_key(), and it is never limited or counted.
 *
 * Table. A fixed number of entries, set-associative: 4 ways per bucket, the bucket chosen from
 * the low bits of the key, the buckets guarded by striped mutexes. It never grows: when a key
 * needs an entry in a full bucket, an expired entry is reused first, else the entry whose
 * window started earliest is replaced. The trade-off: a flood of distinct keys (say, requests
 * from many addresses) can push an older key out of its bucket, and that key's count is lost
 * (it starts again from zero). Memory and time stay bounded whatever the traffic; size the
 * table well above the number of keys expected to be live in one window.
 *
 * Threads. Every function may be called from any thread at any time, except limiter_free(),
 * which must not race with any other call on the same limiter.
 */
#ifndef RA_SERVER_SERVICE_LIMITER_H
#define RA_SERVER_SERVICE_LIMITER_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* The kind byte limiter_addr_key() uses; other callers of limiter_key() must pick others. */
#define LIMITER_KIND_ADDR 'i'

/* The largest table limiter_new() accepts, in entries. */
#define LIMITER_SLOTS_MAX ((size_t)1 << 24)

struct limiter;

/*
 * Create a limiter at *out whose table holds about `slots` entries (rounded up to a power of
 * two, at least 4) and whose windows last window_ms milliseconds. Returns 0; -EINVAL when
 * slots is 0 or above LIMITER_SLOTS_MAX, or window_ms is not in 1 .. INT_MAX * 1000; -ENOMEM;
 * -EIO when libsodium cannot start. *out is set only on success. Free with limiter_free().
 */
int limiter_new(size_t slots, int64_t window_ms, struct limiter **out);

/* Destroy the limiter and wipe its hash keys. Accepts NULL. */
void limiter_free(struct limiter *l);

/* The number of entries the table holds (slots as rounded by limiter_new()). */
size_t limiter_slots(const struct limiter *l);

/*
 * The key of `len` bytes at `data` under `kind` (a byte telling apart, say, account ids from
 * e-mail addresses, so equal bytes of different kinds get different keys). Never 0. Data of up
 * to 255 bytes is hashed with crypto_shorthash after the kind byte; longer data (which the
 * server never sends) goes through keyed BLAKE2b instead, so it is neither truncated nor copied.
 * The caller canonicalises the data first (for instance, lowercases an e-mail address).
 */
uint64_t limiter_key(const struct limiter *l, char kind, const void *data, size_t len);

/*
 * The key of a client address; the port is ignored. An IPv4 address and its IPv4-mapped IPv6
 * form (::ffff:a.b.c.d, as a dual-stack socket reports it) give the same key. Any other IPv6
 * address is grouped by its /64 prefix, since one client usually owns a whole /64 and could
 * otherwise take a fresh key for every attempt. NULL, AF_UNIX or any other family gives 0 (not
 * counted). This is the one place where client addresses are canonicalised; the keys use the
 * kind LIMITER_KIND_ADDR.
 */
uint64_t limiter_addr_key(const struct limiter *l, const struct sockaddr *sa);

/* The canonical 16 bytes of an address: IPv6 as it is, IPv4 (or IPv4-mapped IPv6) as
 * ::ffff:a.b.c.d. False for NULL and any other family. The one place where an address is
 * canonicalised; limiter_addr_key and --trusted-proxy both use it. */
bool limiter_addr_bytes(const struct sockaddr *sa, unsigned char out[16]);

/*
 * Take one unit for `key` at now_ms. If the key's live window holds fewer than `limit` units
 * (or the key has no live window, which then opens), count one and return 0. Otherwise count
 * nothing and return the whole seconds until the window ends, rounded up (>= 1). limit <= 0
 * means unlimited (returns 0, counts nothing); key 0 is never limited (returns 0). The check
 * and the count are one step under the bucket's lock: however many threads take at once,
 * exactly `limit` takes succeed in a window.
 */
int limiter_take(struct limiter *l, uint64_t key, long limit, int64_t now_ms);

/*
 * Without counting anything: the seconds until the window ends (>= 1) if the key's live window
 * already holds `limit` units or more, else 0. limit <= 0 and key 0 give 0. While nothing was
 * ever counted in this limiter this costs one relaxed atomic load and takes no lock (the failure
 * throttle asks on every request, and most servers never see a failure).
 */
int limiter_peek(struct limiter *l, uint64_t key, long limit, int64_t now_ms);

/*
 * Give back one unit that `key` took earlier in its live window (a reservation that turned out
 * not to count, such as the attempt of a sign-in that succeeded). A no-op when the window has
 * ended or holds no unit. When the last unit goes back, the window closes: the key is as if it
 * had never taken anything, and its next take opens a new window.
 */
void limiter_refund(struct limiter *l, uint64_t key, int64_t now_ms);

/* Forget the key's window and count entirely (after a successful sign-in clears an account's
 * failures). A no-op for key 0 or a key the table does not hold. */
void limiter_forget(struct limiter *l, uint64_t key);

#endif
