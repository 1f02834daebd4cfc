//! SQL fragments in attributes (CHECK, partial-index WHERE, generated columns, policies),
//! parsed at compile time with sqlparser's PostgreSQL dialect, so a syntax error or a column
//! typo is a compile error at the attribute instead of a failed migration.

use crate::ctxt::{did_you_mean, Ctxt};
use sqlparser::ast::{
    DataType, Expr, FunctionArguments, Ident, Query, Value, Visit, VisitMut, Visitor, VisitorMut,
};
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

/// An expression that passed [`check_expression`].
#[derive(Debug)]
pub struct Checked {
    /// The columns it names outside subqueries, in order of first use.
    pub used: Vec<String>,
    /// The SQL the migrations get: rendered from the parsed expression, with every reference to
    /// a column of the table quoted, so PostgreSQL reads exactly what was checked here.
    pub sql: String,
    /// The parsed expression.
    pub expr: Expr,
}

/// Parses the expression in `lit` as exactly one PostgreSQL expression; reports problems at
/// `lit`. Returns `None` when it has errors.
pub fn check_expression(
    cx: &Ctxt,
    lit: &LitStr,
    what: &str,
    columns: Columns<'_>,
) -> Option<Checked> {
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
    let mut expr = match parse_one(&text) {
        Ok(expr) => expr,
        Err(message) => {
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
    if !refs.ok {
        return None;
    }
    let _ = VisitMut::visit(&mut expr, &mut QuoteColumns { known, depth: 0 });
    let sql = expr.to_string();
    // The SQL written is sqlparser's rendering of the tree; it must read back as the same tree,
    // or what PostgreSQL runs would not be what was checked.
    if parse_one(&sql).ok().as_ref() != Some(&expr) {
        cx.error_spanned_by(
            lit,
            format!("{what} cannot be written back faithfully: it renders as `{sql}`, which reads differently\nhelp: write the expression another way (explicit parentheses, a function call instead of special syntax)"),
        );
        return None;
    }
    Some(Checked {
        used: refs.used,
        sql,
        expr,
    })
}

/// Checks a `default` that is a literal against the column's type, as PostgreSQL would when it
/// stores or first uses it. Returns the string an enum column's default must be one of the
/// enum's values (checked where the enum's values are known: at constant evaluation).
pub fn check_default_literal(
    cx: &Ctxt,
    lit: &LitStr,
    expr: &Expr,
    ty: &crate::types::FieldType,
    varchar: Option<u32>,
) -> Option<String> {
    use crate::types::{RustType as R, Scalar};
    let mut expr = expr;
    while let Expr::Nested(inner) = expr {
        expr = inner;
    }
    // A literal cast explicitly is checked by the cast; the enum check still applies.
    let (value, cast) = match expr {
        Expr::Value(v) => (&v.value, false),
        Expr::Cast { expr: inner, .. } => match &**inner {
            Expr::Value(v) => (&v.value, true),
            _ => return None,
        },
        Expr::UnaryOp { expr: inner, .. } => match &**inner {
            Expr::Value(v) if matches!(v.value, Value::Number(..)) => (&v.value, false),
            _ => return None,
        },
        _ => return None,
    };
    let text = match value {
        Value::SingleQuotedString(s)
        | Value::EscapedStringLiteral(s)
        | Value::NationalStringLiteral(s) => Some(s.clone()),
        Value::DollarQuotedString(d) => Some(d.value.clone()),
        _ => None,
    };
    let kind = match value {
        Value::Number(..) => "a number",
        Value::Boolean(_) => "a boolean",
        Value::Null => return None,
        _ if text.is_some() => "a string",
        _ => return None,
    };
    let bad = |why: String, help: &str| {
        cx.error_spanned_by(lit, format!("`default` {why}\nhelp: {help}"));
        None
    };
    if ty.array.is_some() {
        return match &text {
            Some(t) if t.trim_start().starts_with('{') => None,
            _ if cast => None,
            _ => bad(
                format!("is {kind}, but the column is an array"),
                "write an array literal, e.g. `'{}'` (empty) or `'{a,b}'`, or `ARRAY[...]`",
            ),
        };
    }
    match &ty.scalar {
        Scalar::Enum(_) => match text {
            Some(t) => Some(t),
            None => bad(
                format!("is {kind}, but the column is an enum"),
                "write one of the enum's values as a string, e.g. `'active'`",
            ),
        },
        Scalar::Known(t) => {
            let column_type = match t {
                R::I16 => "smallint",
                R::I32 => "integer",
                R::I64 => "bigint",
                R::Bool => "boolean",
                R::F32 => "real",
                R::F64 => "double precision",
                R::BigDecimal => "numeric",
                R::String => "text",
                R::Uuid => "uuid",
                R::DateTimeUtc => "timestamptz",
                R::NaiveDateTime => "timestamp",
                R::NaiveDate => "date",
                R::IpNetwork => "inet",
                R::Bytes => "bytea",
                R::NaiveTime => "time",
                R::Interval => "interval",
                R::MacAddr => "macaddr",
                R::JsonValue | R::JsonbTyped => "jsonb",
            };
            if cast {
                return None;
            }
            let wrong_kind = match (t, value) {
                (R::String, _) => false,
                (R::Bool, Value::Boolean(_)) => false,
                (R::I16 | R::I32 | R::I64 | R::F32 | R::F64 | R::BigDecimal, Value::Number(..)) => {
                    false
                }
                (_, _) => text.is_none(),
            };
            if wrong_kind {
                let example = match t {
                    R::Uuid => "`'00000000-0000-0000-0000-000000000000'`",
                    R::DateTimeUtc => "`'2026-01-01 00:00:00+00'`",
                    R::NaiveDateTime => "`'2026-01-01 00:00:00'`",
                    R::NaiveDate => "`'2026-01-01'`",
                    R::NaiveTime => "`'08:30:00'`",
                    R::Interval => "`'5 minutes'`",
                    R::Bytes => "`'\\x00ff'`",
                    R::MacAddr => "`'08:00:2b:01:02:03'`",
                    R::IpNetwork => "`'10.0.0.0/8'`",
                    R::JsonValue | R::JsonbTyped => "`'{}'`",
                    _ => "`'0'`",
                };
                return bad(
                    format!("is {kind}, but the column is {column_type}"),
                    &format!("write a value of the column's type; a string is read in the type's input format, e.g. {example}"),
                );
            }
            let Some(text) = text else {
                // A number on an integer column: in range?
                if let (Value::Number(n, _), Some(range)) = (value, integer_range(*t)) {
                    let negative = matches!(expr, Expr::UnaryOp { .. });
                    let parsed = format!("{}{n}", if negative { "-" } else { "" }).parse::<i128>();
                    if matches!(parsed, Ok(v) if !range.contains(&v)) {
                        return bad(
                            format!("`{n}` is out of range for {column_type}"),
                            "use a wider integer field (i64 for bigint) or a smaller default",
                        );
                    }
                }
                return None;
            };
            let trimmed = text.trim();
            let valid = match t {
                R::I16 | R::I32 | R::I64 => trimmed
                    .parse::<i128>()
                    .is_ok_and(|v| integer_range(*t).is_some_and(|r| r.contains(&v))),
                R::F32 | R::F64 | R::BigDecimal => {
                    trimmed.parse::<f64>().is_ok()
                        || ["nan", "infinity", "-infinity", "inf", "-inf"]
                            .contains(&trimmed.to_lowercase().as_str())
                }
                R::Bool => [
                    "t", "true", "tr", "tru", "f", "false", "fa", "fal", "fals", "y", "yes", "ye",
                    "n", "no", "on", "off", "of", "1", "0",
                ]
                .contains(&trimmed.to_lowercase().as_str()),
                R::Uuid => {
                    let hex: String = trimmed
                        .trim_start_matches('{')
                        .trim_end_matches('}')
                        .chars()
                        .filter(|c| *c != '-')
                        .collect();
                    hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit())
                }
                R::String => match varchar {
                    Some(n) if text.chars().count() > n as usize => {
                        return bad(
                            format!(
                                "is {} characters long, more than the column's varchar({n})",
                                text.chars().count()
                            ),
                            "shorten the default, or raise `varchar`",
                        );
                    }
                    _ => true,
                },
                _ => true,
            };
            if !valid {
                return bad(
                    format!("'{text}' is not valid input for type {column_type}"),
                    "write the value in the type's input format",
                );
            }
            None
        }
    }
}

fn integer_range(t: crate::types::RustType) -> Option<std::ops::RangeInclusive<i128>> {
    use crate::types::RustType as R;
    match t {
        R::I16 => Some(i16::MIN as i128..=i16::MAX as i128),
        R::I32 => Some(i32::MIN as i128..=i32::MAX as i128),
        R::I64 => Some(i64::MIN as i128..=i64::MAX as i128),
        _ => None,
    }
}

/// Exactly one expression, nothing after it.
fn parse_one(text: &str) -> Result<Expr, String> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
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
        })
        .map_err(|e| {
            let message = e.to_string();
            message
                .strip_prefix("sql parser error: ")
                .unwrap_or(&message)
                .to_string()
        })
}

