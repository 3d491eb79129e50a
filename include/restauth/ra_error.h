/* SPDX-License-Identifier: MIT */
/*
 * ra_error.h: the error codes every librestauth call returns.
 *
 * Part of librestauth's public API; include <restauth/restauth.h> rather than this file.
 * RA_OK is 0. Codes are never renumbered or reused; new codes are only appended.
 */
#ifndef RESTAUTH_RA_ERROR_H
#define RESTAUTH_RA_ERROR_H

#include "ra_version.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ra_err {
    RA_OK = 0,        /* success */
    RA_EINVAL = 1,    /* an argument is invalid (NULL handle, malformed URL, bad id, ...) */
    RA_ENOMEM = 2,    /* out of memory */
    RA_ENOCRED = 3,   /* no credentials: none set, or the environment variables are unset */
    RA_ECREDFILE = 4, /* the credentials file cannot be read or has no key/secret lines */
    RA_EINSECURE = 5, /* refused: credentials would go over plain http:// to a non-loopback host */
    RA_EDNS = 6,      /* the host name could not be resolved */
    RA_ECONNECT = 7,  /* no connection could be made (refused, unreachable, connect timeout) */
    RA_ENETWORK = 8,  /* the connection failed mid-request (reset, closed, timeout, I/O error) */
    RA_ETLS = 9,      /* TLS failed: handshake, certificate verification, or the CA file */
    RA_EAUTH = 10,    /* HTTP 401: the server rejected the credentials */
    RA_EFORBIDDEN = 11, /* HTTP 403 */
    RA_ENOTFOUND = 12,  /* HTTP 404: no such project (or no such route) */
    RA_EREQUEST = 13,   /* HTTP 400 or another 4xx: the server rejected the request */
    RA_ERATELIMIT = 14, /* HTTP 429, still after every allowed retry */
    RA_ESERVER = 15,    /* HTTP 5xx, still after every allowed retry */
    RA_EPROTOCOL = 16,  /* the response is not what the API documents (status, JSON, fields) */
    RA_EINIT = 17,      /* ra_global_init() was not called or failed, or libcurl failed */
};

/**
 * A short, static, English description of `err` ("success", "out of memory", ...). Unknown
 * values give "unknown error". Never NULL; thread-safe. The per-call detail is in
 * ra_client_errmsg().
 */
RA_EXTERN const char *ra_strerror(enum ra_err err);

#ifdef __cplusplus
}
#endif

#endif
