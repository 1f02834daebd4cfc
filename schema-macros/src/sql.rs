//! SQL fragments in attributes (CHECK, partial-index WHERE, generated columns, policies),
//! parsed at compile time with sqlparser's PostgreSQL dialect, so a syntax error or a column
//! typo is a compile error at the attribute instead of a failed migration.

use crate::ctxt::{did_you_mean, Ctxt};
use sqlparser::ast::{visit_expressions, Expr};
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
    /// Anything (policies may use subqueries over other tables).
    Any,
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
    let Columns::OfThisTable(known) = columns else {
        return Some(Vec::new());
    };
    let mut used: Vec<String> = Vec::new();
    let mut ok = true;
    let _ = visit_expressions(&expr, |e| {
        match e {
            Expr::Identifier(ident) => {
                // Unquoted identifiers fold to lower case, as PostgreSQL folds them.
                let name = if ident.quote_style.is_some() {
                    ident.value.clone()
                } else {
                    ident.value.to_lowercase()
                };
                if known.contains(&name) {
                    if !used.contains(&name) {
                        used.push(name);
                    }
                } else {
                    ok = false;
                    let known: Vec<&str> = known.iter().map(String::as_str).collect();
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
                ok = false;
                let name = parts
                    .iter()
                    .map(|p| p.value.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                cx.error_spanned_by(
                    lit,
                    format!("{what} names `{name}`; it can only use this table's columns, by their plain names"),
                );
            }
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
                ok = false;
                cx.error_spanned_by(
                    lit,
                    format!("{what} cannot contain a subquery: PostgreSQL evaluates it against the row alone"),
                );
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    ok.then_some(used)
}
