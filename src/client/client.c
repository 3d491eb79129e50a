/* SPDX-License-Identifier: MIT */
/*
 * client.c: library initialisation, the client handle, its settings and its error message.
 *
 * The only process-wide state is a count of ra_global_init() calls, written before threads
 * start and read by ra_client_new(). Everything else lives in the handle. The Customer Secret
 * is held in one buffer of known length and wiped whenever it is replaced or the handle freed.
 */
#include "client_internal.h"

#include "common/alloc.h"
#include "credfile.h"
#include "hosts.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_int global_refs;

static const char *const default_hosts[] = {
    "https://api.agora.io",
    "https://api.sd-rtn.com",
    "https://api-us-west-1.agora.io",
};

const char *
ra_version(void)
{
    return RA_VERSION_STRING;
}

enum ra_err
ra_global_init(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    /* 7.80.0 brought CURLOPT_PREREQFUNCTION, used to check where plain HTTP connected. */
    if (v == NULL || v->version_num < 0x075000 || !(v->features & CURL_VERSION_SSL))
        return RA_EINIT;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return RA_EINIT;
    atomic_fetch_add(&global_refs, 1);
    return RA_OK;
}

void
ra_global_cleanup(void)
{
    if (atomic_load(&global_refs) <= 0)
        return;
    atomic_fetch_sub(&global_refs, 1);
    curl_global_cleanup();
}

enum ra_err
ra__fail(struct ra_client *c, enum ra_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
    va_end(ap);
    return err;
}

void
ra__ok(struct ra_client *c)
{
    c->errmsg[0] = '\0';
}

