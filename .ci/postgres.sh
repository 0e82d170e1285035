# Sourced by .ci/run (`. .ci/postgres.sh && export TRIAGE_TEST_PG_URL`): start a throwaway
# PostgreSQL 15 server on a free port of 127.0.0.1 with trust auth, create the `triage` database and
# set TRIAGE_TEST_PG_URL for the snapshot store tests. It never fails CI: when PostgreSQL cannot
# start it prints a warning, leaves TRIAGE_TEST_PG_URL unset, and those tests skip with a reason.
# The server and its directory are removed when the sourcing shell exits.
#
# Sourced under `set -euo pipefail`, so everything runs inside a function called from an `if`
# (errexit is off there) and every variable it reads has a default.

TRIAGE_PG_BIN=${TRIAGE_PG_BIN:-/usr/lib/postgresql/15/bin}
TRIAGE_PG_DIR=""

_triage_pg_warn() {
  echo "postgres.sh: warning: $*; the PostgreSQL snapshot tests will be skipped" >&2
}

# Run a PostgreSQL binary as the cluster's owner: `postgres` when we are root (initdb refuses
# to run as root), ourselves otherwise.
_triage_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_triage_pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_triage_pg_stop() {
  if [ -n "${TRIAGE_PG_DIR:-}" ] && [ -d "$TRIAGE_PG_DIR/data" ]; then
    _triage_pg_as_owner "$TRIAGE_PG_BIN/pg_ctl" -D "$TRIAGE_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$TRIAGE_PG_DIR"
  fi
}

_triage_pg_start() {
  local port
  if [ ! -x "$TRIAGE_PG_BIN/initdb" ] || [ ! -x "$TRIAGE_PG_BIN/pg_ctl" ]; then
    _triage_pg_warn "no PostgreSQL binaries in $TRIAGE_PG_BIN"
    return 1
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    _triage_pg_warn "running as root and there is no 'postgres' user to own the cluster"
    return 1
  fi
  TRIAGE_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/triage-pg.XXXXXX") || { _triage_pg_warn "mktemp failed"; return 1; }
  chmod 755 "$TRIAGE_PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$TRIAGE_PG_DIR" || { _triage_pg_warn "cannot hand $TRIAGE_PG_DIR to postgres"; return 1; }
  fi
  port=$(_triage_pg_free_port) || { _triage_pg_warn "no free port found"; return 1; }
  # -N: skip fsync; the cluster is thrown away after the run.
  if ! _triage_pg_as_owner "$TRIAGE_PG_BIN/initdb" -D "$TRIAGE_PG_DIR/data" -U triage --auth=trust \
      -E UTF8 --locale=C -N >"$TRIAGE_PG_DIR/initdb.log" 2>&1; then
    _triage_pg_warn "initdb failed: $(tail -n 3 "$TRIAGE_PG_DIR/initdb.log" | tr '\n' ' ')"
    return 1
  fi
  # Durability settings off: speed matters here, the data does not.
  if ! _triage_pg_as_owner "$TRIAGE_PG_BIN/pg_ctl" -D "$TRIAGE_PG_DIR/data" -l "$TRIAGE_PG_DIR/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $TRIAGE_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      -w -t 10 start >/dev/null 2>&1; then
    _triage_pg_warn "the server did not start: $(tail -n 3 "$TRIAGE_PG_DIR/server.log" 2>/dev/null | tr '\n' ' ')"
    return 1
  fi
  if ! _triage_pg_as_owner "$TRIAGE_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U triage triage >/dev/null 2>&1; then
    _triage_pg_warn "createdb triage failed"
    return 1
  fi
  TRIAGE_TEST_PG_URL="postgresql+psycopg://triage@127.0.0.1:$port/triage"
  echo "postgres.sh: PostgreSQL running for the tests at $TRIAGE_TEST_PG_URL" >&2
}

if [ -n "${TRIAGE_TEST_PG_URL:-}" ]; then
  echo "postgres.sh: using the PostgreSQL server already named by TRIAGE_TEST_PG_URL" >&2
elif _triage_pg_start; then
  trap _triage_pg_stop EXIT
else
  _triage_pg_stop
  unset TRIAGE_TEST_PG_URL
fi
true
