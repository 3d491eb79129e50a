/* SPDX-License-Identifier: MIT */
/*
 * secret.h: the server key, the keyed hash of customer secrets, and the once-only
 * key_and_secret.txt file.
 *
 * The database holds only a keyed BLAKE2b-256 hash of (customer id || 0 || secret), keyed with
 * the server key and personalised for this use; the server key lives in its own file (mode
 * 0600), outside the database, so a copy of the database alone does not let anyone test
 * guesses. Secrets are 128-bit random values, so a fast keyed hash is the right tool; a slow
 * password KDF would only make every request an easy CPU denial of service.
 */
#ifndef RA_SERVER_AUTH_SECRET_H
#define RA_SERVER_AUTH_SECRET_H

#include <sodium.h>
#include <stddef.h>

#define SECRET_KEY_LEN 32
#define SECRET_HASH_LEN 32
#define SECRET_HEX_LEN 32 /* customer id and secret: 16 random bytes as lowercase hex */

/* Create the key file with 32 random bytes, mode 0600, if it does not exist. 0 or -errno. */
int secret_key_create(const char *path);
/* Load the key; refuses a file that is not exactly 32 bytes or is readable by others. */
int secret_key_load(const char *path, unsigned char key[SECRET_KEY_LEN]);

/* The hash state after absorbing the key, computed once and copied for every hash. */
struct secret_hasher {
    crypto_generichash_blake2b_state keyed;
};

void secret_hasher_init(struct secret_hasher *h, const unsigned char key[SECRET_KEY_LEN]);
void secret_hasher_wipe(struct secret_hasher *h);

/* out = keyed hash of the pair (the id binds the hash to its row). Thread-safe: h is only
 * read. */
void secret_hash(const struct secret_hasher *h, const char *id, size_t id_len, const char *secret,
                 size_t secret_len, unsigned char out[SECRET_HASH_LEN]);

/* A new pair of 32 lowercase hex characters each (buffers of SECRET_HEX_LEN + 1). */
void secret_generate(char *id, char *secret);

/* Room for the key_and_secret.txt text. */
#define SECRET_FILE_MAX 512

/*
 * Format the key_and_secret.txt text (described below) into buf (cap bytes, NUL-terminated).
 * Returns its length, or -ENOSPC. The console's download and secret_file_write share it.
 */
long secret_file_format(char *buf, size_t cap, const char *id, const char *secret);

/*
 * Write the Agora Console key_and_secret.txt layout to a NEW file at path (O_EXCL, mode
 * 0600, fsynced): a notice line, then "key：ID" and "secret：SECRET" (fullwidth colon U+FF1A),
 * each line ending in CRLF. -EEXIST if the file exists; the file is removed on a write error.
 */
int secret_file_write(const char *path, const char *id, const char *secret);

#endif
