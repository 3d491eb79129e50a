/* SPDX-License-Identifier: MIT */
/*
 * test_gate.c: the request pipeline (gate/gate.c) driven through an engine of the test's own
 * over a real SQLite store, with an injected clock: the failure throttle (a valid pair always
 * goes through; addresses grouped as the limiter groups them), the per-account rate limit by
 * rate class, the header-size limit at its exact boundary, the keyed hash computed once for a
 * known and an unknown Customer ID alike, the full 32 bytes of the stored hash compared, two
 * apps in one process that share nothing, the body limit and the closed connection of a
 * request refused before its body, the syntax of Customer IDs, the console's checks (session
 * expiry at the exact second, the exact CSRF token, the REST rate classes), and forward
 * authentication (/auth/verify): its answer, where the original request is read from, its
 * rate classes, the throttle and the clients behind a Unix socket.
 */
#include "app.h"
#include "service/credtab.h"
#include "auth/secret.h"
#include "common/rand.h"
#include "console/session.h"
#include "gate/gate.h"
#include "service/creds.h"

#include "harness.h"
#include "store_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/un.h>

/* Calls of the keyed hash, counted through the linker's --wrap (see CMakeLists.txt). */
static int hash_calls;
void __real_secret_hash(const struct secret_hasher *h, const char *id, size_t id_len,
                        const char *secret, size_t secret_len, unsigned char *out);
void __wrap_secret_hash(const struct secret_hasher *h, const char *id, size_t id_len,
                        const char *secret, size_t secret_len, unsigned char *out);
void
__wrap_secret_hash(const struct secret_hasher *h, const char *id, size_t id_len, const char *secret,
                   size_t secret_len, unsigned char *out)
{
    hash_calls++;
    __real_secret_hash(h, id, id_len, secret, secret_len, out);
}

/* The injected clock: unix milliseconds, moved by the tests. */
static int64_t clock_now = 1800000000000;

static int64_t
test_clock(void)
{
    return clock_now;
}

/* ---- an engine of the test's own ---- */

#define MAX_FIELDS 10

struct fake {
    const char *names[MAX_FIELDS];
    const char *values[MAX_FIELDS];
    int n;
    size_t lens[MAX_FIELDS]; /* a value's length when it holds a NUL; 0: up to its NUL */
    const char *version;     /* NULL: HTTP/1.1 */
};

static void
fake_each(void *engine, request_field_fn fn, void *ctx)
{
    struct fake *f = engine;
    for (int i = 0; i < f->n; i++) {
        size_t n = f->lens[i] > 0 ? f->lens[i] : strlen(f->values[i]);
        if (fn(ctx, f->names[i], strlen(f->names[i]), f->values[i], n) != 0)
            return;
    }
}

static const char *
fake_field(void *engine, const char *name, int *count)
{
    struct fake *f = engine;
    const char *first = NULL;
    int c = 0;
    for (int i = 0; i < f->n; i++)
        if (strcasecmp(f->names[i], name) == 0 && c++ == 0)
            first = f->values[i];
    if (count != NULL)
        *count = c;
    return first;
}

static const struct request_io fake_io = {fake_each, fake_field};

/* ---- the apps under test ---- */

struct world {
    struct config cfg;
    struct store st;
    struct app app;
};

static struct world one, two, three;
static unsigned char key[SECRET_KEY_LEN];

/* A client address; "unix" is a peer on a Unix socket (unnamed, as a client's is). */
static struct sockaddr_storage
addr(const char *text)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    if (strcmp(text, "unix") == 0) {
        ((struct sockaddr_un *)&ss)->sun_family = AF_UNIX;
    } else if (strchr(text, ':') != NULL) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        ASSERT_EQ_INT(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        ASSERT_EQ_INT(inet_pton(AF_INET, text, &in->sin_addr), 1);
    }
    return ss;
}

/* "Basic base64(id:secret)" into out. */
static const char *
basic(char *out, size_t cap, const char *id, const char *secret)
{
    char plain[160];
    snprintf(plain, sizeof(plain), "%s:%s", id, secret);
    memcpy(out, "Basic ", 6);
    sodium_bin2base64(out + 6, cap - 6, (const unsigned char *)plain, strlen(plain),
                      sodium_base64_VARIANT_ORIGINAL);
    return out;
}

struct outcome {
    int status;
    int retry_after;
    bool close;
    bool www_auth;
    char customer_id[STORE_HEX32 + 1];
    char log_method[16];
    char log_path[256];
    size_t body_len;
    char body[160];
    int nheaders;
    struct {
        char name[32];
        char value[80];
    } headers[REPLY_MAX_HEADERS];
};

/* The value of the reply header `name` in o, or NULL. */
static const char *
header_of(const struct outcome *o, const char *name)
{
    for (int i = 0; i < o->nheaders; i++)
        if (strcasecmp(o->headers[i].name, name) == 0)
            return o->headers[i].value;
    return NULL;
}

/* Run one bodiless request through the pipeline as the adapter does; with head_only, only what
 * is decided from the header section, before any body would be read. */
static struct outcome
pass(struct world *w, const char *method, const char *target, const char *from, struct fake *f,
     bool head_only)
{
    struct sockaddr_storage peer = addr(from);
    struct request req = {.method = method,
                          .raw_target = target,
                          .raw_target_len = strlen(target),
                          .version = f->version != NULL ? f->version : "HTTP/1.1",
                          .peer = (struct sockaddr *)&peer,
                          .tls = true,
                          .io = &fake_io,
                          .engine = f};
    gate_head(&w->app, &req);
    /* As http/conn.c: a request refused with a body is answered at once. */
    if (!head_only && (req.reply.status == 0 || !req.has_body))
        gate_run(&req);
    struct outcome o = {.status = req.reply.status,
                        .retry_after = req.reply.retry_after,
                        .close = req.reply.close,
                        .www_auth = req.reply.www_auth};
    memcpy(o.customer_id, req.customer_id, sizeof(o.customer_id));
    memcpy(o.log_method, req.log_method, sizeof(o.log_method));
    memcpy(o.log_path, req.log_path, sizeof(o.log_path));
    o.body_len = req.reply.len;
    snprintf(o.body, sizeof(o.body), "%.*s", (int)req.reply.len,
             req.reply.body != NULL ? req.reply.body : "");
    o.nheaders = req.reply.nheaders;
    for (int i = 0; i < req.reply.nheaders; i++) {
        snprintf(o.headers[i].name, sizeof(o.headers[i].name), "%s", req.reply.headers[i].name);
        snprintf(o.headers[i].value, sizeof(o.headers[i].value), "%s", req.reply.headers[i].value);
    }
    gate_finish(&req);
    return o;
}

