/* SPDX-License-Identifier: MIT */
/*
 * request.h: one HTTP request as the rest of the server sees it, whatever engine parsed it.
 *
 * The engine adapter (http/) fills the first block: method, the request-target exactly as
 * received, version, the peer's address, whether TLS carried the request, and the header
 * lookups below, which read the engine's own parsed header fields. The pipeline (gate/)
 * derives the decoded path and the query parameters from the raw target itself (uri.c,
 * query.c), so no engine's decoding reaches routing, fills the rest as its phases run, and
 * every handler decides `reply`. All of a request's memory hangs off this struct and is
 * released by gate_finish().
 */
#ifndef RA_SERVER_REQUEST_REQUEST_H
#define RA_SERVER_REQUEST_REQUEST_H

#include "common/buf.h"
#include "request/query.h"
#include "request/reply.h"
#include "request/router.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct app;
struct acct;

/* Called once per header field, in order, with every byte of the value as received (an
 * engine must not cut a value at a NUL: the strict phase refuses control bytes); return
 * non-zero to stop. */
typedef int (*request_field_fn)(void *ctx, const char *name, size_t name_len, const char *value,
                                size_t value_len);

/* The engine's view of a request, implemented by the adapter. */
struct request_io {
    /* Call fn for every header field of the request, in order. */
    void (*each_field)(void *engine, request_field_fn fn, void *ctx);
    /* The value of the first header field named `name` (ASCII case-insensitive), or NULL;
     * *count (when not NULL) receives how many fields have that name. */
    const char *(*field)(void *engine, const char *name, int *count);
};

/* What the strict phase learns from one scan of the header section. */
struct request_fields {
    const char *auth; /* Authorization value (the last one seen) */
    size_t auth_len;
    int auth_count;
    const char *content_length;
    int cl_count;
    bool cl_conflict;
    bool has_te;
    bool te_chunked; /* one Transfer-Encoding field, exactly "chunked" */
    int host_count;
    bool ctl; /* a control byte in a field value */
    bool bad_name;
    size_t bytes;                /* each field counts name + value + 4 (": " and CRLF) */
    const char *forwarded_for;   /* X-Forwarded-For (the last one seen) */
    const char *forwarded_proto; /* X-Forwarded-Proto (the last one seen) */
    const char *content_type;
};

struct request {
    /* Filled by the engine adapter before gate_head(). */
    const char *method;
    /* The request-target as received on the request line (origin-form path and query, or
     * absolute-form), not decoded; raw_target_len bytes, need not be NUL-terminated. */
    const char *raw_target;
    size_t raw_target_len;
    const char *version;
    const struct sockaddr *peer; /* NULL when unknown */
    bool tls;
    const struct request_io *io;
    void *engine;

    /* Filled by the pipeline. */
    const struct app *app;
    /* The decoded path of raw_target (no scheme, authority, query or fragment), "" until the
     * strict phase has decoded it; owned. */
    const char *target;
    char *target_buf; /* target_short, or an allocation for a longer target */
    char target_short[256];
    struct query query; /* the decoded query parameters */
    uint64_t start_ns;
    char id[20];
    /* The method and path the access log names: the original request's for forward
     * authentication. */
    char log_method[16];
    char log_path[256];
    char customer_id[STORE_HEX32 + 1]; /* the verified Customer ID, "" otherwise */
    struct request_fields fields;
    struct sockaddr_storage client; /* the client a trusted proxy names; peer then points here */
    bool has_body;                  /* Content-Length > 0 or Transfer-Encoding */
    const struct route *route;      /* NULL until routed */
    /* The rate class counted and its requests per second per account (0 = unlimited): the
     * route's, or the one forward authentication picks for the original request. */
    const char *rate_class;
    long rate_limit;
    /* The {"message":...} text of a reply the pipeline decided (a static string), else NULL. */
    const char *message;
    int64_t account_id;           /* the caller's account once admitted, else 0 */
    struct acct *acct;            /* its runtime state */
    struct store_session session; /* console routes: the caller's session */
    struct ra_buf body;
    size_t drained;     /* body bytes dropped after the reply was decided */
    json_t *json;       /* the decoded body, NULL when there is none */
    struct reply reply; /* status 0 until decided */
};

/* The value of header field `name`, or NULL. */
static inline const char *
request_field(const struct request *req, const char *name)
{
    return req->io->field(req->engine, name, NULL);
}

/* The decoded value of query parameter `name` (compared case-sensitively; the first one when
 * repeated), or NULL when absent or given without "=". */
static inline const char *
request_query(const struct request *req, const char *name)
{
    return query_get(&req->query, name);
}

/* True when a Content-Type value names application/json, with or without parameters. */
bool request_is_json(const char *content_type);

/* A string field of the decoded body, or NULL when it is missing or not a string. */
const char *request_json_string(const struct request *req, const char *name);

#endif
