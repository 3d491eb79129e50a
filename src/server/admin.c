/* SPDX-License-Identifier: MIT */
/*
 * admin.c: accounts (with their console sign-in) and credential pairs from the command line.
 * A new Customer Secret is shown exactly once (stdout, or a file created exclusively with mode
 * 0600); the store keeps only its keyed hash. Console passwords are read from a file (never
 * from the command line, where other users could see them) and stored as argon2id hashes.
 */
#include "admin.h"

#include "common/log.h"

#include "app.h"
#include "auth/secret.h"
#include "common/alloc.h"
#include "console/password.h"
#include "handlers/projects.h"
#include "service/cluster.h"
#include "service/creds.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void
admin_format_time(int64_t t, char *buf, size_t len)
{
    if (t == 0) {
        snprintf(buf, len, "never");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool
account_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > STORE_ACCOUNT_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-'))
            return false;
    }
    return true;
}

int
admin_open(const struct config *cfg, struct store *st, unsigned char *key)
{
    char path[4096];
    if (config_key_path(cfg, path, sizeof(path)) < 0)
        return -EINVAL;
    int rc = store_open(cfg->store, st);
    if (rc < 0) {
        char where[256];
        ra_log(RA_LOG_ERR, "cannot open store %s: %s",
               store_describe(cfg->store, where, sizeof(where)), strerror(-rc));
        return rc;
    }
    rc = secret_key_load(path, key);
    if (rc < 0) {
        ra_log(RA_LOG_ERR, "cannot load server key %s: %s%s", path, strerror(-rc),
               rc == -EPERM ? " (its mode must be 0600)" : " (run restauthd init)");
        store_close(st);
    }
    return rc;
}

int
admin_app_open(const struct config *cfg, struct store *st, struct app *app)
{
    unsigned char key[SECRET_KEY_LEN];
    int rc = admin_open(cfg, st, key);
    if (rc < 0)
        return rc;
    app_open_admin(app, cfg, st, key);
    ra_wipe(key, sizeof(key));
    return 0;
}

void
admin_app_close(struct app *app)
{
    struct store *st = app->store;
    app_cleanup(app);
    store_close(st);
}

/* Seed the demo account with one pair written to `out` and two projects. */
static int
seed_demo(const struct app *app, const char *out)
{
    struct store *st = app->store;
    struct store_account acc;
    int rc = st->ops->account_by_name(st->priv, "demo", &acc);
    if (rc == 0)
        return 0;
    rc = st->ops->account_add(st->priv, "demo", (int64_t)time(NULL), &acc);
    if (rc < 0)
        return rc;
    if ((rc = admin_create_pair(app, &acc, out)) < 0)
        return rc;
    struct store_project p;
    rc = projects_add(app, acc.id, "demo-project-1", true, &p);
    if (rc == 0)
        rc = projects_add(app, acc.id, "demo-project-2", false, &p);
    return rc;
}

int
admin_init(const struct config *cfg)
{
    char path[4096];
    if (config_key_path(cfg, path, sizeof(path)) < 0)
        return 2;
    int rc = secret_key_create(path);
    if (rc < 0) {
        fprintf(stderr, "restauthd: cannot create server key %s: %s\n", path, strerror(-rc));
        return 1;
    }
    struct store st;
    struct app app;
    if (admin_app_open(cfg, &st, &app) < 0)
        return 1;
    if (cfg->demo_credentials != NULL)
        rc = seed_demo(&app, cfg->demo_credentials);
    admin_app_close(&app);
    if (rc < 0) {
        fprintf(stderr, "restauthd: cannot create the demo account: %s\n", strerror(-rc));
        return 1;
    }
    char where[256];
    fprintf(stderr, "restauthd: store %s ready\n",
            store_describe(cfg->store, where, sizeof(where)));
    return 0;
}

/* store_account_fn: print one account line. */
static int
print_account(void *ctx, const struct store_account *a)
{
    (void)ctx;
    char when[32];
    admin_format_time(a->created, when, sizeof(when));
    printf("%lld\t%s\t%s\n", (long long)a->id, a->name, when);
    return 0;
}

/* An e-mail address as the console accepts it: 3 to 254 printable ASCII characters without
 * spaces, with one '@' that has text on both sides. */
