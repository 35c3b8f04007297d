#!/usr/bin/env bash
# The embedded default: a development Kafka cluster, the scheduling service on port 8080
# with SQLite in ./data and the local calendar provider, and the availability responder over
# the feeds in ical-samples/, as three processes talking over Kafka. Prints a ready-to-paste
# curl that books a panel interview, then serves until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${SCHEDULER_BIN:-.build/debug/scheduler}
data=${SCHEDULER_DATA_DIR:-data}
port=${SCHEDULER_PORT:-8080}
mkdir -p "$data"

pids=()
# The service and the responder shut down gracefully (committing what they handled) while
# Kafka is still there; the cluster goes last.
stop() {
    trap - EXIT INT TERM
    for pid in "${pids[@]:1}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]:1}"; do wait "$pid" 2>/dev/null || true; done
    kill -TERM "${pids[0]}" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop EXIT INT TERM
# Should this script be killed outright (no trap runs then), its servers stop on their own.
export SCHEDULER_EXIT_WITH_PARENT=$$

"$bin" dev-cluster > "$data/dev-cluster.out" 2> "$data/dev-cluster.log" &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$data/dev-cluster.out" ]] && break; sleep 0.1; done
bootstrap=$(head -n 1 "$data/dev-cluster.out")
[[ -n "$bootstrap" ]] || { echo "the development cluster did not start; see $data/dev-cluster.log" >&2; exit 1; }

# The mock cluster ignores LeaveGroup, holds fetches and can lose a JoinGroup: short
# sessions, waits and poll interval keep a restarted process quick (see docs/kafka.md).
export KAFKA_BOOTSTRAP_SERVERS=$bootstrap
export KAFKA_CONSUMER_PROPERTY_SESSION_TIMEOUT_MS=6000 KAFKA_CONSUMER_PROPERTY_HEARTBEAT_INTERVAL_MS=500 KAFKA_CONSUMER_PROPERTY_FETCH_WAIT_MAX_MS=10 KAFKA_CONSUMER_PROPERTY_MAX_POLL_INTERVAL_MS=20000
export SCHEDULER_DATA_DIR=$data SCHEDULER_PORT=$port SCHEDULER_LOG_FORMAT=${SCHEDULER_LOG_FORMAT:-json}

"$bin" serve --embedded 2> "$data/service.log" &
pids+=($!)
"$bin" availability-responder --embedded --data-directory "$data/responder" 2> "$data/responder.log" &
pids+=($!)

for _ in $(seq 1 150); do
    curl -fs "http://127.0.0.1:$port/health/ready" > /dev/null 2>&1 && break
    sleep 0.2
done
curl -fs "http://127.0.0.1:$port/health/ready" > /dev/null || { echo "the service did not become ready; see $data/service.log" >&2; exit 1; }

token=$("$bin" token --subject recruiter@example.com --role recruiter)
from=$(date -u -d "+1 day" +%Y-%m-%dT00:00:00Z)
to=$(date -u -d "+8 days" +%Y-%m-%dT00:00:00Z)
cat <<TEXT

The scheduling service is ready on http://127.0.0.1:$port (Kafka: $bootstrap; logs in $data/).
Book a panel interview across New York, London and Berlin:

REQUEST_ID=\$(curl -s -X POST http://127.0.0.1:$port/api/v1/scheduling-requests \\
  -H 'Authorization: Bearer $token' \\
  -H 'Content-Type: application/json' -H 'Idempotency-Key: first-interview' \\
  -d '{"candidate": {"id": "cand-ada", "name": "Ada Lovelace", "email": "ada@candidates.example", "timeZone": "Europe/Berlin"},
       "interviewers": [{"name": "Grace Hopper", "email": "grace@example.com", "timeZone": "America/New_York"},
                        {"name": "Alan Turing", "email": "alan@example.com", "timeZone": "Europe/London"}],
       "durationMinutes": 60, "window": {"start": "$from", "end": "$to"}, "ranking": "humane",
       "title": "Panel interview: Ada Lovelace", "meetingUrl": "https://meet.example/ada"}' \\
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["requestId"])'); echo \$REQUEST_ID

Then follow it (state "confirmed" within seconds) and fetch the candidate's invitation:

curl -s http://127.0.0.1:$port/api/v1/scheduling-requests/\$REQUEST_ID -H 'Authorization: Bearer $token'
curl -s http://127.0.0.1:$port/api/v1/interviews/iv-\$REQUEST_ID/invite.ics -H 'Authorization: Bearer $token'

The candidate's e-mail (iMIP: text, HTML and the invitation) is written, not sent, in embedded
mode; open it in any mail client (set SCHEDULER_SMTP_URL to send through a relay):

ls $data/mail/     # iv-\$REQUEST_ID.0.request@interview-scheduler.invalid.eml

Kafka: kcat -b $bootstrap -C -t enginedge.interview.scheduling.confirmed
Stop with Ctrl-C.
TEXT
wait -n
