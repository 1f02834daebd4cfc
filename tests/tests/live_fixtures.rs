//! Every supported column type and key form, applied to PostgreSQL and read back.

mod common;

use bigdecimal::BigDecimal;
use chrono::{NaiveDate, TimeZone, Utc};
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use schema_core::live::harness::TestDatabase;
use schema_core::migrations::render_full;
use schema_tests::fixtures::*;
use std::str::FromStr;

fn setup() -> (TestDatabase, PgConnection, schema_core::ir::Schema) {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    let declared = schema_tests::schema().unwrap();
    conn.batch_execute(&render_full(&declared).up).unwrap();
    (db, conn, declared)
}

#[test]
fn catalog_matches_every_declared_type_key_and_default() {
    let (_db, mut conn, declared) = setup();
    assert_catalog_matches(&mut conn, &declared); // Every expression names, in the catalog, exactly the columns it was declared with.
    let compared = assert_expressions_name_declared_columns(&mut conn, &declared);
    assert!(compared > 20, "{compared} expressions compared");
}

#[test]
fn down_of_the_full_migration_removes_everything() {
    let (_db, mut conn, declared) = setup();
    let schemas: Vec<&str> = declared.namespaces().into_iter().collect();
    let created = catalog_fingerprint(&mut conn, &schemas);
    conn.batch_execute(&render_full(&declared).down).unwrap();
    assert!(introspect(&mut conn, &declared).tables.is_empty());
    assert_eq!(
        catalog_fingerprint(&mut conn, &schemas),
        Vec::<String>::new()
    );
    // And up again gives the same catalog: up -> down -> up is the identity.
    conn.batch_execute(&render_full(&declared).up).unwrap();
    assert_eq!(catalog_fingerprint(&mut conn, &schemas), created);
}

#[test]
fn every_type_round_trips_through_diesel() {
    let (_db, mut conn, _) = setup();
    let row = EveryType {
        id: 0,
        small: -7,
        int: 1_000_000,
        big: 9_000_000_000,
        flag: false,
        single: 1.5,
        double: 2.25,
        body: "unbounded text".into(),
        label: "forty chars at most".into(),
        uid: uuid::Uuid::new_v4(),
        at: Utc.with_ymd_and_hms(2026, 11, 22, 12, 30, 0).unwrap(),
        local_at: NaiveDate::from_ymd_opt(2026, 1, 2)
            .unwrap()
            .and_hms_opt(3, 4, 5)
            .unwrap(),
        day: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
        amount_any: BigDecimal::from_str("123456789.123456789").unwrap(),
        amount: BigDecimal::from_str("12.3400").unwrap(),
        address: "2001:db8::1/128".parse().unwrap(),
        payload: serde_json::json!({"k": [1, 2, 3]}),
        maybe_small: None,
        maybe_int: Some(5),
        maybe_big: None,
        maybe_flag: Some(true),
        maybe_double: None,
        maybe_label: Some("short".into()),
        maybe_uid: None,
        maybe_at: None,
        maybe_day: Some(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()),
        maybe_amount: Some(BigDecimal::from_str("999.99").unwrap()),
        maybe_address: Some("10.0.0.0/8".parse().unwrap()),
        maybe_payload: None,
    };
    let stored: EveryType = diesel::insert_into(every_type::table)
        .values(&row)
        .returning(EveryType::as_returning())
        .get_result(&mut conn)
        .unwrap();
    assert!(stored.id >= 1, "GENERATED ALWAYS assigned the key");
    assert_eq!(
        EveryType {
            id: row.id,
            ..stored.clone()
        },
        row
    );
    let found: EveryType = every_type::table.find(stored.id).first(&mut conn).unwrap();
    assert_eq!(found, stored);

    // varchar(n) is enforced by PostgreSQL.
    let too_long = EveryType {
        label: "x".repeat(41),
        ..row.clone()
    };
    assert!(diesel::insert_into(every_type::table)
        .values(&too_long)
        .execute(&mut conn)
        .is_err());
}

