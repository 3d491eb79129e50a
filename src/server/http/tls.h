/* SPDX-License-Identifier: MIT */
/*
 * tls.h: loading and checking the TLS certificate and key before the engine starts.
 */
#ifndef RA_SERVER_HTTP_TLS_H
#define RA_SERVER_HTTP_TLS_H

#include "config.h"

/*
 * Read --tls-cert and --tls-key (both or neither) into new NUL-terminated strings and check
 * that they are a PEM certificate chain and a PEM private key that belong together, so that a
 * bad file is reported as such rather than as a failure to listen. With neither, *cert and
 * *key stay NULL. Returns 0 or a negative code after logging which file is wrong and why
 * (never any of the key's content). The key string holds a secret: free it with
 * ra_free_secret.
 */
int tls_load(const struct config *cfg, char **cert, char **key);

#endif
