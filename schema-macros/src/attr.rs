//! `#[table(...)]` and `#[column(...)]` → plain data. Every problem is reported to the
//! [`Ctxt`] with the span of the offending key, and parsing goes on so all of them show at once.

use crate::ctxt::{unknown_key_message, Ctxt};
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Ident, LitInt, LitStr, Token};

pub const TABLE_KEYS: &[&str] = &[
    "schema",
    "name",
    "primary_key",
    "unique",
    "index",
    "unique_index",
    "foreign_key",
    "check",
    "tenant",
    "row_security",
    "policy",
    "partition_by",
    "partition",
    "monthly_partitions",
    "global",
    "tenant_root",
    "append_only",
    "hard_delete",
    "renamed_from",
    "tenant_updates",
    "untenanted_rows",
];
pub const COLUMN_KEYS: &[&str] = &[
    "primary_key",
    "identity",
    "serial",
    "default",
    "varchar",
    "numeric",
    "unique",
    "index",
    "references",
    "check",
    "generated",
    "cidr",
    "renamed_from",
    "backfill",
    "backfill_batch_size",
    "secret",
];
const INDEX_KEYS: &[&str] = &[
    "name",
    "method",
    "where",
    "include",
    "across_tenants",
    "all_rows",
];
const CHECK_KEYS: &[&str] = &["name", "expr"];
const POLICY_KEYS: &[&str] = &[
    "name",
    "command",
    "roles",
    "to",
    "restrictive",
    "using",
    "with_check",
];
const PARTITION_KEYS: &[&str] = &[
    "name",
    "from",
    "to",
    "values",
    "modulus",
    "remainder",
    "default",
];
const MONTHLY_KEYS: &[&str] = &["from", "months"];
const FOREIGN_KEY_KEYS: &[&str] = &[
    "columns",
    "references",
    "target_columns",
    "on_delete",
    "on_update",
    "name",
    "no_join",
    "across_tenants",
];
const REFERENCES_KEYS: &[&str] = &[
    "column",
    "on_delete",
    "on_update",
    "name",
    "no_join",
    "across_tenants",
];
/// `identity`, `identity = "by_default"`, `serial`.
pub use schema_rules::Identity as IdentityKind;
/// `partition_by(range(...))` / `list` / `hash`.
pub use schema_rules::PartitionStrategy as Strategy;
/// A referential action; the words and variants are the rules crate's.
pub use schema_rules::ReferentialAction as Action;
use schema_rules::{IndexMethod, PolicyCommand, RoleKind};

/// A list of columns with an optional explicit name: a key, unique constraint or index (with
/// the index's options).
pub struct ColumnList {
    pub name: Option<LitStr>,
    pub columns: Vec<Ident>,
    /// Parallel to `columns`: `col(desc)`.
    pub descending: Vec<bool>,
    pub method: Option<(String, Span)>,
    pub predicate: Option<LitStr>,
    pub include: Vec<Ident>,
    /// `across_tenants = "why"`: a tenant table's unique key that deliberately leaves out
    /// `account_id`.
    pub across_tenants: Option<LitStr>,
    /// `all_rows = "why"`: a unique key of a soft-delete table that also covers deleted rows.
    pub all_rows: Option<LitStr>,
    pub span: Span,
}

impl ColumnList {
    pub fn single(column: Ident, span: Span) -> Self {
        ColumnList {
            name: None,
            columns: vec![column],
            descending: vec![false],
            method: None,
            predicate: None,
            include: Vec::new(),
            across_tenants: None,
            all_rows: None,
            span,
        }
    }
}

/// `check = "expr"` or `check(name = "...", expr = "...")`.
pub struct CheckSpec {
    pub name: Option<LitStr>,
    pub expr: LitStr,
}

pub struct PolicySpec {
    pub name: LitStr,
    pub command: PolicyCommand,
    pub roles: Vec<LitStr>,
    /// `to(identity, ...)`: declared roles by kind.
    pub role_kinds: Vec<RoleKind>,
    pub restrictive: bool,
    pub using: Option<LitStr>,
    pub with_check: Option<LitStr>,
    pub span: Span,
}

