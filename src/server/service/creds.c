/* SPDX-License-Identifier: MIT */
/*
 * creds.c: the credential service over the store and the in-memory credential table.
 */
#include "service/creds.h"

#include "service/credtab.h"
#include "common/alloc.h"
#include "common/rand.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Attempts at a fresh random Customer ID before giving up (a clash is all but impossible). */
#define ID_ATTEMPTS 5

/*
 * Bring this process's credential table in line with a change the store has just committed:
 * the same refresh the change feed applies for changes made elsewhere. A no-op in an admin
 * app (running servers learn the change from the feed).
 */
static void
apply_to_table(const struct app *app, const char *customer_id)
{
    if (app->creds != NULL)
        credtab_refresh(app->creds, app->store, customer_id);
}

bool
creds_id_ok(const char *id)
{
    if (id == NULL || strlen(id) != SECRET_HEX_LEN)
        return false;
    for (size_t i = 0; i < SECRET_HEX_LEN; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    return true;
}

const char *
creds_status_name(const struct store_cred *c, int64_t now)
{
    if (c->pending)
        return "pending";
    if (c->tripwire)
        return "tripwire";
    if (c->status != 1)
        return "disabled";
    return c->expires_at != 0 && c->expires_at <= now ? "expired" : "active";
}

/* Record one event of the pair c right after its change (who NULL: nothing). */
static void
record(const struct app *app, const struct store_cred *c, const struct audit_who *who,
       const char *action)
{
    audit_record(app, c->account_id, who, action, c->customer_id);
}

void
creds_new(const struct app *app, int64_t account_id, int64_t now, struct store_cred *c,
          char *secret)
{
    memset(c, 0, sizeof(*c));
    c->account_id = account_id;
    c->created = now;
    c->status = 1;
    secret_generate(c->customer_id, secret);
    secret_hash(&app->hasher, c->customer_id, SECRET_HEX_LEN, secret, SECRET_HEX_LEN, c->hash);
}

int
creds_add(const struct app *app, const struct store_cred *c, const struct audit_who *who)
{
    int rc = app->store->ops->cred_add(app->store->priv, c, (int)app->cfg->max_secrets);
    if (rc == 0) {
        apply_to_table(app, c->customer_id);
        record(app, c, who, "credential.create");
        record(app, c, who, "credential.issue");
    }
    return rc;
}

void
creds_pending_template(int64_t account_id, int64_t now, struct store_cred *fresh)
{
    memset(fresh, 0, sizeof(*fresh));
    fresh->account_id = account_id;
    fresh->created = now;
    fresh->status = 1;
    fresh->pending = true;
}

int
creds_add_pending(const struct app *app, int64_t account_id, int64_t now, int64_t expires_at,
                  struct store_cred *c, const struct audit_who *who)
{
    creds_pending_template(account_id, now, c);
    c->expires_at = expires_at;
    int rc = -EAGAIN;
    for (int attempt = 0; attempt < ID_ATTEMPTS && rc == -EAGAIN; attempt++) {
        ra_rand_hex(c->customer_id, SECRET_HEX_LEN / 2);
        rc = app->store->ops->cred_add(app->store->priv, c, (int)app->cfg->max_secrets);
    }
    if (rc == 0) /* a pending pair never authenticates: nothing for the table */
        record(app, c, who, "credential.create");
    return rc;
}

int
creds_issue(const struct app *app, int64_t account_id, const char *customer_id, int64_t now,
            char *secret, const struct audit_who *who)
{
    if (!creds_id_ok(customer_id))
        return -ENOENT;
    struct store_cred c = {.account_id = account_id, .status = 1, .created = now};
    memcpy(c.customer_id, customer_id, SECRET_HEX_LEN + 1);
    ra_rand_hex(secret, SECRET_HEX_LEN / 2);
    secret_hash(&app->hasher, c.customer_id, SECRET_HEX_LEN, secret, SECRET_HEX_LEN, c.hash);
    int rc = app->store->ops->cred_issue(app->store->priv, account_id, customer_id, c.hash, now);
    if (rc == 0) {
        apply_to_table(app, c.customer_id); /* it works before the secret is handed out */
        record(app, &c, who, "credential.issue");
    } else {
        ra_wipe(secret, SECRET_HEX_LEN + 1);
    }
    ra_wipe(&c, sizeof(c));
    return rc;
}

int
creds_delete(const struct app *app, int64_t account_id, const char *customer_id, bool force,
             const struct audit_who *who)
{
    const struct store_ops *o = app->store->ops;
    struct store_cred c;
    int rc = creds_id_ok(customer_id) ? o->cred_get(app->store->priv, customer_id, &c) : -ENOENT;
    if (rc == 0 && account_id >= 0 && c.account_id != account_id)
        rc = -ENOENT;
    if (rc == 0)
        rc = o->cred_delete(app->store->priv, customer_id, force);
    if (rc == 0) {
        apply_to_table(app, customer_id);
        record(app, &c, who, "credential.delete");
    }
    ra_wipe(&c, sizeof(c));
    return rc;
}

/* Run cred_update with its audit entry, then bring the table in line. */
static int
update(const struct app *app, int64_t account_id, const char *customer_id,
       const struct store_cred_update *u, const struct audit_who *who, const char *action,
       struct store_cred *out)
{
    if (!creds_id_ok(customer_id))
        return -ENOENT;
    struct store_audit e;
    struct store_cred c;
    int64_t owner = account_id;
    if (who != NULL && owner < 0) { /* the entry names the pair's account */
        int rc = app->store->ops->cred_get(app->store->priv, customer_id, &c);
        if (rc < 0)
            return rc;
        owner = c.account_id;
    }
    if (who != NULL)
        audit_fill(&e, app, owner, who, action, customer_id, false);
    int rc = app->store->ops->cred_update(app->store->priv, account_id, customer_id, u,
                                          who != NULL ? &e : NULL, &c);
    if (rc == 0)
        apply_to_table(app, customer_id);
    if (rc == 0 && out != NULL)
        *out = c;
    ra_wipe(&c, sizeof(c));
    return rc;
}

int
creds_set_enabled(const struct app *app, int64_t account_id, const char *customer_id, bool enabled,
                  bool force, const struct audit_who *who, struct store_cred *out)
{
    struct store_cred_update u = {.status = enabled ? 1 : 0, .now = app_now_s(app), .force = force};
    return update(app, account_id, customer_id, &u, who,
                  enabled ? "credential.enable" : "credential.disable", out);
}

int
creds_set_expiry(const struct app *app, int64_t account_id, const char *customer_id,
                 int64_t expires_at, bool force, const struct audit_who *who,
                 struct store_cred *out)
{
    struct store_cred_update u = {.status = -1,
                                  .set_expiry = true,
                                  .expires_at = expires_at,
                                  .now = app_now_s(app),
                                  .force = force};
    if (expires_at < 0)
        return -EINVAL;
    return update(app, account_id, customer_id, &u, who, "credential.expire", out);
}

int
creds_roll(const struct app *app, const char *old_id, int64_t overlap_s, struct store_cred *fresh,
           const struct audit_who *who, struct store_cred *old_out)
{
    if (!creds_id_ok(old_id))
        return -ENOENT;
    if (overlap_s < 0)
        return -EINVAL;
    struct store_audit e;
    if (who != NULL)
        audit_fill(&e, app, fresh->account_id, who, "credential.roll", old_id, false);
    struct store_cred old;
    int64_t until = app_now_s(app) + overlap_s;
    int rc = -EAGAIN;
    for (int attempt = 0; attempt < ID_ATTEMPTS && rc == -EAGAIN; attempt++) {
        if (fresh->pending)
            ra_rand_hex(fresh->customer_id, SECRET_HEX_LEN / 2);
        rc = app->store->ops->cred_roll(app->store->priv, fresh, (int)app->cfg->max_secrets, old_id,
                                        until, who != NULL ? &e : NULL, &old);
        if (!fresh->pending)
            break; /* its id is bound to its secret: the caller makes a new pair */
    }
    if (rc == 0) {
        apply_to_table(app, old_id);
        apply_to_table(app, fresh->customer_id);
        record(app, fresh, who, "credential.create");
        if (!fresh->pending)
            record(app, fresh, who, "credential.issue");
        if (old_out != NULL)
            *old_out = old;
    }
    ra_wipe(&old, sizeof(old));
    return rc;
}

int
creds_parse_duration(const char *text, int64_t *seconds)
{
    if (text == NULL || !isdigit((unsigned char)text[0]))
        return -EINVAL;
    char *end = NULL;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    int64_t unit = 0;
    if (end[0] != '\0' && end[1] == '\0')
        unit = end[0] == 'd' ? 86400 : end[0] == 'h' ? 3600 : end[0] == 'm' ? 60 : 0;
    else if (end[0] == '\0' && n == 0)
        unit = 1; /* a bare "0" */
    if (errno != 0 || unit == 0 || n > 100LL * 365 * 86400 / unit)
        return -EINVAL;
    *seconds = (int64_t)n * unit;
    return 0;
}

/* Read exactly `digits` decimal digits at *p into *v and move *p past them. */
static bool
digits_at(const char **p, int digits, int *v)
{
    *v = 0;
    for (int i = 0; i < digits; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return false;
        *v = *v * 10 + (**p - '0');
    }
    return true;
}

int
creds_parse_time(const char *text, int64_t *t)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, sec, oh = 0, om = 0;
    const char *p = text;
    if (p == NULL || !digits_at(&p, 4, &y) || *p++ != '-' || !digits_at(&p, 2, &mo) ||
        *p++ != '-' || !digits_at(&p, 2, &d) || (*p != 'T' && *p != 't') || !++p ||
        !digits_at(&p, 2, &h) || *p++ != ':' || !digits_at(&p, 2, &mi) || *p++ != ':' ||
        !digits_at(&p, 2, &sec))
        return -EINVAL;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++)
            ;
    int sign = *p == '+' ? 1 : *p == '-' ? -1 : 0;
    if (sign != 0) {
        p++;
        if (!digits_at(&p, 2, &oh) || *p++ != ':' || !digits_at(&p, 2, &om) || oh > 23 || om > 59)
            return -EINVAL;
    } else if (*p == 'Z' || *p == 'z') {
        p++;
    } else {
        return -EINVAL;
    }
    if (*p != '\0' || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return -EINVAL;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t v = timegm(&tm);
    if (tm.tm_mday != d) /* 31 February and such were carried into the next month */
        return -EINVAL;
    *t = (int64_t)v - sign * (oh * 3600 + om * 60);
    return 0;
}

