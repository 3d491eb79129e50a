/* SPDX-License-Identifier: MIT */
/*
 * test_forward_rules.c: the --forward-limit rules (server/handlers/forward_rules.c): every
 * field's syntax and bounds, the refused combinations, the default class, and the match:
 * longest prefix, whole segments, the method over "*".
 */
#include "handlers/forward_rules.h"

#include "harness.h"

#include <errno.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct forward_rules rules;

/* Build from a NULL-terminated list; returns the code, the reason in why. */
static int
build(const char *const *lines, char *why, size_t cap)
{
    size_t n = 0;
    while (lines[n] != NULL)
        n++;
    why[0] = '\0';
    return forward_rules_build(&rules, lines, n, why, cap);
}

static void
test_syntax(void)
{
    static const char *const good[] = {
        "GET /api api 5",
        "* / all 0",
        "\tPOST   /a/b/   x.y_z-1   1000000  ",
        "PROPFIND /dav dav 1",
        "M-SEARCH /upnp upnp 3",
        "GET /a%2fb escaped 1",
        "GET /abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345678/x "
        "abcdefghijklmnopqrstuvwxyzABCDEF 7",
    };
    for (size_t i = 0; i < N_ELEMS(good); i++) {
        char why[256];
        const char *one[] = {good[i], NULL};
        int rc = build(one, why, sizeof(why));
        harness_checks++;
        if (rc != 0 || rules.n != 1)
            HARNESS_FAIL("\"%s\" refused: %s", good[i], why);
    }
    static const struct {
        const char *line, *reason;
    } bad[] = {
        {"", "expected"},
        {"GET /api api", "expected"},
        {"GET /api api 5 extra", "expected"},
        {"GET,POST /api api 5", "METHOD"},
        {"G(T /api api 5", "METHOD"},
        {"SIXTEENLETTERSXX /api api 5", "METHOD"},
        {"GET api api 5", "PREFIX"},
        {"GET http://h/api api 5", "PREFIX"},
        {"GET /api?x api 5", "PREFIX"},
        {"GET /api#x api 5", "PREFIX"},
        {"GET /api a:b 5", "CLASS"},
        {"GET /api abcdefghijklmnopqrstuvwxyzABCDEFG 5", "CLASS"},
        {"GET /api a/b 5", "CLASS"},
        {"GET /api api -1", "LIMIT"},
        {"GET /api api 1000001", "LIMIT"},
        {"GET /api api 05", "LIMIT"},
        {"GET /api api 5x", "LIMIT"},
        {"GET /api api +5", "LIMIT"},
        {"GET /api api 99999999", "LIMIT"},
    };
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        char why[256];
        const char *one[] = {bad[i].line, NULL};
        int rc = build(one, why, sizeof(why));
        harness_checks++;
        if (rc != -EINVAL || strstr(why, bad[i].reason) == NULL || strstr(why, bad[i].line) == NULL)
            HARNESS_FAIL("\"%s\": %d, \"%s\" (want %s)", bad[i].line, rc, why, bad[i].reason);
    }
    /* A prefix longer than FORWARD_PREFIX_MAX. */
    char line[FORWARD_PREFIX_MAX + 32], why[512];
    memcpy(line, "GET /", 5);
    memset(line + 5, 'p', FORWARD_PREFIX_MAX);
    snprintf(line + 5 + FORWARD_PREFIX_MAX, sizeof(line) - 5 - FORWARD_PREFIX_MAX, " c 1");
    const char *long_one[] = {line, NULL};
    ASSERT_EQ_INT(build(long_one, why, sizeof(why)), -EINVAL);
    line[5 + FORWARD_PREFIX_MAX - 1] = ' '; /* one shorter: "/" + 254 p, then " c 1" */
    snprintf(line + 5 + FORWARD_PREFIX_MAX - 1, sizeof(line) - 4 - FORWARD_PREFIX_MAX, " c 1");
    ASSERT_EQ_INT(build(long_one, why, sizeof(why)), 0);
}

