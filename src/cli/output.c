/* SPDX-License-Identifier: MIT */
/*
 * output.c: what restauth prints on stdout.
 *
 * JSON (the default) has the shape of the API's own answers: {"projects":[...]} with the list
 * field order, {"project":{...}} with the single-object order, {"success":true} for a delete.
 * The table form is for people: server-supplied text is printed with control characters
 * replaced, so a project name cannot drive the terminal.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Add k: v to o, noting a failure (v NULL or no memory) in *ok. */
static void
put(json_t *o, const char *k, json_t *v, bool *ok)
{
    if (v == NULL || json_object_set_new(o, k, v) != 0)
        *ok = false;
}

/* A project as a JSON object in the field order of a list (or of a single object). */
static json_t *
project_json(const struct ra_project *p, bool list_order, bool *ok)
{
    json_t *o = json_object();
    if (o == NULL) {
        *ok = false;
        return NULL;
    }
    put(o, "id", json_string(p->id), ok);
    put(o, "name", json_string(p->name), ok);
    if (list_order)
        put(o, "sign_key", json_string(p->sign_key), ok);
    put(o, "vendor_key", json_string(p->vendor_key), ok);
    if (!list_order)
        put(o, "sign_key", json_string(p->sign_key), ok);
    put(o, "recording_server", p->recording_server ? json_string(p->recording_server) : json_null(),
        ok);
    put(o, "status", json_integer(p->status), ok);
    put(o, "created", json_integer(p->created), ok);
    return o;
}

/* Print a JSON document and a newline on stdout; takes the reference. */
static enum cli_exit
emit(json_t *root, bool ok)
{
    int rc = -1;
    if (ok && root != NULL)
        rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (rc != 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
        cli_err("cannot write the output");
        return CLI_FAILURE;
    }
    return CLI_OK;
}

/*
 * Count the terminal columns of s, treating each UTF-8 sequence as one column, and, when
 * `print`, write s with control characters (C0, DEL, C1) replaced by '?'.
 */
static size_t
text(const char *s, bool print)
{
    size_t cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int out = *p;
        if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            out = '?';
            p++;
        } else if (*p < 0x20 || *p == 0x7f) {
            out = '?';
        }
        if (print)
            fputc(out, stdout);
        if ((out & 0xc0) != 0x80)
            cols++; /* a continuation byte adds no column */
    }
    return cols;
}

static size_t
put_text(const char *s)
{
    return text(s, true);
}

static size_t
text_cols(const char *s)
{
    return text(s, false);
}

static void
format_time(long long t, char *out, size_t outlen)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, outlen, "%lld", t);
}

enum { NCOLS = 7 };

/* The cells of one table row (pointers into p or into the caller's `created` buffer). */
static void
row_cells(const struct ra_project *p, const char *cells[NCOLS], char *created, size_t clen)
{
    format_time(p->created, created, clen);
    cells[0] = p->id;
    cells[1] = p->name;
    cells[2] = p->status == 1 ? "enabled" : p->status == 0 ? "disabled" : "unknown";
    cells[3] = p->vendor_key;
    cells[4] = p->sign_key[0] ? "enabled" : "disabled";
    cells[5] = p->recording_server ? p->recording_server : "-";
    cells[6] = created;
}

static void
print_row(const char *const cells[NCOLS], const size_t width[NCOLS])
{
    for (int i = 0; i < NCOLS; i++) {
        size_t used = put_text(cells[i]);
        if (i + 1 < NCOLS)
            for (size_t k = used; k < width[i] + 2; k++)
                fputc(' ', stdout);
    }
    fputc('\n', stdout);
}

static enum cli_exit
table_list(const struct ra_projects *l)
{
    static const char *const head[NCOLS] = {
        "ID", "NAME", "STATUS", "APP ID", "CERTIFICATE", "RECORDING SERVER", "CREATED"};
    size_t width[NCOLS];
    const char *cells[NCOLS];
    char created[32];
    if (l->count == 0)
        fputs("no projects\n", stdout);
    for (int i = 0; i < NCOLS && l->count > 0; i++)
        width[i] = strlen(head[i]);
    for (size_t r = 0; r < l->count; r++) {
        row_cells(&l->items[r], cells, created, sizeof(created));
        for (int i = 0; i < NCOLS; i++)
            if (text_cols(cells[i]) > width[i])
                width[i] = text_cols(cells[i]);
    }
    if (l->count > 0)
        print_row(head, width);
    for (size_t r = 0; r < l->count; r++) {
        row_cells(&l->items[r], cells, created, sizeof(created));
        print_row(cells, width);
    }
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
}

