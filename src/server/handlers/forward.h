/* SPDX-License-Identifier: MIT */
/*
 * forward.h: forward authentication. A reverse proxy (nginx auth_request, Envoy ext_authz,
 * Traefik forwardAuth) asks restauthd about each request it received, before passing it to an
 * API of its own: `/auth/verify`, and every path under it, for any method. The request it
 * sends carries the client's Authorization header and names the original request:
 *
 *   - X-Original-Method and X-Original-URI (nginx, as docs/forward-auth.md configures it);
 *   - X-Forwarded-Method and X-Forwarded-Uri (Traefik);
 *   - else the request line itself: the method, and the path after /auth/verify (Envoy,
 *     which appends the original path to a configured prefix).
 *
 * When more than one of them is present they must agree, or the answer is 400. The original
 * method and path (request/uri.h spells it) go to the access log and choose the rate class
 * (handlers/forward_rules.h). The pipeline (gate/gate.c) admits the request as it admits the
 * REST API's: the same Basic check, failure throttle and rate limit, and the same 401 and 429
 * answers. An admitted request gets 200 with no body, naming the caller for the upstream:
 *
 *   X-Restauth-Customer-Id  the verified Customer ID
 *   X-Restauth-Account      the account's name
 *   X-Restauth-Account-Id   the account's id
 *
 * Every answer names the rate class in X-Restauth-Rate-Class once it is known, and every
 * refusal carries its message in X-Restauth-Message, for a proxy that drops the body
 * (nginx's auth_request does).
 */
#ifndef RA_SERVER_HANDLERS_FORWARD_H
#define RA_SERVER_HANDLERS_FORWARD_H

#include "request/request.h"

#include <stddef.h>

extern const struct route forward_routes[];
extern const size_t forward_routes_count;

/*
 * Phase (routes with ROUTE_ORIGINAL): find the original request, put its method and path in
 * the access log's fields and pick its rate class (req->rate_class, req->rate_limit).
 * 0, or -1 after deciding 400 for an original request that cannot be read.
 */
int forward_original(struct request *req);

/* The handler of /auth/verify: 200 naming the admitted caller. */
void forward_verify(struct request *req);

/* Last touch of a decided reply on a ROUTE_ORIGINAL route: a refusal's X-Restauth-Message. */
void forward_decorate(struct request *req);

#endif
