/* SPDX-License-Identifier: MIT */
/*
 * log.h: the diagnostic log (stderr). Never pass a secret to it.
 *
 * Every line carries its level. Two formats:
 *   text: "restauthd: warning: MESSAGE"; when stderr is the systemd journal's stream
 *         (JOURNAL_STREAM names it), each line also starts with its syslog priority
 *         ("<4>restauthd: warning: ..."), which the journal takes as the entry's priority.
 *   json: {"time":"2026-01-02T03:04:05.678Z","level":"warning","msg":"MESSAGE"}
 * The level and the format may change while threads log (a reload).
 */
#ifndef RA_COMMON_LOG_H
#define RA_COMMON_LOG_H

enum ra_log_level { RA_LOG_ERR, RA_LOG_WARN, RA_LOG_INFO, RA_LOG_DEBUG };
enum ra_log_format { RA_LOG_TEXT, RA_LOG_JSON };

/* Messages above this level are dropped (default RA_LOG_INFO). */
void ra_log_set_level(enum ra_log_level level);
/* The format of the lines that follow (default RA_LOG_TEXT). */
void ra_log_set_format(enum ra_log_format format);

/*
 * Set the level and the format from their names ("error", "warning", "info", "debug";
 * "text", "json"); NULL leaves one as it is. 0, or -EINVAL if a name is unknown (then nothing
 * changes).
 */
int ra_log_configure(const char *format, const char *level);

void ra_log(enum ra_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
