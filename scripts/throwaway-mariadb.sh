# Starts a throwaway MariaDB server for the tests and the benchmark;
# sourced by scripts/test and bench/run, beside throwaway-postgres.sh
# (whose free_port and make_test_certificates it uses).
#
# start_throwaway_mariadb: mariadb-install-db into a temporary folder,
# mariadbd on a free port of 127.0.0.1 with its socket in that folder.
# Accounts: root@127.0.0.1 without a password (every privilege), and
# `migrator_pw` (password `migrator_pw_secret`, every privilege) for the
# authentication tests. Run as root, the server runs as the user
# `migrator-test`, as the throwaway PostgreSQL does. With openssl at hand
# the server also speaks TLS, with a certificate for `localhost` from a
# throwaway authority whose certificate THROWAWAY_MARIADB_CA names, and an
# account `migrator_tls` (password `migrator_tls_secret`) that must use
# it. Sets THROWAWAY_MARIADB_URL, MARIADB_PORT and MARIADB_SOCKET; stops the
# server and removes its folder when the calling script exits (after
# whatever EXIT trap was set before). MARIADB_FSYNC=off trades durability
# for speed (the tests do; the benchmark does not).

find_mariadbd() {
    local candidate
    for candidate in mariadbd /usr/sbin/mariadbd /usr/libexec/mariadbd mysqld /usr/sbin/mysqld; do
        if command -v "$candidate" >/dev/null 2>&1; then
            command -v "$candidate"
            return
        fi
    done
    return 1
}

start_throwaway_mariadb() {
    local server install_db
    if ! server=$(find_mariadbd) || ! install_db=$(command -v mariadb-install-db || command -v mysql_install_db); then
        echo "throwaway-mariadb: MariaDB's server (mariadbd, mariadb-install-db) is not installed." >&2
        echo "  Install it (Debian/Ubuntu: apt-get install mariadb-server mariadb-client), or set" >&2
        echo "  MIGRATOR_TEST_MYSQL_URL=mysql://USER:PASSWORD@HOST:PORT/ to a server to use." >&2
        exit 1
    fi
    MARIADB_TMP=$(mktemp -d /tmp/migrator-mariadb.XXXXXX)
    local run_as=() user_option=()
    if [ "$(id -u)" = 0 ]; then
        id migrator-test >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin migrator-test
        chown migrator-test "$MARIADB_TMP"
        run_as=(runuser -u migrator-test --)
        user_option=(--user=migrator-test)
    fi
    MARIADB_RUN_AS=("${run_as[@]}")
    MARIADB_PORT=$(free_port)
    MARIADB_SOCKET=$MARIADB_TMP/mariadb.sock
    "${run_as[@]}" "$install_db" --no-defaults --datadir="$MARIADB_TMP/data" "${user_option[@]}" \
        --auth-root-authentication-method=normal --skip-test-db >"$MARIADB_TMP/install.log" 2>&1 \
        || { cat "$MARIADB_TMP/install.log" >&2; exit 1; }
    local tls_options=()
    THROWAWAY_MARIADB_CA=""
    if command -v openssl >/dev/null 2>&1; then
        make_test_certificates "$MARIADB_TMP/tls"
        [ ${#run_as[@]} -eq 0 ] || chown -R migrator-test "$MARIADB_TMP/tls"
        tls_options=(--ssl-ca="$MARIADB_TMP/tls/ca.crt" --ssl-cert="$MARIADB_TMP/tls/server.crt" --ssl-key="$MARIADB_TMP/tls/server.key")
        THROWAWAY_MARIADB_CA=$MARIADB_TMP/tls/ca.crt
    fi
    local durability=()
    if [ "${MARIADB_FSYNC:-on}" = off ]; then
        durability=(--innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --sync-frm=0 --innodb-flush-method=nosync)
    fi
    # Started in the background by hand (no mysqld_safe), so stopping it is
    # ours: the pid file says whom to stop.
    "${run_as[@]}" "$server" --no-defaults --datadir="$MARIADB_TMP/data" "${user_option[@]}" \
        --port="$MARIADB_PORT" --bind-address=127.0.0.1 --socket="$MARIADB_SOCKET" \
        --pid-file="$MARIADB_TMP/mariadbd.pid" --log-error="$MARIADB_TMP/server.log" \
        --skip-name-resolve --skip-log-bin --max-connections=400 --innodb-buffer-pool-size=128M \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
        "${durability[@]}" "${tls_options[@]}" >/dev/null 2>&1 &
    local waited=0
    until [ -S "$MARIADB_SOCKET" ] && mariadb --no-defaults --socket="$MARIADB_SOCKET" -uroot -e 'SELECT 1' >/dev/null 2>&1; do
        sleep 0.2
        waited=$((waited + 1))
        if [ $waited -gt 300 ]; then
            echo "throwaway-mariadb: the server did not start within 60s" >&2
            cat "$MARIADB_TMP/server.log" >&2
            exit 1
        fi
    done
    local previous_trap
    previous_trap=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
    # shellcheck disable=SC2064
    trap "${previous_trap:+$previous_trap; }stop_throwaway_mariadb" EXIT
    local tls_account=""
    if [ -n "$THROWAWAY_MARIADB_CA" ]; then
        tls_account="CREATE USER migrator_tls@'%' IDENTIFIED BY 'migrator_tls_secret' REQUIRE SSL;
GRANT ALL ON *.* TO migrator_tls@'%';"
    fi
    mariadb --no-defaults --socket="$MARIADB_SOCKET" -uroot <<SQL || exit 1
CREATE USER IF NOT EXISTS root@'127.0.0.1';
GRANT ALL ON *.* TO root@'127.0.0.1' WITH GRANT OPTION;
CREATE USER migrator_pw@'%' IDENTIFIED BY 'migrator_pw_secret';
GRANT ALL ON *.* TO migrator_pw@'%';
$tls_account
SQL
    THROWAWAY_MARIADB_URL="mysql://root@127.0.0.1:$MARIADB_PORT/"
    echo "throwaway-mariadb: throwaway server (MariaDB $(mariadb --no-defaults --socket="$MARIADB_SOCKET" -uroot -N -e 'SELECT VERSION()')) on 127.0.0.1:$MARIADB_PORT ($MARIADB_TMP)" >&2
}

stop_throwaway_mariadb() {
    local pid
    if pid=$(cat "$MARIADB_TMP/mariadbd.pid" 2>/dev/null); then
        kill -9 "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    rm -rf "$MARIADB_TMP"
}
