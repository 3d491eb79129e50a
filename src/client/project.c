/* SPDX-License-Identifier: MIT */
/*
 * project.c: the typed calls, one per project endpoint.
 *
 * Each call checks its arguments, writes the JSON body in the documented field order, runs
 * the request through ra__perform() (marking whether it is safe to repeat) and decodes the
 * answer. A 2xx answer that does not decode is RA_EPROTOCOL.
 */
#include "client_internal.h"

#include "common/alloc.h"
#include "common/buf.h"
#include "common/jsonw.h"
#include "decode.h"

#include <stdio.h>
#include <string.h>

#define MAX_ARG_LEN 4096
#define MAX_BODY_LEN (4 * MAX_ARG_LEN)

/* Is s (len bytes) well-formed UTF-8 without NUL or overlong forms or surrogates? */
static bool
utf8_ok(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char b = s[i];
        size_t n = b < 0x80 ? 0 : (b >> 5) == 6 ? 1 : (b >> 4) == 14 ? 2 : (b >> 3) == 30 ? 3 : 9;
        if (b == 0 || n == 9 || n > len - i - 1 || (n == 1 && b < 0xc2) || b > 0xf4)
            return false;
        unsigned long cp = n == 0 ? b : b & (0x3f >> n);
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        i += n + 1;
    }
    return true;
}

/* Check a string argument: present, 1..MAX_ARG_LEN bytes of UTF-8. */
static enum ra_err
check_arg(struct ra_client *c, const char *s, const char *what)
{
    size_t n = s ? strlen(s) : 0;
    if (s == NULL || n == 0 || n > MAX_ARG_LEN || !utf8_ok((const unsigned char *)s, n))
        return ra__fail(c, RA_EINVAL, "the %s must be 1-%d bytes of UTF-8", what, MAX_ARG_LEN);
    return RA_OK;
}

/* Start a body `{"<key>":"<value>"` (the caller adds fields and the closing brace). */
static void
body_start(struct ra_buf *b, const char *key, const char *value)
{
    ra_buf_init(b, MAX_BODY_LEN);
    ra_buf_putc(b, '{');
    ra_jsonw_key(b, key);
    ra_jsonw_str(b, value, strlen(value));
}

/*
 * The common start of a call with a JSON body: clear *out (when given), check the handle and
 * the leading argument, and open the body with `"key":value`. Returns RA_OK or the error
 * (the body is then not opened).
 */
static enum ra_err
begin(struct ra_client *c, struct ra_buf *b, const char *key, const char *value, const char *what,
      struct ra_project **out)
{
    if (out != NULL)
        *out = NULL;
    if (c == NULL)
        return RA_EINVAL;
    enum ra_err e = check_arg(c, value, what);
    if (e == RA_OK)
        body_start(b, key, value);
    return e;
}

/* Send a JSON body; the caller decodes rs. The body buffer is always cleaned up. */
static enum ra_err
send_body(struct ra_client *c, const char *method, const char *path, struct ra_buf *b,
          bool repeatable, struct ra__resp *rs)
{
    ra_buf_putc(b, '}');
    if (b->failed) {
        ra_buf_cleanup(b);
        memset(rs, 0, sizeof(*rs));
        return ra__fail(c, RA_ENOMEM, "out of memory");
    }
    struct ra__req rq = {.method = method,
                         .path = path,
                         .body = b->data,
                         .body_len = b->len,
                         .repeatable = repeatable};
    enum ra_err e = ra__perform(c, &rq, rs);
    ra_buf_cleanup(b);
    return e;
}

/* Turn a decoder failure into the handle's message. */
static enum ra_err
bad_response(struct ra_client *c, enum ra_err e, const char *why)
{
    if (e == RA_ENOMEM)
        return ra__fail(c, e, "out of memory");
    return ra__fail(c, e, "unexpected response from %s: %s",
                    c->last_host ? c->last_host : "the server", why);
}

/* Send a body and decode a {"project":{...}} answer into *out (if out is not NULL). */
static enum ra_err
single(struct ra_client *c, const char *path, struct ra_buf *b, bool repeatable,
       struct ra_project **out)
{
    struct ra__resp rs;
    struct ra_project *p = NULL;
    char why[200];
    enum ra_err e = send_body(c, "POST", path, b, repeatable, &rs);
    if (e == RA_OK) {
        e = ra__decode_project(rs.body, rs.len, &p, why, sizeof(why));
        if (e != RA_OK)
            bad_response(c, e, why);
    }
    ra_free(rs.body);
    if (out != NULL)
        *out = p;
    else
        ra_project_free(p);
    return e;
}

enum ra_err
ra_project_create(struct ra_client *c, const char *name, bool enable_sign_key,
                  struct ra_project **out)
{
    struct ra_buf b;
    enum ra_err e = begin(c, &b, "name", name, "project name", out);
    if (e != RA_OK)
        return e;
    ra_buf_printf(&b, ",\"enable_sign_key\":%s", enable_sign_key ? "true" : "false");
    return single(c, "/dev/v1/project", &b, false, out);
}

enum ra_err
ra_project_set_status(struct ra_client *c, const char *id, bool enabled, struct ra_project **out)
{
    struct ra_buf b;
    enum ra_err e = begin(c, &b, "id", id, "project id", out);
    if (e != RA_OK)
        return e;
    ra_buf_printf(&b, ",\"status\":%d", enabled ? 1 : 0);
    return single(c, "/dev/v1/project_status", &b, true, out);
}

