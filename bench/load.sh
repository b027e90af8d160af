#!/usr/bin/env bash
# Load test: gunicorn on 127.0.0.1 against PostgreSQL, driven by wrk for a bounded time.
#   bench/load.sh                      # the real plan with demo figures in database planboard_bench
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/planboard_scale bench/load.sh   # a generate_scale database
# Settings: CONNECTIONS (50), DURATION (20s), WORKERS (4), PORT (8100), DISTRICT (division code for the pages).
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/planboard_bench}
CONNECTIONS=${CONNECTIONS:-50} DURATION=${DURATION:-20s} WORKERS=${WORKERS:-4} PORT=${PORT:-8100}
export SECRET_KEY=bench-only-secret-key-not-for-production ALLOWED_HOSTS=127.0.0.1 DEBUG=
PY=.venv/bin/python

[ -x "$PY" ] || make .venv/bin/.installed
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
  || { echo "Needs wrk: sudo apt-get install wrk"; exit 1; }

db=${DATABASE_URL##*/}
if ! psql "${DATABASE_URL%/*}/postgres" -Atc "select 1 from pg_database where datname='$db'" | grep -q 1; then
  psql "${DATABASE_URL%/*}/postgres" -qc "create database $db"
  $PY manage.py migrate -v0
  $PY manage.py load_plan -v0
  $PY manage.py load_demo
fi
$PY manage.py migrate -v0
$PY manage.py collectstatic --noinput -v0 >/dev/null   # into staticfiles/, served by WhiteNoise

# A leader's session, made directly in the database so the test measures pages, not logins.
SESSION=$($PY manage.py shell -v0 -c "
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from planboard import roles
roles.ensure_groups()
user, _ = get_user_model().objects.get_or_create(username='bench_leader')
user.groups.add(Group.objects.get(name=roles.LEADER))
s = SessionStore(); s[SESSION_KEY] = str(user.pk); s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'
s[HASH_SESSION_KEY] = user.get_session_auth_hash(); s.create(); print(s.session_key)")
DISTRICT=${DISTRICT:-$($PY manage.py shell -v0 -c "
from plans.models import District; print(District.objects.filter(kind='province').order_by('-pk').first().code)")}

.venv/bin/gunicorn planboard.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

run() {
  local name=$1 url=$2
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -H "Cookie: sessionid=$SESSION" "$url")
  local rps p50 p99 errors non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  errors=$(awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}' <<<"$out"); errors=${errors:-0}
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$CONNECTIONS" "$rps" "$p50" "$p99" "$((errors + non2xx))"
  # Requests wrk gave up on are still queued in gunicorn: let them drain before the next endpoint.
  curl -sf --max-time 120 "http://127.0.0.1:$PORT/healthz" >/dev/null || true
}

echo "database: ${DATABASE_URL##*@}, workers: $WORKERS, duration: $DURATION per endpoint"
echo "| endpoint | clients | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
run "dashboard /?district=$DISTRICT" "http://127.0.0.1:$PORT/?district=$DISTRICT"
run "/api/progress/?district=$DISTRICT" "http://127.0.0.1:$PORT/api/progress/?district=$DISTRICT"
