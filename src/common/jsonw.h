/* SPDX-License-Identifier: MIT */
/*
 * jsonw.h: writing compact JSON into a bounded buffer, with exact control of field order.
 */
#ifndef RA_COMMON_JSONW_H
#define RA_COMMON_JSONW_H

#include "common/buf.h"

#include <stddef.h>
#include <stdint.h>

/* Append `s` (len bytes of UTF-8, validated by the caller) as a quoted JSON string, escaping
 * '"', '\\' and control characters (\n \r \t or \u00XX); never emits a raw control byte. */
int ra_jsonw_str(struct ra_buf *b, const char *s, size_t len);
/* Append `"key":` for a key that needs no escaping. */
int ra_jsonw_key(struct ra_buf *b, const char *key);
int ra_jsonw_int(struct ra_buf *b, int64_t v);

#endif
