/* SPDX-License-Identifier: MIT */
/*
 * credfile.h: the key_and_secret.txt reader, and the rules a Customer ID and Secret obey.
 */
#ifndef RA_CLIENT_CREDFILE_H
#define RA_CLIENT_CREDFILE_H

#include "restauth/ra_error.h"

#include <stdbool.h>
#include <stddef.h>

#define RA__CRED_FILE_MAX (64 * 1024)

/*
 * Is `len` bytes of `s` an acceptable credential: 1-256 bytes, no control byte (below 0x20
 * or 0x7f), and, for a Customer ID (is_id), no ':' (Basic authentication splits at the first
 * colon)?
 */
bool ra__cred_valid(const char *s, size_t len, bool is_id);

/*
 * Parse the text of a credentials file: one line `key<colon><id>` and one line
 * `secret<colon><secret>`, where <colon> is ':' or the fullwidth U+FF1A, labels match
 * case-insensitively (`customer_id` and `customer_secret` also count), spaces and tabs around
 * labels and values are ignored, lines end in LF or CRLF, a leading UTF-8 BOM is skipped and
 * other lines are ignored. On success *id and *secret are new NUL-terminated copies
 * (ra_malloc'd; free the secret with ra_free_secret). Returns RA_OK, RA_ECREDFILE (with a
 * reason in why that never quotes the secret) or RA_ENOMEM.
 */
enum ra_err ra__cred_parse(const char *text, size_t len, char **id, char **secret, char *why,
                           size_t whylen);

/*
 * Read the regular file `path` (at most RA__CRED_FILE_MAX bytes) into a new buffer *text of
 * *len bytes (the caller wipes and frees it with ra_free_secret(*text, *len)). Returns RA_OK,
 * RA_ECREDFILE (with a reason in why) or RA_ENOMEM.
 */
enum ra_err ra__cred_read_file(const char *path, char **text, size_t *len, char *why,
                               size_t whylen);

#endif
