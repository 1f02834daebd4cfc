//! Attributes → model: every column, key, index, check and foreign key resolved to its
//! PostgreSQL name, in the order the stages run (which is the order errors are reported in).

use super::check;
use super::partitions;
use super::row_security;
use crate::attr::{self, Action, ColumnList, ForeignKeySpec, IdentityKind, Strategy, TableAttrs};
use crate::conventions::{self, Kind};
use crate::ctxt::Ctxt;
use crate::names::check_identifier;
use crate::sql::{self, Columns};
use crate::types::{self, FieldType, RustType};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, LitStr};

pub struct ColumnModel {
    pub field: Ident,
    pub name: String,
    pub ty: FieldType,
    pub varchar: Option<u32>,
    pub numeric: Option<(u16, u16)>,
    pub cidr: bool,
    pub default: Option<String>,
    pub identity: Option<IdentityKind>,
    pub generated: Option<String>,
    pub comment: Option<String>,
    pub renamed_from: Option<String>,
    pub backfill: Option<String>,
    pub backfill_batch_size: Option<u32>,
    pub secret: bool,
    /// An enum column's literal default, checked against the enum's values by the compiler.
    pub enum_default: Option<(String, proc_macro2::Span)>,
}

pub struct IndexModel {
    pub name: String,
    pub columns: Vec<(String, bool)>,
    pub unique: bool,
    pub method: schema_rules::IndexMethod,
    pub include: Vec<String>,
    pub predicate: Option<String>,
}

pub struct PolicyModel {
    pub name: String,
    pub command: schema_rules::PolicyCommand,
    pub permissive: bool,
    pub roles: Vec<String>,
    /// Declared roles by kind (`app`, `identity` …), named in `schema!`.
    pub role_kinds: Vec<schema_rules::RoleKind>,
    pub using: Option<String>,
    pub with_check: Option<String>,
}

pub struct PartitioningModel {
    pub strategy: Strategy,
    pub columns: Vec<String>,
    /// `(name, bound DDL)`.
    pub partitions: Vec<(String, String)>,
    /// The names of each partition's copies of the table's key, unique and index indexes.
    pub index_copies: Vec<String>,
}

pub struct ForeignKeyModel {
    pub name: String,
    pub columns: Vec<String>,
    pub target: syn::Path,
    pub target_columns: Vec<String>,
    pub on_delete: Action,
    pub on_update: Action,
    pub join: bool,
    /// Single-column reference to the target's primary key: the compiler checks the types.
    pub to_primary_key: bool,
    /// The column `joinable!` joins on, and for a tenant pair the target column that must be
    /// the target's primary key (checked at compile time).
    pub join_column: Option<(String, Option<String>)>,
    /// From a tenant table without `account_id` in the key: the target must not be a tenant
    /// table (checked when the target's descriptor is known, at compile time).
    pub must_target_non_tenant: bool,
    /// `account_id` of a tenant table: the target must be the tenant root.
    pub must_target_root: bool,
}

pub struct Model {
    pub ident: Ident,
    pub schema: String,
    pub name: String,
    pub columns: Vec<ColumnModel>,
    pub primary_key: (String, Vec<String>),
    pub uniques: Vec<(String, Vec<String>)>,
    pub indexes: Vec<IndexModel>,
    pub foreign_keys: Vec<ForeignKeyModel>,
    pub checks: Vec<(String, String)>,
    pub comment: Option<String>,
    pub partitioning: Option<PartitioningModel>,
    pub row_security: Option<Vec<PolicyModel>>,
    pub updated_at_trigger: Option<String>,
    pub append_only_trigger: Option<String>,
    pub kind: Kind,
    pub tenant_updates: Vec<String>,
    pub renamed_from: Option<String>,
    /// The crate's tenant column (`account_id` unless configured).
    pub tenant_column: String,
}

