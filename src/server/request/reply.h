/* SPDX-License-Identifier: MIT */
/*
 * reply.h: a response being built by a handler: status, JSON body and the few headers that
 * vary. The HTTP layer turns it into the wire response.
 */
#ifndef RA_SERVER_REQUEST_REPLY_H
#define RA_SERVER_REQUEST_REPLY_H

#include <stdbool.h>
#include <stddef.h>

/* Extra response headers, used by the console (the REST API needs none). */
#define REPLY_MAX_HEADERS 8

struct reply_header {
    const char *name;
    char *value; /* owned (ra_malloc) when `owned`, else a static string */
    bool owned;
};

struct reply {
    int status;
    char *body; /* owned, allocated with ra_malloc */
    size_t len;
    int retry_after;          /* seconds; 0 = no Retry-After header */
    bool www_auth;            /* add the Basic challenge (set for every 401) */
    bool close;               /* close the connection after this response */
    bool wipe_body;           /* the body holds a secret (NUL-terminated): wipe it when freed */
    bool static_body;         /* the body is static data: never freed */
    const char *content_type; /* static; NULL = application/json */
    int nheaders;
    struct reply_header headers[REPLY_MAX_HEADERS];
};

/* Gateway-style error: {"message":"<msg>"}. Sets www_auth on 401. */
void reply_message(struct reply *r, int status, const char *msg);
/* Application error: {"status":"error","message":"<msg>"}. */
void reply_error(struct reply *r, int status, const char *msg);
/* 503 {"message":...} with Retry-After: 1: the store cannot be reached now, nothing was
 * done, and the client may try again. */
void reply_unavailable(struct reply *r);
/* Take ownership of a JSON body. A NULL body (out of memory) becomes a 500. */
void reply_json(struct reply *r, int status, char *body, size_t len);
/*
 * Add a header. `value` is copied when `copy` (the copy is wiped when released, as it may be a
 * session cookie), else it must be a static string. Returns 0, or -ENOSPC / -ENOMEM (the
 * header is then missing, which the caller may treat as a 500).
 */
int reply_add_header(struct reply *r, const char *name, const char *value, bool copy);
/* Answer with static bytes (a literal or embedded data) that are neither copied nor freed. */
void reply_static(struct reply *r, int status, const char *body, size_t len);

/* Release the body and the owned header values. */
void reply_cleanup(struct reply *r);

#endif
