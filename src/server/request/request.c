/* SPDX-License-Identifier: MIT */
/*
 * request.c: small readers of an engine-neutral request.
 */
#include "request/request.h"

#include <strings.h>

bool
request_is_json(const char *ct)
{
    if (ct == NULL)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, "application/json", 16) != 0)
        return false;
    char c = ct[16];
    return c == '\0' || c == ';' || c == ' ' || c == '\t';
}

const char *
request_json_string(const struct request *req, const char *name)
{
    json_t *v = req->json != NULL ? json_object_get(req->json, name) : NULL;
    return v != NULL && json_is_string(v) ? json_string_value(v) : NULL;
}
