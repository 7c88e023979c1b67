#!/usr/bin/env bash
# `make run`: the clinic's three processes side by side on one database, stopped together (Ctrl-C, or when any of
# them stops):
#   hsgclinic serve         the web app and JSON API          http://$HOST:$PORT
#   hsgclinic worker        sends due reminders and HL7 messages from the outbox
#   hsgclinic dicom serve   Modality Worklist + MPPS for the RF unit, AE title HSGCLINIC, port $DICOM_PORT
set -uo pipefail
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
DICOM_PORT=${DICOM_PORT:-11112}

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait
}
trap stop INT TERM EXIT

"$BIN/hsgclinic" worker &
pids+=($!)
"$BIN/hsgclinic" dicom serve --port "$DICOM_PORT" &
pids+=($!)
"$BIN/hsgclinic" serve --host "$HOST" --port "$PORT" &
pids+=($!)
wait -n
