#!/usr/bin/env bash
# Runs COMMAND with a throwaway PostgreSQL server: initdb into a temporary folder, the
# server on a free TCP port of 127.0.0.1 (its unix socket in that folder, never in
# /var/run), a database kaif_test, and
#   KAIF_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:PORT/kaif_test
# exported for COMMAND. The server is stopped and the folder removed however COMMAND ends.
# PostgreSQL refuses to run as root: as root (CI, containers) the server runs as the
# `postgres` user, which owns the folder. PG_BIN overrides where initdb and pg_ctl are.
# Usage: tests/support/with_postgres.sh COMMAND [ARGS...]; exits with COMMAND's status.
set -euo pipefail
if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

bin=${PG_BIN:-}
if [ -z "$bin" ]; then
  if command -v initdb >/dev/null 2>&1; then
    bin=$(dirname "$(readlink -f "$(command -v initdb)")")
  else  # Debian keeps the server's programs out of PATH, one folder per major version
    bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "with_postgres.sh: no PostgreSQL server programs (initdb, pg_ctl); install postgresql or set PG_BIN" >&2
  exit 1
fi

as_server=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "with_postgres.sh: running as root needs a 'postgres' user to run the server" >&2
    exit 1
  fi
  as_server=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/kaif-postgres.XXXXXX)
started=""
# shellcheck disable=SC2317  # run by the trap
cleanup() {
  local status=$?
  if [ -n "$started" ]; then
    (cd "$dir" && "${as_server[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1) || true
  fi
  rm -rf "$dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ ${#as_server[@]} -gt 0 ]; then chown postgres: "$dir"; fi

# A port nothing listens on now (the kernel's choice); the server takes it a moment later.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The server's programs run from the folder: the postgres user may not enter the caller's.
cd "$dir"
if ! "${as_server[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C \
    >"$dir/initdb.log" 2>&1; then
  echo "with_postgres.sh: initdb failed:" >&2
  cat "$dir/initdb.log" >&2
  exit 1
fi
started=yes
if ! "${as_server[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null; then
  echo "with_postgres.sh: the server did not start:" >&2
  cat "$dir/server.log" >&2
  exit 1
fi
"${as_server[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres kaif_test
cd - >/dev/null

export KAIF_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/kaif_test"
set +e
"$@"
exit $?
