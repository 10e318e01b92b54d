#!/usr/bin/env bash
# `make run`, inside `python -m salesops.devservers run` (which has started the embedded PostgreSQL
# and Valkey, or left DATABASE_URL/REDIS_URL alone): migrate, seed the demo once, compute its year of
# efficiency history once, then web + Celery worker + Celery beat until Ctrl-C.
set -euo pipefail
# The demo runs in development mode (settings default to DEBUG=False).
export DEBUG="${DEBUG:-True}"
cd "$(dirname "$0")/.."
PORT="${1:-8000}"
VENV=.venv
PY=$VENV/bin/python
LOGS=.run/logs

port_busy() {
  "$PY" -c 'import socket, sys; s = socket.socket(); s.settimeout(0.5); sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
}
if port_busy "$PORT"; then
  echo "error: port ${PORT} is already in use by another program. Start on another port: make run PORT=8001" >&2
  exit 1
fi

mkdir -p "$LOGS"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py seed_demo --scale small --if-empty
# A year of daily efficiency snapshots, so the dashboard's trend is there on first open; dates
# already computed are skipped, so a second `make run` spends no time here.
"$PY" manage.py compute_efficiency --history-months 12

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "Stopping SalesOps…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

$VENV/bin/celery -A salesops worker --loglevel=INFO --concurrency=2 >"$LOGS/worker.log" 2>&1 &
pids+=($!)
$VENV/bin/celery -A salesops beat --loglevel=INFO >"$LOGS/beat.log" 2>&1 &
pids+=($!)
"$PY" manage.py runserver "127.0.0.1:${PORT}" --noreload >"$LOGS/web.log" 2>&1 &
web=$!
pids+=("$web")

# Our own server must answer: a health check answered by anything else does not count.
for _ in $(seq 1 150); do
  if ! kill -0 "$web" 2>/dev/null; then
    echo "error: the web server stopped while starting. The end of $LOGS/web.log:" >&2
    tail -n 20 "$LOGS/web.log" >&2
    exit 1
  fi
  curl -fs "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
if ! curl -fs "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1; then
  echo "error: the web server did not answer on port ${PORT} within 30 s; see $LOGS/web.log" >&2
  exit 1
fi
cat <<MSG

  SalesOps is running at http://127.0.0.1:${PORT}/
  Database: ${DATABASE_URL}
  Broker:   ${REDIS_URL}
  Logs:     $LOGS/web.log  $LOGS/worker.log  $LOGS/beat.log

  Demo logins (password: demo12345)
    admin        admin       everything, plus the Django admin at /admin/
    sales ops    ops         company-wide figures, imports, jobs
    manager      manager     a team's dashboard
    rep          rep         own quota, pay and meetings

  Press Ctrl-C to stop web, worker, beat and the embedded servers.
MSG
wait -n "${pids[@]}"
