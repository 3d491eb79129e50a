/* SPDX-License-Identifier: MIT */
/*
 * store_pg_query.c: statements of the PostgreSQL backend: parameters, execution, the mapping
 * of SQLSTATE codes onto the store's return codes, transactions and result columns.
 *
 * Results come back as text (bytea in the hex form "\x..", set per connection in
 * store_pg_pool.c); parameters go as text, except bytea, which goes as binary.
 *
 * Log lines name the operation, the SQLSTATE and PostgreSQL's primary message, which names
 * tables, columns and constraints but not the values of parameters (those are in DETAIL,
 * which is never printed).
 */
#include "store/store_pg_priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* Append one parameter. The caller never passes more than STORE_PG_ARGS_MAX. */
static void
arg_add(struct store_pg_args *a, const char *v, int len, int fmt)
{
    if (a->n >= STORE_PG_ARGS_MAX)
        return;
    a->v[a->n] = v;
    a->len[a->n] = len;
    a->fmt[a->n] = fmt;
    a->n++;
}

void
store_pg_arg_text(struct store_pg_args *a, const char *v)
{
    arg_add(a, v, 0, 0);
}

void
store_pg_arg_i64(struct store_pg_args *a, int64_t v)
{
    if (a->n >= STORE_PG_ARGS_MAX)
        return;
    snprintf(a->num[a->n], sizeof(a->num[0]), "%" PRId64, v);
    arg_add(a, a->num[a->n], 0, 0);
}

void
store_pg_arg_bytes(struct store_pg_args *a, const unsigned char *v, size_t n)
{
    arg_add(a, (const char *)v, (int)n, 1);
}

/* The store's code for a failed statement's SQLSTATE (state is "" when unknown). */
static int
code_of(const char *state)
{
    static const struct {
        const char *state; /* a full SQLSTATE, or a two-character class */
        int code;
    } map[] = {
        {"23505", -EEXIST},        /* unique_violation */
        {"23503", -ENOENT},        /* foreign_key_violation: no such account */
        {"40001", STORE_PG_RETRY}, /* serialization_failure */
        {"40P01", STORE_PG_RETRY}, /* deadlock_detected */
        {"57014", -ENOTCONN},      /* query_canceled: statement_timeout, rolled back */
        {"55P03", -ENOTCONN},      /* lock_not_available */
        {"57P01", -ENOTCONN},      /* admin_shutdown */
        {"57P02", -ENOTCONN},      /* crash_shutdown */
        {"57P03", -ENOTCONN},      /* cannot_connect_now */
        {"08", -ENOTCONN},         /* connection_exception */
        {"53", -ENOTCONN},         /* insufficient_resources (too many connections...) */
        {"22021", -EINVAL},        /* character_not_in_repertoire: not UTF-8 */
        {"22P05", -EINVAL},        /* untranslatable_character */
        {"22003", -EINVAL},        /* numeric_value_out_of_range */
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        size_t n = strlen(map[i].state);
        if (strncmp(state, map[i].state, n) == 0)
            return map[i].code;
    }
    return -EIO;
}

/* Map the failure of a statement (r may be NULL) to a store code, logging what is not an
 * expected outcome (a taken name, a missing account, a retry). */
static int
failure(PGconn *c, const PGresult *r, const char *what)
{
    if (r == NULL || PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "restauthd: store: %s: the connection to PostgreSQL was lost\n", what);
        return -ENOTCONN;
    }
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    int code = code_of(state != NULL ? state : "");
    if (code == -EIO || code == -ENOTCONN || code == -EINVAL)
        fprintf(stderr, "restauthd: store: %s: %s (SQLSTATE %s)\n", what,
                msg != NULL ? msg : "error", state != NULL ? state : "?");
    return code;
}

int
store_pg_exec(PGconn *c, const char *sql, const struct store_pg_args *a, PGresult **out,
              const char *what)
{
    static const struct store_pg_args none = {.n = 0};
    if (a == NULL)
        a = &none;
    if (out != NULL)
        *out = NULL;
    PGresult *r = PQexecParams(c, sql, a->n, NULL, a->v, a->len, a->fmt, 0);
    ExecStatusType st = PQresultStatus(r);
    if (r != NULL && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)) {
        if (out != NULL)
            *out = r;
        else
            PQclear(r);
        return 0;
    }
    int rc = failure(c, r, what);
    PQclear(r);
    return rc;
}

int
store_pg_begin(PGconn *c)
{
    return store_pg_exec(c, "BEGIN", NULL, NULL, "begin");
}

/*
 * End the transaction: COMMIT if rc is 0, else ROLLBACK. Returns rc, or the commit's error:
 * a COMMIT whose answer was lost may or may not have taken effect, so it is -EIO (logged),
 * never success and never -ENOTCONN ("nothing was written").
 */
int
store_pg_end(PGconn *c, int rc)
{
    if (rc != 0) {
        if (PQstatus(c) == CONNECTION_OK)
            PQclear(PQexec(c, "ROLLBACK"));
        return rc;
    }
    PGresult *r = PQexec(c, "COMMIT");
    if (r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK &&
        strcmp(PQcmdStatus(r), "COMMIT") == 0) {
        PQclear(r);
        return 0;
    }
    if (r == NULL || PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "restauthd: store: the connection was lost during COMMIT; "
                        "the write may or may not have been saved\n");
        rc = -EIO;
    } else if (PQresultStatus(r) == PGRES_COMMAND_OK) {
        fprintf(stderr, "restauthd: store: COMMIT rolled back an aborted transaction\n");
        rc = -EIO;
    } else {
        rc = failure(c, r, "commit");
        if (rc == -ENOTCONN)
            rc = -EIO;
    }
    PQclear(r);
    return rc;
}

