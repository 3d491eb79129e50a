/* SPDX-License-Identifier: MIT */
/*
 * b64.h: strict RFC 4648 section 4 base64 (standard alphabet, '=' padding).
 */
#ifndef RA_COMMON_B64_H
#define RA_COMMON_B64_H

#include <stddef.h>

/* Bytes needed to decode `len` base64 characters (an upper bound). */
#define RA_B64_DECODED_MAX(len) (((len) / 4) * 3 + 3)
/* Bytes needed to encode `len` bytes, including the terminating NUL. */
#define RA_B64_ENCODED_SIZE(len) ((((len) + 2) / 3) * 4 + 1)

/*
 * Decode exactly `len` characters of `in` into `out` (capacity `outcap`), strictly: the length
 * must be a multiple of 4, only the standard alphabet is allowed, padding ('=' or '==') only at
 * the very end, the unused low bits of the last symbol must be zero (canonical form), and no
 * whitespace or trailing data. An empty input decodes to zero bytes.
 * Returns the number of bytes written, or -EINVAL (malformed) / -ENOSPC (outcap too small).
 */
long ra_b64_decode(const char *in, size_t len, unsigned char *out, size_t outcap);

/* Encode `len` bytes into `out` (capacity `outcap`, NUL-terminated). Returns chars written
 * (without the NUL) or -ENOSPC. */
long ra_b64_encode(const unsigned char *in, size_t len, char *out, size_t outcap);

#endif