static struct outcome
call(struct world *w, const char *method, const char *target, const char *from, struct fake *f)
{
    return pass(w, method, target, from, f, false);
}

/* GET /dev/v1/projects with Host and, when id is not NULL, Basic credentials. */
static struct outcome
get_projects(struct world *w, const char *from, const char *id, const char *secret)
{
    char auth[256];
    struct fake f = {{"Host"}, {"localhost"}, 1, {0}, NULL};
    if (id != NULL) {
        f.names[1] = "Authorization";
        f.values[1] = basic(auth, sizeof(auth), id, secret);
        f.n = 2;
    }
    return call(w, "GET", "/dev/v1/projects", from, &f);
}

/* A pair for a new account NAME of world w, made by the credential service. */
struct pair {
    char id[SECRET_HEX_LEN + 1];
    char secret[SECRET_HEX_LEN + 1];
    int64_t account;
};

static struct pair
new_pair(struct world *w, const char *name)
{
    struct pair p;
    struct store_cred c;
    p.account = add_account(&w->st, name);
    creds_new(&w->app, p.account, 1000, &c, p.secret);
    memcpy(p.id, c.customer_id, sizeof(p.id));
    ASSERT_EQ_INT(creds_add(&w->app, &c, NULL), 0);
    return p;
}

/* Open world w over store db; the --forward-limit rules are the NULL-terminated `rules`. */
static void
open_world_rules(struct world *w, const char *db, const char *const *rules)
{
    config_defaults(&w->cfg);
    w->cfg.access_log = "off";
    while (rules != NULL && *rules != NULL)
        w->cfg.forward_limits.item[w->cfg.forward_limits.n++] = *rules++;
    ASSERT_EQ_INT(open_store(&w->st, db), 0);
    ASSERT_EQ_INT(app_open(&w->app, &w->cfg, &w->st, key), 0);
    w->app.clock_ms = test_clock;
}

static void
open_world(struct world *w, const char *db)
{
    open_world_rules(w, db, NULL);
}

static void
close_world(struct world *w)
{
    app_cleanup(&w->app);
    store_close(&w->st);
}

/* ---- tests ---- */

static void
test_valid_and_missing(void)
{
    struct pair p = new_pair(&one, "valid");
    struct outcome o = get_projects(&one, "192.0.2.10", p.id, p.secret);
    ASSERT_EQ_INT(o.status, 201);
    ASSERT_EQ_STR(o.customer_id, p.id);
    o = get_projects(&one, "192.0.2.10", NULL, NULL);
    ASSERT_EQ_INT(o.status, 401);
    ASSERT_TRUE(o.www_auth);
    ASSERT_EQ_STR(o.customer_id, "");
}

/*
 * --auth-fail-limit 3: three wrong pairs from an address get 401, the next ones 429 with the
 * wait and a closed connection; the right pair from the same address still goes through;
 * another address is not touched; the window ends a minute after the first failure.
 */
static void
test_throttle(void)
{
    one.cfg.auth_fail_limit = 3;
    one.cfg.rate_limit = 0;
    struct pair p = new_pair(&one, "throttled");
    const char *from = "198.51.100.7";
    for (int i = 0; i < 3; i++)
        ASSERT_EQ_INT(get_projects(&one, from, p.id, "wrong").status, 401);
    for (int i = 0; i < 3; i++) {
        struct outcome o = get_projects(&one, from, p.id, "wrong");
        ASSERT_EQ_INT(o.status, 429);
        ASSERT_EQ_INT(o.retry_after, 60);
        ASSERT_TRUE(o.close);
    }
    ASSERT_EQ_INT(get_projects(&one, from, p.id, p.secret).status, 201);
    /* The same address written as IPv4-mapped IPv6 is the same client. */
    ASSERT_EQ_INT(get_projects(&one, "::ffff:198.51.100.7", p.id, "wrong").status, 429);
    ASSERT_EQ_INT(get_projects(&one, "198.51.100.8", p.id, "wrong").status, 401);
    /* A missing header is not a failure, even from a throttled address. */
    ASSERT_EQ_INT(get_projects(&one, from, NULL, NULL).status, 401);
    clock_now += 30 * 1000;
    struct outcome o = get_projects(&one, from, p.id, "wrong");
    ASSERT_EQ_INT(o.status, 429);
    ASSERT_EQ_INT(o.retry_after, 30);
    clock_now += 30 * 1000;
    ASSERT_EQ_INT(get_projects(&one, from, p.id, "wrong").status, 401);
    one.cfg.auth_fail_limit = 0; /* off: never 429 */
    for (int i = 0; i < 10; i++)
        ASSERT_EQ_INT(get_projects(&one, from, p.id, "wrong").status, 401);
}

/* IPv6 clients are grouped by /64. */
static void
test_throttle_ipv6(void)
{
    one.cfg.auth_fail_limit = 2;
    struct pair p = new_pair(&one, "six");
    ASSERT_EQ_INT(get_projects(&one, "2001:db8:1:2::1", p.id, "wrong").status, 401);
    ASSERT_EQ_INT(get_projects(&one, "2001:db8:1:2::ffff", p.id, "wrong").status, 401);
    ASSERT_EQ_INT(get_projects(&one, "2001:db8:1:2:aaaa::9", p.id, "wrong").status, 429);
    ASSERT_EQ_INT(get_projects(&one, "2001:db8:1:3::1", p.id, "wrong").status, 401);
    ASSERT_EQ_INT(get_projects(&one, "2001:db8:1:2::1", p.id, p.secret).status, 201);
    one.cfg.auth_fail_limit = 0;
}

