/* SPDX-License-Identifier: MIT */
/*
 * test_tls13.c: the record layer of server/http/tls13.c against OpenSSL's own client, in
 * memory. OpenSSL does the server's handshake with the capture callbacks installed, the
 * record state is taken, and from then on the client (OpenSSL) and the server (tls13.c) must
 * understand each other: data both ways, records over 16 KiB, a request that came with the
 * client's Finished, a KeyUpdate from the client (asked and not), close_notify, a tampered
 * record, the connections that must not be taken (TLS 1.2, half a record inside OpenSSL), and
 * a session ticket made after the take that the client resumes. Every TLS 1.3 suite the server
 * offers is run.
 */
#include "http/tls13.h"

#include "harness.h"

#include <errno.h>
#include <openssl/err.h>
#include <stdlib.h>

static char tmpdir[] = "/tmp/ra-test-tls13-XXXXXX";
#include "tmpdir.h"

static char cert_path[PATH_MAX], key_path[PATH_MAX];
static struct tls13_ciphers ciphers;

struct pair {
    SSL *server, *client;
    BIO *s_in, *s_out, *c_in, *c_out; /* the server reads s_in; the client reads c_in */
};

/* Move what one side wrote to the other side's input; how many bytes moved. */
static size_t
pump(BIO *from, BIO *to)
{
    char buf[4096];
    size_t moved = 0;
    int n;
    while ((n = BIO_read(from, buf, sizeof(buf))) > 0) {
        BIO_write(to, buf, n);
        moved += (size_t)n;
    }
    return moved;
}

/* A server context with the capture installed; with ticket_later, its TLS 1.3 handshakes
 * send no session ticket (tls13_ticket makes it). */
static SSL_CTX *
server_ctx_with(int max_version, bool ticket_later)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_max_proto_version(ctx, max_version);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1 ||
        tls13_capture_install(ctx, ticket_later) != 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static SSL_CTX *
server_ctx(int max_version)
{
    return server_ctx_with(max_version, false);
}

/* A client and a server in memory, the client's handshake done and its Finished (and
 * `early`, if any, written just after it) not yet read by the server. */
static int
connect_pair(struct pair *p, SSL_CTX *sctx, const char *suite, const char *early)
{
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_ciphersuites(cctx, suite);
    p->server = SSL_new(sctx);
    p->client = SSL_new(cctx);
    SSL_CTX_free(cctx);
    p->s_in = BIO_new(BIO_s_mem());
    p->s_out = BIO_new(BIO_s_mem());
    p->c_in = BIO_new(BIO_s_mem());
    p->c_out = BIO_new(BIO_s_mem());
    SSL_set_bio(p->server, p->s_in, p->s_out);
    SSL_set_bio(p->client, p->c_in, p->c_out);
    SSL_set_accept_state(p->server);
    SSL_set_connect_state(p->client);
    for (int round = 0; round < 4 && SSL_do_handshake(p->client) != 1; round++) {
        pump(p->c_out, p->s_in);
        SSL_do_handshake(p->server);
        pump(p->s_out, p->c_in);
    }
    if (!SSL_is_init_finished(p->client))
        return -1;
    if (early != NULL && SSL_write(p->client, early, (int)strlen(early)) <= 0)
        return -1;
    return 0;
}

/* The server finishes its handshake and reads what came with the client's Finished. */
static int
finish_server(struct pair *p, char *got, size_t size)
{
    pump(p->c_out, p->s_in);
    if (SSL_do_handshake(p->server) != 1)
        return -1;
    pump(p->s_out, p->c_in); /* its tickets */
    int n = SSL_read(p->server, got, (int)size - 1);
    got[n > 0 ? n : 0] = '\0';
    return n > 0 ? n : 0;
}

static void
free_pair(struct pair *p)
{
    SSL_free(p->server);
    SSL_free(p->client);
}

/* Open every whole record in the client's output; the application data goes to out. */
static long
open_all(struct tls13 *t, struct pair *p, uint8_t *out, size_t size)
{
    static uint8_t wire[1 << 18];
    size_t n = 0, pos = 0, got = 0;
    int r;
    while ((r = BIO_read(p->c_out, wire + n, (int)(sizeof(wire) - n))) > 0)
        n += (size_t)r;
    while (pos < n) {
        long len = tls13_record_len(wire + pos, n - pos);
        if (len <= 0)
            return len < 0 ? len : -EAGAIN;
        static uint8_t plain[TLS13_MAX_PLAIN + 256];
        long m = tls13_open(t, &ciphers, wire + pos, (size_t)len, plain);
        if (m < 0)
            return m;
        if (got + (size_t)m > size)
            return -ENOSPC;
        memcpy(out + got, plain, (size_t)m);
        got += (size_t)m;
        pos += (size_t)len;
    }
    return (long)got;
}

