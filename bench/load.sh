#!/usr/bin/env bash
# Load test: gunicorn on 127.0.0.1 against PostgreSQL, driven by wrk for a bounded time.
#   bench/load.sh                      # the real plan with demo figures in database planboard_bench
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/planboard_scale bench/load.sh   # a generate_scale database
# Settings: CONNECTIONS (50), DURATION (20s, in seconds), WORKERS (4), PORT (8100), DISTRICT (division code for
# the pages), WRITERS (4: officials posting figures through the API during the last run), PY (.venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/planboard_bench}
CONNECTIONS=${CONNECTIONS:-50} DURATION=${DURATION:-20s} WORKERS=${WORKERS:-4} PORT=${PORT:-8100}
WRITERS=${WRITERS:-4}
export SECRET_KEY=bench-only-secret-key-not-for-production ALLOWED_HOSTS=127.0.0.1 DEBUG=
PY=${PY:-.venv/bin/python}

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
# Pages live under their plan (/plans/<code>/): the old addresses answer with a redirect, which wrk counts as an error.
PLAN=$($PY manage.py shell -v0 -c "from plans.models import Plan; print(Plan.objects.current().code)")

"$(dirname "$PY")/gunicorn" planboard.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
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
run "dashboard /plans/$PLAN/?district=$DISTRICT" "http://127.0.0.1:$PORT/plans/$PLAN/?district=$DISTRICT"
run "/api/progress/?district=$DISTRICT" "http://127.0.0.1:$PORT/api/progress/?district=$DISTRICT"

# The dashboard again while officials write: each of WRITERS officials (made here, with an API token) owns one cell
# of his district (a year he may still fill, no approved figure yet) and saves it through the API again and again,
# changing its note, at the version the last answer gave. Nobody else writes those cells, so every write must
# succeed: a 409 or a 5xx is an error, as is any failed read.
CELLS=$($PY manage.py shell -v0 -c "
import hashlib, secrets
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from figures.models import ApiToken, Observation, ReportingYear
from plans.models import District, Plan, Target
from planboard import roles
roles.ensure_groups()
plan = Plan.objects.current()
locked = set(ReportingYear.objects.filter(plan=plan, locked=True).values_list('year', flat=True))
years = [y for y in range(plan.base_year + 1, min(plan.target_year, timezone.localdate().year) + 1) if y not in locked]
found = 0
for district in District.objects.exclude(kind='province').order_by('order', 'code'):
    figures = {(o.indicator_id, o.year): o for o in Observation.objects.filter(indicator__plan=plan, district=district)}
    cell = None
    for target in Target.objects.filter(indicator__plan=plan, district=district).select_related('indicator'):
        indicator = target.indicator
        for year in reversed(years):
            stored = figures.get((indicator.pk, year))
            earlier = [o for (i, y), o in figures.items() if i == indicator.pk and y < year and o.status == 'approved']
            if earlier and (stored is None or stored.status != 'approved'):
                cell = (indicator, year, max(earlier, key=lambda o: o.year).value, stored.version if stored else '')
                break
        if cell:
            break
    if cell is None:
        continue
    user, _ = get_user_model().objects.get_or_create(username=f'bench_official_{district.code}')
    user.groups.add(Group.objects.get(name=roles.OFFICIAL))
    district.members.add(user)
    key = secrets.token_urlsafe(32)
    ApiToken.objects.update_or_create(user=user, defaults={'digest': hashlib.sha256(key.encode()).hexdigest()})
    indicator, year, value, version = cell
    print(key, indicator.code, district.code, year, format(value.normalize(), 'f'), version)
    found += 1
    if found == $WRITERS:
        break
")

write_loop() {
  local token=$1 indicator=$2 district=$3 year=$4 value=$5 version=$6 log=$7 stop=$8 n=0 body out code
  while [ "$SECONDS" -lt "$stop" ]; do
    n=$((n + 1))
    body="{\"indicator\":\"$indicator\",\"district\":\"$district\",\"year\":$year,\"value\":\"$value\""
    body+=",\"note\":\"负载测试 $n\",\"action\":\"save\"${version:+,\"version\":$version}}"
    out=$(curl -s --max-time 30 -w '\n%{http_code}' -H "Authorization: Token $token" \
      -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$PORT/api/observations/") || out=$'\n000'
    code=${out##*$'\n'}
    case $code in
      200 | 201) version=$(grep -o '"version": *[0-9]*' <<<"$out" | grep -o '[0-9]*$' || true); echo ok ;;
      *) echo "$code ${out%$'\n'*}" | head -c 300; echo ;;
    esac >>"$log"
  done
}

if [ -z "$CELLS" ]; then
  echo "| officials writing | 0 | (no cell without an approved figure to write in) | | | |"
else
  LOGS=$(mktemp -d)
  stop=$((SECONDS + ${DURATION%s}))
  writers=()
  while read -r token indicator district year value version; do
    write_loop "$token" "$indicator" "$district" "$year" "$value" "$version" "$LOGS/$district" "$stop" &
    writers+=($!)
  done <<<"$CELLS"
  run "dashboard while officials write" "http://127.0.0.1:$PORT/plans/$PLAN/?district=$DISTRICT"
  wait "${writers[@]}"
  writes=$(cat "$LOGS"/* | wc -l)
  failed=$({ grep -vhc '^ok$' "$LOGS"/* || true; } | awk '{s += $1} END {print s + 0}')
  printf '| officials writing (API POST) | %s | %s | | | %s |\n' "${#writers[@]}" \
    "$(awk -v n="$writes" -v s="${DURATION%s}" 'BEGIN {printf "%.1f", n / s}')" "$failed"
  grep -vh '^ok$' "$LOGS"/* | sort | uniq -c | head -5 | sed 's/^/    /' || true
  rm -rf "$LOGS"
fi
