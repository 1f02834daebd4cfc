//! Diesel SQL types that PostgreSQL tells apart and Diesel does not.

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

/// `character varying`, with its own type OIDs (1043, array 1015).
///
/// Diesel's `Varchar` is an alias of `Text`, so a `Vec<String>` compared with a
/// `varchar(n)[]` column is bound as `text[]`, and PostgreSQL has no `varchar[] = text[]`
/// operator (nor `@>`, `&&`): the query compiles and fails at run time. The `table!`
/// definitions give array-of-varchar columns `Array<schema_core::sql_types::Varchar>`, so the
/// array is bound as `varchar[]`. (A single `varchar` column keeps Diesel's `Text`, which
/// PostgreSQL compares with `varchar` implicitly.)
#[derive(
    Debug, Clone, Copy, Default, diesel::query_builder::QueryId, diesel::sql_types::SqlType,
)]
#[diesel(postgres_type(oid = 1043, array_oid = 1015))]
pub struct Varchar;

impl ToSql<Varchar, Pg> for str {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <str as ToSql<Text, Pg>>::to_sql(self, out)
    }
}

impl ToSql<Varchar, Pg> for String {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <str as ToSql<Text, Pg>>::to_sql(self.as_str(), out)
    }
}

impl FromSql<Varchar, Pg> for String {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        <String as FromSql<Text, Pg>>::from_sql(bytes)
    }
}
