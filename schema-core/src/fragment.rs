//! SQL fragments of the IR (defaults, CHECKs, index predicates, generated expressions,
//! policies) compared and edited by their parsed form, not their text.
//!
//! The macros write each fragment as sqlparser renders the parsed expression, with the table's
//! column references quoted; migrations written before that hold the text as it was declared.
//! Both mean the same, so the differ compares them with [`same_meaning`] and proposes nothing.
//! A fragment that does not parse (hand-edited history) is compared and edited as text.

use sqlparser::ast::{DataType, Expr, Ident, ObjectNamePart, VisitMut, VisitorMut};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;
use std::ops::ControlFlow;

fn parse(sql: &str) -> Option<Expr> {
    let mut parser = Parser::new(&PostgreSqlDialect {}).try_with_sql(sql).ok()?;
    let expr = parser.parse_expr().ok()?;
    (parser.peek_token().token == Token::EOF).then_some(expr)
}

/// An identifier as PostgreSQL reads it: unquoted names fold to lower case.
fn fold(ident: &mut Ident) {
    if ident.quote_style.is_none() {
        ident.value = ident.value.to_lowercase();
    }
    ident.quote_style = None;
}

fn fold_parts(parts: &mut [ObjectNamePart]) {
    for part in parts {
        if let ObjectNamePart::Identifier(ident) = part {
            fold(ident);
        }
    }
}

/// Folds every name and drops quoting, so two spellings of one expression compare equal.
struct Normalize;

impl VisitorMut for Normalize {
    type Break = ();

    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        match e {
            Expr::Identifier(ident) => fold(ident),
            Expr::CompoundIdentifier(parts) => parts.iter_mut().for_each(fold),
            Expr::Function(f) => fold_parts(&mut f.name.0),
            Expr::Cast {
                data_type: DataType::Custom(name, _),
                ..
            } => fold_parts(&mut name.0),
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        // Parentheses that group a whole expression add nothing: `(a > 0)` is `a > 0`.
        while let Expr::Nested(inner) = e {
            *e = std::mem::replace(&mut **inner, Expr::value(sqlparser::ast::Value::Null));
        }
        ControlFlow::Continue(())
    }
}

/// The normal form of a fragment, if it parses.
fn normal(sql: &str) -> Option<Expr> {
    let mut expr = parse(sql)?;
    let _ = VisitMut::visit(&mut expr, &mut Normalize);
    Some(expr)
}

/// Whether two fragments mean the same: equal text, or equal parsed forms once names are
/// folded as PostgreSQL folds them and quoting is dropped. A quoted key word (`"user"`, the
/// column) and the bare one (`user`, the session's role) parse to different trees and stay
/// different.
pub fn same_meaning(a: &str, b: &str) -> bool {
    a.trim() == b.trim() || matches!((normal(a), normal(b)), (Some(x), Some(y)) if x == y)
}

/// Like [`same_meaning`] for optional fragments: both absent, or both present and the same.
pub fn same_optional(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same_meaning(a, b),
        _ => false,
    }
}

/// The names `sql` refers to as columns outside subqueries (folded as PostgreSQL folds them),
/// in order of first use; `None` when it does not parse. A bare key word that is an
/// expression of its own (`user`, `current_date`) is no column.
pub fn columns(sql: &str) -> Option<Vec<String>> {
    struct Collect {
        depth: usize,
        found: Vec<String>,
    }
    impl VisitorMut for Collect {
        type Break = ();
        fn pre_visit_query(&mut self, _: &mut sqlparser::ast::Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &mut sqlparser::ast::Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
            if let (0, Expr::Identifier(ident)) = (self.depth, &*e) {
                let name = if ident.quote_style.is_some() {
                    ident.value.clone()
                } else {
                    ident.value.to_lowercase()
                };
                if !self.found.contains(&name) {
                    self.found.push(name);
                }
            }
            ControlFlow::Continue(())
        }
    }
    let mut expr = parse(sql)?;
    let mut collect = Collect {
        depth: 0,
        found: Vec::new(),
    };
    let _ = VisitMut::visit(&mut expr, &mut collect);
    Some(collect.found)
}

