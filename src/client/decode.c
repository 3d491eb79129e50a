/* SPDX-License-Identifier: MIT */
/*
 * decode.c: JSON response decoding with jansson.
 *
 * A result is built completely or not at all: on any failure everything allocated so far is
 * released and the output stays NULL.
 */
#include "decode.h"

#include "client_internal.h"
#include "common/alloc.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Parse a body; NULL (and why filled) when it is not JSON or not an object. */
static json_t *
load(const char *body, size_t len, char *why, size_t whylen)
{
    json_error_t jerr;
    if (body == NULL) {
        snprintf(why, whylen, "the response has no body");
        return NULL;
    }
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        snprintf(why, whylen, "the response is not JSON (%.120s)", jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        snprintf(why, whylen, "the response is not a JSON object");
        json_decref(root);
        return NULL;
    }
    return root;
}

/* Copy a JSON string without embedded NULs into *dst. */
static enum ra_err
dup_string(const json_t *v, char **dst, const char *field, char *why, size_t whylen)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (s == NULL || strlen(s) != n) {
        snprintf(why, whylen, "field `%s` is not a valid string", field);
        return RA_EPROTOCOL;
    }
    *dst = ra_strndup(s, n);
    return *dst ? RA_OK : RA_ENOMEM;
}

/* A required string field. */
static enum ra_err
req_string(const json_t *obj, const char *field, char **dst, char *why, size_t whylen)
{
    const json_t *v = json_object_get(obj, field);
    if (!json_is_string(v)) {
        snprintf(why, whylen, "project field `%s` is missing or not a string", field);
        return RA_EPROTOCOL;
    }
    return dup_string(v, dst, field, why, whylen);
}

/* An optional string field: absent or null gives `dflt` (NULL or ""). */
static enum ra_err
opt_string(const json_t *obj, const char *field, const char *dflt, char **dst, char *why,
           size_t whylen)
{
    const json_t *v = json_object_get(obj, field);
    if (v == NULL || json_is_null(v)) {
        *dst = NULL;
        if (dflt == NULL)
            return RA_OK;
        *dst = ra_strdup(dflt);
        return *dst ? RA_OK : RA_ENOMEM;
    }
    if (!json_is_string(v)) {
        snprintf(why, whylen, "project field `%s` is not a string or null", field);
        return RA_EPROTOCOL;
    }
    return dup_string(v, dst, field, why, whylen);
}

/* A required integer field. */
static enum ra_err
req_int(const json_t *obj, const char *field, long long *dst, char *why, size_t whylen)
{
    const json_t *v = json_object_get(obj, field);
    if (!json_is_integer(v)) {
        snprintf(why, whylen, "project field `%s` is missing or not an integer", field);
        return RA_EPROTOCOL;
    }
    *dst = (long long)json_integer_value(v);
    return RA_OK;
}

/* Release the strings of a project without freeing the struct itself. */
static void
project_clear(struct ra_project *p)
{
    ra_free(p->id);
    ra_free(p->name);
    ra_free(p->vendor_key);
    ra_free(p->sign_key);
    ra_free(p->recording_server);
    memset(p, 0, sizeof(*p));
}

/* Fill *p from one project object; on failure *p is left empty. */
static enum ra_err
project_fill(const json_t *obj, struct ra_project *p, char *why, size_t whylen)
{
    long long status = 0;
    memset(p, 0, sizeof(*p));
    if (!json_is_object(obj)) {
        snprintf(why, whylen, "a project is not a JSON object");
        return RA_EPROTOCOL;
    }
    enum ra_err e = req_string(obj, "id", &p->id, why, whylen);
    if (e == RA_OK)
        e = req_string(obj, "name", &p->name, why, whylen);
    if (e == RA_OK)
        e = req_string(obj, "vendor_key", &p->vendor_key, why, whylen);
    if (e == RA_OK)
        e = opt_string(obj, "sign_key", "", &p->sign_key, why, whylen);
    if (e == RA_OK)
        e = opt_string(obj, "recording_server", NULL, &p->recording_server, why, whylen);
    if (e == RA_OK)
        e = req_int(obj, "status", &status, why, whylen);
    if (e == RA_OK && (status < INT_MIN || status > INT_MAX)) {
        snprintf(why, whylen, "project field `status` is out of range");
        e = RA_EPROTOCOL;
    }
    if (e == RA_OK)
        e = req_int(obj, "created", &p->created, why, whylen);
    p->status = (int)status;
    if (e != RA_OK)
        project_clear(p);
    return e;
}