/* --rate-limit 2: exactly two per second per account and rate class. */
static void
test_rate_limit(void)
{
    one.cfg.rate_limit = 2;
    clock_now += 5000;
    struct pair a = new_pair(&one, "rate-a"), b = new_pair(&one, "rate-b");
    const char *from = "203.0.113.5";
    ASSERT_EQ_INT(get_projects(&one, from, a.id, a.secret).status, 201);
    clock_now += 999;
    ASSERT_EQ_INT(get_projects(&one, from, a.id, a.secret).status, 201);
    struct outcome o = get_projects(&one, from, a.id, a.secret);
    ASSERT_EQ_INT(o.status, 429);
    ASSERT_EQ_INT(o.retry_after, 1);
    ASSERT_TRUE(!o.close);
    /* Another account, and another rate class of the same account, are counted apart. */
    ASSERT_EQ_INT(get_projects(&one, from, b.id, b.secret).status, 201);
    char auth[256];
    struct fake f = {{"Host", "Authorization"},
                     {"localhost", basic(auth, sizeof(auth), a.id, a.secret)},
                     2,
                     {0},
                     NULL};
    ASSERT_EQ_INT(call(&one, "GET", "/dev/v1/project", from, &f).status, 400);
    /* The window opened at the first request ends one second after it. */
    clock_now += 1;
    ASSERT_EQ_INT(get_projects(&one, from, a.id, a.secret).status, 201);
    one.cfg.rate_limit = 0;
    for (int i = 0; i < 20; i++)
        ASSERT_EQ_INT(get_projects(&one, from, a.id, a.secret).status, 201);
}

/* The header section counts name + value + 4 per field; the limit itself is accepted. */
static void
test_header_boundary(void)
{
    struct pair p = new_pair(&one, "headers");
    char auth[256], pad[2048];
    basic(auth, sizeof(auth), p.id, p.secret);
    one.cfg.max_header = 1024;
    size_t fixed = (4 + 9 + 4) + (13 + strlen(auth) + 4) + (5 + 4);
    for (int extra = 0; extra <= 1; extra++) {
        size_t n = 1024 - fixed + (size_t)extra;
        memset(pad, 'x', n);
        pad[n] = '\0';
        struct fake f = {
            {"Host", "Authorization", "X-Pad"}, {"localhost", auth, pad}, 3, {0}, NULL};
        struct outcome o = call(&one, "GET", "/dev/v1/projects", "192.0.2.99", &f);
        ASSERT_EQ_INT(o.status, extra ? 431 : 201);
    }
    one.cfg.max_header = 8192;
}

/* One keyed hash per credential check, whether the Customer ID exists or not. */
static void
test_same_work_for_unknown_ids(void)
{
    struct pair p = new_pair(&one, "work");
    hash_calls = 0;
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.50", p.id, p.secret).status, 201);
    ASSERT_EQ_INT(hash_calls, 1);
    hash_calls = 0;
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.50", p.id, "wrong").status, 401);
    ASSERT_EQ_INT(hash_calls, 1);
    hash_calls = 0;
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.50", "0123456789abcdef0123456789abcdef", "x").status,
                  401);
    ASSERT_EQ_INT(hash_calls, 1);
    hash_calls = 0;
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.50", "nosuchid", p.secret).status, 401);
    ASSERT_EQ_INT(hash_calls, 1);
}

/* A stored hash that differs from the right one in any single byte refuses the pair. */
static void
test_whole_hash_compared(void)
{
    int64_t account = add_account(&one.st, "bytes");
    for (int pos = 0; pos < SECRET_HASH_LEN; pos += SECRET_HASH_LEN - 1) {
        char id[SECRET_HEX_LEN + 1], secret[SECRET_HEX_LEN + 1];
        unsigned char h[SECRET_HASH_LEN];
        secret_generate(id, secret);
        secret_hash(&one.app.hasher, id, strlen(id), secret, strlen(secret), h);
        h[pos] ^= 0x01;
        add_cred(&one.st, id, account, 1, h);
        ASSERT_EQ_INT(credtab_reload(one.app.creds, &one.st), 0);
        ASSERT_EQ_INT(get_projects(&one, "192.0.2.51", id, secret).status, 401);
    }
}

/* Behind --trusted-proxy, failures count against the client the proxy names; from anywhere
 * else, X-Forwarded-For is ignored. */
static void
test_trusted_proxy(void)
{
    struct pair p = new_pair(&one, "proxied");
    one.cfg.auth_fail_limit = 1;
    one.cfg.trusted_proxy = "127.0.0.1";
    ASSERT_EQ_INT(app_set_trusted_proxy(&one.app, one.cfg.trusted_proxy), 0);
    char auth[256];
    basic(auth, sizeof(auth), p.id, "wrong");
    struct fake a = {{"Host", "Authorization", "X-Forwarded-For"},
                     {"localhost", auth, "203.0.113.99, 192.0.2.201"},
                     3,
                     {0},
                     NULL};
    struct fake b = a;
    b.values[2] = "192.0.2.202";
    ASSERT_EQ_INT(call(&one, "GET", "/dev/v1/projects", "127.0.0.1", &a).status, 401);
    ASSERT_EQ_INT(call(&one, "GET", "/dev/v1/projects", "127.0.0.1", &a).status, 429);
    /* Another client behind the same proxy is not throttled, */
    ASSERT_EQ_INT(call(&one, "GET", "/dev/v1/projects", "127.0.0.1", &b).status, 401);
    /* but the client itself is, when it comes directly. */
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.201", p.id, "wrong").status, 429);
    /* Not from the proxy: the header counts for nothing, the peer is the client. */
    struct fake c = b;
    c.values[2] = "198.51.100.77";
    ASSERT_EQ_INT(call(&one, "GET", "/dev/v1/projects", "192.0.2.203", &c).status, 401);
    ASSERT_EQ_INT(call(&one, "GET", "/dev/v1/projects", "192.0.2.203", &c).status, 429);
    ASSERT_EQ_INT(get_projects(&one, "198.51.100.77", p.id, "wrong").status, 401);
    /* A malformed header leaves the proxy's own address. */
    struct fake d = a;
    d.values[2] = "not-an-address";
    ASSERT_EQ_INT(call(&one, "GET", "/dev/v1/projects", "127.0.0.1", &d).status, 401);
    ASSERT_EQ_INT(call(&one, "GET", "/dev/v1/projects", "127.0.0.1", &d).status, 429);
    one.cfg.trusted_proxy = NULL;
    app_set_trusted_proxy(&one.app, NULL);
    one.cfg.auth_fail_limit = 0;
}

/* Two apps in one process: credentials, failures and rate windows of one are not the other's. */
static void
test_two_apps(void)
{
    struct pair p1 = new_pair(&one, "app-one"), p2 = new_pair(&two, "app-two");
    ASSERT_EQ_INT(get_projects(&two, "192.0.2.60", p1.id, p1.secret).status, 401);
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.60", p2.id, p2.secret).status, 401);
    one.cfg.auth_fail_limit = 1;
    two.cfg.auth_fail_limit = 1;
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.61", p1.id, "wrong").status, 401);
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.61", p1.id, "wrong").status, 429);
    ASSERT_EQ_INT(get_projects(&two, "192.0.2.61", p2.id, "wrong").status, 401);
    one.cfg.rate_limit = two.cfg.rate_limit = 1;
    clock_now += 10000;
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.62", p1.id, p1.secret).status, 201);
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.62", p1.id, p1.secret).status, 429);
    ASSERT_EQ_INT(get_projects(&two, "192.0.2.62", p2.id, p2.secret).status, 201);
    ASSERT_TRUE(one.app.rate != two.app.rate && one.app.creds != two.app.creds);
    one.cfg.auth_fail_limit = two.cfg.auth_fail_limit = 0;
    one.cfg.rate_limit = two.cfg.rate_limit = 0;
}

