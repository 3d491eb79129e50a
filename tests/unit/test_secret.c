/* SPDX-License-Identifier: MIT */
/*
 * test_secret.c: the server key file, the keyed hash of customer secrets, pair generation and
 * the once-only key_and_secret.txt file (server/auth/secret.c), in a temporary directory that
 * is removed at the end.
 */
#include "auth/secret.h"

#include "common/rand.h"

#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/ra-test-secret-XXXXXX";
#include "tmpdir.h"

/* Create (or replace) a file with exactly these bytes and this mode. */
static void
make_file(const char *path, const void *data, size_t n, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT_TRUE(fd >= 0);
    if (fd < 0)
        return;
    ASSERT_EQ_INT(write(fd, data, n), (long long)n);
    close(fd);
    ASSERT_EQ_INT(chmod(path, mode), 0);
}

/* Read up to cap bytes of a file; returns the count or -1. */
static long
slurp(const char *path, void *out, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    long n = (long)read(fd, out, cap);
    close(fd);
    return n;
}

static bool
is_lower_hex(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static void
test_key_create(void)
{
    char path[PATH_MAX];
    unsigned char first[64], again[64];
    struct stat sb;

    /* A permissive umask must not widen the mode. */
    mode_t old = umask(0);
    ASSERT_EQ_INT(secret_key_create(path_in(path, sizeof(path), "", "k1.key")), 0);
    umask(old);
    ASSERT_EQ_INT(stat(path, &sb), 0);
    ASSERT_TRUE(S_ISREG(sb.st_mode));
    ASSERT_EQ_INT(sb.st_mode & 07777, 0600);
    ASSERT_EQ_INT(sb.st_size, SECRET_KEY_LEN);
    ASSERT_EQ_INT(slurp(path, first, sizeof(first)), SECRET_KEY_LEN);

    /* An existing key file is kept as it is. */
    ASSERT_EQ_INT(secret_key_create(path), 0);
    ASSERT_EQ_INT(slurp(path, again, sizeof(again)), SECRET_KEY_LEN);
    ASSERT_EQ_MEM(first, again, SECRET_KEY_LEN);

    /* Loading gives those bytes. */
    unsigned char key[SECRET_KEY_LEN];
    memset(key, 0, sizeof(key));
    ASSERT_EQ_INT(secret_key_load(path, key), 0);
    ASSERT_EQ_MEM(key, first, SECRET_KEY_LEN);

    /* Two new files get different random keys (not all zero). */
    ASSERT_EQ_INT(secret_key_create(path_in(path, sizeof(path), "", "k2.key")), 0);
    ASSERT_EQ_INT(slurp(path, again, sizeof(again)), SECRET_KEY_LEN);
    ASSERT_TRUE(memcmp(first, again, SECRET_KEY_LEN) != 0);
    static const unsigned char zero[SECRET_KEY_LEN];
    ASSERT_TRUE(memcmp(first, zero, SECRET_KEY_LEN) != 0);

    /* Even an existing file that is not a valid key is never overwritten. */
    path_in(path, sizeof(path), "", "k3.key");
    make_file(path, "hello", 5, 0644);
    ASSERT_EQ_INT(secret_key_create(path), 0);
    ASSERT_EQ_INT(slurp(path, again, sizeof(again)), 5);
    ASSERT_EQ_MEM(again, "hello", 5);
    ASSERT_EQ_INT(stat(path, &sb), 0);
    ASSERT_EQ_INT(sb.st_mode & 0777, 0644);

    /* A missing directory is an error, not a success. */
    ASSERT_EQ_INT(secret_key_create(path_in(path, sizeof(path), "", "nodir/k.key")), -ENOENT);
}

static void
test_key_load(void)
{
    char path[PATH_MAX];
    unsigned char data[40], key[SECRET_KEY_LEN];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 7 + 1);
    path_in(path, sizeof(path), "", "load.key");

    make_file(path, data, SECRET_KEY_LEN, 0600);
    ASSERT_EQ_INT(secret_key_load(path, key), 0);
    ASSERT_EQ_MEM(key, data, SECRET_KEY_LEN);
    make_file(path, data, SECRET_KEY_LEN, 0400);
    ASSERT_EQ_INT(secret_key_load(path, key), 0);

    /* Readable (or otherwise accessible) by group or others: refused. */
    static const mode_t loose[] = {0640, 0604, 0644, 0660, 0606, 0610, 0601, 0620, 0602, 0666};
    for (size_t i = 0; i < sizeof(loose) / sizeof(loose[0]); i++) {
        make_file(path, data, SECRET_KEY_LEN, loose[i]);
        memset(key, 0, sizeof(key));
        int rc = secret_key_load(path, key);
        if (rc != -EPERM)
            HARNESS_FAIL("mode %04o: secret_key_load = %d, want -EPERM", (unsigned)loose[i], rc);
        harness_checks++;
    }

    /* Wrong sizes: refused. */
    static const size_t sizes[] = {0, 1, 16, 31, 33, 40};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        make_file(path, data, sizes[i], 0600);
        int rc = secret_key_load(path, key);
        if (rc != -EINVAL)
            HARNESS_FAIL("size %zu: secret_key_load = %d, want -EINVAL", sizes[i], rc);
        harness_checks++;
    }

    /* Missing file. */
    ASSERT_EQ_INT(secret_key_load(path_in(path, sizeof(path), "", "absent.key"), key), -ENOENT);
    /* A directory is not a key. */
    ASSERT_TRUE(secret_key_load(tmpdir, key) < 0);
}