/// What every stage after the columns' needs: the table's name, its columns and the fields
/// whose type was refused (already reported, so naming them adds no error).
pub struct Context<'a> {
    pub cx: &'a Ctxt,
    pub item: &'a syn::ItemStruct,
    pub table_name: &'a str,
    pub columns: &'a [ColumnModel],
    pub unusable: &'a [Ident],
    /// Every field's column name, usable or not: expressions naming a field with a refused
    /// type add no error of their own.
    pub field_names: &'a [String],
}

impl Context<'_> {
    pub fn column_of(&self, ident: &Ident) -> Option<&ColumnModel> {
        self.columns.iter().find(|c| c.field == *ident)
    }

    /// The column names of `list` (an attribute's field list); an unknown field is an error.
    pub fn resolve(&self, list: &[Ident], what: &str) -> Vec<String> {
        list.iter()
            .map(|ident| match self.column_of(ident) {
                Some(c) => c.name.clone(),
                None if self.unusable.contains(ident) => ident.to_string(),
                None => {
                    self.cx.error_spanned_by(
                        ident,
                        format!("{what} names `{ident}`, which is not a field of this struct"),
                    );
                    ident.to_string()
                }
            })
            .collect()
    }

    /// An explicit `name = "..."`, or `<table>_<columns>_<suffix>`.
    pub fn constraint_name(
        &self,
        explicit: &Option<LitStr>,
        cols: &[String],
        suffix: &str,
        span: Span,
    ) -> String {
        match explicit {
            Some(lit) => {
                check_identifier(self.cx, lit.span(), "name", &lit.value());
                lit.value()
            }
            None => {
                let name = format!("{}_{}_{suffix}", self.table_name, cols.join("_"));
                crate::names::check_generated_length(self.cx, span, "generated name", &name);
                name
            }
        }
    }

    /// A column's SQL expression (`generated`, `check`, an index's `where` …), parsed.
    pub fn expression(&self, lit: &LitStr, what: &str, subqueries: bool) -> Option<sql::Checked> {
        let columns = if subqueries {
            Columns::OfThisTableOrSubqueries(self.field_names)
        } else {
            Columns::OfThisTable(self.field_names)
        };
        sql::check_expression(self.cx, lit, what, columns)
    }
}

/// The doc comment, refused (at the comment) when PostgreSQL could not store it.
pub fn checked_doc_comment(cx: &Ctxt, attrs: &[syn::Attribute]) -> Option<String> {
    let comment = doc_comment(attrs)?;
    if let Some(attr) = attrs.iter().find(|a| a.path().is_ident("doc")) {
        crate::names::check_no_nul(
            cx,
            syn::spanned::Spanned::span(attr),
            "the doc comment",
            &comment,
        );
    }
    Some(comment)
}

/// The doc comment of a struct or field: `///` lines joined, one leading space dropped.
fn doc_comment(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }),
                ..
            }) => Some(s.value()),
            _ => None,
        })
        .map(|line| {
            line.strip_prefix(' ')
                .unwrap_or(&line)
                .trim_end()
                .to_string()
        })
        .collect();
    let text = lines.join("\n").trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn required(cx: &Ctxt, value: Option<LitStr>, key: &str) -> Option<LitStr> {
    if value.is_none() {
        cx.syn_error(syn::Error::new(
            Span::call_site(),
            format!("missing `{key} = \"...\"` in `#[table]`\nhelp: the correct format looks like #[table(schema = \"billing\", name = \"invoices\")]"),
        ));
    }
    value
}

/// What the fields declare besides their own column, gathered with the table's declarations of
/// the same kind (the table's first, then the fields' in field order).
struct Declared {
    primary_key_fields: Vec<(Ident, Span)>,
    uniques: Vec<ColumnList>,
    indexes: Vec<(ColumnList, bool)>,
    foreign_keys: Vec<ForeignKeySpec>,
    column_checks: Vec<(String, LitStr, Span)>,
    generated: Vec<(usize, LitStr)>,
    backfills: Vec<(usize, LitStr)>,
}