/* POST /dev/v1/project with a valid pair of p (or a wrong secret), declaring a JSON body of
 * `length` bytes; only the header stage runs. */
static struct outcome
post_head(struct world *w, const struct pair *p, bool right, long length)
{
    char auth[256], len[24];
    snprintf(len, sizeof(len), "%ld", length);
    struct fake f = {{"Host", "Authorization", "Content-Type", "Content-Length"},
                     {"localhost", basic(auth, sizeof(auth), p->id, right ? p->secret : "wrong"),
                      "application/json", len},
                     4,
                     {0},
                     NULL};
    return pass(w, "POST", "/dev/v1/project", "192.0.2.80", &f, true);
}

/* A body declared over --max-body is refused (413, connection closed) before any of it is
 * read; one of exactly --max-body bytes is let in to be read. */
static void
test_body_limit(void)
{
    struct pair p = new_pair(&one, "body");
    long saved = one.cfg.max_body;
    one.cfg.max_body = 100;
    struct outcome o = post_head(&one, &p, true, 100);
    ASSERT_EQ_INT(o.status, 0);
    o = post_head(&one, &p, true, 101);
    ASSERT_EQ_INT(o.status, 413);
    ASSERT_TRUE(o.close);
    one.cfg.max_body = saved;
}

/* A request refused before its body is read closes the connection, so that the unread body
 * is never taken for the next request; a bodiless refusal keeps the connection. */
static void
test_refused_body_closes(void)
{
    struct pair p = new_pair(&one, "refused");
    struct outcome o = post_head(&one, &p, false, 2);
    ASSERT_EQ_INT(o.status, 401);
    ASSERT_TRUE(o.close);
    o = get_projects(&one, "192.0.2.80", p.id, "wrong");
    ASSERT_EQ_INT(o.status, 401);
    ASSERT_TRUE(!o.close);
}

/* A Customer ID is exactly 32 lowercase hex digits. */
static void
test_customer_id_syntax(void)
{
    ASSERT_TRUE(creds_id_ok("0123456789abcdef0123456789abcdef"));
    ASSERT_TRUE(!creds_id_ok("0123456789abcdef0123456789abcdeg"));
    ASSERT_TRUE(!creds_id_ok("0123456789ABCDEF0123456789abcdef"));
    ASSERT_TRUE(!creds_id_ok("0123456789abcdef0123456789abcde"));
    ASSERT_TRUE(!creds_id_ok("0123456789abcdef0123456789abcdef0"));
    ASSERT_TRUE(!creds_id_ok(NULL));
}

/* A console session: the Cookie header that names it and its CSRF token. */
struct console {
    char cookie[SESSION_COOKIE_MAX];
    char csrf[STORE_CSRF_LEN + 1];
};

/* Start a session of `account` at the clock's time, as a sign-in does. */
static struct console
sign_in(struct world *w, int64_t account)
{
    struct console c;
    struct store_session ss;
    char set_cookie[SESSION_COOKIE_MAX] = "";
    ASSERT_EQ_INT(session_start(&w->app, account, app_now_s(&w->app), set_cookie, &ss), 0);
    size_t n = strcspn(set_cookie, ";");
    memcpy(c.cookie, set_cookie, n);
    c.cookie[n] = '\0';
    memcpy(c.csrf, ss.csrf, sizeof(c.csrf));
    return c;
}

/* METHOD /console/api/PATH with the session's cookie and, when not NULL, a CSRF token. */
static struct outcome
console_call(struct world *w, const char *method, const char *path, const struct console *c,
             const char *csrf)
{
    char target[96];
    snprintf(target, sizeof(target), "/console/api/%s", path);
    struct fake f = {{"Host", "Cookie", "Content-Type", "X-CSRF-Token"},
                     {"localhost", c->cookie, "application/json", csrf},
                     csrf != NULL ? 4 : 3,
                     {0},
                     NULL};
    return call(w, method, target, "192.0.2.90", &f);
}

/* A session ends when it has been idle for --session-idle-s (each request moves that) and at
 * --session-max-s after sign-in, both at the exact second. */
static void
test_session_expiry(void)
{
    int64_t account = add_account(&one.st, "console-expiry");
    long idle = one.cfg.session_idle_s, max = one.cfg.session_max_s;
    one.cfg.session_idle_s = 100;
    one.cfg.session_max_s = 1000;
    struct console c = sign_in(&one, account);
    for (int i = 0; i < 2; i++) {
        clock_now += 99 * 1000;
        ASSERT_EQ_INT(console_call(&one, "GET", "credentials", &c, NULL).status, 200);
    }
    clock_now += 100 * 1000;
    ASSERT_EQ_INT(console_call(&one, "GET", "credentials", &c, NULL).status, 401);

    one.cfg.session_max_s = 300;
    c = sign_in(&one, account);
    for (int i = 0; i < 3; i++) {
        clock_now += 99 * 1000;
        ASSERT_EQ_INT(console_call(&one, "GET", "credentials", &c, NULL).status, 200);
    }
    clock_now += 2 * 1000;
    ASSERT_EQ_INT(console_call(&one, "GET", "credentials", &c, NULL).status, 200);
    clock_now += 1000;
    ASSERT_EQ_INT(console_call(&one, "GET", "credentials", &c, NULL).status, 401);
    one.cfg.session_idle_s = idle;
    one.cfg.session_max_s = max;
}

/* A state change needs the session's CSRF token itself: not a longer one that starts with it,
 * nor one that differs in its last character. */
static void
test_csrf_exact(void)
{
    struct console c = sign_in(&one, add_account(&one.st, "console-csrf"));
    char token[STORE_CSRF_LEN + 2];
    snprintf(token, sizeof(token), "%sA", c.csrf);
    ASSERT_EQ_INT(console_call(&one, "POST", "credentials", &c, token).status, 403);
    token[STORE_CSRF_LEN] = '\0';
    token[STORE_CSRF_LEN - 1] = c.csrf[STORE_CSRF_LEN - 1] == 'A' ? 'B' : 'A';
    ASSERT_EQ_INT(console_call(&one, "POST", "credentials", &c, token).status, 403);
    ASSERT_EQ_INT(console_call(&one, "POST", "credentials", &c, NULL).status, 403);
    ASSERT_EQ_INT(console_call(&one, "POST", "credentials", &c, c.csrf).status, 201);
}

