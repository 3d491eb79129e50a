/* SPDX-License-Identifier: MIT */
/*
 * reply.c: JSON error and success bodies.
 */
#include "request/reply.h"

#include "common/alloc.h"
#include "common/buf.h"
#include "common/jsonw.h"

#include <errno.h>
#include <string.h>

/* Replace the body with one built from prefix + escaped msg + "}". */
static void
set_body(struct reply *r, int status, const char *prefix, const char *msg)
{
    struct ra_buf b;
    ra_buf_init(&b, 1024);
    ra_buf_puts(&b, prefix);
    ra_jsonw_str(&b, msg, strlen(msg));
    ra_buf_putc(&b, '}');
    size_t len = 0;
    char *body = ra_buf_steal(&b, &len);
    reply_json(r, status, body, len);
}

void
reply_message(struct reply *r, int status, const char *msg)
{
    set_body(r, status, "{\"message\":", msg);
    if (status == 401)
        r->www_auth = true;
}

void
reply_unavailable(struct reply *r)
{
    static const char body[] =
        "{\"message\":\"The service is temporarily unavailable. Please try again.\"}";
    reply_static(r, 503, body, sizeof(body) - 1);
    r->retry_after = 1;
}

void
reply_error(struct reply *r, int status, const char *msg)
{
    set_body(r, status, "{\"status\":\"error\",\"message\":", msg);
}

/* Free (and wipe, for a secret) the current body unless it is static. */
static void
release_body(struct reply *r)
{
    if (!r->static_body) {
        if (r->wipe_body && r->body != NULL)
            ra_wipe(r->body, r->len);
        ra_free(r->body);
    }
    r->body = NULL;
    r->len = 0;
    r->static_body = false;
}

void
reply_json(struct reply *r, int status, char *body, size_t len)
{
    static const char oom[] = "{\"message\":\"An unexpected error occurred\"}";
    if (body == NULL) {
        reply_static(r, 500, oom, sizeof(oom) - 1);
        return;
    }
    release_body(r);
    r->status = status;
    r->body = body;
    r->len = len;
}

void
reply_static(struct reply *r, int status, const char *body, size_t len)
{
    release_body(r);
    r->status = status;
    r->body = (char *)body; /* never written through: static_body marks it read-only */
    r->len = len;
    r->static_body = true;
}

int
reply_add_header(struct reply *r, const char *name, const char *value, bool copy)
{
    if (r->nheaders >= REPLY_MAX_HEADERS)
        return -ENOSPC;
    char *v = copy ? ra_strdup(value) : (char *)value;
    if (v == NULL)
        return -ENOMEM;
    r->headers[r->nheaders++] = (struct reply_header){.name = name, .value = v, .owned = copy};
    return 0;
}

void
reply_cleanup(struct reply *r)
{
    release_body(r);
    for (int i = 0; i < r->nheaders; i++)
        if (r->headers[i].owned)
            ra_free_secret(r->headers[i].value, strlen(r->headers[i].value));
    r->nheaders = 0;
}
