#!/usr/bin/env python3
"""migrator side by side with sqlx-cli, dbmate and the databases' own shells.

Run through `bench/run`, which builds migrator in release mode, installs the
peers when missing and starts a throwaway PostgreSQL. Every workload is
generated in each tool's own format; the tools of one target run
alternately, round after round, on a fresh database each time; the figures
are medians, and every ratio is taken between medians of the same run.
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.environ.get("BENCH_TOOLS", os.path.join(ROOT, "target", "bench-tools"))
MIGRATOR = os.environ.get("MIGRATOR", os.path.join(ROOT, "target", "release", "migrator"))
SQLX = os.environ.get("SQLX", os.path.join(TOOLS, "bin", "sqlx"))
DBMATE = os.environ.get("DBMATE", os.path.join(TOOLS, "node_modules", ".bin", "dbmate"))
PSQL = os.environ.get("PSQL", shutil.which("psql") or "psql")
SQLITE3 = os.environ.get("SQLITE3", shutil.which("sqlite3") or "sqlite3")
MARIADB = os.environ.get("MARIADB", shutil.which("mariadb") or "mariadb")


# ---------------------------------------------------------------- workloads


def revision_sql(n):
    return f"CREATE TABLE t{n} (id integer PRIMARY KEY, name text);\nINSERT INTO t{n} VALUES (1, 'row {n}');\n"


def revision_down(n):
    return f"DROP TABLE t{n};\n"


def write_migrator(folder, count, branches=False):
    """`count` revisions; with `branches`, every 50 revisions two parallel
    branches of 5 and a merge revision, as long-lived team projects have."""
    versions = os.path.join(folder, "versions")
    os.makedirs(versions)
    previous = ""
    n = 0
    number = 0

    def write(rid, parents, up, down):
        with open(os.path.join(versions, rid + ".up.sql"), "w") as f:
            f.write(f"-- Parents: {', '.join(parents)}\n-- Message: {rid}\n\n{up}")
        with open(os.path.join(versions, rid + ".down.sql"), "w") as f:
            f.write(down)

    while n < count:
        number += 1
        if branches and number % 50 == 0 and n + 11 <= count and previous:
            tips = []
            for side in ("a", "b"):
                parent = previous
                for k in range(5):
                    n += 1
                    rid = f"{number + k:06d}_{side}{n}"
                    write(rid, [parent], revision_sql(n), revision_down(n))
                    parent = rid
                tips.append(parent)
            number += 5
            n += 1
            rid = f"{number:06d}_merge{n}"
            write(rid, tips, "", "")
            previous = rid
            continue
        n += 1
        rid = f"{number:06d}_t{n}"
        write(rid, [previous] if previous else [], revision_sql(n), revision_down(n))
        previous = rid
    return versions


def write_sqlx(folder, count):
    migrations = os.path.join(folder, "migrations")
    os.makedirs(migrations)
    for n in range(1, count + 1):
        with open(os.path.join(migrations, f"{n}_t{n}.up.sql"), "w") as f:
            f.write(revision_sql(n))
        with open(os.path.join(migrations, f"{n}_t{n}.down.sql"), "w") as f:
            f.write(revision_down(n))
    return migrations


def write_dbmate(folder, count):
    migrations = os.path.join(folder, "dbmate")
    os.makedirs(migrations)
    for n in range(1, count + 1):
        with open(os.path.join(migrations, f"{n:014d}_t{n}.sql"), "w") as f:
            f.write(f"-- migrate:up\n{revision_sql(n)}\n-- migrate:down\n{revision_down(n)}")
    return migrations


def write_shell_scripts(folder, count, sqlite):
    """The database's own speed: the bare SQL in one transaction, and one
    transaction per revision with a bookkeeping insert (what any migration
    tool has to do at least), and the downs likewise."""
    bare = os.path.join(folder, "bare.sql")
    with open(bare, "w") as f:
        for n in range(1, count + 1):
            f.write(revision_sql(n))
    table = "CREATE TABLE bookkeeping (id text PRIMARY KEY, applied_at text);\n"
    now = "datetime('now')" if sqlite else "now()"
    per_revision = os.path.join(folder, "per_revision.sql")
    with open(per_revision, "w") as f:
        f.write(table)
        for n in range(1, count + 1):
            f.write(f"BEGIN;\n{revision_sql(n)}INSERT INTO bookkeeping VALUES ('{n}', {now});\nCOMMIT;\n")
    downs = os.path.join(folder, "downs.sql")
    with open(downs, "w") as f:
        for n in range(count, 0, -1):
            f.write(f"BEGIN;\n{revision_down(n)}DELETE FROM bookkeeping WHERE id = '{n}';\nCOMMIT;\n")
    return bare, per_revision, downs


# ---------------------------------------------------------------- running


class Measured:
    def __init__(self, seconds):
        self.seconds = seconds


def run(argv, cwd=None, env=None, stdin=None, check=True):
    """Runs a command, returning its wall seconds."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env["NO_COLOR"] = "1"
    stdin_file = open(stdin, "rb") if stdin else subprocess.DEVNULL
    # Files, not pipes: a chatty tool must never block on a full pipe.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=full_env, stdin=stdin_file, stdout=out, stderr=err)
        process.wait()
        elapsed = time.perf_counter() - started
        if stdin:
            stdin_file.close()
        if check and process.returncode != 0:
            out.seek(0)
            err.seek(0)
            sys.exit(f"bench: `{' '.join(argv)}` failed ({process.returncode}):\n{out.read().decode()}{err.read().decode()}")
    return Measured(elapsed)


