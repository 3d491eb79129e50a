/* SPDX-License-Identifier: MIT */
/*
 * accesslog.c: JSON-lines access log over a fully buffered stdio stream under one mutex.
 */
#include "accesslog.h"

#include "common/buf.h"
#include "common/jsonw.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static FILE *log_file;
static bool log_owned;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

int
accesslog_open(const char *where)
{
    if (strcmp(where, "off") == 0)
        return 0;
    if (strcmp(where, "-") == 0) {
        log_file = stdout;
    } else {
        log_file = fopen(where, "ae");
        if (log_file == NULL)
            return -errno;
        log_owned = true;
    }
    setvbuf(log_file, NULL, _IOFBF, 64 * 1024);
    return 0;
}

void
accesslog_flush(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_file != NULL)
        fflush(log_file);
    pthread_mutex_unlock(&log_lock);
}

void
accesslog_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_file != NULL) {
        fflush(log_file);
        if (log_owned)
            fclose(log_file);
    }
    log_file = NULL;
    pthread_mutex_unlock(&log_lock);
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
accesslog_write(const struct accesslog_entry *e)
{
    if (log_file == NULL)
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
    ra_buf_printf(&b, "\"status\":%d,\"us\":%lld}\n", e->status, (long long)e->micros);
    if (!b.failed) {
        pthread_mutex_lock(&log_lock);
        if (log_file != NULL)
            fwrite(b.data, 1, b.len, log_file);
        pthread_mutex_unlock(&log_lock);
    }
    ra_buf_cleanup(&b);
}
