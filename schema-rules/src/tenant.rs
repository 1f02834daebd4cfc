//! How a connection is scoped to one tenant.

/// The column that says which tenant a row belongs to.
pub const COLUMN: &str = "account_id";

/// The transaction-local setting `schema_core::with_tenant` sets and every tenant policy reads.
pub const SETTING: &str = "app.current_account_id";

/// `column` equals the tenant the transaction is scoped to, with the setting cast to `cast`
/// (the type of `account_id`). The scalar subquery makes PostgreSQL evaluate the setting once
/// per query (an InitPlan), not once per row; `nullif` turns the empty string a reset setting
/// leaves into NULL, which matches no row.
pub fn predicate(column: &str, cast: &str) -> String {
    format!("{column} = (SELECT nullif(current_setting('{SETTING}', true), '')::{cast})")
}
