/* SPDX-License-Identifier: MIT */
/*
 * admin_secret.c: the credential pairs of an account from the command line (add, list,
 * delete, disable, enable, expire, roll) and the audit log (audit list), all through the
 * credential service (service/creds.c), recorded in the audit log as made by "cli". A new
 * Customer Secret is shown exactly once: on stdout, or in a file created exclusively with mode
 * 0600 before the pair is stored.
 */
#include "admin.h"

#include "app.h"
#include "auth/secret.h"
#include "common/alloc.h"
#include "common/jsonw.h"
#include "handlers/cred_json.h"
#include "service/audit.h"
#include "service/cluster.h"
#include "service/creds.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Print why the credential service refused, in its own words. */
static void
print_refusal(const struct app *app, int rc, const char *what)
{
    char msg[CREDS_MESSAGE_MAX];
    const char *text = creds_message(app, rc, msg, sizeof(msg));
    fprintf(stderr, "restauthd: %s: %s\n", what, text != NULL ? text : strerror(-rc));
    if (rc == -EBUSY)
        fprintf(stderr, "restauthd: --force does it all the same\n");
}

/* Stores a pair made by creds_new: creds_add, or creds_roll. */
typedef int (*store_pair_fn)(const struct app *app, struct store_cred *c, void *ctx);

/*
 * Hand the secret of the new pair c out once: into `out` (created exclusively, mode 0600,
 * before the pair is stored by fn, and removed again if that fails) or on stdout after it.
 */
static int
hand_out(const struct app *app, struct store_cred *c, const char *secret, const char *out,
         store_pair_fn fn, void *ctx)
{
    int rc = 0;
    if (out != NULL) {
        rc = secret_file_write(out, c->customer_id, secret);
        if (rc < 0)
            fprintf(stderr, "restauthd: cannot create %s: %s\n", out,
                    rc == -EEXIST ? "it exists already (it is never overwritten)" : strerror(-rc));
    }
    if (rc == 0 && (rc = fn(app, c, ctx)) < 0) {
        print_refusal(app, rc, "cannot store the credential");
        if (out != NULL)
            remove(out);
    }
    if (rc == 0 && out != NULL)
        printf("%s\n", c->customer_id);
    else if (rc == 0)
        printf("customer_id: %s\ncustomer_secret: %s\n", c->customer_id, secret);
    fflush(stdout);
    return rc;
}

/* store_pair_fn of `secret add`. */
static int
add_pair(const struct app *app, struct store_cred *c, void *ctx)
{
    (void)ctx;
    return creds_add(app, c, &audit_cli);
}

/* A time from --*-in DURATION or --*-at TIME (at most one given) into *t; 0 for neither.
 * 0, or -EINVAL after printing why. */
static int
parse_when(const char *in, const char *at, const char *in_name, const char *at_name, int64_t *t)
{
    int64_t d = 0;
    *t = 0;
    if (in != NULL && at != NULL) {
        fprintf(stderr, "restauthd: give %s or %s, not both\n", in_name, at_name);
        return -EINVAL;
    }
    if (in != NULL && creds_parse_duration(in, &d) < 0) {
        fprintf(stderr, "restauthd: %s: expected a number followed by d, h or m (90d)\n", in_name);
        return -EINVAL;
    }
    if (in != NULL)
        *t = (int64_t)time(NULL) + d;
    if (at != NULL && creds_parse_time(at, t) < 0) {
        fprintf(stderr, "restauthd: %s: expected an RFC 3339 time (2030-01-31T00:00:00Z)\n",
                at_name);
        return -EINVAL;
    }
    return 0;
}

int
admin_create_pair(const struct app *app, const struct store_account *acc, const char *out)
{
    const struct config *cfg = app->cfg;
    struct store_cred c;
    char secret[SECRET_HEX_LEN + 1];
    int64_t expires = 0;
    int rc = parse_when(cfg->expires_in, cfg->expires_at, "--expires-in", "--expires-at", &expires);
    if (rc < 0)
        return rc;
    creds_new(app, acc->id, (int64_t)time(NULL), &c, secret);
    c.expires_at = expires;
    c.tripwire = cfg->tripwire;
    rc = hand_out(app, &c, secret, out, add_pair, NULL);
    ra_wipe(secret, sizeof(secret));
    ra_wipe(&c, sizeof(c));
    return rc;
}

struct list_ctx {
    const struct app *app;
    struct creds_usage usage;
    int64_t now;
};

