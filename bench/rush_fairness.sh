#!/usr/bin/env bash
# A retry storm against women who ask once, without and with the waiting line (bench/rush_fairness.py), on a fresh
# PostgreSQL database behind `hsgclinic serve --workers 2`. Two clinic days: today (no line) and tomorrow (line),
# so numbers are released at 00:00 with a one-day horizon here.
set -u
cd "$(dirname "$0")/.."
port=8112
psql -q -h 127.0.0.1 -U postgres -c "drop database if exists hsg_bench with (force)" -c "create database hsg_bench" 2>/dev/null
export HSGCLINIC_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/hsg_bench
.venv/bin/hsgclinic db upgrade >/dev/null
HSGCLINIC_RELEASE_TIME=00:00 HSGCLINIC_BOOKING_HORIZON_DAYS=1 HSGCLINIC_DAILY_NUMBERS=20 \
  HSGCLINIC_GRAB_RATE_PER_MINUTE=1000000 HSGCLINIC_TRUSTED_PROXY_HEADER=X-Forwarded-For \
  .venv/bin/hsgclinic serve --port $port --workers 2 >/tmp/serve-fairness.log 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
.venv/bin/python bench/rush_fairness.py --url http://127.0.0.1:$port "$@"
kill $pid; wait $pid 2>/dev/null