static void
fixed_key(unsigned char key[SECRET_KEY_LEN], unsigned char seed)
{
    for (int i = 0; i < SECRET_KEY_LEN; i++)
        key[i] = (unsigned char)(seed + i);
}

/* Hash (id, secret) given as C strings. */
static void
hash_s(const struct secret_hasher *h, const char *id, const char *secret,
       unsigned char out[SECRET_HASH_LEN])
{
    secret_hash(h, id, strlen(id), secret, strlen(secret), out);
}

static void
test_hash(void)
{
    unsigned char k1[SECRET_KEY_LEN], k2[SECRET_KEY_LEN];
    unsigned char a[SECRET_HASH_LEN], b[SECRET_HASH_LEN];
    struct secret_hasher h1, h1b, h2;
    fixed_key(k1, 1);
    fixed_key(k2, 1);
    k2[31] ^= 0x80; /* one bit apart */
    secret_hasher_init(&h1, k1);
    secret_hasher_init(&h1b, k1);
    secret_hasher_init(&h2, k2);

    const char *id = "0123456789abcdef0123456789abcdef";
    const char *sec = "fedcba9876543210fedcba9876543210";

    /* Deterministic, and the hasher is not consumed by use. */
    hash_s(&h1, id, sec, a);
    hash_s(&h1, id, sec, b);
    ASSERT_EQ_MEM(a, b, SECRET_HASH_LEN);
    hash_s(&h1b, id, sec, b);
    ASSERT_EQ_MEM(a, b, SECRET_HASH_LEN);

    /* Another key. */
    hash_s(&h2, id, sec, b);
    ASSERT_TRUE(memcmp(a, b, SECRET_HASH_LEN) != 0);
    /* Another id. */
    hash_s(&h1, "0123456789abcdef0123456789abcdee", sec, b);
    ASSERT_TRUE(memcmp(a, b, SECRET_HASH_LEN) != 0);
    /* Another secret. */
    hash_s(&h1, id, "fedcba9876543210fedcba9876543211", b);
    ASSERT_TRUE(memcmp(a, b, SECRET_HASH_LEN) != 0);
    /* Swapped id and secret. */
    hash_s(&h1, sec, id, b);
    ASSERT_TRUE(memcmp(a, b, SECRET_HASH_LEN) != 0);

    /* The id/secret boundary is part of the input. */
    hash_s(&h1, "ab", "c", a);
    hash_s(&h1, "a", "bc", b);
    ASSERT_TRUE(memcmp(a, b, SECRET_HASH_LEN) != 0);
    hash_s(&h1, "abc", "", b);
    ASSERT_TRUE(memcmp(a, b, SECRET_HASH_LEN) != 0);
    hash_s(&h1, "", "abc", b);
    ASSERT_TRUE(memcmp(a, b, SECRET_HASH_LEN) != 0);

    /* Lengths are honoured: bytes beyond them do not count. */
    secret_hash(&h1, "abXX", 2, "cYY", 1, b);
    ASSERT_EQ_MEM(a, b, SECRET_HASH_LEN);

    /* Pin the construction: BLAKE2b-256 keyed with the server key, personal "restauth-cred-1",
     * over id || 0x00 || secret. Stored hashes depend on it never changing. */
    static const unsigned char personal[crypto_generichash_blake2b_PERSONALBYTES] =
        "restauth-cred-1";
    unsigned char msg[128], ref[SECRET_HASH_LEN];
    size_t n = 0;
    memcpy(msg, id, 32);
    n += 32;
    msg[n++] = 0;
    memcpy(msg + n, sec, 32);
    n += 32;
    ASSERT_EQ_INT(crypto_generichash_blake2b_salt_personal(ref, sizeof(ref), msg, n, k1,
                                                           SECRET_KEY_LEN, NULL, personal),
                  0);
    hash_s(&h1, id, sec, a);
    ASSERT_EQ_MEM(a, ref, SECRET_HASH_LEN);

    /* Wiping clears the state. */
    secret_hasher_wipe(&h2);
    const unsigned char *p = (const unsigned char *)&h2;
    size_t nonzero = 0;
    for (size_t i = 0; i < sizeof(h2); i++)
        nonzero += p[i] != 0;
    ASSERT_EQ_INT(nonzero, 0);
    secret_hasher_wipe(&h1);
    secret_hasher_wipe(&h1b);
}

