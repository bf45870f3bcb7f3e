#!/usr/bin/env bash
# The README's "At scale" on one machine, end to end, with figures:
#   1. PostgreSQL databases for the service and for Prefect (dropped and made afresh);
#   2. a Prefect server on PostgreSQL, `resettlement flows setup` (process work pool, the
#      automation that crashes runs whose heartbeats stop), `prefect deploy --all`;
#   3. two workers (`resettlement flows worker`) on the service's database;
#   4. the daily scan through its deployment; one worker's machine "lost" mid-run (the worker
#      and its flow-run process killed with SIGKILL); the run marked Crashed by the
#      automation, retried, finished by the other worker, and the database checked for
#      anything done twice;
#   5. a mixed load (locust, headless: 90% reads of plans and of the leaver's plan, 10%
#      checklist writes; the leaver rate limit set out of the way) for a fixed time against
#      one uvicorn worker, then two, on the same database: throughput, p50, p99, two/one.
#
#   bench/cluster.sh [PLANS] [LOAD_SECONDS] [USERS]      defaults: 20000 60 32
#   PG_URL=postgresql://postgres@127.0.0.1:5432 (a role that may create databases)
# Locust is installed into .venv/locust (not part of the service's lock).
set -euo pipefail
source "$(dirname "$0")/../scripts/bootstrap.sh" ""
PLANS="${1:-20000}"; LOAD_SECONDS="${2:-60}"; USERS="${3:-32}"
PG_URL="${PG_URL:-postgresql://postgres@127.0.0.1:5432}"
APP_DB=resettlement_cluster; PREFECT_DB=resettlement_cluster_prefect
WORK="$(mktemp -d -t resettlement-cluster-XXXX)"
export PREFECT_HOME="$WORK/prefect-home" PREFECT_SERVER_ANALYTICS_ENABLED=false
export RESETTLEMENT_DATA_DIR="$WORK/data"
export DATABASE_URL="$PG_URL/$APP_DB"
# Out of the way of the load test: limits per prison leaver (each user picks many leavers).
export RESETTLEMENT_LEAVER_REQUESTS_PER_MINUTE=1000000 RESETTLEMENT_LEAVER_BURST=1000000
say() { printf '\n== %s\n' "$*"; }
free_port() { python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

started=()
start() {  # start LOG COMMAND...: in its own process group, remembered for the clean-up
  local log="$1"; shift
  setsid "$@" >"$WORK/$log" 2>&1 &
  started+=("$!")
}
cleanup() {
  for pid in "${started[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  sleep 2
  for pid in "${started[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
wait_http() { for _ in $(seq 120); do curl -sf "$1" >/dev/null && return 0; sleep 1; done; echo "no answer from $1"; return 1; }

if [ ! -x .venv/locust/bin/locust ]; then
  say "Installing locust into .venv/locust"
  .venv/bin/uv venv -q .venv/locust && .venv/bin/uv pip install -q --python .venv/locust/bin/python "locust==2.47.0"
fi

say "Databases $APP_DB and $PREFECT_DB on $PG_URL; $PLANS plans (made up)"
python - "$PG_URL" "$APP_DB" "$PREFECT_DB" <<'PY'
import sys
from sqlalchemy import create_engine, text
url, *names = sys.argv[1:]
admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://") + "/postgres", isolation_level="AUTOCOMMIT")
with admin.connect() as c:
    for name in names:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
PY
python - "$PLANS" <<'PY'
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("bench_api", "bench/api.py")
bench_api = importlib.util.module_from_spec(spec)
sys.modules["bench_api"] = bench_api  # dataclasses look their module up there
spec.loader.exec_module(bench_api)
bench_api.BENCH_DB = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
bench_api.seed(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"), int(sys.argv[1]))
PY

say "Prefect server on PostgreSQL"
PREFECT_PORT="$(free_port)"
export PREFECT_API_URL="http://127.0.0.1:$PREFECT_PORT/api"
PREFECT_API_DATABASE_CONNECTION_URL="${PG_URL/postgresql:/postgresql+asyncpg:}/$PREFECT_DB" \
  start server.log prefect server start --host 127.0.0.1 --port "$PREFECT_PORT"
wait_http "$PREFECT_API_URL/health"
resettlement flows setup
prefect --no-prompt deploy --all >"$WORK/deploy.log" 2>&1 || { cat "$WORK/deploy.log"; exit 1; }
prefect deployment ls

say "Two workers"
export PREFECT_WORKER_QUERY_SECONDS=2
start worker-1.log resettlement flows worker --pool resettlement
start worker-2.log resettlement flows worker --pool resettlement
sleep 10

say "The daily scan through its deployment, in small batches so it runs a while"
AS_OF="$(python -c 'from resettlement import clock; print(clock.today())')"
RUN_ID="$(python - "$AS_OF" <<'PY'
import sys
from prefect.deployments import run_deployment
run = run_deployment("daily-release-scan/daily-release-scan", parameters={"as_of": sys.argv[1], "batch_size": 20}, timeout=0)
print(run.id)
PY
)"
echo "flow run $RUN_ID for $AS_OF"
api() { local path="$1"; shift; curl -sf "$@" "$PREFECT_API_URL$path"; }
field() { python -c "import json,sys; r=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
for _ in $(seq 300); do
  state="$(api "/flow_runs/$RUN_ID" | field 'r["state"]["type"]')"
  [ "$state" = RUNNING ] && break; sleep 1
done
sleep 8  # a few batches in
run_pid="$(api "/flow_runs/$RUN_ID" | field 'r["infrastructure_pid"].rsplit(":", 1)[-1]')"
worker_pid="$(ps -o ppid= -p "$run_pid" | tr -d ' ')"
done_before="$(api "/task_runs/count" -X POST -H 'content-type: application/json' \
  -d "{\"flow_runs\": {\"id\": {\"any_\": [\"$RUN_ID\"]}}, \"task_runs\": {\"state\": {\"type\": {\"any_\": [\"COMPLETED\"]}}}}")"
echo "killing the worker $worker_pid and its flow-run process $run_pid (SIGKILL) after $done_before tasks"
kill -KILL "$run_pid" "$worker_pid"
lost_at=$(date +%s)
for _ in $(seq 300); do
  state="$(api "/flow_runs/$RUN_ID" | field 'r["state"]["type"]')"
  [ "$state" != RUNNING ] && break; sleep 2
done
echo "the run was marked $state $(( $(date +%s) - lost_at )) s after the machine was lost"
prefect flow-run retry "$RUN_ID" >/dev/null
for _ in $(seq 600); do
  state="$(api "/flow_runs/$RUN_ID" | field 'r["state"]["type"]')"
  case "$state" in COMPLETED|FAILED|CRASHED|CANCELLED) break;; esac; sleep 1
done
echo "retried: $state, by pid $(api "/flow_runs/$RUN_ID" | field 'r["infrastructure_pid"]') (the other worker)"
[ "$state" = COMPLETED ]
python - "$AS_OF" <<'PY'
import os, sys
from sqlalchemy import create_engine, text
engine = create_engine(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
with engine.connect() as c:
    twice = c.execute(text(
        "SELECT count(*) FROM (SELECT plan_id, to_state FROM plan_event WHERE kind = 'transition' "
        "GROUP BY plan_id, to_state HAVING count(*) > 1) t")).scalar_one()
    messages = c.execute(text("SELECT count(*), count(DISTINCT idempotency_key) FROM notification")).one()
    moved = c.execute(text("SELECT count(*) FROM plan_event WHERE kind = 'transition'")).scalar_one()
print(f"after the lost run and its retry: {moved} transitions, {twice} of them twice; "
      f"{messages[0]} messages, {messages[1]} distinct")
assert twice == 0 and messages[0] == messages[1]
PY

say "Mixed load: $USERS locust users for $LOAD_SECONDS s, 90% reads / 10% writes"
export CLUSTER_TOKENS="$WORK/tokens.json"
python - "$CLUSTER_TOKENS" <<'PY'
import json, os, sys
from sqlalchemy import create_engine, text
from api.auth import mint_token
engine = create_engine(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
with engine.connect() as c:
    rows = c.execute(text("SELECT id, probation_officer_id FROM release_plan ORDER BY id LIMIT 5000")).all()
officers = {o: mint_token(role="probation_officer", user=o) for o in {r[1] for r in rows}}
plans = [[i, officers[o], mint_token(role="prison_leaver", user=f"leaver-{i}", plan=i)] for i, o in rows]
json.dump({"plans": plans}, open(sys.argv[1], "w"))
PY
results=()
for workers in 1 2; do
  port="$(free_port)"
  start "api-$workers.log" uvicorn api.main:app --host 127.0.0.1 --port "$port" \
    --workers "$workers" --log-level warning --no-access-log
  wait_http "http://127.0.0.1:$port/readyz"
  .venv/locust/bin/locust -f bench/cluster_locust.py --headless --host "http://127.0.0.1:$port" \
    -u "$USERS" -r "$USERS" -t "${LOAD_SECONDS}s" --csv "$WORK/load-$workers" --only-summary \
    >"$WORK/locust-$workers.log" 2>&1 || true
  kill -TERM -- "-${started[-1]}"; sleep 2
  results+=("$WORK/load-${workers}_stats.csv")
done
python - "${results[@]}" <<'PY'
import csv, sys
rows = []
for workers, path in enumerate(sys.argv[1:], start=1):
    for r in csv.DictReader(open(path)):
        if r["Name"] == "Aggregated":
            rows.append((workers, float(r["Requests/s"]), r["50%"], r["99%"], r["Request Count"], r["Failure Count"]))
print(f"{'API workers':>11} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'requests':>9} {'failures':>9}")
for w, rps, p50, p99, n, f in rows:
    print(f"{w:>11} {rps:>8.0f} {p50:>7} {p99:>7} {n:>9} {f:>9}")
print(f"two workers / one: {rows[1][1] / rows[0][1]:.2f}x the throughput")
PY
echo "logs in $WORK"
