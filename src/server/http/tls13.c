/* SPDX-License-Identifier: MIT */
/*
 * tls13.c: the TLS 1.3 record layer after OpenSSL's handshake (see tls13.h). Key schedule
 * terms are RFC 8446's: HKDF-Expand-Label (7.1), traffic keys (7.3), the per-record nonce
 * (5.3), record protection (5.2) and KeyUpdate (4.6.3).
 */
#include "http/tls13.h"

#include "common/alloc.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <pthread.h>
#include <string.h>

/* Content types (RFC 8446, 5.1) and the handshake type of KeyUpdate. */
enum { CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPLICATION_DATA = 23, HS_KEY_UPDATE = 24 };
#define HEADER 5
#define TAG 16
#define KEY_UPDATE_RECORD (HEADER + 5 + 1 + TAG)

static const struct {
    uint32_t id;     /* OpenSSL's cipher id */
    size_t key_len;  /* AEAD key */
    size_t hash_len; /* of the suite's hash, and so of its secrets */
} suites[TLS13_SUITES] = {
    [TLS13_AES_128_GCM] = {TLS1_3_CK_AES_128_GCM_SHA256, 16, 32},
    [TLS13_AES_256_GCM] = {TLS1_3_CK_AES_256_GCM_SHA384, 32, 48},
    [TLS13_CHACHA20_POLY1305] = {TLS1_3_CK_CHACHA20_POLY1305_SHA256, 32, 32},
};

static const EVP_CIPHER *
suite_cipher(enum tls13_suite s)
{
    switch (s) {
    case TLS13_AES_128_GCM:
        return EVP_aes_128_gcm();
    case TLS13_AES_256_GCM:
        return EVP_aes_256_gcm();
    default:
        return EVP_chacha20_poly1305();
    }
}

/* ---- key schedule ---- */

/*
 * HKDF-Expand-Label(secret, label, "", out_len) for out_len no longer than the hash: one
 * HMAC block, HMAC(secret, HkdfLabel || 0x01). 0 or -EIO.
 */
static int
expand_label(struct tls13_ciphers *c, enum tls13_suite s, const uint8_t *secret, const char *label,
             uint8_t *out, size_t out_len)
{
    static const char prefix[] = "tls13 ";
    size_t label_len = strlen(label);
    uint8_t info[2 + 1 + sizeof(prefix) + 16 + 1 + 1];
    size_t n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)(sizeof(prefix) - 1 + label_len);
    memcpy(info + n, prefix, sizeof(prefix) - 1);
    n += sizeof(prefix) - 1;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = 0; /* no context */
    info[n++] = 1; /* the first (and only) block */
    uint8_t block[EVP_MAX_MD_SIZE];
    size_t block_len = 0;
    EVP_MAC_CTX *mac = c->hmac[suites[s].hash_len == 48];
    int ok = EVP_MAC_init(mac, secret, suites[s].hash_len, NULL) == 1 &&
             EVP_MAC_update(mac, info, n) == 1 &&
             EVP_MAC_final(mac, block, &block_len, sizeof(block)) == 1 && block_len >= out_len;
    if (ok)
        memcpy(out, block, out_len);
    ra_wipe(block, sizeof(block));
    return ok ? 0 : -EIO;
}

/* Make d's key and IV from `secret` (suite s); its sequence starts again. 0 or -EIO. */
static int
dir_set(struct tls13_ciphers *c, enum tls13_suite s, struct tls13_dir *d, const uint8_t *secret)
{
    if (secret != d->secret)
        memcpy(d->secret, secret, suites[s].hash_len);
    d->seq = 0;
    if (expand_label(c, s, d->secret, "key", d->key, suites[s].key_len) < 0 ||
        expand_label(c, s, d->secret, "iv", d->iv, sizeof(d->iv)) < 0)
        return -EIO;
    return 0;
}

/* The next generation of d's keys (KeyUpdate). 0 or -EIO. */
static int
dir_update(struct tls13_ciphers *c, enum tls13_suite s, struct tls13_dir *d)
{
    uint8_t next[48];
    int rc = expand_label(c, s, d->secret, "traffic upd", next, suites[s].hash_len);
    if (rc == 0) {
        memcpy(d->secret, next, suites[s].hash_len);
        rc = dir_set(c, s, d, d->secret);
    }
    ra_wipe(next, sizeof(next));
    return rc;
}

