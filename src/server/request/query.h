/* SPDX-License-Identifier: MIT */
/*
 * query.h: the query parameters of a request target, decoded by the pipeline whatever engine
 * parsed the request line. Names are compared case-sensitively (URLs are); a value is decoded
 * as form data has always been here: "+" is a space, "%" and two hex digits is that byte, and
 * any other "%" stays as it is. A name or value that would hold a NUL is refused, so that no
 * C string can be cut short of what the client sent.
 */
#ifndef RA_SERVER_REQUEST_QUERY_H
#define RA_SERVER_REQUEST_QUERY_H

#include <stddef.h>

/* The decoded parameters: entries `name NUL ["=" value] NUL` one after the other. */
struct query {
    char *buf; /* owned, NULL when there is no query */
    size_t len;
};

/*
 * Decode the query s[0..len) (what follows "?", without it) into q, which must be zeroed.
 * Parameters are separated by "&"; one without "=" has no value. Returns 0; -EINVAL when a
 * name or value holds a NUL (a byte, or "%00"), and q then holds nothing; -ENOMEM.
 */
int query_parse(struct query *q, const char *s, size_t len);

/* The value of the first parameter named exactly `name`, or NULL when there is none or it
 * has no "=". */
const char *query_get(const struct query *q, const char *name);

/* Release what q holds; q is zeroed. */
void query_cleanup(struct query *q);

#endif
