#!/usr/bin/env bash
# Two developers, two branches, one migration each; Git merges the branches
# and migrator joins the two heads. Runs in a throwaway Git repository and
# checks every step itself: it exits non-zero at the first surprise.
#
#   examples/team-merge/run.sh
#
# MIGRATOR: the binary to use [default: target/debug/migrator of this repo]
# DATABASE_URL: the "staging" database, which applies the first branch before
#   the merge and catches up after it; it must be empty
#   [default: a SQLite file staging.db in the temporary folder].
#   The second database, deployed fresh after the merge, is always SQLite.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
MIGRATOR=${MIGRATOR:-$root/target/debug/migrator}
case $MIGRATOR in /*) ;; *) MIGRATOR=$PWD/$MIGRATOR ;; esac
if [ ! -x "$MIGRATOR" ]; then
    echo "run.sh: no migrator binary at $MIGRATOR; run \`cargo build\` or set MIGRATOR" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/team-merge.XXXXXX")
trap 'rm -rf "$work"' EXIT
staging=${DATABASE_URL:-sqlite:$work/staging.db}
fresh=sqlite:$work/fresh.db
unset DATABASE_URL
export NO_COLOR=1

migrator() { "$MIGRATOR" "$@"; }

# Shows a command and its output the way a terminal would.
show() {
    local arg shown=""
    for arg in "$@"; do
        case $arg in *" "*) arg="\"$arg\"" ;; esac
        shown+="${shown:+ }$arg"
    done
    shown=${shown//$staging/\$STAGING}
    shown=${shown//$fresh/\$FRESH}
    printf '\n$ %s\n' "$shown"
}

# check STATUS TEXT COMMAND...: runs COMMAND, shows it and its output, and
# stops the walkthrough unless it exits with STATUS and its output (stdout
# and stderr) contains TEXT.
check() {
    local want=$1 text=$2 out got
    shift 2
    show "$@"
    set +e
    out=$("$@" 2>&1)
    got=$?
    set -e
    printf '%s\n' "$out" | sed "s|$work/||g"
    last=$out
    if [ "$got" != "$want" ]; then
        echo "run.sh: FAILED: \`$*\` exited $got, expected $want" >&2
        exit 1
    fi
    if ! grep -qF -- "$text" <<<"$out"; then
        echo "run.sh: FAILED: the output of \`$*\` lacks: $text" >&2
        exit 1
    fi
}

# has TEXT: the output of the last `check` contains TEXT too.
has() {
    if ! grep -qF -- "$1" <<<"$last"; then
        echo "run.sh: FAILED: the last output lacks: $1" >&2
        exit 1
    fi
}

# lacks TEXT COMMAND...: like `check 0`, but the output must not contain TEXT.
lacks() {
    local text=$1 out
    shift
    show "$@"
    out=$("$@" 2>&1)
    printf '%s\n' "$out" | sed "s|$work/||g"
    last=$out
    if grep -qF -- "$text" <<<"$out"; then
        echo "run.sh: FAILED: the output of \`$*\` has: $text" >&2
        exit 1
    fi
}

# append FILE: the standard input becomes FILE's text after its header (the
# lines `migrator new` wrote that start with `-- `).
append() { cat >>"$1"; }

cd "$work"
git init -q -b main repo
cd repo
git config user.name "Walkthrough"
git config user.email "walkthrough@example.com"
git config commit.gpgsign false

echo "== main: the first revision"
check 0 "created versions/" migrator init
check 0 "0001_create_users.up.sql" migrator new -m "create users"
append versions/0001_create_users.up.sql <<'SQL'
CREATE TABLE users (
    id integer PRIMARY KEY,
    name text NOT NULL
);
SQL
echo "DROP TABLE users;" >versions/0001_create_users.down.sql
git add -A && git commit -q -m "create users"

echo
echo "== branch add-email (Alice): 0002_add_email, applied to staging before the merge"
git switch -q -c add-email
check 0 "0002_add_email.up.sql" migrator new -m "add email"
append versions/0002_add_email.up.sql <<'SQL'
ALTER TABLE users ADD COLUMN email text;
CREATE UNIQUE INDEX users_email ON users (email);
SQL
cat >versions/0002_add_email.down.sql <<'SQL'
DROP INDEX users_email;
ALTER TABLE users DROP COLUMN email;
SQL
git add -A && git commit -q -m "add email"
check 0 "applied 2 revisions" migrator --database-url "$staging" upgrade

echo
echo "== branch create-orders (Bob), from main: 0002_create_orders"
git switch -q main
git switch -q -c create-orders
check 0 "0002_create_orders.up.sql" migrator new -m "create orders"
append versions/0002_create_orders.up.sql <<'SQL'
CREATE TABLE orders (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id)
);
CREATE INDEX orders_user_id ON orders (user_id);
ALTER TABLE users ADD COLUMN last_order_at text;
SQL
cat >versions/0002_create_orders.down.sql <<'SQL'
ALTER TABLE users DROP COLUMN last_order_at;
DROP TABLE orders;
SQL
git add -A && git commit -q -m "create orders"

echo
echo "== main merges both branches: Git sees no conflict, migrator sees two heads"
git switch -q main
git merge -q --no-edit add-email
git merge -q --no-edit create-orders
check 0 "0002_add_email (head)" migrator heads
has "0002_create_orders (head)"
check 1 "there are 2 heads" migrator --database-url "$fresh" upgrade
check 1 "there are 2 heads, so the new revision's parent is ambiguous" migrator new -m "too early"
check 0 "o applied in the database" migrator --database-url "$staging" history --graph

echo
echo "== what the branches did: both touch table users"
check 1 "overlap: table users" migrator merge --check
has "versions/0002_add_email.up.sql:6 "
has "versions/0002_create_orders.up.sql:11  alters"
check 0 "0003_merge_heads.up.sql" migrator merge
has "warning: table users is touched by more than one branch"
check 0 "0003_merge_heads (head) (mergepoint)" migrator heads
git add -A && git commit -q -m "merge the migration heads"

echo
echo "== deploy: a fresh database gets everything, staging catches up"
check 0 "applied 4 revisions" migrator --database-url "$fresh" upgrade
lacks "0002_add_email" migrator --database-url "$staging" upgrade --dry-run
has "0002_create_orders"
check 0 "applied 2 revisions" migrator --database-url "$staging" upgrade
has "0003_merge_heads"
check 0 "0003_merge_heads (head) (mergepoint)" migrator --database-url "$staging" current
check 0 "o    0003_merge_heads" migrator --database-url "$staging" history --graph

echo
echo "run.sh: the walkthrough ran as expected"
