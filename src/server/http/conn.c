/* SPDX-License-Identifier: MIT */
/*
 * conn.c: one HTTP/1.1 connection over an h2o socket (plain or TLS), parsed with the
 * library's picohttpparser, driving the pipeline (gate/gate.h) in its two stages.
 *
 * A connection is in one of these states:
 *   HEAD  waiting for a request head; its deadline (--header-timeout) starts at accept or at
 *         the first byte after an idle spell, and bytes received do not move it;
 *   BODY  reading the body in pieces (gate_body), under its own deadline (--body-timeout);
 *   BUSY  the reply is decided and being written; nothing is read;
 *   IDLE  keep-alive, no request: --idle-timeout.
 * An idle connection holds this struct and h2o's socket: every buffer is released between
 * requests (the head and body are copied out of the input buffer, and consumed).
 */
#include "common/alloc.h"
#include "common/buf.h"
#include "common/log.h"
#include "gate/gate.h"
#include "http/engine.h"
#include "http/pico.h"

#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

/* Over OpenSSL's records, a reply body up to this size is sent in one buffer with the head,
 * since OpenSSL seals each buffer as records of its own; plain writes go out as one writev
 * and tls13_seal packs the buffers into the same records, so they need no copy. */
#define SMALL_BODY (16 * 1024)

enum conn_state { CONN_HEAD, CONN_BODY, CONN_BUSY, CONN_IDLE, CONN_H2 };

struct conn {
    h2o_socket_t *sock;
    struct worker *w;
    h2o_timeout_entry_t timer;
    h2o_linklist_t link; /* in w->conns */
    union {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
    } peer;
    bool peer_counted;
    bool continuing;    /* a 100 Continue is being written */
    bool reply_waiting; /* the reply waits for that write */
    bool alerted;       /* with rec: our last alert is sent; nothing follows it */
    enum conn_state state;
    struct exchange *x;  /* the request in progress, or NULL */
    struct tls13 *rec;   /* TLS 1.3 records sealed and opened here (tls_handoff), or NULL */
    h2o_buffer_t *plain; /* with rec: the opened input, which the parser reads */
    uint8_t *sealed;     /* with rec: the records being written */
    SSL_CTX *tls;        /* a reference to the context of the handshake, until it ends */
};

static void on_read(h2o_socket_t *sock, const char *err);
static void parse_head(struct conn *c);

/* Where the request bytes are: the socket's input, or the records opened from it. */
static h2o_buffer_t **
input_of(struct conn *c)
{
    return c->rec != NULL ? &c->plain : &c->sock->input;
}

/* ---- the engine view of a request (request_io) ---- */

static void
each_field(void *engine, request_field_fn fn, void *ctx)
{
    struct exchange *x = engine;
    for (size_t i = 0; i < x->nfields; i++)
        if (fn(ctx, x->fields[i].name, x->fields[i].name_len, x->fields[i].value,
               x->fields[i].value_len) != 0)
            return;
}

static const char *
field(void *engine, const char *name, int *count)
{
    struct exchange *x = engine;
    const char *value = NULL;
    int n = 0;
    for (size_t i = 0; i < x->nfields; i++)
        if (strcasecmp(x->fields[i].name, name) == 0 && n++ == 0)
            value = x->fields[i].value;
    if (count != NULL)
        *count = n;
    return value;
}

const struct request_io exchange_io = {each_field, field};

struct exchange *
exchange_new(void)
{
    struct exchange *x = ra_malloc(sizeof(*x));
    if (x != NULL)
        memset(x, 0, offsetof(struct exchange, fields));
    return x;
}

/* An exchange for a new request on w's loop: the loop's spare one, or a new one. */
static struct exchange *
take_exchange(struct worker *w)
{
    struct exchange *x = w->spare;
    if (x == NULL)
        return exchange_new();
    w->spare = NULL;
    memset(x, 0, offsetof(struct exchange, fields));
    return x;
}

/* ---- timers and closing ---- */

static void
finish_exchange(struct conn *c)
{
    struct exchange *x = c->x;
    if (x == NULL)
        return;
    c->x = NULL;
    if (c->w->s->admin)
        reply_cleanup(&x->req.reply); /* no access-log line */
    else
        gate_finish(&x->req);
    ra_buf_cleanup(&x->out);
    if (x->head != NULL)
        ra_free_secret(x->head, x->head_len + 1);
    if (c->w->spare == NULL) /* kept for the loop's next request */
        c->w->spare = x;
    else
        ra_free(x);
    atomic_fetch_sub(&c->w->s->inflight, 1);
}

