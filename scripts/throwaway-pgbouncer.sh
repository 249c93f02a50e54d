# Starts a throwaway PgBouncer in front of a PostgreSQL server, for the
# tests of lock = "table" and of everything migrator sends through a
# transaction pooler; sourced by scripts/test.
#
# start_throwaway_pgbouncer HOST PORT USER: Debian's `pgbouncer` in a
# temporary folder, on a free port of 127.0.0.1, with trust authentication
# for USER (the server must trust it too, as the throwaway PostgreSQL
# does), every database name passed on to the server of the same name,
# and pool_mode = transaction: each transaction may run on another server
# session. It is as strict as a transaction pooler gets: after every
# transaction the server session is reset (server_reset_query = DISCARD
# ALL, server_reset_query_always = 1), so whatever a client leaves in a
# session (a named prepared statement, a session advisory lock, a SET) is
# gone before its next transaction, wherever that lands, instead of
# lingering until the pool happens to hand the session elsewhere. Run as
# root, PgBouncer (which refuses root) runs as the user `migrator-test`.
# Sets THROWAWAY_PGBOUNCER_URL (to database `postgres`) and
# PGBOUNCER_PORT; stops PgBouncer and removes its folder when the calling
# script exits (before the EXIT trap that was set already, e.g. the one of
# the throwaway PostgreSQL it stands in front of).

find_pgbouncer() {
    local candidate
    for candidate in "$(command -v pgbouncer 2>/dev/null)" /usr/sbin/pgbouncer /usr/bin/pgbouncer /usr/local/bin/pgbouncer; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            echo "$candidate"
            return
        fi
    done
    return 1
}

start_throwaway_pgbouncer() {
    local server_host=$1 server_port=$2 user=$3 bin
    if ! bin=$(find_pgbouncer); then
        echo "throwaway-pgbouncer: PgBouncer is not installed." >&2
        echo "  Install it (Debian/Ubuntu: apt-get install pgbouncer), or set" >&2
        echo "  MIGRATOR_TEST_PGBOUNCER_URL=postgres://USER@HOST:PORT/postgres to a PgBouncer in" >&2
        echo "  transaction pooling mode in front of the server of MIGRATOR_TEST_POSTGRES_URL." >&2
        exit 1
    fi
    PGBOUNCER_TMP=$(mktemp -d /tmp/migrator-pgbouncer.XXXXXX)
    PGBOUNCER_PORT=$(free_port)
    local run_as=()
    if [ "$(id -u)" = 0 ]; then
        id migrator-test >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin migrator-test
        run_as=(runuser -u migrator-test --)
    fi
    printf '"%s" ""\n' "$user" >"$PGBOUNCER_TMP/userlist.txt"
    cat >"$PGBOUNCER_TMP/pgbouncer.ini" <<INI
[databases]
* = host=$server_host port=$server_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $PGBOUNCER_TMP/userlist.txt
pool_mode = transaction
server_reset_query = DISCARD ALL
server_reset_query_always = 1
max_client_conn = 1000
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = $PGBOUNCER_TMP/pgbouncer.log
pidfile = $PGBOUNCER_TMP/pgbouncer.pid
INI
    [ ${#run_as[@]} -eq 0 ] || chown -R migrator-test "$PGBOUNCER_TMP"
    "${run_as[@]}" "$bin" -d "$PGBOUNCER_TMP/pgbouncer.ini" >"$PGBOUNCER_TMP/start.log" 2>&1 \
        || { cat "$PGBOUNCER_TMP/start.log" "$PGBOUNCER_TMP/pgbouncer.log" >&2 2>/dev/null; exit 1; }
    local previous
    previous=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
    # shellcheck disable=SC2064 # the previous trap is read now, on purpose
    trap "stop_throwaway_pgbouncer${previous:+; $previous}" EXIT
    local tries=0
    until (exec 3<>"/dev/tcp/127.0.0.1/$PGBOUNCER_PORT") 2>/dev/null; do
        tries=$((tries + 1))
        if [ $tries -gt 100 ]; then
            echo "throwaway-pgbouncer: PgBouncer did not start listening on 127.0.0.1:$PGBOUNCER_PORT" >&2
            cat "$PGBOUNCER_TMP/pgbouncer.log" >&2 2>/dev/null
            exit 1
        fi
        sleep 0.1
    done
    THROWAWAY_PGBOUNCER_URL="postgres://$user@127.0.0.1:$PGBOUNCER_PORT/postgres"
    echo "throwaway-pgbouncer: $("$bin" --version | head -1) on 127.0.0.1:$PGBOUNCER_PORT in transaction pooling, in front of $server_host:$server_port ($PGBOUNCER_TMP)" >&2
}

stop_throwaway_pgbouncer() {
    if [ -n "${PGBOUNCER_TMP:-}" ] && [ -f "$PGBOUNCER_TMP/pgbouncer.pid" ]; then
        kill "$(cat "$PGBOUNCER_TMP/pgbouncer.pid")" 2>/dev/null || true
        local tries=0
        while [ -f "$PGBOUNCER_TMP/pgbouncer.pid" ] && [ $tries -lt 50 ]; do
            sleep 0.1
            tries=$((tries + 1))
        done
    fi
    [ -z "${PGBOUNCER_TMP:-}" ] || rm -rf "$PGBOUNCER_TMP"
}