enum ra_err
ra_project_set_recording_server(struct ra_client *c, const char *id, const char *recording_server,
                                struct ra_project **out)
{
    struct ra_buf b;
    if (out != NULL)
        *out = NULL;
    if (c == NULL)
        return RA_EINVAL;
    enum ra_err e = check_arg(c, id, "project id");
    if (e == RA_OK)
        e = check_arg(c, recording_server, "recording server");
    if (e != RA_OK)
        return e;
    body_start(&b, "id", id);
    ra_buf_putc(&b, ',');
    ra_jsonw_key(&b, "recording_server");
    ra_jsonw_str(&b, recording_server, strlen(recording_server));
    return single(c, "/dev/v1/recording_config", &b, true, out);
}

enum ra_err
ra_project_set_sign_key(struct ra_client *c, const char *id, bool enable, struct ra_project **out)
{
    struct ra_buf b;
    enum ra_err e = begin(c, &b, "id", id, "project id", out);
    if (e != RA_OK)
        return e;
    ra_buf_printf(&b, ",\"enable\":%s", enable ? "true" : "false");
    return single(c, "/dev/v1/signkey", &b, true, out);
}

enum ra_err
ra_project_reset_sign_key(struct ra_client *c, const char *id, struct ra_project **out)
{
    struct ra_buf b;
    enum ra_err e = begin(c, &b, "id", id, "project id", out);
    if (e != RA_OK)
        return e;
    return single(c, "/dev/v1/reset_signkey", &b, false, out);
}

enum ra_err
ra_project_delete(struct ra_client *c, const char *id)
{
    struct ra_buf b;
    struct ra__resp rs;
    char why[200];
    if (c == NULL)
        return RA_EINVAL;
    enum ra_err e = check_arg(c, id, "project id");
    if (e != RA_OK)
        return e;
    body_start(&b, "id", id);
    e = send_body(c, "DELETE", "/dev/v1/project", &b, false, &rs);
    if (e == RA_OK) {
        e = ra__decode_success(rs.body, rs.len, why, sizeof(why));
        if (e != RA_OK)
            bad_response(c, e, why);
    }
    ra_free(rs.body);
    return e;
}

/* GET `path` and decode a {"projects":[...]} answer into *out (if out is not NULL). */
static enum ra_err
get_list(struct ra_client *c, const char *path, struct ra_projects **out)
{
    struct ra__req rq = {.method = "GET", .path = path, .repeatable = true};
    struct ra__resp rs;
    struct ra_projects *list = NULL;
    char why[200];
    enum ra_err e = ra__perform(c, &rq, &rs);
    if (e == RA_OK) {
        e = ra__decode_projects(rs.body, rs.len, &list, why, sizeof(why));
        if (e != RA_OK)
            bad_response(c, e, why);
    }
    ra_free(rs.body);
    if (out != NULL)
        *out = list;
    else
        ra_projects_free(list);
    return e;
}

enum ra_err
ra_project_list(struct ra_client *c, struct ra_projects **out)
{
    if (out != NULL)
        *out = NULL;
    if (c == NULL)
        return RA_EINVAL;
    return get_list(c, "/dev/v1/projects", out);
}

/* Append `&key=value` (or `?key=value` first) with the value URL-encoded. */
static enum ra_err
query_param(struct ra_client *c, struct ra_buf *b, const char *key, const char *value)
{
    if (b->failed)
        return RA_ENOMEM;
    char *esc = curl_easy_escape(c->curl, value, (int)strlen(value));
    if (esc == NULL)
        return RA_ENOMEM;
    ra_buf_printf(b, "%c%s=%s", strchr(b->data, '?') ? '&' : '?', key, esc);
    curl_free(esc);
    return RA_OK;
}

enum ra_err
ra_project_get(struct ra_client *c, const char *id, const char *name, struct ra_projects **out)
{
    struct ra_buf path;
    enum ra_err e = RA_OK;
    if (out != NULL)
        *out = NULL;
    if (c == NULL)
        return RA_EINVAL;
    if (id == NULL && name == NULL)
        return ra__fail(c, RA_EINVAL, "a project id or name is needed");
    if (id != NULL)
        e = check_arg(c, id, "project id");
    if (e == RA_OK && name != NULL)
        e = check_arg(c, name, "project name");
    if (e != RA_OK)
        return e;
    ra_buf_init(&path, 8192);
    ra_buf_puts(&path, "/dev/v1/project");
    if (id != NULL)
        e = query_param(c, &path, "id", id);
    if (e == RA_OK && name != NULL)
        e = query_param(c, &path, "name", name);
    if (e != RA_OK || path.failed)
        e = ra__fail(c, RA_ENOMEM, "out of memory");
    else
        e = get_list(c, path.data, out);
    ra_buf_cleanup(&path);
    return e;
}

enum ra_err
ra_client_request(struct ra_client *c, const char *method, const char *path, const char *json_body,
                  long *status, char **body, size_t *body_len)
{
    struct ra__resp rs;
    if (status != NULL)
        *status = 0;
    if (body != NULL)
        *body = NULL;
    if (body_len != NULL)
        *body_len = 0;
    if (c == NULL)
        return RA_EINVAL;
    bool safe = method != NULL && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
    struct ra__req rq = {.method = method,
                         .path = path,
                         .body = json_body,
                         .body_len = json_body ? strlen(json_body) : 0,
                         .repeatable = safe};
    enum ra_err e = ra__perform(c, &rq, &rs);
    if (status != NULL)
        *status = rs.status;
    if (body_len != NULL)
        *body_len = rs.body ? rs.len : 0;
    if (body != NULL)
        *body = rs.body;
    else
        ra_free(rs.body);
    return e;
}
