#!/usr/bin/env bash
# First start of the compose PostgreSQL: one database and one owning role per service, with contrib extensions.
set -euo pipefail
for db in unit_registry device_inventory alarm_routing safe_unit_scoring sector_exchange; do
  psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres \
    -v db="$db" -v pw="$NEIBAO_SERVICE_DB_PASSWORD" <<'SQL'
CREATE ROLE :"db" LOGIN PASSWORD :'pw';
CREATE DATABASE :"db" OWNER :"db";
SQL
  psql -v ON_ERROR_STOP=1 --username postgres --dbname "$db" \
    -c 'CREATE EXTENSION IF NOT EXISTS pg_trgm' -c 'CREATE EXTENSION IF NOT EXISTS btree_gin'
done
