/* SPDX-License-Identifier: MIT */
/*
 * store_suite_pg.c: what only the PostgreSQL backend has (part of the test_store program,
 * store_suite.h): its URLs and pool_size, the password sources and a URI that is never
 * logged, the schema_version table and migrations racing at open, a pool of one connection,
 * feed_wait (LISTEN/NOTIFY), a COMMIT whose outcome is unknown, and the server going away and
 * coming back. Those last two change the suite's server (its configuration for a moment; it
 * is stopped and started), so they run last, and the suite must have the server to itself.
 */
#include "store/store.h"
#include "store/store_pg.h"

#include "harness.h"
#include "store_fixture.h"
#include "store_suite.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Evaluate a one-value query on database NAME through a connection of our own; the value as
 * an integer (INT64_MIN on failure). */
static int64_t
raw_int(const char *name, const char *sql)
{
    char url[PATH_MAX];
    PGconn *c = PQconnectdb(suite_url(url, sizeof(url), name));
    PGresult *r = PQexec(c, sql);
    int64_t v = INT64_MIN;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else if (PQresultStatus(r) == PGRES_COMMAND_OK)
        v = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    PQfinish(c);
    return v;
}

/* stderr of this process goes to a file between capture_begin and capture_end, which
 * returns what was written (at most n - 1 bytes) in buf. */
static int saved_stderr = -1;
static char capture_path[PATH_MAX];

static void
capture_begin(void)
{
    fflush(stderr);
    path_in(capture_path, sizeof(capture_path), "", "stderr.txt");
    int fd = open(capture_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    saved_stderr = dup(2);
    dup2(fd, 2);
    close(fd);
}

static const char *
capture_end(char *buf, size_t n)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    FILE *f = fopen(capture_path, "r");
    size_t got = f != NULL ? fread(buf, 1, n - 1, f) : 0;
    buf[got] = '\0';
    if (f != NULL)
        fclose(f);
    unlink(capture_path);
    fputs(buf, stderr); /* still shown in the test's log */
    return buf;
}

/* The password of the suite's URI ("scheme://user:PASSWORD@host..."), into buf; "" if none. */
static const char *
uri_password(char *buf, size_t n)
{
    const char *u = suite_pg_uri();
    const char *start = strstr(u, "://"), *at = strchr(u, '@');
    const char *colon = start != NULL ? strchr(start + 3, ':') : NULL;
    buf[0] = '\0';
    if (colon != NULL && at != NULL && colon < at)
        snprintf(buf, n, "%.*s", (int)(at - colon - 1), colon + 1);
    return buf;
}

/* Fill buf with url where the text `from` (first occurrence) becomes `to`. */
static const char *
replaced(char *buf, size_t n, const char *url, const char *from, const char *to)
{
    const char *p = strstr(url, from);
    if (p == NULL || from[0] == '\0')
        snprintf(buf, n, "%s", url);
    else
        snprintf(buf, n, "%.*s%s%s", (int)(p - url), url, to, p + strlen(from));
    return buf;
}

static int
open_url(const char *url)
{
    struct store st;
    int rc = store_open(url, &st);
    if (rc == 0)
        store_close(&st);
    return rc;
}

static void
test_pg_urls(void)
{
    char url[1024], u2[1024];
    suite_url(url, sizeof(url), "urls.db");
    ASSERT_EQ_INT(open_url(url), 0);
    ASSERT_EQ_INT(open_url(replaced(u2, sizeof(u2), url, "postgresql://", "postgres://")), 0);
    ASSERT_EQ_INT(open_url(replaced(u2, sizeof(u2), url, "postgresql://", "PostgreSQL://")), 0);
    ASSERT_EQ_INT(open_url(replaced(u2, sizeof(u2), url, "?", "?pool_size=2&")), 0);
    ASSERT_EQ_INT(
        open_url(replaced(u2, sizeof(u2), url, "sslmode=disable", "sslmode=disable&pool_size=64")),
        0);
    const char *bad[] = {"?pool_size=0&", "?pool_size=65&", "?pool_size=x&", "?pool_size=&",
                         "?no_such_parameter=1&"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ASSERT_EQ_INT(open_url(replaced(u2, sizeof(u2), url, "?", bad[i])), -EINVAL);
    ASSERT_EQ_INT(open_url("postgresql:/nohost"), -EINVAL);
    ASSERT_EQ_INT(open_url("postgresqlx://h/db"), -EINVAL);
}

/* A port on 127.0.0.1 bound by us but not listening, so connections are refused; the
 * socket is returned in *fd. */
static int
refused_port(int *fd)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, len) != 0 ||
        getsockname(*fd, (struct sockaddr *)&a, &len) != 0)
        return 0;
    return ntohs(a.sin_port);
}

