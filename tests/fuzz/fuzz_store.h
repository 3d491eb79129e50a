/* SPDX-License-Identifier: MIT */
/*
 * fuzz_store.h: the throwaway SQLite store of the fuzz targets that need one: a directory on
 * tmpfs when there is one (fsync is cheap there), else under /tmp, and its removal at exit.
 */
#ifndef RA_TESTS_FUZZ_FUZZ_STORE_H
#define RA_TESTS_FUZZ_FUZZ_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Make a directory from `shm_template` (or the same name under /tmp) and write the store URL
 * of a database inside it to url[0..len). The directory, or NULL when none could be made. */
static inline char *
fuzz_store_dir(char *shm_template, char *tmp_template, char *url, size_t len)
{
    char *dir = mkdtemp(shm_template);
    if (dir == NULL)
        dir = mkdtemp(tmp_template);
    snprintf(url, len, "sqlite:%s/fuzz.db", dir ? dir : "/nonexistent");
    return dir;
}

/* Remove the database files of fuzz_store_dir() and its directory. */
static inline void
fuzz_store_remove(const char *dir)
{
    static const char *const files[] = {"fuzz.db", "fuzz.db-wal", "fuzz.db-shm"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

#endif
