/* SPDX-License-Identifier: MIT */
/*
 * password.h: console passwords, stored only as argon2id strings (libsodium crypto_pwhash_str
 * with OPSLIMIT_INTERACTIVE and MEMLIMIT_INTERACTIVE: 2 passes over 64 MiB).
 *
 * Hashing is deliberately slow (tens of milliseconds) and memory-hungry, so the server lets
 * only a few hashes run at once (password_check waits briefly for a slot, then gives up with
 * -EBUSY), and the sign-in throttle runs before any hashing.
 */
#ifndef RA_SERVER_CONSOLE_PASSWORD_H
#define RA_SERVER_CONSOLE_PASSWORD_H

#include "store/store.h"

#include <stddef.h>

#define PASSWORD_MIN 8    /* characters (bytes) */
#define PASSWORD_MAX 1024 /* bytes */

/* Hash a password into out (an argon2id string). 0, -EINVAL (bad length) or -ENOMEM. */
int password_hash(const char *pw, size_t len, char out[STORE_PWHASH_MAX + 1]);

/*
 * Check pw against the stored argon2id string. An empty or missing `stored` (unknown account,
 * or no password set) is checked against a dummy hash, so the time taken does not tell
 * whether the account exists. Returns 0 on a match, -EACCES on a mismatch, -EBUSY when too
 * many hashes are running (nothing was checked).
 */
int password_check(const char *stored, const char *pw, size_t len);

/*
 * Read a password from the first line of a file (a trailing CR/LF is dropped) into buf
 * (cap bytes, at least PASSWORD_MAX + 2, NUL-terminated); *len receives its length. Returns 0,
 * -errno, or -EINVAL when the line is shorter than PASSWORD_MIN or longer than PASSWORD_MAX. buf is
 * wiped on failure.
 */
int password_read_file(const char *path, char *buf, size_t cap, size_t *len);

#endif