pub struct PartitionBySpec {
    pub strategy: Strategy,
    pub columns: Vec<Ident>,
    pub span: Span,
}

pub enum BoundSpec {
    Range { from: Vec<LitStr>, to: Vec<LitStr> },
    List(Vec<LitStr>),
    Hash { modulus: LitInt, remainder: LitInt },
    Default,
}

pub struct PartitionSpec {
    pub name: LitStr,
    pub bound: Option<BoundSpec>,
    pub span: Span,
}

/// `monthly_partitions(from = "2026-01", months = 12)`.
pub struct MonthlySpec {
    pub from: LitStr,
    pub months: LitInt,
    pub span: Span,
}

pub struct ForeignKeySpec {
    pub name: Option<LitStr>,
    pub columns: Vec<Ident>,
    pub target: Option<syn::Path>,
    pub target_columns: Vec<Ident>,
    pub on_delete: Action,
    pub on_update: Action,
    pub join: bool,
    /// `across_tenants = "why"`: a tenant table's reference to another tenant table that
    /// deliberately leaves out `account_id`.
    pub across_tenants: Option<LitStr>,
    pub span: Span,
}

#[derive(Default)]
pub struct TableAttrs {
    pub schema: Option<LitStr>,
    pub name: Option<LitStr>,
    pub primary_key: Option<ColumnList>,
    pub uniques: Vec<ColumnList>,
    pub indexes: Vec<(ColumnList, bool)>,
    pub foreign_keys: Vec<ForeignKeySpec>,
    pub checks: Vec<CheckSpec>,
    pub tenant: Option<Span>,
    pub row_security: Option<Span>,
    pub policies: Vec<PolicySpec>,
    pub partition_by: Option<PartitionBySpec>,
    pub partitions: Vec<PartitionSpec>,
    pub monthly: Option<MonthlySpec>,
    /// `global = "why the rows are shared"`.
    pub global: Option<LitStr>,
    pub tenant_root: Option<Span>,
    /// `append_only`, or `append_only(time = column)`.
    pub append_only: Option<(Span, Option<Ident>)>,
    /// `hard_delete = "why rows are really deleted"`.
    pub hard_delete: Option<LitStr>,
    /// `renamed_from = "old_name"`: the migration renames the table instead of dropping it.
    pub renamed_from: Option<LitStr>,
    /// The tenant root's `tenant_updates(col, ...)`: what a tenant may change in its own row.
    pub tenant_updates: Option<(Vec<Ident>, Span)>,
    /// `untenanted_rows = "why"`: a tenant table whose `account_id` may be NULL.
    pub untenanted_rows: Option<LitStr>,
}

#[derive(Default)]
pub struct ColumnAttrs {
    pub primary_key: Option<Span>,
    pub identity: Option<(IdentityKind, Span)>,
    pub default: Option<LitStr>,
    pub varchar: Option<LitInt>,
    pub numeric: Option<(LitInt, LitInt, Span)>,
    pub unique: Option<Span>,
    pub index: Option<Span>,
    pub references: Option<ForeignKeySpec>,
    pub check: Option<LitStr>,
    pub generated: Option<LitStr>,
    pub cidr: Option<Span>,
    /// `renamed_from = "old_name"`: the migration renames the column instead of dropping it.
    pub renamed_from: Option<LitStr>,
    /// `backfill = "expr"`: what existing NULLs become when the column turns NOT NULL.
    pub backfill: Option<LitStr>,
    /// `backfill_batch_size = N`: rows per batch of that backfill.
    pub backfill_batch_size: Option<LitInt>,
    /// `secret`: a credential the tenant-scoped application role may not read.
    pub secret: Option<Span>,
}

