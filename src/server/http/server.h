/* SPDX-License-Identifier: MIT */
/*
 * server.h: the HTTP(S) front end over libmicrohttpd: listening, strict request checks,
 * limits, authentication, rate limits, dispatch to the handlers and the access log.
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
int http_server_start(const struct app *app, struct http_server **out);

/* Stop accepting, wait up to `grace_ms` for in-flight requests, then close everything. */
void http_server_stop(struct http_server *s, int grace_ms);

#endif
