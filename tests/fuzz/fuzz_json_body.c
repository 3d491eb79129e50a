/* SPDX-License-Identifier: MIT */
/*
 * fuzz_json_body.c: libFuzzer target for body_parse_object (server/http/body.c).
 *
 * Checks the contract on every input and aborts on a violation: a result of 0 comes with an
 * object and no reason, a failure with a NULL object and a static reason. An accepted body,
 * serialized again by jansson, must be accepted again (the limits are stable).
 */
#include "request/body.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
    if (!ok)
        abort();
}

/* Re-encode an accepted object and parse it again. */
static void
check_reparse(const json_t *root)
{
    char *text = json_dumps(root, JSON_COMPACT);
    check(text != NULL);
    json_t *again = NULL;
    const char *why = NULL;
    check(body_parse_object(text, strlen(text), &again, &why) == 0);
    check(json_equal(root, again));
    json_decref(again);
    json_free_t free_fn = NULL;
    json_get_alloc_funcs(NULL, &free_fn);
    free_fn(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = NULL;
    const char *why = NULL;
    int rc = body_parse_object((const char *)data, size, &root, &why);
    if (rc != 0) {
        check(rc == -EINVAL || rc == -ENOMEM);
        check(root == NULL);
        check(why != NULL && why[0] != '\0' && strlen(why) < 80);
        return 0;
    }
    check(root != NULL && json_is_object(root));
    check(why == NULL);
    check_reparse(root);
    json_decref(root);
    return 0;
}