/* ---- one record's AEAD ---- */

/* An HMAC context for the digest `name`, keyed later for each use; NULL on failure. */
static EVP_MAC_CTX *
hmac_context(const char *name)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac); /* the context holds its own reference */
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)name, 0),
                           OSSL_PARAM_construct_end()};
    if (ctx != NULL && EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

int
tls13_ciphers_init(struct tls13_ciphers *c)
{
    memset(c, 0, sizeof(*c));
    for (int s = 0; s < TLS13_SUITES; s++) {
        c->ctx[s] = EVP_CIPHER_CTX_new();
        if (c->ctx[s] == NULL ||
            EVP_CipherInit_ex(c->ctx[s], suite_cipher(s), NULL, NULL, NULL, 1) != 1) {
            tls13_ciphers_free(c);
            return -ENOMEM;
        }
    }
    c->hmac[0] = hmac_context("SHA256");
    c->hmac[1] = hmac_context("SHA384");
    if (c->hmac[0] == NULL || c->hmac[1] == NULL) {
        tls13_ciphers_free(c);
        return -ENOMEM;
    }
    return 0;
}

void
tls13_ciphers_free(struct tls13_ciphers *c)
{
    for (int s = 0; s < TLS13_SUITES; s++) {
        EVP_CIPHER_CTX_free(c->ctx[s]);
        c->ctx[s] = NULL;
    }
    for (int h = 0; h < 2; h++) {
        EVP_MAC_CTX_free(c->hmac[h]);
        c->hmac[h] = NULL;
    }
}

/*
 * Seal (enc 1) or open (enc 0) len bytes at in into out under d's key and next nonce, with
 * the record header `aad`; the tag is written to or read from `tag`. The sequence number
 * moves on only on success. 0 or -1.
 */
static int
crypt_record(struct tls13_ciphers *c, enum tls13_suite s, struct tls13_dir *d, int enc,
             const uint8_t *aad, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    EVP_CIPHER_CTX *x = c->ctx[s];
    uint8_t nonce[12];
    memcpy(nonce, d->iv, sizeof(nonce));
    for (int i = 0; i < 8; i++)
        nonce[4 + i] ^= (uint8_t)(d->seq >> (56 - 8 * i));
    int n;
    if (d->seq == UINT64_MAX || EVP_CipherInit_ex(x, NULL, NULL, d->key, nonce, enc) != 1 ||
        EVP_CipherUpdate(x, NULL, &n, aad, HEADER) != 1 ||
        EVP_CipherUpdate(x, out, &n, in, (int)len) != 1)
        return -1;
    if (!enc && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, TAG, tag) != 1)
        return -1;
    if (EVP_CipherFinal_ex(x, out + len, &n) != 1)
        return -1;
    if (enc && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, TAG, tag) != 1)
        return -1;
    d->seq++;
    return 0;
}

/* Seal out[HEADER..HEADER+len) (already in place) as a record of inner type `type`.
 * Returns the record's length, or -EIO. */
static long
seal_in_place(struct tls13 *t, struct tls13_ciphers *c, uint8_t type, uint8_t *out, size_t len)
{
    size_t inner = len + 1;
    out[HEADER + len] = type;
    out[0] = CT_APPLICATION_DATA;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)((inner + TAG) >> 8);
    out[4] = (uint8_t)(inner + TAG);
    if (crypt_record(c, t->suite, &t->wr, 1, out, out + HEADER, inner, out + HEADER,
                     out + HEADER + inner) < 0)
        return -EIO;
    return (long)(HEADER + inner + TAG);
}

/* ---- after the handshake ---- */

long
tls13_record_len(const uint8_t *p, size_t n)
{
    if (n < HEADER)
        return 0;
    size_t len = (size_t)p[3] << 8 | p[4];
    if (p[0] != CT_APPLICATION_DATA || p[1] != 3 || p[2] != 3 || len < 1 + TAG ||
        len > TLS13_MAX_PLAIN + 256)
        return -EMSGSIZE;
    return n < HEADER + len ? 0 : (long)(HEADER + len);
}

