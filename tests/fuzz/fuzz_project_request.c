/* SPDX-License-Identifier: MIT */
/*
 * fuzz_project_request.c: libFuzzer target for a project request's body as the handlers see
 * it: body_parse_object, then the handler of one of the body-taking routes (chosen by the
 * first input byte) against a real SQLite store, with the REST API's own validation of every
 * field. Checks that every outcome is a decided reply with a JSON body and a 2xx/4xx status
 * (a 5xx would mean the input reached a path that is not handled).
 */
#include "acct.h"
#include "app.h"
#include "common/rand.h"
#include "handlers/projects.h"
#include "http/body.h"
#include "http/reply.h"

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
    static const char *const files[] = {"fuzz.db", "fuzz.db-wal", "fuzz.db-shm"};
    store_close(&st);
    acct_registry_free();
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* Open a throwaway store once per process (on tmpfs when there is one: fsync is cheap). */
static void
setup(void)
{
    static char dir_shm[] = "/dev/shm/ra-fuzz-XXXXXX";
    static char dir_tmp[] = "/tmp/ra-fuzz-XXXXXX";
    dir = mkdtemp(dir_shm);
    if (dir == NULL)
        dir = mkdtemp(dir_tmp);
    char url[256];
    snprintf(url, sizeof(url), "sqlite:%s/fuzz.db", dir ? dir : "/nonexistent");
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
    account = acct_get(a.id);
    if (account == NULL || projects_create(&app, a.id, "known", true, &known) < 0)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum route routes[] = {ROUTE_PROJECT_CREATE, ROUTE_PROJECT_STATUS,
                                        ROUTE_RECORDING,      ROUTE_SIGNKEY,
                                        ROUTE_RESET_SIGNKEY,  ROUTE_PROJECT_DELETE};
    if (account == NULL)
        setup();
    if (size < 1)
        return 0;
    enum route route = routes[data[0] % (sizeof(routes) / sizeof(routes[0]))];
    json_t *body = NULL;
    const char *why = NULL;
    if (body_parse_object((const char *)data + 1, size - 1, &body, &why) < 0)
        return 0;
    /* Let inputs name the existing project with the id "known" (the real id is random). */
    json_t *id = json_object_get(body, "id");
    if (json_is_string(id) && strcmp(json_string_value(id), "known") == 0)
        json_object_set_new(body, "id", json_string(known.id));
    struct handler_ctx ctx = {.app = &app, .acct = account, .body = body};
    struct reply out = {0};
    projects_handle(route, &ctx, &out);
    if (out.status < 200 || out.status >= 500 || out.body == NULL || out.len == 0 ||
        out.body[0] != '{' || out.body[out.len - 1] != '}')
        abort();
    reply_cleanup(&out);
    json_decref(body);
    return 0;
}
