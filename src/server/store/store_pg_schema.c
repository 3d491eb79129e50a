/* SPDX-License-Identifier: MIT */
/*
 * store_pg_schema.c: the schema of the PostgreSQL backend and its migrations.
 *
 * The schema is the result of applying, in order, the SQL scripts in migrations[]; the table
 * schema_version holds how many have been applied. At open, one transaction takes an advisory
 * lock (so processes opening the database at the same time migrate one after another), reads
 * the version, applies the missing scripts and records the new version; a failure leaves
 * nothing behind. A database whose version is higher than this program knows is refused.
 * An up-to-date database needs no privilege beyond reading schema_version.
 *
 * Rules for later migrations: never edit a script that has shipped; append a new one.
 */
#include "store/store_pg_priv.h"

#include <stdio.h>
#include <stdlib.h>

/* Advisory lock keys, per database: "restauth" in ASCII as a number, and the next one. The
 * feed triggers take the first; migrations the second. */
#define FEED_LOCK "8243121636660049000"
#define MIGRATION_LOCK "8243121636660049001"

/*
 * migrations[i] brings the schema from version i to version i + 1.
 *
 * Migration 1, the whole schema of the SQLite backend's two migrations
 * (store_sqlite_schema.c) plus the change feed and the nodes table:
 * - ra_fold() folds ASCII letters only, as SQLite's NOCASE does: the e-mail address is unique
 *   under it. lower() would fold other letters too, depending on the collation.
 * - credentials.seq, projects.seq and sessions.seq record the insertion order that breaks
 *   ties between equal `created` times. A project's id stays unique over deleted rows, so it
 *   is never reused; the unique index on the name covers live rows only.
 * - changes is the feed (store.h). Its rows come from triggers, in the transaction of the
 *   write. ra_feed_append takes a transaction-scoped advisory lock before it draws the next
 *   seq, so the transactions that write feed rows commit one after another in seq order: a
 *   reader that has seen seq 12 can never later find a committed 11. (Writes are rare human
 *   actions; last-used updates do not append rows: the credentials trigger fires on the
 *   other columns only.) Each row also NOTIFYs STORE_PG_FEED_CHANNEL, delivered at commit.
 * - feed_meta.pruned is the highest seq feed_prune deleted.
 * - nodes: the running servers (store.h, struct store_node).
 */
