/* SPDX-License-Identifier: MIT */
/*
 * tls.c: the OpenSSL context of the h2o adapter. The certificate and key are loaded into it
 * before the server starts, so that a bad file is reported as such, and precisely, rather than
 * as a failure to listen or a failed handshake.
 */
#include "http/engine.h"

#include "common/log.h"
#include "http/tls13.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Whether socket_ssl reaches the SSL of a socket, so that tls_handoff can take connections
 * (and have their session tickets go out with the first reply). */
#if H2O_VERSION_MAJOR == 2 && H2O_VERSION_MINOR == 2
#define HANDOFF 1
#else
#define HANDOFF 0
#endif

/* ALPN, in the server's order of preference; the list ends with an empty entry. */
static const h2o_iovec_t alpn_protocols[] = {{(char *)"h2", 2}, {(char *)"http/1.1", 8}, {NULL, 0}};

/* 0 when `path` can be opened for reading, else -EIO after logging it. */
static int
readable(const char *path)
{
    FILE *f = fopen(path, "rbe");
    if (f == NULL) {
        ra_log(RA_LOG_ERR, "cannot read %s", path);
        return -EIO;
    }
    fclose(f);
    return 0;
}

/* Log why the pair cannot be used, from OpenSSL's error queue (which is then cleared). */
static void
log_pair_error(const struct config *cfg)
{
    unsigned long e = ERR_peek_last_error();
    char why[256];
    ERR_error_string_n(e, why, sizeof(why));
    ERR_clear_error();
    if (ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH)
        ra_log(RA_LOG_ERR, "--tls-key %s does not belong to the certificate in --tls-cert %s",
               cfg->tls_key, cfg->tls_cert);
    else
        ra_log(RA_LOG_ERR,
               "cannot use --tls-cert %s with --tls-key %s: expected a PEM certificate chain "
               "and a PEM private key (%s)",
               cfg->tls_cert, cfg->tls_key, why);
}

/*
 * Protocol versions, groups, ciphers and modes: what every context of the server uses. AES-128-GCM
 * comes first in the server's order (the 128-bit level of its P-256 and X25519 keys): with SHA-256
 * for the handshake's hashes it costs less than AES-256-GCM with SHA-384, in the handshake and on
 * every record.
 */
static int
set_policy(SSL_CTX *ctx)
{
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1 ||
        SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM+AES128:ECDHE+AESGCM:ECDHE+CHACHA20") != 1 ||
        SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                                      "TLS_CHACHA20_POLY1305_SHA256") != 1)
        return -EINVAL;
    /* OpenSSL wipes what it decrypted once it has handed it over: requests carry the
     * Authorization field (every request of a connection OpenSSL keeps, and the first of one
     * whose records are taken after the handshake). */
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_NO_RENEGOTIATION | SSL_OP_CLEANSE_PLAINTEXT);
    /* An idle connection keeps no read or write buffer; the chain sent is the one in the file
     * (OpenSSL would otherwise try to build one from its store on every handshake). */
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_NO_AUTO_CHAIN);
    /* Resumption by tickets only: a server-side cache would keep every session (a few KiB
     * each) for its lifetime. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    /* One TLS 1.3 ticket per handshake, not OpenSSL's two: enough for a client that reconnects
     * one connection at a time (a resumed handshake gets the next), and each ticket costs a
     * session encoded and sealed on every new connection. */
    SSL_CTX_set_num_tickets(ctx, 1);
    h2o_ssl_register_alpn_protocols(ctx, alpn_protocols);
    /* What an HTTP/1.1 connection needs to keep its TLS 1.3 records after the handshake. */
    return tls13_capture_install(ctx, HANDOFF);
}

int
tls_context(const struct config *cfg, SSL_CTX **out)
{
    *out = NULL;
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
        ra_log(RA_LOG_ERR, "--tls-cert and --tls-key go together");
        return -EINVAL;
    }
    if (cfg->tls_cert == NULL)
        return 0;
    int rc = readable(cfg->tls_cert);
    if (rc < 0 || (rc = readable(cfg->tls_key)) < 0)
        return rc;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL)
        return -ENOMEM;
    if (set_policy(ctx) < 0) {
        ra_log(RA_LOG_ERR, "cannot set up TLS");
        SSL_CTX_free(ctx);
        return -EINVAL;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        log_pair_error(cfg);
        SSL_CTX_free(ctx);
        return -EINVAL;
    }
    *out = ctx;
    return 0;
}

/*
 * The SSL of a server socket of h2o 2.2.5, whose private TLS state begins with its SSL_CTX
 * and its SSL; NULL with any other version of the library (the connection then stays with
 * OpenSSL).
 */
static SSL *
socket_ssl(h2o_socket_t *sock)
{
#if HANDOFF
    struct ssl_head {
        SSL_CTX *ctx;
        SSL *ssl;
    } *head = (struct ssl_head *)sock->ssl;
    if (head != NULL && head->ssl != NULL && SSL_get_SSL_CTX(head->ssl) == head->ctx)
        return head->ssl;
#else
    (void)sock;
#endif
    return NULL;
}

int
tls_handoff(h2o_loop_t *loop, struct tls13_ciphers *c, h2o_socket_t **sock, struct tls13 **rec,
            h2o_buffer_t **opened)
{
    SSL *ssl = socket_ssl(*sock);
    struct tls13 *t;
    if (ssl == NULL || c->ctx[0] == NULL || tls13_take(ssl, c, &t) < 0)
        return 0;
    int fd = h2o_socket_get_fd(*sock), spare = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (spare < 0) { /* no descriptor to close in the SSL's place: it stays, untouched */
        tls13_free(t);
        return 0;
    }
    tls13_ticket(ssl, t); /* the SSL writes to memory from here; without a ticket, the client
                           * resumes no session: not fatal */
    h2o_socket_export_t info;
    if (h2o_socket_export(*sock, &info) < 0) { /* the socket is gone */
        close(spare);
        tls13_free(t);
        return -EIO;
    }
    /* What OpenSSL opened already is the start of the request; the SSL goes (with no alert:
     * the connection goes on) and the descriptor is served again as a plain socket. */
    h2o_buffer_t *input = info.input;
    h2o_buffer_init(&info.input, &h2o_socket_buffer_prototype);
    info.fd = spare;
    h2o_socket_dispose_export(&info);
    h2o_socket_export_t plain = {.fd = fd, .ssl = NULL};
    h2o_buffer_init(&plain.input, &h2o_socket_buffer_prototype);
    *sock = h2o_socket_import(loop, &plain);
    h2o_buffer_set_prototype(&input, &h2o_socket_buffer_prototype);
    *opened = input;
    *rec = t;
    return 1;
}

int
tls_share_ticket_keys(SSL_CTX *from, SSL_CTX *to)
{
    unsigned char keys[80]; /* OpenSSL's: key name, HMAC key, AES key */
    int ok = SSL_CTX_get_tlsext_ticket_keys(from, keys, sizeof(keys)) == 1 &&
             SSL_CTX_set_tlsext_ticket_keys(to, keys, sizeof(keys)) == 1;
    OPENSSL_cleanse(keys, sizeof(keys));
    return ok ? 0 : -EINVAL;
}
