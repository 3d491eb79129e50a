/* SPDX-License-Identifier: MIT */
/*
 * credential.c: GET /dev/v1/credentials and the decoding of its answer.
 */
#include "client_internal.h"

#include "common/alloc.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

void
ra_credentials_free(struct ra_credentials *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++) {
        ra_free(list->items[i].customer_id);
        ra_free(list->items[i].status);
        ra_free(list->items[i].usage_first_day);
    }
    ra_free(list->items);
    ra_free(list);
}

/* A string member copied into *dst; false when missing or not a string without NUL. */
static bool
take_string(const json_t *o, const char *k, char **dst)
{
    const json_t *v = json_object_get(o, k);
    const char *s = json_string_value(v);
    if (s == NULL || strlen(s) != json_string_length(v))
        return false;
    *dst = ra_strdup(s);
    return *dst != NULL;
}

/* An integer member, or 0 for null (when null_ok); false otherwise. */
static bool
take_time(const json_t *o, const char *k, bool null_ok, long long *dst)
{
    const json_t *v = json_object_get(o, k);
    *dst = json_is_integer(v) ? (long long)json_integer_value(v) : 0;
    return json_is_integer(v) || (null_ok && json_is_null(v));
}

/* One element of the array into *out; false when it does not have the documented shape. */
static bool
decode_one(const json_t *o, struct ra_credential *out)
{
    const json_t *usage = json_object_get(o, "usage");
    const json_t *days = json_object_get(usage, "days");
    if (!json_is_object(o) || !json_is_array(days) || json_array_size(days) != RA_USAGE_DAYS)
        return false;
    for (size_t d = 0; d < RA_USAGE_DAYS; d++) {
        const json_t *v = json_array_get(days, d);
        if (!json_is_integer(v))
            return false;
        out->usage_days[d] = (long long)json_integer_value(v);
    }
    return take_string(o, "customer_id", &out->customer_id) &&
           take_string(o, "status", &out->status) &&
           take_string(usage, "first_day", &out->usage_first_day) &&
           take_time(o, "created_at", false, &out->created_at) &&
           take_time(o, "expires_at", true, &out->expires_at) &&
           take_time(o, "last_used_at", true, &out->last_used_at) &&
           take_time(usage, "total", false, &out->usage_total);
}

/* Decode {"credentials":[...]} into a new list; RA_EPROTOCOL or RA_ENOMEM on failure. */
static enum ra_err
decode(const char *body, size_t len, struct ra_credentials **out)
{
    json_t *root = body != NULL ? json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    const json_t *arr = json_object_get(root, "credentials");
    struct ra_credentials *list = ra_calloc(1, sizeof(*list));
    size_t n = json_array_size(arr);
    enum ra_err e = list == NULL ? RA_ENOMEM : json_is_array(arr) ? RA_OK : RA_EPROTOCOL;
    if (e == RA_OK && n > 0 && (list->items = ra_calloc(n, sizeof(*list->items))) == NULL)
        e = RA_ENOMEM;
    for (size_t i = 0; e == RA_OK && i < n; i++) {
        list->count = i + 1;
        if (!decode_one(json_array_get(arr, i), &list->items[i]))
            e = RA_EPROTOCOL;
    }
    json_decref(root);
    if (e != RA_OK) {
        ra_credentials_free(list);
        list = NULL;
    }
    *out = list;
    return e;
}

enum ra_err
ra_credential_list(struct ra_client *c, struct ra_credentials **out)
{
    if (out != NULL)
        *out = NULL;
    if (c == NULL)
        return RA_EINVAL;
    struct ra__req rq = {.method = "GET", .path = "/dev/v1/credentials", .repeatable = true};
    struct ra__resp rs;
    struct ra_credentials *list = NULL;
    enum ra_err e = ra__perform(c, &rq, &rs);
    if (e == RA_OK && (e = decode(rs.body, rs.len, &list)) != RA_OK)
        ra__fail(c, e, "%s",
                 e == RA_ENOMEM ? "out of memory" : "unexpected response: not a credential list");
    ra_free(rs.body);
    if (out != NULL)
        *out = list;
    else
        ra_credentials_free(list);
    return e;
}