/*
 * Lock the account's row until the end of the transaction. Every transaction that checks a
 * rule spanning rows of one account (quotas, a live project's name, the last pair, the
 * session cap) takes this lock first, so such transactions run one after another per account
 * and each sees what the previous one committed (READ COMMITTED takes a new snapshot for
 * each statement). FOR NO KEY UPDATE still lets foreign keys be checked (they take FOR KEY
 * SHARE). A missing account is not an error here: the insert that follows fails on its
 * foreign key, as with the SQLite backend.
 */
int
store_pg_lock_account(PGconn *c, int64_t account_id)
{
    struct store_pg_args a = {.n = 0};
    store_pg_arg_i64(&a, account_id);
    return store_pg_exec(c, "SELECT 1 FROM accounts WHERE id = $1 FOR NO KEY UPDATE", &a, NULL,
                         "lock account");
}

/* Run the counting statement sql (account id as $1) and store the count in *n. */
int
store_pg_count(PGconn *c, const char *sql, int64_t account_id, int64_t *n)
{
    struct store_pg_args a = {.n = 0};
    PGresult *r = NULL;
    store_pg_arg_i64(&a, account_id);
    int rc = store_pg_exec(c, sql, &a, &r, "count");
    if (rc == 0 && PQntuples(r) != 1)
        rc = -EIO;
    if (rc == 0)
        *n = store_pg_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

/* store_pg_job of store_pg_query(). */
static int
query_job(PGconn *c, void *arg)
{
    struct store_pg_query *q = arg;
    PGresult *r = NULL;
    q->res = NULL;
    q->affected = 0;
    int rc = q->write ? store_pg_begin(c) : 0;
    if (rc == 0)
        rc = store_pg_exec(c, q->sql, &q->args, &r, q->what);
    if (rc == 0 && PQresultStatus(r) == PGRES_COMMAND_OK)
        q->affected = strtoll(PQcmdTuples(r), NULL, 10);
    if (q->write)
        rc = store_pg_end(c, rc);
    if (rc == 0)
        q->res = r;
    else
        PQclear(r);
    return rc;
}

int
store_pg_query(struct store_pg *s, struct store_pg_query *q)
{
    return store_pg_run(s, query_job, q);
}

/* Run q as a write (inside BEGIN ... COMMIT) whose rows are not needed; q->affected tells
 * how many rows it changed. */
int
store_pg_write(struct store_pg *s, struct store_pg_query *q)
{
    q->write = true;
    int rc = store_pg_run(s, query_job, q);
    PQclear(q->res);
    q->res = NULL;
    return rc;
}

/*
 * Run the read q and copy its first row into out with read. Column wipe_col (>= 0) of the
 * result is wiped before it is freed. Returns 0, -ENOENT when there is no row, or an error.
 */
int
store_pg_fetch_one(struct store_pg *s, struct store_pg_query *q, store_pg_row_fn read, void *out,
                   int wipe_col)
{
    int rc = store_pg_query(s, q);
    if (rc == 0)
        rc = PQntuples(q->res) > 0 ? read(q->res, 0, out) : -ENOENT;
    if (wipe_col >= 0)
        store_pg_wipe_column(q->res, wipe_col);
    PQclear(q->res);
    q->res = NULL;
    return rc;
}

int64_t
store_pg_i64(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Copy text column col of row into dst (cap bytes with the NUL); NULL becomes "". */
int
store_pg_text(const PGresult *r, int row, int col, char *dst, size_t cap)
{
    dst[0] = '\0';
    if (PQgetisnull(r, row, col))
        return 0;
    size_t n = (size_t)PQgetlength(r, row, col);
    if (n >= cap) {
        fprintf(stderr, "restauthd: store: column %s holds a value longer than %zu bytes\n",
                PQfname(r, col), cap - 1);
        return -EIO;
    }
    memcpy(dst, PQgetvalue(r, row, col), n);
    dst[n] = '\0';
    return 0;
}

static int
hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/*
 * Decode bytea column col of row ("\x" and hex) into dst, which must receive exactly n bytes.
 * Returns 0, 1 when the value is NULL (dst zeroed), or -EIO for any other length or form.
 */
int
store_pg_bytes(const PGresult *r, int row, int col, unsigned char *dst, size_t n)
{
    memset(dst, 0, n);
    if (PQgetisnull(r, row, col))
        return 1;
    const char *v = PQgetvalue(r, row, col);
    if ((size_t)PQgetlength(r, row, col) != 2 + 2 * n || v[0] != '\\' || v[1] != 'x')
        goto bad;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(v[2 + 2 * i]), lo = hexval(v[3 + 2 * i]);
        if (hi < 0 || lo < 0)
            goto bad;
        dst[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
bad:
    fprintf(stderr, "restauthd: store: column %s does not hold %zu bytes\n", PQfname(r, col), n);
    return -EIO;
}

/* Overwrite column col of every row of r in place (a hash the caller is done with). */
void
store_pg_wipe_column(PGresult *r, int col)
{
    for (int i = 0; r != NULL && i < PQntuples(r); i++) {
        if (!PQgetisnull(r, i, col))
            memset(PQgetvalue(r, i, col), 0, (size_t)PQgetlength(r, i, col));
    }
}
