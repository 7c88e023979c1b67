#!/usr/bin/env bash
# Starts a server on a fresh database, runs bench/rush.py twice (fresh day; then the sold-out day), stops it.
# bench/rush_fresh.sh sqlite|pg [workers=2] [one]   (pg: uses the local server, database hsg_bench, dropped first)
# Each person is her own client (X-Forwarded-For, trusted by the server), as in a real rush: the grab rate limit
# (one database upsert per attempt) bumps one row per person. "one" as the 3rd argument: the bench is ONE client
# (every attempt bumps the same row); the limit is raised above the attempts either way.
set -u
cd "$(dirname "$0")/.."
kind=$1; workers=${2:-2}; port=8110
ff=--forwarded-for; [ "${3:-}" = one ] && ff=
if [ "$kind" = pg ]; then
  psql -q -h 127.0.0.1 -U postgres -c "drop database if exists hsg_bench with (force)" -c "create database hsg_bench" 2>/dev/null
  export HSGCLINIC_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/hsg_bench
  .venv/bin/hsgclinic db upgrade >/dev/null
else
  rm -rf /tmp/bench-sqlite; mkdir -p /tmp/bench-sqlite; export HSGCLINIC_DATA_DIR=/tmp/bench-sqlite/var
fi
HSGCLINIC_RELEASE_TIME=00:00 HSGCLINIC_DAILY_NUMBERS=60 HSGCLINIC_GRAB_RATE_PER_MINUTE=1000000 HSGCLINIC_TRUSTED_PROXY_HEADER=X-Forwarded-For \
  .venv/bin/hsgclinic serve --port $port --workers $workers >/tmp/serve.log 2>&1 &
pid=$!
for i in $(seq 50); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
echo "== $kind, $workers worker(s), ${3:-per-person} client address(es): fresh day, 2000 attempts"
.venv/bin/python bench/rush.py --url http://127.0.0.1:$port $ff
echo "== $kind, $workers worker(s): sold-out day, 5000 attempts"
.venv/bin/python bench/rush.py --url http://127.0.0.1:$port --attempts 5000 $ff | sed -n 3,12p
kill $pid; wait $pid 2>/dev/null
