/* SPDX-License-Identifier: MIT */
/*
 * routes.h: the route table of the Console REST API.
 */
#ifndef RA_SERVER_HANDLERS_ROUTES_H
#define RA_SERVER_HANDLERS_ROUTES_H

#include "request/router.h"

#include <stddef.h>

extern const struct route rest_routes[];
extern const size_t rest_routes_count;

#endif
