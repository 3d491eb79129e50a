/* SPDX-License-Identifier: MIT */
/*
 * reply.h: a response being built by a handler: status, JSON body and the few headers that
 * vary. The HTTP layer turns it into the wire response.
 */
#ifndef RA_SERVER_HTTP_REPLY_H
#define RA_SERVER_HTTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

struct reply {
    int status;
    char *body; /* owned, allocated with ra_malloc */
    size_t len;
    int retry_after; /* seconds; 0 = no Retry-After header */
    bool www_auth;   /* add the Basic challenge (set for every 401) */
    bool close;      /* close the connection after this response */
};

/* Gateway-style error: {"message":"<msg>"}. Sets www_auth on 401. */
void reply_message(struct reply *r, int status, const char *msg);
/* Application error: {"status":"error","message":"<msg>"}. */
void reply_error(struct reply *r, int status, const char *msg);
/* Take ownership of a JSON body. A NULL body (out of memory) becomes a 500. */
void reply_json(struct reply *r, int status, char *body, size_t len);
/* Release the body. */
void reply_cleanup(struct reply *r);

#endif
