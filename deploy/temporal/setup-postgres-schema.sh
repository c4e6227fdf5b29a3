#!/bin/sh
# One-shot (service `temporal-schema` in docker-compose.yml, image temporalio/admin-tools): creates
# Temporal's two databases, `temporal` and `temporal_visibility`, on the shared PostgreSQL and brings
# both schemas to the version this admin-tools release ships. The same commands as
# temporalio/samples-server compose/scripts/setup-postgres.sh, plus a wait for PostgreSQL.
#
# Idempotent, so it runs on every `docker compose up`: `create` skips a database that exists,
# `setup-schema -v 0.0` only creates the version tables if they are missing, and `update-schema`
# applies just the versioned steps not applied yet. That makes it the upgrade path too: raise
# TEMPORAL_VERSION and TEMPORAL_ADMINTOOLS_VERSION together and the next `up` migrates before the
# new server starts.
#
# Settings (environment): POSTGRES_SEEDS (host), DB_PORT, POSTGRES_USER, SQL_PASSWORD (read by
# temporal-sql-tool itself). The user needs CREATEDB (deploy/postgres/10-temporal-role.sh).
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (the PostgreSQL host) is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
PORT="${DB_PORT:-5432}"
SCHEMA_DIR="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"

tries=0
until nc -z -w 5 "$POSTGRES_SEEDS" "$PORT"; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "PostgreSQL at $POSTGRES_SEEDS:$PORT did not accept connections within 2 minutes" >&2
    exit 1
  fi
  echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$PORT..."
  sleep 2
done

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$PORT" "$@"
}

echo "Temporal schema: database temporal"
sql_tool --db temporal create
sql_tool --db temporal setup-schema -v 0.0
sql_tool --db temporal update-schema -d "$SCHEMA_DIR/temporal/versioned"

echo "Temporal schema: database temporal_visibility"
sql_tool --db temporal_visibility create
sql_tool --db temporal_visibility setup-schema -v 0.0
sql_tool --db temporal_visibility update-schema -d "$SCHEMA_DIR/visibility/versioned"

echo "Temporal schema is up to date"
