/* SPDX-License-Identifier: MIT */
/*
 * log.c: one line per message on stderr, prefixed with the program name and level.
 */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>

static enum ra_log_level max_level = RA_LOG_INFO;

void
ra_log_set_level(enum ra_log_level level)
{
    max_level = level;
}

void
ra_log(enum ra_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    if (level > max_level)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "restauthd: %s: %s\n", names[level], line);
}
