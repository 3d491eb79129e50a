/* SPDX-License-Identifier: MIT */
/*
 * session.h: console sessions. A session token is 32 bytes from the CSPRNG, sent to the
 * browser once as the cookie `ra_session=<base64url>` (Path=/console; HttpOnly; Secure;
 * SameSite=Strict); the store keeps only its BLAKE2b-256 hash, so a copy of the database
 * cannot be replayed as a cookie. Each session has its own random CSRF token, an idle expiry
 * (--session-idle-s since the last request) and an absolute one (--session-max-s since
 * sign-in). Sign-in always makes a new token (and revokes the one presented, if any);
 * sign-out deletes the session.
 */
#ifndef RA_SERVER_CONSOLE_SESSION_H
#define RA_SERVER_CONSOLE_SESSION_H

#include "app.h"

#include <stdbool.h>
#include <stddef.h>

#define SESSION_COOKIE "ra_session"
#define SESSION_TOKEN_LEN 43 /* 32 bytes, unpadded base64url */
/* Room for a Set-Cookie value. */
#define SESSION_COOKIE_MAX 160

/*
 * Start a session for the account: new token and CSRF token, stored (as a hash) with both
 * expiry times. Writes the Set-Cookie value into cookie (SESSION_COOKIE_MAX bytes; wipe it
 * after use) and the row into *ss. Returns 0 or the store's error.
 */
int session_start(const struct app *app, int64_t account_id, int64_t now, char *cookie,
                  struct store_session *ss);

/*
 * Find the live session named by a Cookie header (NULL = none). Sets *presented when the
 * header carries a session cookie at all. An expired session is deleted. Activity moves the
 * idle expiry (written at most once a second). Returns 0 with *ss filled, -ENOENT, or
 * -ENOTCONN when the store cannot be reached now.
 */
int session_find(const struct app *app, const char *cookie_header, int64_t now,
                 struct store_session *ss, bool *presented);

/* End a session (sign-out). */
void session_end(const struct app *app, const struct store_session *ss);

/* The Set-Cookie value that makes the browser drop its session cookie. */
const char *session_clear_cookie(void);

/* True when `token` (an X-CSRF-Token header, may be NULL) is the session's CSRF token;
 * compared in constant time. */
bool session_csrf_ok(const struct store_session *ss, const char *token);

#endif
