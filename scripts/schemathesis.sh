#!/usr/bin/env bash
# The API against its own contract. Starts a development Kafka cluster, the scheduling service
# in its production configuration (brokers, a fresh random signing key and the organiser given,
# nothing left to development defaults), and an availability responder that answers for every
# interviewer, as the end-to-end tests do; then runs schemathesis over docs/openapi.yaml with
# every phase (examples, coverage, fuzzing, stateful), every check, a fixed seed and a bounded
# number of examples. Any failure or error exits non-zero. Every process it started is stopped
# on every path; the logs are kept (and their place printed) when something went wrong.
#
#   scripts/schemathesis.sh
#   SCHEMATHESIS_SEED=7 SCHEMATHESIS_MAX_EXAMPLES=300 scripts/schemathesis.sh
#
# Hooks: scripts/schemathesis_hooks.py (rules the document states only in prose);
# configuration: scripts/schemathesis.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=${SCHEDULER_BIN:-$root/.build/debug/scheduler}
seed=${SCHEMATHESIS_SEED:-20261130}
examples=${SCHEMATHESIS_MAX_EXAMPLES:-100}

fail() { echo "schemathesis.sh: $*" >&2; exit 1; }
[[ -x $bin ]] || fail "$bin is missing; build it first (swift build)"
version=$(python3 -m schemathesis.cli --version 2> /dev/null) || fail "schemathesis is not installed; run scripts/bootstrap.sh"
[[ $version == *", version 4."* ]] || fail "schemathesis 4.x is needed, found: $version"

work=$(mktemp -d "${TMPDIR:-/tmp}/schemathesis.XXXXXX")
cluster=
services=()
runner=

# SIGTERM, up to 20 s to finish, then SIGKILL.
terminate() {
    local pid alive
    for pid in "$@"; do kill -TERM "$pid" 2> /dev/null || true; done
    for _ in $(seq 1 200); do
        alive=0
        for pid in "$@"; do kill -0 "$pid" 2> /dev/null && alive=1; done
        ((alive)) || break
        sleep 0.1
    done
    for pid in "$@"; do
        kill -KILL "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
    done
}

# The service and the responder go first, while Kafka is still there; the cluster last.
stop() {
    local status=$?
    trap - EXIT INT TERM
    [[ -n $runner ]] && terminate "$runner"
    ((${#services[@]})) && terminate "${services[@]}"
    [[ -n $cluster ]] && terminate "$cluster"
    if ((status == 0)); then rm -rf "$work"; else echo "schemathesis.sh: logs in $work" >&2; fi
    exit "$status"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$bin" dev-cluster > "$work/dev-cluster.out" 2> "$work/dev-cluster.log" &
cluster=$!
for _ in $(seq 1 100); do [[ -s $work/dev-cluster.out ]] && break; sleep 0.1; done
bootstrap=$(head -n 1 "$work/dev-cluster.out")
[[ -n $bootstrap ]] || fail "the development cluster did not start; see $work/dev-cluster.log"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export KAFKA_BOOTSTRAP_SERVERS=$bootstrap
# The mock cluster ignores LeaveGroup, holds fetches and can lose a JoinGroup: short sessions,
# waits and poll interval (docs/kafka.md).
export KAFKA_CONSUMER_PROPERTY_SESSION_TIMEOUT_MS=6000 KAFKA_CONSUMER_PROPERTY_HEARTBEAT_INTERVAL_MS=500 KAFKA_CONSUMER_PROPERTY_FETCH_WAIT_MAX_MS=10 KAFKA_CONSUMER_PROPERTY_MAX_POLL_INTERVAL_MS=20000
export SCHEDULER_JWT_SECRET
SCHEDULER_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export SCHEDULER_ORGANIZER_EMAIL=interviews@scheduler.example SCHEDULER_MAIL_DIRECTORY=$work/mail
export SCHEDULER_DATA_DIR=$work/data SCHEDULER_SAGAS_DIR=$root/sagas SCHEDULER_HOST=127.0.0.1 SCHEDULER_PORT=$port SCHEDULER_LOG_FORMAT=json

# Every interviewer is answered with one sample feed's busy time, so requests get confirmed
# and the stateful phase reaches the interviews (GET, invitation, reschedule).
cat > "$work/responder.yaml" << YAML
interviewers:
  "*": { feed: $root/ical-samples/feeds/grace.ics, timeZone: America/New_York }
YAML

"$bin" serve 2> "$work/service.log" &
services+=($!)
"$bin" availability-responder --config "$work/responder.yaml" --data-directory "$work/responder" 2> "$work/responder.log" &
services+=($!)

for _ in $(seq 1 150); do
    curl -fs "http://127.0.0.1:$port/health/ready" > /dev/null 2>&1 && break
    kill -0 "${services[0]}" 2> /dev/null || fail "the service exited: $(tail -n 1 "$work/service.log")"
    sleep 0.2
done
curl -fs "http://127.0.0.1:$port/health/ready" > /dev/null || fail "the service did not become ready; see $work/service.log"
# Tokens for the configuration (scripts/schemathesis.toml): a recruiter's for every operation,
# an admin's for the admin-only erasure.
SCHEMATHESIS_RECRUITER_TOKEN=$("$bin" token --subject recruiter@example.com --role recruiter)
SCHEMATHESIS_ADMIN_TOKEN=$("$bin" token --subject dpo@example.com --role admin)
export SCHEMATHESIS_RECRUITER_TOKEN SCHEMATHESIS_ADMIN_TOKEN

echo "schemathesis.sh: the service on port $port, seed $seed, at most $examples examples per operation" >&2
started=$(date +%s)
status=0
# In the background, so that a signal to this script is handled at once (bash runs traps only
# between commands, and `wait` is interrupted by them); in the temporary directory, so that
# nothing is left in the working tree.
(cd "$work" && SCHEMATHESIS_HOOKS=$root/scripts/schemathesis_hooks.py exec python3 -m schemathesis.cli \
    --config-file "$root/scripts/schemathesis.toml" run "$root/docs/openapi.yaml" \
    --url "http://127.0.0.1:$port" \
    --phases examples,coverage,fuzzing,stateful --checks all --seed "$seed" --max-examples "$examples" \
    --continue-on-failure --generation-database none --request-timeout 20 --no-color \
    --report json --report-json-path "$work/report.json") &
runner=$!
wait "$runner" || status=$?
runner=
elapsed=$(($(date +%s) - started))

[[ -s $work/report.json ]] || fail "schemathesis wrote no report (exit status $status)"
python3 - "$work/report.json" "$elapsed" << 'PY'
import json, sys
report = json.load(open(sys.argv[1]))
cases = report["test_cases"]
print(f"schemathesis figures: {cases['generated']} cases generated, {cases['unique_failures']} unique failures "
      f"({cases['with_failures']} failing cases), {len(report['errors'])} errors, seed {report['seed']}, "
      f"{sys.argv[2]} s", file=sys.stderr)
PY
exit "$status"
