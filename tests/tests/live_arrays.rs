//! Typed array queries on every array column of the platform: `eq`, `contains` and
//! `overlaps_with` compile and run. A `varchar(n)[]` column is bound as `varchar[]`
//! (`schema_core::sql_types::Varchar`); were it bound as `text[]`, PostgreSQL would refuse the
//! operators (`operator does not exist: character varying[] = text[]`).

mod common;

use common::*;
use diesel::prelude::*;
use ipnetwork::IpNetwork;
use schema_models::numbers::number_porting;
use schema_models::routing::{message_stores, providers};
use schema_models::telecom::call_detail_records;
use schema_models::voicemail::voicemail_boxes;

/// Runs the three operators on one array column, asserting each query runs.
macro_rules! array_ops {
    ($conn:expr, $table:ident, $column:ident, $values:expr) => {{
        let values = $values;
        let eq: i64 = $table::table
            .filter($table::$column.eq(values.clone()))
            .count()
            .get_result($conn)
            .unwrap_or_else(|e| panic!("{}.{} = : {e}", stringify!($table), stringify!($column)));
        let contains: i64 = $table::table
            .filter($table::$column.contains(values.clone()))
            .count()
            .get_result($conn)
            .unwrap_or_else(|e| panic!("{}.{} @> : {e}", stringify!($table), stringify!($column)));
        let overlaps: i64 = $table::table
            .filter($table::$column.overlaps_with(values))
            .count()
            .get_result($conn)
            .unwrap_or_else(|e| panic!("{}.{} && : {e}", stringify!($table), stringify!($column)));
        (eq, contains, overlaps)
    }};
}

#[test]
fn eq_contains_and_overlaps_run_on_every_array_column_of_the_platform() {
    let (_db, mut conn) = migrated_with_app_role();
    let conn = &mut conn;
    let text = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    // varchar(n)[] columns.
    array_ops!(conn, call_detail_records, codecs, text(&["PCMU", "opus"]));
    array_ops!(conn, message_stores, allowed_languages, text(&["en", "fr"]));
    // text[] and inet[] columns.
    array_ops!(conn, number_porting, numbers, text(&["+15550100"]));
    array_ops!(
        conn,
        voicemail_boxes,
        notify_emails,
        text(&["a@example.com"])
    );
    array_ops!(
        conn,
        providers,
        signalling_ips,
        vec!["192.0.2.1/32".parse::<IpNetwork>().unwrap()]
    );
}

#[test]
fn a_varchar_array_round_trips_and_matches_through_typed_queries() {
    use diesel::connection::SimpleConnection;
    let (_db, mut conn) = migrated_with_app_role();
    // One message store (it needs an account and a language), written and read as Vec<String>.
    conn.batch_execute(
        "INSERT INTO accounts.accounts (id, name, realm) VALUES ('00000000-0000-0000-0000-000000000001', 'a', 'a.arrays.example');
         INSERT INTO routing.languages (code, display_name) VALUES ('en', 'English') ON CONFLICT DO NOTHING;
         INSERT INTO routing.message_stores (account_id, name, allowed_languages, default_language)
         VALUES ('00000000-0000-0000-0000-000000000001', 'main', '{en,fr}', 'en');",
    )
    .unwrap();
    let text = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let found = array_ops!(
        &mut conn,
        message_stores,
        allowed_languages,
        text(&["en", "fr"])
    );
    assert_eq!(found, (1, 1, 1));
    let none = array_ops!(&mut conn, message_stores, allowed_languages, text(&["de"]));
    assert_eq!(none, (0, 0, 0));
    let read: Vec<Vec<String>> = message_stores::table
        .select(message_stores::allowed_languages)
        .load(&mut conn)
        .unwrap();
    assert_eq!(read, [text(&["en", "fr"])]);
}
