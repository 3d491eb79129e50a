/* SPDX-License-Identifier: MIT */
/*
 * credfile.c: parsing key_and_secret.txt (the layout of Agora Console's download and of
 * `restauthd secret add --out`) and validating credentials.
 *
 * The parser works in place on the caller's buffer and copies out only the two values, so
 * the only copies of the secret are the caller's buffer (which the caller wipes) and the
 * result. Diagnostics name lines and labels, never values.
 */
#include "credfile.h"

#include "common/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define FULLWIDTH_COLON "\xEF\xBC\x9A" /* U+FF1A in UTF-8 */
#define UTF8_BOM "\xEF\xBB\xBF"

bool
ra__cred_valid(const char *s, size_t len, bool is_id)
{
    if (s == NULL || len == 0 || len > 256)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f || (is_id && ch == ':'))
            return false;
    }
    return true;
}

static bool
is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Which value a line carries. */
enum label { LABEL_NONE, LABEL_ID, LABEL_SECRET };

/*
 * If the line [p, end) is `<label> <colon> <value>`, return the label and set [*v, *vend) to
 * the value with surrounding blanks removed. Otherwise return LABEL_NONE.
 */
static enum label
match_line(const char *p, const char *end, const char **v, const char **vend)
{
    static const struct {
        const char *word;
        enum label label;
    } words[] = {{"customer_secret", LABEL_SECRET},
                 {"customer_id", LABEL_ID},
                 {"secret", LABEL_SECRET},
                 {"key", LABEL_ID}};
    while (p < end && is_blank(*p))
        p++;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t n = strlen(words[i].word);
        if ((size_t)(end - p) < n || strncasecmp(p, words[i].word, n) != 0)
            continue;
        const char *q = p + n;
        while (q < end && is_blank(*q))
            q++;
        if (q < end && *q == ':')
            q++;
        else if ((size_t)(end - q) >= 3 && memcmp(q, FULLWIDTH_COLON, 3) == 0)
            q += 3;
        else
            continue;
        while (q < end && is_blank(*q))
            q++;
        const char *e = end;
        while (e > q && is_blank(e[-1]))
            e--;
        *v = q;
        *vend = e;
        return words[i].label;
    }
    return LABEL_NONE;
}

/* Record the value of one labelled line in *slot; fails on a duplicate or invalid value. */
static enum ra_err
take_value(enum label label, const char *v, const char *vend, char **slot, unsigned line, char *why,
           size_t whylen)
{
    const char *what = label == LABEL_ID ? "key" : "secret";
    size_t n = (size_t)(vend - v);
    if (*slot != NULL) {
        snprintf(why, whylen, "line %u: a second %s line", line, what);
        return RA_ECREDFILE;
    }
    if (!ra__cred_valid(v, n, label == LABEL_ID)) {
        snprintf(why, whylen, "line %u: the %s is empty, too long or has invalid characters", line,
                 what);
        return RA_ECREDFILE;
    }
    *slot = ra_strndup(v, n);
    return *slot ? RA_OK : RA_ENOMEM;
}

enum ra_err
ra__cred_parse(const char *text, size_t len, char **id, char **secret, char *why, size_t whylen)
{
    const char *p = text, *end = text + len;
    enum ra_err e = RA_OK;
    unsigned line = 0;
    *id = *secret = NULL;
    if (len >= 3 && memcmp(p, UTF8_BOM, 3) == 0)
        p += 3;
    while (p < end && e == RA_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        if (eol > p && eol[-1] == '\r')
            eol--;
        line++;
        const char *v, *vend;
        enum label l = match_line(p, eol, &v, &vend);
        if (l != LABEL_NONE)
            e = take_value(l, v, vend, l == LABEL_ID ? id : secret, line, why, whylen);
        p = next;
    }
    if (e == RA_OK && (*id == NULL || *secret == NULL)) {
        snprintf(why, whylen,
                 "no %s line (expected `key：<customer id>` and "
                 "`secret：<customer secret>`)",
                 *id == NULL ? "key" : "secret");
        e = RA_ECREDFILE;
    }
    if (e != RA_OK) {
        ra_free(*id);
        ra_free_secret(*secret, *secret ? strlen(*secret) : 0);
        *id = *secret = NULL;
    }
    return e;
}

/* Write "<what>: <description of errno err>" into why; thread-safe (XSI strerror_r). */
static void
os_error(char *why, size_t whylen, const char *what, int err)
{
    char text[128];
    if (strerror_r(err, text, sizeof(text)) != 0)
        snprintf(text, sizeof(text), "error %d", err);
    snprintf(why, whylen, "%s: %s", what, text);
}

/* Read all of fd (a regular file of at most RA__CRED_FILE_MAX bytes) into *text. */
static enum ra_err
read_all(int fd, char **text, size_t *len, char *why, size_t whylen)
{
    size_t cap = RA__CRED_FILE_MAX + 1, n = 0;
    char *buf = ra_malloc(cap);
    if (buf == NULL)
        return RA_ENOMEM;
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            os_error(why, whylen, "cannot read it", errno);
            ra_free_secret(buf, cap);
            return RA_ECREDFILE;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == cap) {
            snprintf(why, whylen, "it is larger than %d bytes", RA__CRED_FILE_MAX);
            ra_free_secret(buf, cap);
            return RA_ECREDFILE;
        }
    }
    /* Move the text into a buffer of its own size so the caller can wipe exactly *len bytes. */
    char *out = ra_malloc(n + 1);
    if (out != NULL) {
        memcpy(out, buf, n);
        out[n] = '\0';
    }
    ra_free_secret(buf, cap);
    if (out == NULL)
        return RA_ENOMEM;
    *text = out;
    *len = n;
    return RA_OK;
}

enum ra_err
ra__cred_read_file(const char *path, char **text, size_t *len, char *why, size_t whylen)
{
    struct stat st;
    *text = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        os_error(why, whylen, "cannot open it", errno);
        return RA_ECREDFILE;
    }
    enum ra_err e;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "it is not a regular file");
        e = RA_ECREDFILE;
    } else {
        e = read_all(fd, text, len, why, whylen);
    }
    close(fd);
    return e;
}
