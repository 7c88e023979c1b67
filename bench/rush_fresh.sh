#!/usr/bin/env bash
# Starts a server on a fresh database, runs bench/rush.py twice (fresh day; then the sold-out day), stops it.
# bench/rush_fresh.sh sqlite|pg [workers=2]   (pg: uses the local server, database hsg_bench, dropped first)
set -u
cd "$(dirname "$0")/.."
kind=$1; workers=${2:-2}; port=8110
if [ "$kind" = pg ]; then
  psql -q -h 127.0.0.1 -U postgres -c "drop database if exists hsg_bench with (force)" -c "create database hsg_bench" 2>/dev/null
  export HSGCLINIC_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/hsg_bench
  .venv/bin/hsgclinic db upgrade >/dev/null
else
  rm -rf /tmp/bench-sqlite; mkdir -p /tmp/bench-sqlite; export HSGCLINIC_DATA_DIR=/tmp/bench-sqlite/var
fi
HSGCLINIC_DAILY_NUMBERS=60 HSGCLINIC_GRAB_RATE_PER_MINUTE=1000000 .venv/bin/hsgclinic serve --port $port --workers $workers >/tmp/serve.log 2>&1 &
pid=$!
for i in $(seq 50); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
echo "== $kind, $workers worker(s): fresh day, 2000 attempts"
.venv/bin/python bench/rush.py --url http://127.0.0.1:$port
echo "== $kind, $workers worker(s): sold-out day, 5000 attempts"
.venv/bin/python bench/rush.py --url http://127.0.0.1:$port --attempts 5000 | sed -n 3,12p
kill $pid; wait $pid 2>/dev/null
