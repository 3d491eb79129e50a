/* SPDX-License-Identifier: MIT */
/*
 * server.h: the HTTP(S) engine adapter: listening, TLS, and turning each request into an
 * engine-neutral struct request for the pipeline (gate/gate.h).
 */
#ifndef RA_SERVER_HTTP_SERVER_H
#define RA_SERVER_HTTP_SERVER_H

#include "app.h"

struct http_server;

/*
 * Start listening as cfg says (TLS when cert and key are given; plain HTTP only on loopback
 * unless insecure_http), one worker per core unless --threads says otherwise. Prints the listening
 * line to stderr. 0 or a negative code after logging why.
 */
int http_server_start(struct app *app, struct http_server **out);

/*
 * Read --tls-cert and --tls-key again, check them, and use them for connections accepted from
 * now on; open connections go on with the certificate they started with. 0 (also for a server
 * without TLS), or a negative errno after logging why (the current certificate is kept):
 * -EINVAL for a bad pair, -EIO for an unreadable file.
 */
int http_server_reload_tls(struct http_server *s);

/*
 * Serve one connection on the connected stream socket fd (plain HTTP, taken over and closed)
 * on a loop of the calling thread, until it closes or `timeout_ms` has passed: the engine and
 * the pipeline end to end, for tests and fuzzing. The thread's loop and its deadlines are made
 * from app's settings at its first call and kept. 0, -ETIMEDOUT, or -ENOMEM.
 */
int http_serve_socket(struct app *app, int fd, int timeout_ms);

/* Stop accepting, wait up to `grace_ms` for in-flight requests, then close everything. */
void http_server_stop(struct http_server *s, int grace_ms);

#endif
