#!/usr/bin/env bash
# Starts web + Celery worker + Celery beat (as docker-compose.yml does in production) and stops all
# three on Ctrl-C. Used by `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-8000}"
mkdir -p .run/broker/queue .run/broker/processed .run/results
VENV=.venv
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "Stopping SalesOps…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

$VENV/bin/celery -A salesops worker --loglevel=WARNING --concurrency=2 >.run/worker.log 2>&1 &
pids+=($!)
$VENV/bin/celery -A salesops beat --loglevel=WARNING >.run/beat.log 2>&1 &
pids+=($!)
$VENV/bin/python manage.py runserver "127.0.0.1:${PORT}" --noreload >.run/web.log 2>&1 &
pids+=($!)

for _ in $(seq 1 50); do
  curl -fs "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
cat <<MSG

  SalesOps is running at http://127.0.0.1:${PORT}/
  Database: ${DATABASE_URL:-embedded SQLite (.run/salesops.sqlite3)}
  Broker:   ${REDIS_URL:-embedded filesystem broker (.run/broker)}
  Logs:     .run/web.log  .run/worker.log  .run/beat.log

  Demo logins (password: demo12345)
    admin        admin       everything, plus the Django admin at /admin/
    sales ops    ops         company-wide figures, imports, jobs
    manager      manager     a team's dashboard
    rep          rep         own quota, pay and meetings

  Press Ctrl-C to stop web, worker and beat.
MSG
wait -n "${pids[@]}"
