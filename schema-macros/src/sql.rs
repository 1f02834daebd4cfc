//! SQL fragments in attributes (CHECK, partial-index WHERE, generated columns, policies),
//! parsed at compile time with sqlparser's PostgreSQL dialect, so a syntax error or a column
//! typo is a compile error at the attribute instead of a failed migration.

use crate::ctxt::{did_you_mean, Ctxt};
use sqlparser::ast::{DataType, Expr, Query, Value, Visit, Visitor};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};
use std::ops::ControlFlow;
use syn::LitStr;

/// How an expression may refer to columns.
pub enum Columns<'a> {
    /// Only these columns, no subqueries (CHECK, index predicates, generated columns: what
    /// PostgreSQL allows there).
    OfThisTable(&'a [String]),
    /// These columns outside subqueries; subqueries may name other tables' (policies).
    OfThisTableOrSubqueries(&'a [String]),
    /// No column at all, no subquery (`default`: PostgreSQL computes it before the row exists).
    None,
}

/// PostgreSQL's reserved key words (its documentation's appendix C, "reserved" and "reserved
/// (can be function or type)"): unquoted, each is read as the key word, never as a column;
/// `user`, `current_user` and the like are even valid expressions of their own.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// Type names sqlparser parses itself (so they never reach the check), offered as suggestions.
const PARSED_TYPES: &[&str] = &[
    "bigint",
    "boolean",
    "char",
    "date",
    "integer",
    "json",
    "jsonb",
    "numeric",
    "real",
    "smallint",
    "text",
    "time",
    "timestamp",
    "timestamptz",
    "uuid",
    "varchar",
];

/// Type names a cast may use without a schema: PostgreSQL's built-in types that sqlparser
/// does not know by name, and the extensions' the platform may use.
const KNOWN_TYPES: &[&str] = &[
    "bit",
    "box",
    "bpchar",
    "bytea",
    "cidr",
    "circle",
    "citext",
    "daterange",
    "float4",
    "float8",
    "hstore",
    "inet",
    "int2",
    "int4",
    "int4range",
    "int8",
    "int8range",
    "interval",
    "jsonpath",
    "line",
    "lseg",
    "ltree",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numrange",
    "oid",
    "path",
    "pg_lsn",
    "point",
    "polygon",
    "regclass",
    "regconfig",
    "regnamespace",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "serial",
    "tsquery",
    "tsrange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "varbit",
    "xid",
    "xml",
];

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
    // A comment would swallow what the renderer writes after the fragment (`-- ...` runs to
    // the end of the line), and a fragment is no place for one.
    if let Ok(tokens) = Tokenizer::new(&dialect, &text).tokenize() {
        if tokens.iter().any(|t| {
            matches!(
                t,
                Token::Whitespace(
                    Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)
                )
            )
        }) {
            cx.error_spanned_by(
                lit,
                format!("{what} contains a SQL comment (`--` or `/* */`), which would comment out what the migration writes after it\nhelp: remove it; explain the expression in a Rust comment beside the attribute"),
            );
            return None;
        }
    }
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
    let (known, allow_subqueries, no_columns) = match columns {
        Columns::OfThisTable(known) => (known, false, false),
        Columns::OfThisTableOrSubqueries(known) => (known, true, false),
        Columns::None => (&[][..], false, true),
    };
    let mut refs = ColumnRefs {
        cx,
        lit,
        what,
        known,
        allow_subqueries,
        no_columns,
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
    /// A `default`: no column may be named.
    no_columns: bool,
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
            Expr::Identifier(ident)
                if ident.quote_style.is_none()
                    && RESERVED.contains(&ident.value.to_lowercase().as_str()) =>
            {
                self.ok = false;
                let word = ident.value.to_lowercase();
                cx.error_spanned_by(
                    lit,
                    format!("{what} uses `{}` unquoted: PostgreSQL reads it as the reserved word {}, not as a column\nhelp: to mean the column, quote it: \"{word}\"", ident.value, word.to_uppercase()),
                );
            }
            // `user`, `current_user`, `current_date`…: key words that are expressions of their
            // own; in a table with a column of that name, the column was surely meant.
            Expr::Function(f)
                if matches!(f.args, sqlparser::ast::FunctionArguments::None)
                    && f.name.0.len() == 1
                    && self.known.contains(&f.name.to_string().to_lowercase())
                    && RESERVED.contains(&f.name.to_string().to_lowercase().as_str()) =>
            {
                self.ok = false;
                let word = f.name.to_string().to_lowercase();
                cx.error_spanned_by(
                    lit,
                    format!("{what} uses `{}` unquoted: PostgreSQL reads it as the reserved word {} (a value of its own, such as the session's role), not as the column `{word}`\nhelp: to mean the column, quote it: \"{word}\"", f.name, word.to_uppercase()),
                );
            }
            Expr::Identifier(ident) if self.no_columns => {
                self.ok = false;
                cx.error_spanned_by(
                    lit,
                    format!("{what} names `{}`: a default cannot refer to a column, PostgreSQL computes it before the row exists\nhelp: use a constant or a function call such as `now()`; to derive a value from other columns, declare `generated`", ident.value),
                );
            }
            Expr::Value(v) if matches!(v.value, Value::Placeholder(_)) => {
                self.ok = false;
                cx.error_spanned_by(
                    lit,
                    format!("{what} contains the parameter `{}`: a declaration's SQL is run as written, with nothing bound to parameters\nhelp: write the value itself", v.value),
                );
            }
            Expr::Cast {
                data_type: DataType::Custom(name, _),
                ..
            } if name.0.len() == 1 => {
                let type_name = name.to_string().to_lowercase();
                let bare = type_name.trim_matches('"');
                if !KNOWN_TYPES.contains(&bare) {
                    self.ok = false;
                    let candidates: Vec<&str> =
                        KNOWN_TYPES.iter().chain(PARSED_TYPES).copied().collect();
                    let hint = match did_you_mean(bare, &candidates) {
                        Some(s) => format!("; did you mean `{s}`?"),
                        None => String::new(),
                    };
                    cx.error_spanned_by(
                        lit,
                        format!("{what} casts to `{type_name}`, which is not a PostgreSQL type this crate knows{hint}\nhelp: if it is one of the declared enum types or an extension's, name it with its schema (`devices.device_status`), which also keeps it independent of search_path"),
                    );
                }
            }
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
    fn comments_parameters_reserved_words_and_unknown_casts_are_errors() {
        for (expr, expected) in [
            ("name <> '' -- not empty", "SQL comment"),
            ("name <> '' /* not empty */", "SQL comment"),
            ("/**/ version > 0", "SQL comment"),
            ("version > $1", "parameter `$1`"),
            ("name = $name", "parameter"),
            ("version > 0) OR (true", "after the expression"),
            ("version > 0; DROP TABLE t", "after the expression"),
            ("payload::jsnob ? 'x'", "not a PostgreSQL type"),
            ("name::varchr <> ''", "did you mean `varchar`"),
        ] {
            let err = check(expr).unwrap_err();
            assert!(err.contains(expected), "{expr}: {err}");
        }
        // `user` and `order` as columns: unquoted they are key words.
        let cx = Ctxt::default();
        let known: Vec<String> = ["user", "order"].iter().map(|s| s.to_string()).collect();
        for expr in ["user <> ''", "order > 0", "USER <> ''"] {
            let lit = LitStr::new(expr, proc_macro2::Span::call_site());
            check_expression(&cx, &lit, "`check`", Columns::OfThisTable(&known));
        }
        let errors = cx.into_compile_errors().unwrap().to_string();
        assert_eq!(errors.matches("reserved word").count(), 3, "{errors}");
        assert!(errors.contains("quote it"), "{errors}");
        // Quoted, they are the columns.
        let cx = Ctxt::default();
        let lit = LitStr::new(
            "\"user\" <> '' AND \"order\" > 0",
            proc_macro2::Span::call_site(),
        );
        let used = check_expression(&cx, &lit, "`check`", Columns::OfThisTable(&known));
        assert!(cx.into_compile_errors().is_none());
        assert_eq!(used.unwrap(), ["user", "order"]);
        // Known and schema-qualified casts are fine; a string with `--` inside is no comment.
        for expr in [
            "name::text <> '--'",
            "'10.0.0.0/8'::cidr IS NOT NULL",
            "status::devices.device_status IS NOT NULL",
            "name::citext <> ''",
        ] {
            assert!(check(expr).is_ok(), "{expr}: {:?}", check(expr));
        }
    }

    #[test]
    fn a_default_is_one_expression_without_columns() {
        let default = |expr: &str| {
            let cx = Ctxt::default();
            let lit = LitStr::new(expr, proc_macro2::Span::call_site());
            check_expression(&cx, &lit, "`default`", Columns::None);
            cx.into_compile_errors().map(|e| e.to_string())
        };
        for ok in [
            "now()",
            "'x'",
            "'[]'::jsonb",
            "0",
            "gen_random_uuid()",
            "ARRAY[]::text[]",
            "'{}'::text[]",
        ] {
            assert_eq!(default(ok), None, "{ok}");
        }
        for (bad, expected) in [
            (
                "'x'); DROP TABLE public.victim; CREATE TABLE public.pwned (z text",
                "after the expression",
            ),
            ("'[]'::jsnob", "casts to `jsnob`"),
            ("id + 1", "cannot refer to a column"),
            ("(SELECT 1)", "subquery"),
            ("'x' -- comment", "SQL comment"),
        ] {
            let err = default(bad).unwrap_or_default();
            assert!(err.contains(expected), "{bad}: {err}");
        }
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