/* Seal `n` bytes from the server and let the client read them all back into got. */
static int
server_says(struct tls13 *t, struct pair *p, const uint8_t *data, size_t n, uint8_t *got)
{
    struct iovec v[2] = {{(void *)data, n / 3}, {(void *)(data + n / 3), n - n / 3}};
    uint8_t *wire = malloc(tls13_sealed_size(t, n));
    long len = tls13_seal(t, &ciphers, v, 2, wire);
    if (len > 0)
        BIO_write(p->c_in, wire, (int)len);
    free(wire);
    size_t have = 0;
    int r;
    while (have < n && (r = SSL_read(p->client, got + have, (int)(n - have))) > 0)
        have += (size_t)r;
    return have == n ? 0 : -1;
}

static void
run_suite(const char *suite)
{
    SSL_CTX *sctx = server_ctx(TLS1_3_VERSION);
    struct pair p;
    char early[64];
    ASSERT_TRUE(sctx != NULL && connect_pair(&p, sctx, suite, "GET /first") == 0);
    ASSERT_EQ_INT(finish_server(&p, early, sizeof(early)), 10);
    ASSERT_EQ_STR(early, "GET /first");
    struct tls13 *t = NULL;
    ASSERT_EQ_INT(tls13_take(p.server, &ciphers, &t), 0);
    if (t == NULL) {
        free_pair(&p);
        SSL_CTX_free(sctx);
        return;
    }
    uint8_t buf[64];
    ASSERT_TRUE(SSL_write(p.client, "GET /second", 11) == 11);
    ASSERT_EQ_INT(open_all(t, &p, buf, sizeof(buf)), 11);
    ASSERT_EQ_MEM(buf, "GET /second", 11);

    size_t big = 3 * TLS13_MAX_PLAIN + 123; /* four records, from two buffers */
    uint8_t *data = malloc(big), *back = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (uint8_t)(i * 7 + 1);
    ASSERT_EQ_INT(tls13_sealed_size(t, big), big + 4 * TLS13_OVERHEAD);
    ASSERT_EQ_INT(server_says(t, &p, data, big, back), 0);
    ASSERT_EQ_MEM(back, data, big);

    /* The client updates its keys and asks for ours; then once more without asking. */
    ASSERT_EQ_INT(SSL_key_update(p.client, SSL_KEY_UPDATE_REQUESTED), 1);
    ASSERT_TRUE(SSL_write(p.client, "after update", 12) == 12);
    ASSERT_EQ_INT(open_all(t, &p, buf, sizeof(buf)), 12);
    ASSERT_EQ_MEM(buf, "after update", 12);
    ASSERT_TRUE(t->update_due);
    ASSERT_EQ_INT(server_says(t, &p, (const uint8_t *)"reply, new keys", 15, buf), 0);
    ASSERT_EQ_MEM(buf, "reply, new keys", 15);
    ASSERT_TRUE(!t->update_due);
    ASSERT_EQ_INT(SSL_key_update(p.client, SSL_KEY_UPDATE_NOT_REQUESTED), 1);
    ASSERT_TRUE(SSL_write(p.client, "again", 5) == 5);
    ASSERT_EQ_INT(open_all(t, &p, buf, sizeof(buf)), 5);
    ASSERT_TRUE(!t->update_due);
    ASSERT_EQ_INT(server_says(t, &p, (const uint8_t *)"still fine", 10, buf), 0);

    /* A flipped bit in a record is refused, and so is the client's close_notify later. */
    uint8_t wire[128];
    ASSERT_TRUE(SSL_write(p.client, "tamper", 6) == 6);
    int n = BIO_read(p.c_out, wire, sizeof(wire));
    ASSERT_TRUE(n > 22);
    if (n <= 22)
        n = 23;
    wire[n - 3] ^= 1;
    uint8_t plain[128];
    ASSERT_EQ_INT(tls13_record_len(wire, (size_t)n), n);
    ASSERT_EQ_INT(tls13_open(t, &ciphers, wire, (size_t)n, plain), -EBADMSG);
    SSL_shutdown(p.client);
    ASSERT_EQ_INT(open_all(t, &p, buf, sizeof(buf)), -EBADMSG); /* the sequence moved on */
    free(data);
    free(back);
    tls13_free(t);
    free_pair(&p);
    SSL_CTX_free(sctx);
}

