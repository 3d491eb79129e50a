/* SPDX-License-Identifier: MIT */
/*
 * uri.h: the path of a request target in one canonical spelling, for forward authentication:
 * the rate class of a request a proxy asks about is chosen by the path prefix of the original
 * request, and that choice must not depend on how a client spelled the path.
 */
#ifndef RA_SERVER_REQUEST_URI_H
#define RA_SERVER_REQUEST_URI_H

#include <stddef.h>

/*
 * The path of target[0..len), an origin-form ("/a/b?q=1") or absolute-form
 * ("https://user:pw@host:8080/a/b") request target: without scheme, authority (so without
 * userinfo), query and fragment; percent-encoded unreserved characters decoded, the other
 * escapes written with upper-case hex (RFC 3986 section 6.2.2) and a "%" that starts no escape
 * written "%25", so that the result is its own canonical form; "." and ".." segments removed
 * (section 5.2.4, never above the root) and runs of "/" merged. The result starts with "/"
 * and keeps a trailing "/". Writes it NUL-terminated into out[0..cap) and returns its length;
 * -EINVAL for any other form of target (empty, "*", a relative path), -ENAMETOOLONG when it
 * does not fit.
 */
int uri_clean_path(const char *target, size_t len, char *out, size_t cap);

/* The value of the hex digit c (either case), or -1. */
int uri_hex_value(char c);

/*
 * Split the request target target[0..len) (origin-form, or absolute-form whose scheme and
 * authority, userinfo included, are skipped) for routing: its path percent-decoded into
 * out[0..cap), NUL-terminated ("/" when an absolute-form target has none), and where its query
 * (after "?", up to a "#") starts (*query) and how long it is (*query_len; *query is NULL when
 * there is no "?"). Returns the path's length; -EINVAL for a "%" that does not start an escape
 * of two hex digits, a path that would hold a NUL (a byte, or "%00"), or a target of another
 * form; -ENAMETOOLONG when the path does not fit.
 */
int uri_split_target(const char *target, size_t len, char *out, size_t cap, const char **query,
                     size_t *query_len);

#endif
