//! Partition maintenance on real PostgreSQL: `ensure` creates the coming months protected as
//! their table, repairs partitions that are not, stops only the month whose rows already sit in
//! the default partition; `retain` detaches old months and drops them only when asked; and the
//! drift check accepts exactly what maintenance leaves.

mod common;

use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use schema_core::live::introspect::{drift, partition_states};
use schema_core::live::partitions::{ensure, retain, Event, MaintenanceError, Report};
use schema_core::partitions::{Month, MonthlyLayout};

const MONTHLY: [&str; 3] = [
    "audit.api_audit_log",
    "audit.audit_log",
    "telecom.call_detail_records",
];

fn month(text: &str) -> Month {
    text.parse().unwrap()
}

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

fn value(conn: &mut PgConnection, sql: &str) -> Option<String> {
    diesel::sql_query(sql)
        .get_result::<Value>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .v
}

#[derive(QueryableByName, Debug)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    b: bool,
}

fn flag(conn: &mut PgConnection, sql: &str) -> bool {
    diesel::sql_query(sql)
        .get_result::<Flag>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .b
}

fn created(report: &Report) -> Vec<String> {
    report
        .events()
        .filter_map(|e| match e {
            Event::Created { partition, .. } => Some(partition.clone()),
            _ => None,
        })
        .collect()
}

/// Each detached partition, and whether CONCURRENTLY.
fn detaches(report: &Report) -> Vec<(String, bool)> {
    report
        .events()
        .filter_map(|e| match e {
            Event::Detached {
                partition,
                concurrently,
                ..
            } => Some((partition.clone(), *concurrently)),
            _ => None,
        })
        .collect()
}

fn new_account(conn: &mut PgConnection, name: &str) -> String {
    value(
        conn,
        &format!("INSERT INTO accounts.accounts (name, realm) VALUES ('{name}', '{name}.partitions.example') RETURNING id::text AS v"),
    )
    .unwrap()
}

fn cdr(account: &str, call_id: &str, started_at: &str) -> String {
    format!(
        "INSERT INTO telecom.call_detail_records (account_id, call_id, direction, started_at) VALUES ('{account}', '{call_id}', 'inbound', '{started_at}')"
    )
}