/* Drop c from the counts and free it (its socket is closed by the caller, or was). */
static void
forget(struct conn *c)
{
    h2o_timeout_unlink(&c->timer);
    h2o_linklist_unlink(&c->link);
    struct http_server *s = c->w->s;
    if (c->peer_counted)
        peers_give(&s->peers, &c->peer.sa);
    if (!s->admin)
        gate_conn_close(s->app, s->tls_on);
    atomic_fetch_sub(&s->conns, 1);
    SSL_CTX_free(c->tls);
    if (c->rec != NULL) {
        if (c->plain->size > 0)
            ra_wipe(c->plain->bytes, c->plain->size);
        h2o_buffer_dispose(&c->plain);
        ra_free(c->sealed);
        tls13_free(c->rec);
    }
    ra_free(c);
}

/* Send an alert of the connection's own records, when no write is under way and no alert
 * went before (best effort: the connection closes next). */
static void
send_alert(struct conn *c, uint8_t level, uint8_t description)
{
    if (c->rec == NULL || c->alerted || h2o_socket_is_writing(c->sock))
        return;
    uint8_t small[TLS13_ALERT_RECORD];
    size_t size = tls13_alert_size(c->rec); /* more with a ticket never sent */
    uint8_t *rec = size <= sizeof(small) ? small : ra_malloc(size);
    long n = rec != NULL ? tls13_seal_alert(c->rec, &c->w->ciphers, level, description, rec) : -1;
    if (n >= 0) {
        c->alerted = true;
        ssize_t sent =
            send(h2o_socket_get_fd(c->sock), rec, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
        (void)sent;
    }
    if (rec != small)
        ra_free(rec);
}

static void
close_conn(struct conn *c)
{
    send_alert(c, 1, 0); /* close_notify */
    finish_exchange(c);
    h2o_socket_t *sock = c->sock;
    forget(c);
    h2o_socket_close(sock);
}

static void
on_timeout(h2o_timeout_entry_t *entry)
{
    struct conn *c = H2O_STRUCT_FROM_MEMBER(struct conn, timer, entry);
    if (c->state == CONN_BUSY) {
        /* A reply is being written: its buffers stay until the write fails. */
        shutdown(h2o_socket_get_fd(c->sock), SHUT_RDWR);
        return;
    }
    close_conn(c);
}

/* Start the deadline `t` now (replacing any other). */
static void
set_timer(struct conn *c, h2o_timeout_t *t)
{
    h2o_timeout_unlink(&c->timer);
    c->timer.cb = on_timeout;
    h2o_timeout_link(c->w->loop, t, &c->timer);
}

/* ---- writing the reply ---- */

/* Write bufs (at most 2), sealed into records when the connection's records are its own, and
 * then, when it is the `last` write, our close_notify in the same write; cb is called when
 * done (and must call drop_sealed). */
static void
conn_write(struct conn *c, h2o_iovec_t *bufs, size_t n, bool last, h2o_socket_cb cb)
{
    if (c->rec == NULL) {
        h2o_socket_write(c->sock, bufs, n, cb);
        return;
    }
    struct iovec v[2];
    size_t total = 0;
    for (size_t i = 0; i < n && i < 2; i++) {
        v[i] = (struct iovec){bufs[i].base, bufs[i].len};
        total += bufs[i].len;
    }
    c->sealed = ra_malloc(tls13_sealed_size(c->rec, total) + TLS13_ALERT_RECORD);
    long len = c->sealed != NULL ? tls13_seal(c->rec, &c->w->ciphers, v, n < 2 ? n : 2, c->sealed)
                                 : -ENOMEM;
    long alert = len >= 0 && last && !c->alerted
                     ? tls13_seal_alert(c->rec, &c->w->ciphers, 1, 0, c->sealed + len)
                     : 0;
    c->alerted |= alert > 0;
    len = alert < 0 ? alert : len + alert;
    if (len < 0) { /* nothing can be sent: the connection ends */
        shutdown(h2o_socket_get_fd(c->sock), SHUT_RDWR);
        len = 0;
    }
    h2o_iovec_t out = h2o_iovec_init(c->sealed, (size_t)len);
    h2o_socket_write(c->sock, &out, 1, cb);
}

static void
drop_sealed(struct conn *c)
{
    ra_free(c->sealed);
    c->sealed = NULL;
}

static void
on_written(h2o_socket_t *sock, const char *err)
{
    struct conn *c = sock->data;
    drop_sealed(c);
    bool keep = err == NULL && c->x->keep_alive && !atomic_load(&c->w->s->draining);
    finish_exchange(c);
    if (!keep) {
        close_conn(c);
        return;
    }
    c->state = CONN_IDLE;
    set_timer(c, &c->w->idle_timeout);
    h2o_socket_read_start(sock, on_read);
    if (sock->input->size > 0 || (*input_of(c))->size > 0) /* a pipelined request is in */
        on_read(sock, NULL);
}

/* Send x's decided reply; the connection then waits for the next request, or closes. */
static void
send_reply(struct conn *c)
{
    struct exchange *x = c->x;
    c->state = CONN_BUSY;
    h2o_socket_read_stop(c->sock);
    set_timer(c, &c->w->idle_timeout); /* a client that does not read is dropped */
    if (c->continuing) {               /* one write at a time: after the 100 Continue */
        c->reply_waiting = true;
        return;
    }
    if (x->req.reply.close || atomic_load(&c->w->s->draining))
        x->keep_alive = false;
    if (head_format(c->w, x, !x->keep_alive) < 0) {
        close_conn(c);
        return;
    }
    bool body = !x->head_only && x->req.reply.len > 0;
    if (body && x->req.reply.len <= SMALL_BODY && c->sock->ssl != NULL) { /* one TLS record */
        ra_buf_append(&x->out, x->req.reply.body, x->req.reply.len);
        body = false;
    }
    if (x->out.failed) {
        close_conn(c);
        return;
    }
    x->iov[0] = h2o_iovec_init(x->out.data, x->out.len);
    size_t n = 1;
    if (body)
        x->iov[n++] = h2o_iovec_init(x->req.reply.body, x->req.reply.len);
    conn_write(c, x->iov, n, !x->keep_alive, on_written);
}

/* The run stage, then the reply. */
static void
run(struct conn *c)
{
    h2o_timeout_unlink(&c->timer);
    gate_run(&c->x->req); /* also seals a reply decided before it */
    send_reply(c);
}

/* Decide an error reply (JSON) that closes the connection, and send it. */
static void
fail(struct conn *c, int status, const char *message)
{
    reply_message(&c->x->req.reply, status, message);
    c->x->req.reply.close = true;
    send_reply(c);
}

static void
on_closing_write(h2o_socket_t *sock, const char *err)
{
    (void)err;
    drop_sealed(sock->data);
    close_conn(sock->data);
}

/* Answer a head that could not be parsed (no request exists) with JSON, and close. */
static void
refuse_head(struct conn *c, int status)
{
    static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                              "Content-Length: 25\r\nConnection: close\r\n\r\n"
                              "{\"message\":\"Bad Request\"}";
    static const char big[] =
        "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json\r\n"
        "Content-Length: 46\r\nConnection: close\r\n\r\n"
        "{\"message\":\"Request header fields too large\"}";
    h2o_iovec_t v =
        status == 431 ? h2o_iovec_init(big, sizeof(big) - 1) : h2o_iovec_init(bad, sizeof(bad) - 1);
    c->state = CONN_BUSY;
    h2o_socket_read_stop(c->sock);
    set_timer(c, &c->w->idle_timeout);
    conn_write(c, &v, 1, true, on_closing_write);
}

/* ---- the body ---- */

/* Hand `n` body bytes to the pipeline (unless the reply is decided); wipe them. */
static void
deliver(struct exchange *x, char *data, size_t n)
{
    if (n == 0)
        return;
    if (x->req.reply.status == 0)
        gate_body(&x->req, data, n);
    ra_wipe(data, n);
}

static void
read_body(struct conn *c)
{
    struct exchange *x = c->x;
    h2o_buffer_t *in = *input_of(c);
    bool done;
    if (x->chunked) {
        size_t n = in->size;
        ssize_t rest = phr_decode_chunked(&x->decoder, in->bytes, &n);
        if (rest == -1) {
            fail(c, 400, "Bad Request");
            return;
        }
        deliver(x, in->bytes, n);
        in->size = n + (rest > 0 ? (size_t)rest : 0);
        h2o_buffer_consume(input_of(c), n);
        done = rest >= 0;
    } else {
        size_t n = in->size < x->body_left ? in->size : x->body_left;
        deliver(x, in->bytes, n);
        h2o_buffer_consume(input_of(c), n);
        x->body_left -= n;
        done = x->body_left == 0;
    }
    if (x->req.reply.status != 0) { /* over the limit: answered now, and closed */
        x->keep_alive = x->keep_alive && done;
        run(c);
    } else if (done)
        run(c);
}

static void
on_continue(h2o_socket_t *sock, const char *err)
{
    struct conn *c = sock->data;
    drop_sealed(c);
    c->continuing = false;
    if (err != NULL)
        shutdown(h2o_socket_get_fd(sock), SHUT_RDWR);
    if (c->reply_waiting) {
        c->reply_waiting = false;
        send_reply(c);
    }
}

/* ---- the head ---- */

/* Does the comma-separated value hold `token` (ASCII case-insensitive)? */
static bool
has_token(const char *value, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = value; p != NULL && *p != '\0';) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == n && strncasecmp(p, token, n) == 0)
            return true;
        p = end;
    }
    return false;
}

