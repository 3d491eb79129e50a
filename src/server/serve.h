/* SPDX-License-Identifier: MIT */
/*
 * serve.h: `restauthd serve`: run the server until SIGTERM or SIGINT.
 */
#ifndef RA_SERVER_SERVE_H
#define RA_SERVER_SERVE_H

#include "config.h"

/* Returns the process exit code: 0 after a clean stop, 1 if the server could not start. */
int serve_run(const struct config *cfg);

#endif
