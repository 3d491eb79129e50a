/* SPDX-License-Identifier: MIT */
/*
 * signin_limit.c: the sign-in policy over the limiter: two keys per attempt.
 */
#include "console/signin_limit.h"

#include "app.h"
#include "request/request.h"
#include "service/limiter.h"

#include <stdbool.h>
#include <string.h>

/* The key of an e-mail address, lowercased (ASCII) so that case does not split the count. */
static uint64_t
email_key(const struct limiter *l, const char *email)
{
    unsigned char folded[STORE_EMAIL_MAX];
    size_t n = strnlen(email, sizeof(folded));
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)email[i];
        folded[i] = c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
    }
    return limiter_key(l, 'e', folded, n);
}

int
signin_limit_begin(const struct app *app, const struct request *req, const char *email,
                   int64_t now_ms, struct signin_keys *keys)
{
    struct limiter *l = app->signin_fails;
    keys->email = email_key(l, email);
    keys->addr = limiter_addr_key(l, req->peer);
    int wait = limiter_take(l, keys->email, app->cfg->signin_fail_limit, now_ms);
    if (wait > 0)
        return wait;
    wait = limiter_take(l, keys->addr, app->cfg->signin_ip_fail_limit, now_ms);
    if (wait > 0)
        limiter_refund(l, keys->email, now_ms);
    return wait;
}

void
signin_limit_done(const struct app *app, const struct signin_keys *keys,
                  enum signin_outcome outcome, int64_t now_ms)
{
    struct limiter *l = app->signin_fails;
    if (outcome == SIGNIN_FAILED)
        return;
    if (outcome == SIGNIN_OK)
        limiter_forget(l, keys->email);
    else
        limiter_refund(l, keys->email, now_ms);
    limiter_refund(l, keys->addr, now_ms);
}