/* The console's project calls count in the REST API's rate classes, for the same account. */
static void
test_console_rate_limit(void)
{
    struct pair p = new_pair(&one, "console-rate");
    one.cfg.rate_limit = 1;
    clock_now += 5000;
    struct console c = sign_in(&one, p.account);
    ASSERT_EQ_INT(console_call(&one, "GET", "projects", &c, NULL).status, 200);
    struct outcome o = console_call(&one, "GET", "projects", &c, NULL);
    ASSERT_EQ_INT(o.status, 429);
    ASSERT_EQ_INT(o.retry_after, 1);
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.91", p.id, p.secret).status, 429);
    one.cfg.rate_limit = 0;
}

/* ---- forward authentication ---- */

/* METHOD TARGET from `from`, with the pair when id is not NULL and the header fields of the
 * NULL-terminated name, value list `extra`. */
static struct outcome
forward(struct world *w, const char *method, const char *target, const char *from, const char *id,
        const char *secret, const char *const *extra)
{
    char auth[256];
    struct fake f = {{"Host"}, {"restauthd"}, 1, {0}, NULL};
    if (id != NULL) {
        f.names[f.n] = "Authorization";
        f.values[f.n++] = basic(auth, sizeof(auth), id, secret);
    }
    for (; extra != NULL && extra[0] != NULL && f.n < MAX_FIELDS; extra += 2) {
        f.names[f.n] = extra[0];
        f.values[f.n++] = extra[1];
    }
    return call(w, method, target, from, &f);
}

#define FIELDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* True when header `name` of o is `want` (NULL: absent). */
static bool
has_header(const struct outcome *o, const char *name, const char *want)
{
    const char *v = header_of(o, name);
    return want == NULL ? v == NULL : v != NULL && strcmp(v, want) == 0;
}

/* An admitted pair: 200, no body, the caller named for the upstream, the original request in
 * the access log's fields; at /auth/verify and below, for every method. A refused one: the
 * REST API's 401s, with the message in a header too. */
static void
test_forward_answer(void)
{
    one.cfg.rate_limit = 0;
    one.cfg.auth_fail_limit = 0;
    struct pair p = new_pair(&one, "fwd-answer");
    struct outcome o =
        forward(&one, "GET", "/auth/verify", "192.0.2.70", p.id, p.secret,
                FIELDS("X-Original-Method", "DELETE", "X-Original-URI", "/api/items/7?force=1"));
    char account_id[24];
    snprintf(account_id, sizeof(account_id), "%lld", (long long)p.account);
    ASSERT_EQ_INT(o.status, 200);
    ASSERT_EQ_INT(o.body_len, 0);
    ASSERT_TRUE(has_header(&o, "X-Restauth-Customer-Id", p.id));
    ASSERT_TRUE(has_header(&o, "X-Restauth-Account", "fwd-answer"));
    ASSERT_TRUE(has_header(&o, "X-Restauth-Account-Id", account_id));
    ASSERT_TRUE(has_header(&o, "X-Restauth-Rate-Class", "default"));
    ASSERT_TRUE(has_header(&o, "X-Restauth-Message", NULL));
    ASSERT_TRUE(!o.www_auth && !o.close);
    ASSERT_EQ_STR(o.customer_id, p.id);
    ASSERT_EQ_STR(o.log_method, "DELETE");
    ASSERT_EQ_STR(o.log_path, "/api/items/7");

    static const char *const methods[] = {"GET",   "POST", "PUT",     "DELETE",
                                          "PATCH", "HEAD", "OPTIONS", "PROPFIND"};
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        o = forward(&one, methods[i], "/auth/verify/any/path", "192.0.2.70", p.id, p.secret, NULL);
        ASSERT_EQ_INT(o.status, 200);
        ASSERT_EQ_STR(o.log_method, methods[i]);
    }
    ASSERT_EQ_INT(forward(&one, "GET", "/auth/verifyx", "192.0.2.70", p.id, p.secret, NULL).status,
                  404);

    o = forward(&one, "GET", "/auth/verify", "192.0.2.70", NULL, NULL, NULL);
    ASSERT_EQ_INT(o.status, 401);
    ASSERT_TRUE(o.www_auth && has_header(&o, "X-Restauth-Message", "Unauthorized"));
    ASSERT_TRUE(has_header(&o, "X-Restauth-Customer-Id", NULL));
    o = forward(&one, "GET", "/auth/verify", "192.0.2.70", p.id, "wrong", NULL);
    ASSERT_EQ_INT(o.status, 401);
    ASSERT_TRUE(o.www_auth &&
                has_header(&o, "X-Restauth-Message", "Invalid authentication credentials"));
    ASSERT_EQ_STR(o.customer_id, "");

    /* A disabled pair, and a deleted one, as on the REST API. */
    char id[SECRET_HEX_LEN + 1], secret[SECRET_HEX_LEN + 1];
    unsigned char h[SECRET_HASH_LEN];
    secret_generate(id, secret);
    secret_hash(&one.app.hasher, id, strlen(id), secret, strlen(secret), h);
    add_cred(&one.st, id, p.account, 0, h);
    ASSERT_EQ_INT(credtab_refresh(one.app.creds, &one.st, id), 0);
    ASSERT_EQ_INT(forward(&one, "GET", "/auth/verify", "192.0.2.70", id, secret, NULL).status, 401);
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.70", id, secret).status, 401);
    ASSERT_EQ_INT(creds_delete(&one.app, p.account, p.id, true, NULL), 0);
    ASSERT_EQ_INT(forward(&one, "GET", "/auth/verify", "192.0.2.70", p.id, p.secret, NULL).status,
                  401);

    /* A body is never read: the answer goes at once, and the connection is closed. */
    struct pair b = new_pair(&one, "fwd-body");
    o = forward(&one, "POST", "/auth/verify", "192.0.2.70", b.id, b.secret,
                FIELDS("Content-Length", "3"));
    ASSERT_EQ_INT(o.status, 200);
    ASSERT_TRUE(o.close);
}

/* The original request from nginx's, Traefik's or Envoy's way of naming it; sources present
 * together must agree; one that cannot be read is a 400 before any credential check. */
