/* SPDX-License-Identifier: MIT */
/*
 * settings.c: the retry, failover and timeout settings of a handle, what the last call did,
 * and the text of each error code.
 */
#include "client_internal.h"

#include "common/alloc.h"

#include <stdio.h>

const char *
ra_strerror(enum ra_err err)
{
    switch (err) {
    case RA_OK:
        return "success";
    case RA_EINVAL:
        return "invalid argument";
    case RA_ENOMEM:
        return "out of memory";
    case RA_ENOCRED:
        return "no credentials";
    case RA_ECREDFILE:
        return "unusable credentials file";
    case RA_EINSECURE:
        return "refusing to send credentials without TLS";
    case RA_EDNS:
        return "host name not resolved";
    case RA_ECONNECT:
        return "could not connect";
    case RA_ENETWORK:
        return "network failure";
    case RA_ETLS:
        return "TLS failure";
    case RA_EAUTH:
        return "authentication failed";
    case RA_EFORBIDDEN:
        return "forbidden";
    case RA_ENOTFOUND:
        return "not found";
    case RA_EREQUEST:
        return "request rejected";
    case RA_ERATELIMIT:
        return "rate limited";
    case RA_ESERVER:
        return "server error";
    case RA_EPROTOCOL:
        return "unexpected response";
    case RA_EINIT:
        return "library not initialised";
    }
    return "unknown error";
}

enum ra_err
ra_client_set_retries(struct ra_client *c, unsigned retries)
{
    if (c == NULL)
        return RA_EINVAL;
    if (retries > RA__MAX_RETRIES)
        return ra__fail(c, RA_EINVAL, "at most %d retries", RA__MAX_RETRIES);
    c->retries = retries;
    ra__ok(c);
    return RA_OK;
}

enum ra_err
ra_client_set_backoff(struct ra_client *c, const unsigned *ms, size_t count)
{
    if (c == NULL)
        return RA_EINVAL;
    if (ms == NULL || count == 0 || count > RA__MAX_BACKOFF)
        return ra__fail(c, RA_EINVAL, "the back-off schedule needs 1-%d values", RA__MAX_BACKOFF);
    for (size_t i = 0; i < count; i++)
        if (ms[i] > 600000)
            return ra__fail(c, RA_EINVAL, "a back-off pause is at most 600000 ms");
    for (size_t i = 0; i < count; i++)
        c->backoff_ms[i] = ms[i];
    c->nbackoff = count;
    ra__ok(c);
    return RA_OK;
}

enum ra_err
ra_client_set_retry_after_max(struct ra_client *c, unsigned ms)
{
    if (c == NULL)
        return RA_EINVAL;
    c->retry_after_max_ms = ms;
    ra__ok(c);
    return RA_OK;
}

enum ra_err
ra_client_set_failover(struct ra_client *c, bool on)
{
    if (c == NULL)
        return RA_EINVAL;
    c->failover = on;
    ra__ok(c);
    return RA_OK;
}

enum ra_err
ra_client_set_unsafe_retry(struct ra_client *c, enum ra_unsafe_retry policy)
{
    if (c == NULL)
        return RA_EINVAL;
    if (policy != RA_UNSAFE_RETRY_NEVER && policy != RA_UNSAFE_RETRY_UNSENT &&
        policy != RA_UNSAFE_RETRY_ALWAYS)
        return ra__fail(c, RA_EINVAL, "unknown retry policy %d", (int)policy);
    c->unsafe = policy;
    ra__ok(c);
    return RA_OK;
}

enum ra_err
ra_client_set_timeouts(struct ra_client *c, unsigned connect_ms, unsigned total_ms)
{
    if (c == NULL)
        return RA_EINVAL;
    if (connect_ms < 1 || connect_ms > 3600000 || total_ms < 1 || total_ms > 3600000)
        return ra__fail(c, RA_EINVAL, "timeouts must be 1-3600000 ms");
    c->connect_timeout_ms = connect_ms;
    c->timeout_ms = total_ms;
    ra__ok(c);
    return RA_OK;
}

enum ra_err
ra_client_set_attempt_callback(struct ra_client *c, ra_attempt_fn fn, void *userdata)
{
    if (c == NULL)
        return RA_EINVAL;
    c->attempt_cb = fn;
    c->attempt_ud = userdata;
    ra__ok(c);
    return RA_OK;
}

long
ra_client_last_status(const struct ra_client *c)
{
    return c == NULL ? 0 : c->last_status;
}

unsigned
ra_client_last_attempts(const struct ra_client *c)
{
    return c == NULL ? 0 : c->last_attempts;
}

const char *
ra_client_last_host(const struct ra_client *c)
{
    return c == NULL ? NULL : c->last_host;
}

void
ra_body_free(char *body)
{
    ra_free(body);
}
