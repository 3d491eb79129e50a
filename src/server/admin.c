/* SPDX-License-Identifier: MIT */
/*
 * admin.c: accounts and credential pairs from the command line. A new Customer Secret is
 * shown exactly once (stdout, or a file created exclusively with mode 0600); the store keeps
 * only its keyed hash.
 */
#include "admin.h"

#include "app.h"
#include "auth/secret.h"
#include "common/alloc.h"
#include "handlers/projects.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ISO-8601 UTC, or "never" for 0. */
static void
format_time(int64_t t, char *buf, size_t len)
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
        fprintf(stderr, "restauthd: cannot open store %s: %s\n", cfg->store, strerror(-rc));
        return rc;
    }
    rc = secret_key_load(path, key);
    if (rc < 0) {
        fprintf(stderr, "restauthd: cannot load server key %s: %s%s\n", path, strerror(-rc),
                rc == -EPERM ? " (its mode must be 0600)" : " (run restauthd init)");
        store_close(st);
    }
    return rc;
}

/* Create a pair for the account and hand the secret out once. */
static int
create_pair(const struct config *cfg, struct store *st, const unsigned char *key,
            const struct store_account *acc, const char *out)
{
    struct store_cred c = {.account_id = acc->id, .created = (int64_t)time(NULL), .status = 1};
    char secret[SECRET_HEX_LEN + 1];
    secret_generate(c.customer_id, secret);
    struct secret_hasher hasher;
    secret_hasher_init(&hasher, key);
    secret_hash(&hasher, c.customer_id, SECRET_HEX_LEN, secret, SECRET_HEX_LEN, c.hash);
    secret_hasher_wipe(&hasher);
    int rc = 0;
    if (out != NULL) {
        rc = secret_file_write(out, c.customer_id, secret);
        if (rc < 0)
            fprintf(stderr, "restauthd: cannot create %s: %s\n", out,
                    rc == -EEXIST ? "it exists already (it is never overwritten)" : strerror(-rc));
    }
    if (rc == 0) {
        rc = st->ops->cred_add(st->priv, &c, (int)cfg->max_secrets);
        if (rc == -EDQUOT)
            fprintf(stderr,
                    "restauthd: account %s already has %ld credential pairs (the "
                    "limit); delete one first\n",
                    acc->name, cfg->max_secrets);
        else if (rc < 0)
            fprintf(stderr, "restauthd: cannot store the credential: %s\n", strerror(-rc));
        if (rc < 0 && out != NULL)
            remove(out);
    }
    if (rc == 0 && out != NULL)
        printf("%s\n", c.customer_id);
    else if (rc == 0)
        printf("customer_id: %s\ncustomer_secret: %s\n", c.customer_id, secret);
    fflush(stdout);
    ra_wipe(secret, sizeof(secret));
    return rc;
}

/* Seed the demo account with one pair written to `out` and two projects. */
static int
seed_demo(const struct config *cfg, struct store *st, const unsigned char *key, const char *out)
{
    struct store_account acc;
    int rc = st->ops->account_by_name(st->priv, "demo", &acc);
    if (rc == 0)
        return 0;
    rc = st->ops->account_add(st->priv, "demo", (int64_t)time(NULL), &acc);
    if (rc < 0)
        return rc;
    if ((rc = create_pair(cfg, st, key, &acc, out)) < 0)
        return rc;
    struct app app = {.cfg = cfg, .store = st};
    struct store_project p;
    rc = projects_create(&app, acc.id, "demo-project-1", true, &p);
    if (rc == 0)
        rc = projects_create(&app, acc.id, "demo-project-2", false, &p);
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
    unsigned char key[SECRET_KEY_LEN];
    if (admin_open(cfg, &st, key) < 0)
        return 1;
    if (cfg->demo_credentials != NULL)
        rc = seed_demo(cfg, &st, key, cfg->demo_credentials);
    ra_wipe(key, sizeof(key));
    store_close(&st);
    if (rc < 0) {
        fprintf(stderr, "restauthd: cannot create the demo account: %s\n", strerror(-rc));
        return 1;
    }
    fprintf(stderr, "restauthd: store %s ready\n", cfg->store);
    return 0;
}

