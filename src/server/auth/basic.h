/* SPDX-License-Identifier: MIT */
/*
 * basic.h: a pure parser for the value of an `Authorization: Basic ...` header (RFC 7617).
 *
 * No I/O and no allocation: it fills a caller-provided struct, which the caller must wipe
 * (basic_cred_wipe) once done, since it holds a secret.
 */
#ifndef RA_SERVER_AUTH_BASIC_H
#define RA_SERVER_AUTH_BASIC_H

#include <stddef.h>

/* Longest header value accepted before any decoding is attempted. */
#define BASIC_MAX_VALUE 1024
#define BASIC_MAX_ID 128
#define BASIC_MAX_SECRET 256

enum basic_status {
    BASIC_OK = 0,
    /* No credentials in the Basic scheme: empty value or another scheme ("Bearer x",
     * "Basicfoo"). The server answers 401 "Unauthorized". */
    BASIC_ABSENT = -1,
    /* The Basic scheme with a value that is not a valid user-pass: over-long, not strict
     * base64, no colon, an empty id or secret, a control character, an over-long id or
     * secret. The server answers 401 "Invalid authentication credentials". */
    BASIC_INVALID = -2,
};

struct basic_cred {
    char id[BASIC_MAX_ID + 1]; /* NUL-terminated */
    size_t id_len;
    char secret[BASIC_MAX_SECRET + 1]; /* NUL-terminated */
    size_t secret_len;
};

/*
 * Parse `len` bytes of a header field value. Rules: optional leading and trailing OWS
 * (SP / HTAB) around the whole value is ignored; the scheme `Basic` is matched
 * case-insensitively and must be followed by one or more SP / HTAB; the rest is one token68
 * decoded as strict base64 (basic_decode_token68); the decoded user-pass is split at the FIRST
 * colon; id and secret must be non-empty, within BASIC_MAX_ID / BASIC_MAX_SECRET, and free of
 * CTLs (0x00-0x1F, 0x7F). Values longer than BASIC_MAX_VALUE are BASIC_INVALID without decoding
 * (or BASIC_ABSENT when the scheme is not Basic).
 * Returns an enum basic_status. On anything but BASIC_OK, `out` is left wiped.
 */
int basic_parse(const char *value, size_t len, struct basic_cred *out);

/*
 * Decode exactly `len` bytes of `tok` as strict RFC 4648 section 4 base64 into `out` (capacity
 * `outcap`), the way basic_parse decodes a token68: the length must be a multiple of 4, only the
 * standard alphabet is allowed, padding ('=' or '==') only at the very end, the unused low bits
 * of the last symbol must be zero (one spelling per byte string), and no whitespace or trailing
 * data. An empty input decodes to zero bytes. The symbols are decoded in constant time: no
 * branch and no table lookup depends on them.
 * Returns the number of bytes written, -EINVAL (malformed) or -ENOSPC (the decoded size exceeds
 * `outcap`; nothing is written then). After -EINVAL, `out` may hold partial output anywhere in
 * its first `outcap` bytes, which a caller handling secrets must wipe.
 */
long basic_decode_token68(const char *tok, size_t len, unsigned char *out, size_t outcap);

/* Overwrite the secret-bearing struct. */
void basic_cred_wipe(struct basic_cred *c);

#endif
