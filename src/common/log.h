/* SPDX-License-Identifier: MIT */
/*
 * log.h: the diagnostic log (stderr). Never pass a secret to it.
 */
#ifndef RA_COMMON_LOG_H
#define RA_COMMON_LOG_H

enum ra_log_level { RA_LOG_ERR, RA_LOG_WARN, RA_LOG_INFO, RA_LOG_DEBUG };

/* Messages above this level are dropped (default RA_LOG_INFO). */
void ra_log_set_level(enum ra_log_level level);
void ra_log(enum ra_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
