/* SPDX-License-Identifier: MIT */
/*
 * engine.h: what the files of the adapter over h2o's library share (server.c, conn.c,
 * tls.c): the server, its event loops, and the HTTP/1.1 connection entry point. Nothing
 * outside http/ includes it.
 *
 * One event loop per worker thread; every loop accepts on its own duplicate of the listening
 * socket, so whichever loop is idle takes the next connection. A connection lives on the loop
 * that accepted it. Handlers run on the loop's thread and may block briefly on the store, as
 * the threads of a pool would.
 */
#ifndef RA_SERVER_HTTP_ENGINE_H
#define RA_SERVER_HTTP_ENGINE_H

#include "app.h"
#include "common/buf.h"
#include "http/listen.h"
#include "http/peers.h"
#include "http/pico.h"
#include "http/tls13.h"
#include "request/request.h"

#include <h2o.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct worker;

/* One request in progress: the engine-neutral request and what the adapter keeps for it. */
#define MAX_FIELDS 128 /* header fields in one request */

struct exchange {
    struct request req;
    char *head; /* a copy of the request head, each field NUL-terminated; wiped when freed */
    size_t head_len;
    char version[16]; /* "HTTP/1.x" as received */
    size_t nfields;
    bool keep_alive;
    bool head_only; /* HEAD: the reply's body is not sent */
    bool chunked;
    size_t body_left; /* Content-Length bytes still to come */
    struct phr_chunked_decoder decoder;
    struct ra_buf out; /* the reply's status line and header fields */
    h2o_iovec_t iov[2];
    /* Last, and not cleared when an exchange is made: nfields says how many are set. */
    struct phr_header fields[MAX_FIELDS];
};

/* A new exchange, all zero but its fields (not yet set), or NULL. The head and the request's
 * secrets are wiped where they are released; the rest holds none. */
struct exchange *exchange_new(void);

/* The engine view (request_io) of an exchange's header fields. */
extern const struct request_io exchange_io;

struct http_server {
    struct app *app;
    const struct config *cfg;
    pthread_mutex_t tls_lock; /* guards each worker's tls */
    SSL_CTX *tls;             /* the context checked at start, until the first loop takes it */
    bool tls_on;
    int listen_fd;                /* the listening socket (each loop holds a duplicate) */
    bool unix_socket;             /* listen_fd is a Unix socket: its file goes at stop */
    struct listen_file unix_file; /* that file */
    struct peers peers;           /* open connections per client address */
    h2o_globalconf_t h2;          /* HTTP/2 (over TLS, by ALPN): one host, one handler */
    bool h2_ready;                /* h2 was initialised: dispose it with the server */
    long max_conns;               /* connections allowed */
    bool admin;                   /* the admin listener: gate_admin() answers every request */
    atomic_long conns;            /* open connections */
    atomic_long inflight;         /* requests begun and not finished */
    atomic_bool draining;         /* no new connections or requests; idle ones close */
    atomic_bool stopping;         /* the loops end */
    int nworkers;
    struct worker *workers;
};

struct worker {
    struct http_server *s;
    h2o_evloop_t *loop;
    h2o_socket_t *listener; /* NULL once draining */
    h2o_timeout_t head_timeout;
    h2o_timeout_t body_timeout;
    h2o_timeout_t idle_timeout;
    h2o_context_t h2; /* HTTP/2 connections of this loop */
    h2o_accept_ctx_t h2_accept;
    h2o_linklist_t conns; /* every open connection of this loop */
    pthread_t thread;
    time_t date_at;               /* the second `date` was written for */
    char date[40];                /* the Date header's value */
    bool drained;                 /* idle connections were closed after draining began */
    struct tls13_ciphers ciphers; /* for the TLS 1.3 records of this loop's connections */
    SSL_CTX *tls; /* this loop's own TLS context (under s->tls_lock), NULL for plain HTTP */
    struct exchange *spare; /* a finished exchange, kept for the next request, or NULL */
};

/* Write the status line and header fields of x's reply into x->out (`close`: with
 * "Connection: close"). 0 or -ENOMEM. */
int head_format(struct worker *w, struct exchange *x, bool close);

/* Take an accepted socket on w's loop: count it, run the TLS handshake when on, serve it. */
void conn_accept(struct worker *w, h2o_socket_t *sock);

/* Set up s->h2: every HTTP/2 request goes to the pipeline. 0 or -ENOMEM. */
int h2_setup(struct http_server *s);

/* Serve the TLS connection sock, which chose HTTP/2 by ALPN, on w's loop. */
void h2_accept(struct worker *w, h2o_socket_t *sock);

/* Close every connection of w that has no request in progress (the drain). */
void conn_close_idle(struct worker *w);

/* Close every connection of w (the end). */
void conn_close_all(struct worker *w);

/*
 * Build the TLS context of cfg's --tls-cert and --tls-key (both or neither): TLS 1.2 and 1.3,
 * X25519 preferred, ALPN. The certificate chain and key are checked, and a bad file is
 * reported as such (never any of the key's content). *out is NULL without TLS. 0 or a
 * negative errno after logging why.
 */
int tls_context(const struct config *cfg, SSL_CTX **out);

/* Have `to` seal and open session tickets with the keys of `from`, so that a session resumes
 * on any event loop, and across a reload. 0 or -EINVAL. */
int tls_share_ticket_keys(SSL_CTX *from, SSL_CTX *to);

/*
 * Give the server socket *sock, whose TLS 1.3 handshake has just completed, a record layer of
 * its own (tls13.h; c: the loop's contexts): its SSL is freed and *sock becomes a plain socket on
 * the same descriptor, with *rec the record state (holding the session ticket, which goes out
 * with the first reply) and *opened the input OpenSSL had already opened. 1 when done; 0 when
 * the connection stays with OpenSSL (*sock untouched); a negative code when the socket is gone.
 */
int tls_handoff(h2o_loop_t *loop, struct tls13_ciphers *c, h2o_socket_t **sock, struct tls13 **rec,
                h2o_buffer_t **opened);

#endif