/* store_cred_fn: print one credential line, never the secret (which is not even known). */
static int
print_cred(void *arg, const struct store_cred *c)
{
    struct list_ctx *x = arg;
    if (x->app->cfg->json) {
        struct ra_buf b;
        ra_buf_init(&b, 4096);
        int rc = cred_json_write(&b, x->app, c, &x->usage, x->now, CRED_JSON_FULL);
        if (rc == 0)
            printf("%.*s\n", (int)b.len, b.data);
        ra_buf_cleanup(&b);
        return rc;
    }
    char created[32], used[32], expires[32];
    int64_t days[USAGE_DAYS], total = 0;
    creds_usage_of(x->app, &x->usage, c->customer_id, days);
    for (int i = 0; i < USAGE_DAYS; i++)
        total += days[i];
    admin_format_time(c->created, created, sizeof(created));
    admin_format_time(c->last_used, used, sizeof(used));
    admin_format_time(c->expires_at, expires, sizeof(expires));
    printf("%s\t%s\t%s\t%s\t%s\t%lld\n", c->customer_id, created, used,
           creds_status_name(c, x->now), expires, (long long)total);
    return 0;
}

/* secret add / list: both need --account. */
static int
secret_for_account(const struct app *app, const char *verb)
{
    const char *name = app->cfg->account;
    struct store_account acc;
    int rc = app->store->ops->account_by_name(app->store->priv, name, &acc);
    if (rc < 0) {
        fprintf(stderr, "restauthd: no account %s\n", name);
        return rc;
    }
    if (strcmp(verb, "add") == 0)
        return admin_create_pair(app, &acc, app->cfg->out);
    struct list_ctx x = {.app = app, .now = (int64_t)time(NULL)};
    rc = creds_usage_load(app, acc.id, x.now, &x.usage);
    if (rc == 0 && !app->cfg->json)
        printf("customer_id\tcreated\tlast_used\tstatus\texpires\tlast_30d\n");
    if (rc == 0)
        rc = app->store->ops->cred_list(app->store->priv, acc.id, print_cred, &x);
    creds_usage_free(&x.usage);
    return rc;
}

/*
 * After a deletion: wait up to wait_s seconds until every live node has applied the feed up
 * to its row. Prints the outcome; 0, or -ETIMEDOUT after naming the nodes that have not.
 */