#[test]
fn ensure_creates_the_coming_months_protected_as_their_table_and_check_accepts_them() {
    let (db, mut conn) = migrated_with_app_role();
    // Roles are cluster-wide: one name per test database.
    let reporting = format!("reporting_{}", db.name());
    let schema = platform_schema();
    let layouts: Vec<String> = schema_core::partitions::monthly_tables(&schema)
        .iter()
        .map(|l| l.table.to_string())
        .collect();
    assert_eq!(layouts, MONTHLY);

    // A role a DBA granted one month to: the next months get the same, and only that.
    conn.batch_execute(&format!(
        "DROP ROLE IF EXISTS \"{reporting}\";
         CREATE ROLE \"{reporting}\" NOLOGIN;
         GRANT SELECT ON telecom.call_detail_records_p2027_06 TO \"{reporting}\" WITH GRANT OPTION;",
    ))
    .unwrap();

    // The declarations hold 2026-01 to 2027-06: three months ahead of 2027-05 needs two more.
    let report = ensure(&mut conn, &schema, Some(month("2027-05")), 3, false).unwrap();
    assert_eq!(report.failures(), 0, "{report}");
    let mut expected: Vec<String> = MONTHLY
        .iter()
        .flat_map(|t| [format!("{t}_p2027_07"), format!("{t}_p2027_08")])
        .collect();
    expected.sort();
    let mut made = created(&report);
    made.sort();
    assert_eq!(made, expected, "{report}");
    for table in &report.tables {
        assert_eq!(table.months.first(), Some(&month("2026-01")));
        assert_eq!(table.months.last(), Some(&month("2027-08")));
        assert_eq!(table.months.len(), 20);
    }
    assert!(report
        .to_string()
        .contains("privileges as telecom.call_detail_records_p2027_06"));

    for (privilege, granted) in [("SELECT WITH GRANT OPTION", true), ("INSERT", false)] {
        assert_eq!(
            flag(
                &mut conn,
                &format!("SELECT has_table_privilege('{reporting}', 'telecom.call_detail_records_p2027_08', '{privilege}') AS b")
            ),
            granted,
            "{privilege}"
        );
    }
    conn.batch_execute(&format!(
        "REVOKE ALL ON telecom.call_detail_records_p2027_06, telecom.call_detail_records_p2027_07, telecom.call_detail_records_p2027_08 FROM \"{reporting}\";
         DROP ROLE \"{reporting}\";",
    ))
    .unwrap();

    // Idempotent, and the drift check accepts the new months.
    let again = ensure(&mut conn, &schema, Some(month("2027-05")), 3, false).unwrap();
    assert_eq!(again.events().count(), 0, "{again}");
    // Fallen behind: the months since the latest one are created, not only the current one.
    let behind = ensure(&mut conn, &schema, Some(month("2027-10")), 0, false).unwrap();
    assert_eq!(behind.failures(), 0, "{behind}");
    let mut caught_up: Vec<String> = created(&behind);
    caught_up.sort();
    assert_eq!(
        caught_up,
        MONTHLY
            .iter()
            .flat_map(|t| [format!("{t}_p2027_09"), format!("{t}_p2027_10")])
            .collect::<Vec<_>>(),
        "{behind}"
    );
    assert_eq!(drift(&mut conn, &schema).unwrap(), Vec::<String>::new());

    // Bounds exactly as the declarations write them, in UTC whatever the session's zone.
    conn.batch_execute("SET TIME ZONE 'UTC'").unwrap();
    assert_eq!(
        value(&mut conn, "SELECT pg_get_expr(relpartbound, oid) AS v FROM pg_class WHERE oid = 'telecom.call_detail_records_p2027_08'::regclass").as_deref(),
        Some("FOR VALUES FROM ('2027-08-01 00:00:00+00') TO ('2027-09-01 00:00:00+00')")
    );
    conn.batch_execute("RESET TIME ZONE").unwrap();

    // Row-level security forced and the table's policies, on every new partition.
    let states = partition_states(&mut conn, &["audit", "telecom"]).unwrap();
    let live = introspect(&mut conn, &schema);
    for name in &expected {
        let state = states
            .iter()
            .find(|s| &s.qualified_name().to_string() == name)
            .unwrap_or_else(|| panic!("{name} is not a partition"));
        let parent = live.table(&state.table).unwrap();
        // Every monthly table holds per-tenant rows: row-level security on it and its months.
        assert!(parent.row_security.is_some(), "{name}");
        assert!(state.row_security && state.force_row_security, "{name}");
        assert_eq!(
            state.policies,
            parent
                .row_security
                .as_ref()
                .map(|r| r.policies.clone())
                .unwrap_or_default(),
            "{name}"
        );
        assert!(!state.policies.is_empty(), "{name}");
        // Like the declared partitions: nothing granted to the application role directly.
        assert!(
            !flag(
                &mut conn,
                &format!("SELECT has_table_privilege('platform_app', '{name}', 'SELECT') AS b")
            ),
            "{name}"
        );
    }

    // Through the application role: a row of the new month lands in its partition, another
    // tenant does not see it, and the partition cannot be read directly.
    let a = new_account(&mut conn, "alpha");
    conn.begin_test_transaction().unwrap();
    conn.batch_execute(&format!(
        "SET LOCAL ROLE platform_app; SELECT set_config('app.current_account_id', '{a}', true); {}",
        cdr(&a, "aug-call", "2027-08-10 12:00:00+00")
    ))
    .unwrap();
    assert_eq!(
        value(&mut conn, "SELECT tableoid::regclass::text AS v FROM telecom.call_detail_records WHERE call_id = 'aug-call'").as_deref(),
        Some("telecom.call_detail_records_p2027_08")
    );
    conn.batch_execute(
        "SELECT set_config('app.current_account_id', gen_random_uuid()::text, true)",
    )
    .unwrap();
    let seen: Count = diesel::sql_query("SELECT count(*) AS n FROM telecom.call_detail_records")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(seen.n, 0);
    let direct = conn
        .transaction(|conn| {
            diesel::sql_query("SELECT count(*) AS n FROM telecom.call_detail_records_p2027_08")
                .get_result::<Count>(conn)
        })
        .unwrap_err();
    assert!(direct.to_string().contains("permission denied"), "{direct}");
}

