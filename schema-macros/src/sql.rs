//! SQL fragments in attributes (CHECK, partial-index WHERE, generated columns, policies),
//! parsed at compile time with sqlparser's PostgreSQL dialect, so a syntax error or a column
//! typo is a compile error at the attribute instead of a failed migration.

use crate::ctxt::{did_you_mean, Ctxt};
use sqlparser::ast::{Expr, Query, Visit, Visitor};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;
use std::ops::ControlFlow;
use syn::LitStr;

/// How an expression may refer to columns.
pub enum Columns<'a> {
    /// Only these columns, no subqueries (CHECK, index predicates, generated columns: what
    /// PostgreSQL allows there).
    OfThisTable(&'a [String]),
    /// These columns outside subqueries; subqueries may name other tables' (policies).
    OfThisTableOrSubqueries(&'a [String]),
}

/// Parses the expression in `lit`; reports problems at `lit`. Returns the columns it names,
/// in order of first use, or `None` when it has errors.
pub fn check_expression(
    cx: &Ctxt,
    lit: &LitStr,
    what: &str,
    columns: Columns<'_>,
) -> Option<Vec<String>> {
    let text = lit.value();
    if text.trim().is_empty() {
        cx.error_spanned_by(lit, format!("{what} is empty\nhelp: give a SQL expression"));
        return None;
    }
    let dialect = PostgreSqlDialect {};
    let parsed = Parser::new(&dialect)
        .try_with_sql(&text)
        .and_then(|mut parser| {
            let expr = parser.parse_expr()?;
            let next = parser.peek_token();
            if next.token != Token::EOF {
                return Err(sqlparser::parser::ParserError::ParserError(format!(
                    "unexpected `{}` after the expression",
                    next.token
                )));
            }
            Ok(expr)
        });
    let expr = match parsed {
        Ok(expr) => expr,
        Err(e) => {
            let message = e.to_string();
            let message = message
                .strip_prefix("sql parser error: ")
                .unwrap_or(&message);
            cx.error_spanned_by(
                lit,
                format!("{what} is not a valid PostgreSQL expression: {message}"),
            );
            return None;
        }
    };
    let (known, allow_subqueries) = match columns {
        Columns::OfThisTable(known) => (known, false),
        Columns::OfThisTableOrSubqueries(known) => (known, true),
    };
    let mut refs = ColumnRefs {
        cx,
        lit,
        what,
        known,
        allow_subqueries,
        depth: 0,
        used: Vec::new(),
        ok: true,
    };
    let _ = expr.visit(&mut refs);
    refs.ok.then_some(refs.used)
}

/// Collects the columns an expression names outside subqueries, reporting unknown ones.
struct ColumnRefs<'a, 'c> {
    cx: &'c Ctxt,
    lit: &'c LitStr,
    what: &'c str,
    known: &'a [String],
    allow_subqueries: bool,
    /// How many subqueries deep the visit is: their identifiers name other tables' columns.
    depth: usize,
    used: Vec<String>,
    ok: bool,
}

impl Visitor for ColumnRefs<'_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        let (cx, lit, what) = (self.cx, self.lit, self.what);
        match e {
            Expr::Identifier(ident) => {
                // Unquoted identifiers fold to lower case, as PostgreSQL folds them.
                let name = if ident.quote_style.is_some() {
                    ident.value.clone()
                } else {
                    ident.value.to_lowercase()
                };
                if self.known.contains(&name) {
                    if !self.used.contains(&name) {
                        self.used.push(name);
                    }
                } else {
                    self.ok = false;
                    let known: Vec<&str> = self.known.iter().map(String::as_str).collect();
                    let hint = match did_you_mean(&name, &known) {
                        Some(s) => format!("; did you mean `{s}`?"),
                        None => String::new(),
                    };
                    cx.error_spanned_by(
                        lit,
                        format!(
                            "{what} names column `{name}`, which is not a field of this struct{hint}\nhelp: the columns are {}",
                            known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                        ),
                    );
                }
            }
            Expr::CompoundIdentifier(parts) => {
                self.ok = false;
                let name = parts
                    .iter()
                    .map(|p| p.value.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                let scope = if self.allow_subqueries {
                    "outside a subquery it"
                } else {
                    "it"
                };
                cx.error_spanned_by(
                    lit,
                    format!("{what} names `{name}`; {scope} can only use this table's columns, by their plain names"),
                );
            }
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. }
                if !self.allow_subqueries =>
            {
                self.ok = false;
                cx.error_spanned_by(
                    lit,
                    format!("{what} cannot contain a subquery: PostgreSQL evaluates it against the row alone"),
                );
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// Whether `predicate` is `column IS NULL`, or an `AND` of terms one of which is: the form of
/// a partial index that covers live rows only.
pub fn requires_null(predicate: &str, column: &str) -> bool {
    fn walk(expr: &Expr, column: &str) -> bool {
        match expr {
            Expr::IsNull(inner) => {
                matches!(&**inner, Expr::Identifier(i) if i.value.eq_ignore_ascii_case(column))
            }
            Expr::Nested(inner) => walk(inner, column),
            Expr::BinaryOp {
                left,
                op: sqlparser::ast::BinaryOperator::And,
                right,
            } => walk(left, column) || walk(right, column),
            _ => false,
        }
    }
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(predicate)
        .and_then(|mut p| p.parse_expr())
        .is_ok_and(|expr| walk(&expr, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<String> {
        [
            "id",
            "name",
            "status",
            "version",
            "tags",
            "payload",
            "started_at",
            "ended_at",
            "email",
            "Mixed",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    fn check(expr: &str) -> Result<Vec<String>, String> {
        let cx = Ctxt::default();
        let lit = LitStr::new(expr, proc_macro2::Span::call_site());
        let known = columns();
        let used = check_expression(&cx, &lit, "`check`", Columns::OfThisTable(&known));
        match cx.into_compile_errors() {
            Some(errors) => Err(errors.to_string()),
            None => Ok(used.expect("no errors means a result")),
        }
    }

    #[test]
    fn postgres_expressions_parse_and_report_the_columns_they_use() {
        for (expr, used) in [
            ("version BETWEEN 1 AND 10", &["version"][..]),
            ("status IN ('active', 'suspended')", &["status"]),
            ("char_length(name) BETWEEN 1 AND 128", &["name"]),
            ("email ~* '^[^@]+@[^@]+$'", &["email"]),
            ("payload->>'kind' = 'cdr'", &["payload"]),
            ("payload ? 'kind'", &["payload"]),
            ("tags @> ARRAY['sip']", &["tags"]),
            ("cardinality(tags) <= 16", &["tags"]),
            ("ended_at IS NULL OR ended_at >= started_at", &["ended_at", "started_at"]),
            ("num_nonnulls(ended_at, started_at) >= 1", &["ended_at", "started_at"]),
            ("started_at < now() + interval '1 day'", &["started_at"]),
            ("started_at <= CURRENT_TIMESTAMP", &["started_at"]),
            ("name::text <> ''", &["name"]),
            ("COALESCE(version, 0) >= 0", &["version"]),
            ("date_trunc('month', started_at) = started_at", &["started_at"]),
            (
                "CASE WHEN ended_at IS NULL THEN NULL ELSE extract(epoch FROM ended_at - started_at)::integer END",
                &["ended_at", "started_at"],
            ),
            ("NOT (id IS NULL AND name IS NULL)", &["id", "name"]),
            ("\"Mixed\" > 0", &["Mixed"]),
            ("VERSION > 0", &["version"]),
            ("true", &[]),
        ] {
            assert_eq!(check(expr), Ok(used.iter().map(|s| s.to_string()).collect()), "{expr}");
        }
    }

    #[test]
    fn typos_syntax_errors_qualified_names_and_subqueries_are_errors() {
        let err = check("verison > 0").unwrap_err();
        assert!(err.contains("did you mean `version`"), "{err}");
        // Quoted identifiers keep their case, as in PostgreSQL.
        assert!(check("\"mixed\" > 0").is_err());
        assert!(check("\"Version\" > 0").is_err());
        assert!(check("version >")
            .unwrap_err()
            .contains("not a valid PostgreSQL expression"));
        assert!(check("version > 0 garbage")
            .unwrap_err()
            .contains("after the expression"));
        assert!(check("accounts.version > 0")
            .unwrap_err()
            .contains("plain names"));
        assert!(check("EXISTS (SELECT 1)").unwrap_err().contains("subquery"));
        assert!(check("   ").unwrap_err().contains("empty"));
    }

    #[test]
    fn live_rows_only_predicates_are_recognised() {
        assert!(requires_null("deleted_at IS NULL", "deleted_at"));
        assert!(requires_null("(deleted_at IS NULL)", "deleted_at"));
        assert!(requires_null(
            "enabled AND deleted_at IS NULL",
            "deleted_at"
        ));
        assert!(!requires_null(
            "deleted_at IS NULL OR enabled",
            "deleted_at"
        ));
        assert!(!requires_null("deleted_at IS NOT NULL", "deleted_at"));
        assert!(!requires_null("retired_on IS NULL", "deleted_at"));
    }

    #[test]
    fn policies_may_use_subqueries_over_other_tables_but_not_unknown_columns_of_their_own() {
        let known = columns();
        let policy = |expr: &str| {
            let cx = Ctxt::default();
            let lit = LitStr::new(expr, proc_macro2::Span::call_site());
            let used = check_expression(
                &cx,
                &lit,
                "the policy's `using`",
                Columns::OfThisTableOrSubqueries(&known),
            );
            match cx.into_compile_errors() {
                Some(errors) => Err(errors.to_string()),
                None => Ok(used.unwrap()),
            }
        };
        assert_eq!(
            policy(
                "id IN (SELECT d.device_id FROM devices.shares d WHERE d.grantee = current_user)"
            ),
            Ok(vec!["id".to_string()])
        );
        assert!(policy("staus = 'active' AND EXISTS (SELECT 1)")
            .unwrap_err()
            .contains("did you mean `status`"));
    }
}
