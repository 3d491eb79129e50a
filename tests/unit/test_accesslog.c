/* SPDX-License-Identifier: MIT */
/*
 * test_accesslog.c: the access log (service/accesslog.h) on real files: lines wait in the
 * 64 KiB buffer, reach the file only as whole lines and in order, all of them after a flush;
 * a reopen after a rename sends the waiting lines to the old file and the next to the new one.
 * Every line is decoded with jansson.
 */
#include "service/accesslog.h"

#include "harness.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>

static char tmpdir[] = "/tmp/ra-test-accesslog-XXXXXX";
#include "tmpdir.h"

/* Write entry number i: its request id and its duration carry i. */
static void
write_entry(struct accesslog *log, int i)
{
    char id[32];
    snprintf(id, sizeof(id), "req-%06d", i);
    struct accesslog_entry e = {.request_id = id,
                                .customer_id = "8fac0d63a8000868a1e424a73810fd3b",
                                .method = "GET",
                                .path = "/dev/v1/projects?name=\"quoted\"",
                                .status = 200,
                                .micros = i};
    accesslog_write(log, &e);
}

static long
file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/*
 * Check that the file at path holds whole lines only, entries first..first+count-1 in order,
 * each a JSON object with the fields written; returns the number of lines.
 */
static int
check_lines(const char *path, int first, int count)
{
    FILE *f = fopen(path, "r");
    ASSERT_TRUE(f != NULL);
    if (f == NULL)
        return -1;
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        size_t len = strlen(line);
        ASSERT_TRUE(len > 0 && line[len - 1] == '\n'); /* no line cut short */
        json_error_t err;
        json_t *v = json_loads(line, 0, &err);
        ASSERT_TRUE(v != NULL);
        if (v == NULL)
            break;
        char want[32];
        snprintf(want, sizeof(want), "req-%06d", first + n);
        ASSERT_EQ_STR(json_string_value(json_object_get(v, "request_id")), want);
        ASSERT_EQ_INT(json_integer_value(json_object_get(v, "us")), first + n);
        ASSERT_EQ_STR(json_string_value(json_object_get(v, "path")),
                      "/dev/v1/projects?name=\"quoted\"");
        ASSERT_EQ_INT(json_integer_value(json_object_get(v, "status")), 200);
        json_decref(v);
        n++;
    }
    fclose(f);
    if (count >= 0)
        ASSERT_EQ_INT(n, count);
    return n;
}

/* Lines wait in the buffer, are written in whole lines when it fills, all of them at a flush. */
static void
test_whole_lines_in_order(void)
{
    char path[512];
    path_in(path, sizeof(path), "", "access.log");
    struct accesslog *log;
    ASSERT_EQ_INT(accesslog_open(path, &log), 0);
    ASSERT_TRUE(log != NULL);
    if (log == NULL)
        return;
    for (int i = 0; i < 100; i++) /* about 20 KB: below the buffer's size */
        write_entry(log, i);
    ASSERT_EQ_INT(file_size(path), 0);
    for (int i = 100; i < 3000; i++) /* about 600 KB: the buffer fills many times */
        write_entry(log, i);
    long before_flush = file_size(path);
    ASSERT_TRUE(before_flush > 0);
    int written = check_lines(path, 0, -1);
    ASSERT_TRUE(written > 100 && written < 3000);
    accesslog_flush(log);
    ASSERT_TRUE(file_size(path) - before_flush <= 64 * 1024);
    check_lines(path, 0, 3000);
    accesslog_close(log);
    unlink(path);
}

/* After a rename and a reopen, the waiting lines go to the old file and the next ones to the
 * file at the path; close writes what waits. */
static void
test_reopen_after_rename(void)
{
    char path[512], old[512];
    path_in(path, sizeof(path), "", "rotated.log");
    path_in(old, sizeof(old), "", "rotated.log.1");
    struct accesslog *log;
    ASSERT_EQ_INT(accesslog_open(path, &log), 0);
    if (log == NULL)
        return;
    for (int i = 0; i < 10; i++)
        write_entry(log, i);
    ASSERT_EQ_INT(rename(path, old), 0);
    ASSERT_EQ_INT(accesslog_reopen(log), 0);
    for (int i = 10; i < 15; i++)
        write_entry(log, i);
    ASSERT_EQ_INT(file_size(path), 0);
    accesslog_close(log);
    check_lines(old, 0, 10);
    check_lines(path, 10, 5);
    unlink(path);
    unlink(old);
}

/* "off" gives no log, and every call takes the NULL. */
static void
test_off(void)
{
    struct accesslog *log = (struct accesslog *)1;
    ASSERT_EQ_INT(accesslog_open("off", &log), 0);
    ASSERT_TRUE(log == NULL);
    write_entry(log, 0);
    accesslog_flush(log);
    ASSERT_EQ_INT(accesslog_reopen(log), 0);
    accesslog_close(log);
}

/* A path that cannot be opened is refused with the errno. */
static void
test_open_refused(void)
{
    char path[512];
    path_in(path, sizeof(path), "", "no-such-dir/access.log");
    struct accesslog *log = (struct accesslog *)1;
    ASSERT_EQ_INT(accesslog_open(path, &log), -ENOENT);
    ASSERT_TRUE(log == NULL);
}

int
main(void)
{
    if (tmpdir_make() < 0)
        return 1;
    RUN(test_whole_lines_in_order);
    RUN(test_reopen_after_rename);
    RUN(test_off);
    RUN(test_open_refused);
    tmpdir_remove();
    return harness_done();
}