def peak_memory_kb(argv, cwd):
    """Peak resident memory of a command, through GNU time: a child forked
    from this Python process would count Python's own pages until exec."""
    with tempfile.NamedTemporaryFile("r") as report:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name] + argv, cwd=cwd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return int(report.read().split()[-1])


class Postgres:
    def __init__(self, url):
        self.url = url  # postgres://postgres@127.0.0.1:PORT/postgres
        base, _ = url.rsplit("/", 1)
        self.base = base

    def database_url(self, name):
        return f"{self.base}/{name}?sslmode=disable"

    def psql(self, sql, database="postgres"):
        subprocess.run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", f"{self.base}/{database}", "-c", sql],
                       check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))

    def fresh(self, name):
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.psql(f"CREATE DATABASE {name}")
        return self.database_url(name)


class Mysql:
    """A MariaDB (or MySQL) server: mysql://root@127.0.0.1:PORT/"""

    def __init__(self, url):
        self.base = url.rstrip("/")
        hostport = self.base.split("@", 1)[1]
        self.host, self.port = hostport.rsplit(":", 1)

    def database_url(self, name, scheme="mysql"):
        # TLS off for every contender: the bench measures migrations.
        return f"{scheme}://root@{self.host}:{self.port}/{name}"

    def client(self, database=None, port=None):
        argv = [MARIADB, "--no-defaults", f"--host={self.host}", f"--port={port or self.port}", "--user=root",
                "--skip-ssl", "--batch"]
        return argv + ([database] if database else [])

    def sql(self, sql):
        subprocess.run(self.client() + ["-e", sql], check=True, stdout=subprocess.DEVNULL)

    def fresh(self, name):
        self.sql(f"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name}")


def median(values):
    return statistics.median(values)


def alternate(rounds, contenders, prepare=None):
    """Runs each contender once per round, in turn, and returns the medians.
    `contenders` maps a name to a function returning seconds; `prepare`
    (name -> None) runs untimed before each measurement."""
    times = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, measure in contenders.items():
            if prepare:
                prepare(name)
            times[name].append(measure())
    return {name: median(values) for name, values in times.items()}, times


def report(title, medians, reference_names, target_lines):
    print(f"\n## {title}\n")
    print("| tool | median |")
    print("|---|---|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds * 1000:.0f} ms |")
    print()
    for line in target_lines:
        print(line)


def ratio_line(medians, ours, theirs, bound, label=None):
    value = medians[ours] / medians[theirs]
    verdict = "holds" if value <= bound else "MISSED"
    text = label or f"{ours} / {theirs}"
    return f"- {text}: **{value:.2f}** (target <= {bound}) {verdict}"


# ---------------------------------------------------------------- round trips


