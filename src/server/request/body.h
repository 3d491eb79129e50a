/* SPDX-License-Identifier: MIT */
/*
 * body.h: decoding an untrusted JSON request body into a jansson object, with limits.
 */
#ifndef RA_SERVER_REQUEST_BODY_H
#define RA_SERVER_REQUEST_BODY_H

#include <jansson.h>
#include <stddef.h>

/* Deepest nesting of arrays/objects accepted in a request body. */
#define BODY_MAX_DEPTH 16

/*
 * Parse `len` bytes as one JSON value whose top level is an object. Rejected, with -EINVAL
 * and a short human-readable reason in *why (a static string, safe to send to the client,
 * never quoting the input): empty input, a NUL byte, invalid UTF-8, nesting deeper than
 * BODY_MAX_DEPTH (checked by a scan *before* jansson parses), duplicate keys, trailing data
 * after the value, or a top level that is not an object. On success *out holds a new
 * reference the caller must json_decref(). Never crashes on any input.
 */
int body_parse_object(const char *buf, size_t len, json_t **out, const char **why);

/*
 * Make jansson wipe every block it frees, so that the copies it makes while parsing a body
 * (a console password among them) do not outlive the request. Process-wide; call once before
 * serving.
 */
void body_wipe_parser_memory(void);

#endif