/* A head as the parser found it in the input buffer, before it is copied. */
struct parsed_head {
    const char *method, *path;
    size_t mlen, plen, nfields;
    int minor;
    struct phr_header fields[MAX_FIELDS];
};

/*
 * Take the parts of the head parsed at `from` into x->head (its copy), NUL-terminated in
 * place: the method, each field's name and value (the raw target keeps its length). 0, or -1
 * when the head holds a continuation line.
 */
static int
split_head(struct exchange *x, const struct parsed_head *p, const char *from)
{
    char *to = x->head;
    x->nfields = p->nfields;
    for (size_t i = 0; i < p->nfields; i++) {
        if (p->fields[i].name == NULL)
            return -1;
        char *name = to + (p->fields[i].name - from), *value = to + (p->fields[i].value - from);
        name[p->fields[i].name_len] = '\0';
        value[p->fields[i].value_len] = '\0';
        x->fields[i] =
            (struct phr_header){name, p->fields[i].name_len, value, p->fields[i].value_len};
    }
    char *method = to + (p->method - from), *path = to + (p->path - from);
    size_t mlen = p->mlen, plen = p->plen;
    int minor = p->minor;
    method[mlen] = '\0';
    path[plen] = '\0';
    x->req.raw_target = path; /* decoded by the pipeline (request/uri.c, query.c) */
    x->req.raw_target_len = plen;
    x->req.method = method;
    memcpy(x->version, "HTTP/1.", 7); /* the parser reads one digit: 1.2 and up get 505 */
    x->version[7] = (char)('0' + (minor >= 0 && minor <= 9 ? minor : 9));
    x->version[8] = '\0';
    x->req.version = x->version;
    x->head_only = strcmp(method, "HEAD") == 0;
    const char *conn = field(x, "Connection", NULL);
    x->keep_alive = minor == 0 ? conn != NULL && has_token(conn, "keep-alive")
                               : conn == NULL || !has_token(conn, "close");
    return 0;
}

