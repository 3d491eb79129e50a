/* SPDX-License-Identifier: MIT */
/*
 * gate.h: the request pipeline, between the engine adapter (http/) and the handlers.
 *
 * The adapter allocates a struct request, fills its engine view and calls, in order:
 * gate_head() once the header section is in, gate_body() with each piece of body,
 * gate_run() once the body is complete (or there was none), and gate_finish() when the
 * exchange is over. The pipeline is a table of phases (gate.c); each phase either lets the
 * request go on or decides its reply. A reply decided in gate_head() is sent without reading
 * the body when the request has one (and the connection is then closed).
 */
#ifndef RA_SERVER_GATE_GATE_H
#define RA_SERVER_GATE_GATE_H

#include "request/request.h"

/*
 * Start a request on `app`: its id and clock, then the head stage of the pipeline (strict
 * header checks, route, authentication, rate limit, body limits). When it returns,
 * req->reply.status != 0 if the reply is decided.
 */
void gate_head(const struct app *app, struct request *req);

/* Take a piece of the body; over the route's limit decides a 413 that closes the
 * connection. */
void gate_body(struct request *req, const char *data, size_t len);

/* The run stage (decode the body, the console's checks, the handler): decides the reply. */
void gate_run(struct request *req);

/* Write the access-log line and release everything the request holds (not the struct). */
void gate_finish(struct request *req);

/*
 * Answer a request of the admin listener (handlers/admin_routes.c): no credentials, none of
 * the phases above, no access-log line and no request count. The adapter fills the engine
 * view, calls this once the header section is in, sends req->reply and then releases it with
 * reply_cleanup().
 */
void gate_admin(const struct app *app, struct request *req);

/* The adapter's connection events, counted for /metrics (service/metrics.h): a connection
 * accepted, closed, and a TLS handshake done. */
void gate_conn_open(const struct app *app, bool tls);
void gate_conn_close(const struct app *app, bool tls);
void gate_tls_handshake(const struct app *app);

/* Seed request ids of `app` from the CSPRNG; call once before serving. */
void gate_ids_init(struct app *app);

#endif
