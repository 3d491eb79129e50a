/* SPDX-License-Identifier: MIT */
/*
 * accesslog.h: one JSON line per request (docs/logs.md describes each field):
 *   {"time":"2026-11-28T04:00:00.123Z","request_id":"...","customer_id":"...",
 *    "method":"GET","path":"/dev/v1/projects","status":201,"us":85}
 * It never receives the Authorization header or any secret. Lines are buffered and written
 * by whole lines; accesslog_flush() (called about once a second and at exit) pushes them out.
 */
#ifndef RA_SERVER_SERVICE_ACCESSLOG_H
#define RA_SERVER_SERVICE_ACCESSLOG_H

#include <stdint.h>

struct accesslog;

/* Open the log: a path (appended), "-" for stdout, or "off" (then *out is NULL, and every
 * call below accepts NULL). 0 or -errno. */
int accesslog_open(const char *where, struct accesslog **out);
/* Flush and close; accepts NULL. */
void accesslog_close(struct accesslog *log);
void accesslog_flush(struct accesslog *log);

/*
 * Open the log's path again and write there from now on, after flushing the old file (for
 * log rotation: the old file may have been renamed). Nothing to do for stdout or NULL. 0, or
 * -errno when the path cannot be opened; the old file is then kept.
 */
int accesslog_reopen(struct accesslog *log);

struct accesslog_entry {
    const char *request_id;
    const char *customer_id; /* "" when not authenticated */
    const char *method;
    const char *path;
    int status;
    int64_t micros;
};

void accesslog_write(struct accesslog *log, const struct accesslog_entry *e);

#endif