/*
 * How the body is framed: 1 with a body (chunked or x->body_left bytes), 0 without, or an
 * error status (400: a malformed Content-Length; 501: a transfer coding other than chunked).
 */
static int
framing(struct exchange *x)
{
    const char *te = field(x, "Transfer-Encoding", NULL);
    if (te != NULL) {
        if (strcasecmp(te, "chunked") != 0)
            return 501;
        x->chunked = true;
        x->decoder.consume_trailer = 1;
        return 1;
    }
    const char *cl = field(x, "Content-Length", NULL);
    if (cl == NULL)
        return 0;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(cl, &end, 10);
    if (*cl < '0' || *cl > '9' || *end != '\0' || errno != 0 || n > SIZE_MAX)
        return 400;
    x->body_left = (size_t)n;
    return n > 0;
}

static void after_head(struct conn *c, int body);

/* A complete head of `len` bytes, parsed as p, is at the start of the input: start its
 * request. */
static void
begin(struct conn *c, size_t len, const struct parsed_head *p)
{
    struct http_server *s = c->w->s;
    struct exchange *x = take_exchange(c->w);
    char *head = x != NULL ? ra_malloc(len + 1) : NULL;
    if (head == NULL) {
        ra_free(x);
        close_conn(c);
        return;
    }
    h2o_buffer_t **in = input_of(c);
    memcpy(head, (*in)->bytes, len);
    head[len] = '\0';
    x->head = head;
    x->head_len = len;
    int split = split_head(x, p, (*in)->bytes);
    ra_wipe((*in)->bytes, len); /* it holds the Authorization field */
    h2o_buffer_consume(in, len);
    if (split < 0) {
        ra_free_secret(head, len + 1);
        ra_free(x);
        refuse_head(c, 400);
        return;
    }
    c->x = x;
    atomic_fetch_add(&s->inflight, 1);
    x->req.peer = c->peer.sa.sa_family != AF_UNSPEC ? &c->peer.sa : NULL;
    x->req.tls = c->sock->ssl != NULL || c->rec != NULL;
    x->req.io = &exchange_io;
    x->req.engine = x;
    int body = framing(x);
    if (s->admin) { /* every request answered at its head; a body is never read */
        gate_admin(s->app, &x->req);
        x->keep_alive = x->keep_alive && body == 0;
        send_reply(c);
        return;
    }
    gate_head(s->app, &x->req);
    after_head(c, body);
}

