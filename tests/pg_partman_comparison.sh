#!/usr/bin/env bash
# What pg_partman does with the platform's monthly tables, next to `cargo schema partitions
# ensure`: run from the repository root after `apt-get install postgresql-15-partman`.
#
#   bash tests/pg_partman_comparison.sh
#
# It starts a throwaway PostgreSQL, applies the platform migrations, hands
# telecom.call_detail_records to pg_partman, and prints what pg_partman's new partitions hold
# and what `cargo schema check --database` says of them. The README quotes its output.
set -euo pipefail

bindir="$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)"
if [ ! -e "$(dirname "$bindir")/lib/pg_partman_bgw.so" ] && ! ls /usr/share/postgresql/15/extension/pg_partman.control >/dev/null 2>&1; then
    echo "pg_partman is not installed: apt-get install -y postgresql-15-partman" >&2
    exit 1
fi
root="$(mktemp -d)"
as_pg=()
if [ "$(id -u)" = 0 ]; then
    chown postgres "$root"
    as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
port=55499
cleanup() { "${as_pg[@]}" "$bindir/pg_ctl" -D "$root/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$root"; }
trap cleanup EXIT
"${as_pg[@]}" "$bindir/initdb" -D "$root/data" -U postgres -A trust >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$root/data" -l "$root/log" -w \
    -o "-p $port -k $root -c listen_addresses=''" start >/dev/null
export DATABASE_URL="postgres://postgres@%2F${root//\//%2F}:$port/postgres"
psql() { "$bindir/psql" -X -q -h "$root" -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }

cargo schema migrate >/dev/null 2>&1
cargo schema role platform_app | psql >/dev/null

echo "== 1. pg_partman adopts the declared table (its months up to 2027-06 exist already)"
psql -c "CREATE SCHEMA partman; CREATE EXTENSION pg_partman SCHEMA partman;"
psql -Atc "SELECT 'pg_partman ' || extversion FROM pg_extension WHERE extname = 'pg_partman'"
psql -Atc "SET TIME ZONE 'UTC'" \
     -c "SELECT 'create_parent: ' || partman.create_parent('telecom.call_detail_records', 'started_at', 'native', 'monthly', p_premake := 3)" 2>&1 \
    | grep -v '^SET' | cut -c1-120

echo "== 2. run_maintenance makes the months up to 12 ahead, privileges inherited from the table"
psql -c "UPDATE partman.part_config SET premake = 12, inherit_privileges = true, infinite_time_partitions = true WHERE parent_table = 'telecom.call_detail_records'" \
     -c "SELECT partman.run_maintenance('telecom.call_detail_records')" >/dev/null
psql -c "SELECT c.relname AS partition, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
                (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
                has_table_privilege('platform_app', c.oid, 'SELECT') AS app_can_select
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'telecom.call_detail_records'::regclass
           AND (c.relname >= 'call_detail_records_p2027_05' OR c.relname LIKE '%default')
         ORDER BY 1"

echo "== 3. the application role reads another tenant's calls through a pg_partman partition"
month="$(psql -Atc "SELECT max(c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'telecom.call_detail_records'::regclass")"
psql -c "INSERT INTO accounts.accounts (id, name, realm) VALUES
           ('00000000-0000-0000-0000-00000000000a', 'a', 'a.example'),
           ('00000000-0000-0000-0000-00000000000b', 'b', 'b.example');
         INSERT INTO telecom.call_detail_records (account_id, call_id, direction, started_at)
         SELECT '00000000-0000-0000-0000-00000000000b', 'b-call', 'inbound', lower(r)
         FROM (SELECT tstzrange(
                 (regexp_match(pg_get_expr(relpartbound, oid), '''([^'']+)'''))[1]::timestamptz, NULL) r
               FROM pg_class WHERE relname = '$month') x;"
psql -c "BEGIN; SET LOCAL ROLE platform_app;
         SET LOCAL app.current_account_id = '00000000-0000-0000-0000-00000000000a';
         SELECT count(*) AS tenant_a_sees_through_the_table FROM telecom.call_detail_records;
         SELECT count(*) AS tenant_a_sees_in_$month FROM telecom.$month;
         COMMIT;"

echo "== 4. cargo schema check --database on the result"
cargo schema check --database "$DATABASE_URL" 2>&1 | grep -E "drifted|partition \`telecom.$month\`|call_detail_records_default" | head -4 || true

echo "== 5. cargo schema partitions ensure secures pg_partman's partitions; check passes again"
cargo schema partitions ensure | grep -c "secured telecom.call_detail_records_p2027" || true
cargo schema check --database "$DATABASE_URL" 2>&1 | tail -1
