/* SPDX-License-Identifier: MIT */
/*
 * reload.c: SIGHUP's reload of the settings (reload.h). A reload never changes a struct
 * config that request threads may be reading: it publishes a new one in app->cfg and keeps
 * the replaced ones until the server stops.
 */
#include "reload.h"

#include "common/alloc.h"
#include "common/log.h"
#include "config_file.h"

#include <errno.h>
#include <string.h>

struct reload_history {
    struct reload_history *next;
    struct config cfg;        /* the settings one reload published */
    struct config_file *text; /* the file its new string values point into */
};

void
reload_history_free(struct reload_history *history)
{
    while (history != NULL) {
        struct reload_history *next = history->next;
        config_file_free(history->text);
        ra_free(history);
        history = next;
    }
}

/* The size of option o's field in struct config. */
static size_t
field_size(const struct config_option *o)
{
    switch (o->type) {
    case CONFIG_STRING:
        return sizeof(const char *);
    case CONFIG_NUMBER:
        return sizeof(long);
    case CONFIG_FLAG:
        return sizeof(bool);
    case CONFIG_LIST:
        break;
    }
    return sizeof(struct config_list);
}

/* True if option o has the same value in a and b. */
static bool
same_value(const struct config_option *o, const struct config *a, const struct config *b)
{
    const char *fa = (const char *)a + o->offset, *fb = (const char *)b + o->offset;
    if (o->type == CONFIG_STRING) {
        const char *sa = *(const char *const *)fa, *sb = *(const char *const *)fb;
        return sa == sb || (sa != NULL && sb != NULL && strcmp(sa, sb) == 0);
    }
    if (o->type != CONFIG_LIST)
        return memcmp(fa, fb, field_size(o)) == 0;
    const struct config_list *la = (const void *)fa, *lb = (const void *)fb;
    if (la->n != lb->n)
        return false;
    for (size_t i = 0; i < la->n; i++)
        if (strcmp(la->item[i], lb->item[i]) != 0)
            return false;
    return true;
}

/* Copy the live options of `fresh` into `next` (a copy of the current settings); name on the
 * log every other server option whose value differs. */
static void
take_live_values(struct config *next, const struct config *fresh, const char *file)
{
    size_t n;
    const struct config_option *opts = config_options(&n);
    for (size_t k = 0; k < n; k++) {
        const struct config_option *o = &opts[k];
        if ((o->commands & CMD_SERVE) == 0 || same_value(o, next, fresh))
            continue;
        if (o->live)
            memcpy((char *)next + o->offset, (const char *)fresh + o->offset, field_size(o));
        else
            ra_log(RA_LOG_WARN, "reload: %s changed in %s; a restart applies it", o->name + 2,
                   file != NULL ? file : "the settings");
    }
}

/* Read the settings anew: the command line, then the file. 0, or -EINVAL after logging. */
static int
read_settings(const struct config *cur, struct config *fresh, struct config_file **text)
{
    const struct config *base = cur->cmdline != NULL ? cur->cmdline : cur;
    *text = NULL;
    if (base->config_file == NULL) {
        *fresh = *base;
        return 0;
    }
    if (config_file_reload(base, base->config_file, CMD_SERVE, "serve", fresh, text) < 0) {
        ra_log(RA_LOG_ERR, "reload: %s has errors; the settings stay as they were",
               base->config_file);
        return -EINVAL;
    }
    return 0;
}

int
reload_settings(struct app *app, struct http_server *http, struct reload_history **history)
{
    const struct config *cur = app->cfg;
    struct reload_history *h = ra_calloc(1, sizeof(*h));
    if (h == NULL)
        return -ENOMEM;
    struct config fresh;
    int rc = read_settings(cur, &fresh, &h->text);
    if (rc == 0) {
        h->cfg = *cur;
        take_live_values(&h->cfg, &fresh, cur->cmdline != NULL ? cur->cmdline->config_file : NULL);
        ra_log_configure(h->cfg.log_format, h->cfg.log_level);
        h->next = *history;
        *history = h;
        app->cfg = &h->cfg; /* an atomic store: request threads read it atomically */
        ra_log(RA_LOG_INFO,
               "reloaded: rate-limit %ld, auth-fail-limit %ld, signin-fail-limit %ld, "
               "signin-ip-fail-limit %ld, log-level %s",
               h->cfg.rate_limit, h->cfg.auth_fail_limit, h->cfg.signin_fail_limit,
               h->cfg.signin_ip_fail_limit, h->cfg.log_level);
    } else {
        ra_free(h);
    }
    /* A certificate about to expire is renewed even when the file has a mistake. */
    int tls = http_server_reload_tls(http);
    if (tls == -ENOTSUP)
        ra_log(RA_LOG_INFO, "reload: this engine cannot reload the TLS certificate; a restart "
                            "reads it");
    else if (tls < 0)
        ra_log(RA_LOG_ERR, "reload: keeping the current TLS certificate: %s", strerror(-tls));
    return rc;
}