/* The head stage is done: answer now, run, or read the body (`body` as framing() says). */
static void
after_head(struct conn *c, int body)
{
    struct exchange *x = c->x;
    if (x->req.reply.status != 0 && x->req.has_body) { /* sealed; the body is never read */
        x->keep_alive = false;
        send_reply(c);
    } else if (x->req.reply.status != 0) {
        run(c);
    } else if (body > 1) {
        fail(c, body, body == 501 ? "Not Implemented" : "Bad Request");
    } else if (body == 0) {
        run(c);
    } else {
        c->state = CONN_BODY;
        set_timer(c, &c->w->body_timeout);
        const char *expect = field(x, "Expect", NULL);
        if (expect != NULL && strcasecmp(expect, "100-continue") == 0 &&
            (*input_of(c))->size == 0) {
            c->continuing = true;
            static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
            h2o_iovec_t v = h2o_iovec_init(cont, sizeof(cont) - 1);
            conn_write(c, &v, 1, false, on_continue);
        }
        read_body(c);
    }
}

/* Does p[0..n) hold an empty line (the end of a head)? */
static bool
has_blank_line(const char *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (p[i] == '\n' &&
            (p[i + 1] == '\n' || (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')))
            return true;
    return false;
}

static void
parse_head(struct conn *c)
{
    struct parsed_head p;
    p.nfields = MAX_FIELDS;
    h2o_buffer_t *in = *input_of(c);
    int n = phr_parse_request(in->bytes, in->size, &p.method, &p.mlen, &p.path, &p.plen, &p.minor,
                              p.fields, &p.nfields, 0);
    if (n > 0)
        begin(c, (size_t)n, &p);
    else if (n == -1 || has_blank_line(in->bytes, in->size)) /* ended, yet not whole */
        refuse_head(c, 400);
    else if (in->size > (size_t)c->w->s->cfg->max_header + 8192)
        refuse_head(c, 431);
}

/*
 * Open the whole records in the socket's input into c->plain. 0, or -1 when the connection
 * must close: the peer's alert, or a record that fails (after our alert saying why).
 */
static int
open_records(struct conn *c)
{
    h2o_buffer_t **in = &c->sock->input;
    long len;
    while ((len = tls13_record_len((const uint8_t *)(*in)->bytes, (*in)->size)) != 0) {
        if (len < 0) {
            send_alert(c, 2, 10); /* unexpected_message */
            return -1;
        }
        h2o_iovec_t room = h2o_buffer_reserve(&c->plain, (size_t)len);
        if (room.base == NULL)
            return -1;
        long n = tls13_open(c->rec, &c->w->ciphers, (const uint8_t *)(*in)->bytes, (size_t)len,
                            (uint8_t *)room.base);
        if (n < 0) {
            if (n != -ECONNRESET)
                send_alert(c, 2, n == -EBADMSG ? 20 : 10); /* bad_record_mac, unexpected */
            return -1;
        }
        c->plain->size += (size_t)n;
        h2o_buffer_consume(in, (size_t)len);
    }
    if (c->plain->size == 0) { /* an idle connection keeps no buffer */
        h2o_buffer_dispose(&c->plain);
        h2o_buffer_init(&c->plain, &h2o_socket_buffer_prototype);
    }
    return 0;
}

static void
on_read(h2o_socket_t *sock, const char *err)
{
    struct conn *c = sock->data;
    if (err != NULL || (c->rec != NULL && open_records(c) < 0)) {
        close_conn(c);
        return;
    }
    switch (c->state) {
    case CONN_IDLE:
        if ((*input_of(c))->size == 0)
            return;
        c->state = CONN_HEAD;
        set_timer(c, &c->w->head_timeout); /* from the first byte of the head */
        parse_head(c);
        break;
    case CONN_HEAD:
        parse_head(c);
        break;
    case CONN_BODY:
        read_body(c);
        break;
    case CONN_BUSY:
    case CONN_H2:
        break;
    }
}

/* ---- accepting ---- */

/* An HTTP/2 connection's socket is closed by h2o: the counts follow. */
static void
on_h2_closed(void *data)
{
    forget(data);
}

static void
on_handshake(h2o_socket_t *sock, const char *err)
{
    struct conn *c = sock->data;
    SSL_CTX_free(c->tls); /* the connection's SSL, if any, holds its own reference */
    c->tls = NULL;
    if (err != NULL) {
        close_conn(c);
        return;
    }
    gate_tls_handshake(c->w->s->app);
    h2o_iovec_t proto = h2o_socket_ssl_get_selected_protocol(sock);
    if (proto.len == 2 && memcmp(proto.base, "h2", 2) == 0) {
        h2o_timeout_unlink(&c->timer);
        c->state = CONN_H2;
        sock->on_close.cb = on_h2_closed;
        sock->on_close.data = c;
        h2_accept(c->w, sock);
        return;
    }
    if (tls_handoff(c->w->loop, &c->w->ciphers, &c->sock, &c->rec, &c->plain) < 0) {
        c->sock = NULL; /* closed with its SSL */
        forget(c);
        return;
    }
    sock = c->sock;
    sock->data = c;
    h2o_socket_read_start(sock, on_read);
    if (sock->input->size > 0 || (*input_of(c))->size > 0)
        on_read(sock, NULL);
}

void
conn_accept(struct worker *w, h2o_socket_t *sock)
{
    struct http_server *s = w->s;
    struct conn *c = NULL;
    if (atomic_fetch_add(&s->conns, 1) >= s->max_conns || atomic_load(&s->draining) ||
        (c = ra_calloc(1, sizeof(*c))) == NULL) {
        atomic_fetch_sub(&s->conns, 1);
        h2o_socket_close(sock);
        return;
    }
    c->sock = sock;
    c->w = w;
    sock->data = c;
    h2o_linklist_insert(&w->conns, &c->link);
    if (!s->admin)
        gate_conn_open(s->app, s->tls_on);
    struct sockaddr_storage peer;
    socklen_t len = h2o_socket_getpeername(sock, (struct sockaddr *)&peer);
    if (s->unix_socket)
        c->peer.sa.sa_family = AF_UNIX; /* a local process: the gate knows what to do */
    else if (len > 0 && len <= sizeof(c->peer))
        memcpy(&c->peer, &peer, len);
    if (c->peer.sa.sa_family == AF_INET || c->peer.sa.sa_family == AF_INET6) {
        if (peers_take(&s->peers, &c->peer.sa) < 0) {
            close_conn(c);
            return;
        }
        c->peer_counted = true; /* (the library's accept has set TCP_NODELAY) */
    }
    c->state = CONN_HEAD;
    set_timer(c, &w->head_timeout); /* the handshake and the first head */
    if (!s->tls_on) {
        h2o_socket_read_start(sock, on_read);
        return;
    }
    pthread_mutex_lock(&s->tls_lock);
    c->tls = w->tls;
    SSL_CTX_up_ref(c->tls);
    pthread_mutex_unlock(&s->tls_lock);
    /* The library makes the SSL when the client's first bytes come: until the handshake ends,
     * c->tls keeps the context alive through a reload. */
    h2o_socket_ssl_handshake(sock, c->tls, NULL, on_handshake);
}

/* Close w's connections that have no request in progress, or all of them. */
static void
close_where(struct worker *w, bool all)
{
    h2o_linklist_t *node = w->conns.next;
    while (node != &w->conns) {
        struct conn *c = H2O_STRUCT_FROM_MEMBER(struct conn, link, node);
        node = node->next;
        bool idle = c->x == NULL && (c->state == CONN_IDLE || (*input_of(c))->size == 0);
        if (c->state == CONN_H2) /* h2o's own: it closes them itself (GOAWAY at the drain) */
            continue;
        if (all || (idle && c->state != CONN_BUSY))
            close_conn(c);
    }
}

void
conn_close_idle(struct worker *w)
{
    close_where(w, false);
}

void
conn_close_all(struct worker *w)
{
    close_where(w, true);
}
