/* SPDX-License-Identifier: MIT */
/*
 * queue.h: sending a decided reply through libmicrohttpd, shared by the API listener
 * (server.c) and the admin listener (admin.c). Internal to http/.
 */
#ifndef RA_SERVER_HTTP_QUEUE_H
#define RA_SERVER_HTTP_QUEUE_H

#include "request/request.h"

#include <microhttpd.h>

/* Turn req->reply into a libmicrohttpd response and queue it on conn; the body then belongs
 * to the response. MHD_NO when the response cannot be made or queued. */
enum MHD_Result http_queue_reply(struct MHD_Connection *conn, struct request *req);

#endif
