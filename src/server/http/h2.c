/* SPDX-License-Identifier: MIT */
/*
 * h2.c: HTTP/2 over TLS (chosen by ALPN), served by h2o's own HTTP/2 layer. h2o reads each
 * stream's body whole (up to --max-body) before its handler runs, so the handler calls the
 * pipeline's stages back to back: gate_head, gate_body with the body, gate_run, gate_finish.
 * The request is seen by the pipeline with version "HTTP/2" and a Host field made from the
 * :authority pseudo-header.
 */
#include "common/alloc.h"
#include "gate/gate.h"
#include "http/engine.h"

#include <errno.h>
#include <h2o/http2.h>
#include <string.h>
#include <sys/time.h>

struct h2_handler {
    h2o_handler_t super;
    struct http_server *s;
};

/* Copy n bytes at p into the head at *at, NUL-terminated; returns the copy. */
static char *
put(char **at, const char *p, size_t n)
{
    char *r = *at;
    memcpy(r, p, n);
    r[n] = '\0';
    *at += n + 1;
    return r;
}

/* Fill x from h2o's request: method, target, fields, with a Host field from :authority and a
 * Content-Length field for a body. 0, or -ENOMEM / -E2BIG. */
static int
fill(struct exchange *x, h2o_req_t *hreq)
{
    char clen[24];
    int clen_len =
        hreq->entity.base != NULL ? snprintf(clen, sizeof(clen), "%zu", hreq->entity.len) : 0;
    size_t need =
        hreq->input.method.len + hreq->input.path.len + hreq->authority.len + (size_t)clen_len + 32;
    for (size_t i = 0; i < hreq->headers.size; i++)
        need += hreq->headers.entries[i].name->len + hreq->headers.entries[i].value.len + 2;
    if (hreq->headers.size + 2 > MAX_FIELDS)
        return -E2BIG;
    char *at = x->head = ra_malloc(need);
    if (at == NULL)
        return -ENOMEM;
    x->head_len = need - 1;
    x->req.method = put(&at, hreq->input.method.base, hreq->input.method.len);
    x->req.raw_target = put(&at, hreq->input.path.base, hreq->input.path.len);
    x->req.raw_target_len = hreq->input.path.len;
    struct phr_header *f = x->fields;
    f->name = put(&at, "host", 4);
    f->name_len = 4;
    f->value = put(&at, hreq->authority.base, hreq->authority.len);
    f->value_len = hreq->authority.len;
    for (size_t i = 0; i < hreq->headers.size; i++) {
        const h2o_header_t *h = &hreq->headers.entries[i];
        f++;
        f->name = put(&at, h->name->base, h->name->len);
        f->name_len = h->name->len;
        f->value = put(&at, h->value.base, h->value.len);
        f->value_len = h->value.len;
    }
    x->nfields = hreq->headers.size + 1;
    if (clen_len > 0) { /* h2o keeps the length apart from the fields */
        f++;
        f->name = put(&at, "content-length", 14);
        f->name_len = 14;
        f->value = put(&at, clen, (size_t)clen_len);
        f->value_len = (size_t)clen_len;
        x->nfields++;
    }
    return 0;
}

/* A copy of a reply body in the stream's memory pool, wiped when the pool lets it go. */
struct pooled_body {
    size_t len;
    char bytes[];
};

/* h2o_mem_alloc_shared's dispose callback: wipe the body before the pool reuses it. */
static void
wipe_pooled(void *p)
{
    struct pooled_body *b = p;
    ra_wipe(b->bytes, b->len);
}

/* Send the reply's body as the stream's whole body (none for HEAD). A body that holds a secret
 * is copied into pool memory that is wiped on release, not into h2o's plain pool copy. */
static void
send_body(h2o_req_t *hreq, const struct reply *r)
{
    static h2o_generator_t once = {NULL, NULL};
    bool head = h2o_memis(hreq->input.method.base, hreq->input.method.len, H2O_STRLIT("HEAD"));
    if (!r->wipe_body || head || r->len == 0) {
        h2o_send_inline(hreq, r->body, r->len);
        return;
    }
    struct pooled_body *b = h2o_mem_alloc_shared(&hreq->pool, sizeof(*b) + r->len, wipe_pooled);
    b->len = r->len;
    memcpy(b->bytes, r->body, r->len);
    h2o_iovec_t buf = h2o_iovec_init(b->bytes, b->len);
    h2o_start_response(hreq, &once);
    h2o_send(hreq, &buf, 1, H2O_SEND_STATE_FINAL);
}