#[test]
fn serial_identity_and_composite_foreign_keys_work() {
    let (_db, mut conn, _) = setup();
    let parent: SerialParent = diesel::insert_into(serial_parent::table)
        .values(&SerialParent {
            id: 0,
            seq: 0,
            tenant: 7,
            code: "A1".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        })
        .returning(SerialParent::as_returning())
        .get_result(&mut conn)
        .unwrap();
    assert!(parent.id >= 1 && parent.seq >= 1);
    let child = CompositeChild {
        tenant: 7,
        code: "A1".into(),
        line: 1,
        parent_id: Some(parent.id),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    diesel::insert_into(composite_child::table)
        .values(&child)
        .execute(&mut conn)
        .unwrap();
    let orphan = CompositeChild {
        code: "NOPE".into(),
        ..child.clone()
    };
    assert!(diesel::insert_into(composite_child::table)
        .values(&orphan)
        .execute(&mut conn)
        .is_err());
    // ON UPDATE CASCADE on the composite key.
    diesel::update(serial_parent::table.find(parent.id))
        .set(serial_parent::code.eq("B2"))
        .execute(&mut conn)
        .unwrap();
    let (code, parent_id): (String, Option<i32>) = composite_child::table
        .inner_join(serial_parent::table)
        .select((composite_child::code, composite_child::parent_id))
        .first(&mut conn)
        .unwrap();
    assert_eq!((code.as_str(), parent_id), ("B2", Some(parent.id)));
}

#[test]
fn a_catalog_that_cannot_be_read_is_an_error_not_a_difference() {
    let (_db, mut conn, declared) = setup();
    assert_eq!(
        schema_core::live::introspect::drift(&mut conn, &declared).unwrap(),
        Vec::<String>::new()
    );
    // The server ends this session: every later read fails.
    let _ = conn.batch_execute("SELECT pg_terminate_backend(pg_backend_pid())");
    let error = schema_core::live::introspect::drift(&mut conn, &declared)
        .expect_err("a connection that cannot read is no drift");
    assert_eq!(error.what, "the catalog", "{error}");
    assert!(
        error.to_string().starts_with("cannot read the catalog: "),
        "{error}"
    );
}

#[test]
fn bytea_time_interval_and_macaddr_round_trip_exactly() {
    use chrono::NaiveTime;
    use diesel::pg::data_types::PgInterval;
    let (_db, mut conn, _) = setup();
    // The defaults are the declared literals, read back in Rust.
    let defaults: MoreTypes = diesel::insert_into(more_types::table)
        .values((more_types::mac.eq([0u8; 6]),))
        .returning(MoreTypes::as_returning())
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(defaults.blob, vec![0x00, 0xff]);
    assert_eq!(
        defaults.opens_at,
        NaiveTime::from_hms_opt(8, 30, 0).unwrap()
    );
    // A month is a month, not 30 days.
    assert_eq!(defaults.period, PgInterval::new(0, 2, 1));
    assert!(defaults.blobs.is_empty() && defaults.macs.is_empty());
    let with_default_mac: [u8; 6] = diesel::insert_into(more_types::table)
        .default_values()
        .returning(more_types::mac)
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(with_default_mac, [0x08, 0x00, 0x2b, 0x01, 0x02, 0x03]);
    let conn = &mut conn;

    let row = MoreTypes {
        id: 0,
        recorded_at: Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap(),
        blob: (0..=255).collect(),
        opens_at: NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap(),
        period: PgInterval::new(-1, 40, 14),
        mac: [0xde, 0xad, 0xbe, 0xef, 0x00, 0x01],
        maybe_blob: Some(Vec::new()),
        maybe_time: None,
        maybe_period: Some(PgInterval::from_microseconds(86_400_000_000 + 1)),
        maybe_mac: None,
        blobs: vec![vec![1, 2], Vec::new(), vec![0]],
        times: vec![NaiveTime::MIN, NaiveTime::from_hms_opt(12, 0, 0).unwrap()],
        periods: vec![PgInterval::from_months(13), PgInterval::from_days(-3)],
        macs: vec![[1, 2, 3, 4, 5, 6], [0xff; 6]],
    };
    let stored: MoreTypes = diesel::insert_into(more_types::table)
        .values(&row)
        .returning(MoreTypes::as_returning())
        .get_result(conn)
        .unwrap();
    assert_eq!(
        MoreTypes {
            id: row.id,
            ..stored.clone()
        },
        row
    );
    // Filters bind the same types.
    let found: Vec<i64> = more_types::table
        .filter(more_types::mac.eq([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]))
        .filter(more_types::period.eq(PgInterval::new(-1, 40, 14)))
        .filter(more_types::opens_at.gt(NaiveTime::from_hms_opt(23, 0, 0).unwrap()))
        .select(more_types::id)
        .load(conn)
        .unwrap();
    assert_eq!(found, vec![stored.id]);
    // PostgreSQL's own spelling of what was stored.
    let text: Vec<String> = more_types::table
        .filter(more_types::id.eq(stored.id))
        .select(diesel::dsl::sql::<diesel::sql_types::Text>(
            "concat_ws(' | ', mac::text, period::text, opens_at::text, length(blob)::text)",
        ))
        .load(conn)
        .unwrap();
    assert_eq!(
        text,
        ["de:ad:be:ef:00:01 | 1 year 2 mons 40 days -00:00:00.000001 | 23:59:59.999999 | 256"]
    );
}