void
ra_project_free(struct ra_project *p)
{
    if (p == NULL)
        return;
    project_clear(p);
    ra_free(p);
}

void
ra_projects_free(struct ra_projects *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++)
        project_clear(&list->items[i]);
    ra_free(list->items);
    ra_free(list);
}

enum ra_err
ra__decode_project(const char *body, size_t len, struct ra_project **out, char *why, size_t whylen)
{
    *out = NULL;
    json_t *root = load(body, len, why, whylen);
    if (root == NULL)
        return RA_EPROTOCOL;
    const json_t *obj = json_object_get(root, "project");
    /* Some versions of the API wrapped the project in a one-element array. */
    if (json_is_array(obj) && json_array_size(obj) == 1)
        obj = json_array_get(obj, 0);
    enum ra_err e = RA_ENOMEM;
    struct ra_project *p = ra_calloc(1, sizeof(*p));
    if (obj == NULL) {
        snprintf(why, whylen, "the response has no `project`");
        e = RA_EPROTOCOL;
    } else if (p != NULL) {
        e = project_fill(obj, p, why, whylen);
    }
    json_decref(root);
    if (e != RA_OK) {
        ra_free(p);
        return e;
    }
    *out = p;
    return RA_OK;
}

/* Decode every element of the JSON array `arr` into a new list. */
static enum ra_err
fill_list(const json_t *arr, struct ra_projects **out, char *why, size_t whylen)
{
    size_t n = json_array_size(arr);
    struct ra_projects *list = ra_calloc(1, sizeof(*list));
    if (list == NULL)
        return RA_ENOMEM;
    if (n > 0) {
        list->items = ra_calloc(n, sizeof(*list->items));
        if (list->items == NULL) {
            ra_free(list);
            return RA_ENOMEM;
        }
    }
    for (size_t i = 0; i < n; i++) {
        enum ra_err e = project_fill(json_array_get(arr, i), &list->items[i], why, whylen);
        if (e != RA_OK) {
            ra_projects_free(list);
            return e;
        }
        list->count = i + 1;
    }
    *out = list;
    return RA_OK;
}

enum ra_err
ra__decode_projects(const char *body, size_t len, struct ra_projects **out, char *why,
                    size_t whylen)
{
    *out = NULL;
    json_t *root = load(body, len, why, whylen);
    if (root == NULL)
        return RA_EPROTOCOL;
    const json_t *arr = json_object_get(root, "projects");
    if (arr == NULL)
        arr = json_object_get(root, "project");
    enum ra_err e;
    if (!json_is_array(arr)) {
        snprintf(why, whylen, "the response has no `projects` array");
        e = RA_EPROTOCOL;
    } else {
        e = fill_list(arr, out, why, whylen);
    }
    json_decref(root);
    return e;
}

enum ra_err
ra__decode_success(const char *body, size_t len, char *why, size_t whylen)
{
    json_t *root = load(body, len, why, whylen);
    if (root == NULL)
        return RA_EPROTOCOL;
    enum ra_err e = RA_OK;
    if (!json_is_true(json_object_get(root, "success"))) {
        snprintf(why, whylen, "the response does not say {\"success\":true}");
        e = RA_EPROTOCOL;
    }
    json_decref(root);
    return e;
}

void
ra__error_text(const char *body, size_t len, char *out, size_t outlen)
{
    char why[8];
    if (outlen == 0)
        return;
    out[0] = '\0';
    json_t *root = load(body, len, why, sizeof(why));
    if (root == NULL)
        return;
    const json_t *m = json_object_get(root, "message");
    if (!json_is_string(m))
        m = json_object_get(root, "error_msg");
    if (json_is_string(m))
        ra__sanitize(out, outlen, json_string_value(m), json_string_length(m));
    json_decref(root);
}