/// A bare key word that is an expression of its own (`user`, `current_date`), written where
/// the table has a column of that name: the column is meant.
fn keyword_naming_a_column(e: &Expr, known: &[String]) -> Option<String> {
    match e {
        Expr::Function(f)
            if matches!(f.args, FunctionArguments::None)
                && f.name.0.len() == 1
                && f.over.is_none() =>
        {
            let word = f.name.to_string();
            let lower = word.to_lowercase();
            (word == lower || word.to_uppercase() == word)
                .then_some(lower)
                .filter(|w| RESERVED.contains(&w.as_str()) && known.contains(w))
        }
        _ => None,
    }
}

/// Quotes every reference to one of the table's columns outside subqueries (folding unquoted
/// names to lower case, as PostgreSQL does), so that no column name is read as a key word.
struct QuoteColumns<'a> {
    known: &'a [String],
    depth: usize,
}

impl VisitorMut for QuoteColumns<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        if let Some(column) = keyword_naming_a_column(e, self.known) {
            *e = Expr::Identifier(Ident::with_quote('"', column));
        } else if let Expr::Identifier(ident) = e {
            let name = folded(ident);
            if self.known.contains(&name) {
                *ident = Ident::with_quote('"', name);
            }
        }
        ControlFlow::Continue(())
    }
}