/* An unreachable server is -ENOTCONN within a bounded time; neither a wrong nor the right
 * password ever reaches the log, which names the host. */
static void
test_pg_unreachable(void)
{
    char url[1024], u2[1024], pw[128], log[4096];
    int fd = -1;
    int port = refused_port(&fd);
    ASSERT_TRUE(port > 0);
    snprintf(u2, sizeof(u2), "postgresql://ra:Secret-Pw-71@127.0.0.1:%d/x?connect_timeout=2", port);
    int64_t t0 = now_ms();
    capture_begin();
    int rc = open_url(u2);
    capture_end(log, sizeof(log));
    ASSERT_EQ_INT(rc, -ENOTCONN);
    ASSERT_TRUE(now_ms() - t0 < 3000);
    ASSERT_TRUE(strstr(log, "Secret-Pw-71") == NULL);
    ASSERT_TRUE(strstr(log, "127.0.0.1") != NULL);
    close(fd);

    /* A black-holed address: connect_timeout bounds the wait. */
    t0 = now_ms();
    ASSERT_EQ_INT(open_url("postgresql://ra@192.0.2.1:5432/x?connect_timeout=1"), -ENOTCONN);
    ASSERT_TRUE(now_ms() - t0 < 4000);

    suite_url(url, sizeof(url), "unreach.db");
    uri_password(pw, sizeof(pw));
    ASSERT_TRUE(pw[0] != '\0');
    capture_begin();
    rc = open_url(replaced(u2, sizeof(u2), url, pw, "Wrong-Pw-4242"));
    capture_end(log, sizeof(log));
    ASSERT_EQ_INT(rc, -ENOTCONN);
    ASSERT_TRUE(strstr(log, "Wrong-Pw-4242") == NULL);
    ASSERT_TRUE(strstr(log, "password authentication failed") != NULL);
    capture_begin();
    rc = open_url(url);
    capture_end(log, sizeof(log));
    ASSERT_EQ_INT(rc, 0);
    ASSERT_TRUE(strstr(log, pw) == NULL);
}

/* The password may also come from PGPASSWORD or from PGPASSFILE, as with every libpq tool. */
static void
test_pg_password_sources(void)
{
    char url[1024], bare[1024], pw[128], auth[160], file[PATH_MAX];
    suite_url(url, sizeof(url), "pwsrc.db");
    uri_password(pw, sizeof(pw));
    snprintf(auth, sizeof(auth), ":%s@", pw);
    replaced(bare, sizeof(bare), url, auth, "@");
    ASSERT_TRUE(strstr(bare, pw) == NULL);
    setenv("PGPASSFILE", "/nonexistent", 1);
    ASSERT_EQ_INT(open_url(bare), -ENOTCONN);
    setenv("PGPASSWORD", pw, 1);
    ASSERT_EQ_INT(open_url(bare), 0);
    unsetenv("PGPASSWORD");
    FILE *f = fopen(path_in(file, sizeof(file), "", "pgpass"), "w");
    ASSERT_TRUE(f != NULL);
    if (f != NULL) {
        fprintf(f, "*:*:*:*:%s\n", pw);
        fclose(f);
    }
    chmod(file, 0600);
    setenv("PGPASSFILE", file, 1);
    ASSERT_EQ_INT(open_url(bare), 0);
    unsetenv("PGPASSFILE");
    unlink(file);
}

static int
open_child(void *arg, int i)
{
    (void)i;
    suite_child_ready();
    return open_url(arg) == 0 ? 0 : 1;
}

static void
test_pg_schema(void)
{
    char url[1024];
    pid_t pid[4];
    /* Four processes open a new database at once: one migrates, all succeed. */
    suite_url(url, sizeof(url), "schema.db");
    for (int i = 0; i < 4; i++)
        pid[i] = suite_fork(open_child, url, i);
    suite_children_go();
    for (int i = 0; i < 4; i++)
        ASSERT_EQ_INT(suite_wait(pid[i]), 0);
    ASSERT_EQ_INT(raw_int("schema.db", "SELECT count(*) FROM schema_version"), 1);
    ASSERT_EQ_INT(raw_int("schema.db", "SELECT version FROM schema_version"),
                  STORE_PG_SCHEMA_VERSION);
    ASSERT_EQ_INT(raw_int("schema.db", "SELECT count(*) FROM pg_tables WHERE tablename IN"
                                       " ('accounts', 'credentials', 'projects', 'sessions',"
                                       " 'changes', 'feed_meta', 'nodes')"),
                  7);
    ASSERT_EQ_INT(open_url(url), 0); /* nothing left to do */
    /* A database from a newer program is refused. */
    ASSERT_EQ_INT(raw_int("schema.db", "UPDATE schema_version SET version = 99"), 1);
    ASSERT_EQ_INT(open_url(url), -EIO);
}