pub fn build_model(
    cx: &Ctxt,
    item: &syn::ItemStruct,
    attrs: TableAttrs,
) -> Result<Model, TokenStream> {
    if !item.generics.params.is_empty() {
        cx.error_spanned_by(
            &item.generics,
            "a table struct cannot be generic: each struct is one table with fixed column types",
        );
        return Err(TokenStream::new());
    }
    let fields = match &item.fields {
        syn::Fields::Named(named) => named.named.iter().collect::<Vec<_>>(),
        _ => {
            cx.error_spanned_by(
                &item.ident,
                "`#[table]` needs a struct with named fields, one per column",
            );
            Vec::new()
        }
    };
    let schema = required(cx, attrs.schema, "schema");
    let name = required(cx, attrs.name, "name");
    check::check_table_names(cx, schema.as_ref(), name.as_ref());
    let table_name = name.as_ref().map(LitStr::value).unwrap_or_default();
    let kind = conventions::check_table_kind(
        cx,
        &item.ident,
        attrs.tenant,
        attrs.global.as_ref(),
        attrs.tenant_root,
    );
    let renamed_from = attrs.renamed_from.as_ref().map(|lit| {
        let old = lit.value();
        crate::names::check_identifier(cx, lit.span(), "`renamed_from` table name", &old);
        old
    });
    let index_methods: Vec<(Option<(String, Span)>, bool)> = attrs
        .indexes
        .iter()
        .map(|(list, unique)| (list.method.clone(), *unique))
        .collect();
    let mut declared = Declared {
        primary_key_fields: Vec::new(),
        uniques: attrs.uniques,
        indexes: attrs.indexes,
        foreign_keys: attrs.foreign_keys,
        column_checks: Vec::new(),
        generated: Vec::new(),
        backfills: Vec::new(),
    };
    let mut columns = Vec::new();
    let mut unusable = Vec::new();
    for field in &fields {
        match column(cx, field, &table_name, columns.len(), &mut declared) {
            Some(column) => columns.push(column),
            None => unusable.push(field.ident.clone().expect("named field")),
        }
    }
    let field_names: Vec<String> = fields
        .iter()
        .filter_map(|f| f.ident.as_ref())
        .map(|i| i.to_string().trim_start_matches("r#").to_string())
        .collect();
    column_expressions(cx, &mut columns, &field_names, &declared);

    let t = Context {
        cx,
        item,
        table_name: &table_name,
        columns: &columns,
        unusable: &unusable,
        field_names: &field_names,
    };
    let primary_key = primary_key(&t, attrs.primary_key.as_ref(), &declared.primary_key_fields);
    let uniques: Vec<(String, Vec<String>)> = declared
        .uniques
        .iter()
        .map(|u| {
            let cols = t.resolve(&u.columns, "`unique`");
            (t.constraint_name(&u.name, &cols, "key", u.span), cols)
        })
        .collect();
    let indexes: Vec<IndexModel> = declared
        .indexes
        .iter()
        .map(|(i, unique)| index(&t, i, *unique))
        .collect();
    check::check_unique_index_methods(cx, &index_methods);
    check::Conventions {
        kind,
        uniques: &uniques,
        unique_specs: &declared.uniques,
        indexes: &indexes,
        index_specs: &declared.indexes,
        foreign_keys: &declared.foreign_keys,
        untenanted_rows: attrs.untenanted_rows.as_ref(),
        append_only: attrs.append_only.as_ref(),
        hard_delete: attrs.hard_delete.as_ref(),
        primary_key: &primary_key.1,
        monthly: attrs.monthly.as_ref(),
    }
    .check(&t);
    let checks = checks(&t, &attrs.checks, &declared.column_checks);
    let (row_security, tenant_updates) = row_security::policies(
        &t,
        kind,
        &primary_key,
        row_security::Declared {
            tenant: attrs.tenant,
            row_security: attrs.row_security,
            policies: &attrs.policies,
            tenant_updates: attrs.tenant_updates.as_ref(),
        },
    );
    let partitioning = partitions::build(
        &t,
        partitions::Declared {
            by: attrs.partition_by,
            partitions: attrs.partitions,
            monthly: attrs.monthly,
        },
        partitions::Keys {
            primary_key: &primary_key,
            uniques: &uniques,
            indexes: &indexes,
        },
    );
    let updated_at_trigger = updated_at_trigger(&t);
    let append_only_trigger = attrs.append_only.as_ref().map(|(span, _)| {
        // Append-only is enforced by PostgreSQL too: a trigger rejects every UPDATE.
        let name = format!("{table_name}_append_only");
        crate::names::check_derived_length(cx, *span, "generated trigger name", &name);
        name
    });
    let foreign_keys = foreign_keys(&t, kind, declared.foreign_keys);
    check::check_constraint_names(&t, &primary_key, &uniques, &foreign_keys, &checks);
    check::check_identity_sequence_names(&t);

    let (Some(schema), Some(_)) = (schema, name) else {
        return Err(TokenStream::new());
    };
    Ok(Model {
        tenant_column: cx.tenancy.column.clone(),
        ident: item.ident.clone(),
        schema: schema.value(),
        name: table_name,
        columns,
        primary_key,
        uniques,
        indexes,
        foreign_keys,
        checks,
        comment: checked_doc_comment(cx, &item.attrs),
        partitioning,
        row_security,
        updated_at_trigger,
        append_only_trigger,
        kind: kind.unwrap_or(Kind::Global),
        tenant_updates,
        renamed_from,
    })
}