/* A handshake message after the handshake: only a KeyUpdate, alone in its record. */
static long
key_update(struct tls13 *t, struct tls13_ciphers *c, const uint8_t *msg, size_t len)
{
    if (len != 5 || msg[0] != HS_KEY_UPDATE || msg[1] != 0 || msg[2] != 0 || msg[3] != 1 ||
        msg[4] > 1)
        return -EPROTO;
    if (dir_update(c, t->suite, &t->rd) < 0)
        return -EPROTO;
    if (msg[4] == 1)
        t->update_due = true;
    return 0;
}

long
tls13_open(struct tls13 *t, struct tls13_ciphers *c, const uint8_t *rec, size_t len, uint8_t *out)
{
    size_t inner = len - HEADER - TAG;
    uint8_t tag[TAG];
    memcpy(tag, rec + len - TAG, TAG);
    if (crypt_record(c, t->suite, &t->rd, 0, rec, rec + HEADER, inner, out, tag) < 0)
        return -EBADMSG;
    while (inner > 0 && out[inner - 1] == 0) /* padding */
        inner--;
    if (inner == 0)
        return -EPROTO;
    uint8_t type = out[inner - 1];
    size_t n = inner - 1;
    switch (type) {
    case CT_APPLICATION_DATA:
        return (long)n;
    case CT_ALERT:
        return -ECONNRESET;
    case CT_HANDSHAKE:
        return key_update(t, c, out, n);
    default:
        return -EPROTO;
    }
}

size_t
tls13_sealed_size(const struct tls13 *t, size_t n)
{
    size_t records = (n + TLS13_MAX_PLAIN - 1) / TLS13_MAX_PLAIN;
    return t->ahead_len + n + records * TLS13_OVERHEAD + (t->update_due ? KEY_UPDATE_RECORD : 0);
}

/* Copy what goes ahead of our records to out, and forget it. Returns its length. */
static size_t
put_ahead(struct tls13 *t, uint8_t *out)
{
    size_t n = t->ahead_len;
    if (n > 0)
        memcpy(out, t->ahead, n);
    ra_free(t->ahead);
    t->ahead = NULL;
    t->ahead_len = 0;
    return n;
}

/* Send our KeyUpdate (under the current keys) and move to the next ones. */
static long
seal_key_update(struct tls13 *t, struct tls13_ciphers *c, uint8_t *out)
{
    static const uint8_t msg[5] = {HS_KEY_UPDATE, 0, 0, 1, 0}; /* update_not_requested */
    memcpy(out + HEADER, msg, sizeof(msg));
    long n = seal_in_place(t, c, CT_HANDSHAKE, out, sizeof(msg));
    if (n < 0 || dir_update(c, t->suite, &t->wr) < 0)
        return -EIO;
    t->update_due = false;
    return n;
}

long
tls13_seal(struct tls13 *t, struct tls13_ciphers *c, const struct iovec *bufs, size_t count,
           uint8_t *out)
{
    size_t pos = put_ahead(t, out), i = 0, off = 0;
    for (;;) {
        while (i < count && off == bufs[i].iov_len) {
            i++;
            off = 0;
        }
        if (i == count)
            return (long)pos;
        if (t->update_due) {
            long n = seal_key_update(t, c, out + pos);
            if (n < 0)
                return n;
            pos += (size_t)n;
        }
        size_t fill = 0; /* one record: copy up to TLS13_MAX_PLAIN bytes, then seal them */
        while (i < count && fill < TLS13_MAX_PLAIN) {
            size_t take = bufs[i].iov_len - off;
            if (take > TLS13_MAX_PLAIN - fill)
                take = TLS13_MAX_PLAIN - fill;
            memcpy(out + pos + HEADER + fill, (const uint8_t *)bufs[i].iov_base + off, take);
            fill += take;
            off += take;
            if (off == bufs[i].iov_len) {
                i++;
                off = 0;
            }
        }
        long n = seal_in_place(t, c, CT_APPLICATION_DATA, out + pos, fill);
        if (n < 0)
            return n;
        pos += (size_t)n;
    }
}

size_t
tls13_alert_size(const struct tls13 *t)
{
    return t->ahead_len + TLS13_ALERT_RECORD;
}

long
tls13_seal_alert(struct tls13 *t, struct tls13_ciphers *c, uint8_t level, uint8_t description,
                 uint8_t *out)
{
    size_t pos = put_ahead(t, out);
    out[pos + HEADER] = level;
    out[pos + HEADER + 1] = description;
    long n = seal_in_place(t, c, CT_ALERT, out + pos, 2);
    return n < 0 ? n : (long)pos + n;
}

