/* SPDX-License-Identifier: MIT */
/*
 * signin_limit.h: the console's sign-in throttle. Failed sign-ins are counted per account
 * (by the e-mail typed, ignoring ASCII case, whether or not such an account exists) and per
 * client IP, in fixed 15-minute windows. Once either count reaches its limit, sign-ins for
 * that e-mail or from that IP are refused (429) without hashing anything until the window
 * ends. A successful sign-in clears the account's count.
 *
 * The table has a fixed size (no growth under attack); when a bucket is full the entry with
 * the oldest window is replaced. Keys are SipHash values under a per-process random key, so
 * nobody can aim collisions at a bucket.
 */
#ifndef RA_SERVER_CONSOLE_SIGNIN_LIMIT_H
#define RA_SERVER_CONSOLE_SIGNIN_LIMIT_H

#include <stdint.h>
#include <sys/socket.h>

#define SIGNIN_WINDOW_S (15 * 60)

/* 0 if a sign-in for `email` from `peer` may be checked now, else the seconds to wait. */
int signin_limit_check(const char *email, const struct sockaddr *peer, long account_limit,
                       long ip_limit, int64_t now);

/* Count a failed sign-in for `email` from `peer`. */
void signin_limit_fail(const char *email, const struct sockaddr *peer, int64_t now);

/* Clear the failures counted for `email` (after a successful sign-in). */
void signin_limit_clear(const char *email);

#endif
