/* SPDX-License-Identifier: MIT */
/*
 * store.c: pick the storage backend from the scheme of the store URL.
 *
 * A URL is "SCHEME:LOCATION". The scheme (matched case-insensitively, RFC 3986) selects one
 * entry of backends[]. The SQLite backend receives LOCATION untouched and interprets it:
 * "sqlite:PATH", "sqlite://PATH" and "sqlite:///abs/path" all name a file. The PostgreSQL
 * backend receives the whole URL, which is a libpq connection URI ("postgresql://..." or
 * "postgres://..."). The URL itself is never logged: a database URL may carry a password.
 */
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *scheme;
    const struct store_ops *ops;
    bool whole_url; /* the backend gets the whole URL, else what follows "scheme:" */
} backends[] = {
    {"sqlite", &store_sqlite_ops, false},
    {"postgresql", &store_pg_ops, true},
    {"postgres", &store_pg_ops, true},
};

/*
 * Open the store named by `url` into *st. Returns 0, or -EINVAL for a malformed URL or an
 * unknown scheme, or the backend's error; on failure *st is left empty (ops == NULL).
 */
int
store_open(const char *url, struct store *st)
{
    if (st == NULL)
        return -EINVAL;
    st->ops = NULL;
    st->priv = NULL;
    if (url == NULL)
        return -EINVAL;
    const char *colon = strchr(url, ':');
    if (colon == NULL || colon == url) {
        fprintf(stderr, "restauthd: store: the store URL must start with a scheme, "
                        "e.g. sqlite:PATH or postgresql://HOST/DB\n");
        return -EINVAL;
    }
    size_t len = (size_t)(colon - url);
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        const struct store_ops *ops = backends[i].ops;
        if (strlen(backends[i].scheme) != len || strncasecmp(backends[i].scheme, url, len) != 0)
            continue;
        void *priv = NULL;
        int rc = ops->open(backends[i].whole_url ? url : colon + 1, &priv);
        if (rc != 0)
            return rc;
        st->ops = ops;
        st->priv = priv;
        return 0;
    }
    fprintf(stderr, "restauthd: store: unsupported store URL scheme\n");
    return -EINVAL;
}

/* Close the store opened by store_open. Accepts NULL and an empty or closed store. */
void
store_close(struct store *st)
{
    if (st == NULL || st->ops == NULL)
        return;
    st->ops->close(st->priv);
    st->ops = NULL;
    st->priv = NULL;
}

const char *
store_describe(const char *url, char *buf, size_t cap)
{
    const char *rest = url != NULL ? strstr(url, "://") : NULL;
    if (url == NULL || strncasecmp(url, "sqlite:", 7) == 0 || rest == NULL) {
        snprintf(buf, cap, "%s",
                 url != NULL && strncasecmp(url, "sqlite:", 7) == 0 ? url : "(a store)");
        return buf;
    }
    const char *host = rest + 3;
    const char *at = strchr(host, '@');
    const char *slash = strchr(host, '/');
    if (at != NULL && (slash == NULL || at < slash))
        host = at + 1;
    size_t n = strcspn(host, "?#");
    snprintf(buf, cap, "%.*s://%.*s", (int)(rest - url), url, (int)n, host);
    return buf;
}
