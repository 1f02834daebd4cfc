//! The SQL the declarations render to, reviewed as insta snapshots.

use schema_core::migrations::render_full;

#[test]
fn platform_schema_ddl() {
    let schema = schema_models::schema().unwrap();
    let sql = render_full(&schema);
    insta::assert_snapshot!("platform_up", sql.up);
    insta::assert_snapshot!("platform_down", sql.down);
}

#[test]
fn fixture_schema_ddl() {
    let schema = schema_tests::schema().unwrap();
    let sql = render_full(&schema);
    insta::assert_snapshot!("fixtures_up", sql.up);
    insta::assert_snapshot!("fixtures_down", sql.down);
}

#[test]
fn rendering_is_deterministic() {
    let a = render_full(&schema_models::schema().unwrap());
    let b = render_full(&schema_models::schema().unwrap());
    assert_eq!(a, b);
}
