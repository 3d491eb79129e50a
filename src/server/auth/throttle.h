/* SPDX-License-Identifier: MIT */
/*
 * throttle.h: slowing down secret guessing. Failed authentications are counted per client IP
 * in one-minute windows; once an IP reaches the limit, its requests get 429 until the window
 * ends, before any credential is checked. Clients that do not fail are never counted.
 *
 * The table is fixed-size (no growth under attack): when a bucket is full, the entry with the
 * oldest window is replaced.
 */
#ifndef RA_SERVER_AUTH_THROTTLE_H
#define RA_SERVER_AUTH_THROTTLE_H

#include <stdint.h>
#include <sys/socket.h>

/* 0 if the address may try to authenticate now; else the seconds to wait (>= 1). */
int throttle_check(const struct sockaddr *sa, long limit, int64_t now_s);
/* Count one failed authentication from the address. */
void throttle_fail(const struct sockaddr *sa, int64_t now_s);

#endif
