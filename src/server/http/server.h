/* SPDX-License-Identifier: MIT */
/*
 * server.h: the HTTP(S) engine adapter over libmicrohttpd: listening, TLS, and turning each
 * request into an engine-neutral struct request for the pipeline (gate/gate.h).
 */
#ifndef RA_SERVER_HTTP_SERVER_H
#define RA_SERVER_HTTP_SERVER_H

#include "app.h"

struct http_server;

/*
 * Start listening as cfg says (TLS when cert and key are given; plain HTTP only on loopback
 * unless insecure_http) with libmicrohttpd's epoll thread pool. Prints the listening line to
 * stderr. 0 or a negative code after logging why.
 */
int http_server_start(struct app *app, struct http_server **out);

/* Stop accepting, wait up to `grace_ms` for in-flight requests, then close everything. */
void http_server_stop(struct http_server *s, int grace_ms);

#endif
