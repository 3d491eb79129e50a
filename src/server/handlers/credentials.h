/* SPDX-License-Identifier: MIT */
/*
 * credentials.h: the REST API's view of the caller's own credential pairs (docs/contract.md).
 */
#ifndef RA_SERVER_HANDLERS_CREDENTIALS_H
#define RA_SERVER_HANDLERS_CREDENTIALS_H

#include "request/request.h"

/* GET /dev/v1/credentials: 200 {"credentials":[{"customer_id","status","created_at",
 * "expires_at","last_used_at","usage"}...]} for the caller's account; never a secret. */
void credentials_list(struct request *req);

#endif
