/* SPDX-License-Identifier: MIT */
/*
 * fuzz_project_request.c: libFuzzer target for a project request's body as the handlers see
 * it: body_parse_object, then the handler of one of the body-taking routes (chosen by the
 * first input byte) against a real SQLite store, with the REST API's own validation of every
 * field. Checks that every outcome is a decided reply with a JSON body and a 2xx/4xx status
 * (a 5xx would mean the input reached a path that is not handled).
 */
#include "app.h"
#include "fuzz_store.h"
#include "common/rand.h"
#include "handlers/projects.h"
#include "handlers/routes.h"
#include "request/body.h"
#include "request/request.h"
#include "service/accounts.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config cfg;
static struct store st;
static struct app app;
static struct acct *account;
static struct store_project known; /* a project that exists, so ids can hit it */

static char *dir;

/* At exit: close the store and remove its files and directory. */
static void
teardown(void)
{
    store_close(&st);
    accounts_free(app.accounts);
    fuzz_store_remove(dir);
}

/* The app's clock: a fixed time (changes are recorded in the audit log with it). */
static int64_t
fixed_clock_ms(void)
{
    return 1700000000000;
}

/* Open a throwaway store once per process (on tmpfs when there is one: fsync is cheap). */
static void
setup(void)
{
    static char dir_shm[] = "/dev/shm/ra-fuzz-XXXXXX";
    static char dir_tmp[] = "/tmp/ra-fuzz-XXXXXX";
    char url[256];
    dir = fuzz_store_dir(dir_shm, dir_tmp, url, sizeof(url));
    config_defaults(&cfg);
    cfg.max_projects = 1000000;
    if (dir == NULL || ra_rand_init() < 0 || store_open(url, &st) < 0)
        abort();
    atexit(teardown);
    struct store_account a;
    if (st.ops->account_add(st.priv, "fuzz", 1, &a) < 0)
        abort();
    app.cfg = &cfg;
    app.store = &st;
    app.clock_ms = fixed_clock_ms;
    if (accounts_new(&app.accounts) < 0)
        abort();
    account = accounts_get(app.accounts, a.id);
    if (account == NULL || projects_add(&app, a.id, "known", true, &known) < 0)
        abort();
}

/* The request's engine view: no header fields (and the request has no query). */
static void
no_fields(void *engine, request_field_fn fn, void *ctx)
{
    (void)engine;
    (void)fn;
    (void)ctx;
}

static const char *
no_field(void *engine, const char *name, int *count)
{
    (void)engine;
    (void)name;
    if (count != NULL)
        *count = 0;
    return NULL;
}

static const struct request_io no_io = {no_fields, no_field};

/* The n-th route of the REST table that takes a body (n taken modulo their number). */
static const struct route *
body_route(unsigned n)
{
    size_t count = 0;
    for (size_t i = 0; i < rest_routes_count; i++)
        count += (rest_routes[i].flags & ROUTE_BODY) != 0;
    n %= (unsigned)count;
    for (size_t i = 0; i < rest_routes_count; i++)
        if ((rest_routes[i].flags & ROUTE_BODY) && n-- == 0)
            return &rest_routes[i];
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (account == NULL)
        setup();
    if (size < 1)
        return 0;
    const struct route *route = body_route(data[0]);
    json_t *body = NULL;
    const char *why = NULL;
    if (body_parse_object((const char *)data + 1, size - 1, &body, &why) < 0)
        return 0;
    /* Let inputs name the existing project with the id "known" (the real id is random). */
    json_t *id = json_object_get(body, "id");
    if (json_is_string(id) && strcmp(json_string_value(id), "known") == 0)
        json_object_set_new(body, "id", json_string(known.id));
    struct request req = {.method = route->method,
                          .target = route->path,
                          .version = "HTTP/1.1",
                          .io = &no_io,
                          .app = &app,
                          .route = route,
                          .account_id = account->id,
                          .acct = account,
                          .json = body};
    route->handler(&req);
    const struct reply *out = &req.reply;
    if (out->status < 200 || out->status >= 500 || out->body == NULL || out->len == 0 ||
        out->body[0] != '{' || out->body[out->len - 1] != '}')
        abort();
    reply_cleanup(&req.reply);
    json_decref(body);
    return 0;
}
