/* SPDX-License-Identifier: MIT */
/*
 * forward_rules.c: reading the --forward-limit rules, and the longest-prefix match. There are
 * at most FORWARD_RULES_MAX rules, so every match is a scan of them all.
 */
#include "handlers/forward_rules.h"

#include "request/uri.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 9110 tchar, the characters of a method. */
static bool
is_tchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool
is_class_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' ||
           c == '_' || c == '-';
}

/* True when text[0..n) is 1..max characters that all pass ok(). */
static bool
all_of(const char *text, size_t n, size_t max, bool (*ok)(char))
{
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!ok(text[i]))
            return false;
    return true;
}

bool
forward_method_ok(const char *text, size_t n)
{
    return all_of(text, n, FORWARD_METHOD_MAX, is_tchar);
}

/* Split line into exactly four fields separated by spaces or tabs; false otherwise. */
static bool
split4(const char *line, const char *field[4], size_t len[4])
{
    const char *p = line;
    for (int i = 0; i < 4; i++) {
        p += strspn(p, " \t");
        field[i] = p;
        len[i] = strcspn(p, " \t");
        if (len[i] == 0)
            return false;
        p += len[i];
    }
    p += strspn(p, " \t");
    return *p == '\0';
}

/* "0" or a whole number from 1 to FORWARD_LIMIT_MAX without a sign or leading zeros. */
static bool
parse_limit(const char *text, size_t n, long *out)
{
    if (n == 0 || n > 7 || (n > 1 && text[0] == '0'))
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return v <= FORWARD_LIMIT_MAX;
}

/* Read one rule; 0, or -EINVAL with the reason in why. */
static int
parse_rule(const char *line, struct forward_rule *r, char *why, size_t cap)
{
    const char *f[4];
    size_t n[4];
    memset(r, 0, sizeof(*r));
    if (!split4(line, f, n)) {
        snprintf(why, cap, "expected \"METHOD PREFIX CLASS LIMIT\"");
        return -EINVAL;
    }
    if (!(n[0] == 1 && f[0][0] == '*') && !forward_method_ok(f[0], n[0])) {
        snprintf(why, cap, "METHOD is * or a method name of at most %d characters",
                 FORWARD_METHOD_MAX);
        return -EINVAL;
    }
    memcpy(r->method, f[0], n[0]);
    bool path =
        f[1][0] == '/' && memchr(f[1], '?', n[1]) == NULL && memchr(f[1], '#', n[1]) == NULL;
    int len = path ? uri_clean_path(f[1], n[1], r->prefix, sizeof(r->prefix)) : -1;
    if (len < 0) {
        snprintf(why, cap, "PREFIX is a path that starts with / (at most %d characters)",
                 FORWARD_PREFIX_MAX);
        return -EINVAL;
    }
    r->prefix_len = (size_t)len;
    if (!all_of(f[2], n[2], FORWARD_CLASS_MAX, is_class_char)) {
        snprintf(why, cap, "CLASS is 1-%d of A-Z a-z 0-9 . _ -", FORWARD_CLASS_MAX);
        return -EINVAL;
    }
    memcpy(r->name, f[2], n[2]);
    memcpy(r->key, "forward:", 8);
    memcpy(r->key + 8, f[2], n[2]);
    if (!parse_limit(f[3], n[3], &r->limit)) {
        snprintf(why, cap, "LIMIT is a whole number from 0 to %d", FORWARD_LIMIT_MAX);
        return -EINVAL;
    }
    return 0;
}

/* A rule that conflicts with r among r's predecessors: why, or NULL when there is none. */
static const char *
conflict(const struct forward_rules *rules, const struct forward_rule *r)
{
    for (size_t i = 0; i < rules->n; i++) {
        const struct forward_rule *o = &rules->rule[i];
        if (strcmp(o->method, r->method) == 0 && strcmp(o->prefix, r->prefix) == 0)
            return "another rule has the same METHOD and PREFIX";
        if (strcmp(o->name, r->name) == 0 && o->limit != r->limit)
            return "another rule gives this CLASS another LIMIT";
    }
    return NULL;
}

int
forward_rules_build(struct forward_rules *r, const char *const *lines, size_t n, char *why,
                    size_t cap)
{
    memset(r, 0, sizeof(*r));
    struct forward_rule *d = &r->fallback;
    snprintf(d->method, sizeof(d->method), "*");
    snprintf(d->prefix, sizeof(d->prefix), "/");
    d->prefix_len = 1;
    snprintf(d->name, sizeof(d->name), "default");
    snprintf(d->key, sizeof(d->key), "forward");
    d->limit = -1;
    if (n > FORWARD_RULES_MAX) {
        snprintf(why, cap, "at most %d rules", FORWARD_RULES_MAX);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        char reason[160];
        struct forward_rule *rule = &r->rule[r->n];
        const char *clash = NULL;
        if (parse_rule(lines[i], rule, reason, sizeof(reason)) < 0 ||
            (clash = conflict(r, rule)) != NULL) {
            snprintf(why, cap, "\"%s\": %s", lines[i], clash != NULL ? clash : reason);
            return -EINVAL;
        }
        r->n++;
    }
    return 0;
}

/* True when the rule's prefix takes path (of length len). */
static bool
takes(const struct forward_rule *r, const char *path, size_t len)
{
    size_t n = r->prefix_len;
    if (n > len || memcmp(r->prefix, path, n) != 0)
        return false;
    return n == len || r->prefix[n - 1] == '/' || path[n] == '/';
}

const struct forward_rule *
forward_rules_match(const struct forward_rules *r, const char *method, const char *path)
{
    const struct forward_rule *best = NULL;
    size_t len = strlen(path);
    for (size_t i = 0; i < r->n; i++) {
        const struct forward_rule *c = &r->rule[i];
        bool any = strcmp(c->method, "*") == 0;
        if ((!any && strcmp(c->method, method) != 0) || !takes(c, path, len))
            continue;
        if (best == NULL || c->prefix_len > best->prefix_len ||
            (c->prefix_len == best->prefix_len && !any))
            best = c;
    }
    return best != NULL ? best : &r->fallback;
}
