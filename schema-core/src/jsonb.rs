//! `Jsonb<T>`: a `jsonb` column whose value is any serde type, checked when read.

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::io::Write;

/// A typed `jsonb` column: `T` is serialized with serde on write and deserialized on read (a
/// row whose JSON does not fit `T` is a deserialization error naming the mismatch). Use
/// `serde_json::Value` for free-form JSON.
///
/// ```ignore
/// #[derive(Serialize, Deserialize, Debug)]
/// pub struct Codecs { pub preferred: Vec<String> }
///
/// #[column(default = "'{}'")]
/// pub codecs: Jsonb<Codecs>,
/// ```
#[derive(
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = sql_types::Jsonb)]
pub struct Jsonb<T>(pub T);

impl<T> Jsonb<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Jsonb<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Jsonb<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for Jsonb<T> {
    fn from(value: T) -> Self {
        Jsonb(value)
    }
}

impl<T: fmt::Debug> fmt::Debug for Jsonb<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Jsonb").field(&self.0).finish()
    }
}

impl<T: Serialize> Serialize for Jsonb<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Jsonb<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Jsonb)
    }
}

/// The binary `jsonb` format: a version byte (1) and the JSON text.
const JSONB_VERSION: u8 = 1;

impl<T: Serialize + fmt::Debug> ToSql<sql_types::Jsonb, Pg> for Jsonb<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(&[JSONB_VERSION])?;
        serde_json::to_writer(out, &self.0)?;
        Ok(IsNull::No)
    }
}

impl<T: DeserializeOwned> FromSql<sql_types::Jsonb, Pg> for Jsonb<T> {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        match value.as_bytes().split_first() {
            Some((&JSONB_VERSION, json)) => {
                Ok(Jsonb(serde_json::from_slice(json).map_err(|e| {
                    format!(
                        "jsonb value does not fit `{}`: {e}",
                        std::any::type_name::<T>()
                    )
                })?))
            }
            _ => Err("unsupported jsonb format version".into()),
        }
    }
}
