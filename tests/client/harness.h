/* SPDX-License-Identifier: MIT */
/*
 * harness.h: the client's C tests use the unit tests' harness (tests/unit/harness.h), plus one
 * check for library calls that prints the handle's detailed message on failure.
 */
#ifndef RA_TESTS_CLIENT_HARNESS_H
#define RA_TESTS_CLIENT_HARNESS_H

#include "../unit/harness.h"

#define CHECK ASSERT_TRUE
#define CHECK_INT ASSERT_EQ_INT
#define CHECK_STR ASSERT_EQ_STR
#define T_FAIL HARNESS_FAIL
#define t_failures harness_failures
#define t_checks harness_checks
#define tests_done harness_done

/* Check that call `expr` returned `want` (enum ra_err), printing the handle's message if not. */
#define CHECK_ERR(expr, want, client)                                                              \
    do {                                                                                           \
        int got_ = (int)(expr);                                                                    \
        harness_checks++;                                                                          \
        if (got_ != (int)(want))                                                                   \
            HARNESS_FAIL("%s: got %d (%s), want %d: %s", #expr, got_, ra_strerror(got_),           \
                         (int)(want), (client) ? ra_client_errmsg(client) : "");                   \
    } while (0)

#endif
