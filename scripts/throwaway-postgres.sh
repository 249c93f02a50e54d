# Starts a throwaway PostgreSQL cluster for the tests and the benchmark;
# sourced by scripts/test and bench/run.
#
# start_throwaway_postgres: initdb + pg_ctl in a temporary folder, on a free
# port, trust authentication on loopback only, plus a role `migrator_pw`
# (password `migrator_pw_secret`, scram) for the authentication tests. Run
# as root, the server runs as the user `migrator-test`, because PostgreSQL
# refuses root. With openssl at hand the server also speaks TLS, with a
# certificate for `localhost` from a throwaway authority whose certificate
# THROWAWAY_POSTGRES_CA names, and a role `migrator_cert` that logs in over
# TLS with a client certificate alone (`cert` authentication; client.crt and
# client.key beside the authority). Sets THROWAWAY_POSTGRES_URL, PG_BIN and PG_PORT; stops the
# server and removes its folder when the calling script exits. PG_FSYNC=off
# trades durability for speed (the tests do; the benchmark does not).

find_pg_bin() {
    local dir
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin; do
        if [ -x "$dir/initdb" ]; then
            echo "$dir"
            return
        fi
    done
    if command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return
    fi
    return 1
}

free_port() {
    python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PY
}

start_throwaway_postgres() {
    local bin
    if ! bin=$(find_pg_bin); then
        echo "throwaway-postgres: PostgreSQL's server (initdb, pg_ctl) is not installed." >&2
        echo "  Install it (Debian/Ubuntu: apt-get install postgresql), or set" >&2
        echo "  MIGRATOR_TEST_POSTGRES_URL=postgres://USER@HOST:PORT/postgres to a server to use." >&2
        exit 1
    fi
    PG_TMP=$(mktemp -d /tmp/migrator-pg.XXXXXX)
    local run_as=()
    if [ "$(id -u)" = 0 ]; then
        id migrator-test >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin migrator-test
        chown migrator-test "$PG_TMP"
        run_as=(runuser -u migrator-test --)
    fi
    PG_RUN_AS=("${run_as[@]}")
    PG_BIN=$bin
    PG_PORT=$(free_port)
    "${run_as[@]}" "$bin/initdb" -D "$PG_TMP/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$PG_TMP/initdb.log" 2>&1 \
        || { cat "$PG_TMP/initdb.log" >&2; exit 1; }
    # Trust on loopback only; a password role and a client-certificate role
    # (never without TLS) for the authentication tests.
    cat >"$PG_TMP/data/pg_hba.conf" <<HBA
local all all trust
hostssl all migrator_cert 127.0.0.1/32 cert
hostnossl all migrator_cert 127.0.0.1/32 reject
host all migrator_pw 127.0.0.1/32 scram-sha-256
host all migrator_pw ::1/128 scram-sha-256
host all all 127.0.0.1/32 trust
host all all ::1/128 trust
HBA
    # TLS from a throwaway authority, for the tests of sslmode: the server's
    # certificate names `localhost` only, so verify-full to 127.0.0.1 fails.
    local tls_options=""
    THROWAWAY_POSTGRES_CA=""
    if command -v openssl >/dev/null 2>&1; then
        make_test_certificates "$PG_TMP/tls"
        [ ${#run_as[@]} -eq 0 ] || chown -R migrator-test "$PG_TMP/tls"
        tls_options="-c ssl=on -c ssl_cert_file=$PG_TMP/tls/server.crt -c ssl_key_file=$PG_TMP/tls/server.key -c ssl_ca_file=$PG_TMP/tls/ca.crt"
        THROWAWAY_POSTGRES_CA=$PG_TMP/tls/ca.crt
    fi
    "${run_as[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
        -o "-p $PG_PORT -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-on} -c max_connections=200 $tls_options" start >/dev/null \
        || { cat "$PG_TMP/server.log" >&2; exit 1; }
    trap stop_throwaway_postgres EXIT
    THROWAWAY_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    "$bin/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
        -c "CREATE ROLE migrator_pw LOGIN CREATEDB PASSWORD 'migrator_pw_secret'" \
        -c "CREATE ROLE migrator_cert LOGIN CREATEDB" >/dev/null
    echo "throwaway-postgres: throwaway server ($("$bin/postgres" --version)) on 127.0.0.1:$PG_PORT ($PG_TMP)" >&2
}

# A certificate authority, a server certificate it signed for `localhost`,
# and a client certificate for the role `migrator_cert`, in folder $1
# (ca.crt, server.crt, server.key, client.crt, client.key).
make_test_certificates() {
    local dir=$1
    mkdir -p "$dir"
    (
        cd "$dir"
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=migrator test authority" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
            -keyout ca.key -out ca.crt
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr
        printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >server.ext
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
            -extfile server.ext -out server.crt
        openssl req -newkey rsa:2048 -nodes -subj "/CN=migrator_cert" -keyout client.key -out client.csr
        printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >client.ext
        openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
            -extfile client.ext -out client.crt
        chmod 600 server.key client.key
    ) >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log" >&2; exit 1; }
}

stop_throwaway_postgres() {
    "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
}