int
tls13_init(struct tls13 *t, struct tls13_ciphers *c, enum tls13_suite suite,
           const uint8_t *read_secret, const uint8_t *write_secret)
{
    memset(t, 0, sizeof(*t));
    t->suite = suite;
    if (dir_set(c, suite, &t->rd, read_secret) < 0 || dir_set(c, suite, &t->wr, write_secret) < 0)
        return -EIO;
    return 0;
}

size_t
tls13_secret_len(enum tls13_suite suite)
{
    return suites[suite].hash_len;
}

void
tls13_free(struct tls13 *t)
{
    if (t != NULL)
        ra_free(t->ahead);
    ra_free_secret(t, sizeof(*t));
}

/* ---- during the handshake: what OpenSSL's callbacks tell ---- */

/* Per SSL, from the first callback to SSL_free. */
struct capture {
    uint8_t client[48], server[48]; /* the first application traffic secrets */
    uint8_t client_len, server_len;
    bool rd_on, wr_on; /* the peer's / our Finished has passed: records now use those keys */
    bool spoiled;      /* an alert or KeyUpdate was seen: not taken */
    uint64_t rd, wr;   /* records under those keys read and written by OpenSSL */
};

static int capture_index = -1;
static pthread_once_t capture_once = PTHREAD_ONCE_INIT;

static void
capture_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    ra_free_secret(ptr, sizeof(struct capture));
}

static void
capture_index_init(void)
{
    capture_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, capture_free);
}

static struct capture *
capture_of(const SSL *ssl)
{
    struct capture *k = SSL_get_ex_data(ssl, capture_index);
    if (k == NULL && (k = ra_calloc(1, sizeof(*k))) != NULL &&
        SSL_set_ex_data((SSL *)ssl, capture_index, k) != 1) {
        ra_free(k);
        k = NULL;
    }
    return k;
}

/* Decode the hex secret at the end of a key log line into out (at most 48 bytes). */
static uint8_t
hex_secret(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex);
    if (n % 2 != 0 || n > 96)
        return 0;
    for (size_t i = 0; i < n; i += 2) {
        int v = 0;
        for (size_t j = i; j < i + 2; j++) {
            char ch = hex[j];
            int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (d < 0)
                return 0;
            v = v * 16 + d;
        }
        out[i / 2] = (uint8_t)v;
    }
    return (uint8_t)(n / 2);
}

static void on_key_log(const SSL *ssl, const char *line);

/*
 * OpenSSL formats every secret it logs (five a handshake, a sprintf per byte: about 30 us),
 * so the key log is switched on only around the two derivations wanted: from the moment a
 * Finished message passes to the logging of the traffic secret it leads to, within one call
 * into OpenSSL on one thread. Hence one context per thread (tls13.h).
 */
static void
key_log(const SSL *ssl, bool on)
{
    SSL_CTX_set_keylog_callback(SSL_get_SSL_CTX(ssl), on ? on_key_log : NULL);
}

/* The key log (NSS format): "LABEL <client random> <secret>"; only the first application
 * traffic secrets are kept. Nothing is written anywhere. */
static void
on_key_log(const SSL *ssl, const char *line)
{
    bool client = strncmp(line, "CLIENT_TRAFFIC_SECRET_0 ", 24) == 0;
    if (!client && strncmp(line, "SERVER_TRAFFIC_SECRET_0 ", 24) != 0) {
        if (strncmp(line, "EXPORTER_SECRET ", 16) != 0) /* left on by a failed step */
            key_log(ssl, false);
        return;
    }
    key_log(ssl, false);
    const char *secret = strrchr(line, ' ');
    struct capture *k = capture_of(ssl);
    if (k == NULL || secret == NULL)
        return;
    if (client)
        k->client_len = hex_secret(secret + 1, k->client);
    else
        k->server_len = hex_secret(secret + 1, k->server);
}

/* Whether the connection chose HTTP/2 by ALPN (h2o's own layer then writes through OpenSSL,
 * tickets included). */
static bool
chose_h2(const SSL *ssl)
{
    const unsigned char *p = NULL;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl, &p, &len);
    return len == 2 && memcmp(p, "h2", 2) == 0;
}

/* Every record header, inner content type, handshake message and alert, either way; `arg` is
 * non-NULL when tickets are made after tls13_take (tls13_capture_install). */
