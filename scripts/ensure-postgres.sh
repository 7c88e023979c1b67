#!/usr/bin/env bash
# Makes sure a local PostgreSQL answers and the test database exists.
# With --url, prints the SQLAlchemy URL of the test database and does nothing else.
set -euo pipefail
DB=${HSGCLINIC_TEST_PG_DB:-hsgclinic_test}
HOSTPORT=${HSGCLINIC_TEST_PG_HOST:-127.0.0.1:5432}
URL="postgresql+psycopg://postgres@${HOSTPORT}/${DB}"
if [ "${1:-}" = "--url" ]; then echo "$URL"; exit 0; fi
host=${HOSTPORT%:*}; port=${HOSTPORT#*:}
if ! pg_isready -q -h "$host" -p "$port"; then
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$host" -p "$port" && break; sleep 1; done
fi
if ! psql -h "$host" -p "$port" -U postgres -tAc "select 1 from pg_database where datname='$DB'" | grep -q 1; then
  psql -h "$host" -p "$port" -U postgres -c "create database $DB" >/dev/null
fi