static bool
email_ok(const char *e)
{
    size_t n = strlen(e);
    const char *at = strchr(e, '@');
    if (n < 3 || n > STORE_EMAIL_MAX || at == NULL || at == e || at[1] == '\0' ||
        strchr(at + 1, '@') != NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        if (e[i] <= ' ' || e[i] > '~')
            return false;
    return true;
}

/*
 * Check --email (free for this account) and turn --password-file into an argon2id hash in
 * pwhash (or "" when not given), before anything is written. Prints why and returns a
 * negative code on failure.
 */
static int
prepare_login(const struct config *cfg, struct store *st, int64_t account_id, char *pwhash)
{
    pwhash[0] = '\0';
    struct store_login other;
    if (cfg->email != NULL && !email_ok(cfg->email)) {
        fprintf(stderr, "restauthd: --email: not an e-mail address\n");
        return -EINVAL;
    }
    if (cfg->email != NULL && st->ops->login_by_email(st->priv, cfg->email, &other) == 0 &&
        other.account_id != account_id) {
        fprintf(stderr, "restauthd: account %s already uses that e-mail address\n", other.name);
        return -EEXIST;
    }
    if (cfg->password_file == NULL)
        return 0;
    char pw[PASSWORD_MAX + 2];
    size_t len = 0;
    int rc = password_read_file(cfg->password_file, pw, sizeof(pw), &len);
    if (rc == -EINVAL)
        fprintf(stderr, "restauthd: the first line of %s must be a password of %d to %d bytes\n",
                cfg->password_file, PASSWORD_MIN, PASSWORD_MAX);
    else if (rc < 0)
        fprintf(stderr, "restauthd: cannot read %s: %s\n", cfg->password_file, strerror(-rc));
    if (rc == 0 && (rc = password_hash(pw, len, pwhash)) < 0)
        fprintf(stderr, "restauthd: cannot hash the password: %s\n", strerror(-rc));
    ra_wipe(pw, sizeof(pw));
    return rc;
}

/* Store what prepare_login checked. */
static int
apply_login(const struct config *cfg, struct store *st, int64_t account_id, const char *pwhash)
{
    if (cfg->email == NULL && pwhash[0] == '\0')
        return 0;
    int rc =
        st->ops->login_set(st->priv, account_id, cfg->email, pwhash[0] != '\0' ? pwhash : NULL);
    if (rc < 0)
        fprintf(stderr, "restauthd: cannot set the console sign-in: %s\n",
                rc == -EEXIST ? "that e-mail address is taken" : strerror(-rc));
    return rc;
}

/* account add NAME [--email E] [--password-file F] */
static int
account_add(const struct config *cfg, struct store *st, const char *name)
{
    struct store_account acc;
    char pwhash[STORE_PWHASH_MAX + 1];
    if (!account_name_ok(name)) {
        fprintf(stderr, "restauthd: account names are 1-64 of A-Z a-z 0-9 . _ @ -\n");
        return -EINVAL;
    }
    int rc = prepare_login(cfg, st, -1, pwhash);
    if (rc == 0 && (rc = st->ops->account_add(st->priv, name, (int64_t)time(NULL), &acc)) < 0)
        fprintf(stderr, "restauthd: cannot add account %s: %s\n", name,
                rc == -EEXIST ? "it exists already" : strerror(-rc));
    if (rc == 0)
        rc = apply_login(cfg, st, acc.id, pwhash);
    ra_wipe(pwhash, sizeof(pwhash));
    return rc;
}

/* account passwd NAME [--email E] [--password-file F]: set the console sign-in. */
static int
account_passwd(const struct config *cfg, struct store *st, const char *name)
{
    struct store_account acc;
    char pwhash[STORE_PWHASH_MAX + 1];
    int rc = st->ops->account_by_name(st->priv, name, &acc);
    if (rc < 0) {
        fprintf(stderr, "restauthd: no account %s\n", name);
        return rc;
    }
    rc = prepare_login(cfg, st, acc.id, pwhash);
    if (rc == 0)
        rc = apply_login(cfg, st, acc.id, pwhash);
    ra_wipe(pwhash, sizeof(pwhash));
    return rc;
}

static const char account_usage[] =
    "usage: restauthd account add NAME [--email E] [--password-file F] | "
    "account passwd NAME [--email E] [--password-file F] | account list\n";

int
admin_account(const struct config *cfg, int argc, char **argv)
{
    bool add = argc == 2 && strcmp(argv[0], "add") == 0;
    bool passwd = argc == 2 && strcmp(argv[0], "passwd") == 0 &&
                  (cfg->email != NULL || cfg->password_file != NULL);
    bool list = argc == 1 && strcmp(argv[0], "list") == 0;
    if (!add && !passwd && !list) {
        fprintf(stderr, "%s", account_usage);
        return 2;
    }
    struct store st;
    unsigned char key[SECRET_KEY_LEN];
    if (admin_open(cfg, &st, key) < 0)
        return 1;
    ra_wipe(key, sizeof(key));
    int rc;
    if (add) {
        rc = account_add(cfg, &st, argv[1]);
    } else if (passwd) {
        rc = account_passwd(cfg, &st, argv[1]);
    } else {
        printf("id\tname\tcreated\n");
        rc = st.ops->account_list(st.priv, print_account, NULL);
    }
    store_close(&st);
    return rc < 0 ? 1 : 0;
}

struct status_ctx {
    int64_t head;
    int64_t now;
};

/* store_node_fn: print one node of `cluster status`. */
static int
print_node(void *arg, const struct store_node *n)
{
    const struct status_ctx *x = arg;
    int64_t age = x->now - n->heartbeat;
    printf("%s\t%lld\t%lld\t%lld\t%s\n", n->id, (long long)n->applied,
           (long long)(x->head > n->applied ? x->head - n->applied : 0), (long long)age,
           age <= CLUSTER_LIVE_MS ? "live" : "gone");
    return 0;
}

int
admin_cluster(const struct config *cfg, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct store st;
    struct app app;
    if (admin_app_open(cfg, &st, &app) < 0)
        return 1;
    struct status_ctx x = {.now = app_now_ms(&app)};
    int rc = cluster_head(&app, &x.head);
    if (rc == 0) {
        printf("feed head: %lld\n", (long long)x.head);
        printf("node\tapplied\tlag\theartbeat_age_ms\tstate\n");
        rc = st.ops->node_list(st.priv, print_node, &x);
    }
    if (rc < 0)
        fprintf(stderr, "restauthd: cannot read the cluster's state: %s\n", strerror(-rc));
    admin_app_close(&app);
    return rc < 0 ? 1 : 0;
}
