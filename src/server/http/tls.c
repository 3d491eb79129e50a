/* SPDX-License-Identifier: MIT */
/*
 * tls.c: the OpenSSL context of the h2o adapter. The certificate and key are loaded into it
 * before the server starts, so that a bad file is reported as such, and precisely, rather than
 * as a failure to listen or a failed handshake.
 */
#include "http/engine.h"

#include "common/log.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

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

/* Protocol versions, groups, ciphers and modes: what every context of the server uses. */
static int
set_policy(SSL_CTX *ctx)
{
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1 ||
        SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1)
        return -EINVAL;
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_NO_RENEGOTIATION);
    /* An idle connection keeps no read or write buffer. */
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    /* Resumption by tickets only: a server-side cache would keep every session (a few KiB
     * each) for its lifetime. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    h2o_ssl_register_alpn_protocols(ctx, alpn_protocols);
    return 0;
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
