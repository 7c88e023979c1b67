#!/usr/bin/env bash
# (Numbers are released at 00:00 here so that the bench runs at any hour.)
# Issue 13's ratios in ONE sitting on this box (benchmarks, not tests): pgbench's one-statement grant on one hot row
# with 64 clients, then for PostgreSQL (2 workers) and SQLite (1 worker) on a fresh database: the empty endpoint,
# a fresh-day rush and a sold-out-day rush with the same client and 64 connections. Prints the ratios:
#   sold-out answers / empty endpoint (target ≥ 0.8), fresh day / pgbench (≥ 0.8), p99 (PG < 100 ms, SQLite < 150 ms)
#   bench/rush_ratio.sh [attempts=2000] [sold-out attempts=5000]
set -u
cd "$(dirname "$0")/.."
attempts=${1:-2000}; soldout=${2:-5000}; port=8111; out=$(mktemp -d)
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
bench/pg_ceiling.sh 64 10 | tee "$out/pgbench"
pg_tps=$(grep -oP 'tps = \K[0-9.]+' "$out/pgbench" | head -1)

serve() {  # kind workers
  if [ "$1" = pg ]; then
    psql -q -h 127.0.0.1 -U postgres -c "drop database if exists hsg_bench with (force)" -c "create database hsg_bench" 2>/dev/null
    export HSGCLINIC_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/hsg_bench
    unset HSGCLINIC_DATA_DIR
    .venv/bin/hsgclinic db upgrade >/dev/null
  else
    unset HSGCLINIC_DATABASE_URL
    rm -rf /tmp/bench-sqlite; mkdir -p /tmp/bench-sqlite; export HSGCLINIC_DATA_DIR=/tmp/bench-sqlite/var
  fi
  HSGCLINIC_RELEASE_TIME=00:00 HSGCLINIC_DAILY_NUMBERS=60 HSGCLINIC_GRAB_RATE_PER_MINUTE=1000000 \
    HSGCLINIC_TRUSTED_PROXY_HEADER=X-Forwarded-For \
    .venv/bin/hsgclinic serve --port $port --workers "$2" >"$out/serve-$1.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
}

field() { grep -oP "$2" "$1" | head -1; }

for run in "pg 2" "sqlite 1"; do
  set -- $run; kind=$1; workers=$2
  serve "$kind" "$workers"
  .venv/bin/python bench/rush.py --url http://127.0.0.1:$port --attempts $soldout --empty >"$out/$kind-empty"
  .venv/bin/python bench/rush.py --url http://127.0.0.1:$port --attempts "$attempts" --forwarded-for >"$out/$kind-fresh"
  .venv/bin/python bench/rush.py --url http://127.0.0.1:$port --attempts "$soldout" --forwarded-for >"$out/$kind-soldout"
  kill $pid; wait $pid 2>/dev/null
  for f in empty fresh soldout; do echo "-- $kind $workers worker(s) $f"; grep -E "granted|oversold|throughput|latency|arrival order" "$out/$kind-$f"; done
  empty=$(field "$out/$kind-empty" 'throughput \K[0-9,]+' | tr -d ,)
  fresh=$(field "$out/$kind-fresh" 'throughput \K[0-9,]+' | tr -d ,)
  sold=$(field "$out/$kind-soldout" 'throughput \K[0-9,]+' | tr -d ,)
  p99=$(field "$out/$kind-fresh" 'latency all .*p99 +\K[0-9.]+')
  python3 - "$kind" "$workers" "$empty" "$fresh" "$sold" "$p99" "$pg_tps" <<'PY'
import sys
kind, workers, empty, fresh, sold, p99, pg = sys.argv[1:]
empty, fresh, sold, p99, pg = float(empty), float(fresh), float(sold), float(p99), float(pg or 0)
print(f"== {kind}, {workers} worker(s): empty {empty:,.0f} req/s, fresh day {fresh:,.0f} req/s (p99 {p99:.0f} ms), "
      f"sold-out day {sold:,.0f} req/s")
print(f"   sold-out / empty = {sold / empty:.2f} (target ≥ 0.8)")
if kind == "pg":
    print(f"   fresh day / pgbench 64 clients ({pg:,.0f} TPS) = {fresh / pg:.2f} (target ≥ 0.8); p99 {p99:.0f} ms (target < 100)")
else:
    print(f"   p99 {p99:.0f} ms at 64 connections (target < 150)")
PY
done
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$out"
