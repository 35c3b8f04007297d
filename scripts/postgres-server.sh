#!/usr/bin/env bash
# A private PostgreSQL server for tests and local demos: its own data directory, a loopback
# port and a socket directory, no system service. PostgreSQL refuses to run as root; as root,
# the server runs as the `postgres` user that Debian's package creates.
#
#   scripts/postgres-server.sh start DIR PORT   # initdb on first use, then start; waits until ready
#   scripts/postgres-server.sh stop DIR         # fast shutdown
#   scripts/postgres-server.sh restart DIR      # stop and start again, same data
#
# Clients connect to 127.0.0.1:PORT (or the socket in DIR) as user `postgres`, no password.
set -euo pipefail

bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
  done
  command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return; }
  echo "postgres-server: no PostgreSQL server found (Debian: apt-get install postgresql)" >&2
  exit 1
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The server outlives this script: it must not keep descriptors its caller gave us (a test
# runner watches a socket until every holder is gone, and would wait for the server's exit).
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true
done

command=${1:?usage: postgres-server.sh start|stop|restart DIR [PORT]}
dir=${2:?data directory}
bin=$(bindir)
mkdir -p "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"

case "$command" in
  start)
    port=${3:?port}
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    echo "$port" >"$dir/port"
    # fsync off: a test server's data need not survive a power cut (a crash of PostgreSQL
    # itself is still recovered from its WAL). POSTGRES_SERVER_FSYNC=on for a benchmark, whose
    # commits must cost what a production server's do.
    fsync=${POSTGRES_SERVER_FSYNC:-off}
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=$fsync -c max_connections=500" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  restart)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 restart >/dev/null
    ;;
  *)
    echo "postgres-server: unknown command $command" >&2
    exit 2
    ;;
esac
