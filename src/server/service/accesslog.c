/* SPDX-License-Identifier: MIT */
/*
 * accesslog.c: JSON-lines access log, collected in a 64 KiB buffer under one mutex and written
 * with write(2) in whole lines.
 */
#include "service/accesslog.h"

#include "common/alloc.h"

#include "common/buf.h"
#include "common/jsonw.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { ACCESSLOG_BUFFER = 64 * 1024 };

struct accesslog {
    int fd;
    bool owned; /* opened here (closed at the end), not standard output */
    pthread_mutex_t lock;
    char *path;  /* what `owned` descriptor was opened, for accesslog_reopen */
    size_t used; /* bytes of whole lines waiting in buf */
    char buf[ACCESSLOG_BUFFER];
};

/* Open path for appending; -1 with errno set on failure. */
static int
open_file(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
}

/*
 * Write out the waiting lines; the caller holds the lock. Standard output is flushed first, so
 * that what was printed there before comes before these lines. A line that cannot be written
 * is dropped (as a full disk would drop it), never retried forever.
 */
static void
write_out(struct accesslog *log)
{
    if (!log->owned)
        fflush(stdout);
    size_t off = 0;
    while (off < log->used) {
        ssize_t n = write(log->fd, log->buf + off, log->used - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    log->used = 0;
}

int
accesslog_open(const char *where, struct accesslog **out)
{
    *out = NULL;
    if (strcmp(where, "off") == 0)
        return 0;
    struct accesslog *log = ra_calloc(1, sizeof(*log));
    if (log == NULL)
        return -ENOMEM;
    if (strcmp(where, "-") == 0) {
        log->fd = STDOUT_FILENO;
    } else {
        log->path = ra_strdup(where);
        log->fd = log->path != NULL ? open_file(where) : -1;
        if (log->fd < 0) {
            int rc = log->path != NULL ? -errno : -ENOMEM;
            ra_free(log->path);
            ra_free(log);
            return rc;
        }
        log->owned = true;
    }
    pthread_mutex_init(&log->lock, NULL);
    *out = log;
    return 0;
}

void
accesslog_flush(struct accesslog *log)
{
    if (log == NULL)
        return;
    pthread_mutex_lock(&log->lock);
    write_out(log);
    pthread_mutex_unlock(&log->lock);
}

int
accesslog_reopen(struct accesslog *log)
{
    if (log == NULL || !log->owned)
        return 0;
    int fresh = open_file(log->path);
    if (fresh < 0)
        return -errno;
    pthread_mutex_lock(&log->lock);
    write_out(log); /* what was collected goes to the old file */
    int old = log->fd;
    log->fd = fresh;
    pthread_mutex_unlock(&log->lock);
    close(old);
    return 0;
}

void
accesslog_close(struct accesslog *log)
{
    if (log == NULL)
        return;
    write_out(log);
    if (log->owned)
        close(log->fd);
    ra_free(log->path);
    pthread_mutex_destroy(&log->lock);
    ra_free(log);
}

/* Write the current UTC time as 2026-01-02T03:04:05.678Z into out (at least 25 bytes). The
 * calendar part is formatted once a second per thread. */
static void
format_now(char *out)
{
    static _Thread_local time_t cached_sec = -1;
    static _Thread_local char cached[24];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
        cached_sec = ts.tv_sec;
    }
    long ms = ts.tv_nsec / 1000000;
    memcpy(out, cached, 19);
    out[19] = '.';
    out[20] = (char)('0' + ms / 100);
    out[21] = (char)('0' + ms / 10 % 10);
    out[22] = (char)('0' + ms % 10);
    out[23] = 'Z';
    out[24] = '\0';
}

/* Append a bounded, escaped JSON string field `"name":"value"` and a trailing comma. */
static void
put_field(struct ra_buf *b, const char *name, const char *value)
{
    ra_jsonw_key(b, name);
    ra_jsonw_str(b, value, strnlen(value, 512));
    ra_buf_putc(b, ',');
}

void
accesslog_write(struct accesslog *log, const struct accesslog_entry *e)
{
    if (log == NULL)
        return;
    char when[40];
    format_now(when);

    char line[2048]; /* fields are bounded: ids, method, a 255-byte path escaped at most 6x */
    struct ra_buf b;
    ra_buf_init_storage(&b, line, sizeof(line));
    ra_buf_putc(&b, '{');
    put_field(&b, "time", when);
    put_field(&b, "request_id", e->request_id);
    put_field(&b, "customer_id", e->customer_id);
    put_field(&b, "method", e->method);
    put_field(&b, "path", e->path);
    ra_jsonw_key(&b, "status");
    ra_jsonw_int(&b, e->status);
    ra_buf_putc(&b, ',');
    ra_jsonw_key(&b, "us");
    ra_jsonw_int(&b, e->micros);
    ra_buf_puts(&b, "}\n");
    if (!b.failed) {
        pthread_mutex_lock(&log->lock);
        if (log->used + b.len > sizeof(log->buf))
            write_out(log);
        memcpy(log->buf + log->used, b.data, b.len); /* a line is far below the buffer's size */
        log->used += b.len;
        pthread_mutex_unlock(&log->lock);
    }
    ra_buf_cleanup(&b);
}
