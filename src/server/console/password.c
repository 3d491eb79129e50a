/* SPDX-License-Identifier: MIT */
/*
 * password.c: argon2id hashing and checking of console passwords, with a bound on how many
 * hashes run at once, and the --password-file reader of the admin commands.
 */
#include "console/password.h"

#include "common/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

_Static_assert(crypto_pwhash_STRBYTES == STORE_PWHASH_MAX + 1, "argon2id string size");

#define GATE_TRIES 25 /* 25 x 10 ms: how long a check waits for a free slot */

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static pthread_once_t gate_once = PTHREAD_ONCE_INIT;
static char dummy[crypto_pwhash_STRBYTES];
static int gate_limit = 1;
static atomic_int in_flight;

/* Once, on the first sign-in for an unknown account: the hash of a random password, with the
 * same parameters as real ones, for such sign-ins to be checked against. */
static void
make_dummy(void)
{
    char pw[33];
    unsigned char raw[16];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(pw, sizeof(pw), raw, sizeof(raw));
    if (crypto_pwhash_str(dummy, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy[0] = '\0';
    ra_wipe(pw, sizeof(pw));
    ra_wipe(raw, sizeof(raw));
}

/* Once: how many hashes may run at once: half the cores, at least one, so that hashing never
 * takes every request thread. */
static void
size_gate(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    gate_limit = cores > 2 ? (int)(cores / 2) : 1;
}

/* Take a hashing slot, waiting a little for one. 0 or -EBUSY. */
static int
gate_enter(void)
{
    for (int i = 0; i < GATE_TRIES; i++) {
        int n = atomic_load(&in_flight);
        if (n < gate_limit && atomic_compare_exchange_weak(&in_flight, &n, n + 1))
            return 0;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -EBUSY;
}

int
password_hash(const char *pw, size_t len, char out[STORE_PWHASH_MAX + 1])
{
    if (len < PASSWORD_MIN || len > PASSWORD_MAX)
        return -EINVAL;
    if (crypto_pwhash_str(out, pw, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return -ENOMEM;
    return 0;
}

int
password_check(const char *stored, const char *pw, size_t len)
{
    pthread_once(&gate_once, size_gate);
    bool real = stored != NULL && stored[0] != '\0';
    if (!real)
        pthread_once(&dummy_once, make_dummy);
    const char *against = real ? stored : dummy;
    if (against[0] == '\0' || len > PASSWORD_MAX)
        return -EACCES;
    if (gate_enter() < 0)
        return -EBUSY;
    int rc = crypto_pwhash_str_verify(against, pw, len);
    atomic_fetch_sub(&in_flight, 1);
    return rc == 0 && real ? 0 : -EACCES;
}

int
password_read_file(const char *path, char *buf, size_t cap, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            ra_wipe(buf, cap);
            return -e;
        }
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    char *nl = memchr(buf, '\n', n);
    size_t line = nl != NULL ? (size_t)(nl - buf) : n;
    if (line > 0 && buf[line - 1] == '\r')
        line--;
    bool has_nul = memchr(buf, '\0', line) != NULL;
    ra_wipe(buf + line, cap - line);
    if (has_nul || line < PASSWORD_MIN || line > PASSWORD_MAX) {
        ra_wipe(buf, cap);
        return -EINVAL;
    }
    *len = line;
    return 0;
}