static enum cli_exit
table_single(const struct ra_project *p)
{
    char created[32];
    format_time(p->created, created, sizeof(created));
    const char *labels[] = {"id",     "name",   "app id", "app certificate", "recording server",
                            "status", "created"};
    const char *values[] = {p->id,
                            p->name,
                            p->vendor_key,
                            p->sign_key[0] ? p->sign_key : "(disabled)",
                            p->recording_server ? p->recording_server : "-",
                            p->status == 1 ? "enabled" : "disabled",
                            created};
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        printf("%-18s", labels[i]);
        put_text(values[i]);
        fputc('\n', stdout);
    }
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
}

enum cli_exit
out_project(const struct ra_project *p, bool table)
{
    if (table)
        return table_single(p);
    bool ok = true;
    json_t *root = json_object();
    if (root == NULL)
        ok = false;
    else
        put(root, "project", project_json(p, false, &ok), &ok);
    return emit(root, ok);
}

enum cli_exit
out_projects(const struct ra_projects *l, bool table)
{
    if (table)
        return table_list(l);
    bool ok = true;
    json_t *root = json_object();
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < l->count; i++)
        if (json_array_append_new(arr, project_json(&l->items[i], true, &ok)) != 0)
            ok = false;
    if (root == NULL) {
        json_decref(arr);
        ok = false;
    } else {
        put(root, "projects", arr, &ok);
    }
    return emit(root, ok);
}

enum cli_exit
out_deleted(const char *id, bool table)
{
    if (table) {
        fputs("deleted project ", stdout);
        put_text(id);
        fputc('\n', stdout);
        return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
    }
    bool ok = true;
    json_t *root = json_object();
    if (root == NULL)
        ok = false;
    else
        put(root, "success", json_true(), &ok);
    return emit(root, ok);
}

enum cli_exit
out_raw(const char *body, size_t len)
{
    if (len > 0 && fwrite(body, 1, len, stdout) != len)
        return CLI_FAILURE;
    if ((len == 0 || body[len - 1] != '\n') && fputc('\n', stdout) == EOF)
        return CLI_FAILURE;
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
}

/* A pair as a JSON object in the API's field order. */
static json_t *
credential_json(const struct ra_credential *k, bool *ok)
{
    json_t *o = json_object(), *usage = json_object(), *days = json_array();
    if (o == NULL || usage == NULL || days == NULL) {
        json_decref(o);
        json_decref(usage);
        json_decref(days);
        *ok = false;
        return NULL;
    }
    put(o, "customer_id", json_string(k->customer_id), ok);
    put(o, "status", json_string(k->status), ok);
    put(o, "created_at", json_integer(k->created_at), ok);
    put(o, "expires_at", k->expires_at ? json_integer(k->expires_at) : json_null(), ok);
    put(o, "last_used_at", k->last_used_at ? json_integer(k->last_used_at) : json_null(), ok);
    for (size_t d = 0; d < RA_USAGE_DAYS; d++)
        if (json_array_append_new(days, json_integer(k->usage_days[d])) != 0)
            *ok = false;
    put(usage, "days", days, ok);
    put(usage, "first_day", json_string(k->usage_first_day), ok);
    put(usage, "total", json_integer(k->usage_total), ok);
    put(o, "usage", usage, ok);
    return o;
}

enum cli_exit
out_credentials(const struct ra_credentials *l, bool table)
{
    if (table) {
        printf("%-32s  %-8s  %-20s  %-20s  %s\n", "CUSTOMER_ID", "STATUS", "EXPIRES", "LAST_USED",
               "LAST_30D");
        for (size_t i = 0; i < l->count; i++) {
            const struct ra_credential *k = &l->items[i];
            char expires[32] = "never", used[32] = "never";
            if (k->expires_at)
                format_time(k->expires_at, expires, sizeof(expires));
            if (k->last_used_at)
                format_time(k->last_used_at, used, sizeof(used));
            put_text(k->customer_id);
            fputs("  ", stdout);
            put_text(k->status);
            printf("%*s  %-20s  %-20s  %lld\n", (int)(8 - text_cols(k->status)), "", expires, used,
                   k->usage_total);
        }
        return fflush(stdout) == 0 ? CLI_OK : CLI_FAILURE;
    }
    bool ok = true;
    json_t *root = json_object();
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < l->count; i++)
        if (json_array_append_new(arr, credential_json(&l->items[i], &ok)) != 0)
            ok = false;
    if (root == NULL) {
        json_decref(arr);
        ok = false;
    } else {
        put(root, "credentials", arr, &ok);
    }
    return emit(root, ok);
}
