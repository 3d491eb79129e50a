/* SPDX-License-Identifier: MIT */
/*
 * tls.c: the certificate and key are loaded into a throwaway GnuTLS credential (the library
 * the engine uses) to find out early, and precisely, what is wrong with them.
 */
#include "http/tls.h"

#include "common/alloc.h"
#include "common/buf.h"
#include "common/log.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>

/* Read a whole PEM file (at most 1 MiB) into a new NUL-terminated string, or NULL. */
static char *
read_pem(const char *path)
{
    FILE *f = fopen(path, "rbe");
    if (f == NULL)
        return NULL;
    struct ra_buf b;
    ra_buf_init(&b, 1024 * 1024);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        ra_buf_append(&b, chunk, n);
    fclose(f);
    ra_wipe(chunk, sizeof(chunk));
    if (b.failed && b.data != NULL)
        ra_wipe(b.data, b.len);
    return ra_buf_steal(&b, NULL);
}

/* Check the pair with GnuTLS; 0 or -EINVAL after logging why. */
static int
check_pair(const struct config *cfg, const char *cert, const char *key)
{
    gnutls_certificate_credentials_t cred;
    if (gnutls_certificate_allocate_credentials(&cred) < 0)
        return -ENOMEM;
    gnutls_datum_t c = {(unsigned char *)cert, (unsigned int)strlen(cert)};
    gnutls_datum_t k = {(unsigned char *)key, (unsigned int)strlen(key)};
    int rc = gnutls_certificate_set_x509_key_mem2(cred, &c, &k, GNUTLS_X509_FMT_PEM, NULL, 0);
    gnutls_certificate_free_credentials(cred);
    if (rc >= 0)
        return 0;
    if (rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
        ra_log(RA_LOG_ERR, "--tls-key %s does not belong to the certificate in --tls-cert %s",
               cfg->tls_key, cfg->tls_cert);
    else if (rc == GNUTLS_E_BASE64_DECODING_ERROR || rc == GNUTLS_E_ASN1_DER_ERROR ||
             rc == GNUTLS_E_PK_INVALID_PRIVKEY || rc == GNUTLS_E_INVALID_REQUEST)
        ra_log(RA_LOG_ERR,
               "cannot use --tls-cert %s with --tls-key %s: expected a PEM certificate chain "
               "and a PEM private key (%s)",
               cfg->tls_cert, cfg->tls_key, gnutls_strerror(rc));
    else
        ra_log(RA_LOG_ERR, "cannot use --tls-cert %s with --tls-key %s: %s", cfg->tls_cert,
               cfg->tls_key, gnutls_strerror(rc));
    return -EINVAL;
}

int
tls_load(const struct config *cfg, char **cert, char **key)
{
    *cert = *key = NULL;
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
        ra_log(RA_LOG_ERR, "--tls-cert and --tls-key go together");
        return -EINVAL;
    }
    if (cfg->tls_cert == NULL)
        return 0;
    *cert = read_pem(cfg->tls_cert);
    *key = read_pem(cfg->tls_key);
    if (*cert == NULL || *key == NULL) {
        ra_log(RA_LOG_ERR, "cannot read %s", *cert == NULL ? cfg->tls_cert : cfg->tls_key);
        return -EIO;
    }
    return check_pair(cfg, *cert, *key);
}