/// One field's column, with what it declares besides (keys, indexes, references, checks and
/// expressions) added to `declared`. `None` when its type is refused (the error is reported).
fn column(
    cx: &Ctxt,
    field: &syn::Field,
    table_name: &str,
    index: usize,
    declared: &mut Declared,
) -> Option<ColumnModel> {
    let ident = field.ident.clone().expect("named field");
    let column_attrs = attr::parse_column_attrs(cx, field, &ident);
    let column_name = ident.to_string().trim_start_matches("r#").to_string();
    check::check_column_name(cx, &ident, &column_name, table_name);
    let ty = match types::classify(&field.ty) {
        Ok(ty) => ty,
        Err(message) => {
            cx.error_spanned_by(&field.ty, message);
            if let Some(span) = column_attrs.primary_key {
                // The key is there, with a type already reported.
                declared.primary_key_fields.push((ident.clone(), span));
            }
            return None;
        }
    };
    check::check_type_options(cx, &column_attrs, &ty);
    let varchar = column_attrs
        .varchar
        .as_ref()
        .and_then(|lit| match lit.base10_parse::<u32>() {
            Ok(n) if (1..=10_485_760).contains(&n) => Some(n),
            _ => {
                cx.error_spanned_by(lit, "`varchar` length must be between 1 and 10485760");
                None
            }
        });
    let numeric = column_attrs.numeric.as_ref().and_then(|(p, s, _)| {
        match (p.base10_parse::<u16>(), s.base10_parse::<u16>()) {
            (Ok(p), Ok(s)) if (1..=1000).contains(&p) && s <= p => Some((p, s)),
            _ => {
                cx.error_spanned_by(p, "`numeric(precision, scale)` needs 1 <= precision <= 1000 and 0 <= scale <= precision");
                None
            }
        }
    });
    check::check_value_sources(cx, &column_attrs, &ty);
    let (mut default_sql, mut enum_default) = (None, None);
    if let Some(default) = &column_attrs.default {
        if default.value().trim().is_empty() {
            cx.error_spanned_by(default, "`default` is empty\nhelp: give a SQL expression, e.g. #[column(default = \"now()\")]");
        } else {
            // Parsed as exactly one expression like every other fragment: never pasted.
            default_sql =
                sql::check_expression(cx, default, "`default`", Columns::None).map(|checked| {
                    enum_default =
                        sql::check_default_literal(cx, default, &checked.expr, &ty, varchar)
                            .map(|value| (value, default.span()));
                    checked.sql
                });
        }
    }
    if let Some(span) = column_attrs.primary_key {
        declared.primary_key_fields.push((ident.clone(), span));
    }
    if let Some(span) = column_attrs.unique {
        declared
            .uniques
            .push(ColumnList::single(ident.clone(), span));
    }
    if let Some(span) = column_attrs.index {
        declared
            .indexes
            .push((ColumnList::single(ident.clone(), span), false));
    }
    if let Some(fk) = column_attrs.references {
        declared.foreign_keys.push(fk);
    }
    if let Some(check) = column_attrs.check {
        declared
            .column_checks
            .push((column_name.clone(), check, ident.span()));
    }
    if let Some(generated) = &column_attrs.generated {
        declared.generated.push((index, generated.clone()));
    }
    if let Some(backfill) = &column_attrs.backfill {
        if ty.nullable {
            cx.error_spanned_by(backfill, "`backfill` fills the NULLs of a column that becomes NOT NULL; this field is an `Option`, so its column stays nullable\nhelp: remove `backfill`, or make the field non-optional");
        }
        declared.backfills.push((index, backfill.clone()));
    }
    let backfill_batch_size = column_attrs.backfill_batch_size.as_ref().and_then(|lit| {
        if column_attrs.backfill.is_none() && column_attrs.default.is_none() {
            cx.error_spanned_by(lit, "`backfill_batch_size` sizes the batches of a backfill, but this column declares neither `backfill` nor `default`\nhelp: add `backfill = \"<SQL expression>\"`, or remove `backfill_batch_size`");
        }
        match lit.base10_parse::<u32>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Some(n),
            _ => {
                cx.error_spanned_by(lit, "`backfill_batch_size` must be a whole number of rows from 1 to 1000000\nhelp: batches of about 10000 rows keep each transaction (and the row locks it holds) short");
                None
            }
        }
    });
    let renamed_from = column_attrs.renamed_from.as_ref().map(|lit| {
        let old = lit.value();
        if old == column_name {
            cx.error_spanned_by(
                lit,
                "`renamed_from` names the column's previous name, which must differ from its name",
            );
        }
        crate::names::check_identifier(cx, lit.span(), "`renamed_from` column name", &old);
        old
    });
    Some(ColumnModel {
        field: ident,
        name: column_name,
        ty,
        varchar,
        numeric,
        cidr: column_attrs.cidr.is_some(),
        default: default_sql,
        identity: column_attrs.identity.map(|(kind, _)| kind),
        generated: None,
        comment: checked_doc_comment(cx, &field.attrs),
        renamed_from,
        backfill: None,
        backfill_batch_size,
        secret: column_attrs.secret.is_some(),
        enum_default,
    })
}