class CountingProxy:
    """A TCP proxy that counts round trips: each time the client speaks
    after the server has, a new round trip starts."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.round_trips = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            client, _ = self.listener.accept()
            server = socket.create_connection(("127.0.0.1", self.target_port))
            state = {"server_spoke": True}
            threading.Thread(target=self.pipe, args=(client, server, state, True), daemon=True).start()
            threading.Thread(target=self.pipe, args=(server, client, state, False), daemon=True).start()

    def pipe(self, source, sink, state, from_client):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                with self.lock:
                    if from_client and state["server_spoke"]:
                        self.round_trips += 1
                        state["server_spoke"] = False
                    elif not from_client:
                        state["server_spoke"] = True
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def count(self, action):
        with self.lock:
            self.round_trips = 0
        action()
        time.sleep(0.05)
        with self.lock:
            return self.round_trips


# ---------------------------------------------------------------- targets


def target_postgres_apply(pg, work, count, rounds):
    folder = os.path.join(work, f"pg{count}")
    os.makedirs(folder)
    write_migrator(folder, count)
    write_sqlx(folder, count)
    write_dbmate(folder, count)
    bare, per_revision, downs = write_shell_scripts(folder, count, sqlite=False)
    databases = {"migrator": "b_migrator", "sqlx-cli": "b_sqlx", "dbmate": "b_dbmate",
                 "psql -1 -f (bare SQL)": "b_bare", "psql, txn + insert per revision": "b_psql"}
    urls = {name: pg.database_url(db) for name, db in databases.items()}
    contenders = {
        "migrator": lambda: run([MIGRATOR, "--database-url", urls["migrator"], "upgrade"], cwd=folder).seconds,
        "sqlx-cli": lambda: run([SQLX, "migrate", "run", "--source", "migrations", "--database-url", urls["sqlx-cli"]], cwd=folder).seconds,
        "dbmate": lambda: run([DBMATE, "--url", urls["dbmate"], "--migrations-dir", "dbmate", "--no-dump-schema", "migrate"], cwd=folder).seconds,
        "psql -1 -f (bare SQL)": lambda: run([PSQL, "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", urls["psql -1 -f (bare SQL)"], "-f", bare]).seconds,
        "psql, txn + insert per revision": lambda: run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", urls["psql, txn + insert per revision"], "-f", per_revision]).seconds,
    }
    medians, _ = alternate(rounds, contenders, prepare=lambda name: pg.fresh(databases[name]))
    report(f"1. Apply {count} revisions on PostgreSQL (empty database)", medians, None, [
        ratio_line(medians, "migrator", "sqlx-cli", 1.0),
        ratio_line(medians, "migrator", "dbmate", 1.0),
        ratio_line(medians, "migrator", "psql -1 -f (bare SQL)", 1.2),
        f"- for scale: psql with a transaction and a bookkeeping insert per revision: {medians['psql, txn + insert per revision'] / medians['psql -1 -f (bare SQL)']:.2f}x bare",
    ])

    # 3. downgrade base: migrator against psql running the downs; sqlx and dbmate revert one per call.
    down_contenders = {
        "migrator": lambda: run([MIGRATOR, "--database-url", urls["migrator"], "downgrade", "base"], cwd=folder).seconds,
        "psql, downs with txn + delete per revision": lambda: run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", urls["psql, txn + insert per revision"], "-f", downs]).seconds,
    }

    def prepare_down(name):
        if name == "migrator":
            pg.fresh(databases["migrator"])
            run([MIGRATOR, "--database-url", urls["migrator"], "upgrade"], cwd=folder)
        else:
            pg.fresh(databases["psql, txn + insert per revision"])
            run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", urls["psql, txn + insert per revision"], "-f", per_revision])

    down_medians, _ = alternate(rounds, down_contenders, prepare=prepare_down)
    ten = {}
    pg.fresh(databases["sqlx-cli"])
    run([SQLX, "migrate", "run", "--source", "migrations", "--database-url", urls["sqlx-cli"]], cwd=folder)
    started = time.perf_counter()
    for _ in range(10):
        run([SQLX, "migrate", "revert", "--source", "migrations", "--database-url", urls["sqlx-cli"]], cwd=folder)
    ten["sqlx-cli"] = time.perf_counter() - started
    pg.fresh(databases["dbmate"])
    run([DBMATE, "--url", urls["dbmate"], "--migrations-dir", "dbmate", "--no-dump-schema", "migrate"], cwd=folder)
    started = time.perf_counter()
    for _ in range(10):
        run([DBMATE, "--url", urls["dbmate"], "--migrations-dir", "dbmate", "--no-dump-schema", "rollback"], cwd=folder)
    ten["dbmate"] = time.perf_counter() - started
    report(f"3. Downgrade base of {count} revisions on PostgreSQL", down_medians, None, [
        ratio_line(down_medians, "migrator", "psql, downs with txn + delete per revision", 1.2),
        f"- sqlx-cli `migrate revert` and dbmate `rollback` undo one revision per call: 10 calls took {ten['sqlx-cli'] * 1000:.0f} ms (sqlx-cli) and {ten['dbmate'] * 1000:.0f} ms (dbmate), i.e. about {ten['sqlx-cli'] * count / 10:.1f} s and {ten['dbmate'] * count / 10:.1f} s for {count}",
    ])

    # 4. Nothing to do, on a fully applied database.
    for name in ("migrator", "sqlx-cli", "dbmate"):
        pg.fresh(databases[name])
        contenders[name]()
    idle = {
        "migrator": contenders["migrator"],
        "sqlx-cli": contenders["sqlx-cli"],
        "dbmate": contenders["dbmate"],
    }
    idle_medians, _ = alternate(rounds * 2, idle)
    proxy = CountingProxy(int(pg.base.rsplit(":", 1)[1]))
    proxied = f"postgres://postgres@127.0.0.1:{proxy.port}/b_migrator?sslmode=disable"
    ours = proxy.count(lambda: run([MIGRATOR, "--database-url", proxied, "upgrade"], cwd=folder))
    baseline = proxy.count(lambda: run([PSQL, "-X", "-q", "-d", proxied, "-c", "SELECT * FROM migrator_revisions"]))
    report(f"4. Nothing to do: `upgrade head` on {count} applied revisions, PostgreSQL", idle_medians, None, [
        ratio_line(idle_medians, "migrator", "sqlx-cli", 1.0),
        ratio_line(idle_medians, "migrator", "dbmate", 1.0),
        f"- round trips: migrator {ours}; psql connecting and reading the bookkeeping table {baseline}; difference **{ours - baseline}** (target <= 2) {'holds' if ours - baseline <= 2 else 'MISSED'}",
    ])


def write_one_ddl(folder, count):
    """Revisions of one DDL statement each, in each tool's format, and the
    bare SQL: `CREATE TABLE tN (id integer PRIMARY KEY, name text);`."""
    up = lambda n: f"CREATE TABLE t{n} (id integer PRIMARY KEY, name text);\n"
    versions = os.path.join(folder, "versions")
    os.makedirs(versions)
    previous = ""
    for n in range(1, count + 1):
        rid = f"{n:06d}_t{n}"
        with open(os.path.join(versions, rid + ".up.sql"), "w") as f:
            f.write(f"-- Parents: {previous}\n-- Message: {rid}\n\n{up(n)}")
        with open(os.path.join(versions, rid + ".down.sql"), "w") as f:
            f.write(revision_down(n))
        previous = rid
    migrations = os.path.join(folder, "migrations")
    os.makedirs(migrations)
    dbmate = os.path.join(folder, "dbmate")
    os.makedirs(dbmate)
    for n in range(1, count + 1):
        with open(os.path.join(migrations, f"{n}_t{n}.up.sql"), "w") as f:
            f.write(up(n))
        with open(os.path.join(migrations, f"{n}_t{n}.down.sql"), "w") as f:
            f.write(revision_down(n))
        with open(os.path.join(dbmate, f"{n:014d}_t{n}.sql"), "w") as f:
            f.write(f"-- migrate:up\n{up(n)}\n-- migrate:down\n{revision_down(n)}")
    bare = os.path.join(folder, "bare.sql")
    with open(bare, "w") as f:
        for n in range(1, count + 1):
            f.write(up(n))
    return bare


def target_mysql_apply(my, work, count, rounds):
    """MariaDB: every DDL statement commits at once there, so migrator runs
    a revision with DDL statement by statement and records it after its
    last; the bare SQL in the `mariadb` client is the floor."""
    folder = os.path.join(work, f"mysql{count}")
    os.makedirs(folder)
    bare = write_one_ddl(folder, count)
    databases = {"migrator": "b_migrator", "sqlx-cli": "b_sqlx", "dbmate": "b_dbmate",
                 "mariadb client (bare SQL)": "b_bare"}
    url = {name: my.database_url(db) for name, db in databases.items()}
    ours = url["migrator"] + "?ssl-mode=disabled"
    contenders = {
        "migrator": lambda: run([MIGRATOR, "--database-url", ours, "upgrade"], cwd=folder).seconds,
        "sqlx-cli": lambda: run([SQLX, "migrate", "run", "--source", "migrations", "--database-url", url["sqlx-cli"] + "?ssl-mode=disabled"], cwd=folder).seconds,
        "dbmate": lambda: run([DBMATE, "--url", url["dbmate"], "--migrations-dir", "dbmate", "--no-dump-schema", "migrate"], cwd=folder).seconds,
        "mariadb client (bare SQL)": lambda: run(my.client(databases["mariadb client (bare SQL)"]), stdin=bare).seconds,
    }
    medians, _ = alternate(rounds, contenders, prepare=lambda name: my.fresh(databases[name]))
    report(f"8. Apply {count} revisions of one DDL statement on MariaDB (empty database)", medians, None, [
        ratio_line(medians, "migrator", "sqlx-cli", 1.0),
        ratio_line(medians, "migrator", "dbmate", 1.0),
        ratio_line(medians, "migrator", "mariadb client (bare SQL)", 1.3),
    ])

    # The issue 8 workload: a CREATE TABLE and an INSERT per revision, which
    # migrator runs statement by statement (the CREATE commits anyway).
    multi = os.path.join(work, f"mysql-multi{count}")
    os.makedirs(multi)
    write_migrator(multi, count)
    bare_multi, _, _ = write_shell_scripts(multi, count, sqlite=False)
    multi_contenders = {
        "migrator": lambda: run([MIGRATOR, "--database-url", ours, "upgrade"], cwd=multi).seconds,
        "mariadb client (bare SQL)": lambda: run(my.client(databases["mariadb client (bare SQL)"]), stdin=bare_multi).seconds,
    }
    multi_medians, _ = alternate(rounds, multi_contenders, prepare=lambda name: my.fresh(databases[name]))
    report(f"9. Apply {count} revisions of CREATE TABLE + INSERT on MariaDB", multi_medians, None, [
        f"- migrator / mariadb client (bare SQL): **{multi_medians['migrator'] / multi_medians['mariadb client (bare SQL)']:.2f}**",
    ])

    # Nothing to do, on a fully applied database.
    for name in ("migrator", "sqlx-cli", "dbmate"):
        my.fresh(databases[name])
        contenders[name]()
    idle = {name: contenders[name] for name in ("migrator", "sqlx-cli", "dbmate")}
    idle_medians, _ = alternate(rounds * 2, idle)
    proxy = CountingProxy(int(my.port))
    proxied = f"mysql://root@127.0.0.1:{proxy.port}/b_migrator?ssl-mode=disabled"
    ours_trips = proxy.count(lambda: run([MIGRATOR, "--database-url", proxied, "upgrade"], cwd=folder))
    # The client's handshake and one statement: the handshake is this less one.
    handshake = proxy.count(lambda: run(my.client("b_migrator", port=proxy.port) + ["-e", "DO 1"])) - 1
    after = ours_trips - handshake
    report(f"10. Nothing to do: `upgrade head` on {count} applied revisions, MariaDB", idle_medians, None, [
        ratio_line(idle_medians, "migrator", "sqlx-cli", 1.0),
        ratio_line(idle_medians, "migrator", "dbmate", 1.0),
        f"- round trips: migrator {ours_trips}, of which the handshake (as the mariadb client's) {handshake}; after it **{after}** (target <= 3) {'holds' if after <= 3 else 'MISSED'}",
    ])


def target_sqlite_apply(work, count, rounds):
    folder = os.path.join(work, f"sqlite{count}")
    os.makedirs(folder)
    write_migrator(folder, count)
    write_sqlx(folder, count)
    write_dbmate(folder, count)
    _, per_revision, downs = write_shell_scripts(folder, count, sqlite=True)
    files = {"migrator": "migrator.db", "sqlx-cli": "sqlx.db", "dbmate": "dbmate.db",
             "sqlite3 shell, txn + insert per revision": "shell.db"}

    def path(name):
        return os.path.join(folder, files[name])

    def remove(name):
        for suffix in ("", "-journal", "-wal", "-shm", ".lock"):
            try:
                os.remove(path(name) + suffix)
            except FileNotFoundError:
                pass

    contenders = {
        "migrator": lambda: run([MIGRATOR, "--database-url", "sqlite:" + path("migrator"), "upgrade"], cwd=folder).seconds,
        "sqlx-cli": lambda: run([SQLX, "migrate", "run", "--source", "migrations", "--database-url", "sqlite://" + path("sqlx-cli") + "?mode=rwc"], cwd=folder).seconds,
        "dbmate": lambda: run([DBMATE, "--url", "sqlite:" + path("dbmate"), "--migrations-dir", "dbmate", "--no-dump-schema", "up"], cwd=folder).seconds,
        "sqlite3 shell, txn + insert per revision": lambda: run([SQLITE3, path("sqlite3 shell, txn + insert per revision")], stdin=per_revision).seconds,
    }
    medians, _ = alternate(rounds, contenders, prepare=remove)
    report(f"2. Apply {count} revisions on SQLite (new file)", medians, None, [
        ratio_line(medians, "migrator", "sqlx-cli", 1.0),
        ratio_line(medians, "migrator", "dbmate", 1.0),
        ratio_line(medians, "migrator", "sqlite3 shell, txn + insert per revision", 1.1),
    ])

    down = {
        "migrator": lambda: run([MIGRATOR, "--database-url", "sqlite:" + path("migrator"), "downgrade", "base"], cwd=folder).seconds,
        "sqlite3 shell, downs with txn + delete per revision": lambda: run([SQLITE3, path("sqlite3 shell, txn + insert per revision")], stdin=downs).seconds,
    }

    def prepare_down(name):
        key = "migrator" if name == "migrator" else "sqlite3 shell, txn + insert per revision"
        remove(key)
        contenders[key]()

    down_medians, _ = alternate(rounds, down, prepare=prepare_down)
    report(f"3. Downgrade base of {count} revisions on SQLite", down_medians, None, [
        ratio_line(down_medians, "migrator", "sqlite3 shell, downs with txn + delete per revision", 1.1),
    ])


def target_reading(work, rounds):
    lines = []
    figures = {}
    for count in (10000, 20000):
        folder = os.path.join(work, f"read{count}")
        os.makedirs(folder)
        versions = write_migrator(folder, count, branches=True)
        run([MIGRATOR, "--database-url", "sqlite:applied.db", "stamp", "heads"], cwd=folder)
        files = sorted(os.path.join(versions, f) for f in os.listdir(versions))
        list_file = os.path.join(folder, "files.txt")
        with open(list_file, "w") as f:
            f.write("\0".join(files))
        commands = {
            "cat of every file": ["sh", "-c", f"xargs -0 cat < {list_file} > /dev/null"],
            "heads": [MIGRATOR, "heads"],
            "history": [MIGRATOR, "history"],
            "status (nothing pending)": [MIGRATOR, "--database-url", "sqlite:applied.db", "status"],
            "verify (no database)": [MIGRATOR, "verify"],
        }
        memory = {}

        def measure(argv):
            return lambda: run(argv, cwd=folder).seconds

        medians, _ = alternate(rounds, {name: measure(argv) for name, argv in commands.items()})
        for name, argv in commands.items():
            memory[name] = peak_memory_kb(argv, folder)
        figures[count] = (medians, memory)
        if count == 10000:
            report(f"5. Reading a folder of {count} revisions (with branches and merges)", medians, None, [])
            print("| command | peak memory |")
            print("|---|---|")
            for name in commands:
                print(f"| {name} | {memory[name] / 1024:.1f} MB |")
            print()
            for name in list(commands)[1:]:
                lines.append(ratio_line(medians, name, "cat of every file", 1.5, f"{name} / cat"))
                ok = memory[name] / 1024 < 30
                lines.append(f"- {name} peak memory: **{memory[name] / 1024:.1f} MB** (target < 30 MB) {'holds' if ok else 'MISSED'}")
    cat_growth = figures[20000][0]["cat of every file"] / figures[10000][0]["cat of every file"]
    lines.append(f"- for scale: cat of every file, 20,000 / 10,000 revisions: {cat_growth:.2f}")
    for name in ("heads", "history", "status (nothing pending)", "verify (no database)"):
        growth = figures[20000][0][name] / figures[10000][0][name]
        lines.append(f"- {name}, 20,000 / 10,000 revisions: **{growth:.2f}** (target <= 2.1) {'holds' if growth <= 2.1 else 'MISSED'}")
    for line in lines:
        print(line)


def target_linear_apply(work, rounds):
    """10,000 revisions against 1,000, for two workloads: one that creates a
    table per revision, where SQLite itself grows superlinearly (each CREATE
    re-reads its table's rows of sqlite_schema, which has no index on the
    name, so the shell shows the same curve), and one that only inserts a
    row per revision, where migrator's own work is all that can grow."""
    contenders = {}
    for workload in ("create", "insert"):
        for count in (1000, 10000):
            folder = os.path.join(work, f"linear-{workload}{count}")
            os.makedirs(folder)
            if workload == "create":
                write_migrator(folder, count)
                _, per_revision, _ = write_shell_scripts(folder, count, sqlite=True)
            else:
                per_revision = write_insert_only(folder, count)
            db = os.path.join(folder, "m.db")
            shell_db = os.path.join(folder, "s.db")

            def ours(db=db, folder=folder):
                remove_sqlite(db)
                return run([MIGRATOR, "--database-url", "sqlite:" + db, "upgrade"], cwd=folder).seconds

            def shell(db=shell_db, script=per_revision):
                remove_sqlite(db)
                return run([SQLITE3, db], stdin=script).seconds

            contenders[f"migrator, {workload}, {count}"] = ours
            contenders[f"sqlite3 shell, {workload}, {count}"] = shell
    medians, _ = alternate(max(3, rounds // 2), contenders)
    lines = []
    for workload in ("create", "insert"):
        ours = medians[f"migrator, {workload}, 10000"] / medians[f"migrator, {workload}, 1000"]
        shell = medians[f"sqlite3 shell, {workload}, 10000"] / medians[f"sqlite3 shell, {workload}, 1000"]
        verdict = "holds" if ours <= 10.5 else "MISSED"
        lines.append(f"- {workload} a table per revision" if workload == "create" else "- insert a row per revision")
        lines[-1] += f": migrator 10,000 / 1,000 = **{ours:.2f}** (target <= 10.5) {verdict}; the sqlite3 shell: {shell:.2f}"
    report("6. Linear apply on SQLite (10,000 against 1,000 revisions)", medians, None, lines)


def write_insert_only(folder, count):
    """Revisions that each insert a row into one table: SQLite's own cost
    per revision stays flat, so any growth is the tool's."""
    versions = os.path.join(folder, "versions")
    os.makedirs(versions)
    script = os.path.join(folder, "per_revision.sql")
    with open(script, "w") as shell:
        shell.write("CREATE TABLE bookkeeping (id text PRIMARY KEY, applied_at text);\nCREATE TABLE events (id integer PRIMARY KEY, name text);\n")
        previous = ""
        for n in range(1, count + 1):
            rid = f"{n:06d}_e{n}"
            up = f"INSERT INTO events VALUES ({n}, 'event {n}');\n"
            if n == 1:
                up = "CREATE TABLE events (id integer PRIMARY KEY, name text);\n" + up
            with open(os.path.join(versions, rid + ".up.sql"), "w") as f:
                f.write(f"-- Parents: {previous}\n-- Message: {rid}\n\n{up}")
            with open(os.path.join(versions, rid + ".down.sql"), "w") as f:
                f.write(f"DELETE FROM events WHERE id = {n};\n")
            shell.write(f"BEGIN;\nINSERT INTO events VALUES ({n}, 'event {n}');\nINSERT INTO bookkeeping VALUES ('{n}', datetime('now'));\nCOMMIT;\n")
            previous = rid
    return script


def target_big_file(work, rounds, megabytes=50):
    """One revision whose up file is `megabytes` MB of multi-row INSERTs,
    against the sqlite3 shell running the same file in one transaction:
    time and peak memory, both of which must grow with the file's size
    alone (issue 18, defect 7: each statement's preparation once copied the
    rest of the file)."""
    folder = os.path.join(work, "bigfile")
    versions = os.path.join(folder, "versions")
    os.makedirs(versions)
    up = os.path.join(versions, "0001_big.up.sql")
    script = os.path.join(folder, "shell.sql")
    with open(up, "w") as f, open(script, "w") as shell:
        f.write("-- Parents:\n-- Message: big\n\n")
        shell.write("BEGIN;\n")
        create = "CREATE TABLE big (id integer PRIMARY KEY, name text, amount integer);\n"
        f.write(create)
        shell.write(create)
        n = 0
        while f.tell() < megabytes * 1024 * 1024:
            rows = ",\n".join(f"({n + k}, 'customer {n + k} of the big import', {(n + k) * 7 % 1000})" for k in range(100))
            statement = f"INSERT INTO big (id, name, amount) VALUES\n{rows};\n"
            f.write(statement)
            shell.write(statement)
            n += 100
        shell.write("COMMIT;\n")
    with open(os.path.join(versions, "0001_big.down.sql"), "w") as f:
        f.write("DROP TABLE big;\n")
    size_mb = os.path.getsize(up) / 1024 / 1024
    db = os.path.join(folder, "m.db")
    shell_db = os.path.join(folder, "s.db")
    ours = [MIGRATOR, "--database-url", "sqlite:" + db, "upgrade"]
    theirs = ["sh", "-c", f"exec {SQLITE3} {shell_db} < {script}"]
    contenders = {
        "migrator": lambda: run(ours, cwd=folder).seconds,
        "sqlite3 shell, the file in one transaction": lambda: run(theirs, cwd=folder).seconds,
    }

    def fresh(name):
        remove_sqlite(db if name == "migrator" else shell_db)

    medians, _ = alternate(rounds, contenders, prepare=fresh)
    memory = {}
    for name, argv in (("migrator", ours), ("sqlite3 shell, the file in one transaction", theirs)):
        fresh(name)
        memory[name] = peak_memory_kb(argv, folder) / 1024
    report(f"7. One up file of {size_mb:.1f} MB ({n} rows in INSERTs of 100) on SQLite", medians, None, [
        ratio_line(medians, "migrator", "sqlite3 shell, the file in one transaction", 2.0),
        f"- peak memory: migrator **{memory['migrator']:.0f} MB**, the shell {memory['sqlite3 shell, the file in one transaction']:.0f} MB, for a file of {size_mb:.1f} MB",
    ])


def target_fleet(pg, work, rounds, databases=100, count=20, tenants=1000, parts=("databases", "tenants")):
    """Issue 15: `upgrade` over a fleet of `databases` PostgreSQL databases
    of `count` revisions each, with --jobs 8, against a shell loop running
    migrator once per database, and the same loop with sqlx-cli and dbmate;
    then `status` over `tenants` tenant schemas on one server, all up to
    date (nothing to do)."""
    folder = os.path.join(work, "fleet")
    os.makedirs(folder)
    write_migrator(folder, count)
    write_sqlx(folder, count)
    write_dbmate(folder, count)
    if "databases" in parts:
        fleet_of_databases(pg, folder, rounds, databases, count)
    if "tenants" in parts:
        fleet_of_tenants(pg, folder, rounds, tenants, count)


def fleet_of_databases(pg, folder, rounds, databases, count):
    names = [f"bench_fleet_{i:03d}" for i in range(databases)]
    # Made once; each measurement starts from empty ones: every tool keeps
    # its bookkeeping in `public`, which a reset drops and makes again.
    create = os.path.join(folder, "create.sql")
    with open(create, "w") as f:
        for name in names:
            f.write(f"DROP DATABASE IF EXISTS {name} WITH (FORCE);\nCREATE DATABASE {name};\n")
    subprocess.run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", pg.url, "-f", create], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))
    reset = os.path.join(folder, "reset.sql")
    with open(reset, "w") as f:
        for name in names:
            f.write(f"\\c {pg.database_url(name)}\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n")
    urls = [pg.database_url(name) for name in names]
    with open(os.path.join(folder, "targets.txt"), "w") as f:
        f.write("# the fleet of the benchmark\n" + "\n".join(urls) + "\n")
    with open(os.path.join(folder, "migrator.toml"), "w") as f:
        f.write('[env.fleet]\ntargets_file = "targets.txt"\n')

    def loop(command):
        # `$url` stays for the shell; the loop reads the same file.
        return ["sh", "-c", f"grep -v '^#' targets.txt | while read -r url; do {command} >/dev/null || exit 1; done"]

    contenders = {
        "migrator, fleet --jobs 8": lambda: run([MIGRATOR, "--env", "fleet", "upgrade", "--jobs", "8"], cwd=folder).seconds,
        "migrator, shell loop": lambda: run(loop(f'{MIGRATOR} --database-url "$url" upgrade'), cwd=folder).seconds,
        "sqlx-cli, shell loop": lambda: run(loop(f'{SQLX} migrate run --source migrations --database-url "$url"'), cwd=folder).seconds,
        "dbmate, shell loop": lambda: run(loop(f'{DBMATE} --url "$url" --migrations-dir dbmate --no-dump-schema migrate'), cwd=folder).seconds,
    }

    def fresh(_name):
        subprocess.run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", pg.url, "-f", reset], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    medians, _ = alternate(rounds, contenders, prepare=fresh)
    ours = "migrator, fleet --jobs 8"
    report(f"8. Upgrade a fleet of {databases} PostgreSQL databases x {count} revisions", medians, None, [
        ratio_line(medians, ours, "migrator, shell loop", 0.5),
        ratio_line(medians, ours, "sqlx-cli, shell loop", 1.0),
        ratio_line(medians, ours, "dbmate, shell loop", 1.0),
    ])
    for name in names:
        pg.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")



def fleet_of_tenants(pg, folder, rounds, tenants, count):
    # Tenant schemas: all applied once, untimed; then status, nothing to do.
    tenants_db = "bench_tenants"
    pg.fresh(tenants_db)
    pg.psql(f"CREATE TABLE public.tenants AS SELECT 'tenant_' || lpad(i::text, 4, '0') AS name FROM generate_series(0, {tenants - 1}) i",
            database=tenants_db)
    with open(os.path.join(folder, "migrator.toml"), "w") as f:
        f.write(f'[env.tenants]\ndatabase_url = "{pg.database_url(tenants_db)}"\n'
                f'targets_query = "SELECT name FROM public.tenants ORDER BY name"\n')
    started = time.perf_counter()
    run([MIGRATOR, "--env", "tenants", "upgrade", "--jobs", "8"], cwd=folder)
    setup = time.perf_counter() - started
    contenders = {
        "status over 1,000 schemas (4 jobs, the default)": lambda: run([MIGRATOR, "--env", "tenants", "status"], cwd=folder).seconds,
        "status over 1,000 schemas, --jobs 8": lambda: run([MIGRATOR, "--env", "tenants", "status", "--jobs", "8"], cwd=folder).seconds,
        "upgrade over 1,000 schemas, nothing to do, --jobs 8": lambda: run([MIGRATOR, "--env", "tenants", "upgrade", "--jobs", "8"], cwd=folder).seconds,
    }
    medians, _ = alternate(rounds, contenders)
    report(f"9. {tenants} tenant schemas on one server, up to date ({count} revisions each)", medians, None, [
        f"- status (default jobs): **{medians['status over 1,000 schemas (4 jobs, the default)']:.2f} s** (target < 5 s) "
        + ("holds" if medians['status over 1,000 schemas (4 jobs, the default)'] < 5 else "MISSED"),
        f"- for scale: applying all {tenants * count} revisions (untimed setup, --jobs 8) took {setup:.1f} s",
    ])
    pg.psql(f"DROP DATABASE IF EXISTS {tenants_db} WITH (FORCE)")


def remove_sqlite(path):
    for suffix in ("", "-journal", "-wal", "-shm", ".lock"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--only", choices=["postgres", "sqlite", "mysql", "reading", "linear", "bigfile", "fleet", "tenants"], action="append")
    args = parser.parse_args()
    postgres_url = os.environ.get("BENCH_POSTGRES_URL")
    mysql_url = os.environ.get("BENCH_MYSQL_URL")
    only = set(args.only or ["postgres", "sqlite", "mysql", "reading", "linear", "bigfile", "fleet"])
    # Only the postgres, sqlite, mysql and fleet targets compare against sqlx-cli and dbmate.
    peers = (SQLX, DBMATE) if only & {"postgres", "sqlite", "mysql", "fleet"} else ()
    for tool in (MIGRATOR, *peers):
        if not os.path.exists(tool):
            sys.exit(f"bench: {tool} is missing; run bench/run, which builds and installs it")
    print(f"# migrator benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print(f"{args.rounds} alternating rounds per target; medians; ratios within this run.")
    print(f"Machine: {os.cpu_count()} cores, {platform_line()}")
    with tempfile.TemporaryDirectory(prefix="migrator-bench.") as work:
        if "postgres" in only:
            if not postgres_url:
                sys.exit("bench: BENCH_POSTGRES_URL is not set (bench/run starts a server and sets it)")
            target_postgres_apply(Postgres(postgres_url), work, args.count, args.rounds)
        if "sqlite" in only:
            target_sqlite_apply(work, args.count, args.rounds)
        if "mysql" in only:
            if not mysql_url:
                sys.exit("bench: BENCH_MYSQL_URL is not set (bench/run starts a server and sets it)")
            target_mysql_apply(Mysql(mysql_url), work, args.count, args.rounds)
        if "reading" in only:
            target_reading(work, args.rounds)
        if "linear" in only:
            target_linear_apply(work, args.rounds)
        if "bigfile" in only:
            target_big_file(work, args.rounds)
        if "fleet" in only:
            if not postgres_url:
                sys.exit("bench: BENCH_POSTGRES_URL is not set (bench/run starts a server and sets it)")
            target_fleet(Postgres(postgres_url), work, args.rounds)
        elif "tenants" in only:
            if not postgres_url:
                sys.exit("bench: BENCH_POSTGRES_URL is not set (bench/run starts a server and sets it)")
            target_fleet(Postgres(postgres_url), work, args.rounds, parts=("tenants",))


def platform_line():
    import platform
    return f"{platform.system()} {platform.release()}, {platform.machine()}"


if __name__ == "__main__":
    main()
