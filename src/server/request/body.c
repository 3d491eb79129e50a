/* SPDX-License-Identifier: MIT */
/*
 * body.c: turning an untrusted request body into a jansson object, with limits.
 *
 * jansson parses recursively and only stops at JSON_PARSER_MAX_DEPTH (2048), so a cheap
 * lexical scan runs first: it rejects NUL bytes and nesting deeper than BODY_MAX_DEPTH,
 * counting brackets only outside strings (a backslash inside a string hides the next byte,
 * so `"\"["` opens nothing). The scan does not validate JSON; it only has to be right on valid
 * JSON and never read out of bounds on anything else. jansson then does the real parse with
 * duplicate keys rejected, \u0000 refused, UTF-8 checked and trailing data refused, and its
 * error code is mapped to one of a few fixed sentences that never quote the input.
 */
#include "request/body.h"

#include "common/alloc.h"

#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char WHY_EMPTY[] = "request body is empty";
static const char WHY_NUL[] = "request body contains a NUL character";
static const char WHY_NOT_OBJECT[] = "request body must be a JSON object";
static const char WHY_DEPTH[] = "request body nests too deeply";
static const char WHY_SYNTAX[] = "request body is not valid JSON";
static const char WHY_UTF8[] = "request body is not valid UTF-8";
static const char WHY_DUPLICATE[] = "duplicate key in request body";
static const char WHY_TRAILING[] = "request body has data after the JSON object";
static const char WHY_RANGE[] = "a number in request body is out of range";
static const char WHY_NOMEM[] = "out of memory";

static inline bool
is_json_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Return true if the arrays/objects in p[0..len) never nest deeper than BODY_MAX_DEPTH,
 * ignoring brackets inside strings. Unbalanced or unterminated input is left to jansson.
 */
static bool
depth_ok(const unsigned char *p, size_t len)
{
    unsigned depth = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (c == '"') {
            /* Skip the string: a backslash escapes the byte after it, whatever it is. */
            for (i++; i < len && p[i] != '"'; i++) {
                if (p[i] == '\\')
                    i++;
            }
        } else if (c == '[' || c == '{') {
            if (++depth > BODY_MAX_DEPTH)
                return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return true;
}

/*
 * The checks made before jansson runs. Returns NULL if the body may be handed to jansson,
 * or the reason to reject it.
 */
static const char *
prescan(const unsigned char *p, size_t len)
{
    size_t i = 0;
    while (i < len && is_json_ws(p[i]))
        i++;
    if (i == len)
        return WHY_EMPTY;
    if (memchr(p, '\0', len) != NULL)
        return WHY_NUL;
    if (p[i] != '{')
        return WHY_NOT_OBJECT;
    if (!depth_ok(p + i, len - i))
        return WHY_DEPTH;
    return NULL;
}

/* Map a jansson load error to a fixed reason. */
static const char *
reason_for(const json_error_t *err)
{
    switch (json_error_code(err)) {
    case json_error_duplicate_key:
        return WHY_DUPLICATE;
    case json_error_invalid_utf8:
        return WHY_UTF8;
    case json_error_end_of_input_expected:
        return WHY_TRAILING;
    case json_error_null_character:
    case json_error_null_byte_in_key:
        return WHY_NUL;
    case json_error_numeric_overflow:
        return WHY_RANGE;
    case json_error_stack_overflow:
        return WHY_DEPTH;
    case json_error_out_of_memory:
        return WHY_NOMEM;
    default:
        return WHY_SYNTAX;
    }
}

/*
 * Parse a request body whose top level must be an object; see body.h. Returns 0 with a new
 * reference in *out, or -EINVAL with *out = NULL and a static reason in *why (which may be
 * NULL if the caller does not want it). If jansson runs out of memory the result is -ENOMEM.
 */
int
body_parse_object(const char *buf, size_t len, json_t **out, const char **why)
{
    const char *reason = NULL;
    int rc = -EINVAL;
    json_t *root = NULL;

    *out = NULL;
    if (buf == NULL || len == 0) {
        reason = WHY_EMPTY;
    } else if ((reason = prescan((const unsigned char *)buf, len)) == NULL) {
        json_error_t err;
        /* No JSON_DECODE_ANY (top level must be an array or object) and no JSON_ALLOW_NUL. */
        root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
        if (root == NULL) {
            reason = reason_for(&err);
            if (reason == WHY_NOMEM)
                rc = -ENOMEM;
        } else if (!json_is_object(root)) {
            json_decref(root);
            root = NULL;
            reason = WHY_NOT_OBJECT;
        } else {
            rc = 0;
        }
    }
    if (why != NULL)
        *why = reason;
    *out = root;
    return rc;
}

/* jansson's free: wipe the whole block, whatever it held. */
static void
free_wiped(void *p)
{
    if (p == NULL)
        return;
    ra_wipe(p, malloc_usable_size(p));
    free(p);
}

void
body_wipe_parser_memory(void)
{
    json_set_alloc_funcs(malloc, free_wiped);
}