static void
test_aes_128_gcm(void)
{
    run_suite("TLS_AES_128_GCM_SHA256");
}

static void
test_aes_256_gcm(void)
{
    run_suite("TLS_AES_256_GCM_SHA384");
}

static void
test_chacha20_poly1305(void)
{
    run_suite("TLS_CHACHA20_POLY1305_SHA256");
}

/* close_notify from the client is an alert: the peer is done. Our own alert opens on the
 * client as close_notify. */
static void
test_alerts(void)
{
    SSL_CTX *sctx = server_ctx(TLS1_3_VERSION);
    struct pair p;
    char early[8];
    ASSERT_TRUE(connect_pair(&p, sctx, "TLS_AES_128_GCM_SHA256", NULL) == 0);
    ASSERT_EQ_INT(finish_server(&p, early, sizeof(early)), 0);
    struct tls13 *t = NULL;
    ASSERT_EQ_INT(tls13_take(p.server, &ciphers, &t), 0);
    uint8_t alert[TLS13_ALERT_RECORD], buf[8];
    long n = tls13_seal_alert(t, &ciphers, 1, 0, alert);
    ASSERT_EQ_INT(n, TLS13_ALERT_RECORD);
    BIO_write(p.c_in, alert, (int)n);
    ASSERT_TRUE(SSL_read(p.client, buf, sizeof(buf)) <= 0);
    ASSERT_EQ_INT(SSL_get_error(p.client, 0), SSL_ERROR_ZERO_RETURN);
    SSL_shutdown(p.client);
    ASSERT_EQ_INT(open_all(t, &p, buf, sizeof(buf)), -ECONNRESET);
    tls13_free(t);
    free_pair(&p);
    SSL_CTX_free(sctx);
}

/* Headers no TLS 1.3 peer sends after the handshake, and a record not yet whole. */
static void
test_record_len(void)
{
    const uint8_t ok[5] = {23, 3, 3, 0, 40}, ccs[5] = {20, 3, 3, 0, 1}, old[5] = {23, 3, 1, 0, 40},
                  big[5] = {23, 3, 3, 0x41, 0x01}, tiny[5] = {23, 3, 3, 0, 16};
    ASSERT_EQ_INT(tls13_record_len(ok, 4), 0);
    ASSERT_EQ_INT(tls13_record_len(ok, 5), 0);
    uint8_t whole[45] = {23, 3, 3, 0, 40};
    ASSERT_EQ_INT(tls13_record_len(whole, sizeof(whole)), 45);
    ASSERT_EQ_INT(tls13_record_len(ccs, 5), -EMSGSIZE);
    ASSERT_EQ_INT(tls13_record_len(old, 5), -EMSGSIZE);
    ASSERT_EQ_INT(tls13_record_len(big, 5), -EMSGSIZE);
    ASSERT_EQ_INT(tls13_record_len(tiny, 5), -EMSGSIZE);
}

/* TLS 1.2 stays with OpenSSL, and so does a connection with half a record inside it. */
static void
test_not_taken(void)
{
    SSL_CTX *sctx = server_ctx(TLS1_2_VERSION);
    struct pair p;
    char got[8];
    ASSERT_TRUE(connect_pair(&p, sctx, "TLS_AES_128_GCM_SHA256", NULL) == 0);
    ASSERT_EQ_INT(finish_server(&p, got, sizeof(got)), 0);
    struct tls13 *t = NULL;
    ASSERT_EQ_INT(tls13_take(p.server, &ciphers, &t), -ENOTSUP);
    ASSERT_TRUE(t == NULL);
    free_pair(&p);
    SSL_CTX_free(sctx);

    sctx = server_ctx(TLS1_3_VERSION);
    ASSERT_TRUE(connect_pair(&p, sctx, "TLS_AES_128_GCM_SHA256", NULL) == 0);
    ASSERT_EQ_INT(finish_server(&p, got, sizeof(got)), 0);
    uint8_t wire[128];
    ASSERT_TRUE(SSL_write(p.client, "half of it", 10) == 10);
    int n = BIO_read(p.c_out, wire, sizeof(wire));
    BIO_write(p.s_in, wire, n / 2);
    ASSERT_TRUE(SSL_read(p.server, got, sizeof(got)) <= 0);
    ASSERT_EQ_INT(tls13_take(p.server, &ciphers, &t), -ENOTSUP);
    free_pair(&p);
    SSL_CTX_free(sctx);
}

