/* SPDX-License-Identifier: MIT */
/*
 * hosts.c: base URL validation and normalisation, loopback checks, and the failover planner.
 *
 * Invariant: a normalised base URL never ends in '/', so "<base><path>" is the request URL for
 * any path starting with '/'. Plain http is only ever allowed towards a loopback host.
 */
#include "hosts.h"

#include "common/alloc.h"
#include "common/buf.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool
ra__ip_is_loopback(const char *ip)
{
    unsigned char a[16];
    if (ip == NULL)
        return false;
    if (inet_pton(AF_INET, ip, a) == 1)
        return a[0] == 127;
    if (inet_pton(AF_INET6, ip, a) != 1)
        return false;
    static const unsigned char lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, lo6, 16) == 0)
        return true;
    return memcmp(a, mapped, 12) == 0 && a[12] == 127;
}

bool
ra__host_is_loopback(const char *host)
{
    char tmp[64];
    size_t n;
    if (host == NULL)
        return false;
    if (strcasecmp(host, "localhost") == 0)
        return true;
    n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        if (n - 2 >= sizeof(tmp))
            return false;
        memcpy(tmp, host + 1, n - 2);
        tmp[n - 2] = '\0';
        /* A zone id ("fe80::1%eth0") is never loopback. */
        return strchr(tmp, '%') == NULL && ra__ip_is_loopback(tmp);
    }
    return ra__ip_is_loopback(host);
}

bool
ra__url_is_http(const char *url)
{
    return url != NULL && strncasecmp(url, "http://", 7) == 0;
}

/* Fetch one URL part; *part is NULL (and RA_OK returned) when the part is absent. */
static enum ra_err
get_part(CURLU *u, CURLUPart what, char **part, unsigned flags)
{
    *part = NULL;
    CURLUcode rc = curl_url_get(u, what, part, flags);
    if (rc == CURLUE_OK)
        return RA_OK;
    if (rc == CURLUE_OUT_OF_MEMORY)
        return RA_ENOMEM;
    *part = NULL;
    return RA_OK;
}

/* The parts of a parsed base URL that the normal form is built from. */
struct url_parts {
    char *scheme, *user, *host, *port, *path, *query, *fragment;
};

static void
free_parts(struct url_parts *p)
{
    curl_free(p->scheme);
    curl_free(p->user);
    curl_free(p->host);
    curl_free(p->port);
    curl_free(p->path);
    curl_free(p->query);
    curl_free(p->fragment);
}

static enum ra_err
split_url(CURLU *u, struct url_parts *p)
{
    enum ra_err e = get_part(u, CURLUPART_SCHEME, &p->scheme, 0);
    if (e == RA_OK)
        e = get_part(u, CURLUPART_USER, &p->user, 0);
    if (e == RA_OK)
        e = get_part(u, CURLUPART_HOST, &p->host, 0);
    if (e == RA_OK)
        e = get_part(u, CURLUPART_PORT, &p->port, CURLU_NO_DEFAULT_PORT);
    if (e == RA_OK)
        e = get_part(u, CURLUPART_PATH, &p->path, 0);
    if (e == RA_OK)
        e = get_part(u, CURLUPART_QUERY, &p->query, 0);
    if (e == RA_OK)
        e = get_part(u, CURLUPART_FRAGMENT, &p->fragment, 0);
    return e;
}

/* Write `msg` into why and return `err`. */
static enum ra_err
reason(char *why, size_t whylen, enum ra_err err, const char *msg)
{
    snprintf(why, whylen, "%s", msg);
    return err;
}

/* Check the parts against the rules in hosts.h and build the normal form into *out. */
static enum ra_err
build_normal(const struct url_parts *p, char **out, char *why, size_t whylen)
{
    if (p->scheme == NULL || (strcmp(p->scheme, "https") != 0 && strcmp(p->scheme, "http") != 0))
        return reason(why, whylen, RA_EINVAL, "the scheme must be https (or http for loopback)");
    if (p->host == NULL || p->host[0] == '\0')
        return reason(why, whylen, RA_EINVAL, "the URL has no host");
    if (p->user != NULL)
        return reason(why, whylen, RA_EINVAL, "credentials do not belong in the URL");
    if (p->query != NULL || p->fragment != NULL)
        return reason(why, whylen, RA_EINVAL, "a base URL takes no query or fragment");
    if (strcmp(p->scheme, "http") == 0 && !ra__host_is_loopback(p->host))
        return reason(why, whylen, RA_EINSECURE,
                      "plain http:// would send the credentials in clear text "
                      "(allowed only to a loopback host)");
    struct ra_buf b;
    ra_buf_init(&b, 2 * RA__MAX_URL_LEN);
    ra_buf_printf(&b, "%s://%s", p->scheme, p->host);
    if (p->port != NULL)
        ra_buf_printf(&b, ":%s", p->port);
    if (p->path != NULL) {
        size_t n = strlen(p->path);
        while (n > 0 && p->path[n - 1] == '/')
            n--;
        ra_buf_append(&b, p->path, n);
    }
    /* The input is at most RA__MAX_URL_LEN bytes, and so is every part, so only a failed
     * allocation can make the buffer fail. */
    if (b.failed) {
        ra_buf_cleanup(&b);
        return RA_ENOMEM;
    }
    *out = ra_buf_steal(&b, NULL);
    return *out ? RA_OK : RA_ENOMEM;
}

enum ra_err
ra__url_normalize(const char *url, size_t len, char **out, char *why, size_t whylen)
{
    *out = NULL;
    snprintf(why, whylen, "invalid URL");
    if (len == 0 || len > RA__MAX_URL_LEN || memchr(url, '\0', len) != NULL)
        return RA_EINVAL;
    char *copy = ra_strndup(url, len);
    CURLU *u = curl_url();
    if (copy == NULL || u == NULL) {
        ra_free(copy);
        curl_url_cleanup(u);
        return RA_ENOMEM;
    }
    struct url_parts p = {0};
    enum ra_err e = RA_EINVAL;
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, copy, 0);
    if (rc == CURLUE_OUT_OF_MEMORY)
        e = RA_ENOMEM;
    else if (rc == CURLUE_OK) {
        e = split_url(u, &p);
        if (e == RA_OK)
            e = build_normal(&p, out, why, whylen);
    }
    free_parts(&p);
    curl_url_cleanup(u);
    ra_free(copy);
    return e;
}

size_t
ra__next_host(size_t cur, enum ra__fail why, size_t nhosts, unsigned tries_on_cur)
{
    if (nhosts <= 1 || cur >= nhosts)
        return 0;
    if (why == RA__FAIL_RATE)
        return cur;
    if (cur == 0) {
        if (tries_on_cur < 2)
            return 0; /* primary domain retry */
        if (why == RA__FAIL_NETWORK && nhosts > 2)
            return 2; /* a network failure skips the alternate domain */
        return 1;     /* alternate domain retry */
    }
    return cur + 1 < nhosts ? cur + 1 : cur;
}