#[test]
fn a_partition_without_its_tables_row_security_is_drift_until_ensure_secures_it() {
    let (_db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    conn.batch_execute(
        "ALTER TABLE telecom.call_detail_records_p2026_03 NO FORCE ROW LEVEL SECURITY;
         DROP POLICY call_detail_records_tenant_isolation ON telecom.call_detail_records_p2026_03;
         CREATE POLICY leak ON telecom.call_detail_records_p2026_03 USING (true);
         -- A month created by hand, as a policy added by a later migration would leave it:
         CREATE TABLE telecom.call_detail_records_p2027_07 PARTITION OF telecom.call_detail_records
             FOR VALUES FROM ('2027-07-01 00:00:00+00') TO ('2027-08-01 00:00:00+00');",
    )
    .unwrap();
    let found = drift(&mut conn, &schema).unwrap();
    let about = |partition: &str| {
        found
            .iter()
            .filter(|f| f.starts_with(&format!("partition `{partition}`")))
            .count()
    };
    assert_eq!(
        about("telecom.call_detail_records_p2026_03"),
        3,
        "{found:#?}"
    );
    // The hand-made month also has PostgreSQL's names for its index copies (three of its four
    // differ from the project's).
    assert_eq!(
        about("telecom.call_detail_records_p2027_07"),
        6,
        "{found:#?}"
    );
    assert_eq!(found.len(), 9, "{found:#?}");
    assert!(found
        .iter()
        .all(|f| f.contains("cargo schema partitions ensure")));

    let report = ensure(&mut conn, &schema, Some(month("2026-03")), 0, false).unwrap();
    assert_eq!(report.failures(), 0, "{report}");
    let secured: Vec<(String, usize)> = report
        .events()
        .filter_map(|e| match e {
            Event::Secured { partition, fixed } => Some((partition.clone(), fixed.len())),
            _ => None,
        })
        .collect();
    assert_eq!(
        secured,
        [
            ("telecom.call_detail_records_p2026_03".to_string(), 3),
            ("telecom.call_detail_records_p2027_07".to_string(), 3)
        ],
        "{report}"
    );
    let renamed: Vec<String> = report
        .events()
        .filter(|e| matches!(e, Event::Renamed { .. }))
        .map(|e| e.to_string())
        .collect();
    assert_eq!(renamed.len(), 3, "{report}");
    assert!(
        renamed
            .iter()
            .all(|r| r.contains("call_detail_records_p2027_07")),
        "{renamed:#?}"
    );
    assert_eq!(drift(&mut conn, &schema).unwrap(), Vec::<String>::new());

    // A partition named as a month but bounded otherwise is drift, and ensure says so.
    conn.batch_execute(
        "CREATE TABLE audit.audit_log_p2027_09 PARTITION OF audit.audit_log
             FOR VALUES FROM ('2027-09-01 00:00:00+00') TO ('2027-09-15 00:00:00+00');",
    )
    .unwrap();
    let found = drift(&mut conn, &schema).unwrap();
    assert!(
        found.iter().any(|f| f.contains("audit_log_p2027_09")),
        "{found:#?}"
    );
    let report = ensure(&mut conn, &schema, Some(month("2027-06")), 3, false).unwrap();
    let failed: Vec<String> = report
        .events()
        .filter(|e| matches!(e, Event::Failed { .. }))
        .map(|e| e.to_string())
        .collect();
    assert_eq!(failed.len(), 1, "{report}");
    assert!(failed[0].contains("audit.audit_log_p2027_09"), "{report}");
    assert!(
        failed[0].contains("must hold exactly that month"),
        "{report}"
    );
}

#[test]
fn rows_already_in_the_default_partition_stop_only_their_month() {
    let (_db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    let a = new_account(&mut conn, "alpha");
    conn.batch_execute(&cdr(&a, "early", "2027-08-02 08:00:00+00"))
        .unwrap();
    assert_eq!(
        value(
            &mut conn,
            "SELECT tableoid::regclass::text AS v FROM telecom.call_detail_records"
        )
        .as_deref(),
        Some("telecom.call_detail_records_default")
    );

    let report = ensure(&mut conn, &schema, Some(month("2027-05")), 3, false).unwrap();
    assert_eq!(report.failures(), 1, "{report}");
    assert_eq!(created(&report).len(), 5, "{report}");
    let failure = report
        .events()
        .find(|e| matches!(e, Event::Failed { .. }))
        .unwrap()
        .to_string();
    assert!(
        failure.contains("create telecom.call_detail_records_p2027_08"),
        "{failure}"
    );
    assert!(failure.contains("default partition"), "{failure}");
    // Nothing half-made: no such table, the row where it was.
    assert_eq!(
        value(
            &mut conn,
            "SELECT to_regclass('telecom.call_detail_records_p2027_08')::text AS v"
        ),
        None
    );
    assert_eq!(
        value(
            &mut conn,
            "SELECT tableoid::regclass::text AS v FROM telecom.call_detail_records"
        )
        .as_deref(),
        Some("telecom.call_detail_records_default")
    );
    assert!(failure.contains("--move-from-default"), "{failure}");

    // --move-from-default moves the month's rows (and only them) into its new partition.
    conn.batch_execute(&cdr(&a, "later", "2027-12-24 20:00:00+00"))
        .unwrap();
    let report = ensure(&mut conn, &schema, Some(month("2027-05")), 3, true).unwrap();
    assert_eq!(report.failures(), 0, "{report}");
    let moved: Vec<String> = report.events().map(|e| e.to_string()).collect();
    assert_eq!(moved.len(), 1, "{report}");
    assert!(
        moved[0].starts_with("created telecom.call_detail_records_p2027_08")
            && moved[0].ends_with(", 1 row(s) moved from the default partition"),
        "{report}"
    );
    let placed = |conn: &mut PgConnection, call: &str| {
        value(conn, &format!("SELECT tableoid::regclass::text AS v FROM telecom.call_detail_records WHERE call_id = '{call}'"))
    };
    assert_eq!(
        placed(&mut conn, "early").as_deref(),
        Some("telecom.call_detail_records_p2027_08")
    );
    assert_eq!(
        placed(&mut conn, "later").as_deref(),
        Some("telecom.call_detail_records_default")
    );
    // The partition is protected as the others, and the default partition is as it was.
    assert_eq!(drift(&mut conn, &schema).unwrap(), Vec::<String>::new());
}

#[test]
fn retention_detaches_old_months_and_drops_them_only_when_asked() {
    let (_db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    let a = new_account(&mut conn, "alpha");
    conn.batch_execute(&cdr(&a, "old", "2026-02-14 09:00:00+00"))
        .unwrap();

    // Keep 2026-04 (2027-01 minus 9) and after: 2026-01 to 2026-03 go, on each table.
    let report = retain(&mut conn, &schema, Some(month("2027-01")), 9, false).unwrap();
    assert_eq!(report.failures(), 0, "{report}");
    let detached = detaches(&report);
    assert_eq!(detached.len(), 9, "{report}");
    // Every monthly table has a default partition, where CONCURRENTLY is not allowed.
    assert!(detached.iter().all(|(_, concurrently)| !concurrently));
    for table in &report.tables {
        assert_eq!(table.months.first(), Some(&month("2026-04")), "{report}");
    }
    assert_eq!(rows_of(&mut conn, "telecom.call_detail_records"), 0);
    assert_eq!(
        rows_of(&mut conn, "telecom.call_detail_records_p2026_02"),
        1
    );
    // The detached month keeps its row-level security.
    assert!(flag(
        &mut conn,
        "SELECT relrowsecurity AND relforcerowsecurity AND NOT relispartition AS b FROM pg_class WHERE oid = 'telecom.call_detail_records_p2026_02'::regclass"
    ));
    assert_eq!(drift(&mut conn, &schema).unwrap(), Vec::<String>::new());
    // Ensure does not bring old months back.
    let ensured = ensure(&mut conn, &schema, Some(month("2027-01")), 0, false).unwrap();
    assert_eq!(ensured.events().count(), 0, "{ensured}");

    // Again without --drop: nothing more detached, the detached months reported as kept.
    let again = retain(&mut conn, &schema, Some(month("2027-01")), 9, false).unwrap();
    assert_eq!(again.failures(), 0, "{again}");
    assert_eq!(
        again
            .events()
            .filter(|e| matches!(e, Event::Kept { .. }))
            .count(),
        9,
        "{again}"
    );
    assert_eq!(again.events().count(), 9, "{again}");

    // With --drop, the detached months go, and only they.
    let dropped = retain(&mut conn, &schema, Some(month("2027-01")), 9, true).unwrap();
    assert_eq!(
        dropped
            .events()
            .filter(|e| matches!(e, Event::Dropped { .. }))
            .count(),
        9,
        "{dropped}"
    );
    assert_eq!(
        value(
            &mut conn,
            "SELECT to_regclass('telecom.call_detail_records_p2026_02')::text AS v"
        ),
        None
    );
    assert!(value(
        &mut conn,
        "SELECT to_regclass('telecom.call_detail_records_p2026_04')::text AS v"
    )
    .is_some());
    assert_eq!(drift(&mut conn, &schema).unwrap(), Vec::<String>::new());

    // Without a default partition, a month is detached CONCURRENTLY.
    conn.batch_execute("ALTER TABLE audit.audit_log DETACH PARTITION audit.audit_log_default")
        .unwrap();
    let report = retain(&mut conn, &schema, Some(month("2027-02")), 9, false).unwrap();
    let concurrent = detaches(&report);
    assert!(
        concurrent.contains(&("audit.audit_log_p2026_04".to_string(), true)),
        "{report}"
    );
    assert!(
        concurrent.contains(&("telecom.call_detail_records_p2026_04".to_string(), false)),
        "{report}"
    );
}

#[test]
fn the_declared_monthly_tables_are_recognized_with_their_bounds() {
    let schema = platform_schema();
    let cdrs = schema
        .tables
        .iter()
        .find(|t| t.name == "call_detail_records")
        .unwrap();
    let layout = MonthlyLayout::of(cdrs).unwrap();
    assert_eq!(layout.column, "started_at");
    let months: Vec<Month> = cdrs
        .partitions()
        .filter_map(|p| layout.month_of(p))
        .collect();
    assert_eq!(months.len(), 18);
    assert_eq!(months.first(), Some(&month("2026-01")));
    assert_eq!(months.last(), Some(&month("2027-06")));
}

#[test]
fn an_interrupted_concurrent_detach_is_finalized_by_the_next_retention() {
    let (db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    conn.batch_execute("ALTER TABLE audit.audit_log DETACH PARTITION audit.audit_log_default")
        .unwrap();
    // A reader holds the table while a concurrent detach waits for it, and the detach is
    // cancelled by its statement_timeout: PostgreSQL leaves the partition "detach pending".
    let mut reader = db.connect();
    reader.begin_test_transaction().unwrap();
    reader
        .batch_execute("SELECT count(*) FROM audit.audit_log")
        .unwrap();
    let mut detacher = db.connect();
    detacher
        .batch_execute("SET statement_timeout = '500ms'")
        .unwrap();
    let interrupted = detacher
        .batch_execute(
            "ALTER TABLE audit.audit_log DETACH PARTITION audit.audit_log_p2026_01 CONCURRENTLY",
        )
        .unwrap_err();
    assert!(
        interrupted.to_string().contains("statement timeout"),
        "{interrupted}"
    );
    drop(reader);
    assert!(partition_states(&mut conn, &["audit"])
        .unwrap()
        .iter()
        .any(|s| s.name == "audit_log_p2026_01" && s.detach_pending));

    let report = retain(&mut conn, &schema, Some(month("2026-12")), 9, false).unwrap();
    assert_eq!(report.failures(), 0, "{report}");
    let audit: Vec<String> = report
        .tables
        .iter()
        .find(|t| t.table.to_string() == "audit.audit_log")
        .unwrap()
        .events
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        audit,
        [
            "finalized the interrupted detach of audit.audit_log_p2026_01",
            "detached audit.audit_log_p2026_02 concurrently; kept as a table",
        ],
        "{report}"
    );
    assert!(flag(
        &mut conn,
        "SELECT NOT relispartition AS b FROM pg_class WHERE oid = 'audit.audit_log_p2026_01'::regclass"
    ));
}

#[test]
fn one_maintenance_run_at_a_time() {
    let (db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    let mut other = db.connect();
    other
        .batch_execute(&format!(
            "SELECT pg_advisory_lock(hashtext('{}'))",
            schema_core::live::partitions::MAINTENANCE_LOCK
        ))
        .unwrap();
    let refused = ensure(&mut conn, &schema, Some(month("2027-05")), 3, false).unwrap_err();
    assert!(matches!(refused, MaintenanceError::Busy), "{refused}");
    assert!(refused
        .to_string()
        .contains("another `partitions ensure` or `partitions retain` is running"));
    assert!(retain(&mut conn, &schema, Some(month("2027-05")), 3, false).is_err());
    assert_eq!(
        value(
            &mut conn,
            "SELECT to_regclass('telecom.call_detail_records_p2027_07')::text AS v"
        ),
        None
    );
    other
        .batch_execute(&format!(
            "SELECT pg_advisory_unlock(hashtext('{}'))",
            schema_core::live::partitions::MAINTENANCE_LOCK
        ))
        .unwrap();
    let report = ensure(&mut conn, &schema, Some(month("2027-05")), 3, false).unwrap();
    assert_eq!(created(&report).len(), 6, "{report}");
    // The lock is released after a run: the next one goes ahead.
    assert!(ensure(&mut conn, &schema, Some(month("2027-05")), 3, false).is_ok());
}

#[test]
fn no_argument_detaches_the_current_month_or_overflows() {
    let (_db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    let a = new_account(&mut conn, "alpha");
    conn.batch_execute(&cdr(&a, "now", "2026-03-14 09:00:00+00"))
        .unwrap();
    let attached = |conn: &mut PgConnection| {
        value(
            conn,
            "SELECT count(*)::text AS v FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE c.relname LIKE '%\\_p20%'",
        )
        .unwrap()
    };
    let before = attached(&mut conn);
    // Far more months than exist, whatever their width: nothing before year 1 to detach.
    for keep in [u32::MAX, 3_000_000_000, 2_147_483_648, 1_000_000] {
        for drop in [false, true] {
            let report = retain(&mut conn, &schema, Some(month("2026-03")), keep, drop).unwrap();
            assert_eq!(report.failures(), 0, "{report}");
            assert_eq!(detaches(&report), [], "keep {keep}: {report}");
        }
    }
    assert_eq!(attached(&mut conn), before, "every month stays attached");
    // The smallest retention keeps the current month (and later ones) attached.
    let report = retain(&mut conn, &schema, Some(month("2026-03")), 1, true).unwrap();
    assert!(
        detaches(&report)
            .iter()
            .all(|(p, _)| p.ends_with("_p2026_01")),
        "only months before 2026-02 go: {report}"
    );
    assert!(retain(&mut conn, &schema, Some(month("2026-03")), 0, true).is_err());
    assert_eq!(
        rows_of(&mut conn, "telecom.call_detail_records"),
        1,
        "the current month's row stays"
    );
    // More months ahead than maintenance creates in one run is refused, not attempted.
    let before = attached(&mut conn);
    for ahead in [u32::MAX, 2_147_483_647, 121] {
        let err = ensure(&mut conn, &schema, Some(month("2026-03")), ahead, false).unwrap_err();
        assert!(
            matches!(err, MaintenanceError::TooFarAhead { ahead: a } if a == ahead),
            "{err}"
        );
        assert!(err.to_string().contains("at most 120"), "{err}");
    }
    // So is a current month so far past the latest partition that catching up would create
    // tens of thousands of them.
    let report = ensure(&mut conn, &schema, Some(month("9999-11")), 3, false).unwrap();
    assert!(report.failures() > 0, "{report}");
    assert!(report.to_string().contains("months"), "{report}");
    assert_eq!(attached(&mut conn), before, "nothing was created");
}

fn rows_of(conn: &mut PgConnection, relation: &str) -> i64 {
    diesel::sql_query(format!("SELECT count(*) AS n FROM {relation}"))
        .get_result::<Count>(conn)
        .unwrap()
        .n
}