static void
test_forward_sources(void)
{
    struct pair p = new_pair(&one, "fwd-sources");
    static const struct {
        const char *method, *target;
        const char *extra[9];
        int status;
        const char *log_method, *log_path;
    } cases[] = {
        {"GET",
         "/auth/verify",
         {"X-Original-Method", "POST", "X-Original-URI", "/a/b?c=1"},
         200,
         "POST",
         "/a/b"},
        {"HEAD", "/auth/verify", {"X-Original-URI", "http://u:pw@h/x/../y"}, 200, "HEAD", "/y"},
        {"GET",
         "/auth/verify",
         {"X-Forwarded-Method", "PATCH", "X-Forwarded-Uri", "/t/%7eu?x", "X-Forwarded-Proto",
          "https", "X-Forwarded-Host", "api.example"},
         200,
         "PATCH",
         "/t/~u"},
        {"PUT", "/auth/verify/orig/path", {NULL}, 200, "PUT", "/orig/path"},
        {"PUT", "/auth/verify/", {NULL}, 200, "PUT", "/"},
        {"GET", "/auth/verify", {NULL}, 200, "GET", "/"},
        {"GET",
         "/auth/verify/a//b",
         {"X-Original-Method", "GET", "X-Original-URI", "/a/./b?q"},
         200,
         "GET",
         "/a/b"},
        {"GET",
         "/auth/verify",
         {"X-Original-URI", "/a", "X-Forwarded-Uri", "/a"},
         200,
         "GET",
         "/a"},
        {"GET", "/auth/verify", {"X-Original-URI", "/a", "X-Forwarded-Uri", "/b"}, 400, NULL, NULL},
        {"GET",
         "/auth/verify",
         {"X-Original-Method", "GET", "X-Original-URI", "/a", "X-Forwarded-Method", "POST",
          "X-Forwarded-Uri", "/a"},
         400,
         NULL,
         NULL},
        {"POST", "/auth/verify/a", {"X-Original-URI", "/b"}, 400, NULL, NULL},
        {"POST",
         "/auth/verify/a",
         {"X-Original-Method", "GET", "X-Original-URI", "/a"},
         400,
         NULL,
         NULL},
        {"GET", "/auth/verify", {"X-Original-URI", "relative/path"}, 400, NULL, NULL},
        {"GET",
         "/auth/verify",
         {"X-Original-Method", "GE T", "X-Original-URI", "/a"},
         400,
         NULL,
         NULL},
        {"GET",
         "/auth/verify",
         {"X-Forwarded-Method", "SIXTEEN-LETTERSX", "X-Forwarded-Uri", "/a"},
         400,
         NULL,
         NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct outcome o = forward(&one, cases[i].method, cases[i].target, "192.0.2.71", p.id,
                                   p.secret, cases[i].extra);
        harness_checks++;
        if (o.status != cases[i].status ||
            (cases[i].log_method != NULL && (strcmp(o.log_method, cases[i].log_method) != 0 ||
                                             strcmp(o.log_path, cases[i].log_path) != 0)) ||
            (o.status == 400 &&
             (!has_header(&o, "X-Restauth-Message", "Bad Request") || o.customer_id[0] != '\0')))
            HARNESS_FAIL("case %zu: %d %s %s", i, o.status, o.log_method, o.log_path);
    }
}

/* --forward-limit: the longest prefix wins, then the rule naming the method; rules of one class
 * share its count; spellings of one path count in one class; per account; apart from the
 * REST API's classes; the rest at --rate-limit. */
static void
test_forward_classes(void)
{
    three.cfg.rate_limit = 3;
    three.cfg.auth_fail_limit = 0;
    clock_now += 10000;
    struct pair p = new_pair(&three, "classes"), q = new_pair(&three, "classes-other");
    static const struct {
        const char *method, *uri, *cls;
        int status;
    } steps[] = {
        {"GET", "/api/slow/1", "slow", 200},
        {"PUT", "/api/slow", "slow", 200}, /* another rule, the same class */
        {"GET", "/api/%73low/2", "slow", 429},
        {"GET", "/api/free/../slow", "slow", 429},
        {"POST", "/api/slow", "postapi", 200}, /* no POST rule for /api/slow: /api's */
        {"POST", "/api/other", "postapi", 429},
        {"DELETE", "/api/free/x", "free", 200},
        {"DELETE", "/api/free", "free", 200},
        {"DELETE", "/api/free/", "free", 200},
        {"GET", "/api/free/y", "free", 200},
        {"GET", "/apix", "default", 200},
        {"GET", "/", "default", 200},
        {"POST", "/api-not", "default", 200},
        {"GET", "/x", "default", 429},
    };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        struct outcome o =
            forward(&three, "GET", "/auth/verify", "192.0.2.72", p.id, p.secret,
                    FIELDS("X-Original-Method", steps[i].method, "X-Original-URI", steps[i].uri));
        harness_checks++;
        if (o.status != steps[i].status || !has_header(&o, "X-Restauth-Rate-Class", steps[i].cls) ||
            (o.status == 429 && (o.retry_after != 1 ||
                                 !has_header(&o, "X-Restauth-Message", "API rate limit exceeded"))))
            HARNESS_FAIL("step %zu: %s %s: %d in %s", i, steps[i].method, steps[i].uri, o.status,
                         header_of(&o, "X-Restauth-Rate-Class"));
    }
    /* Envoy's way of naming the original picks the class as well. */
    ASSERT_EQ_INT(
        forward(&three, "GET", "/auth/verify/api/slow/3", "192.0.2.72", p.id, p.secret, NULL)
            .status,
        429);
    /* Another account counts apart; the REST API's classes too. */
    ASSERT_EQ_INT(
        forward(&three, "GET", "/auth/verify/api/slow", "192.0.2.72", q.id, q.secret, NULL).status,
        200);
    ASSERT_EQ_INT(get_projects(&three, "192.0.2.72", p.id, p.secret).status, 201);
    /* A second later the windows are over. */
    clock_now += 1000;
    ASSERT_EQ_INT(
        forward(&three, "GET", "/auth/verify/api/slow", "192.0.2.72", p.id, p.secret, NULL).status,
        200);
    three.cfg.rate_limit = 0;
}

/* The failure throttle as on the REST API; over a Unix socket the client is the one the proxy
 * names in X-Forwarded-For, and without it the socket's clients are one. */