static void
on_message(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
           void *arg)
{
    (void)version;
    const uint8_t *b = buf;
    struct capture *k = capture_of(ssl);
    if (k == NULL)
        return;
    bool on = write_p ? k->wr_on : k->rd_on;
    switch (content_type) {
    case SSL3_RT_HEADER:
        if (on)
            *(write_p ? &k->wr : &k->rd) += 1;
        break;
    case SSL3_RT_INNER_CONTENT_TYPE:
        if (on && len == 1 && b[0] != CT_APPLICATION_DATA && (!write_p || b[0] != CT_HANDSHAKE))
            k->spoiled = true; /* we accept reading only data, and writing data or tickets */
        break;
    case SSL3_RT_HANDSHAKE:
        if (len > 0 && b[0] == SSL3_MT_FINISHED) {
            *(write_p ? &k->wr_on : &k->rd_on) = true;
            if (SSL_version(ssl) == TLS1_3_VERSION && SSL_is_server(ssl))
                key_log(ssl, true); /* the traffic secret it leads to comes next */
            if (write_p && arg != NULL && SSL_version(ssl) == TLS1_3_VERSION && !chose_h2(ssl))
                SSL_set_num_tickets(ssl, 0); /* ours comes before the client's Finished */
        } else if (len > 0 && b[0] == SSL3_MT_KEY_UPDATE)
            k->spoiled = true;
        break;
    case SSL3_RT_ALERT:
        k->spoiled = true;
        break;
    default:
        break;
    }
}

int
tls13_capture_install(SSL_CTX *ctx, bool ticket_later)
{
    pthread_once(&capture_once, capture_index_init);
    if (capture_index < 0)
        return -ENOMEM;
    SSL_CTX_set_keylog_callback(ctx, NULL); /* on only when wanted (key_log) */
    SSL_CTX_set_msg_callback(ctx, on_message);
    static char later; /* any non-NULL pointer */
    SSL_CTX_set_msg_callback_arg(ctx, ticket_later ? &later : NULL);
    return 0;
}

int
tls13_take(SSL *ssl, struct tls13_ciphers *c, struct tls13 **out)
{
    *out = NULL;
    if (capture_index < 0 || !SSL_is_server(ssl) || SSL_version(ssl) != TLS1_3_VERSION ||
        SSL_has_pending(ssl) || SSL_get_shutdown(ssl) != 0)
        return -ENOTSUP;
    const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
    uint32_t id = cipher != NULL ? SSL_CIPHER_get_id(cipher) : 0;
    int s = 0;
    while (s < TLS13_SUITES && suites[s].id != id)
        s++;
    struct capture *k = SSL_get_ex_data(ssl, capture_index);
    if (s == TLS13_SUITES || k == NULL || !k->rd_on || !k->wr_on || k->spoiled ||
        k->client_len != suites[s].hash_len || k->server_len != suites[s].hash_len)
        return -ENOTSUP;
    struct tls13 *t = ra_malloc(sizeof(*t));
    if (t == NULL)
        return -ENOMEM;
    if (tls13_init(t, c, (enum tls13_suite)s, k->client, k->server) < 0) {
        tls13_free(t);
        return -ENOTSUP;
    }
    t->rd.seq = k->rd;
    t->wr.seq = k->wr;
    *out = t;
    return 0;
}

int
tls13_ticket(SSL *ssl, struct tls13 *t)
{
    struct capture *k = SSL_get_ex_data(ssl, capture_index);
    BIO *mem = k != NULL ? BIO_new(BIO_s_mem()) : NULL;
    if (mem == NULL)
        return -ENOMEM;
    uint64_t before = k->wr;
    SSL_set0_wbio(ssl, mem); /* the SSL owns it from here */
    int ok = SSL_new_session_ticket(ssl) == 1 && SSL_do_handshake(ssl) == 1;
    ERR_clear_error();
    char *p = NULL;
    long n = BIO_get_mem_data(mem, &p);
    /* Whatever is not kept is never sent: the client then sees no ticket, and our numbering
     * stays where it was. */
    if (!ok || k->spoiled || k->wr == before || n <= 0 || (t->ahead = ra_malloc((size_t)n)) == NULL)
        return -EIO;
    memcpy(t->ahead, p, (size_t)n);
    t->ahead_len = (size_t)n;
    t->wr.seq += k->wr - before;
    return 0;
}
