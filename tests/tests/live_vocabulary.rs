//! The PostgreSQL vocabulary on a real server: each feature applied by the committed
//! migrations (or the fixture declarations) and checked in the catalog, tenant isolation
//! proven with a non-owner application role, and the new column types round-tripped.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use schema_core::live::harness::TestDatabase;
use schema_core::migrations::render_full;
use schema_core::Jsonb;
use uuid::Uuid;

#[derive(QueryableByName, Debug, PartialEq)]
struct Row {
    #[diesel(sql_type = Text)]
    value: String,
}

/// The first column of every row of `query`, as text.
fn texts(conn: &mut PgConnection, query: &str) -> Vec<String> {
    diesel::sql_query(format!(
        "SELECT value::text AS value FROM ({query}) q(value)"
    ))
    .load::<Row>(conn)
    .unwrap_or_else(|e| panic!("{query}: {e}"))
    .into_iter()
    .map(|r| r.value)
    .collect()
}

fn count(conn: &mut PgConnection, query: &str) -> Result<i64, diesel::result::Error> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT count(*) AS n FROM ({query}) q"))
        .get_result::<Count>(conn)
        .map(|c| c.n)
}

fn platform() -> (TestDatabase, PgConnection) {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    run_all(&mut conn);
    (db, conn)
}

#[test]
fn enums_are_native_types_with_declared_values() {
    let (_db, mut conn) = platform();
    assert_eq!(
        texts(&mut conn, "SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'voicemail' AND t.typname = 'transcription_status' ORDER BY e.enumsortorder"),
        ["pending", "processing", "completed", "failed", "not_requested"]
    );
    assert_eq!(
        texts(&mut conn, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'voicemail.voicemail_messages'::regclass AND attname = 'transcription_status'"),
        ["voicemail.transcription_status"]
    );
}

#[test]
fn checks_are_named_constraints_in_the_catalog() {
    let (_db, mut conn) = platform();
    assert_eq!(
        texts(&mut conn, "SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c' AND conrelid IN ('voicemail.voicemail_boxes'::regclass, 'voicemail.voicemail_messages'::regclass) ORDER BY conname"),
        [
            "voicemail_boxes_mailbox_number_check: CHECK (((mailbox_number)::text ~ '^[0-9]+$'::text))",
            "voicemail_boxes_max_messages_check: CHECK (((max_messages >= 1) AND (max_messages <= 10000)))",
            "voicemail_messages_duration_seconds_check: CHECK ((duration_seconds >= 0))",
            "voicemail_messages_transcription_confidence_check: CHECK (((transcription_confidence >= (0)::numeric) AND (transcription_confidence <= (1)::numeric)))",
        ]
    );
    // The constraint is enforced, by name.
    let err = conn
        .batch_execute("INSERT INTO accounts.accounts (name, realm) VALUES ('a', 'a.example'); INSERT INTO voicemail.voicemail_boxes (account_id, mailbox_number, max_messages) SELECT id, '100', 0 FROM accounts.accounts")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("voicemail_boxes_max_messages_check"),
        "{err}"
    );
}

