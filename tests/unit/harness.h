/* SPDX-License-Identifier: MIT */
/*
 * harness.h: a tiny test harness for the unit tests (one executable per module).
 *
 * Each check prints both sides on failure; main() returns non-zero if any check failed, so
 * CTest records the failure. Usage:
 *   static void test_x(void) { ASSERT_EQ_INT(1 + 1, 2); }
 *   int main(void) { RUN(test_x); return harness_done(); }
 */
#ifndef RA_TESTS_HARNESS_H
#define RA_TESTS_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int harness_failures;
static int harness_checks;

#define HARNESS_FAIL(...)                                                                          \
    do {                                                                                           \
        harness_failures++;                                                                        \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                            \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
    } while (0)

#define ASSERT_TRUE(cond)                                                                          \
    do {                                                                                           \
        harness_checks++;                                                                          \
        if (!(cond))                                                                               \
            HARNESS_FAIL("expected true: %s", #cond);                                              \
    } while (0)

#define ASSERT_EQ_INT(a, b)                                                                        \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        harness_checks++;                                                                          \
        if (va_ != vb_)                                                                            \
            HARNESS_FAIL("%s == %s: %lld != %lld", #a, #b, va_, vb_);                              \
    } while (0)

#define ASSERT_EQ_STR(a, b)                                                                        \
    do {                                                                                           \
        const char *sa_ = (a), *sb_ = (b);                                                         \
        harness_checks++;                                                                          \
        if (sa_ == NULL || sb_ == NULL || strcmp(sa_, sb_) != 0)                                   \
            HARNESS_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, sa_ ? sa_ : "(null)",               \
                         sb_ ? sb_ : "(null)");                                                    \
    } while (0)

#define ASSERT_EQ_MEM(a, b, n)                                                                     \
    do {                                                                                           \
        harness_checks++;                                                                          \
        if (memcmp((a), (b), (n)) != 0)                                                            \
            HARNESS_FAIL("%s == %s: %zu bytes differ", #a, #b, (size_t)(n));                       \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        int before_ = harness_failures;                                                            \
        fn();                                                                                      \
        printf("%s %s\n", harness_failures == before_ ? "ok" : "not ok", #fn);                     \
    } while (0)

static inline int
harness_done(void)
{
    printf("%d checks, %d failed\n", harness_checks, harness_failures);
    return harness_failures == 0 && harness_checks > 0 ? 0 : 1;
}

#endif