/* store_account_fn: print one account line. */
static int
print_account(void *ctx, const struct store_account *a)
{
    (void)ctx;
    char when[32];
    format_time(a->created, when, sizeof(when));
    printf("%lld\t%s\t%s\n", (long long)a->id, a->name, when);
    return 0;
}

int
admin_account(const struct config *cfg, int argc, char **argv)
{
    if (argc < 1 || (strcmp(argv[0], "add") == 0 && argc != 2) ||
        (strcmp(argv[0], "list") == 0 && argc != 1)) {
        fprintf(stderr, "usage: restauthd account add NAME | account list\n");
        return 2;
    }
    struct store st;
    unsigned char key[SECRET_KEY_LEN];
    if (admin_open(cfg, &st, key) < 0)
        return 1;
    ra_wipe(key, sizeof(key));
    int rc = 0;
    if (strcmp(argv[0], "add") == 0) {
        struct store_account acc;
        if (!account_name_ok(argv[1])) {
            fprintf(stderr, "restauthd: account names are 1-64 of A-Z a-z 0-9 . _ @ -\n");
            rc = -EINVAL;
        } else if ((rc = st.ops->account_add(st.priv, argv[1], (int64_t)time(NULL), &acc)) < 0) {
            fprintf(stderr, "restauthd: cannot add account %s: %s\n", argv[1],
                    rc == -EEXIST ? "it exists already" : strerror(-rc));
        }
    } else if (strcmp(argv[0], "list") == 0) {
        printf("id\tname\tcreated\n");
        rc = st.ops->account_list(st.priv, print_account, NULL);
    } else {
        fprintf(stderr, "usage: restauthd account add NAME | account list\n");
        store_close(&st);
        return 2;
    }
    store_close(&st);
    return rc < 0 ? 1 : 0;
}

/* store_cred_fn: print one credential line, never the secret (which is not even known). */
static int
print_cred(void *ctx, const struct store_cred *c)
{
    (void)ctx;
    char created[32], used[32];
    format_time(c->created, created, sizeof(created));
    format_time(c->last_used, used, sizeof(used));
    printf("%s\t%s\t%s\t%s\n", c->customer_id, created, used,
           c->status == 1 ? "active" : "disabled");
    return 0;
}

/* secret add / list: both need --account. */
static int
secret_for_account(const struct config *cfg, struct store *st, const unsigned char *key,
                   const char *verb)
{
    struct store_account acc;
    int rc = st->ops->account_by_name(st->priv, cfg->account, &acc);
    if (rc < 0) {
        fprintf(stderr, "restauthd: no account %s\n", cfg->account);
        return rc;
    }
    if (strcmp(verb, "add") == 0)
        return create_pair(cfg, st, key, &acc, cfg->out);
    printf("customer_id\tcreated\tlast_used\tstatus\n");
    return st->ops->cred_list(st->priv, acc.id, print_cred, NULL);
}

int
admin_secret(const struct config *cfg, int argc, char **argv)
{
    bool add = argc == 1 && strcmp(argv[0], "add") == 0;
    bool list = argc == 1 && strcmp(argv[0], "list") == 0;
    bool del = argc == 2 && strcmp(argv[0], "delete") == 0;
    if ((add || list) && cfg->account == NULL)
        add = list = false;
    if (!add && !list && !del) {
        fprintf(stderr, "usage: restauthd secret add --account NAME [--out FILE] | "
                        "secret list --account NAME | secret delete ID [--force]\n");
        return 2;
    }
    struct store st;
    unsigned char key[SECRET_KEY_LEN];
    if (admin_open(cfg, &st, key) < 0)
        return 1;
    int rc;
    if (del) {
        rc = st.ops->cred_delete(st.priv, argv[1], cfg->force);
        if (rc == -EBUSY)
            fprintf(stderr,
                    "restauthd: %s is its account's last credential pair; deleting it "
                    "locks the account out of the API (use --force)\n",
                    argv[1]);
        else if (rc < 0)
            fprintf(stderr, "restauthd: cannot delete %s: %s\n", argv[1],
                    rc == -ENOENT ? "no such credential" : strerror(-rc));
    } else {
        rc = secret_for_account(cfg, &st, key, add ? "add" : "list");
    }
    ra_wipe(key, sizeof(key));
    store_close(&st);
    return rc < 0 ? 1 : 0;
}