#[test]
fn indexes_carry_method_order_include_and_predicate() {
    let (_db, mut conn) = platform();
    assert_eq!(
        texts(&mut conn, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'voicemail' AND tablename = 'voicemail_messages' AND indexname <> 'voicemail_messages_pkey' ORDER BY indexname"),
        [
            "CREATE INDEX voicemail_messages_account_id_box_id_idx ON voicemail.voicemail_messages USING btree (account_id, box_id)",
            "CREATE INDEX voicemail_messages_account_id_idx ON voicemail.voicemail_messages USING btree (account_id)",
            "CREATE INDEX voicemail_messages_box_inbox_idx ON voicemail.voicemail_messages USING btree (box_id, received_at DESC) INCLUDE (duration_seconds) WHERE (deleted_at IS NULL)",
            "CREATE INDEX voicemail_messages_metadata_idx ON voicemail.voicemail_messages USING gin (metadata)",
            "CREATE INDEX voicemail_messages_transcription_status_idx ON voicemail.voicemail_messages USING btree (transcription_status) WHERE (transcription_status = ANY (ARRAY['pending'::voicemail.transcription_status, 'processing'::voicemail.transcription_status]))",
        ]
    );
    assert_eq!(
        texts(&mut conn, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'telecom' AND tablename = 'call_detail_records' ORDER BY indexname"),
        [
            "CREATE INDEX call_detail_records_account_recent_idx ON ONLY telecom.call_detail_records USING btree (account_id, started_at DESC)",
            "CREATE UNIQUE INDEX call_detail_records_call_id_key ON ONLY telecom.call_detail_records USING btree (account_id, call_id, started_at)",
            "CREATE UNIQUE INDEX call_detail_records_pkey ON ONLY telecom.call_detail_records USING btree (id, started_at)",
            "CREATE INDEX call_detail_records_started_brin ON ONLY telecom.call_detail_records USING brin (started_at)",
        ]
    );
}

#[test]
fn call_detail_records_are_range_partitioned_by_month_with_a_default() {
    let (_db, mut conn) = platform();
    assert_eq!(
        texts(&mut conn, "SELECT partstrat::text || ' ' || pg_get_partkeydef(partrelid) FROM pg_partitioned_table WHERE partrelid = 'telecom.call_detail_records'::regclass"),
        ["r RANGE (started_at)"]
    );
    conn.batch_execute("SET TimeZone = 'UTC'").unwrap();
    let partitions = texts(&mut conn, "SELECT c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'telecom.call_detail_records'::regclass AND c.relkind = 'r' ORDER BY c.relname");
    assert_eq!(partitions.len(), 19, "{partitions:#?}");
    assert_eq!(partitions[0], "call_detail_records_default DEFAULT");
    assert_eq!(
        partitions[1],
        "call_detail_records_p2026_01 FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')"
    );
    assert_eq!(
        partitions[18],
        "call_detail_records_p2027_06 FOR VALUES FROM ('2027-06-01 00:00:00+00') TO ('2027-07-01 00:00:00+00')"
    );
    // Rows route by month; out-of-range months land in the default partition.
    conn.batch_execute(
        "INSERT INTO accounts.accounts (name, realm) VALUES ('a', 'a.example');
         INSERT INTO telecom.call_detail_records (account_id, call_id, direction, started_at)
         SELECT id, 'c1', 'inbound'::telecom.call_direction, '2026-03-15 10:00+00'::timestamptz FROM accounts.accounts UNION ALL
         SELECT id, 'c2', 'outbound', '2031-01-01 00:00+00' FROM accounts.accounts",
    )
    .unwrap();
    assert_eq!(
        texts(&mut conn, "SELECT tableoid::regclass::text || ' ' || call_id FROM telecom.call_detail_records ORDER BY call_id"),
        [
            "telecom.call_detail_records_p2026_03 c1",
            "telecom.call_detail_records_default c2"
        ]
    );
}

#[test]
fn tenant_tables_and_every_partition_enable_and_force_rls_with_the_tenant_policy() {
    let (_db, mut conn) = platform();
    // Every tenant table of the declarations, and each of its partitions, has RLS enabled and
    // forced with its tenant policy; the tenant root has RLS with its own policies; every other
    // table has none.
    let declared = platform_schema();
    let mut tenant = Vec::new();
    let mut other = Vec::new();
    for table in &declared.tables {
        let policy = format!("{}_tenant_isolation", table.name);
        let is_tenant = table
            .row_security
            .as_ref()
            .is_some_and(|r| r.policies.iter().any(|p| p.name == policy));
        if table.access.kind == schema_core::ir::TableKind::TenantRoot {
            let row = texts(&mut conn, &format!("SELECT relrowsecurity || ' ' || relforcerowsecurity || ' ' || (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) FROM pg_class c WHERE c.oid = '{}'::regclass", table.qualified_name()));
            assert_eq!(row, ["true true 3"], "the tenant root");
            continue;
        }
        let mut relations = vec![table.name.clone()];
        relations.extend(table.partitions().map(|p| p.name.clone()));
        for relation in relations {
            let qualified = format!("{}.{relation}", table.schema);
            if is_tenant {
                tenant.push((qualified, policy.clone()));
            } else {
                other.push(qualified);
            }
        }
    }
    assert!(tenant.len() >= 40, "{}", tenant.len());
    for (relation, policy) in &tenant {
        let row = texts(&mut conn, &format!("SELECT relrowsecurity || ' ' || relforcerowsecurity || ' ' || (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = '{policy}') FROM pg_class c WHERE c.oid = '{relation}'::regclass"));
        assert_eq!(row, ["true true 1"], "{relation}");
    }
    for relation in &other {
        let row = texts(
            &mut conn,
            &format!(
                "SELECT relrowsecurity::text FROM pg_class WHERE oid = '{relation}'::regclass"
            ),
        );
        assert_eq!(row, ["false"], "{relation} is not a tenant table");
    }
    let policy = texts(&mut conn, "SELECT permissive || ' ' || cmd || ' ' || roles::text || ' ' || qual || ' | ' || with_check FROM pg_policies WHERE tablename = 'call_detail_records_p2026_03' AND policyname = 'call_detail_records_tenant_isolation'");
    assert_eq!(
        policy,
        ["PERMISSIVE ALL {public} (account_id = ( SELECT (NULLIF(current_setting('app.current_account_id'::text, true), ''::text))::uuid AS \"nullif\")) | (account_id = ( SELECT (NULLIF(current_setting('app.current_account_id'::text, true), ''::text))::uuid AS \"nullif\"))"]
    );
}

#[test]
fn updated_at_triggers_use_one_function_per_schema() {
    let (_db, mut conn) = platform();
    assert_eq!(
        texts(&mut conn, "SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('accounts', 'auth', 'devices', 'telecom', 'voicemail') AND p.proname = 'set_updated_at' ORDER BY 1"),
        [
            "accounts.set_updated_at",
            "auth.set_updated_at",
            "devices.set_updated_at",
            "telecom.set_updated_at",
            "voicemail.set_updated_at"
        ]
    );
    // Append-only tables (the CDRs) have no `updated_at`, so no such trigger.
    assert_eq!(
        texts(&mut conn, "SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'telecom.call_detail_records'::regclass AND NOT tgisinternal"),
        ["call_detail_records_append_only"]
    );
    let triggers = texts(&mut conn, "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND t.tgrelid = 'voicemail.voicemail_boxes'::regclass");
    assert_eq!(
        triggers,
        ["CREATE TRIGGER voicemail_boxes_set_updated_at BEFORE UPDATE ON voicemail.voicemail_boxes FOR EACH ROW EXECUTE FUNCTION voicemail.set_updated_at()"]
    );
    // The trigger moves updated_at, and only updated_at.
    conn.batch_execute(
        "INSERT INTO accounts.accounts (name, realm) VALUES ('a', 'a.example');
         INSERT INTO voicemail.voicemail_boxes (account_id, mailbox_number, updated_at)
         SELECT id, '200', '2020-01-01 00:00+00' FROM accounts.accounts;
         INSERT INTO telecom.call_detail_records (account_id, call_id, direction, started_at, ended_at)
         SELECT id, 'c1', 'inbound', '2026-04-01 10:00+00', '2026-04-01 10:01:30+00' FROM accounts.accounts;
         BEGIN;
         UPDATE voicemail.voicemail_boxes SET max_messages = 5;",
    )
    .unwrap();
    assert_eq!(
        texts(&mut conn, "SELECT (updated_at = now())::text || ' ' || (account_id = (SELECT id FROM accounts.accounts))::text FROM voicemail.voicemail_boxes UNION ALL SELECT 'generated ' || duration_seconds FROM telecom.call_detail_records"),
        ["true true", "generated 90"]
    );
    conn.batch_execute("COMMIT").unwrap();
}

#[test]
fn doc_comments_become_catalog_comments() {
    let (_db, mut conn) = platform();
    assert_eq!(
        texts(
            &mut conn,
            "SELECT obj_description('voicemail.voicemail_messages'::regclass, 'pg_class')"
        ),
        ["A message left in a voicemail box, with its transcription."]
    );
    assert_eq!(
        texts(&mut conn, "SELECT col_description('voicemail.voicemail_messages'::regclass, attnum) FROM pg_attribute WHERE attrelid = 'voicemail.voicemail_messages'::regclass AND attname = 'transcription_confidence'"),
        ["The engine's confidence, 0 to 1."]
    );
    // The CDR table: its doc comment and its four documented fields, nothing else.
    assert_eq!(
        texts(&mut conn, "SELECT coalesce(a.attname::text, '(table)') FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0 WHERE c.oid = 'telecom.call_detail_records'::regclass ORDER BY d.objsubid"),
        ["(table)", "call_id", "duration_seconds", "carrier_network", "codecs"]
    );
}

/// Two tenants' rows, written as the (superuser) owner, then read and written as a
/// non-owner application role without BYPASSRLS.
#[test]
fn rls_isolates_tenants_for_a_non_owner_application_role() {
    let (db, mut conn) = platform();
    let role = format!("app_{}", db.name());
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    conn.batch_execute(&format!(
        "CREATE ROLE \"{role}\" NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
         GRANT USAGE ON SCHEMA accounts, voicemail, telecom TO \"{role}\";
         GRANT SELECT ON accounts.accounts TO \"{role}\";
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA voicemail, telecom TO \"{role}\";
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA telecom TO \"{role}\";
         INSERT INTO accounts.accounts (id, name, realm) VALUES ('{a}', 'A', 'a.example'), ('{b}', 'B', 'b.example');
         INSERT INTO voicemail.voicemail_boxes (account_id, mailbox_number) VALUES ('{a}', '100'), ('{a}', '101'), ('{b}', '100');
         INSERT INTO telecom.call_detail_records (account_id, call_id, direction, started_at) VALUES
             ('{a}', 'a1', 'inbound', '2026-03-01 10:00+00'), ('{a}', 'a2', 'outbound', '2026-03-02 10:00+00'),
             ('{b}', 'b1', 'inbound', '2026-03-03 10:00+00'), ('{b}', 'b2', 'inbound', '2035-01-01 00:00+00');"
    ))
    .unwrap();
    let role_check = texts(&mut conn, &format!("SELECT rolsuper::text || ' ' || rolbypassrls::text FROM pg_roles WHERE rolname = '{role}'"));
    assert_eq!(role_check, ["false false"]);

    let as_app = |conn: &mut PgConnection, tenant: Option<&str>| {
        conn.batch_execute(&format!("RESET ROLE; SET ROLE \"{role}\""))
            .unwrap();
        match tenant {
            Some(t) => conn
                .batch_execute(&format!("SET app.current_account_id = '{t}'"))
                .unwrap(),
            None => conn.batch_execute("RESET app.current_account_id").unwrap(),
        }
    };
    let boxes = "SELECT account_id FROM voicemail.voicemail_boxes";
    let cdrs = "SELECT account_id FROM telecom.call_detail_records";
    let march = "SELECT account_id FROM telecom.call_detail_records_p2026_03";
    let default = "SELECT account_id FROM telecom.call_detail_records_default";

    // A session that never set the tenant: zero rows, no error.
    let mut fresh = db.connect();
    fresh
        .batch_execute(&format!("SET ROLE \"{role}\""))
        .unwrap();
    for q in [boxes, cdrs, march, default] {
        assert_eq!(count(&mut fresh, q).unwrap(), 0, "unset tenant: {q}");
    }

    as_app(&mut conn, Some(&a.to_string()));
    assert_eq!(count(&mut conn, boxes).unwrap(), 2);
    assert_eq!(count(&mut conn, cdrs).unwrap(), 2);
    assert_eq!(texts(&mut conn, march), [a.to_string(), a.to_string()]);
    assert_eq!(count(&mut conn, default).unwrap(), 0);

    as_app(&mut conn, Some(&b.to_string()));
    assert_eq!(count(&mut conn, boxes).unwrap(), 1);
    assert_eq!(texts(&mut conn, march), [b.to_string()]);
    assert_eq!(texts(&mut conn, default), [b.to_string()]);

    // Reset (PostgreSQL then reports an empty string) and explicitly empty: zero rows.
    for tenant in [None, Some("")] {
        as_app(&mut conn, tenant);
        for q in [boxes, cdrs, march, default] {
            assert_eq!(count(&mut conn, q).unwrap(), 0, "{tenant:?}: {q}");
        }
    }

    // Writes: another tenant's rows cannot be inserted, updated into, or reached.
    as_app(&mut conn, Some(&a.to_string()));
    for insert in [
        format!("INSERT INTO voicemail.voicemail_boxes (account_id, mailbox_number) VALUES ('{b}', '300')"),
        format!("INSERT INTO telecom.call_detail_records (account_id, call_id, direction, started_at) VALUES ('{b}', 'x', 'inbound', '2026-03-05 00:00+00')"),
        format!("INSERT INTO telecom.call_detail_records_p2026_03 (account_id, call_id, direction, started_at) VALUES ('{b}', 'y', 'inbound', '2026-03-05 00:00+00')"),
    ] {
        let err = conn.batch_execute(&insert).unwrap_err().to_string();
        assert!(err.contains("violates row-level security policy"), "{insert}: {err}");
    }
    let err = conn
        .batch_execute(&format!(
            "UPDATE voicemail.voicemail_boxes SET account_id = '{b}'"
        ))
        .unwrap_err()
        .to_string();
    assert!(err.contains("violates row-level security policy"), "{err}");
    let touched = diesel::sql_query(format!(
        "UPDATE telecom.call_detail_records SET caller_number = 'x' WHERE account_id = '{b}'"
    ))
    .execute(&mut conn)
    .unwrap();
    assert_eq!(touched, 0, "another tenant's rows are invisible to UPDATE");
    let own = diesel::sql_query(format!(
        "INSERT INTO telecom.call_detail_records (account_id, call_id, direction, started_at) VALUES ('{a}', 'a3', 'internal', '2026-03-09 00:00+00')"
    ))
    .execute(&mut conn)
    .unwrap();
    assert_eq!(own, 1, "the tenant writes its own rows");

    // The setting is read once per query (an InitPlan), not per row.
    #[derive(QueryableByName)]
    struct Plan {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let plan: Vec<Plan> = diesel::sql_query("EXPLAIN SELECT * FROM voicemail.voicemail_boxes")
        .load(&mut conn)
        .unwrap();
    assert!(
        plan.iter().any(|p| p.line.contains("InitPlan")),
        "{:?}",
        plan.iter().map(|p| &p.line).collect::<Vec<_>>()
    );

    conn.batch_execute(&format!(
        "RESET ROLE; DROP OWNED BY \"{role}\"; DROP ROLE \"{role}\""
    ))
    .unwrap();
}

#[test]
fn enums_typed_jsonb_arrays_and_generated_columns_round_trip_through_diesel() {
    use schema_tests::vocabulary::*;
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    conn.batch_execute(&render_full(&schema_tests::schema().unwrap()).up)
        .unwrap();
    let line = Line {
        id: 0,
        label: "Trunk-A".into(),
        state: LineState::InCall,
        previous_states: vec![LineState::Idle, LineState::Ringing],
        codecs: Some(vec![CodecFamily::Opus, CodecFamily::G711]),
        tags: vec!["sip".into(), "pri".into()],
        slots: vec![Some(1), None, Some(3)],
        limits: Jsonb(Limits {
            max_calls: 30,
            regions: vec!["eu".into()],
        }),
        extra: None,
        network: "10.1.0.0/16".parse().unwrap(),
        allowed: vec!["192.0.2.0/24".parse().unwrap()],
        channel_count: 23,
        port_budget: 0,
        label_key: None,
        seen_at: Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap(),
        retired_on: Some(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
        created_at: Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap(),
        updated_at: Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap(),
    };
    let stored: Line = diesel::insert_into(lines::table)
        .values(&line)
        .returning(Line::as_returning())
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(stored.port_budget, 46, "generated by PostgreSQL");
    assert_eq!(stored.label_key.as_deref(), Some("trunk-a"));
    assert_eq!(
        Line {
            id: stored.id,
            port_budget: 46,
            label_key: Some("trunk-a".into()),
            ..line
        },
        stored
    );
    // The enum is stored as the renamed label and filters as a typed value.
    assert_eq!(
        texts(&mut conn, "SELECT state::text FROM vocabulary.lines"),
        ["off_hook"]
    );
    let found: Vec<i64> = lines::table
        .filter(lines::state.eq(LineState::InCall))
        .filter(lines::codecs.is_not_null())
        .select(lines::id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(found, [stored.id]);
    // A JSON document that does not fit the declared type is a read error, not a panic.
    conn.batch_execute("UPDATE vocabulary.lines SET limits = '{\"max_calls\": \"many\"}'")
        .unwrap();
    let err = lines::table
        .select(Line::as_select())
        .first(&mut conn)
        .unwrap_err();
    let err = format!("{err:?}");
    assert!(err.contains("does not fit"), "{err}");
    // The CHECKs, column and table level, hold.
    let err = conn
        .batch_execute("UPDATE vocabulary.lines SET limits = '{}', channel_count = 0")
        .unwrap_err()
        .to_string();
    assert!(err.contains("lines_channel_count_check"), "{err}");
    let bool_check: Vec<bool> = diesel::select(diesel::dsl::sql::<Bool>(
        "EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'lines_channels_range')",
    ))
    .load(&mut conn)
    .unwrap();
    assert_eq!(bool_check, [true]);
}

#[test]
fn declared_policies_keep_command_roles_and_mode() {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    conn.batch_execute(&render_full(&schema_tests::schema().unwrap()).up)
        .unwrap();
    assert_eq!(
        texts(&mut conn, "SELECT policyname || ' ' || permissive || ' ' || cmd || ' ' || roles::text || ' using=' || coalesce(qual, '-') || ' check=' || coalesce(with_check, '-') FROM pg_policies WHERE schemaname = 'vocabulary' ORDER BY policyname"),
        [
            "lines_insert_small PERMISSIVE INSERT {public} using=- check=(channel_count <= 64)",
            "lines_not_idle_writes RESTRICTIVE UPDATE {public} using=(state <> 'idle'::vocabulary.line_state) check=(state <> 'idle'::vocabulary.line_state)",
            "lines_read_all PERMISSIVE SELECT {pg_read_all_data} using=true check=-",
        ]
    );
    assert_eq!(
        texts(&mut conn, "SELECT relname || ' ' || relrowsecurity || ' ' || relforcerowsecurity FROM pg_class WHERE relname = 'lines'"),
        ["lines true true"]
    );
    // LIST and HASH partitions, and the explicit MINVALUE bound.
    conn.batch_execute("SET TimeZone = 'UTC'").unwrap();
    assert_eq!(
        texts(&mut conn, "SELECT c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) FROM pg_class c WHERE c.relispartition AND c.relkind = 'r' AND c.relnamespace = 'vocabulary'::regnamespace ORDER BY 1"),
        [
            "events_by_line_h0 FOR VALUES WITH (modulus 2, remainder 0)",
            "events_by_line_h1 FOR VALUES WITH (modulus 2, remainder 1)",
            "numbers_by_region_eu FOR VALUES IN ('de', 'fr', 'nl')",
            "numbers_by_region_na FOR VALUES IN ('us', 'ca')",
            "numbers_by_region_other DEFAULT",
            "usage_by_day_old FOR VALUES FROM (MINVALUE) TO ('2026-01-01')",
            "usage_by_day_p2026_01 FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')",
            "usage_by_day_p2026_02 FOR VALUES FROM ('2026-02-01') TO ('2026-03-01')",
        ]
    );
}

#[test]
fn a_partitioned_tables_updated_at_trigger_is_cloned_onto_its_partitions() {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    conn.batch_execute(&render_full(&schema_tests::schema().unwrap()).up)
        .unwrap();
    assert_eq!(
        texts(&mut conn, "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = 'numbers_by_region_set_updated_at' ORDER BY 1"),
        [
            "numbers_by_region",
            "numbers_by_region_eu",
            "numbers_by_region_na",
            "numbers_by_region_other"
        ]
    );
    conn.batch_execute(
        "INSERT INTO vocabulary.numbers_by_region (region, number, updated_at) VALUES ('de', '+4930', '2020-01-01 00:00+00');
         BEGIN;
         UPDATE vocabulary.numbers_by_region_eu SET number = '+4940';",
    )
    .unwrap();
    assert_eq!(
        texts(
            &mut conn,
            "SELECT (updated_at = now())::text FROM vocabulary.numbers_by_region"
        ),
        ["true"]
    );
    conn.batch_execute("COMMIT").unwrap();
}

#[test]
fn append_only_tables_reject_updates_in_postgresql_too() {
    let (_db, mut conn) = platform();
    assert_eq!(
        texts(&mut conn, "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND t.tgrelid = 'telecom.call_detail_records'::regclass"),
        ["CREATE TRIGGER call_detail_records_append_only BEFORE UPDATE ON telecom.call_detail_records FOR EACH ROW EXECUTE FUNCTION telecom.reject_update()"]
    );
    conn.batch_execute(
        "INSERT INTO accounts.accounts (name, realm) VALUES ('a', 'a.example');
         INSERT INTO telecom.call_detail_records (account_id, call_id, direction, started_at)
         SELECT id, 'c1', 'inbound', '2026-04-01 10:00+00' FROM accounts.accounts;",
    )
    .unwrap();
    // Through the parent and on the partition itself.
    for table in [
        "telecom.call_detail_records",
        "telecom.call_detail_records_p2026_04",
    ] {
        let err = conn
            .batch_execute(&format!("UPDATE {table} SET caller_number = '+15550100'"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "rows of telecom.call_detail_records_p2026_04 are never updated (append-only)"
            ),
            "{table}: {err}"
        );
    }
    // Inserting and deleting (retention) still work.
    assert_eq!(
        diesel::sql_query("DELETE FROM telecom.call_detail_records")
            .execute(&mut conn)
            .unwrap(),
        1
    );
}

#[test]
fn declared_extensions_are_created_in_order_checked_by_drift_and_dropped_on_the_way_down() {
    let (_db, mut conn) = platform();
    let platform = platform_schema();
    // `earthdistance` requires `cube`: declared after it, it is created after it.
    let declared = platform
        .clone()
        .with_extensions(&["pgcrypto", "cube", "earthdistance"]);
    let changes = schema_core::diff::diff(&platform, &declared).unwrap();
    let sql = schema_core::render::render_migration("", &changes);
    conn.batch_execute(&format!("BEGIN;\n{}\nCOMMIT;", sql.up))
        .unwrap();
    assert_eq!(
        texts(
            &mut conn,
            "SELECT extname::text FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname"
        ),
        ["cube", "earthdistance", "pgcrypto"]
    );
    // Drift: none against the declarations (whatever the catalog's order); undeclared ones
    // are reported.
    assert_eq!(
        schema_core::live::introspect::drift(&mut conn, &declared).unwrap(),
        Vec::<String>::new()
    );
    let strays = schema_core::live::introspect::drift(&mut conn, &platform).unwrap();
    assert!(
        strays
            .iter()
            .any(|d| d.contains("drop extension `pgcrypto`")),
        "{strays:?}"
    );
    // pgcrypto works (the WARP seed encrypts fields with it).
    assert_eq!(
        texts(
            &mut conn,
            "SELECT pgp_sym_decrypt(pgp_sym_encrypt('sip-secret', 'k'), 'k') AS t"
        ),
        ["sip-secret"]
    );
    // The down drops them, dependents first (earthdistance before cube).
    conn.batch_execute(&format!("BEGIN;\n{}\nCOMMIT;", sql.down))
        .unwrap();
    assert_eq!(
        texts(
            &mut conn,
            "SELECT extname::text FROM pg_extension WHERE extname <> 'plpgsql'"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        schema_core::live::introspect::drift(&mut conn, &platform).unwrap(),
        Vec::<String>::new()
    );
}
