/* SPDX-License-Identifier: MIT */
/*
 * log.c: one line per message on stderr, with its level, as text or as JSON (log.h). Each
 * line is built whole and written with one call, so lines of several threads do not mix.
 */
#include "common/log.h"

#include "common/buf.h"
#include "common/jsonw.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const level_names[] = {"error", "warning", "info", "debug"};
/* The syslog priority of each level, as the journal reads it from a line's "<N>" prefix. */
static const char level_priority[] = {'3', '4', '6', '7'};

static _Atomic int max_level = RA_LOG_INFO;
static _Atomic int format = RA_LOG_TEXT;
static _Atomic int journal = -1; /* whether stderr is the journal's stream; -1: not known yet */

void
ra_log_set_level(enum ra_log_level level)
{
    atomic_store(&max_level, (int)level);
}

void
ra_log_set_format(enum ra_log_format f)
{
    atomic_store(&format, (int)f);
}

int
ra_log_configure(const char *format_name, const char *level_name)
{
    int lv = -1, fm = -1;
    for (int i = 0; level_name != NULL && i <= RA_LOG_DEBUG; i++)
        if (strcmp(level_name, level_names[i]) == 0)
            lv = i;
    if (format_name != NULL)
        fm = strcmp(format_name, "text") == 0   ? RA_LOG_TEXT
             : strcmp(format_name, "json") == 0 ? RA_LOG_JSON
                                                : -1;
    if ((level_name != NULL && lv < 0) || (format_name != NULL && fm < 0))
        return -EINVAL;
    if (lv >= 0)
        ra_log_set_level((enum ra_log_level)lv);
    if (fm >= 0)
        ra_log_set_format((enum ra_log_format)fm);
    return 0;
}

/* True if stderr is the stream systemd connected to the journal: JOURNAL_STREAM holds its
 * "DEVICE:INODE" (systemd.exec(5)). Decided once. */
static bool
stderr_is_journal(void)
{
    int known = atomic_load(&journal);
    if (known >= 0)
        return known == 1;
    const char *env = getenv("JOURNAL_STREAM");
    struct stat st;
    unsigned long long dev = 0, ino = 0;
    bool yes = env != NULL && sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
               fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev == dev &&
               (unsigned long long)st.st_ino == ino;
    atomic_store(&journal, yes ? 1 : 0);
    return yes;
}

/* Append the JSON form of a message: time, level, msg. */
static void
put_json(struct ra_buf *b, enum ra_log_level level, const char *msg)
{
    struct timespec ts;
    struct tm tm;
    char when[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    ra_buf_printf(b, "{\"time\":\"%s.%03ldZ\",", when, ts.tv_nsec / 1000000);
    ra_jsonw_key(b, "level");
    ra_jsonw_str(b, level_names[level], strlen(level_names[level]));
    ra_buf_putc(b, ',');
    ra_jsonw_key(b, "msg");
    ra_jsonw_str(b, msg, strlen(msg));
    ra_buf_puts(b, "}\n");
}

void
ra_log(enum ra_log_level level, const char *fmt, ...)
{
    if ((int)level > atomic_load(&max_level))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    char line[8192]; /* a message escaped at most 6 times, and the fields around it */
    struct ra_buf b;
    ra_buf_init_storage(&b, line, sizeof(line));
    if (atomic_load(&format) == RA_LOG_JSON) {
        put_json(&b, level, msg);
    } else {
        if (stderr_is_journal())
            ra_buf_printf(&b, "<%c>", level_priority[level]);
        ra_buf_printf(&b, "restauthd: %s: %s\n", level_names[level], msg);
    }
    if (!b.failed)
        fwrite(b.data, 1, b.len, stderr);
    ra_buf_cleanup(&b);
}
