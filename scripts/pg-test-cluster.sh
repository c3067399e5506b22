#!/usr/bin/env bash
# A throwaway PostgreSQL cluster (15 or newer: scripts/pg-bin.sh) for integration tests and experiments, on loopback only.
#   scripts/pg-test-cluster.sh start [PORT]   prints DATABASE_URL=... and PG_TEST_DIR=... (one per line)
#   scripts/pg-test-cluster.sh stop DIR       stops the cluster started in DIR and removes DIR
# fsync and full-page writes are off: the data is disposable, and tests should not wait on the disk.
# initdb refuses to run as root, so as root the server runs as the `postgres` OS user.
set -euo pipefail

PG_BIN="$("$(dirname "$0")/pg-bin.sh" || true)"

as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    port="${2:-55432}"
    [ -n "$PG_BIN" ] || { echo "no PostgreSQL 15+ server binaries (set PG_BIN, or install them)" >&2; exit 3; }
    dir="$(mktemp -d "${TMPDIR:-/tmp}/adalqarau-pg.XXXXXX")"
    if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$dir"; fi
    as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
      --no-instructions >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
    echo "PG_TEST_DIR=$dir"
    ;;
  stop)
    dir="${2:?usage: pg-test-cluster.sh stop DIR}"
    case "$dir" in
      */adalqarau-pg.*) ;;
      *) echo "refusing to stop a cluster outside a pg-test-cluster directory: $dir" >&2; exit 2 ;;
    esac
    if [ -d "$dir/data" ]; then as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start [PORT] | stop DIR" >&2
    exit 2
    ;;
esac