/* store_usage_fn: keep one day row. */
static int
keep_day(void *ctx, const struct store_usage *row)
{
    struct creds_usage *u = ctx;
    if (u->n == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 64;
        struct store_usage *v = ra_realloc(u->rows, cap * sizeof(*v));
        if (v == NULL)
            return -ENOMEM;
        u->rows = v;
        u->cap = cap;
    }
    u->rows[u->n++] = *row;
    return 0;
}

int
creds_usage_load(const struct app *app, int64_t account_id, int64_t now, struct creds_usage *u)
{
    memset(u, 0, sizeof(*u));
    u->first_day = now - now % 86400 - (int64_t)(USAGE_DAYS - 1) * 86400;
    return app->store->ops->usage_daily(app->store->priv, account_id, u->first_day, keep_day, u);
}

void
creds_usage_of(const struct app *app, const struct creds_usage *u, const char *customer_id,
               int64_t days[USAGE_DAYS])
{
    memset(days, 0, USAGE_DAYS * sizeof(days[0]));
    for (size_t i = 0; i < u->n; i++) {
        const struct store_usage *r = &u->rows[i];
        int64_t d = (r->hour - u->first_day) / 86400;
        if (r->hour >= u->first_day && d < USAGE_DAYS && strcmp(r->customer_id, customer_id) == 0)
            days[d] += r->count;
    }
    usage_pending(app->usage, customer_id, u->first_day, days);
}

