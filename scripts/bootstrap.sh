#!/usr/bin/env bash
# Installs what the service and its tests need, and nothing that is already there.
# Idempotent: a second run on a ready machine changes nothing and takes a second.
set -euo pipefail

DEBIAN_PACKAGES=(
  pkg-config
  librdkafka-dev   # Kafka client (systemLibrary CRdKafka)
  libical-dev      # iCalendar (systemLibrary CLibical)
  libsqlite3-dev   # SQLite under GRDB
  libcurl4-openssl-dev
  tzdata
  kcat             # external Kafka client used by end-to-end tests
  openssl          # RSA keys for the OAuth tests
  curl             # `make run` waits for the service's readiness with it
  sqlite3          # the contention benchmark counts overlapping calendar events with it
  python3 python3-pip
  chromium         # headless, drives the candidate's page in the end-to-end test (scripts/tests/browser.py)
  postgresql       # the PostgreSQL store's tests start a private server (scripts/postgres-server.sh)
  postgresql-client
)
# Independent peers the tests compare against (PyPI). schemathesis checks the API against
# docs/openapi.yaml (scripts/schemathesis.sh); pinned, so that its fixed seed gives the same run.
# aiosmtpd is the real SMTP server the mail tests send to (scripts/tests/smtp_server.py).
PYTHON_PACKAGES=(icalendar recurring-ical-events jsonschema pyyaml schemathesis==4.32.5 aiosmtpd)
PYTHON_MODULES=(icalendar recurring_ical_events jsonschema yaml schemathesis aiosmtpd)

log() { printf 'bootstrap: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else log "need root to run: $*"; exit 1
  fi
}

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  # A package is present when dpkg says "install ok installed"; for python3/pip a
  # working interpreter from elsewhere (pyenv) is good enough.
  case "$pkg" in
    python3) command -v python3 >/dev/null 2>&1 && continue ;;
    python3-pip) python3 -m pip --version >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

py_missing=()
for i in "${!PYTHON_MODULES[@]}"; do
  python3 -c "import ${PYTHON_MODULES[$i]}" >/dev/null 2>&1 || py_missing+=("${PYTHON_PACKAGES[$i]}")
done
if [ ${#py_missing[@]} -gt 0 ]; then
  log "installing Python test peers: ${py_missing[*]}"
  python3 -m pip install --quiet --disable-pip-version-check "${py_missing[@]}" \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${py_missing[@]}"
fi

command -v swift >/dev/null 2>&1 || { log "swift is not on PATH (expected a Swift 6 toolchain, e.g. /opt/swift/usr/bin)"; exit 1; }
log "ready"
