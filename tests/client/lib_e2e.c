/* SPDX-License-Identifier: MIT */
/*
 * lib_e2e.c: every public librestauth call against a real restauthd over TLS.
 *
 * Run by test_client_lib.py, which starts restauthd on 127.0.0.1 with a throwaway CA and sets:
 * RESTAUTH_BASE_URL, RESTAUTH_CA_FILE, RESTAUTH_CUSTOMER_ID and RESTAUTH_CUSTOMER_SECRET (a
 * second account), RA_CRED_FILE (key_and_secret.txt of the main account, fresh, no projects).
 */
#include "harness.h"

#include <restauth/restauth.h>

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static const char *cred_file;

static bool
is_hex32(const char *s)
{
    if (s == NULL || strlen(s) != 32)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

/* A client configured from the environment with the main account's file. */
static struct ra_client *
client(void)
{
    struct ra_client *c = NULL;
    CHECK_ERR(ra_client_new(&c), RA_OK, c);
    CHECK_ERR(ra_client_load_env(c), RA_OK, c);
    CHECK_ERR(ra_client_load_credentials_file(c, cred_file), RA_OK, c);
    unsigned fast[] = {20};
    CHECK_ERR(ra_client_set_backoff(c, fast, 1), RA_OK, c);
    return c;
}

static void
check_fresh(const struct ra_project *p, const char *name, bool cert)
{
    CHECK(p->id != NULL && p->id[0] != '\0');
    CHECK_STR(p->name, name);
    CHECK(is_hex32(p->vendor_key));
    CHECK(cert ? is_hex32(p->sign_key) : strcmp(p->sign_key, "") == 0);
    CHECK(p->recording_server == NULL);
    CHECK_INT(p->status, 1);
    CHECK(llabs(p->created - (long long)time(NULL)) < 600);
}

static void
test_lifecycle(void)
{
    struct ra_client *c = client();
    struct ra_projects *l = NULL;
    struct ra_project *a = NULL, *b = NULL, *p = NULL;
    CHECK_ERR(ra_project_list(c, &l), RA_OK, c);
    CHECK(l != NULL && l->count == 0 && l->items == NULL);
    CHECK_INT(ra_client_last_status(c), 201);
    CHECK_INT(ra_client_last_attempts(c), 1);
    CHECK_STR(ra_client_last_host(c), ra_client_host(c, 0));
    ra_projects_free(l);
    CHECK_ERR(ra_project_create(c, "lib-one", false, &a), RA_OK, c);
    CHECK_ERR(ra_project_create(c, "lib-two \xe2\x9c\x93", true, &b), RA_OK, c);
    if (a == NULL || b == NULL)
        return;
    check_fresh(a, "lib-one", false);
    check_fresh(b, "lib-two \xe2\x9c\x93", true);
    CHECK(strcmp(a->id, b->id) != 0);
    /* A duplicate name is refused (400) and, not being safe to repeat, sent once. */
    CHECK_ERR(ra_project_create(c, "lib-one", true, &p), RA_EREQUEST, c);
    CHECK(p == NULL);
    CHECK_INT(ra_client_last_status(c), 400);
    CHECK_INT(ra_client_last_attempts(c), 1);
    CHECK(strstr(ra_client_errmsg(c), "project name already exists") != NULL);
    CHECK_ERR(ra_project_list(c, &l), RA_OK, c);
    CHECK(l != NULL && l->count == 2);
    if (l != NULL && l->count == 2) {
        CHECK_STR(l->items[0].name, "lib-one");
        CHECK_STR(l->items[1].sign_key, b->sign_key);
        CHECK_STR(l->items[1].vendor_key, b->vendor_key);
    }
    ra_projects_free(l);
    ra_project_free(a);
    ra_project_free(b);
    ra_client_free(c);
}

/* The id of the project called name (a new string), or NULL. */
static char *
id_of(struct ra_client *c, const char *name)
{
    struct ra_projects *l = NULL;
    char *id = NULL;
    CHECK_ERR(ra_project_get(c, NULL, name, &l), RA_OK, c);
    if (l != NULL && l->count == 1)
        id = strdup(l->items[0].id);
    ra_projects_free(l);
    return id;
}

static void
test_get(void)
{
    struct ra_client *c = client();
    struct ra_projects *l = NULL;
    char *id = id_of(c, "lib-one");
    CHECK(id != NULL);
    if (id == NULL)
        return;
    CHECK_ERR(ra_project_get(c, id, NULL, &l), RA_OK, c);
    CHECK(l != NULL && l->count == 1 && strcmp(l->items[0].name, "lib-one") == 0);
    ra_projects_free(l);
    CHECK_ERR(ra_project_get(c, id, "lib-one", &l), RA_OK, c);
    CHECK(l != NULL && l->count == 1);
    ra_projects_free(l);
    CHECK_ERR(ra_project_get(c, NULL, "lib-two \xe2\x9c\x93", NULL), RA_OK, c);
    CHECK_ERR(ra_project_get(c, NULL, "no such & name?", &l), RA_ENOTFOUND, c);
    CHECK(l == NULL);
    CHECK(strstr(ra_client_errmsg(c), "HTTP 404") != NULL);
    CHECK(strstr(ra_client_errmsg(c), "project not exist") != NULL);
    CHECK_ERR(ra_project_get(c, id, "lib-two", &l), RA_ENOTFOUND, c);
    free(id);
    ra_client_free(c);
}

static void
test_updates(void)
{
    struct ra_client *c = client();
    struct ra_project *p = NULL;
    char *id = id_of(c, "lib-one");
    if (id == NULL)
        return;
    CHECK_ERR(ra_project_set_recording_server(c, id, "10.12.1.5:8080", &p), RA_OK, c);
    CHECK(p != NULL && p->recording_server && !strcmp(p->recording_server, "10.12.1.5:8080"));
    ra_project_free(p);
    CHECK_ERR(ra_project_set_sign_key(c, id, true, &p), RA_OK, c);
    char old[33] = "";
    if (p != NULL && is_hex32(p->sign_key))
        memcpy(old, p->sign_key, 33);
    CHECK(old[0] != '\0');
    ra_project_free(p);
    CHECK_ERR(ra_project_reset_sign_key(c, id, &p), RA_OK, c);
    CHECK(p != NULL && is_hex32(p->sign_key) && strcmp(p->sign_key, old) != 0);
    ra_project_free(p);
    CHECK_ERR(ra_project_set_sign_key(c, id, false, &p), RA_OK, c);
    CHECK(p != NULL && strcmp(p->sign_key, "") == 0);
    ra_project_free(p);
    /* Reset also enables a disabled certificate. */
    CHECK_ERR(ra_project_reset_sign_key(c, id, &p), RA_OK, c);
    CHECK(p != NULL && is_hex32(p->sign_key));
    ra_project_free(p);
    CHECK_ERR(ra_project_set_status(c, id, false, &p), RA_OK, c);
    CHECK(p != NULL && p->status == 0);
    ra_project_free(p);
    /* A disabled project: 404 for recording, signkey and reset; status still works. */
    CHECK_ERR(ra_project_set_recording_server(c, id, "10.0.0.1:1", NULL), RA_ENOTFOUND, c);
    CHECK_ERR(ra_project_set_sign_key(c, id, true, NULL), RA_ENOTFOUND, c);
    CHECK_ERR(ra_project_reset_sign_key(c, id, NULL), RA_ENOTFOUND, c);
    CHECK_ERR(ra_project_set_status(c, id, true, &p), RA_OK, c);
    CHECK(p != NULL && p->status == 1);
    ra_project_free(p);
    CHECK_ERR(ra_project_set_status(c, "nope", true, &p), RA_ENOTFOUND, c);
    CHECK(p == NULL);
    free(id);
    ra_client_free(c);
}

static void
test_delete(void)
{
    struct ra_client *c = client();
    struct ra_project *p = NULL;
    CHECK_ERR(ra_project_create(c, "lib-doomed", false, &p), RA_OK, c);
    if (p == NULL)
        return;
    CHECK_ERR(ra_project_delete(c, p->id), RA_OK, c);
    CHECK_INT(ra_client_last_status(c), 200);
    CHECK_ERR(ra_project_delete(c, p->id), RA_ENOTFOUND, c);
    CHECK(strstr(ra_client_errmsg(c), "project not exist") != NULL);
    CHECK_ERR(ra_project_get(c, p->id, NULL, NULL), RA_ENOTFOUND, c);
    ra_project_free(p);
    ra_client_free(c);
}

static void
test_raw(void)
{
    struct ra_client *c = client();
    long status = 0;
    char *body = NULL;
    size_t len = 0;
    CHECK_ERR(ra_client_request(c, "GET", "/dev/v1/projects", NULL, &status, &body, &len), RA_OK,
              c);
    CHECK_INT(status, 201);
    CHECK(body != NULL && len == strlen(body) && strncmp(body, "{\"projects\":[", 13) == 0);
    ra_body_free(body);
    CHECK_ERR(ra_client_request(c, "POST", "/dev/v1/project", "{\"name\":", &status, &body, &len),
              RA_EREQUEST, c);
    CHECK_INT(status, 400);
    CHECK(body != NULL && strstr(body, "\"status\":\"error\"") != NULL);
    ra_body_free(body);
    CHECK_ERR(ra_client_request(c, "GET", "/dev/v2/projects", NULL, &status, &body, NULL),
              RA_ENOTFOUND, c);
    CHECK_INT(status, 404);
    CHECK_STR(body, "{\"message\":\"no Route matched with those values\"}");
    ra_body_free(body);
    CHECK_ERR(ra_client_request(c, "POST", "/dev/v1/project",
                                "{\"name\":\"lib-raw\",\"enable_sign_key\":true}", NULL, NULL,
                                NULL),
              RA_OK, c);
    CHECK_ERR(ra_client_request(c, "DELETE", "/dev/v1/project", "{\"id\":\"nope\"}", &status, &body,
                                NULL),
              RA_ENOTFOUND, c);
    CHECK_STR(body, "{\"error_msg\":\"project not exist\"}");
    ra_body_free(body);
    ra_client_free(c);
}

static void
test_credentials_sources(void)
{
    struct ra_client *c = NULL;
    struct ra_projects *l = NULL;
    CHECK_ERR(ra_client_new(&c), RA_OK, c);
    CHECK_ERR(ra_client_load_env(c), RA_OK, c);
    /* The environment holds a second account, which sees none of the first one's projects. */
    CHECK_ERR(ra_client_load_credentials_env(c), RA_OK, c);
    CHECK_ERR(ra_project_list(c, &l), RA_OK, c);
    CHECK(l != NULL && l->count == 0);
    ra_projects_free(l);
    CHECK_ERR(ra_client_set_credentials(c, getenv("RESTAUTH_CUSTOMER_ID"),
                                        "0000000000000000wrong-secret0000"),
              RA_OK, c);
    CHECK_ERR(ra_project_list(c, &l), RA_EAUTH, c);
    CHECK_INT(ra_client_last_status(c), 401);
    CHECK_INT(ra_client_last_attempts(c), 1);
    CHECK(strstr(ra_client_errmsg(c), "Invalid authentication credentials") != NULL);
    CHECK(strstr(ra_client_errmsg(c), "wrong-secret") == NULL);
    ra_client_free(c);
}

static void
test_tls(void)
{
    struct ra_client *c = client();
    /* Without the private CA the server cannot be verified; that is final, not retried. */
    CHECK_ERR(ra_client_set_ca_file(c, NULL), RA_OK, c);
    CHECK_ERR(ra_project_list(c, NULL), RA_ETLS, c);
    CHECK_INT(ra_client_last_attempts(c), 1);
    CHECK_INT(ra_client_last_status(c), 0);
    ra_client_free(c);
}

static void *
worker(void *arg)
{
    int *failures = arg;
    struct ra_client *c = NULL;
    if (ra_client_new(&c) != RA_OK || ra_client_load_env(c) != RA_OK ||
        ra_client_load_credentials_file(c, cred_file) != RA_OK) {
        (*failures)++;
        ra_client_free(c);
        return NULL;
    }
    for (int i = 0; i < 5; i++) {
        struct ra_projects *l = NULL;
        if (ra_project_list(c, &l) != RA_OK || l->count < 2)
            (*failures)++;
        ra_projects_free(l);
    }
    ra_client_free(c);
    return NULL;
}

/* One handle per thread, several threads at once. */
static void
test_threads(void)
{
    pthread_t th[4];
    int failures[4] = {0};
    for (int i = 0; i < 4; i++)
        CHECK_INT(pthread_create(&th[i], NULL, worker, &failures[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(failures[i], 0);
    }
}

int
main(void)
{
    cred_file = getenv("RA_CRED_FILE");
    if (cred_file == NULL || getenv("RESTAUTH_BASE_URL") == NULL) {
        fprintf(stderr, "lib_e2e: set RA_CRED_FILE and RESTAUTH_BASE_URL\n");
        return 2;
    }
    CHECK_INT(ra_global_init(), RA_OK);
    RUN(test_lifecycle);
    RUN(test_get);
    RUN(test_updates);
    RUN(test_delete);
    RUN(test_raw);
    RUN(test_credentials_sources);
    RUN(test_tls);
    RUN(test_threads);
    ra_global_cleanup();
    return tests_done();
}
