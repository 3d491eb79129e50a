/* SPDX-License-Identifier: MIT */
/*
 * ra_version.h: the library's version and the RA_EXTERN export marker.
 *
 * Part of librestauth's public API; include <restauth/restauth.h> rather than this file.
 */
#ifndef RESTAUTH_RA_VERSION_H
#define RESTAUTH_RA_VERSION_H

#define RA_VERSION_MAJOR 0
#define RA_VERSION_MINOR 1
#define RA_VERSION_PATCH 0
#define RA_VERSION_STRING "0.1.0"
/* One number that grows with every release: 0xMMmmpp. */
#define RA_VERSION_NUM ((RA_VERSION_MAJOR << 16) | (RA_VERSION_MINOR << 8) | RA_VERSION_PATCH)

/* Marks the functions that the shared library exports; everything else is hidden. */
#if defined(__GNUC__) || defined(__clang__)
#define RA_EXTERN __attribute__((visibility("default")))
#else
#define RA_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The version of the library actually linked, as "MAJOR.MINOR.PATCH" (a static string).
 * Compare with RA_VERSION_STRING to detect a header/library mismatch. Thread-safe.
 */
RA_EXTERN const char *ra_version(void);

#ifdef __cplusplus
}
#endif

#endif
