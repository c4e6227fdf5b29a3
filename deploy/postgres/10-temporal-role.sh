#!/bin/sh
# Runs once, on the first start of an empty data volume (docker-entrypoint-initdb.d).
# The image itself creates the `herald` user and database from POSTGRES_USER / POSTGRES_DB.
# Here: a separate `temporal` role. The one-shot `temporal-schema` service (temporalio/admin-tools,
# deploy/temporal/setup-postgres-schema.sh) creates and migrates the `temporal` and
# `temporal_visibility` databases as this role (hence CREATEDB), and the Temporal server uses them
# as this role. An existing data volume keeps the role it has: this script never runs again.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v temporal_password="${TEMPORAL_DB_PASSWORD:-temporal}" <<'SQL'
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
SQL
