#!/usr/bin/env bash
# The PostgreSQL ceiling for the booking transaction: pgbench runs the app's one-statement grant
# (conditional UPDATE of one hot day_counters row + INSERT of the holder, in one statement) in a scratch database.
#   bench/pg_ceiling.sh [clients=8] [seconds=10] [base URL, default: scripts/ensure-postgres.sh --url]
# The holder table has no unique constraints here and a finished day is refilled in the same transaction
# (a second, usually non-matching UPDATE), so every transaction is a grant on the same hot row.
set -euo pipefail
clients=${1:-8}; seconds=${2:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
url=${3:-$("$here/scripts/ensure-postgres.sh" --url)}
hostport=${url#*@}; hostport=${hostport%%/*}; host=${hostport%:*}; port=${hostport#*:}
db="hsg_pg_ceiling_$$"
psql -q -h "$host" -p "$port" -U postgres -c "create database $db" >/dev/null
trap 'psql -q -h "$host" -p "$port" -U postgres -c "drop database if exists $db with (force)" >/dev/null' EXIT
psql -q -h "$host" -p "$port" -U postgres -d "$db" >/dev/null <<'SQL'
create table day_counters (resource varchar(16), day date, quota int not null, remaining int not null,
  taken varchar(1000) not null, last_taken int not null default 0, primary key (resource, day));
create table registration_numbers (id serial primary key, day date not null, queue_number int not null,
  patient_id int not null, status varchar(16) not null, active boolean, access_code varchar(16) not null,
  created_at timestamptz not null);
insert into day_counters values ('registration', '2026-11-20', 1000, 1000, repeat('0', 1000), 0);
SQL
script=$(mktemp)
cat > "$script" <<'SQL'
\set patient random(1, 1000000)
BEGIN;
WITH granted AS (
  UPDATE day_counters SET remaining = remaining - 1,
         last_taken = strpos(taken, '0'),
         taken = substr(taken, 1, strpos(taken, '0') - 1) || '1' || substr(taken, strpos(taken, '0') + 1)
   WHERE resource = 'registration' AND day = '2026-11-20' AND remaining > 0
  RETURNING last_taken)
INSERT INTO registration_numbers (day, queue_number, patient_id, status, active, access_code, created_at)
SELECT '2026-11-20', last_taken, :patient, 'taken', true, 'ABCDEFGH', now() FROM granted RETURNING id, queue_number;
UPDATE day_counters SET remaining = quota, taken = repeat('0', quota)
 WHERE resource = 'registration' AND day = '2026-11-20' AND remaining = 0;
COMMIT;
SQL
echo "pgbench: one hot day row, $clients clients, ${seconds}s"
pgbench -h "$host" -p "$port" -U postgres -n -c "$clients" -j "$clients" -T "$seconds" -r -f "$script" "$db" \
  | grep -E "tps|latency|number of transactions actually processed|clients"
rm -f "$script"
