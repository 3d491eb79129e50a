/* SPDX-License-Identifier: MIT */
/*
 * tmpdir.h: one temporary directory per test program, for tests that need real files.
 *
 * Each program defines `static char tmpdir[] = "/tmp/ra-test-NAME-XXXXXX";` before including
 * this file, calls tmpdir_make() first and tmpdir_remove() last.
 */
#ifndef RA_TESTS_TMPDIR_H
#define RA_TESTS_TMPDIR_H

#include "harness.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Create the directory named by the tmpdir template; 0, or -1 after printing why. */
static inline int
tmpdir_make(void)
{
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

/* Fill buf with "PREFIX<tmpdir>/NAME" and return it. */
static inline const char *
path_in(char *buf, size_t n, const char *prefix, const char *name)
{
    snprintf(buf, n, "%s%s/%s", prefix, tmpdir, name);
    return buf;
}

/* Remove the files of the directory, then the directory; failing to is a test failure. */
static inline void
tmpdir_remove(void)
{
    char path[PATH_MAX];
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlink(path_in(path, sizeof(path), "", e->d_name));
    }
    if (d != NULL)
        closedir(d);
    ASSERT_EQ_INT(rmdir(tmpdir), 0);
}

#endif