static void
test_generate(void)
{
    char id1[SECRET_HEX_LEN + 1], s1[SECRET_HEX_LEN + 1];
    char id2[SECRET_HEX_LEN + 1], s2[SECRET_HEX_LEN + 1];
    memset(id1, 'Z', sizeof(id1));
    memset(s1, 'Z', sizeof(s1));
    secret_generate(id1, s1);
    secret_generate(id2, s2);
    ASSERT_TRUE(is_lower_hex(id1, SECRET_HEX_LEN));
    ASSERT_TRUE(is_lower_hex(s1, SECRET_HEX_LEN));
    ASSERT_TRUE(is_lower_hex(id2, SECRET_HEX_LEN));
    ASSERT_TRUE(is_lower_hex(s2, SECRET_HEX_LEN));
    ASSERT_TRUE(strcmp(id1, s1) != 0);
    ASSERT_TRUE(strcmp(id1, id2) != 0);
    ASSERT_TRUE(strcmp(s1, s2) != 0);

    /* Over many pairs every hex digit shows up in both positions (a stuck nibble fails). */
    int seen_hi[16] = {0}, seen_lo[16] = {0};
    for (int i = 0; i < 200; i++) {
        secret_generate(id2, s2);
        for (int k = 0; k < SECRET_HEX_LEN; k += 2) {
            const char *d = "0123456789abcdef";
            const char *hi = strchr(d, s2[k]), *lo = strchr(d, s2[k + 1]);
            if (hi != NULL && lo != NULL) {
                seen_hi[hi - d] = 1;
                seen_lo[lo - d] = 1;
            }
        }
    }
    int all = 1;
    for (int i = 0; i < 16; i++)
        all &= seen_hi[i] & seen_lo[i];
    ASSERT_TRUE(all);
}