/// An identifier's name as PostgreSQL reads it: unquoted names fold to lower case.
fn folded(ident: &Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
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
            // `user`, `current_date`…: key words that are expressions of their own. In a table
            // with a column of that name the column is meant, and the SQL written quotes it.
            _ if keyword_naming_a_column(e, self.known).is_some() => {
                let column = keyword_naming_a_column(e, self.known).unwrap_or_default();
                if !self.used.contains(&column) {
                    self.used.push(column);
                }
            }
            // A reserved word read as a name that is no column: PostgreSQL would not read it
            // as a name at all.
            Expr::Identifier(ident)
                if ident.quote_style.is_none()
                    && RESERVED.contains(&ident.value.to_lowercase().as_str())
                    && !self.known.contains(&ident.value.to_lowercase()) =>
            {
                self.ok = false;
                let word = ident.value.to_lowercase();
                cx.error_spanned_by(
                    lit,
                    format!("{what} uses `{}`, which PostgreSQL reads as the reserved word {}, and this table has no column of that name\nhelp: the columns are {}", ident.value, word.to_uppercase(), listing(self.known)),
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
                            listing(self.known)
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

/// `a`, `b`, `c`.
fn listing(known: &[String]) -> String {
    known
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
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
            None => Ok(used.expect("no errors means a result").used),
        }
    }

    fn rendered(expr: &str, known: &[&str]) -> Result<String, String> {
        let cx = Ctxt::default();
        let lit = LitStr::new(expr, proc_macro2::Span::call_site());
        let known: Vec<String> = known.iter().map(|s| s.to_string()).collect();
        let checked = check_expression(&cx, &lit, "`check`", Columns::OfThisTable(&known));
        match cx.into_compile_errors() {
            Some(errors) => Err(errors.to_string()),
            None => Ok(checked.expect("no errors means a result").sql),
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
        assert!(cx.into_compile_errors().is_none());
        // Quoted or not, they are the columns, and the SQL written quotes them.
        let cx = Ctxt::default();
        let lit = LitStr::new(
            "\"user\" <> '' AND \"order\" > 0",
            proc_macro2::Span::call_site(),
        );
        let used = check_expression(&cx, &lit, "`check`", Columns::OfThisTable(&known));
        assert!(cx.into_compile_errors().is_none());
        assert_eq!(used.unwrap().used, ["user", "order"]);
        // In a table without such columns, `user` is the session's role and `order` an error.
        assert_eq!(rendered("user <> ''", &["name"]), Ok("user <> ''".into()));
        let err = rendered("order > 0", &["name"]).unwrap_err();
        assert!(err.contains("reserved word ORDER"), "{err}");
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
    fn the_sql_written_is_rendered_from_the_parse_with_columns_quoted() {
        let known = ["user", "order", "name", "position", "Mixed", "we\"ird"];
        for (expr, sql) in [
            (
                "user <> '' AND \"order\" > 0",
                "\"user\" <> '' AND \"order\" > 0",
            ),
            ("USER <> ''", "\"user\" <> ''"),
            ("order > 0", "\"order\" > 0"),
            ("position >= 0", "\"position\" >= 0"),
            (
                "\"Mixed\" > 0 AND \"we\"\"ird\" > 0",
                "\"Mixed\" > 0 AND \"we\"\"ird\" > 0",
            ),
            ("NAME   <>\n''", "\"name\" <> ''"),
            // A string is written back as a string, whatever it holds.
            ("name <> 'a'' OR true; --'", "\"name\" <> 'a'' OR true; --'"),
            ("name <> 'a\\'", "\"name\" <> 'a\\'"),
            ("name <> $$x$$", "\"name\" <> $$x$$"),
            (
                "char_length(name) BETWEEN 1 AND 128",
                "char_length(\"name\") BETWEEN 1 AND 128",
            ),
            ("current_user = name", "current_user = \"name\""),
        ] {
            assert_eq!(rendered(expr, &known), Ok(sql.to_string()), "{expr}");
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
                None => Ok(used.unwrap().used),
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
