#!/usr/bin/env bash
# A production rehearsal on one machine (run as root), through HAProxy with wrk. It starts everything it needs and
# stops it again, leaving nothing running:
#   - PostgreSQL: the one running on 127.0.0.1:5432, in a throwaway database (planboard_cluster, dropped at the end);
#   - Redis: its own redis-server on port 6391 (never the shared one);
#   - two app hosts: gunicorn in network namespaces pb-app1 and pb-app2 (veth pairs, 10.203.1.0/24 and
#     10.203.2.0/24), reaching the database and Redis over those links;
#   - HAProxy (bench/haproxy.cfg) on 127.0.0.1:8300, checking each host's /healthz every second.
# Each scenario runs DURATION seconds: leaders (wrk, CONNECTIONS) read the dashboard, an indicator page and
# /api/progress/ in turn while WRITERS officials save their own figures through the API; then it prints requests/s,
# p50, p99, errors by kind, and whether every save answered with a 2xx is in the database.
#
#   bench/cluster.sh                       # the scenarios below, about 3 minutes with the set-up
#   bench/cluster.sh --with-pg-restart     # also restarts the machine's PostgreSQL mid-run: only on a machine where
#                                          # nobody else uses that PostgreSQL
# Settings: DURATION (15), WARM_UP (2: seconds of reading before each scenario, not measured), WORKERS per host (2), WRITERS (4), PY (.venv/bin/python), ONLY (scenario keys to run,
# e.g. "shared50 host-killed"; keys: before shared50 dashboard50 dashboard50-paced shared200 host-killed redis-stopped db-cut pg-restart).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

WITH_PG_RESTART=
for arg in "$@"; do
  case $arg in
    --with-pg-restart) WITH_PG_RESTART=1 ;;
    *) echo "usage: $0 [--with-pg-restart]"; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "Run as root: it creates network namespaces."; exit 1; }

DURATION=${DURATION:-15} WORKERS=${WORKERS:-2} WARM_UP=${WARM_UP:-2} PY=${PY:-.venv/bin/python}
export WRITERS=${WRITERS:-4}
DB=planboard_cluster REDIS_PORT=6391 FRONT=127.0.0.1:8300 SITE=planboard.bench
PG=postgres://postgres@127.0.0.1:5432
[ -x "$PY" ] || make .venv/bin/.installed
for tool in haproxy wrk redis-server; do
  command -v $tool >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    "$([ $tool = redis-server ] && echo redis-server || echo $tool)" >/dev/null
done

RUN=$(mktemp -d /tmp/planboard-cluster.XXXXXX)
declare -A HOST_PID=()
RELAY_PID= BALANCER_PID=

redis_up() {
  redis-server --daemonize yes --port $REDIS_PORT --bind 127.0.0.1 10.203.1.1 10.203.2.1 --protected-mode no \
    --save "" --appendonly no --pidfile "$RUN/redis.pid" --logfile "$RUN/redis.log" --dir "$RUN"
  for _ in $(seq 50); do redis-cli -p $REDIS_PORT ping >/dev/null 2>&1 && return; sleep 0.1; done
}
# Only the server this script started (its pid file), never another one that may listen on the port.
redis_down() {
  [ -s "$RUN/redis.pid" ] && kill -0 "$(cat "$RUN/redis.pid")" 2>/dev/null || return 0
  redis-cli -p $REDIS_PORT shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 50); do [ -e "$RUN/redis.pid" ] || break; sleep 0.1; done
}

# The database as the app hosts reach it over their links: a TCP relay to 127.0.0.1:5432 on each link's host end
# (PostgreSQL here listens on 127.0.0.1 only). Stopping it cuts the hosts off their database.
relay_up() {
  cat >"$RUN/relay.cfg" <<CFG
defaults
    mode tcp
    timeout connect 2s
    timeout client 1h
    timeout server 1h
listen database
    bind 10.203.1.1:5432
    bind 10.203.2.1:5432
    server postgres 127.0.0.1:5432
CFG
  haproxy -db -f "$RUN/relay.cfg" >"$RUN/relay.log" 2>&1 &
  RELAY_PID=$!
}
relay_down() { [ -z "$RELAY_PID" ] || { kill "$RELAY_PID" 2>/dev/null; wait "$RELAY_PID" 2>/dev/null || true; RELAY_PID=; }; }