static const char *const migrations[] = {
    "CREATE FUNCTION ra_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE"
    "  AS $$SELECT translate(t, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')$$;"
    "CREATE TABLE accounts ("
    "  id            bigserial PRIMARY KEY,"
    "  name          text   NOT NULL UNIQUE,"
    "  created       bigint NOT NULL,"
    "  email         text,"
    "  password_hash text"
    ");"
    "CREATE UNIQUE INDEX accounts_email ON accounts (ra_fold(email)) WHERE email IS NOT NULL;"
    "CREATE TABLE credentials ("
    "  customer_id text      PRIMARY KEY,"
    "  seq         bigserial NOT NULL,"
    "  account_id  bigint    NOT NULL REFERENCES accounts (id),"
    "  hash        bytea,"
    "  created     bigint    NOT NULL,"
    "  last_used   bigint    NOT NULL DEFAULT 0,"
    "  status      integer   NOT NULL DEFAULT 1,"
    "  issued      bigint    NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX credentials_by_account ON credentials (account_id, created, seq);"
    "CREATE TABLE projects ("
    "  seq              bigserial PRIMARY KEY,"
    "  id               text    NOT NULL UNIQUE,"
    "  account_id       bigint  NOT NULL REFERENCES accounts (id),"
    "  name             text    NOT NULL,"
    "  vendor_key       text    NOT NULL,"
    "  sign_key         text    NOT NULL DEFAULT '',"
    "  recording_server text,"
    "  status           integer NOT NULL DEFAULT 1,"
    "  created          bigint  NOT NULL,"
    "  deleted          boolean NOT NULL DEFAULT false"
    ");"
    "CREATE UNIQUE INDEX projects_live_name ON projects (account_id, name) WHERE NOT deleted;"
    "CREATE INDEX projects_by_account ON projects (account_id, created, seq) WHERE NOT deleted;"
    "CREATE TABLE sessions ("
    "  token_hash bytea     PRIMARY KEY,"
    "  seq        bigserial NOT NULL,"
    "  account_id bigint    NOT NULL REFERENCES accounts (id),"
    "  csrf       text      NOT NULL,"
    "  created    bigint    NOT NULL,"
    "  last_seen  bigint    NOT NULL,"
    "  expires    bigint    NOT NULL"
    ");"
    "CREATE INDEX sessions_by_account ON sessions (account_id, created, seq);"
    "CREATE TABLE changes ("
    "  seq         bigserial PRIMARY KEY,"
    "  kind        smallint  NOT NULL,"
    "  account_id  bigint    NOT NULL,"
    "  customer_id text,"
    "  at          bigint    NOT NULL"
    ");"
    "CREATE INDEX changes_at ON changes (at);"
    "CREATE TABLE feed_meta ("
    "  one    boolean PRIMARY KEY DEFAULT true CHECK (one),"
    "  pruned bigint  NOT NULL DEFAULT 0"
    ");"
    "INSERT INTO feed_meta DEFAULT VALUES;"
    "CREATE TABLE nodes ("
    "  id        text   PRIMARY KEY,"
    "  started   bigint NOT NULL,"
    "  heartbeat bigint NOT NULL,"
    "  applied   bigint NOT NULL"
    ");"
    "CREATE FUNCTION ra_feed_append(k integer, acct bigint, cid text) RETURNS void"
    "  LANGUAGE plpgsql AS $$"
    "BEGIN"
    "  PERFORM pg_advisory_xact_lock(" FEED_LOCK ");"
    "  INSERT INTO changes (kind, account_id, customer_id, at)"
    "    VALUES (k, acct, cid, floor(extract(epoch FROM clock_timestamp()))::bigint);"
    "  PERFORM pg_notify('" STORE_PG_FEED_CHANNEL "', '');"
    "END $$;"
    "CREATE FUNCTION ra_feed_credentials() RETURNS trigger LANGUAGE plpgsql AS $$"
    "BEGIN"
    "  IF TG_OP <> 'INSERT' THEN"
    "    PERFORM ra_feed_append(1, OLD.account_id, OLD.customer_id);"
    "  END IF;"
    "  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (NEW.account_id, NEW.customer_id)"
    "      IS DISTINCT FROM (OLD.account_id, OLD.customer_id)) THEN"
    "    PERFORM ra_feed_append(1, NEW.account_id, NEW.customer_id);"
    "  END IF;"
    "  RETURN NULL;"
    "END $$;"
    "CREATE TRIGGER credentials_feed AFTER INSERT OR DELETE"
    "  OR UPDATE OF customer_id, account_id, hash, status, issued ON credentials"
    "  FOR EACH ROW EXECUTE FUNCTION ra_feed_credentials();"
    "CREATE FUNCTION ra_feed_projects() RETURNS trigger LANGUAGE plpgsql AS $$"
    "BEGIN"
    "  IF TG_OP <> 'INSERT' THEN"
    "    PERFORM ra_feed_append(2, OLD.account_id, NULL);"
    "  END IF;"
    "  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.account_id <> OLD.account_id) THEN"
    "    PERFORM ra_feed_append(2, NEW.account_id, NULL);"
    "  END IF;"
    "  RETURN NULL;"
    "END $$;"
    "CREATE TRIGGER projects_feed AFTER INSERT OR UPDATE OR DELETE ON projects"
    "  FOR EACH ROW EXECUTE FUNCTION ra_feed_projects();"
    "CREATE FUNCTION ra_feed_accounts() RETURNS trigger LANGUAGE plpgsql AS $$"
    "BEGIN"
    "  PERFORM ra_feed_append(3, NEW.id, NULL);"
    "  RETURN NULL;"
    "END $$;"
    "CREATE TRIGGER accounts_feed AFTER INSERT OR UPDATE ON accounts"
    "  FOR EACH ROW EXECUTE FUNCTION ra_feed_accounts();",

    /* 2: the credential lifecycle, as the SQLite backend's migration 4: expiry and tripwire
     * columns (watched by the feed trigger), the audit log and per-pair usage. */
    "ALTER TABLE credentials ADD COLUMN expires_at bigint NOT NULL DEFAULT 0;"
    "ALTER TABLE credentials ADD COLUMN tripwire integer NOT NULL DEFAULT 0;"
    "DROP TRIGGER credentials_feed ON credentials;"
    "CREATE TRIGGER credentials_feed AFTER INSERT OR DELETE"
    "  OR UPDATE OF customer_id, account_id, hash, status, issued, expires_at, tripwire"
    "  ON credentials FOR EACH ROW EXECUTE FUNCTION ra_feed_credentials();"
    "CREATE TABLE audit ("
    "  id         bigserial PRIMARY KEY,"
    "  account_id bigint    NOT NULL,"
    "  time       bigint    NOT NULL,"
    "  actor      text      NOT NULL,"
    "  action     text      NOT NULL,"
    "  target     text      NOT NULL,"
    "  address    text,"
    "  alert      integer   NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX audit_by_account ON audit (account_id, id);"
    "CREATE INDEX audit_by_time ON audit (time);"
    "CREATE TABLE usage ("
    "  customer_id text   NOT NULL,"
    "  hour        bigint NOT NULL,"
    "  endpoint    text   NOT NULL,"
    "  count       bigint NOT NULL,"
    "  PRIMARY KEY (customer_id, hour, endpoint)"
    ");"
    "CREATE INDEX usage_by_hour ON usage (hour);",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_PG_SCHEMA_VERSION,
               "STORE_PG_SCHEMA_VERSION must equal the number of migrations");

