#!/usr/bin/env bash
# Two instances of the service on one PostgreSQL database: a private PostgreSQL server (its
# own directory under data-pg/, a loopback port), the development Kafka cluster, two
# `scheduler serve` processes on ports 8080 and 8081 (SCHEDULER_DATABASE_URL, an instance id
# each, one data directory for the local calendars and the written mail), and the
# availability responder. Prints a curl for each instance, then serves until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${SCHEDULER_BIN:-.build/debug/scheduler}
data=${SCHEDULER_DATA_DIR:-data-pg}
pg_port=${SCHEDULER_PG_PORT:-55432}
ports=(8080 8081)
mkdir -p "$data"
data=$(cd "$data" && pwd)

pids=()
stop() {
    trap - EXIT INT TERM
    for pid in "${pids[@]:1}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]:1}"; do wait "$pid" 2>/dev/null || true; done
    [[ ${#pids[@]} -gt 0 ]] && kill -TERM "${pids[0]}" 2>/dev/null || true
    wait 2>/dev/null || true
    scripts/postgres-server.sh stop "$data/postgres" || true
}
trap stop EXIT INT TERM
# Should this script be killed outright (no trap runs then), its servers stop on their own.
export SCHEDULER_EXIT_WITH_PARENT=$$

scripts/postgres-server.sh start "$data/postgres" "$pg_port"
psql -h "$data/postgres" -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'scheduler'" | grep -q 1 \
    || psql -h "$data/postgres" -p "$pg_port" -U postgres -qc "CREATE DATABASE scheduler"

"$bin" dev-cluster > "$data/dev-cluster.out" 2> "$data/dev-cluster.log" &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$data/dev-cluster.out" ]] && break; sleep 0.1; done
bootstrap=$(head -n 1 "$data/dev-cluster.out")
[[ -n "$bootstrap" ]] || { echo "the development cluster did not start; see $data/dev-cluster.log" >&2; exit 1; }

export KAFKA_BOOTSTRAP_SERVERS=$bootstrap
# The mock cluster's habits (docs/kafka.md): short sessions, waits and poll interval.
export KAFKA_CONSUMER_PROPERTY_SESSION_TIMEOUT_MS=6000 KAFKA_CONSUMER_PROPERTY_HEARTBEAT_INTERVAL_MS=500 KAFKA_CONSUMER_PROPERTY_FETCH_WAIT_MAX_MS=10 KAFKA_CONSUMER_PROPERTY_MAX_POLL_INTERVAL_MS=20000
export SCHEDULER_DATA_DIR=$data SCHEDULER_LOG_FORMAT=${SCHEDULER_LOG_FORMAT:-json}
export SCHEDULER_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/scheduler"

for index in 0 1; do
    SCHEDULER_PORT=${ports[$index]} SCHEDULER_INSTANCE_ID="instance-$index" "$bin" serve --embedded 2> "$data/service-$index.log" &
    pids+=($!)
done
"$bin" availability-responder --embedded --data-directory "$data/responder" 2> "$data/responder.log" &
pids+=($!)

for port in "${ports[@]}"; do
    for _ in $(seq 1 150); do
        curl -fs "http://127.0.0.1:$port/health/ready" > /dev/null 2>&1 && break
        sleep 0.2
    done
    curl -fs "http://127.0.0.1:$port/health/ready" > /dev/null || { echo "the instance on $port did not become ready; see $data/service-*.log" >&2; exit 1; }
done

token=$("$bin" token --subject recruiter@example.com --role recruiter)
from=$(date -u -d "+1 day" +%Y-%m-%dT00:00:00Z)
to=$(date -u -d "+8 days" +%Y-%m-%dT00:00:00Z)
cat <<TEXT

Two instances share PostgreSQL on 127.0.0.1:$pg_port (database "scheduler"): http://127.0.0.1:${ports[0]} and
http://127.0.0.1:${ports[1]} (Kafka: $bootstrap; logs in $data/). Ask one, follow on the other:

REQUEST_ID=\$(curl -s -X POST http://127.0.0.1:${ports[0]}/api/v1/scheduling-requests \\
  -H 'Authorization: Bearer $token' -H 'Content-Type: application/json' \\
  -d '{"candidate": {"id": "cand-ada", "name": "Ada Lovelace", "email": "ada@candidates.example", "timeZone": "Europe/Berlin"},
       "interviewers": [{"name": "Grace Hopper", "email": "grace@example.com", "timeZone": "America/New_York"},
                        {"name": "Alan Turing", "email": "alan@example.com", "timeZone": "Europe/London"}],
       "durationMinutes": 60, "window": {"start": "$from", "end": "$to"}, "title": "Panel interview: Ada Lovelace"}' \\
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["requestId"])'); echo \$REQUEST_ID

curl -s http://127.0.0.1:${ports[1]}/api/v1/scheduling-requests/\$REQUEST_ID -H 'Authorization: Bearer $token'

Stop one instance (kill -TERM <pid>) and the other goes on: it takes over the sagas once their
leases run out, and the relays' lease at once. PIDs: ${pids[1]} (${ports[0]}), ${pids[2]} (${ports[1]}).
Stop everything with Ctrl-C.
TEXT
wait -n
