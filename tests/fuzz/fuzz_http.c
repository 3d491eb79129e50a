/* SPDX-License-Identifier: MIT */
/*
 * fuzz_http.c: libFuzzer target for the HTTP adapter end to end: the input is the bytes a
 * client sends on one connection. They go through a socket pair into the engine's parser and
 * the pipeline (http_serve_socket, server/http/server.h) against a real SQLite store, and the
 * bytes that come back are checked:
 *   - they are a sequence of whole responses: "HTTP/1.1 " and a status 100-599, header fields,
 *     an empty line, and a Content-Length body (a reply to HEAD has none: the check stops at
 *     the first response that is not followed by another or by the end);
 *   - an input that holds a complete head (an empty line), starts with a request line and
 *     announces no body is always answered (a body that never comes may go unanswered).
 * Inputs are capped at 32 KiB so that they fit in the socket's buffer before serving starts.
 */
#define _GNU_SOURCE /* memmem, strcasestr */

#include "app.h"
#include "fuzz_store.h"
#include "common/rand.h"
#include "http/server.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_CAP (32 * 1024)
#define OUTPUT_CAP (4 * 1024 * 1024)

static struct config cfg;
static struct store st;
static struct app app;
static char *dir;

static void
check(int ok)
{
    if (!ok)
        abort();
}

/* At exit: release the app, close the store and remove its files and directory. */
static void
teardown(void)
{
    app_cleanup(&app);
    store_close(&st);
    fuzz_store_remove(dir);
}

/* Open a throwaway store and a serving app once per process. */
static void
setup(void)
{
    static char dir_shm[] = "/dev/shm/ra-fuzz-http-XXXXXX";
    static char dir_tmp[] = "/tmp/ra-fuzz-http-XXXXXX";
    char url[256];
    dir = fuzz_store_dir(dir_shm, dir_tmp, url, sizeof(url));
    config_defaults(&cfg);
    cfg.header_timeout = 1;
    cfg.body_timeout = 1;
    cfg.access_log = "off";
    static const unsigned char key[SECRET_KEY_LEN] = {1, 2, 3};
    if (dir == NULL || ra_rand_init() < 0 || store_open(url, &st) < 0 ||
        app_open(&app, &cfg, &st, key) < 0)
        abort();
    atexit(teardown);
}

struct sink {
    int fd;
    char *buf;
    size_t len;
};

/* Read the server's answer until it closes (a thread, so that the server never blocks). */
static void *
drain(void *arg)
{
    struct sink *k = arg;
    ssize_t n;
    while (k->len < OUTPUT_CAP && (n = read(k->fd, k->buf + k->len, OUTPUT_CAP - k->len)) > 0)
        k->len += (size_t)n;
    return NULL;
}

/* The length of the response head at p[0..n) (through its empty line), or 0 when there is
 * none; *clen receives its Content-Length (-1 when missing). */
static size_t
head_of(const char *p, size_t n, long *clen)
{
    *clen = -1;
    const char *end = memmem(p, n, "\r\n\r\n", 4);
    if (end == NULL)
        return 0;
    for (const char *l = memchr(p, '\n', (size_t)(end - p)); l != NULL && l < end;
         l = memchr(l + 1, '\n', (size_t)(end - l - 1)))
        if (strncasecmp(l + 1, "Content-Length: ", 16) == 0)
            *clen = strtol(l + 17, NULL, 10);
    return (size_t)(end - p) + 4;
}

/* Check that out[0..n) is a sequence of well-formed responses. */
static void
check_responses(const char *out, size_t n)
{
    while (n > 0) {
        check(n >= 13 && memcmp(out, "HTTP/1.1 ", 9) == 0);
        int status = atoi(out + 9);
        check(status >= 100 && status <= 599);
        long clen;
        size_t head = head_of(out, n, &clen);
        check(head > 0);
        if (status == 100) {
            out += head;
            n -= head;
            continue;
        }
        check(clen >= 0);
        if (head + (size_t)clen > n ||
            (head + (size_t)clen < n && memcmp(out + head + clen, "HTTP/1.1 ", 9) != 0))
            return; /* a HEAD reply's body is not sent: the rest cannot be framed from here */
        out += head + (size_t)clen;
        n -= head + (size_t)clen;
    }
}

/* Does the input hold a complete head without a body, that must be answered? */
static bool
expects_answer(const uint8_t *data, size_t size)
{
    if (size == 0 || data[0] == '\r' || data[0] == '\n' ||
        memmem(data, size, "\r\n\r\n", 4) == NULL)
        return false;
    char *text = strndup((const char *)data, size); /* up to a NUL byte, if any */
    check(text != NULL);
    bool body = strcasestr(text, "content-length") != NULL ||
                strcasestr(text, "transfer-encoding") != NULL ||
                strlen(text) < size; /* a NUL byte hides the rest from this check */
    free(text);
    return !body;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (dir == NULL)
        setup();
    if (size > INPUT_CAP)
        return 0;
    int sv[2];
    check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    check(write(sv[0], data, size) == (ssize_t)size);
    shutdown(sv[0], SHUT_WR);
    static char out[OUTPUT_CAP];
    struct sink k = {sv[0], out, 0};
    pthread_t reader;
    check(pthread_create(&reader, NULL, drain, &k) == 0);
    check(http_serve_socket(&app, sv[1], 5000) == 0);
    pthread_join(reader, NULL);
    close(sv[0]);
    check_responses(out, k.len);
    if (expects_answer(data, size))
        check(k.len > 0);
    return 0;
}
