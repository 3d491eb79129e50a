/* SPDX-License-Identifier: MIT */
/*
 * forward_rules.h: the rate classes of forward authentication. A request a proxy asks about
 * (GET /auth/verify, handlers/forward.c) counts against its account's limit in one class,
 * chosen from its original method and path by the rules of --forward-limit, each written
 * "METHOD PREFIX CLASS LIMIT":
 *
 *   METHOD  a method ("GET"; case-sensitive, as methods are) or "*" for every method
 *   PREFIX  a path: it takes itself and every path below it ("/api" takes "/api" and
 *           "/api/x", not "/apix"); one ending in "/" takes the paths that start with it.
 *           Written as request/uri.h spells paths (it is rewritten so on reading).
 *   CLASS   1-32 of [A-Za-z0-9._-]; rules naming the same class share its count, so they
 *           must give it the same limit
 *   LIMIT   requests per second per account, 0 = unlimited
 *
 * The rule with the longest prefix wins, and for equal prefixes the one naming the method
 * wins over "*". A request no rule takes counts in the class "default" at --rate-limit.
 */
#ifndef RA_SERVER_HANDLERS_FORWARD_RULES_H
#define RA_SERVER_HANDLERS_FORWARD_RULES_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>

#define FORWARD_RULES_MAX CONFIG_LIST_MAX
#define FORWARD_METHOD_MAX 15
#define FORWARD_PREFIX_MAX 255
#define FORWARD_CLASS_MAX 32
#define FORWARD_LIMIT_MAX 1000000

struct forward_rule {
    char method[FORWARD_METHOD_MAX + 1]; /* "*" or a method */
    char prefix[FORWARD_PREFIX_MAX + 1];
    size_t prefix_len;
    char name[FORWARD_CLASS_MAX + 1]; /* the class as configured */
    /* what the limiter counts under: "forward:" + name ("forward" for the default class), so
     * that no class of forward authentication shares a count with a REST API class */
    char key[FORWARD_CLASS_MAX + 9];
    long limit; /* requests per second per account; 0 = unlimited; -1: --rate-limit */
};

struct forward_rules {
    size_t n;
    struct forward_rule rule[FORWARD_RULES_MAX];
    struct forward_rule fallback; /* "*" "/" default, limit -1 (--rate-limit) */
};

/* True when text[0..n) is a method name: 1 to FORWARD_METHOD_MAX characters of an RFC 9110
 * token. */
bool forward_method_ok(const char *text, size_t n);

/*
 * Read rules lines[0..n) into *r. Returns 0, or
 * -EINVAL with the reason (naming the rule) in why[0..cap): a malformed field, two rules for
 * the same method and prefix, two limits for one class, more than FORWARD_RULES_MAX rules.
 */
int forward_rules_build(struct forward_rules *r, const char *const *lines, size_t n, char *why,
                        size_t cap);

/* The rule that takes (method, path), `path` as request/uri.h spells it; the default class
 * when none does. Never NULL. */
const struct forward_rule *forward_rules_match(const struct forward_rules *r, const char *method,
                                               const char *path);

#endif
