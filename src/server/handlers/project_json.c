/* SPDX-License-Identifier: MIT */
/*
 * project_json.c: project serialisation, field by field in the documented order.
 */
#include "handlers/project_json.h"

#include "common/jsonw.h"

#include <string.h>

/* Append `"name":"value",` for a string field. */
static void
put_str(struct ra_buf *b, const char *name, const char *value)
{
    ra_jsonw_key(b, name);
    ra_jsonw_str(b, value, strlen(value));
    ra_buf_putc(b, ',');
}

void
project_json_write(struct ra_buf *b, const struct store_project *p, enum project_order o)
{
    ra_buf_putc(b, '{');
    put_str(b, "id", p->id);
    put_str(b, "name", p->name);
    if (o == PROJECT_ORDER_SINGLE) {
        put_str(b, "vendor_key", p->vendor_key);
        put_str(b, "sign_key", p->sign_key);
    } else {
        put_str(b, "sign_key", p->sign_key);
        put_str(b, "vendor_key", p->vendor_key);
    }
    if (p->has_recording_server)
        put_str(b, "recording_server", p->recording_server);
    else
        ra_buf_puts(b, "\"recording_server\":null,");
    ra_buf_printf(b, "\"status\":%d,\"created\":%lld}", p->status, (long long)p->created);
}

char *
project_json_single(const struct store_project *p, size_t *len)
{
    struct ra_buf b;
    ra_buf_init(&b, 8192);
    ra_buf_puts(&b, "{\"project\":");
    project_json_write(&b, p, PROJECT_ORDER_SINGLE);
    ra_buf_putc(&b, '}');
    return ra_buf_steal(&b, len);
}