/// The columns' `generated` and `backfill` expressions, which may name any column.
fn column_expressions(
    cx: &Ctxt,
    columns: &mut [ColumnModel],
    field_names: &[String],
    declared: &Declared,
) {
    let generated_names: Vec<String> = declared
        .generated
        .iter()
        .map(|(index, _)| columns[*index].name.clone())
        .collect();
    for (index, lit) in &declared.generated {
        if let Some(sql::Checked { used, sql, .. }) =
            sql::check_expression(cx, lit, "`generated`", Columns::OfThisTable(field_names))
        {
            // PostgreSQL computes generated columns from the row's stored values only.
            if let Some(other) = used.iter().find(|c| generated_names.contains(c)) {
                cx.error_spanned_by(
                    lit,
                    format!("`generated` uses `{other}`, itself a generated column; PostgreSQL computes each from the other columns only"),
                );
            }
            columns[*index].generated = Some(sql);
        }
    }
    for (index, lit) in &declared.backfills {
        if let Some(checked) = sql::check_expression(
            cx,
            lit,
            "`backfill`",
            Columns::OfThisTableOrSubqueries(field_names),
        ) {
            columns[*index].backfill = Some(checked.sql);
        }
    }
}

/// The primary key: on fields, or `primary_key(...)` on the struct, or a field named `id`;
/// named by `primary_key(..., name = "...")`, otherwise `<table>_pkey`.
fn primary_key(
    t: &Context,
    on_struct: Option<&ColumnList>,
    on_fields: &[(Ident, Span)],
) -> (String, Vec<String>) {
    let cx = t.cx;
    let idents: Vec<Ident> = match (on_struct, on_fields) {
        (Some(list), []) => list.columns.clone(),
        (None, []) => match t.columns.iter().find(|c| c.name == "id") {
            Some(c) => vec![c.field.clone()],
            None if t.unusable.iter().any(|f| f == "id") => Vec::new(),
            None => {
                cx.error_spanned_by(
                    &t.item.ident,
                    "table has no primary key\nhelp: mark the key field with #[column(primary_key)], or list a composite key with #[table(primary_key(a, b))]",
                );
                Vec::new()
            }
        },
        (None, fields) => fields.iter().map(|(i, _)| i.clone()).collect(),
        (Some(list), [(_, span), ..]) => {
            cx.syn_error(syn::Error::new(
                *span,
                "conflicting primary keys: `#[column(primary_key)]` on a field and `primary_key(...)` on the struct\nhelp: declare the key in one place; a composite key goes on the struct",
            ));
            list.columns.clone()
        }
    };
    check::check_key_not_nullable(t, &idents);
    let explicit_name = on_struct.and_then(|pk| pk.name.as_ref());
    let name = match explicit_name {
        Some(lit) => {
            check_identifier(cx, lit.span(), "primary key name", &lit.value());
            lit.value()
        }
        None => format!("{}_pkey", t.table_name),
    };
    let key = (name, t.resolve(&idents, "`primary_key`"));
    if explicit_name.is_none() {
        crate::names::check_generated_length(
            cx,
            t.item.ident.span(),
            "generated primary key name",
            &key.0,
        );
    }
    key
}