static void
test_combinations(void)
{
    char why[256];
    /* The same method and prefix twice, also when spelled differently. */
    const char *dup[] = {"GET /a a 1", "GET /b/../a b 2", NULL};
    ASSERT_EQ_INT(build(dup, why, sizeof(why)), -EINVAL);
    ASSERT_TRUE(strstr(why, "same METHOD and PREFIX") != NULL);
    /* One class, two limits. */
    const char *two[] = {"GET /a c 1", "POST /b c 2", NULL};
    ASSERT_EQ_INT(build(two, why, sizeof(why)), -EINVAL);
    ASSERT_TRUE(strstr(why, "another LIMIT") != NULL && strstr(why, "POST /b c 2") != NULL);
    /* One class, one limit, several rules; the same prefix under two methods. */
    const char *fine[] = {"GET /a c 1", "POST /b c 1", "POST /a d 2", "* /a e 3", NULL};
    ASSERT_EQ_INT(build(fine, why, sizeof(why)), 0);
    ASSERT_EQ_INT(rules.n, 4);
    /* At most FORWARD_RULES_MAX. */
    static char lines[FORWARD_RULES_MAX + 1][32];
    const char *many[FORWARD_RULES_MAX + 2];
    for (int i = 0; i <= FORWARD_RULES_MAX; i++) {
        snprintf(lines[i], sizeof(lines[i]), "GET /p%d c%d 1", i, i);
        many[i] = lines[i];
    }
    many[FORWARD_RULES_MAX + 1] = NULL;
    ASSERT_EQ_INT(build(many, why, sizeof(why)), -EINVAL);
    many[FORWARD_RULES_MAX] = NULL;
    ASSERT_EQ_INT(build(many, why, sizeof(why)), 0);
    ASSERT_EQ_INT(rules.n, FORWARD_RULES_MAX);
    /* A refused set leaves no half-read rule behind to match. */
    const char *none[] = {NULL};
    ASSERT_EQ_INT(build(none, why, sizeof(why)), 0);
    ASSERT_EQ_INT(rules.n, 0);
}

static void
test_match(void)
{
    char why[256];
    const char *set[] = {"GET /api api 5",
                         "* /api/admin admin 1",
                         "GET /api/admin/read read 9",
                         "POST /api/ slash 2",
                         "* /files/ files 0",
                         "DELETE / del 4",
                         "GET /a%2fb esc 3",
                         NULL};
    ASSERT_EQ_INT(build(set, why, sizeof(why)), 0);
    static const struct {
        const char *method, *path, *cls;
        long limit;
    } cases[] = {
        {"GET", "/api", "api", 5},
        {"GET", "/api/", "api", 5},
        {"GET", "/api/x", "api", 5},
        {"GET", "/apix", "default", -1}, /* not under /api */
        {"PUT", "/api/x", "default", -1},
        {"GET", "/api/admin", "admin", 1}, /* longer prefix beats the method */
        {"PUT", "/api/admin/x", "admin", 1},
        {"GET", "/api/admin/read/1", "read", 9},
        {"POST", "/api/admin/read", "admin", 1},
        {"POST", "/api/x", "slash", 2},
        {"POST", "/api", "default", -1}, /* "/api/" takes only what starts with it */
        {"GET", "/files/", "files", 0},
        {"GET", "/files", "default", -1},
        {"GET", "/filesx", "default", -1},
        {"DELETE", "/anything/at/all", "del", 4},
        {"DELETE", "/api/x", "del", 4}, /* "GET /api" is not for DELETE: the shorter "/" is */
        {"DELETE", "/api/admin", "admin", 1},
        {"GET", "/a%2Fb/c", "esc", 3},
        {"get", "/api", "default", -1}, /* methods are case-sensitive */
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        const struct forward_rule *r = forward_rules_match(&rules, cases[i].method, cases[i].path);
        harness_checks++;
        if (r == NULL || strcmp(r->name, cases[i].cls) != 0 || r->limit != cases[i].limit)
            HARNESS_FAIL("%s %s: %s %ld, want %s %ld", cases[i].method, cases[i].path,
                         r ? r->name : "NULL", r ? r->limit : 0, cases[i].cls, cases[i].limit);
    }
    /* The limiter keys keep forward classes apart from each other and from REST classes. */
    const struct forward_rule *a = forward_rules_match(&rules, "GET", "/api");
    const struct forward_rule *d = forward_rules_match(&rules, "GET", "/other");
    ASSERT_EQ_STR(a->key, "forward:api");
    ASSERT_EQ_STR(d->key, "forward");
    /* The same method and prefix: the rule naming the method wins over "*". */
    const char *tie[] = {"* /t star 1", "GET /t get 2", NULL};
    ASSERT_EQ_INT(build(tie, why, sizeof(why)), 0);
    ASSERT_EQ_STR(forward_rules_match(&rules, "GET", "/t/x")->name, "get");
    ASSERT_EQ_STR(forward_rules_match(&rules, "HEAD", "/t/x")->name, "star");
    const char *tie2[] = {"GET /t get 2", "* /t star 1", NULL};
    ASSERT_EQ_INT(build(tie2, why, sizeof(why)), 0);
    ASSERT_EQ_STR(forward_rules_match(&rules, "GET", "/t")->name, "get");
}

int
main(void)
{
    RUN(test_syntax);
    RUN(test_combinations);
    RUN(test_match);
    return harness_done();
}
