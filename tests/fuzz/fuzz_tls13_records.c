/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tls13_records.c: libFuzzer target for the TLS 1.3 record layer (server/http/tls13.c)
 * as a connection reads it. A peer with the mirrored keys writes a stream the input
 * describes (application data records, KeyUpdates asked for or not, raw bytes, flipped
 * bits), cut into arbitrary reads; the server side opens every whole record of it as
 * conn.c does.
 *
 * Besides memory safety, it aborts when a promise breaks: a stream the peer sealed and
 * nobody altered opens to exactly the data sealed, with no error, and a KeyUpdate that does
 * not ask for ours makes none due; no record opens to more than TLS13_MAX_PLAIN bytes.
 */
#include "http/tls13.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STREAM_MAX (1 << 17)

static void
check(int ok)
{
    if (!ok)
        abort();
}

static struct tls13_ciphers ciphers;
static uint8_t stream[STREAM_MAX], sealed_data[STREAM_MAX], opened[STREAM_MAX];

struct run {
    struct tls13 peer, server;
    size_t len;      /* stream bytes written */
    size_t data_len; /* application data the peer sealed */
    int altered;     /* raw bytes or flipped bits went in */
};

/* The peer seals `n` bytes of application data (after a KeyUpdate when `update`). */
static void
peer_seals(struct run *r, const uint8_t *p, size_t n, int update)
{
    if (tls13_sealed_size(&r->peer, n) + 64 > STREAM_MAX - r->len || r->data_len + n > STREAM_MAX)
        return;
    r->peer.update_due = update != 0;
    struct iovec v = {(void *)p, n};
    long len = tls13_seal(&r->peer, &ciphers, &v, 1, stream + r->len);
    check(len >= 0);
    memcpy(sealed_data + r->data_len, p, n);
    r->data_len += n;
    r->len += (size_t)len;
}

static void
build(struct run *r, const uint8_t *data, size_t size)
{
    size_t i = 1;
    while (i + 2 <= size) {
        uint8_t op = data[i], n = data[i + 1];
        i += 2;
        size_t take = n < size - i ? n : size - i;
        switch (op % 4) {
        case 0:
            peer_seals(r, data + i, take, 0);
            break;
        case 1:
            peer_seals(r, data + i, take, 1);
            break;
        case 2:
            if (take <= STREAM_MAX - r->len) {
                memcpy(stream + r->len, data + i, take);
                r->len += take;
                r->altered |= take > 0;
            }
            break;
        default:
            if (r->len > 0) {
                stream[(size_t)n * 131 % r->len] ^= (uint8_t)(1u << (op >> 5));
                r->altered = 1;
            }
            break;
        }
        i += take;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ciphers.ctx[0] == NULL && tls13_ciphers_init(&ciphers) < 0)
        abort();
    if (size < 1)
        return 0;
    enum tls13_suite suite = (enum tls13_suite)(data[0] % TLS13_SUITES);
    uint8_t client[48], server[48];
    memset(client, 0x5a, sizeof(client));
    memset(server, 0xa5, sizeof(server));
    static struct run r;
    memset(&r, 0, sizeof(r));
    check(tls13_init(&r.peer, &ciphers, suite, server, client) == 0);
    check(tls13_init(&r.server, &ciphers, suite, client, server) == 0);
    build(&r, data, size);

    size_t pos = 0, got = 0;
    long err = 0;
    while (pos < r.len) {
        long len = tls13_record_len(stream + pos, r.len - pos);
        if (len <= 0) {
            err = len < 0 ? len : -EAGAIN;
            break;
        }
        static uint8_t plain[TLS13_MAX_PLAIN + 256];
        long n = tls13_open(&r.server, &ciphers, stream + pos, (size_t)len, plain);
        if (n < 0) {
            err = n;
            break;
        }
        check(n <= TLS13_MAX_PLAIN && got + (size_t)n <= STREAM_MAX);
        memcpy(opened + got, plain, (size_t)n);
        got += (size_t)n;
        pos += (size_t)len;
    }
    if (!r.altered) {
        check(err == 0 && got == r.data_len && memcmp(opened, sealed_data, got) == 0);
        check(!r.server.update_due); /* the peer's KeyUpdates never ask */
    }
    return 0;
}