void
ra__sanitize(char *out, size_t outlen, const char *s, size_t len)
{
    size_t n = 0;
    if (outlen == 0)
        return;
    for (size_t i = 0; i < len && n + 1 < outlen; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[n++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    out[n] = '\0';
}

/* Replace the host list with copies of hosts[0..n), which are already normalised. */
static enum ra_err
install_hosts(struct ra_client *c, char **hosts, size_t n)
{
    for (size_t i = 0; i < c->nhosts; i++)
        ra_free(c->hosts[i]);
    for (size_t i = 0; i < n; i++)
        c->hosts[i] = hosts[i];
    c->nhosts = n;
    c->last_host = NULL;
    return RA_OK;
}

enum ra_err
ra_client_new(struct ra_client **out)
{
    if (out == NULL)
        return RA_EINVAL;
    *out = NULL;
    if (atomic_load(&global_refs) <= 0)
        return RA_EINIT;
    struct ra_client *c = ra_calloc(1, sizeof(*c));
    if (c == NULL)
        return RA_ENOMEM;
    c->curl = curl_easy_init();
    if (c->curl == NULL) {
        ra_free(c);
        return RA_EINIT;
    }
    c->retries = 3;
    c->backoff_ms[0] = 1000;
    c->backoff_ms[1] = 3000;
    c->backoff_ms[2] = 6000;
    c->nbackoff = 3;
    c->retry_after_max_ms = 60000;
    c->failover = true;
    c->unsafe = RA_UNSAFE_RETRY_UNSENT;
    c->connect_timeout_ms = 10000;
    c->timeout_ms = 30000;
    enum ra_err e = ra_client_set_hosts(c, default_hosts, 3);
    if (e != RA_OK) {
        ra_client_free(c);
        return e;
    }
    *out = c;
    return RA_OK;
}

/* Wipe and free the credentials held by the handle. */
static void
drop_credentials(struct ra_client *c)
{
    ra_free(c->customer_id);
    ra_free_secret(c->secret, c->secret_len);
    c->customer_id = NULL;
    c->secret = NULL;
    c->secret_len = 0;
}

void
ra_client_free(struct ra_client *c)
{
    if (c == NULL)
        return;
    drop_credentials(c);
    install_hosts(c, NULL, 0);
    ra_free(c->ca_file);
    if (c->curl != NULL)
        curl_easy_cleanup(c->curl);
    ra_wipe(c, sizeof(*c));
    ra_free(c);
}

const char *
ra_client_errmsg(const struct ra_client *c)
{
    return c == NULL ? "no client handle" : c->errmsg;
}

const char *
ra_client_customer_id(const struct ra_client *c)
{
    return c == NULL ? NULL : c->customer_id;
}

enum ra_err
ra_client_set_credentials(struct ra_client *c, const char *customer_id, const char *customer_secret)
{
    if (c == NULL)
        return RA_EINVAL;
    if (customer_id == NULL || !ra__cred_valid(customer_id, strlen(customer_id), true))
        return ra__fail(c, RA_EINVAL,
                        "the Customer ID must be 1-256 printable bytes "
                        "without ':'");
    if (customer_secret == NULL || !ra__cred_valid(customer_secret, strlen(customer_secret), false))
        return ra__fail(c, RA_EINVAL, "the Customer Secret must be 1-256 printable bytes");
    char *id = ra_strdup(customer_id);
    char *secret = ra_strdup(customer_secret);
    if (id == NULL || secret == NULL) {
        ra_free(id);
        ra_free_secret(secret, secret ? strlen(secret) : 0);
        return ra__fail(c, RA_ENOMEM, "out of memory");
    }
    drop_credentials(c);
    c->customer_id = id;
    c->secret = secret;
    c->secret_len = strlen(secret);
    ra__ok(c);
    return RA_OK;
}

enum ra_err
ra_client_load_credentials_env(struct ra_client *c)
{
    if (c == NULL)
        return RA_EINVAL;
    const char *id = getenv("RESTAUTH_CUSTOMER_ID");
    const char *secret = getenv("RESTAUTH_CUSTOMER_SECRET");
    if (id == NULL || id[0] == '\0' || secret == NULL || secret[0] == '\0')
        return ra__fail(c, RA_ENOCRED,
                        "RESTAUTH_CUSTOMER_ID and RESTAUTH_CUSTOMER_SECRET "
                        "must both be set");
    enum ra_err e = ra_client_set_credentials(c, id, secret);
    if (e == RA_EINVAL)
        return ra__fail(c, e, "RESTAUTH_CUSTOMER_ID or RESTAUTH_CUSTOMER_SECRET is invalid");
    return e;
}

enum ra_err
ra_client_load_credentials_file(struct ra_client *c, const char *path)
{
    char why[160] = "";
    char *text = NULL, *id = NULL, *secret = NULL;
    size_t len = 0;
    if (c == NULL)
        return RA_EINVAL;
    if (path == NULL)
        return ra__fail(c, RA_EINVAL, "no credentials file given");
    enum ra_err e = ra__cred_read_file(path, &text, &len, why, sizeof(why));
    if (e == RA_OK) {
        e = ra__cred_parse(text, len, &id, &secret, why, sizeof(why));
        ra_free_secret(text, len);
    }
    if (e == RA_OK) {
        drop_credentials(c);
        c->customer_id = id;
        c->secret = secret;
        c->secret_len = strlen(secret);
        ra__ok(c);
        return RA_OK;
    }
    if (e == RA_ENOMEM)
        return ra__fail(c, e, "out of memory");
    return ra__fail(c, e, "credentials file %.160s: %s", path, why);
}

enum ra_err
ra_client_set_hosts(struct ra_client *c, const char *const *urls, size_t count)
{
    char *norm[RA__MAX_HOSTS] = {0};
    char why[160];
    if (c == NULL)
        return RA_EINVAL;
    if (urls == NULL || count == 0 || count > RA__MAX_HOSTS)
        return ra__fail(c, RA_EINVAL, "the host list needs 1-%d URLs", RA__MAX_HOSTS);
    for (size_t i = 0; i < count; i++) {
        enum ra_err e = RA_EINVAL;
        snprintf(why, sizeof(why), "no URL");
        if (urls[i] != NULL)
            e = ra__url_normalize(urls[i], strlen(urls[i]), &norm[i], why, sizeof(why));
        if (e != RA_OK) {
            for (size_t j = 0; j < i; j++)
                ra_free(norm[j]);
            if (e == RA_ENOMEM)
                return ra__fail(c, e, "out of memory");
            return ra__fail(c, e, "base URL %zu: %s", i + 1, why);
        }
    }
    install_hosts(c, norm, count);
    ra__ok(c);
    return RA_OK;
}

enum ra_err
ra_client_set_base_url(struct ra_client *c, const char *url)
{
    char *parts[RA__MAX_HOSTS];
    char why[160];
    size_t n = 0;
    if (c == NULL)
        return RA_EINVAL;
    if (url == NULL || url[0] == '\0')
        return ra__fail(c, RA_EINVAL, "empty base URL");
    const char *p = url;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        enum ra_err e = RA_EINVAL;
        snprintf(why, sizeof(why), "too many URLs (at most %d)", RA__MAX_HOSTS);
        if (n < RA__MAX_HOSTS)
            e = ra__url_normalize(p, len, &parts[n], why, sizeof(why));
        if (e != RA_OK) {
            while (n > 0)
                ra_free(parts[--n]);
            return e == RA_ENOMEM ? ra__fail(c, e, "out of memory")
                                  : ra__fail(c, e, "base URL: %s", why);
        }
        n++;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    install_hosts(c, parts, n);
    ra__ok(c);
    return RA_OK;
}

size_t
ra_client_host_count(const struct ra_client *c)
{
    return c == NULL ? 0 : c->nhosts;
}

const char *
ra_client_host(const struct ra_client *c, size_t i)
{
    return (c == NULL || i >= c->nhosts) ? NULL : c->hosts[i];
}

enum ra_err
ra_client_set_ca_file(struct ra_client *c, const char *path)
{
    if (c == NULL)
        return RA_EINVAL;
    if (path != NULL && access(path, R_OK) != 0)
        return ra__fail(c, RA_EINVAL, "CA file %.200s is not readable", path);
    char *copy = NULL;
    if (path != NULL && (copy = ra_strdup(path)) == NULL)
        return ra__fail(c, RA_ENOMEM, "out of memory");
    ra_free(c->ca_file);
    c->ca_file = copy;
    ra__ok(c);
    return RA_OK;
}

enum ra_err
ra_client_load_env(struct ra_client *c)
{
    if (c == NULL)
        return RA_EINVAL;
    const char *url = getenv("RESTAUTH_BASE_URL");
    const char *ca = getenv("RESTAUTH_CA_FILE");
    if (url != NULL && url[0] != '\0') {
        enum ra_err e = ra_client_set_base_url(c, url);
        if (e != RA_OK)
            return e;
    }
    if (ca != NULL && ca[0] != '\0')
        return ra_client_set_ca_file(c, ca);
    ra__ok(c);
    return RA_OK;
}
