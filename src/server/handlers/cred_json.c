/* SPDX-License-Identifier: MIT */
/*
 * cred_json.c: the JSON object of a credential pair.
 */
#include "handlers/cred_json.h"

#include "common/jsonw.h"

#include <errno.h>
#include <string.h>
#include <time.h>

/* ,"KEY":T, or ,"KEY":null for 0. */
static void
put_time(struct ra_buf *b, const char *key, int64_t t)
{
    ra_buf_putc(b, ',');
    ra_jsonw_key(b, key);
    if (t == 0)
        ra_buf_puts(b, "null");
    else
        ra_jsonw_int(b, t);
}

/* ,"usage":{"days":[...],"first_day":"YYYY-MM-DD","total":N} */
static void
put_usage(struct ra_buf *b, const struct app *app, const struct creds_usage *u, const char *id)
{
    int64_t days[USAGE_DAYS], total = 0;
    creds_usage_of(app, u, id, days);
    ra_buf_puts(b, ",\"usage\":{\"days\":[");
    for (int i = 0; i < USAGE_DAYS; i++) {
        ra_buf_printf(b, "%s%lld", i > 0 ? "," : "", (long long)days[i]);
        total += days[i];
    }
    char first[16];
    time_t t = (time_t)u->first_day;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(first, sizeof(first), "%Y-%m-%d", &tm);
    ra_buf_printf(b, "],\"first_day\":\"%s\",\"total\":%lld}", first, (long long)total);
}

int
cred_json_write(struct ra_buf *b, const struct app *app, const struct store_cred *c,
                const struct creds_usage *usage, int64_t now, enum cred_json_style style)
{
    int64_t used = creds_last_used(app, c);
    ra_buf_putc(b, '{');
    ra_jsonw_key(b, "customer_id");
    ra_jsonw_str(b, c->customer_id, strlen(c->customer_id));
    if (style == CRED_JSON_FULL)
        ra_buf_printf(b, ",\"created\":%lld,\"last_used\":%lld", (long long)c->created,
                      (long long)used);
    ra_buf_printf(b, ",\"status\":\"%s\",\"created_at\":%lld", creds_status_name(c, now),
                  (long long)c->created);
    put_time(b, "expires_at", c->expires_at);
    put_time(b, "last_used_at", used);
    if (style == CRED_JSON_FULL)
        ra_buf_printf(b, ",\"issued\":%s,\"tripwire\":%s", c->pending ? "false" : "true",
                      c->tripwire ? "true" : "false");
    put_usage(b, app, usage, c->customer_id);
    ra_buf_putc(b, '}');
    return b->failed ? -ENOMEM : 0;
}

struct list_ctx {
    struct ra_buf *b;
    const struct app *app;
    struct creds_usage usage;
    int64_t now;
    enum cred_json_style style;
    size_t n;
};

/* store_cred_fn: append one pair to the array. */
static int
list_one(void *arg, const struct store_cred *c)
{
    struct list_ctx *x = arg;
    if (x->n++ > 0)
        ra_buf_putc(x->b, ',');
    return cred_json_write(x->b, x->app, c, &x->usage, x->now, x->style);
}

int
cred_json_list(struct ra_buf *b, const struct app *app, int64_t account_id, int64_t now,
               enum cred_json_style style)
{
    struct list_ctx x = {.b = b, .app = app, .now = now, .style = style};
    int rc = creds_usage_load(app, account_id, now, &x.usage);
    ra_buf_putc(b, '[');
    if (rc == 0)
        rc = app->store->ops->cred_list(app->store->priv, account_id, list_one, &x);
    ra_buf_putc(b, ']');
    creds_usage_free(&x.usage);
    return rc < 0 ? rc : b->failed ? -ENOMEM : 0;
}
