/* SPDX-License-Identifier: MIT */
/*
 * head.c: the status line and header fields of an HTTP/1.1 reply, written into the
 * exchange's output buffer (with the body when it is small and the reply holds a secret, so
 * that the buffer is wiped).
 */
#include "common/buf.h"
#include "http/engine.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

static const char *
reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return status < 400 ? "OK" : "Error";
    }
}

/* The worker's Date value, rewritten once a second. */
static const char *
date_now(struct worker *w)
{
    time_t now = time(NULL);
    if (now != w->date_at) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(w->date, sizeof(w->date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        w->date_at = now;
    }
    return w->date;
}

int
head_format(struct worker *w, struct exchange *x, bool close)
{
    const struct reply *r = &x->req.reply;
    struct ra_buf *b = &x->out;
    if (r->wipe_body) /* the body may join the head in this buffer */
        ra_buf_init_secret(b, 64 * 1024);
    else
        ra_buf_init(b, 64 * 1024);
    ra_buf_puts(b, "HTTP/1.1 ");
    ra_buf_put_int(b, r->status);
    ra_buf_putc(b, ' ');
    ra_buf_puts(b, reason(r->status));
    ra_buf_puts(b, "\r\nDate: ");
    ra_buf_puts(b, date_now(w));
    ra_buf_puts(b, "\r\nContent-Type: ");
    ra_buf_puts(b, r->content_type ? r->content_type : "application/json");
    ra_buf_puts(b, "\r\nContent-Length: ");
    ra_buf_put_int(b, (int64_t)r->len);
    ra_buf_puts(b, "\r\n");
    for (int i = 0; i < r->nheaders; i++)
        ra_buf_printf(b, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
    if (r->www_auth)
        ra_buf_puts(b, "WWW-Authenticate: Basic realm=\"restauth\", charset=\"UTF-8\"\r\n");
    if (r->retry_after > 0) {
        ra_buf_puts(b, "Retry-After: ");
        ra_buf_put_int(b, r->retry_after);
        ra_buf_puts(b, "\r\n");
    }
    if (close)
        ra_buf_puts(b, "Connection: close\r\n");
    ra_buf_puts(b, "\r\n");
    return b->failed ? -ENOMEM : 0;
}
