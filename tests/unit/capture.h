/* SPDX-License-Identifier: MIT */
/*
 * capture.h: catching what a call prints to stderr, for tests that check messages:
 * capture_begin() sends stderr to a temporary file, capture_end() puts it back and copies the
 * text out.
 */
#ifndef RA_TESTS_CAPTURE_H
#define RA_TESTS_CAPTURE_H

#include "harness.h"

#include <stdio.h>
#include <unistd.h>

struct capture {
    int saved; /* the real stderr */
    FILE *tmp;
};

/* Send stderr to a temporary file; 0, or -1 after a test failure. */
static inline int
capture_begin(struct capture *c)
{
    fflush(stderr);
    c->saved = dup(2);
    c->tmp = tmpfile();
    if (c->saved < 0 || c->tmp == NULL || dup2(fileno(c->tmp), 2) < 0) {
        HARNESS_FAIL("cannot redirect stderr");
        return -1;
    }
    return 0;
}

/* Put stderr back and copy what was written meanwhile into out (NUL-terminated). */
static inline void
capture_end(struct capture *c, char *out, size_t size)
{
    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    rewind(c->tmp);
    size_t n = fread(out, 1, size - 1, c->tmp);
    out[n] = '\0';
    fclose(c->tmp);
}

#endif