/* A new client of sctx that offers `session`; 1 when its handshake resumed it. */
static int
resumes(SSL_CTX *sctx, SSL_SESSION *session)
{
    struct pair p;
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_ciphersuites(cctx, "TLS_AES_128_GCM_SHA256"); /* a hash the session can use */
    p.server = SSL_new(sctx);
    p.client = SSL_new(cctx);
    SSL_CTX_free(cctx);
    SSL_set_session(p.client, session);
    SSL_set_bio(p.server, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    SSL_set_bio(p.client, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    p.s_in = SSL_get_rbio(p.server);
    p.s_out = SSL_get_wbio(p.server);
    p.c_in = SSL_get_rbio(p.client);
    p.c_out = SSL_get_wbio(p.client);
    SSL_set_accept_state(p.server);
    SSL_set_connect_state(p.client);
    for (int round = 0; round < 4 && SSL_do_handshake(p.client) != 1; round++) {
        pump(p.c_out, p.s_in);
        SSL_do_handshake(p.server);
        pump(p.s_out, p.c_in);
    }
    int reused = SSL_is_init_finished(p.client) && SSL_session_reused(p.client);
    free_pair(&p);
    return reused;
}

/* With tickets made after the take, the handshake sends none; tls13_ticket's record goes out
 * ahead of the first one sealed here (data, or an alert alone), numbered before it, and the
 * client resumes the session it brings. */
static void
test_ticket_after_take(void)
{
    for (int k = 0; k < 2; k++) { /* the first record sealed: 0 data, 1 a close_notify */
        SSL_CTX *sctx = server_ctx_with(TLS1_3_VERSION, true);
        struct pair p;
        char got[8];
        ASSERT_TRUE(sctx != NULL && connect_pair(&p, sctx, "TLS_AES_128_GCM_SHA256", NULL) == 0);
        ASSERT_EQ_INT(finish_server(&p, got, sizeof(got)), 0);
        SSL_read(p.client, got, sizeof(got)); /* reads whatever the server sent: no ticket */
        ASSERT_EQ_INT(SSL_SESSION_is_resumable(SSL_get0_session(p.client)), 0);
        struct tls13 *t = NULL;
        ASSERT_EQ_INT(tls13_take(p.server, &ciphers, &t), 0);
        if (t == NULL)
            break;
        uint64_t seq = t->wr.seq;
        ASSERT_EQ_INT(tls13_ticket(p.server, t), 0);
        ASSERT_TRUE(t->ahead_len > 0 && t->wr.seq == seq + 1);
        if (k == 0) {
            uint8_t back[5];
            ASSERT_EQ_INT(server_says(t, &p, (const uint8_t *)"hello", 5, back), 0);
            ASSERT_EQ_MEM(back, "hello", 5);
        } else {
            uint8_t rec[TLS13_ALERT_RECORD + 1024];
            ASSERT_TRUE(tls13_alert_size(t) <= sizeof(rec));
            long n = tls13_seal_alert(t, &ciphers, 1, 0, rec);
            ASSERT_TRUE(n > TLS13_ALERT_RECORD);
            BIO_write(p.c_in, rec, (int)n);
            ASSERT_EQ_INT(SSL_read(p.client, got, sizeof(got)), 0);
            ASSERT_EQ_INT(SSL_get_error(p.client, 0), SSL_ERROR_ZERO_RETURN);
        }
        ASSERT_TRUE(t->ahead == NULL && t->ahead_len == 0);
        SSL_SESSION *session = SSL_get1_session(p.client);
        ASSERT_EQ_INT(SSL_SESSION_is_resumable(session), 1);
        ASSERT_EQ_INT(resumes(sctx, session), 1);
        SSL_SESSION_free(session);
        tls13_free(t);
        free_pair(&p);
        SSL_CTX_free(sctx);
    }
}

int
main(void)
{
    if (tmpdir_make() != 0)
        return 1;
    snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", tmpdir);
    snprintf(key_path, sizeof(key_path), "%s/key.pem", tmpdir);
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-days 1 -subj /CN=localhost -keyout %s -out %s >/dev/null 2>&1",
             key_path, cert_path);
    if (system(cmd) != 0 || tls13_ciphers_init(&ciphers) != 0)
        return 1;
    RUN(test_aes_128_gcm);
    RUN(test_aes_256_gcm);
    RUN(test_chacha20_poly1305);
    RUN(test_alerts);
    RUN(test_record_len);
    RUN(test_not_taken);
    RUN(test_ticket_after_take);
    tls13_ciphers_free(&ciphers);
    tmpdir_remove();
    return harness_done();
}
