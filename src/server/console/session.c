/* SPDX-License-Identifier: MIT */
/*
 * session.c: session tokens, the cookie, and the checks made on every console request.
 */
#include "console/session.h"

#include "common/alloc.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define TOKEN_BYTES 32

_Static_assert(SESSION_TOKEN_LEN == STORE_CSRF_LEN, "tokens and CSRF tokens are alike");

/* 32 random bytes as unpadded base64url into out (SESSION_TOKEN_LEN + 1 bytes); the raw
 * bytes go to raw when it is not NULL. */
static void
random_token(char *out, unsigned char *raw)
{
    unsigned char b[TOKEN_BYTES];
    randombytes_buf(b, sizeof(b));
    sodium_bin2base64(out, SESSION_TOKEN_LEN + 1, b, sizeof(b),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (raw != NULL)
        memcpy(raw, b, sizeof(b));
    ra_wipe(b, sizeof(b));
}

static void
token_hash(const unsigned char raw[TOKEN_BYTES], unsigned char out[STORE_HASH_LEN])
{
    crypto_generichash(out, STORE_HASH_LEN, raw, TOKEN_BYTES, NULL, 0);
}

int
session_start(const struct app *app, int64_t account_id, int64_t now, char *cookie,
              struct store_session *ss)
{
    char token[SESSION_TOKEN_LEN + 1];
    unsigned char raw[TOKEN_BYTES];
    memset(ss, 0, sizeof(*ss));
    random_token(token, raw);
    token_hash(raw, ss->token_hash);
    random_token(ss->csrf, NULL);
    ss->account_id = account_id;
    ss->created = ss->last_seen = now;
    ss->expires = now + app->cfg->session_max_s;
    int rc = app->store->ops->session_add(app->store->priv, ss);
    if (rc == 0)
        snprintf(cookie, SESSION_COOKIE_MAX,
                 SESSION_COOKIE "=%s; Path=/console; HttpOnly; Secure; SameSite=Strict", token);
    ra_wipe(token, sizeof(token));
    ra_wipe(raw, sizeof(raw));
    return rc;
}

/* Find the value of our cookie in a Cookie header ("a=b; ra_session=v; c=d"). Returns its
 * start and length, or NULL. */
static const char *
cookie_value(const char *header, size_t *len)
{
    static const char name[] = SESSION_COOKIE "=";
    const char *p = header;
    while (p != NULL && *p != '\0') {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n >= sizeof(name) - 1 && memcmp(p, name, sizeof(name) - 1) == 0) {
            *len = n - (sizeof(name) - 1);
            while (*len > 0 && (p[sizeof(name) - 1 + *len - 1] == ' '))
                (*len)--;
            return p + sizeof(name) - 1;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

int
session_find(const struct app *app, const char *cookie_header, int64_t now,
             struct store_session *ss, bool *presented)
{
    size_t len = 0;
    unsigned char raw[TOKEN_BYTES], hash[STORE_HASH_LEN];
    size_t got = 0;
    const char *v = cookie_header ? cookie_value(cookie_header, &len) : NULL;
    *presented = v != NULL;
    if (v == NULL || len != SESSION_TOKEN_LEN ||
        sodium_base642bin(raw, sizeof(raw), v, len, NULL, &got, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        got != TOKEN_BYTES)
        return -ENOENT;
    token_hash(raw, hash);
    ra_wipe(raw, sizeof(raw));
    const struct store_ops *o = app->store->ops;
    int rc = o->session_get(app->store->priv, hash, ss);
    if (rc < 0)
        return rc == -ENOTCONN ? rc : -ENOENT;
    if (now >= ss->expires || now - ss->last_seen >= app->cfg->session_idle_s) {
        o->session_delete(app->store->priv, hash);
        return -ENOENT;
    }
    if (now > ss->last_seen && o->session_touch(app->store->priv, hash, now) == 0)
        ss->last_seen = now;
    return 0;
}

void
session_end(const struct app *app, const struct store_session *ss)
{
    app->store->ops->session_delete(app->store->priv, ss->token_hash);
}

const char *
session_clear_cookie(void)
{
    return SESSION_COOKIE "=; Path=/console; Max-Age=0; HttpOnly; Secure; SameSite=Strict";
}

bool
session_csrf_ok(const struct store_session *ss, const char *token)
{
    if (token == NULL || strlen(token) != SESSION_TOKEN_LEN || ss->csrf[0] == '\0')
        return false;
    return sodium_memcmp(token, ss->csrf, SESSION_TOKEN_LEN) == 0;
}