fn index(t: &Context, i: &ColumnList, unique: bool) -> IndexModel {
    let cols = t.resolve(&i.columns, "`index`");
    let include = t.resolve(&i.include, "`include`");
    let predicate = i.predicate.as_ref().and_then(|lit| {
        t.expression(lit, "the index's `where`", false)
            .map(|checked| checked.sql)
    });
    IndexModel {
        name: t.constraint_name(&i.name, &cols, "idx", i.span),
        columns: cols.into_iter().zip(i.descending.iter().copied()).collect(),
        unique,
        // An unknown method was reported by `attr`, and nothing is generated then.
        method: i
            .method
            .as_ref()
            .and_then(|(m, _)| schema_rules::IndexMethod::from_word(m))
            .unwrap_or_default(),
        include,
        predicate,
    }
}

/// CHECK constraints: each expression parses and names only this table's columns; a check
/// without a name is named after the columns it uses.
fn checks(
    t: &Context,
    table_checks: &[attr::CheckSpec],
    column_checks: &[(String, LitStr, Span)],
) -> Vec<(String, String)> {
    let (cx, table_name) = (t.cx, t.table_name);
    let mut checks: Vec<(String, String)> = Vec::new();
    for spec in table_checks {
        if let Some(sql::Checked { used, sql, .. }) = t.expression(&spec.expr, "`check`", false) {
            let name = match &spec.name {
                Some(lit) => {
                    check_identifier(cx, lit.span(), "name", &lit.value());
                    lit.value()
                }
                None if used.is_empty() => format!("{table_name}_check"),
                None => format!("{table_name}_{}_check", used.join("_")),
            };
            crate::names::check_generated_length(
                cx,
                spec.expr.span(),
                "generated check name",
                &name,
            );
            if checks.iter().any(|(n, _)| *n == name) {
                cx.error_spanned_by(&spec.expr, format!("two checks are named `{name}`\nhelp: name this one: #[table(check(name = \"...\", expr = \"...\"))]"));
            }
            checks.push((name, sql));
        }
    }
    for (column, lit, span) in column_checks {
        if let Some(checked) = t.expression(lit, "`check`", false) {
            let name = format!("{table_name}_{column}_check");
            crate::names::check_generated_length(cx, *span, "generated check name", &name);
            if checks.iter().any(|(n, _)| *n == name) {
                cx.error_spanned_by(lit, format!("two checks are named `{name}`\nhelp: move one to the struct with a name: #[table(check(name = \"...\", expr = \"...\"))]"));
            }
            checks.push((name, checked.sql));
        }
    }
    checks
}

