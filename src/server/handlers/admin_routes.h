/* SPDX-License-Identifier: MIT */
/*
 * admin_routes.h: the routes of the admin listener (`serve --admin-listen`): liveness,
 * readiness and the Prometheus metrics. They take no credentials and go through none of the
 * REST pipeline's phases; the adapter hands them to gate_admin() (gate/gate.h).
 */
#ifndef RA_SERVER_HANDLERS_ADMIN_ROUTES_H
#define RA_SERVER_HANDLERS_ADMIN_ROUTES_H

#include "app.h"
#include "request/router.h"

#include <stdbool.h>
#include <stddef.h>

extern const struct route admin_routes[];
extern const size_t admin_routes_count;

/* How long a readiness probe of the store is reused. */
#define ADMIN_PROBE_MS 1000

/* What readiness found, each false item naming a reason to answer 503. */
struct admin_readiness {
    bool store;       /* the store answered a cheap query (reused for ADMIN_PROBE_MS) */
    bool credentials; /* the credential table is loaded */
    bool serving;     /* not draining */
};

/*
 * Judge readiness at now_ms: the store is probed with its cheapest query (the change feed's
 * head) at most once per ADMIN_PROBE_MS, whoever asks; a caller arriving while another probes
 * takes the previous result. Returns true when every item of *out is true.
 */
bool admin_ready(struct app *app, int64_t now_ms, struct admin_readiness *out);

#endif