static void
test_file_write(void)
{
    char path[PATH_MAX];
    char got[1024];
    struct stat sb;
    const char *id = "0123456789abcdef0123456789abcdef";
    const char *sec = "00112233445566778899aabbccddeeff";
    static const char want[] =
        "Please keep this file safe. The Customer Secret can be downloaded only once.\r\n"
        "key\xef\xbc\x9a"
        "0123456789abcdef0123456789abcdef\r\n"
        "secret\xef\xbc\x9a"
        "00112233445566778899aabbccddeeff\r\n";

    mode_t old = umask(0);
    ASSERT_EQ_INT(secret_file_write(path_in(path, sizeof(path), "", "key_and_secret.txt"), id, sec),
                  0);
    umask(old);
    long n = slurp(path, got, sizeof(got));
    ASSERT_EQ_INT(n, (long)sizeof(want) - 1);
    if (n == (long)sizeof(want) - 1)
        ASSERT_EQ_MEM(got, want, sizeof(want) - 1);
    /* The fullwidth colon, byte by byte, right after "key". */
    size_t off =
        strlen("Please keep this file safe. The Customer Secret can be downloaded only once.\r\n");
    const unsigned char *k = (const unsigned char *)got + off;
    ASSERT_TRUE(n > (long)off + 6 && memcmp(k, "key", 3) == 0 && k[3] == 0xEF && k[4] == 0xBC &&
                k[5] == 0x9A && k[6] == '0');
    /* Exactly three lines, each ending in CRLF, no bare LF. */
    int crlf = 0, bare_lf = 0;
    for (long i = 0; i < n; i++) {
        if (got[i] == '\n') {
            if (i > 0 && got[i - 1] == '\r')
                crlf++;
            else
                bare_lf++;
        }
    }
    ASSERT_EQ_INT(crlf, 3);
    ASSERT_EQ_INT(bare_lf, 0);
    ASSERT_EQ_INT(stat(path, &sb), 0);
    ASSERT_EQ_INT(sb.st_mode & 07777, 0600);

    /* An existing file: -EEXIST and the file untouched. */
    ASSERT_EQ_INT(secret_file_write(path, "ffffffffffffffffffffffffffffffff",
                                    "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"),
                  -EEXIST);
    n = slurp(path, got, sizeof(got));
    ASSERT_EQ_INT(n, (long)sizeof(want) - 1);
    if (n == (long)sizeof(want) - 1)
        ASSERT_EQ_MEM(got, want, sizeof(want) - 1);

    /* Any existing file, whatever it holds. */
    char other[PATH_MAX];
    path_in(other, sizeof(other), "", "existing.txt");
    make_file(other, "keep me", 7, 0644);
    ASSERT_EQ_INT(secret_file_write(other, id, sec), -EEXIST);
    ASSERT_EQ_INT(slurp(other, got, sizeof(got)), 7);
    ASSERT_EQ_MEM(got, "keep me", 7);

    /* A symlink (even a dangling one) is not followed. */
    char link[PATH_MAX], target[PATH_MAX];
    path_in(link, sizeof(link), "", "link.txt");
    path_in(target, sizeof(target), "", "target.txt");
    ASSERT_EQ_INT(symlink(target, link), 0);
    ASSERT_EQ_INT(secret_file_write(link, id, sec), -EEXIST);
    ASSERT_TRUE(access(target, F_OK) != 0);

    /* A missing directory. */
    ASSERT_EQ_INT(secret_file_write(path_in(path, sizeof(path), "", "nodir/f.txt"), id, sec),
                  -ENOENT);
}

int
main(void)
{
    if (ra_rand_init() != 0 || tmpdir_make() < 0) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    RUN(test_key_create);
    RUN(test_key_load);
    RUN(test_hash);
    RUN(test_generate);
    RUN(test_file_write);
    tmpdir_remove();
    return harness_done();
}