/* Wipe the stream's request body (it may hold a console password) in h2o's buffer once it has
 * been handled. Header values are left alone: HPACK's dynamic table may share them with the
 * connection's later requests. */
static void
wipe_request(h2o_req_t *hreq)
{
    if (hreq->entity.base != NULL)
        ra_wipe(hreq->entity.base, hreq->entity.len);
}

/* Turn the decided reply into h2o's response and send it. */
static void
respond(h2o_req_t *hreq, const struct reply *r)
{
    hreq->res.status = r->status;
    hreq->res.reason = "";
    hreq->res.content_length = r->len;
    h2o_headers_t *hs = &hreq->res.headers;
    const char *ct = r->content_type ? r->content_type : "application/json";
    h2o_add_header(&hreq->pool, hs, H2O_TOKEN_CONTENT_TYPE, NULL, ct, strlen(ct));
    for (int i = 0; i < r->nheaders; i++) { /* HTTP/2 field names are lower case */
        h2o_iovec_t name = h2o_strdup(&hreq->pool, r->headers[i].name, SIZE_MAX);
        h2o_strtolower(name.base, name.len);
        h2o_add_header_by_str(&hreq->pool, hs, name.base, name.len, 1, NULL, r->headers[i].value,
                              strlen(r->headers[i].value));
    }
    if (r->www_auth)
        h2o_add_header(&hreq->pool, hs, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                       H2O_STRLIT("Basic realm=\"restauth\", charset=\"UTF-8\""));
    if (r->retry_after > 0) { /* the library keeps the value by reference: it goes in the pool */
        char v[16];
        int n = snprintf(v, sizeof(v), "%d", r->retry_after);
        h2o_iovec_t value = h2o_strdup(&hreq->pool, v, (size_t)n);
        h2o_add_header(&hreq->pool, hs, H2O_TOKEN_RETRY_AFTER, NULL, value.base, value.len);
    }
    send_body(hreq, r);
}

static int
on_req(h2o_handler_t *self, h2o_req_t *hreq)
{
    struct http_server *s = ((struct h2_handler *)self)->s;
    struct exchange *x = exchange_new();
    if (x == NULL)
        return -1;
    struct sockaddr_storage peer;
    socklen_t len = hreq->conn->callbacks->get_peername(hreq->conn, (struct sockaddr *)&peer);
    x->req.peer = len > 0 ? (struct sockaddr *)&peer : NULL;
    x->req.tls = true;
    x->req.version = "HTTP/2";
    x->req.io = &exchange_io;
    x->req.engine = x;
    atomic_fetch_add(&s->inflight, 1);
    int rc = fill(x, hreq);
    if (rc < 0) {
        x->req.method = x->req.raw_target = "";
        x->req.version = "HTTP/2";
    }
    gate_head(s->app, &x->req);
    bool sealed = x->req.reply.status != 0 && x->req.has_body; /* by gate_head */
    if (rc < 0 && x->req.reply.status == 0)
        reply_message(&x->req.reply, rc == -E2BIG ? 431 : 500,
                      rc == -E2BIG ? "Request header fields too large"
                                   : "An unexpected error occurred");
    if (x->req.reply.status == 0 && hreq->entity.base != NULL && hreq->entity.len > 0)
        gate_body(&x->req, hreq->entity.base, hreq->entity.len);
    if (!sealed)
        gate_run(&x->req);
    respond(hreq, &x->req.reply);
    gate_finish(&x->req);
    wipe_request(hreq);
    if (x->head != NULL)
        ra_free_secret(x->head, x->head_len + 1);
    ra_free(x);
    atomic_fetch_sub(&s->inflight, 1);
    return 0;
}

int
h2_setup(struct http_server *s)
{
    h2o_config_init(&s->h2);
    s->h2_ready = true;
    s->h2.max_request_entity_size = (size_t)s->cfg->max_body;
    s->h2.http2.idle_timeout = (uint64_t)s->cfg->idle_timeout * 1000;
    s->h2.http1.upgrade_to_http2 = 0;
    s->h2.server_name = h2o_iovec_init(NULL, 0); /* no Server field, as over HTTP/1.1 */
    h2o_hostconf_t *host =
        h2o_config_register_host(&s->h2, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    struct h2_handler *h = (void *)h2o_create_handler(path, sizeof(*h));
    if (h == NULL)
        return -ENOMEM;
    h->s = s;
    h->super.on_req = on_req;
    return 0;
}

void
h2_accept(struct worker *w, h2o_socket_t *sock)
{
    struct timeval now;
    gettimeofday(&now, NULL);
    h2o_http2_accept(&w->h2_accept, sock, now);
}
