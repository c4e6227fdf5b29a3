#!/bin/sh
# Runs once, on the first start of an empty data volume (docker-entrypoint-initdb.d).
# The image itself creates the `herald` user and database from POSTGRES_USER / POSTGRES_DB.
# Here: a separate `temporal` role for temporalio/auto-setup, which creates and migrates its own
# `temporal` and `temporal_visibility` databases (hence CREATEDB).
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v temporal_password="${TEMPORAL_DB_PASSWORD:-temporal}" <<'SQL'
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
SQL