static void
test_forward_throttle(void)
{
    one.cfg.auth_fail_limit = 2;
    one.cfg.rate_limit = 0;
    clock_now += 120 * 1000;
    struct pair p = new_pair(&one, "fwd-throttle");
    const char *const *c80 = FIELDS("X-Forwarded-For", "203.0.113.1, 192.0.2.80");
    for (int i = 0; i < 2; i++)
        ASSERT_EQ_INT(forward(&one, "GET", "/auth/verify", "unix", p.id, "wrong", c80).status, 401);
    struct outcome o = forward(&one, "GET", "/auth/verify", "unix", p.id, "wrong", c80);
    ASSERT_EQ_INT(o.status, 429);
    ASSERT_TRUE(o.close && o.retry_after == 60);
    ASSERT_TRUE(has_header(&o, "X-Restauth-Message", "Too many failed authentication attempts"));
    ASSERT_EQ_INT(forward(&one, "GET", "/auth/verify", "unix", p.id, p.secret, c80).status, 200);
    ASSERT_EQ_INT(get_projects(&one, "192.0.2.80", p.id, "wrong").status, 429); /* same client */
    ASSERT_EQ_INT(forward(&one, "GET", "/auth/verify", "unix", p.id, "wrong",
                          FIELDS("X-Forwarded-For", "192.0.2.81"))
                      .status,
                  401);
    for (int i = 0; i < 2; i++)
        ASSERT_EQ_INT(forward(&one, "GET", "/auth/verify", "unix", p.id, "wrong", NULL).status,
                      401);
    ASSERT_EQ_INT(forward(&one, "GET", "/auth/verify", "unix", p.id, "wrong", NULL).status, 429);
    /* Over TCP from an address that is not --trusted-proxy, the header counts for nothing. */
    for (int i = 0; i < 2; i++)
        ASSERT_EQ_INT(forward(&one, "GET", "/auth/verify", "127.0.0.2", p.id, "wrong",
                              FIELDS("X-Forwarded-For", "192.0.2.82"))
                          .status,
                      401);
    ASSERT_EQ_INT(forward(&one, "GET", "/auth/verify", "127.0.0.2", p.id, "wrong",
                          FIELDS("X-Forwarded-For", "192.0.2.83"))
                      .status,
                  429);
    one.cfg.auth_fail_limit = 0;
}

/* A request with Host and p's Basic credentials plus the field (name, value[0..len)). */
static struct outcome
with_field(struct pair *p, const char *method, const char *target, const char *version,
           const char *name, const char *value, size_t len)
{
    char auth[256];
    struct fake f = {{"Host", "Authorization", name},
                     {"localhost", basic(auth, sizeof(auth), p->id, p->secret), value},
                     name != NULL ? 3 : 2,
                     {0, 0, len},
                     version};
    return call(&one, method, target, "192.0.2.120", &f);
}

/* 400 {"message":"Bad Request"} (or another status and message) with the connection closed. */
static void
expect_refused(struct outcome o, int status, const char *body)
{
    ASSERT_EQ_INT(o.status, status);
    ASSERT_EQ_STR(o.body, body);
    ASSERT_TRUE(o.close);
    ASSERT_EQ_STR(o.customer_id, ""); /* refused before authentication */
}

#define BAD_REQUEST "{\"message\":\"Bad Request\"}"

/* A control byte anywhere in a field value, a NUL included, refuses the request, even when
 * the bytes before it are a valid Authorization value; HTAB and obs-text are fine. */
