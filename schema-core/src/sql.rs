//! The one place SQL text is quoted: identifiers, qualified names and string literals. A leaf
//! module (everything that writes SQL uses it; it uses nothing of the crate).

use serde::{Deserialize, Serialize};
use std::fmt;

/// `schema.name` of a relation, type or function.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// Quotes an identifier for PostgreSQL: always double-quoted, inner quotes doubled, so no name
/// is ever case-folded or mistaken for a keyword.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `"schema"."name"`.
pub fn quote_qualified(name: &QualifiedName) -> String {
    format!("{}.{}", quote_ident(&name.schema), quote_ident(&name.name))
}

/// A SQL string literal: single-quoted, inner quotes doubled (standard_conforming_strings is
/// on by default since PostgreSQL 9.1, so backslashes are literal).
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `"a", "b"`.
pub fn quote_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_always_quoted_and_escaped() {
        assert_eq!(quote_ident("users"), "\"users\"");
        assert_eq!(quote_ident("User"), "\"User\"");
        assert_eq!(quote_ident("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(
            quote_qualified(&QualifiedName::new("billing", "invoices")),
            "\"billing\".\"invoices\""
        );
        assert_eq!(quote_literal("it's"), "'it''s'");
    }
}