static int
lookup_inside(void *ctx, const struct store_account *a)
{
    struct store *st = ctx;
    struct store_account again;
    return st->ops->account_by_name(st->priv, a->name, &again) == 0 && again.id == a->id ? 0 : 1;
}

struct pool_worker {
    struct store *st;
    int index, ok;
};

static void *
pool_worker_run(void *arg)
{
    struct pool_worker *w = arg;
    char name[32];
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof(name), "w%d-%d", w->index, i);
        struct store_account a;
        w->ok += w->st->ops->account_add(w->st->priv, name, 1, &a) == 0;
    }
    return NULL;
}

/* One connection serves several threads in turn, and a list's callback may call the store:
 * the connection is given back before callbacks run. */
static void
test_pg_pool_of_one(void)
{
    char url[1024], u2[1024];
    struct store st;
    struct pool_worker w[4];
    pthread_t th[4];
    suite_url(url, sizeof(url), "pool1.db");
    if (store_open(replaced(u2, sizeof(u2), url, "?", "?pool_size=1&"), &st) != 0) {
        ASSERT_TRUE(false);
        return;
    }
    for (int i = 0; i < 4; i++) {
        w[i] = (struct pool_worker){.st = &st, .index = i};
        ASSERT_EQ_INT(pthread_create(&th[i], NULL, pool_worker_run, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ASSERT_EQ_INT(w[i].ok, 10);
    }
    ASSERT_EQ_INT(st.ops->account_list(st.priv, lookup_inside, &st), 0);
    store_close(&st);
}

struct later_write {
    struct store *st;
    int delay_ms;
    int rc;
};

static void *
write_later(void *arg)
{
    struct later_write *w = arg;
    usleep((useconds_t)w->delay_ms * 1000);
    struct store_account a;
    w->rc = w->st->ops->account_add(w->st->priv, "woken", 1, &a);
    return NULL;
}

/* Wait until feed_wait has nothing pending (a new session answers 1 at once). */
static void
settle(struct store *st)
{
    for (int i = 0; i < 50 && st->ops->feed_wait(st->priv, 50) != 0; i++)
        ;
}

static void
test_pg_feed_wait(void)
{
    struct store s1, s2;
    if (suite_open(&s1, "wait.db") != 0)
        return;
    if (suite_open(&s2, "wait.db") != 0) {
        store_close(&s1);
        return;
    }
    ASSERT_TRUE(s1.ops->feed_wait != NULL);
    ASSERT_TRUE(s1.ops->feed_wait(s1.priv, 0) >= 0);
    settle(&s1);
    int64_t t0 = now_ms();
    ASSERT_EQ_INT(s1.ops->feed_wait(s1.priv, 300), 0); /* nothing written: the timeout */
    ASSERT_TRUE(now_ms() - t0 >= 250);

    /* A write through another connection wakes the waiter long before its timeout. */
    struct later_write w = {.st = &s2, .delay_ms = 200};
    pthread_t th;
    ASSERT_EQ_INT(pthread_create(&th, NULL, write_later, &w), 0);
    t0 = now_ms();
    ASSERT_EQ_INT(s1.ops->feed_wait(s1.priv, 10000), 1);
    ASSERT_TRUE(now_ms() - t0 < 5000);
    pthread_join(th, NULL);
    ASSERT_EQ_INT(w.rc, 0);
    settle(&s1);

    /* A last-used update appends no row, so it notifies nobody. */
    struct store_cred c;
    cred_init(&c, "t1", 1, 5);
    ASSERT_EQ_INT(s2.ops->cred_add(s2.priv, &c, -1), 0);
    ASSERT_EQ_INT(s1.ops->feed_wait(s1.priv, 5000), 1);
    settle(&s1);
    struct store_touch t = {"t1", 99};
    ASSERT_EQ_INT(s2.ops->cred_touch(s2.priv, &t, 1), 0);
    ASSERT_EQ_INT(s1.ops->feed_wait(s1.priv, 300), 0);
    store_close(&s2);
    store_close(&s1);
}

/* Run sql on the server's maintenance database (the suite's URI); the number of rows it
 * returned or changed, or -1. */
static int
server_exec(const char *sql)
{
    PGconn *c = PQconnectdb(suite_pg_uri());
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    int n = st == PGRES_TUPLES_OK    ? PQntuples(r)
            : st == PGRES_COMMAND_OK ? (int)strtol(PQcmdTuples(r), NULL, 10)
                                     : -1;
    PQclear(r);
    PQfinish(c);
    return n;
}

static void *
add_unknown(void *arg)
{
    struct later_write *w = arg;
    struct store_account a;
    w->rc = w->st->ops->account_add(w->st->priv, "unknown", 1, &a);
    return NULL;
}

/* The connection breaks while COMMIT is under way (it waits for a synchronous standby that
 * does not exist, and its session is terminated): the write did take effect, but the caller
 * cannot know, so it must not hear success, nor -ENOTCONN ("nothing was written"). */
static void
test_pg_commit_unknown(void)
{
    struct store st;
    struct store_account a;
    pthread_t th;
    if (suite_open(&st, "commit.db") != 0)
        return;
    ASSERT_EQ_INT(server_exec("ALTER SYSTEM SET synchronous_standby_names = 'nobody'"), 0);
    ASSERT_EQ_INT(server_exec("SELECT pg_reload_conf()"), 1);
    usleep(300 * 1000);
    struct later_write w = {.st = &st};
    ASSERT_EQ_INT(pthread_create(&th, NULL, add_unknown, &w), 0);
    int killed = 0;
    for (int i = 0; i < 100 && killed <= 0; i++, usleep(20 * 1000))
        killed = server_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                             " WHERE wait_event = 'SyncRep'");
    pthread_join(th, NULL);
    ASSERT_EQ_INT(server_exec("ALTER SYSTEM RESET synchronous_standby_names"), 0);
    ASSERT_EQ_INT(server_exec("SELECT pg_reload_conf()"), 1);
    ASSERT_EQ_INT(killed, 1);
    ASSERT_EQ_INT(w.rc, -EIO);
    ASSERT_EQ_INT(st.ops->account_by_name(st.priv, "unknown", &a), 0); /* committed locally */
    store_close(&st);
}

/* Run the suite's pg-server.sh with cmd on the server's directory; its exit status. */
static int
server_ctl(const char *cmd)
{
    const char *script = getenv("RA_TEST_PG_SERVER");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execl(script, script, cmd, suite_pg_dir(), (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* While the server is down every operation fails at once with -ENOTCONN; once it is back,
 * the same store handle recovers, and nothing of the failed writes was kept. */
static void
server_down(struct store *st)
{
    const struct store_ops *o = st->ops;
    struct store_account a;
    struct store_cred c;
    struct store dead;
    char url[1024];
    int64_t head = 0;
    int64_t t0 = now_ms();
    ASSERT_EQ_INT(o->account_add(st->priv, "during", 2, &a), -ENOTCONN);
    ASSERT_EQ_INT(o->account_by_name(st->priv, "before", &a), -ENOTCONN);
    ASSERT_EQ_INT(o->cred_get(st->priv, "x", &c), -ENOTCONN);
    ASSERT_EQ_INT(o->feed_head(st->priv, &head), -ENOTCONN);
    ASSERT_TRUE(o->feed_wait(st->priv, 100) < 0);
    ASSERT_EQ_INT(store_open(suite_url(url, sizeof(url), "restart.db"), &dead), -ENOTCONN);
    ASSERT_TRUE(now_ms() - t0 < 5000);
}

static void
test_pg_restart(void)
{
    struct store st;
    struct store_account a;
    if (getenv("RA_TEST_PG_SERVER") == NULL || suite_pg_dir()[0] == '\0') {
        printf("# skipped test_pg_restart: RA_TEST_PG_SERVER and a @FILE URI are needed\n");
        return;
    }
    if (suite_open(&st, "restart.db") != 0)
        return;
    const struct store_ops *o = st.ops;
    ASSERT_EQ_INT(o->account_add(st.priv, "before", 1, &a), 0);
    ASSERT_TRUE(o->feed_wait(st.priv, 0) >= 0);
    ASSERT_EQ_INT(server_ctl("halt"), 0);
    server_down(&st);
    ASSERT_EQ_INT(server_ctl("resume"), 0);
    int rc = -1;
    for (int64_t t0 = now_ms(); rc != 0 && now_ms() - t0 < 20000; usleep(100 * 1000))
        rc = o->account_by_name(st.priv, "before", &a);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(o->account_by_name(st.priv, "during", &a), -ENOENT);
    ASSERT_EQ_INT(o->account_add(st.priv, "after", 3, &a), 0);
    rc = -1;
    for (int i = 0; i < 50 && rc < 0; i++, usleep(100 * 1000))
        rc = o->feed_wait(st.priv, 100);
    ASSERT_TRUE(rc >= 0);
    store_close(&st);
}

void
suite_pg(int *checks, int *failures)
{
    RUN(test_pg_urls);
    RUN(test_pg_unreachable);
    RUN(test_pg_password_sources);
    RUN(test_pg_schema);
    RUN(test_pg_pool_of_one);
    RUN(test_pg_feed_wait);
    RUN(test_pg_commit_unknown);
    RUN(test_pg_restart);
    *checks += harness_checks;
    *failures += harness_failures;
}
