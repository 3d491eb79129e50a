/* SPDX-License-Identifier: MIT */
/*
 * signin_limit.h: the console's sign-in throttle, over the app's sign-in limiter
 * (service/limiter.h). Failed sign-ins are counted per account (by the e-mail typed, ignoring
 * ASCII case, whether or not such an account exists) and per client address, in 15-minute
 * windows. Once either count reaches its limit, sign-ins for that e-mail or from that address
 * are refused (429) without hashing anything until the window ends. A successful sign-in
 * clears the account's count and does not count against the address.
 *
 * Each attempt reserves one unit of both counts before the password is checked, so that
 * concurrent attempts cannot hash more than the limit allows; a success gives them back.
 */
#ifndef RA_SERVER_CONSOLE_SIGNIN_LIMIT_H
#define RA_SERVER_CONSOLE_SIGNIN_LIMIT_H

#include <stdint.h>

struct app;
struct request;

/* The two counts an attempt touches. */
struct signin_keys {
    uint64_t email;
    uint64_t addr; /* 0 when the client's address is unknown */
};

/*
 * Reserve one attempt for `email` from the request's client at now_ms. Returns 0 (then the
 * attempt may hash, and keys are filled for signin_limit_done), or the seconds to wait.
 */
int signin_limit_begin(const struct app *app, const struct request *req, const char *email,
                       int64_t now_ms, struct signin_keys *keys);

enum signin_outcome {
    SIGNIN_FAILED,    /* wrong e-mail or password: the reservation stays counted */
    SIGNIN_OK,        /* gives the reservation back and clears the account's count */
    SIGNIN_NOT_TRIED, /* the server could not check (busy, store error): given back */
};

/* Settle the reservation made by signin_limit_begin. */
void signin_limit_done(const struct app *app, const struct signin_keys *keys,
                       enum signin_outcome outcome, int64_t now_ms);

#endif