/* Read the schema version into *v: 0 when schema_version does not exist yet (*exists false). */
static int
read_version(PGconn *c, int64_t *v, bool *exists)
{
    PGresult *r = NULL;
    *v = 0;
    *exists = false;
    int rc = store_pg_exec(c, "SELECT to_regclass('schema_version') IS NOT NULL", NULL, &r,
                           "schema version");
    if (rc == 0)
        *exists = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    r = NULL;
    if (rc == 0 && *exists)
        rc =
            store_pg_exec(c, "SELECT max(version) FROM schema_version", NULL, &r, "schema version");
    if (rc == 0 && *exists)
        *v = PQntuples(r) == 1 ? store_pg_i64(r, 0, 0) : 0;
    PQclear(r);
    return rc;
}

/* Apply migrations[from..] and record the new version, inside the caller's transaction. */
static int
apply(PGconn *c, int64_t from, bool exists)
{
    int rc = 0;
    if (!exists)
        rc = store_pg_exec(c, "CREATE TABLE schema_version (version integer NOT NULL)", NULL, NULL,
                           "schema version");
    for (int64_t i = from; rc == 0 && i < STORE_PG_SCHEMA_VERSION; i++) {
        /* A script of several statements needs the simple query protocol. */
        PGresult *r = PQexec(c, migrations[i]);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
            fprintf(stderr, "restauthd: store: migration %lld failed: %s\n", (long long)i + 1,
                    msg != NULL ? msg : PQerrorMessage(c));
            rc = PQstatus(c) == CONNECTION_OK ? -EIO : -ENOTCONN;
        }
        PQclear(r);
    }
    struct store_pg_args a = {.n = 0};
    store_pg_arg_i64(&a, STORE_PG_SCHEMA_VERSION);
    if (rc == 0)
        rc = store_pg_exec(c, "DELETE FROM schema_version", NULL, NULL, "schema version");
    if (rc == 0)
        rc = store_pg_exec(c, "INSERT INTO schema_version (version) VALUES ($1)", &a, NULL,
                           "schema version");
    return rc;
}

/*
 * Bring the schema up to STORE_PG_SCHEMA_VERSION (see the top of the file). Returns 0,
 * -ENOTCONN, or -EIO (logged) for a failed migration or a database newer than this program.
 */
int
store_pg_migrate(PGconn *c)
{
    int64_t v = 0;
    bool exists = false;
    int rc = store_pg_begin(c);
    if (rc == 0)
        rc = store_pg_exec(c, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")", NULL, NULL,
                           "migration lock");
    if (rc == 0)
        rc = read_version(c, &v, &exists);
    if (rc == 0 && (v < 0 || v > STORE_PG_SCHEMA_VERSION)) {
        fprintf(stderr,
                "restauthd: store: database schema version %lld is not supported (this "
                "program knows versions 0 to %d); refusing to use it\n",
                (long long)v, STORE_PG_SCHEMA_VERSION);
        rc = -EIO;
    }
    if (rc == 0 && v < STORE_PG_SCHEMA_VERSION)
        rc = apply(c, v, exists);
    return store_pg_end(c, rc);
}
