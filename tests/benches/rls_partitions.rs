//! What row-level security and monthly partitions cost or save, on a throwaway PostgreSQL with
//! the platform's migrations applied.
//!
//! `cargo bench -p schema-tests --bench rls_partitions [-- RUNS]` prints medians and ratios for:
//!
//! 1. a tenant's device looked up by SIP username (an index lookup), through RLS as the
//!    application role inside `with_tenant`, against the same query with an explicit
//!    `account_id = $1` as a role RLS does not apply to; and the same through a policy in the
//!    per-row form `account_id = nullif(current_setting(...), '')::uuid` the generator avoids;
//! 2. a scan that the account filter cannot narrow (names matching a pattern), where the
//!    per-row form evaluates `current_setting` for every row;
//! 3. a year of CDRs: one month's count and cost from the partitioned table against the same
//!    rows in one unpartitioned table with the same indexes.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use schema_core::live::harness::TempCluster;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use uuid::Uuid;

const ACCOUNTS: i64 = 100;
const DEVICES_PER_ACCOUNT: i64 = 1_000;
const CDRS_PER_MONTH: i64 = 100_000;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median of `runs` executions of `query` (each timed alone), after two warm-up runs.
fn time(runs: usize, mut query: impl FnMut()) -> Duration {
    query();
    query();
    median(
        (0..runs)
            .map(|_| {
                let started = Instant::now();
                query();
                started.elapsed()
            })
            .collect(),
    )
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let cluster = TempCluster::start(&mut |_| {}).expect("a throwaway PostgreSQL starts");
    let mut conn = PgConnection::establish(&cluster.url("postgres")).unwrap();
    let migrations = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    conn.run_pending_migrations(FileBasedMigrations::from_path(migrations).unwrap())
        .unwrap();
    let schema = schema_models::schema().unwrap();
    conn.batch_execute(&schema_core::role::roles_sql(&schema))
        .unwrap();
    let started = Instant::now();
    conn.batch_execute(&format!(
        "INSERT INTO accounts.accounts (name, realm)
           SELECT 'account ' || a, 'a' || a || '.example.net' FROM generate_series(1, {ACCOUNTS}) a;
         INSERT INTO devices.devices (account_id, name, sip_username)
           SELECT acc.id, 'desk ' || d, 'ext' || d
           FROM accounts.accounts acc, generate_series(1, {DEVICES_PER_ACCOUNT}) d;
         -- The per-row policy form, on a copy of the same rows and indexes.
         CREATE SCHEMA bench;
         CREATE TABLE bench.devices_per_row AS SELECT * FROM devices.devices;
         CREATE UNIQUE INDEX ON bench.devices_per_row (account_id, sip_username) WHERE deleted_at IS NULL;
         ALTER TABLE bench.devices_per_row ENABLE ROW LEVEL SECURITY;
         CREATE POLICY per_row ON bench.devices_per_row
           USING (account_id = nullif(current_setting('app.current_account_id', true), '')::uuid);
         GRANT USAGE ON SCHEMA bench TO platform_app;
         GRANT SELECT ON bench.devices_per_row TO platform_app;
         -- A year of CDRs, and the same rows unpartitioned with the same indexes.
         INSERT INTO telecom.call_detail_records (account_id, call_id, direction, started_at, ended_at, cost)
           SELECT acc.ids[n % {ACCOUNTS} + 1],
                  'call-' || n, CASE WHEN n % 2 = 0 THEN 'inbound' ELSE 'outbound' END::telecom.call_direction,
                  t, t + interval '90 seconds', 0.0125
           FROM (SELECT array_agg(id ORDER BY account_number) AS ids FROM accounts.accounts) acc,
                generate_series(0, {CDRS_PER_MONTH} * 12 - 1) n,
                LATERAL (SELECT timestamptz '2026-01-01 00:00+00' + (n * (interval '365 days' / ({CDRS_PER_MONTH} * 12))) AS t) ts;
         CREATE TABLE bench.cdr_flat AS SELECT * FROM telecom.call_detail_records;
         CREATE INDEX ON bench.cdr_flat USING brin (started_at);
         CREATE INDEX ON bench.cdr_flat (account_id, started_at DESC);"
    ))
    .unwrap();
    // Alone: VACUUM refuses to run in the implicit transaction of a multi-statement string.
    conn.batch_execute("VACUUM ANALYZE").unwrap();
    println!(
        "data: {} devices over {ACCOUNTS} accounts, {} CDRs over 12 months; loaded in {:.1} s; median of {runs} runs",
        ACCOUNTS * DEVICES_PER_ACCOUNT,
        CDRS_PER_MONTH * 12,
        started.elapsed().as_secs_f64()
    );

    let account: Uuid = diesel::sql_query(
        "SELECT id FROM accounts.accounts ORDER BY account_number OFFSET 42 LIMIT 1",
    )
    .get_result::<Id>(&mut conn)
    .unwrap()
    .id;

    // 1 and 2 as a role RLS does not apply to (the owner), with the account filter spelled out.
    let explicit_lookup = time(runs, || {
        let rows = diesel::sql_query("SELECT id FROM devices.devices WHERE account_id = $1 AND sip_username = $2 AND deleted_at IS NULL")
            .bind::<SqlUuid, _>(account)
            .bind::<Text, _>("ext512")
            .load::<Id>(&mut conn)
            .unwrap();
        assert_eq!(rows.len(), 1);
    });
    let explicit_scan = time(runs / 10 + 1, || {
        let n = diesel::sql_query(
            "SELECT count(*) AS n FROM devices.devices WHERE account_id = $1 AND name LIKE '%77%'",
        )
        .bind::<SqlUuid, _>(account)
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n;
        assert_eq!(n, 19);
    });

    // The same through RLS, as the application role, inside one tenant-scoped transaction.
    conn.batch_execute("SET ROLE platform_app").unwrap();
    let scoped = |conn: &mut PgConnection, table: &str| {
        let lookup =
            format!("SELECT id FROM {table} WHERE sip_username = $1 AND deleted_at IS NULL");
        let scan = format!("SELECT count(*) AS n FROM {table} WHERE name LIKE '%77%'");
        schema_core::with_tenant(conn, account, |conn| -> QueryResult<(Duration, Duration)> {
            let lookup = time(runs, || {
                let rows = diesel::sql_query(&lookup)
                    .bind::<Text, _>("ext512")
                    .load::<Id>(conn)
                    .unwrap();
                assert_eq!(rows.len(), 1);
            });
            let scan = time(runs / 10 + 1, || {
                let n = diesel::sql_query(&scan)
                    .get_result::<Count>(conn)
                    .unwrap()
                    .n;
                assert_eq!(n, 19);
            });
            Ok((lookup, scan))
        })
        .unwrap()
    };
    let (rls_lookup, rls_scan) = scoped(&mut conn, "devices.devices");
    let (per_row_lookup, per_row_scan) = scoped(&mut conn, "bench.devices_per_row");
    conn.batch_execute("RESET ROLE").unwrap();

    println!("\n1. device by SIP username (index lookup)");
    println!(
        "   explicit account_id = $1, no RLS      {:>8.3} ms",
        ms(explicit_lookup)
    );
    println!(
        "   RLS, generated policy (InitPlan)      {:>8.3} ms   ratio {:.3}",
        ms(rls_lookup),
        ms(rls_lookup) / ms(explicit_lookup)
    );
    println!(
        "   RLS, per-row current_setting policy   {:>8.3} ms   ratio {:.3}",
        ms(per_row_lookup),
        ms(per_row_lookup) / ms(explicit_lookup)
    );
    println!("\n2. names matching a pattern (a scan the account filter narrows only through RLS)");
    println!(
        "   explicit account_id = $1, no RLS      {:>8.3} ms",
        ms(explicit_scan)
    );
    println!(
        "   RLS, generated policy (InitPlan)      {:>8.3} ms   ratio {:.3}",
        ms(rls_scan),
        ms(rls_scan) / ms(explicit_scan)
    );
    println!(
        "   RLS, per-row current_setting policy   {:>8.3} ms   ratio {:.3}",
        ms(per_row_scan),
        ms(per_row_scan) / ms(explicit_scan)
    );

    // 3: one month of a year of CDRs.
    let month = |table: &str, conn: &mut PgConnection| {
        let sql = format!("SELECT count(*) AS n FROM {table} WHERE started_at >= '2026-03-01 00:00+00' AND started_at < '2026-04-01 00:00+00'");
        time(runs / 10 + 1, || {
            let n = diesel::sql_query(&sql).get_result::<Count>(conn).unwrap().n;
            assert!(n > CDRS_PER_MONTH * 9 / 10, "{n}");
        })
    };
    let partitioned = month("telecom.call_detail_records", &mut conn);
    let flat = month("bench.cdr_flat", &mut conn);
    let tenant_month = |table: &str, conn: &mut PgConnection| {
        let sql = format!("SELECT count(*) AS n FROM {table} WHERE account_id = $1 AND started_at >= '2026-03-01 00:00+00' AND started_at < '2026-04-01 00:00+00'");
        time(runs, || {
            let n = diesel::sql_query(&sql)
                .bind::<SqlUuid, _>(account)
                .get_result::<Count>(conn)
                .unwrap()
                .n;
            assert!(n > 0);
        })
    };
    let partitioned_tenant = tenant_month("telecom.call_detail_records", &mut conn);
    let flat_tenant = tenant_month("bench.cdr_flat", &mut conn);
    println!("\n3. one month of a year of CDRs");
    println!(
        "   count, unpartitioned (BRIN + btree)   {:>8.3} ms",
        ms(flat)
    );
    println!(
        "   count, monthly partitions (pruned)    {:>8.3} ms   ratio {:.3}",
        ms(partitioned),
        ms(partitioned) / ms(flat)
    );
    println!(
        "   one account's month, unpartitioned    {:>8.3} ms",
        ms(flat_tenant)
    );
    println!(
        "   one account's month, partitioned      {:>8.3} ms   ratio {:.3}",
        ms(partitioned_tenant),
        ms(partitioned_tenant) / ms(flat_tenant)
    );
    drop(cluster);
}