/// Tracks which keys one attribute already used, to reject duplicates.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    fn first(&mut self, cx: &Ctxt, meta: &ParseNestedMeta) -> bool {
        let key = path_key(&meta.path);
        if self.0.contains(&key) {
            cx.error_spanned_by(
                &meta.path,
                format!("duplicate `{key}`\nhelp: give each key once per attribute"),
            );
            return false;
        }
        self.0.push(key);
        true
    }
}

fn path_key(path: &syn::Path) -> String {
    path.get_ident()
        .map(Ident::to_string)
        .unwrap_or_else(|| quote::quote!(#path).to_string().replace(' ', ""))
}

/// Consumes whatever value an unknown or rejected key carries, so parsing can go on.
fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.input.parse::<Token![=]>()?;
        meta.input.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<TokenStream>()?;
    }
    Ok(())
}

fn parse_action(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Action> {
    let value: syn::Expr = meta.value()?.parse()?;
    let text = match &value {
        syn::Expr::Path(p) => p.path.get_ident().map(Ident::to_string),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    };
    Ok(match text.as_deref().and_then(Action::from_word) {
        Some(action) => action,
        None => {
            cx.error_spanned_by(
                &value,
                format!(
                    "unknown referential action\nhelp: use one of {}, e.g. `on_delete = cascade`",
                    Action::words()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            Action::NoAction
        }
    })
}

fn parse_ident_list(meta: &ParseNestedMeta) -> syn::Result<Vec<Ident>> {
    let mut idents = Vec::new();
    meta.parse_nested_meta(|inner| {
        match inner.path.get_ident() {
            Some(ident) if inner.input.is_empty() || inner.input.peek(Token![,]) => {
                idents.push(ident.clone())
            }
            _ => return Err(inner.error("expected a column name")),
        }
        Ok(())
    })?;
    Ok(idents)
}

/// `unique(a, b)`, `index(a, b(desc), name = "...", method = "gin", where = "...",
/// include(c))`; the index options only where `with_index_options`.
fn parse_column_list(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    what: &str,
    with_index_options: bool,
) -> syn::Result<ColumnList> {
    let span = meta.path.span();
    let mut list = ColumnList {
        name: None,
        columns: Vec::new(),
        descending: Vec::new(),
        method: None,
        predicate: None,
        include: Vec::new(),
        across_tenants: None,
        all_rows: None,
        span,
    };
    meta.parse_nested_meta(|inner| {
        let key = path_key(&inner.path);
        if inner.input.peek(Token![=]) {
            match key.as_str() {
                "name" => list.name = Some(inner.value()?.parse()?),
                "method" if with_index_options => {
                    let lit: LitStr = inner.value()?.parse()?;
                    if IndexMethod::from_word(&lit.value()).is_none() {
                        cx.error_spanned_by(
                            &lit,
                            format!(
                                "unknown index method `{}`\nhelp: use one of {}",
                                lit.value(),
                                IndexMethod::words().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                            ),
                        );
                    }
                    list.method = Some((lit.value(), lit.span()));
                }
                "where" if with_index_options => list.predicate = Some(inner.value()?.parse()?),
                "across_tenants" if what != "primary_key" => {
                    list.across_tenants = Some(inner.value()?.parse()?)
                }
                "all_rows" if what != "primary_key" => list.all_rows = Some(inner.value()?.parse()?),
                _ => {
                    let known: &[&str] = match (with_index_options, what) {
                        (true, _) => INDEX_KEYS,
                        (false, "primary_key") => &["name"],
                        (false, _) => &["name", "across_tenants", "all_rows"],
                    };
                    cx.error_spanned_by(&inner.path, unknown_key_message(&format!("`{what}`"), &key, known));
                    skip_value(&inner)?;
                }
            }
        } else if key == "include" && with_index_options && inner.input.peek(syn::token::Paren) {
            list.include = parse_ident_list(&inner)?;
        } else if let Some(ident) = inner.path.get_ident() {
            let mut descending = false;
            if inner.input.peek(syn::token::Paren) {
                inner.parse_nested_meta(|order| {
                    if order.path.is_ident("desc") {
                        descending = true;
                    } else if !order.path.is_ident("asc") {
                        cx.error_spanned_by(
                            &order.path,
                            "expected `desc` or `asc`\nhelp: the correct format looks like #[table(index(started_at(desc), account_id))]",
                        );
                    }
                    Ok(())
                })?;
                if !with_index_options {
                    cx.error_spanned_by(&inner.path, format!("`{what}` columns have no sort order\nhelp: sort orders belong to indexes: #[table(unique_index(a(desc), b))]"));
                }
            }
            list.columns.push(ident.clone());
            list.descending.push(descending);
        } else {
            cx.error_spanned_by(
                &inner.path,
                format!("expected a column name in `{what}(...)`"),
            );
            skip_value(&inner)?;
        }
        Ok(())
    })?;
    if list.columns.is_empty() {
        cx.error_spanned_by(
            &meta.path,
            format!("`{what}` needs at least one column\nhelp: the correct format looks like #[table({what}(first_column, second_column))]"),
        );
    }
    Ok(list)
}

fn parse_check(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<CheckSpec>> {
    if meta.input.peek(Token![=]) {
        return Ok(Some(CheckSpec {
            name: None,
            expr: meta.value()?.parse()?,
        }));
    }
    let mut name = None;
    let mut expr = None;
    let mut seen = Seen::default();
    meta.parse_nested_meta(|inner| {
        if !seen.first(cx, &inner) {
            return skip_value(&inner);
        }
        match path_key(&inner.path).as_str() {
            "name" => name = Some(inner.value()?.parse()?),
            "expr" => expr = Some(inner.value()?.parse()?),
            key => {
                cx.error_spanned_by(&inner.path, unknown_key_message("`check`", key, CHECK_KEYS));
                skip_value(&inner)?;
            }
        }
        Ok(())
    })?;
    if expr.is_none() {
        cx.error_spanned_by(
            &meta.path,
            "`check` needs an expression\nhelp: the correct format looks like #[table(check(name = \"plans_version_check\", expr = \"version BETWEEN 1 AND 10\"))] or #[table(check = \"...\")]",
        );
    }
    Ok(expr.map(|expr| CheckSpec { name, expr }))
}

fn parse_policy(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<PolicySpec>> {
    let span = meta.path.span();
    let mut name = None;
    let mut command = PolicyCommand::All;
    let mut roles = Vec::new();
    let mut role_kinds = Vec::new();
    let mut restrictive = false;
    let mut using = None;
    let mut with_check = None;
    let mut seen = Seen::default();
    meta.parse_nested_meta(|inner| {
        if !seen.first(cx, &inner) {
            return skip_value(&inner);
        }
        match path_key(&inner.path).as_str() {
            "name" => name = Some(inner.value()?.parse::<LitStr>()?),
            "command" => {
                let value: syn::Expr = inner.value()?.parse()?;
                let text = match &value {
                    syn::Expr::Path(p) => p.path.get_ident().map(Ident::to_string),
                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                    _ => None,
                };
                match text.as_deref().and_then(PolicyCommand::from_word) {
                    Some(c) => command = c,
                    None => cx.error_spanned_by(
                        &value,
                        "unknown policy command\nhelp: use one of `all`, `select`, `insert`, `update`, `delete`",
                    ),
                }
            }
            "roles" => {
                let content;
                syn::parenthesized!(content in inner.input);
                roles = content
                    .parse_terminated(|p: syn::parse::ParseStream| p.parse::<LitStr>(), Token![,])?
                    .into_iter()
                    .collect();
            }
            "to" => {
                let content;
                syn::parenthesized!(content in inner.input);
                for kind in content.parse_terminated(Ident::parse_any, Token![,])? {
                    let text = kind.to_string();
                    match RoleKind::from_word(&text) {
                        Some(role) => role_kinds.push(role),
                        None => {
                            let words: Vec<&str> = RoleKind::words().collect();
                            cx.error_spanned_by(&kind, unknown_key_message("`to`", &text, &words));
                        }
                    }
                }
            }
            "restrictive" => restrictive = true,
            "using" => using = Some(inner.value()?.parse()?),
            "with_check" => with_check = Some(inner.value()?.parse()?),
            key => {
                cx.error_spanned_by(&inner.path, unknown_key_message("`policy`", key, POLICY_KEYS));
                skip_value(&inner)?;
            }
        }
        Ok(())
    })?;
    let Some(name) = name else {
        cx.error_spanned_by(
            &meta.path,
            "`policy` needs a name\nhelp: the correct format looks like #[table(policy(name = \"invoices_admin_read\", command = select, roles(\"billing_admin\"), using = \"true\"))]",
        );
        return Ok(None);
    };
    if using.is_none() && with_check.is_none() {
        cx.error_spanned_by(
            &meta.path,
            "`policy` needs `using = \"...\"`, `with_check = \"...\"` or both",
        );
    }
    Ok(Some(PolicySpec {
        name,
        command,
        roles,
        role_kinds,
        restrictive,
        using,
        with_check,
        span,
    }))
}

fn parse_partition_by(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<PartitionBySpec>> {
    let mut spec = None;
    meta.parse_nested_meta(|inner| {
        let key = path_key(&inner.path);
        let strategy = match Strategy::from_word(&key) {
            Some(strategy) => strategy,
            None => {
                let words: Vec<&str> = Strategy::words().collect();
                cx.error_spanned_by(
                    &inner.path,
                    unknown_key_message("partitioning strategy", &key, &words),
                );
                return skip_value(&inner);
            }
        };
        if spec.is_some() {
            cx.error_spanned_by(&inner.path, "a table has one partitioning strategy");
        }
        spec = Some(PartitionBySpec {
            strategy,
            columns: parse_ident_list(&inner)?,
            span: inner.path.span(),
        });
        Ok(())
    })?;
    if spec.is_none() {
        cx.error_spanned_by(&meta.path, "`partition_by` needs a strategy\nhelp: the correct format looks like #[table(partition_by(range(started_at)))]");
    }
    Ok(spec)
}

fn parse_lit_list(meta: &ParseNestedMeta) -> syn::Result<Vec<LitStr>> {
    if meta.input.peek(Token![=]) {
        return Ok(vec![meta.value()?.parse()?]);
    }
    let content;
    syn::parenthesized!(content in meta.input);
    Ok(content
        .parse_terminated(|p: syn::parse::ParseStream| p.parse::<LitStr>(), Token![,])?
        .into_iter()
        .collect())
}

fn parse_partition(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<PartitionSpec>> {
    let span = meta.path.span();
    let mut name = None;
    let (mut from, mut to, mut values) = (None, None, None);
    let (mut modulus, mut remainder) = (None, None);
    let mut default = false;
    let mut seen = Seen::default();
    meta.parse_nested_meta(|inner| {
        if !seen.first(cx, &inner) {
            return skip_value(&inner);
        }
        match path_key(&inner.path).as_str() {
            "name" => name = Some(inner.value()?.parse::<LitStr>()?),
            "from" => from = Some(parse_lit_list(&inner)?),
            "to" => to = Some(parse_lit_list(&inner)?),
            "values" => values = Some(parse_lit_list(&inner)?),
            "modulus" => modulus = Some(inner.value()?.parse::<LitInt>()?),
            "remainder" => remainder = Some(inner.value()?.parse::<LitInt>()?),
            "default" => default = true,
            key => {
                cx.error_spanned_by(
                    &inner.path,
                    unknown_key_message("`partition`", key, PARTITION_KEYS),
                );
                skip_value(&inner)?;
            }
        }
        Ok(())
    })?;
    let bound = match (from, to, values, modulus, remainder, default) {
        (Some(from), Some(to), None, None, None, false) => Some(BoundSpec::Range { from, to }),
        (None, None, Some(values), None, None, false) => Some(BoundSpec::List(values)),
        (None, None, None, Some(modulus), Some(remainder), false) => {
            Some(BoundSpec::Hash { modulus, remainder })
        }
        (None, None, None, None, None, true) => Some(BoundSpec::Default),
        _ => {
            cx.error_spanned_by(
                &meta.path,
                "a partition needs exactly one bound: `from = \"...\", to = \"...\"` (range), `values(\"a\", \"b\")` (list), `modulus = N, remainder = R` (hash) or `default`\nhelp: the correct format looks like #[table(partition(name = \"calls_2026_01\", from = \"2026-01-01\", to = \"2026-02-01\"))]",
            );
            None
        }
    };
    let Some(name) = name else {
        cx.error_spanned_by(&meta.path, "`partition` needs `name = \"...\"`");
        return Ok(None);
    };
    Ok(Some(PartitionSpec { name, bound, span }))
}

fn parse_monthly(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<MonthlySpec>> {
    let span = meta.path.span();
    let (mut from, mut months) = (None, None);
    meta.parse_nested_meta(|inner| {
        match path_key(&inner.path).as_str() {
            "from" => from = Some(inner.value()?.parse::<LitStr>()?),
            "months" => months = Some(inner.value()?.parse::<LitInt>()?),
            key => {
                cx.error_spanned_by(
                    &inner.path,
                    unknown_key_message("`monthly_partitions`", key, MONTHLY_KEYS),
                );
                skip_value(&inner)?;
            }
        }
        Ok(())
    })?;
    match (from, months) {
        (Some(from), Some(months)) => Ok(Some(MonthlySpec { from, months, span })),
        _ => {
            cx.error_spanned_by(&meta.path, "`monthly_partitions` needs `from` and `months`\nhelp: the correct format looks like #[table(monthly_partitions(from = \"2026-01\", months = 12))]");
            Ok(None)
        }
    }
}

fn empty_foreign_key(span: Span) -> ForeignKeySpec {
    ForeignKeySpec {
        name: None,
        columns: Vec::new(),
        target: None,
        target_columns: Vec::new(),
        on_delete: Action::NoAction,
        on_update: Action::NoAction,
        join: true,
        across_tenants: None,
        span,
    }
}

/// `foreign_key(columns(a, b), references = Target, target_columns(x, y), on_delete = cascade)`.
fn parse_table_foreign_key(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<ForeignKeySpec> {
    let mut fk = empty_foreign_key(meta.path.span());
    let mut seen = Seen::default();
    meta.parse_nested_meta(|inner| {
        if !seen.first(cx, &inner) {
            return skip_value(&inner);
        }
        let key = path_key(&inner.path);
        match key.as_str() {
            "columns" => fk.columns = parse_ident_list(&inner)?,
            "target_columns" => fk.target_columns = parse_ident_list(&inner)?,
            "references" => fk.target = Some(inner.value()?.parse()?),
            "on_delete" => fk.on_delete = parse_action(cx, &inner)?,
            "on_update" => fk.on_update = parse_action(cx, &inner)?,
            "name" => fk.name = Some(inner.value()?.parse()?),
            "no_join" => fk.join = false,
            "across_tenants" => fk.across_tenants = Some(inner.value()?.parse()?),
            _ => {
                cx.error_spanned_by(
                    &inner.path,
                    unknown_key_message("`foreign_key`", &key, FOREIGN_KEY_KEYS),
                );
                skip_value(&inner)?;
            }
        }
        Ok(())
    })?;
    if fk.columns.is_empty() || fk.target.is_none() {
        cx.error_spanned_by(
            &meta.path,
            "`foreign_key` needs `columns(...)` and `references = Table`\nhelp: the correct format looks like #[table(foreign_key(columns(account_id, user_id), references = Membership, target_columns(account_id, user_id)))]",
        );
    }
    Ok(fk)
}

/// `references = Target` or `references(Target, column = id, on_delete = cascade, no_join)`.
fn parse_column_references(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    field: &Ident,
) -> syn::Result<ForeignKeySpec> {
    let mut fk = empty_foreign_key(meta.path.span());
    fk.columns.push(field.clone());
    if meta.input.peek(Token![=]) {
        fk.target = Some(meta.value()?.parse()?);
        return Ok(fk);
    }
    let mut seen = Seen::default();
    meta.parse_nested_meta(|inner| {
        let key = path_key(&inner.path);
        let is_key = REFERENCES_KEYS.contains(&key.as_str());
        let bare = inner.input.is_empty() || inner.input.peek(Token![,]);
        if bare && !is_key && fk.target.is_none() {
            fk.target = Some(inner.path.clone());
            return Ok(());
        }
        if !seen.first(cx, &inner) {
            return skip_value(&inner);
        }
        match key.as_str() {
            "column" => {
                let column: Ident = inner.value()?.parse()?;
                fk.target_columns = vec![column];
            }
            "on_delete" => fk.on_delete = parse_action(cx, &inner)?,
            "on_update" => fk.on_update = parse_action(cx, &inner)?,
            "name" => fk.name = Some(inner.value()?.parse()?),
            "no_join" => fk.join = false,
            "across_tenants" => fk.across_tenants = Some(inner.value()?.parse()?),
            _ => {
                cx.error_spanned_by(
                    &inner.path,
                    unknown_key_message("`references`", &key, REFERENCES_KEYS),
                );
                skip_value(&inner)?;
            }
        }
        Ok(())
    })?;
    if fk.target.is_none() {
        cx.error_spanned_by(
            &meta.path,
            "`references` needs the referenced table's struct\nhelp: the correct format looks like #[column(references(Account, on_delete = cascade))]",
        );
    }
    Ok(fk)
}

pub fn parse_table_attrs(cx: &Ctxt, args: TokenStream) -> TableAttrs {
    let mut attrs = TableAttrs::default();
    let mut seen = Seen::default();
    let parser = syn::meta::parser(|meta| {
        let key = path_key(&meta.path);
        let repeatable = matches!(
            key.as_str(),
            "unique" | "index" | "unique_index" | "foreign_key" | "check" | "policy" | "partition"
        );
        if !repeatable && !seen.first(cx, &meta) {
            return skip_value(&meta);
        }
        match key.as_str() {
            "schema" => attrs.schema = Some(meta.value()?.parse()?),
            "name" => attrs.name = Some(meta.value()?.parse()?),
            "primary_key" => {
                attrs.primary_key = Some(parse_column_list(cx, &meta, "primary_key", false)?)
            }
            "unique" => attrs
                .uniques
                .push(parse_column_list(cx, &meta, "unique", false)?),
            "index" => attrs
                .indexes
                .push((parse_column_list(cx, &meta, "index", true)?, false)),
            "unique_index" => attrs
                .indexes
                .push((parse_column_list(cx, &meta, "unique_index", true)?, true)),
            "foreign_key" => attrs.foreign_keys.push(parse_table_foreign_key(cx, &meta)?),
            "check" => attrs.checks.extend(parse_check(cx, &meta)?),
            "tenant" => attrs.tenant = Some(meta.path.span()),
            "row_security" => attrs.row_security = Some(meta.path.span()),
            "policy" => attrs.policies.extend(parse_policy(cx, &meta)?),
            "partition_by" => attrs.partition_by = parse_partition_by(cx, &meta)?,
            "partition" => attrs.partitions.extend(parse_partition(cx, &meta)?),
            "monthly_partitions" => attrs.monthly = parse_monthly(cx, &meta)?,
            "global" => attrs.global = Some(meta.value()?.parse()?),
            "tenant_root" => attrs.tenant_root = Some(meta.path.span()),
            "hard_delete" => attrs.hard_delete = Some(meta.value()?.parse()?),
            "renamed_from" => attrs.renamed_from = Some(meta.value()?.parse()?),
            "untenanted_rows" => attrs.untenanted_rows = Some(meta.value()?.parse()?),
            "tenant_updates" => {
                let content;
                syn::parenthesized!(content in meta.input);
                let columns = content.parse_terminated(Ident::parse_any, Token![,])?;
                attrs.tenant_updates = Some((columns.into_iter().collect(), meta.path.span()));
            }
            "append_only" => {
                let mut time = None;
                if meta.input.peek(syn::token::Paren) {
                    meta.parse_nested_meta(|inner| {
                        if inner.path.is_ident("time") {
                            time = Some(inner.value()?.parse::<Ident>()?);
                        } else {
                            cx.error_spanned_by(
                                &inner.path,
                                unknown_key_message(
                                    "`append_only`",
                                    &path_key(&inner.path),
                                    &["time"],
                                ),
                            );
                            skip_value(&inner)?;
                        }
                        Ok(())
                    })?;
                }
                attrs.append_only = Some((meta.path.span(), time));
            }
            _ => {
                cx.error_spanned_by(&meta.path, unknown_key_message("`table`", &key, TABLE_KEYS));
                skip_value(&meta)?;
            }
        }
        Ok(())
    });
    if let Err(e) = syn::parse::Parser::parse2(parser, args) {
        cx.syn_error(e);
    }
    attrs
}

pub fn parse_column_attrs(cx: &Ctxt, field: &syn::Field, ident: &Ident) -> ColumnAttrs {
    let mut attrs = ColumnAttrs::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("column")) {
        let mut seen = Seen::default();
        let result = attr.parse_nested_meta(|meta| {
            if !seen.first(cx, &meta) {
                return skip_value(&meta);
            }
            let key = path_key(&meta.path);
            let span = meta.path.span();
            match key.as_str() {
                "primary_key" => attrs.primary_key = Some(span),
                "identity" => {
                    let kind = if meta.input.peek(Token![=]) {
                        let lit: LitStr = meta.value()?.parse()?;
                        match IdentityKind::from_word(&lit.value()) {
                            Some(kind @ (IdentityKind::Always | IdentityKind::ByDefault)) => kind,
                            _ => {
                                cx.error_spanned_by(&lit, "unknown identity kind\nhelp: use `identity` (GENERATED ALWAYS), `identity = \"always\"` or `identity = \"by_default\"`");
                                IdentityKind::Always
                            }
                        }
                    } else {
                        IdentityKind::Always
                    };
                    set_identity(cx, &mut attrs, kind, span, &meta.path);
                }
                "serial" => set_identity(cx, &mut attrs, IdentityKind::Serial, span, &meta.path),
                "default" => attrs.default = Some(meta.value()?.parse()?),
                "varchar" => attrs.varchar = Some(meta.value()?.parse()?),
                "numeric" => {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let precision: LitInt = content.parse()?;
                    content.parse::<Token![,]>()?;
                    let scale: LitInt = content.parse()?;
                    attrs.numeric = Some((precision, scale, span));
                }
                "unique" => attrs.unique = Some(span),
                "index" => attrs.index = Some(span),
                "references" => attrs.references = Some(parse_column_references(cx, &meta, ident)?),
                "check" => attrs.check = Some(meta.value()?.parse()?),
                "generated" => attrs.generated = Some(meta.value()?.parse()?),
                "cidr" => attrs.cidr = Some(span),
                "renamed_from" => attrs.renamed_from = Some(meta.value()?.parse()?),
                "backfill" => attrs.backfill = Some(meta.value()?.parse()?),
                "backfill_batch_size" => {
                    attrs.backfill_batch_size = Some(meta.value()?.parse()?)
                }
                "secret" => attrs.secret = Some(span),
                _ => {
                    cx.error_spanned_by(&meta.path, unknown_key_message("`column`", &key, COLUMN_KEYS));
                    skip_value(&meta)?;
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    attrs
}

fn set_identity(
    cx: &Ctxt,
    attrs: &mut ColumnAttrs,
    kind: IdentityKind,
    span: Span,
    path: &syn::Path,
) {
    if attrs.identity.is_some() {
        cx.error_spanned_by(
            path,
            "conflicting `identity` and `serial`: a column generates its values one way\nhelp: prefer `identity` (the SQL-standard form); `serial` is for existing serial columns",
        );
        return;
    }
    attrs.identity = Some((kind, span));
}
