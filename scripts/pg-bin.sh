#!/usr/bin/env bash
# Prints the folder of the PostgreSQL server binaries the tests and benchmarks use: $PG_BIN when set, else the
# newest installed major version from 15 on ($PG_LIB_ROOT/N/bin, /usr/lib/postgresql/N/bin by default). Exits 1,
# printing nothing, when there is none.
set -euo pipefail
if [ -n "${PG_BIN:-}" ]; then
  [ -x "$PG_BIN/pg_ctl" ] || exit 1
  echo "$PG_BIN"
  exit 0
fi
root="${PG_LIB_ROOT:-/usr/lib/postgresql}"
best=""
for dir in "$root"/*/bin; do
  major=$(basename "$(dirname "$dir")")
  case "$major" in '' | *[!0-9]*) continue ;; esac
  if [ "$major" -ge 15 ] && [ -x "$dir/pg_ctl" ] && { [ -z "$best" ] || [ "$major" -gt "$best" ]; }; then best=$major; fi
done
[ -n "$best" ] || exit 1
echo "$root/$best/bin"