void
creds_usage_free(struct creds_usage *u)
{
    ra_free(u->rows);
    memset(u, 0, sizeof(*u));
}

int64_t
creds_last_used(const struct app *app, const struct store_cred *c)
{
    int64_t mine = app->creds != NULL ? credtab_last_used(app->creds, c->customer_id) : 0;
    return mine > c->last_used ? mine : c->last_used;
}

const char *
creds_message(const struct app *app, int rc, char *buf, size_t cap)
{
    switch (rc) {
    case -EDQUOT:
        snprintf(buf, cap,
                 "This account already has %ld credential pairs, the most it can have. "
                 "Delete a pair before adding a new one.",
                 app->cfg->max_secrets);
        return buf;
    case -EBUSY:
        snprintf(buf, cap,
                 "This is the account's last credential pair that works (enabled, not "
                 "expired), so it cannot be deleted, disabled or expired: the account would be "
                 "locked out of the REST API. Add a new pair first.");
        return buf;
    case -EPERM:
        snprintf(buf, cap, "A tripwire pair is never rolled: delete it, or add a new one.");
        return buf;
    case -EALREADY:
        snprintf(buf, cap,
                 "The Customer Secret of this pair was already downloaded, and a "
                 "secret can be downloaded only once. If you no longer have it, "
                 "delete this pair and add a new one.");
        return buf;
    case -ENOENT:
        snprintf(buf, cap, "This account has no such credential pair.");
        return buf;
    default:
        return NULL;
    }
}