/// `updated_at` is kept by a trigger, named after the table.
fn updated_at_trigger(t: &Context) -> Option<String> {
    t.columns
        .iter()
        .find(|c| {
            c.name == "updated_at"
                && matches!(
                    c.ty.known(),
                    Some(RustType::DateTimeUtc | RustType::NaiveDateTime)
                )
        })
        .map(|c| {
            let name = format!("{}_set_updated_at", t.table_name);
            crate::names::check_derived_length(
                t.cx,
                c.field.span(),
                "generated trigger name",
                &name,
            );
            name
        })
}

/// The foreign keys, with the one `joinable!` Diesel allows per pair of tables and the
/// cross-table conventions the compiler checks once the targets' descriptors are known.
fn foreign_keys(
    t: &Context,
    kind: Option<Kind>,
    specs: Vec<ForeignKeySpec>,
) -> Vec<ForeignKeyModel> {
    let cx = t.cx;
    let item = t.item;
    let mut joined: Vec<(String, String)> = Vec::new();
    specs
        .into_iter()
        .filter_map(|fk| {
            let target = fk.target?;
            let columns = t.resolve(&fk.columns, "`foreign_key`");
            // Diesel's `joinable!` joins on the target's primary key: only a single-column
            // reference to that key can have one, or a tenant reference `(account_id, x)` to
            // `(account_id, key)` (joining on `x = key` finds the same row). Self-references
            // need aliases, not `joinable!`.
            let tenant_pair = columns.len() == 2
                && columns[0] == cx.tenancy.column
                && fk.target_columns.len() == 2
                && fk.target_columns[0] == cx.tenancy.column;
            let join_column = if tenant_pair {
                Some((columns[1].clone(), Some(fk.target_columns[1].to_string())))
            } else if columns.len() == 1 && fk.target_columns.is_empty() {
                Some((columns[0].clone(), None))
            } else {
                None
            };
            let join_column = join_column.filter(|_| {
                fk.join && !target.is_ident(&item.ident) && !target.is_ident("Self")
            });
            let join = join_column.is_some();
            if join {
                let key = quote!(#target).to_string();
                if let Some((_, other)) = joined.iter().find(|(k, _)| *k == key) {
                    cx.syn_error(syn::Error::new(fk.span, format!(
                        "this table already joins `{key}` through `{other}`; Diesel allows one `joinable!` per pair of tables\nhelp: add `no_join` to this reference: #[column(references({key}, no_join))]"
                    )));
                }
                joined.push((key, columns.join(", ")));
            }
            let tenant = kind == Some(Kind::Tenant);
            if let Some(reason) = &fk.across_tenants {
                conventions::reason_given(cx, reason, "across_tenants");
            }
            Some(ForeignKeyModel {
                name: t.constraint_name(&fk.name, &columns, "fkey", fk.span),
                target_columns: fk.target_columns.iter().map(Ident::to_string).collect(),
                to_primary_key: columns.len() == 1 && fk.target_columns.is_empty(),
                join_column,
                must_target_non_tenant: tenant
                    && !columns.contains(&cx.tenancy.column)
                    && fk.across_tenants.is_none(),
                must_target_root: tenant && columns == [cx.tenancy.column.clone()],
                columns,
                target,
                on_delete: fk.on_delete,
                on_update: fk.on_update,
                join,
            })
        })
        .collect()
}