# One app host: gunicorn in namespace pb-app$1, in its own process group (so it can be killed as a whole).
host_up() {
  local n=$1 cache=${2-redis}
  setsid ip netns exec "pb-app$n" env -i PATH=/usr/bin:/bin \
    DATABASE_URL="postgres://postgres@10.203.$n.1:5432/$DB" \
    ${cache:+REDIS_URL=redis://10.203.$n.1:$REDIS_PORT/0} \
    SECRET_KEY=cluster-bench-secret-not-for-production ALLOWED_HOSTS="$SITE,127.0.0.1" HTTPS=1 PROXY_COUNT=1 \
    "$ROOT/.venv/bin/gunicorn" planboard.wsgi:application --chdir "$ROOT" --bind "10.203.$n.2:8000" \
    --workers "$WORKERS" --log-level warning >>"$RUN/app$n.log" 2>&1 &
  HOST_PID[$n]=$!
}
host_kill() { kill -KILL -- "-${HOST_PID[$1]}" 2>/dev/null || true; wait "${HOST_PID[$1]}" 2>/dev/null || true; }
hosts_ready() {
  for n in 1 2; do
    for _ in $(seq 150); do
      [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $SITE" "http://10.203.$n.2:8000/healthz")" = 200 ] && break
      sleep 0.2
    done
  done
  sleep 2.5  # two checks in a row bring a server into the balancer
}

cleanup() {
  local status=$?
  set +e
  if [ "$status" != 0 ]; then
    for log in "$RUN"/*.log; do [ -s "$log" ] && { echo "== $log"; tail -20 "$log"; }; done
  fi
  for n in "${!HOST_PID[@]}"; do host_kill "$n"; done
  [ -z "$BALANCER_PID" ] || { kill "$BALANCER_PID" 2>/dev/null; wait "$BALANCER_PID" 2>/dev/null; }
  relay_down
  redis_down
  for n in 1 2; do ip netns del "pb-app$n" 2>/dev/null; ip link del "pb-h$n" 2>/dev/null; done
  psql "$PG/postgres" -qc "drop database if exists $DB with (force)" 2>/dev/null
  rm -rf "$RUN"
}
trap cleanup EXIT

# The network: two namespaces, each linked to this machine by a veth pair.
for n in 1 2; do
  ip netns del "pb-app$n" 2>/dev/null || true
  ip netns add "pb-app$n"
  ip link add "pb-h$n" type veth peer name "pb-n$n" netns "pb-app$n"
  ip addr add "10.203.$n.1/24" dev "pb-h$n" && ip link set "pb-h$n" up
  ip -n "pb-app$n" addr add "10.203.$n.2/24" dev "pb-n$n"
  ip -n "pb-app$n" link set "pb-n$n" up && ip -n "pb-app$n" link set lo up
done

# A fresh database with the real plan and the demo figures.
psql "$PG/postgres" -qc "drop database if exists $DB with (force)"
psql "$PG/postgres" -qc "create database $DB"
export DATABASE_URL=$PG/$DB SECRET_KEY=cluster-bench-secret-not-for-production
$PY manage.py migrate -v0
$PY manage.py load_plan -v0 >/dev/null
$PY manage.py load_demo >/dev/null
$PY manage.py collectstatic --noinput -v0 >/dev/null
$PY bench/cluster.py setup "$RUN/setup.json"
read -r SESSION PLAN DISTRICT INDICATOR < <($PY -c "
import json; s = json.load(open('$RUN/setup.json')); print(s['session'], s['plan'], s['district'], s['indicator'])")

redis_up
relay_up
for n in 1 2; do host_up $n ""; done   # first without Redis: each worker with its own local-memory cache
APP_WORKERS=$WORKERS PLANBOARD_BIND=$FRONT PLANBOARD_HOST=$SITE APP1=10.203.1.2:8000 APP2=10.203.2.2:8000 \
  haproxy -db -f bench/haproxy.cfg >"$RUN/haproxy.log" 2>&1 &
BALANCER_PID=$!
hosts_ready

PAGES=("/plans/$PLAN/?district=$DISTRICT" "/plans/$PLAN/indicators/$INDICATOR/?district=$DISTRICT"
  "/api/progress/?district=$DISTRICT")
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg);" \
  "2 app hosts x $WORKERS gunicorn workers, $WRITERS officials writing, ${DURATION} s per scenario"
echo "| scenario | clients | requests/s | p50 ms | p99 ms | errors | saves acknowledged / in the database | failed saves |"
echo "|---|---|---|---|---|---|---|---|"

# scenario KEY LABEL CLIENTS [EVENT]: readers and writers for DURATION seconds; EVENT runs in the background meanwhile.
# Set for one scenario: DASHBOARD_ONLY=1 (leaders read only the dashboard), WRITERS_NOW (how many officials write),
# WRITE_PAUSE (seconds each official waits after a save; 0: as fast as the site answers).
scenario() {
  local key=$1 name=$2 clients=$3 event=${4:-} readers writer pages=("${PAGES[@]}")
  [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $key "* ]] || return 0
  [ -z "${DASHBOARD_ONLY:-}" ] || pages=("${PAGES[0]}")
  # Every worker's first requests compile its templates and fill the shared cache: measured apart (warm-up below),
  # they would put one worker start's cost into every scenario's p99.
  wrk -t2 -c8 -d"${WARM_UP}s" -H "Cookie: sessionid=$SESSION" -s bench/cluster.lua "http://$FRONT" -- "${pages[@]}" \
    >"$RUN/warm-up.out"
  BASE="http://$FRONT" SECONDS_TO_WRITE=$DURATION SCENARIO=$key WRITERS_NOW=${WRITERS_NOW:-$WRITERS} \
    WRITE_PAUSE=${WRITE_PAUSE:-0} $PY bench/cluster.py write "$RUN/setup.json" "$RUN/writes.log" &
  writer=$!
  wrk -t2 -c"$clients" -d"${DURATION}s" --timeout 10s -H "Cookie: sessionid=$SESSION" \
    -s bench/cluster.lua "http://$FRONT" -- "${pages[@]}" >"$RUN/wrk.out" &
  readers=$!
  # The event runs in this shell (not in the background), so that the processes it starts are stopped at the end.
  [ -z "$event" ] || $event >>"$RUN/events.log" 2>&1
  wait $readers $writer
  read -r _ rps p50 p99 connect read write timeout codes < <(grep '^RESULT' "$RUN/wrk.out")
  local errors=""
  for kind in connect read write timeout; do [ "${!kind}" = 0 ] || errors+="$kind=${!kind} "; done
  errors+=${codes//,/ }
  local saves
  saves=$($PY bench/cluster.py check "$RUN/writes.log" | awk -v s="$key" '$1 == s {print $2 " / " $3 " | " $4}')
  echo "| $name | $clients | $rps | $p50 | $p99 | ${errors:-0} | ${saves:-0 / 0 | -} |"
  hosts_ready
}

at_third() { sleep $((DURATION / 3)); }
kill_host() { at_third; echo "$(date +%T) host 1 killed"; host_kill 1; at_third; echo "$(date +%T) host 1 started"; host_up 1; }
stop_redis() { at_third; echo "$(date +%T) redis stopped"; redis_down; at_third; echo "$(date +%T) redis started"; redis_up; }
health_while_down() {
  sleep 2
  echo "$(date +%T) /healthz on host 1 while the database is away:" \
    "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: $SITE" http://10.203.1.2:8000/healthz)"
}
cut_database() {
  at_third; echo "$(date +%T) database relay stopped"; relay_down; health_while_down
  sleep $((DURATION > 9 ? DURATION / 3 - 2 : 1)); echo "$(date +%T) database relay started"; relay_up
}
restart_postgres() {
  local cluster
  cluster=$(ls /etc/postgresql)
  at_third; echo "$(date +%T) PostgreSQL stopped"; pg_ctlcluster --skip-systemctl-redirect "$cluster" main stop -m fast
  health_while_down
  sleep $((DURATION > 9 ? DURATION / 3 - 2 : 1)); echo "$(date +%T) PostgreSQL started"; pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
}

scenario before "before: a local-memory cache in each worker" 50
for n in 1 2; do host_kill $n; host_up $n; done   # now with the shared Redis cache
hosts_ready
scenario shared50 "shared Redis cache" 50
DASHBOARD_ONLY=1 WRITERS_NOW=0 scenario dashboard50 "the dashboard only, nobody writing" 50
DASHBOARD_ONLY=1 WRITE_PAUSE=1 scenario dashboard50-paced "the dashboard only, each official saving once a second" 50
scenario shared200 "shared Redis cache" 200
scenario host-killed "app host 1 killed, started again" 50 kill_host
scenario redis-stopped "Redis stopped, started again" 50 stop_redis
scenario db-cut "database unreachable from the hosts, then back" 50 cut_database
[ -z "$WITH_PG_RESTART" ] || scenario pg-restart "PostgreSQL restarted" 50 restart_postgres
sed 's/^/    /' "$RUN/events.log"
grep -hE "is (UP|DOWN)|backend .* has no server" "$RUN/haproxy.log" | sed 's/^/    haproxy: /' || true