static void
test_strict_ctl(void)
{
    one.cfg.rate_limit = 0;
    struct pair p = new_pair(&one, "ctl");
    char auth[256], v[300];
    basic(auth, sizeof(auth), p.id, p.secret);
    size_t n = strlen(auth);
    memcpy(v, auth, n);
    memcpy(v + n, "\0junk", 6);
    struct fake f = {{"Host", "Authorization"}, {"localhost", v}, 2, {0, n + 5}, NULL};
    expect_refused(call(&one, "GET", "/dev/v1/projects", "192.0.2.120", &f), 400, BAD_REQUEST);
    f.lens[1] = 0; /* the same value cut at its NUL is the valid pair */
    ASSERT_EQ_INT(call(&one, "GET", "/dev/v1/projects", "192.0.2.120", &f).status, 201);
    static const char *const bad[] = {"a\x01z", "a\rz", "a\nz", "a\x1fz", "a\x7fz", "a\x1bz"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused(with_field(&p, "GET", "/dev/v1/projects", NULL, "X-Thing", bad[i], 0), 400,
                       BAD_REQUEST);
    ASSERT_EQ_INT(
        with_field(&p, "GET", "/dev/v1/projects", NULL, "X-Thing", "a\tz\x80\xff", 0).status, 201);
    /* Every byte at every place of a value scanned eight bytes at a time and then one by one:
     * refused exactly for the controls but HTAB, and DEL. */
    for (int c = 0; c < 256; c++) {
        bool refused = (c < 0x20 && c != '\t') || c == 0x7f;
        for (size_t at = 0; at < 19; at++) {
            char value[] = "0123456789abcdefghi";
            value[at] = (char)c;
            struct outcome o =
                with_field(&p, "GET", "/dev/v1/projects", NULL, "X-Thing", value, 19);
            if (o.status != (refused ? 400 : 201))
                fprintf(stderr, "byte 0x%02x at %zu: %d\n", c, at, o.status);
            ASSERT_EQ_INT(o.status, refused ? 400 : 201);
        }
    }
}

/* Exactly one Host in HTTP/1.1, at most one in HTTP/1.0; only HTTP/1.0 and HTTP/1.1. */
static void
test_strict_host_version(void)
{
    struct pair p = new_pair(&one, "hostver");
    expect_refused(with_field(&p, "GET", "/dev/v1/projects", NULL, "Host", "localhost", 0), 400,
                   BAD_REQUEST);
    expect_refused(with_field(&p, "GET", "/dev/v1/projects", "HTTP/1.0", "Host", "other", 0), 400,
                   BAD_REQUEST);
    ASSERT_EQ_INT(with_field(&p, "GET", "/dev/v1/projects", "HTTP/1.0", NULL, NULL, 0).status, 201);
    static const char *const versions[] = {"HTTP/1.2", "HTTP/1.9", "HTTP/2.0", "HTTP/0.9", ""};
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
        expect_refused(with_field(&p, "GET", "/dev/v1/projects", versions[i], NULL, NULL, 0), 505,
                       "{\"message\":\"HTTP Version Not Supported\"}");
    /* HTTP/1.2 without Host is 505 as well, never let through. */
    struct fake f = {{"X-Thing"}, {"1"}, 1, {0}, "HTTP/1.2"};
    ASSERT_EQ_INT(call(&one, "GET", "/dev/v1/projects", "192.0.2.120", &f).status, 505);
}

/* Only a lone "chunked" transfer coding; anything else is 501 before the body is read. */
static void
test_strict_transfer_coding(void)
{
    struct pair p = new_pair(&one, "te");
    static const char *const codings[] = {"gzip",     "identity", "gzip, chunked", "chunked, gzip",
                                          "chunkedx", "",         "deflate"};
    for (size_t i = 0; i < sizeof(codings) / sizeof(codings[0]); i++) {
        struct outcome o =
            with_field(&p, "POST", "/dev/v1/project", NULL, "Transfer-Encoding", codings[i], 0);
        expect_refused(o, 501, "{\"message\":\"Transfer-Encoding not implemented\"}");
    }
    char auth[256];
    struct fake f = {{"Host", "Authorization", "Transfer-Encoding", "Transfer-Encoding"},
                     {"localhost", basic(auth, sizeof(auth), p.id, p.secret), "chunked", "chunked"},
                     4,
                     {0},
                     NULL};
    ASSERT_EQ_INT(pass(&one, "POST", "/dev/v1/project", "192.0.2.120", &f, true).status, 501);
    f.values[2] = "Chunked"; /* one "chunked" (any case) goes on to the body */
    f.names[3] = "Content-Type";
    f.values[3] = "application/json";
    ASSERT_EQ_INT(pass(&one, "POST", "/dev/v1/project", "192.0.2.120", &f, true).status, 0);
    expect_refused(
        with_field(&p, "POST", "/dev/v1/project", "HTTP/1.0", "Transfer-Encoding", "chunked", 0),
        400, BAD_REQUEST);
}

/* HEAD takes every GET route, with the GET's status and body (the adapter sends none). */
static void
test_head(void)
{
    struct pair p = new_pair(&one, "head");
    struct outcome get = with_field(&p, "GET", "/dev/v1/projects", NULL, NULL, NULL, 0);
    struct outcome head = with_field(&p, "HEAD", "/dev/v1/projects", NULL, NULL, NULL, 0);
    ASSERT_EQ_INT(head.status, get.status);
    ASSERT_EQ_INT(head.body_len, get.body_len);
    ASSERT_EQ_STR(head.customer_id, p.id);
    ASSERT_EQ_INT(with_field(&p, "HEAD", "/dev/v1/project", NULL, NULL, NULL, 0).status, 400);
    ASSERT_EQ_INT(with_field(&p, "HEAD", "/dev/v1/signkey", NULL, NULL, NULL, 0).status, 404);
    struct fake f = {{"Host"}, {"localhost"}, 1, {0}, NULL};
    struct outcome asset = call(&one, "HEAD", "/console/", "192.0.2.120", &f);
    ASSERT_EQ_INT(asset.status, 200);
    ASSERT_TRUE(asset.body_len > 0);
    ASSERT_EQ_INT(call(&one, "HEAD", "/console/api/session", "192.0.2.120", &f).status, 200);
}

/* The path and query come from the raw target: an encoded NUL or a bad escape is 400 and
 * closes; query names are case-sensitive; the access log never sees the authority. */
static void
test_raw_target(void)
{
    struct pair p = new_pair(&one, "rawtarget");
    static const char *const bad[] = {
        "/dev/v1/reset_signkey%00.json", "/console/%00",           "/console/index.html%00.js",
        "/dev/v1/project?name=x%00junk", "/dev/v1/project?id=%00", "/dev/v1/projects%zz",
        "/dev/v1/project?na%00me=x",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *m = strstr(bad[i], "reset") != NULL ? "POST" : "GET";
        expect_refused(with_field(&p, m, bad[i], NULL, NULL, NULL, 0), 400, BAD_REQUEST);
    }
    struct outcome o = with_field(&p, "GET", "/dev/v1/project?ID=x", NULL, NULL, NULL, 0);
    ASSERT_EQ_INT(o.status, 400);
    ASSERT_EQ_STR(o.body, "{\"status\":\"error\",\"message\":\"id or name is required\"}");
    ASSERT_EQ_INT(with_field(&p, "GET", "/dev/v1/project?name=x", NULL, NULL, NULL, 0).status,
                  with_field(&p, "GET", "/dev/v1/project?name=x+", NULL, NULL, NULL, 0).status);
    o = with_field(&p, "GET", "https://id:secret@localhost/dev/v1/%70rojects?x=1", NULL, NULL, NULL,
                   0);
    ASSERT_EQ_INT(o.status, 201);
    ASSERT_EQ_STR(o.log_path, "/dev/v1/projects");
    o = with_field(&p, "GET", "http://id:secret@localhost/a%00b", NULL, NULL, NULL, 0);
    ASSERT_EQ_INT(o.status, 400);
    ASSERT_EQ_STR(o.log_path, "-");
    o = with_field(&p, "GET", "/console/%00?secret=1", NULL, NULL, NULL, 0);
    ASSERT_EQ_STR(o.log_path, "/console/%00");
}

int
main(void)
{
    if (ra_rand_init() != 0 || fixture_begin("gate") < 0)
        return 1;
    randombytes_buf(key, sizeof(key));
    open_world(&one, "one.db");
    open_world(&two, "two.db");
    open_world_rules(&three, "three.db",
                     (const char *const[]){"GET /api/slow slow 2", "PUT /api/slow slow 2",
                                           "* /api/free free 0", "POST /api postapi 1", NULL});
    RUN(test_valid_and_missing);
    RUN(test_throttle);
    RUN(test_throttle_ipv6);
    RUN(test_rate_limit);
    RUN(test_header_boundary);
    RUN(test_same_work_for_unknown_ids);
    RUN(test_whole_hash_compared);
    RUN(test_trusted_proxy);
    RUN(test_two_apps);
    RUN(test_body_limit);
    RUN(test_refused_body_closes);
    RUN(test_customer_id_syntax);
    RUN(test_session_expiry);
    RUN(test_csrf_exact);
    RUN(test_console_rate_limit);
    RUN(test_forward_answer);
    RUN(test_forward_sources);
    RUN(test_forward_classes);
    RUN(test_forward_throttle);
    RUN(test_strict_ctl);
    RUN(test_strict_host_version);
    RUN(test_strict_transfer_coding);
    RUN(test_head);
    RUN(test_raw_target);
    close_world(&one);
    close_world(&two);
    close_world(&three);
    return harness_done();
}