/// Whether `sql` refers to the column `column` (outside string literals).
pub fn mentions_column(sql: &str, column: &str) -> bool {
    let Some(mut expr) = parse(sql) else {
        return textual_positions(sql, column).next().is_some();
    };
    let mut finder = Rename {
        from: column,
        to: None,
        found: false,
    };
    let _ = VisitMut::visit(&mut expr, &mut finder);
    finder.found
}

/// `sql` with every reference to the column `from` made a reference to `to`, as
/// `ALTER TABLE ... RENAME COLUMN` does to the expressions that use the column.
pub fn rename_column(sql: &str, from: &str, to: &str) -> String {
    let Some(mut expr) = parse(sql) else {
        let mut out = String::with_capacity(sql.len());
        let mut last = 0;
        for start in textual_positions(sql, from) {
            out.push_str(&sql[last..start]);
            out.push_str(to);
            last = start + from.len();
        }
        out.push_str(&sql[last..]);
        return out;
    };
    let mut renamer = Rename {
        from,
        to: Some(to),
        found: false,
    };
    let _ = VisitMut::visit(&mut expr, &mut renamer);
    if renamer.found {
        expr.to_string()
    } else {
        sql.to_string()
    }
}

struct Rename<'a> {
    from: &'a str,
    to: Option<&'a str>,
    found: bool,
}

impl VisitorMut for Rename<'_> {
    type Break = ();

    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        if let Expr::Identifier(ident) = e {
            let name = if ident.quote_style.is_some() {
                ident.value.clone()
            } else {
                ident.value.to_lowercase()
            };
            if name == self.from {
                self.found = true;
                if let Some(to) = self.to {
                    *ident = Ident::with_quote('"', to);
                }
            }
        }
        ControlFlow::Continue(())
    }
}

/// Where `ident` occurs in `sql` as a whole word outside literals and quoted names, the way an
/// unquoted identifier would: the fallback for text that does not parse.
fn textual_positions<'a>(sql: &'a str, ident: &'a str) -> impl Iterator<Item = usize> + 'a {
    let bytes = sql.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            match bytes[i] {
                quote @ (b'\'' | b'"') => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != quote {
                        i += 1;
                    }
                    i += 1;
                }
                b if word(b) => {
                    let start = i;
                    while i < bytes.len() && word(bytes[i]) {
                        i += 1;
                    }
                    if sql[start..i].eq_ignore_ascii_case(ident) {
                        return Some(start);
                    }
                }
                _ => i += 1,
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_expression_are_the_same_and_key_words_are_not_columns() {
        for (a, b) in [
            ("status IN ('a', 'b')", "\"status\" IN ('a', 'b')"),
            ("Status   in ('a','b')", "\"status\" IN ('a', 'b')"),
            ("'{}'::jsonb", "'{}'::JSONB"),
            (
                "CASE WHEN ended_at IS NULL THEN NULL ELSE extract(epoch FROM ended_at - started_at)::integer END",
                "CASE WHEN \"ended_at\" IS NULL THEN NULL ELSE EXTRACT(EPOCH FROM \"ended_at\" - \"started_at\")::INTEGER END",
            ),
            ("(deleted_at IS NULL)", "deleted_at IS NULL"),
            ("NOW()", "now()"),
            ("x::Citext", "x::citext"),
        ] {
            assert!(same_meaning(a, b), "{a} / {b}");
        }
        for (a, b) in [
            ("user <> ''", "\"user\" <> ''"),
            ("\"Status\" = 1", "status = 1"),
            ("status = 'A'", "status = 'a'"),
            ("a + b * c", "(a + b) * c"),
            ("x > 0", "x >= 0"),
        ] {
            assert!(!same_meaning(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn columns_are_found_and_renamed_by_reference_not_by_text() {
        assert!(mentions_column("\"state\" = 'ringing'", "state"));
        assert!(mentions_column("STATE = 'ringing'", "state"));
        assert!(!mentions_column("kind = 'state'", "state"));
        assert!(!mentions_column("\"State\" = 1", "state"));
        assert_eq!(
            rename_column("\"state\" = 'state' AND state_id > 0", "state", "status"),
            "\"status\" = 'state' AND state_id > 0"
        );
        assert_eq!(rename_column("kind = 1", "state", "status"), "kind = 1");
        // Text that does not parse is edited as text.
        assert_eq!(rename_column("state @@@", "state", "status"), "status @@@");
    }
}
