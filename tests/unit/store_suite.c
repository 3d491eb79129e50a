/* SPDX-License-Identifier: MIT */
/*
 * store_suite.c: the databases of the store test suite (store_suite.h) and its forked
 * children.
 *
 * SQLite: database NAME is the file NAME in the temporary directory of store_fixture.h.
 * PostgreSQL: database NAME is "ra_<pid>_<NAME with every other character as _>", made with
 * CREATE DATABASE through the given URI on first use and dropped by suite_end(); its URL is
 * the given URI with the database part replaced.
 */
#include "store_suite.h"

#include "harness.h"
#include "store_fixture.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_DBS 64

static bool pg;
static char pg_uri[512];
static char pg_dir[256];
static pthread_mutex_t dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static char dbs[MAX_DBS][64]; /* the PostgreSQL databases made so far */
static int n_dbs;
static int go_pipe[2] = {-1, -1};

bool
suite_is_pg(void)
{
    return pg;
}

const char *
suite_pg_uri(void)
{
    return pg_uri;
}

const char *
suite_pg_dir(void)
{
    return pg_dir;
}

/* Run one statement on the server's maintenance connection (the given URI). */
static int
admin_exec(const char *sql)
{
    PGconn *c = PQconnectdb(pg_uri);
    PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc != 0)
        fprintf(stderr, "test_store: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return rc;
}

void
suite_end(void)
{
    char sql[128];
    for (int i = 0; i < n_dbs; i++) {
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %.63s WITH (FORCE)", dbs[i]);
        admin_exec(sql);
    }
}

/* Read the URI from FILE's first line; DIR is FILE's directory. */
static int
uri_from_file(const char *file)
{
    FILE *f = fopen(file, "r");
    if (f == NULL || fgets(pg_uri, sizeof(pg_uri), f) == NULL) {
        fprintf(stderr, "test_store: cannot read the URI from %s\n", file);
        if (f != NULL)
            fclose(f);
        return -1;
    }
    fclose(f);
    pg_uri[strcspn(pg_uri, "\r\n")] = '\0';
    snprintf(pg_dir, sizeof(pg_dir), "%s", file);
    char *slash = strrchr(pg_dir, '/');
    if (slash != NULL)
        *slash = '\0';
    else
        snprintf(pg_dir, sizeof(pg_dir), ".");
    return 0;
}

int
suite_begin(int argc, char **argv)
{
    const char *arg = argc > 1 ? argv[1] : getenv("RA_TEST_STORE");
    if (arg == NULL) {
        fprintf(stderr, "usage: test_store sqlite: | postgresql://URI | @FILE\n");
        return -1;
    }
    pg = strncmp(arg, "sqlite:", 7) != 0;
    if (arg[0] == '@' && uri_from_file(arg + 1) < 0)
        return -1;
    if (pg && arg[0] != '@')
        snprintf(pg_uri, sizeof(pg_uri), "%s", arg);
    printf("# backend: %s\n", pg ? "postgresql" : "sqlite");
    if (fixture_begin(pg ? "store-pg" : "store") < 0)
        return -1;
    return 0;
}

/* The PostgreSQL name of database NAME. */
static void
db_name(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "ra_%ld_%s", (long)fixture_owner, name);
    for (char *p = buf; *p != '\0'; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    }
}

/* Make database db unless this run made it already. */
static void
db_make(const char *db)
{
    char sql[128];
    pthread_mutex_lock(&dbs_lock);
    bool known = false;
    for (int i = 0; i < n_dbs && !known; i++)
        known = strcmp(dbs[i], db) == 0;
    if (!known && n_dbs < MAX_DBS) {
        snprintf(sql, sizeof(sql), "CREATE DATABASE %.63s", db);
        if (admin_exec(sql) == 0)
            snprintf(dbs[n_dbs++], sizeof(dbs[0]), "%s", db);
    }
    pthread_mutex_unlock(&dbs_lock);
}

const char *
suite_url(char *buf, size_t n, const char *name)
{
    if (!pg)
        return path_in(buf, n, "sqlite:", name);
    char db[64];
    db_name(db, sizeof(db), name);
    db_make(db);
    /* postgresql://[userinfo@]host[:port]/DB[?query]: replace DB. */
    const char *auth = strstr(pg_uri, "://");
    const char *path = auth != NULL ? strchr(auth + 3, '/') : NULL;
    const char *query = strchr(pg_uri, '?');
    if (path == NULL || (query != NULL && query < path))
        path = query != NULL ? query : pg_uri + strlen(pg_uri);
    snprintf(buf, n, "%.*s/%s%s", (int)(path - pg_uri), pg_uri, db, query != NULL ? query : "");
    return buf;
}

int
suite_open(struct store *st, const char *name)
{
    char url[1024];
    int rc = store_open(suite_url(url, sizeof(url), name), st);
    ASSERT_EQ_INT(rc, 0);
    return rc;
}

pid_t
suite_fork(int (*fn)(void *arg, int i), void *arg, int i)
{
    if (go_pipe[0] < 0 && pipe(go_pipe) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(go_pipe[1]);
        _exit(fn(arg, i) & 0xff);
    }
    return pid;
}

void
suite_child_ready(void)
{
    char b;
    while (read(go_pipe[0], &b, 1) < 0 && errno == EINTR)
        ;
}

void
suite_children_go(void)
{
    if (go_pipe[0] < 0)
        return;
    close(go_pipe[1]);
    close(go_pipe[0]);
    go_pipe[0] = go_pipe[1] = -1;
}

int
suite_wait(pid_t pid)
{
    int status = 0;
    if (pid <= 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

void *
suite_shared(size_t n)
{
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}