static int
wait_for_nodes(const struct app *app, long wait_s)
{
    int64_t seq = 0;
    int rc = cluster_head(app, &seq);
    int64_t deadline = app_now_ms(app) + wait_s * 1000;
    struct cluster_report r = {0};
    while (rc == 0) {
        int64_t now = app_now_ms(app);
        rc = cluster_report(app, seq, now, &r);
        if (rc == 0 && r.confirmed == r.live) {
            printf("applied by %d of %d live nodes\n", r.confirmed, r.live);
            return 0;
        }
        if (now >= deadline)
            break;
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    if (rc < 0) {
        fprintf(stderr, "restauthd: cannot read the nodes table: %s\n", strerror(-rc));
        return rc;
    }
    fprintf(stderr,
            "restauthd: after %ld s, %d of %d live nodes have not applied the deletion:", wait_s,
            r.live - r.confirmed, r.live);
    for (int i = 0; i < r.npending; i++)
        fprintf(stderr, " %s", r.pending[i]);
    fprintf(stderr, "%s\n", r.live - r.confirmed > r.npending ? " ..." : "");
    return -ETIMEDOUT;
}

/* secret delete ID [--force] [--wait[=SECONDS]] */
static int
secret_delete(const struct app *app, const char *id)
{
    int rc = creds_delete(app, -1, id, app->cfg->force, &audit_cli);
    if (rc == 0 && app->cfg->wait_s > 0)
        return wait_for_nodes(app, app->cfg->wait_s);
    if (rc < 0) {
        char what[96];
        snprintf(what, sizeof(what), "cannot delete %.40s", id);
        print_refusal(app, rc, what);
    }
    return rc;
}

/* Print the pair as a change left it: "ID STATUS expires TIME". */
static void
print_changed(const struct store_cred *c)
{
    char expires[32];
    admin_format_time(c->expires_at, expires, sizeof(expires));
    printf("%s\t%s\texpires %s\n", c->customer_id, creds_status_name(c, (int64_t)time(NULL)),
           expires);
}

/* secret disable|enable|expire ID */
static int
secret_change(const struct app *app, const char *verb, const char *id)
{
    const struct config *cfg = app->cfg;
    struct store_cred c;
    int64_t at = 0;
    int rc;
    if (strcmp(verb, "expire") != 0) {
        rc =
            creds_set_enabled(app, -1, id, strcmp(verb, "enable") == 0, cfg->force, &audit_cli, &c);
    } else if ((cfg->in != NULL) + (cfg->at != NULL) + cfg->never != 1) {
        fprintf(stderr, "restauthd: secret expire needs one of --in, --at or --never\n");
        return -EINVAL;
    } else if ((rc = parse_when(cfg->in, cfg->at, "--in", "--at", &at)) == 0) {
        rc = creds_set_expiry(app, -1, id, at, cfg->force, &audit_cli, &c);
    } else {
        return rc;
    }
    if (rc == 0) {
        print_changed(&c);
        return 0;
    }
    char what[96];
    snprintf(what, sizeof(what), "cannot %s %.40s", verb, id);
    print_refusal(app, rc, what);
    return rc;
}

struct roll_ctx {
    const char *old_id;
    int64_t overlap;
    struct store_cred old;
};

/* store_pair_fn of `secret roll`. */
static int
roll_pair(const struct app *app, struct store_cred *c, void *arg)
{
    struct roll_ctx *x = arg;
    return creds_roll(app, x->old_id, x->overlap, c, &audit_cli, &x->old);
}

/* secret roll ID --overlap DURATION [--out FILE] */
static int
secret_roll(const struct app *app, const char *id)
{
    struct roll_ctx x = {.old_id = id};
    struct store_cred c;
    char secret[SECRET_HEX_LEN + 1];
    if (creds_parse_duration(app->cfg->overlap, &x.overlap) < 0) {
        fprintf(stderr, "restauthd: --overlap: expected 0 or a number followed by d, h or m\n");
        return -EINVAL;
    }
    int rc = creds_id_ok(id) ? app->store->ops->cred_get(app->store->priv, id, &c) : -ENOENT;
    if (rc < 0) {
        print_refusal(app, rc, "cannot roll");
        return rc;
    }
    creds_new(app, c.account_id, (int64_t)time(NULL), &c, secret);
    rc = hand_out(app, &c, secret, app->cfg->out, roll_pair, &x);
    if (rc == 0)
        print_changed(&x.old);
    ra_wipe(secret, sizeof(secret));
    ra_wipe(&c, sizeof(c));
    return rc;
}

int
admin_secret(const struct config *cfg, int argc, char **argv)
{
    bool add = argc == 1 && strcmp(argv[0], "add") == 0;
    bool list = argc == 1 && strcmp(argv[0], "list") == 0;
    bool with_id = argc == 2;
    if ((add || list) && cfg->account == NULL)
        add = list = false;
    if (!add && !list && !with_id) {
        fprintf(stderr, "usage: restauthd secret add --account NAME [--out FILE] | "
                        "secret list --account NAME | secret delete|disable|enable|expire|roll "
                        "ID ...\n");
        return 2;
    }
    struct store st;
    struct app app;
    if (admin_app_open(cfg, &st, &app) < 0)
        return 1;
    int rc;
    if (!with_id)
        rc = secret_for_account(&app, add ? "add" : "list");
    else if (strcmp(argv[0], "delete") == 0)
        rc = secret_delete(&app, argv[1]);
    else if (strcmp(argv[0], "roll") == 0)
        rc = secret_roll(&app, argv[1]);
    else
        rc = secret_change(&app, argv[0], argv[1]);
    admin_app_close(&app);
    return rc < 0 ? 1 : 0;
}

/* store_audit_fn: print one entry as a JSON line. */
static int
print_audit(void *ctx, const struct store_audit *a)
{
    (void)ctx;
    struct ra_buf b;
    ra_buf_init(&b, 4096);
    ra_buf_printf(&b, "{\"id\":%lld,\"time\":%lld,", (long long)a->id, (long long)a->time);
    const char *keys[] = {"account", "actor", "action", "target", "address"};
    const char *vals[] = {a->account, a->actor, a->action, a->target, a->address};
    for (size_t i = 0; i < 5; i++) {
        ra_jsonw_key(&b, keys[i]);
        if (vals[i][0] == '\0' && i == 4)
            ra_buf_puts(&b, "null");
        else
            ra_jsonw_str(&b, vals[i], strlen(vals[i]));
        ra_buf_putc(&b, ',');
    }
    ra_buf_printf(&b, "\"alert\":%s}", a->alert ? "true" : "false");
    if (!b.failed)
        printf("%.*s\n", (int)b.len, b.data);
    int rc = b.failed ? -ENOMEM : 0;
    ra_buf_cleanup(&b);
    return rc;
}

int
admin_audit(const struct config *cfg, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct store_audit_query q = {.account_id = -1, .limit = (int)cfg->limit};
    if (cfg->since != NULL && creds_parse_time(cfg->since, &q.since) < 0) {
        fprintf(stderr, "restauthd: --since: expected an RFC 3339 time\n");
        return 2;
    }
    struct store st;
    struct app app;
    if (admin_app_open(cfg, &st, &app) < 0)
        return 1;
    struct store_account acc;
    int rc = 0;
    if (cfg->account != NULL && (rc = st.ops->account_by_name(st.priv, cfg->account, &acc)) < 0)
        fprintf(stderr, "restauthd: no account %s\n", cfg->account);
    else if (cfg->account != NULL)
        q.account_id = acc.id;
    if (rc == 0 && (rc = st.ops->audit_list(st.priv, &q, print_audit, NULL)) < 0)
        fprintf(stderr, "restauthd: cannot read the audit log: %s\n", strerror(-rc));
    fflush(stdout);
    admin_app_close(&app);
    return rc < 0 ? 1 : 0;
}
