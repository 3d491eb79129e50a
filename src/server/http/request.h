/* SPDX-License-Identifier: MIT */
/*
 * request.h: one HTTP request from its header section to its access-log line.
 *
 * All of a request's memory hangs off struct request and is released by request_finish().
 */
#ifndef RA_SERVER_HTTP_REQUEST_H
#define RA_SERVER_HTTP_REQUEST_H

#include "acct.h"
#include "app.h"
#include "common/buf.h"
#include "http/reply.h"
#include "router.h"

#include <microhttpd.h>
#include <stdint.h>

struct request {
    const struct app *app;
    uint64_t start_ns;
    char id[20];
    char method[8];
    char path[256];
    char customer_id[STORE_HEX32 + 1];
    enum route route;
    bool has_body;      /* Content-Length > 0 or Transfer-Encoding */
    struct acct *acct;  /* set once authenticated */
    struct reply reply; /* status 0 until decided */
    struct ra_buf body;
    size_t drained; /* body bytes dropped after the reply was decided */
    int console;    /* a console API call: 1 + its index in console.c's table; else 0 */
};

/*
 * Begin a request once its header section is in: strict header checks, limits, routing,
 * throttling, authentication, rate limit and media type. A failure decides the reply at once
 * (req->reply.status != 0); nothing is queued yet. NULL when out of memory.
 */
struct request *request_new(const struct app *app, struct MHD_Connection *conn, const char *url,
                            const char *method, const char *version);

/* Take a piece of the body; over the limit decides a 413 that closes the connection. */
void request_body(struct request *req, const char *data, size_t len);

/* Decode the body and run the handler; decides the reply. */
void request_run(struct request *req, struct MHD_Connection *conn);

/* True when a Content-Type value names application/json, with or without parameters. */
bool request_is_json(const char *content_type);

/* Seed request ids from the CSPRNG; call once before serving. */
void request_ids_init(void);

/* Write the access-log line and free the request. */
void request_finish(struct request *req);

#endif
