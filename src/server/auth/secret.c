/* SPDX-License-Identifier: MIT */
/*
 * secret.c: server key file, keyed hashing of customer secrets, credential file.
 */
#include "auth/secret.h"

#include "common/alloc.h"
#include "common/rand.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write all n bytes to fd. Returns 0 or -errno. */
static int
write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int
secret_key_create(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == EEXIST ? 0 : -errno;
    unsigned char key[SECRET_KEY_LEN];
    randombytes_buf(key, sizeof(key));
    int rc = write_all(fd, key, sizeof(key));
    ra_wipe(key, sizeof(key));
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    close(fd);
    if (rc < 0)
        unlink(path);
    return rc;
}

int
secret_key_load(const char *path, unsigned char key[SECRET_KEY_LEN])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) < 0)
        rc = -errno;
    else if (st.st_size != SECRET_KEY_LEN)
        rc = -EINVAL;
    else if ((st.st_mode & 077) != 0)
        rc = -EPERM;
    else if (read(fd, key, SECRET_KEY_LEN) != SECRET_KEY_LEN)
        rc = -EIO;
    close(fd);
    if (rc < 0)
        ra_wipe(key, SECRET_KEY_LEN);
    return rc;
}

void
secret_hasher_init(struct secret_hasher *h, const unsigned char key[SECRET_KEY_LEN])
{
    static const unsigned char personal[crypto_generichash_blake2b_PERSONALBYTES] =
        "restauth-cred-1";
    crypto_generichash_blake2b_init_salt_personal(&h->keyed, key, SECRET_KEY_LEN, SECRET_HASH_LEN,
                                                  NULL, personal);
}

void
secret_hasher_wipe(struct secret_hasher *h)
{
    ra_wipe(h, sizeof(*h));
}

void
secret_hash(const struct secret_hasher *h, const char *id, size_t id_len, const char *secret,
            size_t secret_len, unsigned char out[SECRET_HASH_LEN])
{
    static const unsigned char zero = 0;
    crypto_generichash_blake2b_state st = h->keyed;
    crypto_generichash_blake2b_update(&st, (const unsigned char *)id, id_len);
    crypto_generichash_blake2b_update(&st, &zero, 1);
    crypto_generichash_blake2b_update(&st, (const unsigned char *)secret, secret_len);
    crypto_generichash_blake2b_final(&st, out, SECRET_HASH_LEN);
    ra_wipe(&st, sizeof(st));
}

void
secret_generate(char *id, char *secret)
{
    ra_rand_hex(id, SECRET_HEX_LEN / 2);
    ra_rand_hex(secret, SECRET_HEX_LEN / 2);
}

long
secret_file_format(char *buf, size_t cap, const char *id, const char *secret)
{
    static const char notice[] =
        "Please keep this file safe. The Customer Secret can be downloaded only once.";
    int n = snprintf(buf, cap, "%s\r\nkey\xef\xbc\x9a%s\r\nsecret\xef\xbc\x9a%s\r\n", notice, id,
                     secret);
    return n > 0 && (size_t)n < cap ? n : -ENOSPC;
}

int
secret_file_write(const char *path, const char *id, const char *secret)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -errno;
    char text[SECRET_FILE_MAX];
    long n = secret_file_format(text, sizeof(text), id, secret);
    int rc = n > 0 ? write_all(fd, text, (size_t)n) : -EINVAL;
    ra_wipe(text, sizeof(text));
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc < 0)
        unlink(path);
    return rc;
}
