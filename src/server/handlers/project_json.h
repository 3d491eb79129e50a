/* SPDX-License-Identifier: MIT */
/*
 * project_json.h: the project object exactly as Agora's docs print it.
 */
#ifndef RA_SERVER_HANDLERS_PROJECT_JSON_H
#define RA_SERVER_HANDLERS_PROJECT_JSON_H

#include "common/buf.h"
#include "store/store.h"

#include <stdbool.h>

enum project_order {
    /* {"project":{...}} responses: id, name, vendor_key, sign_key, recording_server, ... */
    PROJECT_ORDER_SINGLE,
    /* {"projects":[...]} items: id, name, sign_key, vendor_key, recording_server, ... */
    PROJECT_ORDER_LIST,
};

/* Append one project object (compact JSON) in the documented field order. */
void project_json_write(struct ra_buf *b, const struct store_project *p, enum project_order o);

/* A whole {"project":{...}} body in a new buffer (ra_free), or NULL when out of memory. */
char *project_json_single(const struct store_project *p, size_t *len);

#endif
