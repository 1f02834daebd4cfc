//! `#[table]`: parse → model → checks → code.

use crate::attr::{
    self, Action, BoundSpec, ColumnList, ForeignKeySpec, IdentityKind, Strategy, TableAttrs,
};
use crate::conventions::{self, Kind};
use crate::ctxt::Ctxt;
use crate::names::{check_derived_length, check_identifier, check_length};
use crate::sql::{self, Columns};
use crate::types::{self, FieldType, RustType, Scalar};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use schema_rules::partitions::MonthKey;
use syn::spanned::Spanned;
use syn::{Ident, LitStr};

struct ColumnModel {
    field: Ident,
    name: String,
    ty: FieldType,
    varchar: Option<u32>,
    numeric: Option<(u16, u16)>,
    cidr: bool,
    default: Option<String>,
    identity: Option<IdentityKind>,
    generated: Option<String>,
    comment: Option<String>,
    renamed_from: Option<String>,
    backfill: Option<String>,
    backfill_batch_size: Option<u32>,
    secret: bool,
    /// An enum column's literal default, checked against the enum's values by the compiler.
    enum_default: Option<(String, proc_macro2::Span)>,
}

struct IndexModel {
    name: String,
    columns: Vec<(String, bool)>,
    unique: bool,
    method: String,
    include: Vec<String>,
    predicate: Option<String>,
}

struct PolicyModel {
    name: String,
    command: String,
    permissive: bool,
    roles: Vec<String>,
    /// Declared roles by kind (`app`, `identity` …), named in `schema!`.
    role_kinds: Vec<String>,
    using: Option<String>,
    with_check: Option<String>,
}

struct PartitioningModel {
    strategy: Strategy,
    columns: Vec<String>,
    /// `(name, bound DDL)`.
    partitions: Vec<(String, String)>,
    /// The names of each partition's copies of the table's key, unique and index indexes.
    index_copies: Vec<String>,
}

struct ForeignKeyModel {
    name: String,
    columns: Vec<String>,
    target: syn::Path,
    target_columns: Vec<String>,
    on_delete: Action,
    on_update: Action,
    join: bool,
    /// Single-column reference to the target's primary key: the compiler checks the types.
    to_primary_key: bool,
    /// The column `joinable!` joins on, and for a tenant pair the target column that must be
    /// the target's primary key (checked at compile time).
    join_column: Option<(String, Option<String>)>,
    /// From a tenant table without `account_id` in the key: the target must not be a tenant
    /// table (checked when the target's descriptor is known, at compile time).
    must_target_non_tenant: bool,
    /// `account_id` of a tenant table: the target must be the tenant root.
    must_target_root: bool,
}

struct Model {
    ident: Ident,
    schema: String,
    name: String,
    columns: Vec<ColumnModel>,
    primary_key: (String, Vec<String>),
    uniques: Vec<(String, Vec<String>)>,
    indexes: Vec<IndexModel>,
    foreign_keys: Vec<ForeignKeyModel>,
    checks: Vec<(String, String)>,
    comment: Option<String>,
    partitioning: Option<PartitioningModel>,
    row_security: Option<Vec<PolicyModel>>,
    updated_at_trigger: Option<String>,
    append_only_trigger: Option<String>,
    kind: Kind,
    tenant_updates: Vec<String>,
    renamed_from: Option<String>,
}

/// The doc comment of a struct or field: `///` lines joined, one leading space dropped.
/// The doc comment, refused (at the comment) when PostgreSQL could not store it.
fn checked_doc_comment(cx: &Ctxt, attrs: &[syn::Attribute]) -> Option<String> {
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

/// A SQL string literal.
fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

pub fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut item: syn::ItemStruct = match syn::parse2(input) {
        Ok(item) => item,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "`#[table]` applies to a struct with named fields, one per column\nhelp: the correct format looks like #[table(schema = \"billing\", name = \"invoices\")] pub struct Invoice { ... }",
            )
            .to_compile_error()
        }
    };
    let cx = Ctxt::default();
    let attrs = attr::parse_table_attrs(&cx, args);
    let model = build_model(&cx, &item, attrs);
    let stand_in_key = stand_in_key_type(&item);
    // The `#[column]` attributes are ours; the compiler must not see them.
    if let syn::Fields::Named(fields) = &mut item.fields {
        for field in &mut fields.named {
            field.attrs.retain(|a| !a.path().is_ident("column"));
        }
    }
    match (cx.into_compile_errors(), model) {
        (Some(errors), _) | (None, Err(errors)) => {
            // A generic struct cannot stand in for a table; its error says so.
            let stand_in = if item.generics.params.is_empty() {
                errored_stand_in(&item.ident, stand_in_key)
            } else {
                TokenStream::new()
            };
            quote!(#errors #item #stand_in)
        }
        (None, Ok(model)) => codegen(&mut item, &model),
    }
}

/// The Diesel SQL type of a declaration's single-column primary key, when its field is marked
/// `#[column(primary_key)]` and has a supported built-in type: the stand-in of a declaration
/// with errors keeps it, so the tables referencing it still type-check their joins.
fn stand_in_key_type(item: &syn::ItemStruct) -> Option<TokenStream> {
    let syn::Fields::Named(fields) = &item.fields else {
        return None;
    };
    let marked = |f: &&syn::Field| {
        f.attrs.iter().any(|a| {
            a.path().is_ident("column") && {
                let mut found = false;
                let _ = a.parse_nested_meta(|meta| {
                    found |= meta.path.is_ident("primary_key");
                    if meta.input.peek(syn::Token![=]) {
                        let _: syn::Expr = meta.value()?.parse()?;
                    } else if meta.input.peek(syn::token::Paren) {
                        let _content;
                        syn::parenthesized!(_content in meta.input);
                        let _: TokenStream = _content.parse()?;
                    }
                    Ok(())
                });
                found
            }
        })
    };
    let mut keys = fields.named.iter().filter(marked);
    let (Some(key), None) = (keys.next(), keys.next()) else {
        return None;
    };
    let ty = types::classify(&key.ty).ok()?;
    ty.known()
        .filter(|_| !ty.nullable)
        .map(RustType::diesel_sql_type)
}

/// For a declaration with errors: a placeholder table and descriptor, so `schema!` and other
/// uses of the struct compile and the user sees only the errors of the declaration itself
/// (thiserror's approach). The placeholder is the struct's `HasTable` table too, keyed by the
/// declared key's type when it has one, so foreign keys and joins onto it add no errors.
fn errored_stand_in(ident: &Ident, key: Option<TokenStream>) -> TokenStream {
    let module = format_ident!("__schema_errored_{}", ident);
    let alias = table_type_alias(ident);
    // Without a usable declared key, `bigint`: the most common key type, so most references
    // onto the declaration still type-check.
    let key = key.unwrap_or_else(|| quote!(::diesel::sql_types::BigInt));
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case)]
        pub mod #module {
            ::diesel::table! {
                errored (id) {
                    id -> #key,
                }
            }
        }
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        pub type #alias = #module::errored::table;
        impl ::schema_core::__private::Table for #ident {
            const DESCRIPTOR: &'static ::schema_core::__private::TableDescriptor =
                &::schema_core::__private::TableDescriptor::ERRORED;
        }
        impl ::diesel::associations::HasTable for #ident {
            type Table = #module::errored::table;
            fn table() -> Self::Table {
                #module::errored::table
            }
        }
    }
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

fn build_model(cx: &Ctxt, item: &syn::ItemStruct, attrs: TableAttrs) -> Result<Model, TokenStream> {
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
    if let Some(s) = &schema {
        crate::names::check_schema_name(cx, s.span(), &s.value());
    }
    if let Some(n) = &name {
        if !check_identifier(cx, n.span(), "table name", &n.value()) {
            cx.bad_table_name.set(true);
        }
        crate::names::check_rust_item_name(cx, n.span(), "table name", &n.value());
    }
    let table_name = name.as_ref().map(LitStr::value).unwrap_or_default();

    let mut columns = Vec::new();
    // Fields whose type was rejected: already reported, so keys naming them add no error.
    let mut unusable_fields = Vec::new();
    let mut field_pk = Vec::new();
    let kind = conventions::check_table_kind(
        cx,
        &item.ident,
        attrs.tenant,
        attrs.global.as_ref(),
        attrs.tenant_root,
    );
    let append_only = attrs.append_only.clone();
    let hard_delete = attrs.hard_delete.clone();
    let renamed_from = attrs.renamed_from.as_ref().map(|lit| {
        let old = lit.value();
        crate::names::check_identifier(cx, lit.span(), "`renamed_from` table name", &old);
        old
    });
    let mut uniques: Vec<ColumnList> = attrs.uniques;
    let attrs_index_spans: Vec<(Option<(String, Span)>, bool)> = attrs
        .indexes
        .iter()
        .map(|(list, unique)| (list.method.clone(), *unique))
        .collect();
    let mut indexes: Vec<(ColumnList, bool)> = attrs.indexes;
    let table_checks = attrs.checks;
    let tenant = attrs.tenant;
    let untenanted_rows = attrs.untenanted_rows;
    let tenant_updates_spec = attrs.tenant_updates;
    let row_security_flag = attrs.row_security;
    let policy_specs = attrs.policies;
    let partition_by = attrs.partition_by;
    let partition_specs = attrs.partitions;
    let monthly = attrs.monthly;
    let mut foreign_keys: Vec<ForeignKeySpec> = attrs.foreign_keys;
    let mut column_checks = Vec::new();
    let mut generated_exprs = Vec::new();
    let mut backfill_exprs = Vec::new();
    for field in &fields {
        let ident = field.ident.clone().expect("named field");
        let column_attrs = attr::parse_column_attrs(cx, field, &ident);
        let column_name = ident.to_string().trim_start_matches("r#").to_string();
        check_identifier(cx, ident.span(), "column name", &column_name);
        if column_name == table_name {
            cx.error_spanned_by(
                &ident,
                format!("a column named like its table (`{column_name}`) would clash with the table's Diesel module `{column_name}`\nhelp: name the field otherwise, e.g. `{column_name}_value`"),
            );
        } else if crate::names::DIESEL_ITEMS.contains(&column_name.as_str()) {
            cx.error_spanned_by(
                &ident,
                format!("a column named `{column_name}` would clash with the `{column_name}` Diesel's `table!` generates in the table's module\nhelp: name the field otherwise, e.g. `{column_name}_name`; the columns Diesel cannot name are {}", crate::names::DIESEL_ITEMS.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
            );
        }
        let ty = match types::classify(&field.ty) {
            Ok(ty) => ty,
            Err(message) => {
                cx.error_spanned_by(&field.ty, message);
                if let Some(span) = column_attrs.primary_key {
                    // The key is there, with a type already reported.
                    field_pk.push((ident.clone(), span));
                }
                unusable_fields.push(ident);
                continue;
            }
        };
        if let Some(varchar) = &column_attrs.varchar {
            if ty.element() != Some(RustType::String) {
                cx.error_spanned_by(
                    varchar,
                    "`varchar` applies to `String` (or `Vec<String>`) columns only",
                );
            }
        }
        if let Some((_, _, span)) = &column_attrs.numeric {
            if ty.element() != Some(RustType::BigDecimal) {
                cx.syn_error(syn::Error::new(
                    *span,
                    "`numeric(precision, scale)` applies to `BigDecimal` (or `Vec<BigDecimal>`) columns only",
                ));
            }
        }
        if let Some(span) = column_attrs.cidr {
            if ty.element() != Some(RustType::IpNetwork) {
                cx.syn_error(syn::Error::new(
                    span,
                    "`cidr` applies to `IpNetwork` (or `Vec<IpNetwork>`) columns only",
                ));
            }
        }
        let varchar =
            column_attrs
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
        if let Some((kind, span)) = column_attrs.identity {
            let word = if kind == IdentityKind::Serial {
                "serial"
            } else {
                "identity"
            };
            if !ty.known().is_some_and(RustType::is_integer) || ty.nullable {
                cx.syn_error(syn::Error::new(
                    span,
                    format!(
                        "`{word}` applies to `i16`, `i32` or `i64` columns that are not `Option`"
                    ),
                ));
            }
            if let Some(default) = &column_attrs.default {
                cx.error_spanned_by(default, format!("conflicting `default` and `{word}`: the column's values come from its sequence"));
            }
        }
        if let Some(generated) = &column_attrs.generated {
            if column_attrs.default.is_some() || column_attrs.identity.is_some() {
                cx.error_spanned_by(generated, "a `generated` column computes its value; it cannot also have `default`, `identity` or `serial`");
            }
        }
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
            field_pk.push((ident.clone(), span));
        }
        if let Some(span) = column_attrs.unique {
            uniques.push(ColumnList::single(ident.clone(), span));
        }
        if let Some(span) = column_attrs.index {
            indexes.push((ColumnList::single(ident.clone(), span), false));
        }
        if let Some(fk) = column_attrs.references {
            foreign_keys.push(fk);
        }
        if let Some(check) = column_attrs.check {
            column_checks.push((column_name.clone(), check, ident.span()));
        }
        if let Some(generated) = &column_attrs.generated {
            generated_exprs.push((columns.len(), generated.clone()));
        }
        if let Some(backfill) = &column_attrs.backfill {
            if ty.nullable {
                cx.error_spanned_by(backfill, "`backfill` fills the NULLs of a column that becomes NOT NULL; this field is an `Option`, so its column stays nullable\nhelp: remove `backfill`, or make the field non-optional");
            }
            backfill_exprs.push((columns.len(), backfill.clone()));
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
                cx.error_spanned_by(lit, "`renamed_from` names the column's previous name, which must differ from its name");
            }
            crate::names::check_identifier(cx, lit.span(), "`renamed_from` column name", &old);
            old
        });
        columns.push(ColumnModel {
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
        });
    }
    // Every field name, usable or not: expressions naming a field with a rejected type add
    // no error of their own.
    let field_names: Vec<String> = fields
        .iter()
        .filter_map(|f| f.ident.as_ref())
        .map(|i| i.to_string().trim_start_matches("r#").to_string())
        .collect();
    let generated_names: Vec<String> = generated_exprs
        .iter()
        .map(|(index, _)| columns[*index].name.clone())
        .collect();
    for (index, lit) in generated_exprs {
        if let Some(sql::Checked { used, sql, .. }) =
            sql::check_expression(cx, &lit, "`generated`", Columns::OfThisTable(&field_names))
        {
            // PostgreSQL computes generated columns from the row's stored values only.
            if let Some(other) = used.iter().find(|c| generated_names.contains(c)) {
                cx.error_spanned_by(
                    &lit,
                    format!("`generated` uses `{other}`, itself a generated column; PostgreSQL computes each from the other columns only"),
                );
            }
            columns[index].generated = Some(sql);
        }
    }
    for (index, lit) in backfill_exprs {
        if let Some(checked) = sql::check_expression(
            cx,
            &lit,
            "`backfill`",
            Columns::OfThisTableOrSubqueries(&field_names),
        ) {
            columns[index].backfill = Some(checked.sql);
        }
    }

    let column_of = |ident: &Ident| columns.iter().find(|c| c.field == *ident);
    let resolve = |list: &[Ident], what: &str| -> Vec<String> {
        list.iter()
            .map(|ident| match column_of(ident) {
                Some(c) => c.name.clone(),
                None if unusable_fields.contains(ident) => ident.to_string(),
                None => {
                    cx.error_spanned_by(
                        ident,
                        format!("{what} names `{ident}`, which is not a field of this struct"),
                    );
                    ident.to_string()
                }
            })
            .collect()
    };

    // The primary key: on fields, or `primary_key(...)` on the struct, or a field named `id`.
    let pk_idents: Vec<Ident> = match (&attrs.primary_key, field_pk.as_slice()) {
        (Some(list), []) => list.columns.clone(),
        (None, []) => match columns.iter().find(|c| c.name == "id") {
            Some(c) => vec![c.field.clone()],
            None if unusable_fields.iter().any(|f| f == "id") => Vec::new(),
            None => {
                cx.error_spanned_by(
                    &item.ident,
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
    for ident in &pk_idents {
        if let Some(c) = column_of(ident) {
            if c.ty.nullable {
                cx.error_spanned_by(ident, format!("primary key column `{}` cannot be `Option`: PostgreSQL makes key columns NOT NULL", c.name));
            }
        }
    }
    // `primary_key(a, b, name = "...")` names the key; otherwise `<table>_pkey`.
    let explicit_pk_name = attrs.primary_key.as_ref().and_then(|pk| pk.name.as_ref());
    let primary_key = (
        match explicit_pk_name {
            Some(lit) => {
                check_identifier(cx, lit.span(), "primary key name", &lit.value());
                lit.value()
            }
            None => format!("{table_name}_pkey"),
        },
        resolve(&pk_idents, "`primary_key`"),
    );
    if explicit_pk_name.is_none() {
        crate::names::check_generated_length(
            cx,
            item.ident.span(),
            "generated primary key name",
            &primary_key.0,
        );
    }

    let constraint_name =
        |explicit: &Option<LitStr>, cols: &[String], suffix: &str, span: Span| match explicit {
            Some(lit) => {
                check_identifier(cx, lit.span(), "name", &lit.value());
                lit.value()
            }
            None => {
                let name = format!("{table_name}_{}_{suffix}", cols.join("_"));
                crate::names::check_generated_length(cx, span, "generated name", &name);
                name
            }
        };
    let uniques_out: Vec<(String, Vec<String>)> = uniques
        .iter()
        .map(|u| {
            let cols = resolve(&u.columns, "`unique`");
            (constraint_name(&u.name, &cols, "key", u.span), cols)
        })
        .collect();
    let indexes_out: Vec<IndexModel> = indexes
        .iter()
        .map(|(i, unique)| {
            let cols = resolve(&i.columns, "`index`");
            let include = resolve(&i.include, "`include`");
            let predicate = i.predicate.as_ref().and_then(|lit| {
                sql::check_expression(
                    cx,
                    lit,
                    "the index's `where`",
                    Columns::OfThisTable(&field_names),
                )
                .map(|checked| checked.sql)
            });
            IndexModel {
                name: constraint_name(&i.name, &cols, "idx", i.span),
                columns: cols.into_iter().zip(i.descending.iter().copied()).collect(),
                unique: *unique,
                method: i
                    .method
                    .as_ref()
                    .map(|(m, _)| m.clone())
                    .unwrap_or_else(|| "btree".into()),
                include,
                predicate,
            }
        })
        .collect();
    for (method, unique) in &attrs_index_spans {
        if let (Some((method, span)), true) = (method, *unique) {
            if method != "btree" {
                cx.syn_error(syn::Error::new(*span, format!("a unique index must use `btree`; PostgreSQL has no unique `{method}` indexes")));
            }
        }
    }

    // The conventions that need the resolved keys.
    let unique_keys: Vec<conventions::UniqueKey<'_>> = uniques_out
        .iter()
        .zip(uniques.iter())
        .map(|((name, cols), spec)| conventions::UniqueKey {
            name,
            columns: cols.clone(),
            predicate: None,
            across_tenants: spec.across_tenants.as_ref(),
            all_rows: spec.all_rows.as_ref(),
            is_index: false,
            span: spec.span,
        })
        .chain(
            indexes_out
                .iter()
                .zip(indexes.iter())
                .filter(|(model, _)| model.unique)
                .map(|(model, (spec, _))| conventions::UniqueKey {
                    name: &model.name,
                    columns: model.columns.iter().map(|(c, _)| c.clone()).collect(),
                    predicate: model.predicate.as_deref(),
                    across_tenants: spec.across_tenants.as_ref(),
                    all_rows: spec.all_rows.as_ref(),
                    is_index: true,
                    span: spec.span,
                }),
        )
        .collect();
    let account_id_referenced = foreign_keys
        .iter()
        .any(|fk| fk.columns.len() == 1 && fk.columns[0] == "account_id");
    let convention_columns: Vec<conventions::Column<'_>> = columns
        .iter()
        .map(|c| conventions::Column {
            name: &c.name,
            field: &c.field,
            ty: &c.ty,
            default: c.default.as_deref(),
            has_reference: c.name == "account_id" && account_id_referenced,
        })
        .collect();
    if kind == Some(Kind::Tenant) {
        conventions::check_tenant_column(cx, &convention_columns, untenanted_rows.as_ref());
        conventions::check_tenant_unique_keys(cx, &unique_keys);
    } else if let Some(reason) = &untenanted_rows {
        cx.error_spanned_by(reason, "`untenanted_rows` applies to `tenant` tables only");
    }
    conventions::check_account_id_is_tenant(cx, kind, &convention_columns);
    let references: Vec<conventions::Reference<'_>> = foreign_keys
        .iter()
        .map(|fk| conventions::Reference {
            columns: fk
                .columns
                .iter()
                .filter_map(&column_of)
                .map(|c| (c.name.as_str(), c.ty.nullable))
                .collect(),
            on_delete: fk.on_delete,
            on_update: fk.on_update,
            span: fk.span,
        })
        .collect();
    conventions::check_referential_actions(cx, append_only.is_some(), &references);
    drop(references);
    conventions::check_timestamps(cx, &item.ident, &convention_columns, append_only.as_ref());
    conventions::check_soft_delete(
        cx,
        &item.ident,
        &convention_columns,
        append_only.is_some(),
        hard_delete.as_ref(),
        &primary_key.1,
        &unique_keys,
    );
    if let Some(m) = &monthly {
        conventions::check_future_partition_names(cx, m.span, &table_name);
    }
    drop(unique_keys);
    drop(convention_columns);
    let uniques = uniques_out;
    let indexes = indexes_out;

    // CHECK constraints: the expression parses and names only this table's columns.
    let mut checks: Vec<(String, String)> = Vec::new();
    for spec in &table_checks {
        if let Some(sql::Checked { used, sql, .. }) = sql::check_expression(
            cx,
            &spec.expr,
            "`check`",
            Columns::OfThisTable(&field_names),
        ) {
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
    for (column, lit, span) in &column_checks {
        if let Some(checked) =
            sql::check_expression(cx, lit, "`check`", Columns::OfThisTable(&field_names))
        {
            let name = format!("{table_name}_{column}_check");
            crate::names::check_generated_length(cx, *span, "generated check name", &name);
            if checks.iter().any(|(n, _)| *n == name) {
                cx.error_spanned_by(lit, format!("two checks are named `{name}`\nhelp: move one to the struct with a name: #[table(check(name = \"...\", expr = \"...\"))]"));
            }
            checks.push((name, checked.sql));
        }
    }

    // Row-level security: `tenant` adds the tenant policy; declared policies add theirs.
    let mut policies: Vec<PolicyModel> = Vec::new();
    if let Some(span) = tenant {
        match columns.iter().find(|c| c.name == "account_id") {
            Some(c) => match tenant_cast(&c.ty) {
                Some(cast) => {
                    let expr = schema_rules::tenant::predicate("account_id", cast);
                    let name = format!("{table_name}_tenant_isolation");
                    check_derived_length(cx, span, "generated policy name", &name);
                    policies.push(PolicyModel {
                        name,
                        command: "all".into(),
                        permissive: true,
                        roles: Vec::new(),
                        role_kinds: Vec::new(),
                        using: Some(expr.clone()),
                        with_check: Some(expr),
                    });
                }
                None => cx.syn_error(syn::Error::new(span, "`tenant` needs `account_id` to be a `Uuid`, `i64`, `i32` or `String` column")),
            },
            None => cx.syn_error(syn::Error::new(span, "a `tenant` table needs an `account_id` column: the tenant policy filters on it\nhelp: add `pub account_id: Uuid` with #[column(references(Account))]")),
        }
    }
    // The tenant root's rows are the tenants: the application role sees (and, in the columns
    // of `tenant_updates`, changes) its own row only; provisioning creates and deletes them.
    let mut tenant_updates = Vec::new();
    if kind == Some(Kind::TenantRoot) {
        let span = item.ident.span();
        let key_cast = match primary_key.1.as_slice() {
            [key] => columns
                .iter()
                .find(|c| c.name == *key)
                .and_then(|c| tenant_cast(&c.ty))
                .map(|cast| (key.clone(), cast)),
            _ => None,
        };
        if let Some((key, cast)) = key_cast {
            let own = schema_rules::tenant::predicate(&key, cast);
            if let Some((list, _)) = &tenant_updates_spec {
                tenant_updates = resolve(list, "`tenant_updates`");
                for (column, ident) in tenant_updates.iter().zip(list) {
                    if primary_key.1.contains(column) {
                        cx.error_spanned_by(
                            ident,
                            "`tenant_updates` cannot list the key: a tenant's id never changes",
                        );
                    }
                }
            }
            let mut push = |suffix: &str,
                            command: &str,
                            role: &str,
                            using: Option<&str>,
                            with_check: Option<&str>| {
                let name = format!("{table_name}_{suffix}");
                check_derived_length(cx, span, "generated policy name", &name);
                policies.push(PolicyModel {
                    name,
                    command: command.into(),
                    permissive: true,
                    roles: Vec::new(),
                    role_kinds: vec![role.into()],
                    using: using.map(str::to_string),
                    with_check: with_check.map(str::to_string),
                });
            };
            push("tenant_read", "select", "app", Some(&own), None);
            if !tenant_updates.is_empty() {
                push("tenant_update", "update", "app", Some(&own), Some(&own));
            }
            push(
                "provisioning",
                "all",
                "provisioning",
                Some("true"),
                Some("true"),
            );
        } else if !primary_key.1.is_empty() {
            cx.error_spanned_by(&item.ident, "the tenant root needs a one-column `Uuid`, `i64`, `i32` or `String` primary key: tenant tables' `account_id` and the tenant policy use it");
        }
    } else if let Some((_, span)) = &tenant_updates_spec {
        cx.syn_error(syn::Error::new(*span, "`tenant_updates` applies to the tenant root only\nhelp: on a tenant table the application role updates its tenant's rows already"));
    }
    for spec in &policy_specs {
        check_identifier(cx, spec.name.span(), "policy name", &spec.name.value());
        let parse = |lit: &Option<LitStr>, what: &str| {
            lit.as_ref().and_then(|lit| {
                sql::check_expression(
                    cx,
                    lit,
                    what,
                    Columns::OfThisTableOrSubqueries(&field_names),
                )
                .map(|checked| checked.sql)
            })
        };
        if spec.command == "select" && spec.with_check.is_some() {
            cx.syn_error(syn::Error::new(
                spec.span,
                "a `select` policy cannot have `with_check`: nothing is written",
            ));
        }
        if matches!(spec.command.as_str(), "insert") && spec.using.is_some() {
            cx.syn_error(syn::Error::new(spec.span, "an `insert` policy cannot have `using`: there is no existing row\nhelp: use `with_check`"));
        }
        if policies.iter().any(|p| p.name == spec.name.value()) {
            cx.error_spanned_by(
                &spec.name,
                format!("two policies are named `{}`", spec.name.value()),
            );
        }
        for role in &spec.roles {
            check_length(cx, role.span(), "role name", &role.value());
        }
        policies.push(PolicyModel {
            name: spec.name.value(),
            command: spec.command.clone(),
            permissive: !spec.restrictive,
            roles: spec.roles.iter().map(LitStr::value).collect(),
            role_kinds: spec.role_kinds.clone(),
            using: parse(&spec.using, "the policy's `using`"),
            with_check: parse(&spec.with_check, "the policy's `with_check`"),
        });
    }
    let row_security = (tenant.is_some()
        || kind == Some(Kind::TenantRoot)
        || row_security_flag.is_some()
        || !policies.is_empty())
    .then_some(policies);

    let partitioning = build_partitioning(
        cx,
        &table_name,
        partition_by,
        partition_specs,
        monthly,
        &columns,
        &resolve,
        &primary_key,
        &uniques,
        &indexes,
    );

    let updated_at_trigger = columns
        .iter()
        .find(|c| {
            c.name == "updated_at"
                && matches!(
                    c.ty.known(),
                    Some(RustType::DateTimeUtc | RustType::NaiveDateTime)
                )
        })
        .map(|c| {
            let name = format!("{table_name}_set_updated_at");
            check_derived_length(cx, c.field.span(), "generated trigger name", &name);
            name
        });

    // Append-only is enforced by PostgreSQL too: a trigger rejects every UPDATE.
    let append_only_trigger = append_only.as_ref().map(|(span, _)| {
        let name = format!("{table_name}_append_only");
        check_derived_length(cx, *span, "generated trigger name", &name);
        name
    });

    let mut joined: Vec<(String, String)> = Vec::new();
    let foreign_keys: Vec<ForeignKeyModel> = foreign_keys
        .into_iter()
        .filter_map(|fk| {
            let target = fk.target?;
            let columns = resolve(&fk.columns, "`foreign_key`");
            // Diesel's `joinable!` joins on the target's primary key: only a single-column
            // reference to that key can have one, or a tenant reference `(account_id, x)` to
            // `(account_id, key)` (joining on `x = key` finds the same row). Self-references
            // need aliases, not `joinable!`.
            let tenant_pair = columns.len() == 2
                && columns[0] == "account_id"
                && fk.target_columns.len() == 2
                && fk.target_columns[0] == "account_id";
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
                name: constraint_name(&fk.name, &columns, "fkey", fk.span),
                target_columns: fk.target_columns.iter().map(Ident::to_string).collect(),
                to_primary_key: columns.len() == 1 && fk.target_columns.is_empty(),
                join_column,
                must_target_non_tenant: tenant
                    && !columns.iter().any(|c| c == "account_id")
                    && fk.across_tenants.is_none(),
                must_target_root: tenant && columns == ["account_id"],
                columns,
                target,
                on_delete: fk.on_delete,
                on_update: fk.on_update,
                join,
            })
        })
        .collect();

    // Constraint names are per table: a check or foreign key named like the key, a unique
    // constraint or another one would fail at migrate (`constraint ... already exists`).
    let mut constraint_names: Vec<(&str, &str)> = vec![(primary_key.0.as_str(), "the primary key")];
    constraint_names.extend(
        uniques
            .iter()
            .map(|(n, _)| (n.as_str(), "a unique constraint")),
    );
    constraint_names.extend(
        foreign_keys
            .iter()
            .map(|f| (f.name.as_str(), "a foreign key")),
    );
    constraint_names.extend(checks.iter().map(|(n, _)| (n.as_str(), "a check")));
    for (i, (name, what)) in constraint_names.iter().enumerate() {
        if let Some((_, first)) = constraint_names[..i].iter().find(|(n, _)| n == name) {
            cx.error_spanned_by(
                &item.ident,
                format!("constraint name `{name}` is used twice on table `{table_name}`: by {first} and by {what}\nhelp: give one of them another `name = \"...\"`"),
            );
        }
    }
    // PostgreSQL names the sequence of an identity or serial column `<table>_<column>_seq`;
    // `schema!` keeps other relations from taking that name.
    for c in columns.iter().filter(|c| c.identity.is_some()) {
        check_derived_length(
            cx,
            c.field.span(),
            "the identity sequence name",
            &format!("{table_name}_{}_seq", c.name),
        );
    }

    let (Some(schema), Some(_)) = (schema, name) else {
        return Err(TokenStream::new());
    };
    Ok(Model {
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

/// The cast of the tenant setting to `account_id`'s type.
fn tenant_cast(ty: &FieldType) -> Option<&'static str> {
    // Nullability is the tenant conventions' concern (`check_tenant_column`).
    Some(match ty.known()? {
        RustType::Uuid => "uuid",
        RustType::I64 => "bigint",
        RustType::I32 => "integer",
        RustType::String => "text",
        _ => return None,
    })
}

/// One partition-bound value: `MINVALUE`/`MAXVALUE` as keywords, anything else as a literal
/// PostgreSQL casts to the key column's type.
fn bound_value(lit: &LitStr) -> String {
    let value = lit.value();
    match value.to_ascii_uppercase().as_str() {
        "MINVALUE" | "MAXVALUE" => value.to_ascii_uppercase(),
        _ => quote_literal(&value),
    }
}

fn bound_list(values: &[LitStr]) -> String {
    values
        .iter()
        .map(bound_value)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `PARTITION BY` and the partitions. The rules are PostgreSQL's, checked at compile time:
/// keys and unique indexes must include the partition key, bounds must fit the strategy.
#[allow(clippy::too_many_arguments)]
fn build_partitioning(
    cx: &Ctxt,
    table_name: &str,
    partition_by: Option<attr::PartitionBySpec>,
    partition_specs: Vec<attr::PartitionSpec>,
    monthly: Option<attr::MonthlySpec>,
    columns: &[ColumnModel],
    resolve: &dyn Fn(&[Ident], &str) -> Vec<String>,
    primary_key: &(String, Vec<String>),
    uniques: &[(String, Vec<String>)],
    indexes: &[IndexModel],
) -> Option<PartitioningModel> {
    let Some(by) = partition_by else {
        for spec in &partition_specs {
            cx.syn_error(syn::Error::new(spec.span, "`partition` needs `partition_by(...)` on the table\nhelp: the correct format looks like #[table(partition_by(range(started_at)), partition(...))]"));
        }
        if let Some(m) = &monthly {
            cx.syn_error(syn::Error::new(
                m.span,
                "`monthly_partitions` needs `partition_by(range(column))` on the table",
            ));
        }
        return None;
    };
    let key = resolve(&by.columns, "`partition_by`");
    for column in columns.iter().filter(|c| key.contains(&c.name)) {
        if column.generated.is_some() {
            cx.syn_error(syn::Error::new(
                by.span,
                format!(
                    "`{}` is a generated column and cannot be part of the partition key",
                    column.name
                ),
            ));
        }
    }
    if by.strategy == Strategy::List && key.len() != 1 {
        cx.syn_error(syn::Error::new(
            by.span,
            "`list` partitioning takes exactly one column",
        ));
    }
    // PostgreSQL enforces uniqueness per partition, so a key or unique index is only global
    // when it contains every partition column.
    let missing = |cols: &[String]| {
        key.iter()
            .filter(|k| !cols.contains(k))
            .cloned()
            .collect::<Vec<_>>()
    };
    let require = |what: String, cols: &[String]| {
        let m = missing(cols);
        if !m.is_empty() {
            cx.syn_error(syn::Error::new(by.span, format!(
                "{what} must include the partition key column(s) {}: PostgreSQL checks uniqueness per partition\nhelp: add {} to its columns",
                m.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
                m.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
            )));
        }
    };
    require(
        format!("the primary key `{}`", primary_key.0),
        &primary_key.1,
    );
    for (name, cols) in uniques {
        require(format!("unique constraint `{name}`"), cols);
    }
    for index in indexes.iter().filter(|i| i.unique) {
        let cols: Vec<String> = index.columns.iter().map(|(c, _)| c.clone()).collect();
        require(format!("unique index `{}`", index.name), &cols);
    }

    let mut partitions: Vec<(String, String)> = Vec::new();
    let mut index_copies: Vec<String> = Vec::new();
    let mut too_long: Vec<String> = Vec::new();
    let parent_indexes: Vec<&String> = std::iter::once(&primary_key.0)
        .chain(uniques.iter().map(|(n, _)| n))
        .chain(indexes.iter().map(|i| &i.name))
        .collect();
    let mut add = |cx: &Ctxt, name: String, bound: String, span: Span| {
        let name_ok = check_identifier(cx, span, "partition name", &name);
        // Each partition holds a copy of every index, named by the project, never truncated.
        for index in parent_indexes.iter().filter(|_| name_ok) {
            let copy = schema_rules::names::index_copy(table_name, &name, index);
            if copy.len() > schema_rules::names::MAX_IDENTIFIER_BYTES && !too_long.contains(index) {
                // Once per index: monthly partitions' names all have one length.
                too_long.push((*index).clone());
                cx.syn_error(syn::Error::new(
                    span,
                    format!("partition `{name}`'s copy of index `{index}` would be named `{copy}`, {} bytes, more than PostgreSQL's 63\nhelp: give the index a shorter `name = \"...\"`, or the partition a shorter name", copy.len()),
                ));
            }
            index_copies.push(copy);
        }
        if name == table_name || partitions.iter().any(|(n, _)| *n == name) {
            cx.syn_error(syn::Error::new(
                span,
                format!("partition name `{name}` is used twice"),
            ));
        }
        partitions.push((name, bound));
    };
    for spec in partition_specs {
        let Some(bound) = &spec.bound else { continue };
        let text = match (bound, by.strategy) {
            (BoundSpec::Default, Strategy::Range | Strategy::List) => "DEFAULT".to_string(),
            (BoundSpec::Range { from, to }, Strategy::Range) => {
                if from.len() != key.len() || to.len() != key.len() {
                    cx.syn_error(syn::Error::new(
                        spec.span,
                        format!(
                            "a range bound needs one value per partition column ({})",
                            key.len()
                        ),
                    ));
                }
                format!(
                    "FOR VALUES FROM ({}) TO ({})",
                    bound_list(from),
                    bound_list(to)
                )
            }
            (BoundSpec::List(values), Strategy::List) => {
                if values.is_empty() {
                    cx.syn_error(syn::Error::new(
                        spec.span,
                        "`values(...)` needs at least one value",
                    ));
                }
                format!("FOR VALUES IN ({})", bound_list(values))
            }
            (BoundSpec::Hash { modulus, remainder }, Strategy::Hash) => {
                match (
                    modulus.base10_parse::<u32>(),
                    remainder.base10_parse::<u32>(),
                ) {
                    (Ok(m), Ok(r)) if m > 0 && r < m => {}
                    _ => cx.error_spanned_by(
                        modulus,
                        "a hash partition needs `modulus` > 0 and 0 <= `remainder` < `modulus`",
                    ),
                }
                format!(
                    "FOR VALUES WITH (MODULUS {}, REMAINDER {})",
                    modulus.base10_digits(),
                    remainder.base10_digits()
                )
            }
            (_, strategy) => {
                cx.syn_error(syn::Error::new(spec.span, format!(
                    "this bound does not fit `{}` partitioning\nhelp: range partitions take `from`/`to`, list partitions `values(...)`, hash partitions `modulus`/`remainder`; range and list tables may have one `default`",
                    strategy.word()
                )));
                continue;
            }
        };
        add(cx, spec.name.value(), text, spec.name.span());
    }
    if let Some(m) = monthly {
        let key_type = columns
            .iter()
            .find(|c| key.len() == 1 && c.name == key[0])
            .and_then(|c| c.ty.known());
        let month_key = match (by.strategy, key_type) {
            (Strategy::Range, Some(RustType::DateTimeUtc)) => Some(MonthKey::Timestamptz),
            (Strategy::Range, Some(RustType::NaiveDateTime)) => Some(MonthKey::Timestamp),
            (Strategy::Range, Some(RustType::NaiveDate)) => Some(MonthKey::Date),
            _ => {
                cx.syn_error(syn::Error::new(m.span, "`monthly_partitions` needs `partition_by(range(column))` on one `DateTime<Utc>`, `NaiveDateTime` or `NaiveDate` column"));
                None
            }
        };
        let start = m.from.value();
        let parsed = start
            .split_once('-')
            .and_then(|(y, mo)| Some((y.parse::<i32>().ok()?, mo.parse::<u32>().ok()?)))
            .filter(|(y, mo)| {
                (1900..=9000).contains(y) && (1..=12).contains(mo) && start.len() == 7
            });
        let months = m
            .months
            .base10_parse::<u32>()
            .ok()
            .filter(|n| (1..=1200).contains(n));
        if parsed.is_none() {
            cx.error_spanned_by(
                &m.from,
                "`from` is a month written `YYYY-MM`, e.g. \"2026-01\"",
            );
        }
        if months.is_none() {
            cx.error_spanned_by(&m.months, "`months` must be between 1 and 1200");
        }
        if let (Some(month_key), Some((year, month)), Some(months)) = (month_key, parsed, months) {
            let at = |i: u32| {
                let index = (year as u32) * 12 + (month - 1) + i;
                ((index / 12) as i32, index % 12 + 1)
            };
            for i in 0..months {
                let (y, mo) = at(i);
                add(
                    cx,
                    schema_rules::names::month_partition(table_name, y, mo),
                    month_key.bound((y, mo), Some(at(i + 1))),
                    m.span,
                );
            }
        }
    }
    if partitions.iter().filter(|(_, b)| b == "DEFAULT").count() > 1 {
        cx.syn_error(syn::Error::new(
            by.span,
            "a table has at most one `default` partition",
        ));
    }
    Some(PartitioningModel {
        strategy: by.strategy,
        columns: key,
        partitions,
        index_copies,
    })
}

/// The name of the type alias `#[table]` puts next to the struct for its Diesel table type
/// (`pub type __schema_table_Device = devices::table;`). `schema!` reaches the table through it:
/// a concrete path, where an associated type (`<Device as HasTable>::Table`) would be a
/// projection, and projections in the headers of `allow_tables_to_appear_in_same_query!`'s N²
/// impls make rustc's coherence check quadratic in the number of impls (minutes for 100 tables).
pub fn table_type_alias(struct_ident: &Ident) -> Ident {
    format_ident!("__schema_table_{}", struct_ident)
}

/// The alias `#[table]` declares beside the struct for an enum column's type (which is its own
/// Diesel SQL type), so the `table!` module can import it whatever path the field used.
fn enum_sql_type_alias(struct_ident: &Ident, field: &Ident) -> Ident {
    format_ident!("__schema_sql_{}_{}", struct_ident, field)
}

/// The element's `SqlType` descriptor variant (not an enum).
fn base_sql_type_tokens(c: &ColumnModel, rust: RustType) -> TokenStream {
    let variant = match (rust, c.varchar, c.numeric) {
        (RustType::String, Some(n), _) => quote!(Varchar(#n)),
        (RustType::BigDecimal, _, Some((p, s))) => quote!(NumericPs(#p, #s)),
        (RustType::IpNetwork, ..) if c.cidr => quote!(Cidr),
        (RustType::I16, ..) => quote!(SmallInt),
        (RustType::I32, ..) => quote!(Integer),
        (RustType::I64, ..) => quote!(BigInt),
        (RustType::Bool, ..) => quote!(Boolean),
        (RustType::F32, ..) => quote!(Real),
        (RustType::F64, ..) => quote!(DoublePrecision),
        (RustType::String, ..) => quote!(Text),
        (RustType::Uuid, ..) => quote!(Uuid),
        (RustType::DateTimeUtc, ..) => quote!(Timestamptz),
        (RustType::NaiveDateTime, ..) => quote!(Timestamp),
        (RustType::NaiveDate, ..) => quote!(Date),
        (RustType::BigDecimal, ..) => quote!(Numeric),
        (RustType::IpNetwork, ..) => quote!(Inet),
        (RustType::JsonValue | RustType::JsonbTyped, ..) => quote!(Jsonb),
    };
    quote!(::schema_core::__private::SqlType::#variant)
}

/// The column's `TypeDescriptor`.
fn type_descriptor_tokens(c: &ColumnModel) -> TokenStream {
    let element = match &c.ty.scalar {
        Scalar::Known(rust) => {
            let base = base_sql_type_tokens(c, *rust);
            quote!(::schema_core::__private::TypeDescriptor::Base(#base))
        }
        Scalar::Enum(path) => quote_spanned! {path.span()=>
            ::schema_core::__private::TypeDescriptor::Enum(
                <#path as ::schema_core::__private::PgEnum>::DESCRIPTOR
            )
        },
    };
    match c.ty.array {
        Some(_) => quote!(::schema_core::__private::TypeDescriptor::Array(&#element)),
        None => element,
    }
}

/// The column's Diesel SQL type as the `table!` module (a child of the struct's module) sees it.
fn diesel_type_tokens(struct_ident: &Ident, c: &ColumnModel) -> TokenStream {
    let mut ty = match &c.ty.scalar {
        Scalar::Known(RustType::IpNetwork) if c.cidr => quote!(::diesel::sql_types::Cidr),
        Scalar::Known(rust) => rust.diesel_sql_type(),
        // Imported into the `table!` module with `use super::alias;` (see `codegen`).
        Scalar::Enum(_) => {
            let alias = enum_sql_type_alias(struct_ident, &c.field);
            quote!(#alias)
        }
    };
    if let Some(element_nullable) = c.ty.array {
        // Bound as `varchar[]`, so Diesel's `eq`, `contains` and `overlaps_with` work on a
        // `varchar(n)[]` column (see `schema_core::sql_types::Varchar`).
        if c.varchar.is_some() {
            ty = quote!(::schema_core::sql_types::Varchar);
        }
        if element_nullable {
            ty = quote!(::diesel::sql_types::Nullable<#ty>);
        }
        ty = quote!(::diesel::sql_types::Array<#ty>);
    }
    if c.ty.nullable {
        ty = quote!(::diesel::sql_types::Nullable<#ty>);
    }
    ty
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn action_tokens(action: Action) -> TokenStream {
    let variant = format_ident!("{}", action.variant());
    quote!(::schema_core::__private::ReferentialAction::#variant)
}

fn option_str(value: &Option<String>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

fn codegen(item: &mut syn::ItemStruct, m: &Model) -> TokenStream {
    let ident = &m.ident;
    // A keyword (`type`) is a raw identifier; the path keywords were refused.
    let table_mod = crate::names::rust_ident(&m.name, Span::call_site());
    let (schema, name) = (&m.schema, &m.name);
    let schema_ident = format_ident!("{}", m.schema);
    let rust_name = ident.to_string();

    let pk_fields: Vec<Ident> = m
        .primary_key
        .1
        .iter()
        .map(|c| format_ident!("{}", c))
        .collect();
    if let syn::Fields::Named(fields) = &mut item.fields {
        for (field, column) in fields.named.iter_mut().zip(&m.columns) {
            if column.identity.is_some() || column.generated.is_some() {
                // The database generates these values.
                field
                    .attrs
                    .push(syn::parse_quote!(#[diesel(skip_insertion)]));
            }
        }
    }

    let table_columns = m.columns.iter().map(|c| {
        let field = &c.field;
        let ty = diesel_type_tokens(ident, c);
        quote!(#field -> #ty,)
    });
    let vis = &item.vis;
    // `table!` copies `use` items into its modules (adding a `super::` for the nested one).
    let enum_imports = m.columns.iter().filter_map(|c| match &c.ty.scalar {
        Scalar::Enum(_) => {
            let alias = enum_sql_type_alias(ident, &c.field);
            Some(quote!(use super::#alias;))
        }
        Scalar::Known(_) => None,
    });
    let enum_aliases = m.columns.iter().filter_map(|c| match &c.ty.scalar {
        Scalar::Enum(path) => {
            let alias = enum_sql_type_alias(ident, &c.field);
            Some(quote_spanned! {path.span()=>
                #[doc(hidden)]
                #[allow(non_camel_case_types)]
                #vis type #alias = #path;
            })
        }
        Scalar::Known(_) => None,
    });
    let sequences: Vec<String> = m
        .columns
        .iter()
        .filter(|c| c.identity.is_some())
        .map(|c| format!("{}_{}_seq", m.name, c.name))
        .collect();
    let column_descriptors = m.columns.iter().map(|c| {
        let column = &c.name;
        let sql_type = type_descriptor_tokens(c);
        let nullable = c.ty.nullable;
        let default = option_str(&c.default);
        let generated = option_str(&c.generated);
        let comment = option_str(&c.comment);
        let renamed_from = option_str(&c.renamed_from);
        let backfill = option_str(&c.backfill);
        let backfill_batch_size = match c.backfill_batch_size {
            Some(n) => quote!(::core::option::Option::Some(#n)),
            None => quote!(::core::option::Option::None),
        };
        let secret = c.secret;
        let identity = match c.identity {
            Some(kind) => {
                let variant = format_ident!("{}", kind.variant());
                quote!(::core::option::Option::Some(::schema_core::__private::Identity::#variant))
            }
            None => quote!(::core::option::Option::None),
        };
        quote! {
            ::schema_core::__private::ColumnDescriptor {
                name: #column,
                sql_type: #sql_type,
                nullable: #nullable,
                default: #default,
                identity: #identity,
                generated: #generated,
                comment: #comment,
                renamed_from: #renamed_from,
                backfill: #backfill,
                backfill_batch_size: #backfill_batch_size,
                secret: #secret,
            }
        }
    });
    let key = |name: &String, columns: &[String]| quote!(::schema_core::__private::KeyDescriptor { name: #name, columns: &[#(#columns),*] });
    let primary_key = key(&m.primary_key.0, &m.primary_key.1);
    let uniques = m.uniques.iter().map(|(n, c)| key(n, c));
    let indexes = m.indexes.iter().map(|i| {
        let (n, unique, include) = (&i.name, i.unique, &i.include);
        let keys = i.columns.iter().map(|(c, desc)| quote!((#c, #desc)));
        let method = schema_rules::IndexMethod::from_word(&i.method).map_or_else(
            || format_ident!("Btree"),
            |m| format_ident!("{}", m.variant()),
        );
        let predicate = option_str(&i.predicate);
        quote!(::schema_core::__private::IndexDescriptor {
            name: #n,
            columns: &[#(#keys),*],
            unique: #unique,
            method: ::schema_core::__private::IndexMethod::#method,
            include: &[#(#include),*],
            predicate: #predicate,
        })
    });
    let checks = m.checks.iter().map(
        |(n, e)| quote!(::schema_core::__private::CheckDescriptor { name: #n, expression: #e }),
    );
    let comment = option_str(&m.comment);
    let partitioning = match &m.partitioning {
        Some(p) => {
            let strategy = format_ident!("{}", p.strategy.variant());
            let cols = &p.columns;
            let partitions = p.partitions.iter().map(|(n, b)| {
                quote!(::schema_core::__private::PartitionDescriptor { name: #n, bound: #b })
            });
            let copies = &p.index_copies;
            quote!(::core::option::Option::Some(::schema_core::__private::PartitioningDescriptor {
                strategy: ::schema_core::__private::PartitionStrategy::#strategy,
                columns: &[#(#cols),*],
                partitions: &[#(#partitions),*],
                index_copies: &[#(#copies),*],
            }))
        }
        None => quote!(::core::option::Option::None),
    };
    let row_security = match &m.row_security {
        Some(policies) => {
            let policies = policies.iter().map(|p| {
                let (n, permissive, roles) = (&p.name, p.permissive, &p.roles);
                let command = schema_rules::PolicyCommand::from_word(&p.command).map_or_else(
                    || format_ident!("All"),
                    |c| format_ident!("{}", c.variant()),
                );
                let (using, with_check) = (option_str(&p.using), option_str(&p.with_check));
                let role_kinds = p
                    .role_kinds
                    .iter()
                    .map(|k| format_ident!("{}", capitalize(k)));
                quote!(::schema_core::__private::PolicyDescriptor {
                    name: #n,
                    command: ::schema_core::__private::PolicyCommand::#command,
                    permissive: #permissive,
                    roles: &[#(#roles),*],
                    role_kinds: &[#(::schema_core::__private::RoleKind::#role_kinds),*],
                    using: #using,
                    with_check: #with_check,
                })
            });
            quote!(::core::option::Option::Some(&[#(#policies),*]))
        }
        None => quote!(::core::option::Option::None),
    };
    let updated_at_trigger = option_str(&m.updated_at_trigger);
    let append_only_trigger = option_str(&m.append_only_trigger);
    let renamed_from = option_str(&m.renamed_from);
    let tenant_updates = &m.tenant_updates;
    let kind = match m.kind {
        Kind::Tenant => quote!(Tenant),
        Kind::Global => quote!(Global),
        Kind::TenantRoot => quote!(TenantRoot),
    };
    let tenant_root = (m.kind == Kind::TenantRoot)
        .then(|| quote!(impl ::schema_core::__private::TenantRoot for #ident {}));
    let table_name = &m.name;
    // An enum column's literal default is one of the enum's values.
    let enum_defaults = m.columns.iter().filter_map(|c| {
        let (Scalar::Enum(ty), Some((value, span))) = (&c.ty.scalar, &c.enum_default) else {
            return None;
        };
        let column = &c.name;
        Some(quote_spanned! {*span=>
            const _: () = ::schema_core::__private::assert_enum_default(
                <#ty as ::schema_core::__private::PgEnum>::DESCRIPTOR,
                #value,
                #column,
            );
        })
    });
    // Cross-struct conventions, checked by the compiler once the targets are known.
    let reference_checks = m.foreign_keys.iter().map(|fk| {
        // These are module-level items, where `Self` means nothing: name the struct.
        let target: syn::Path = if fk.target.is_ident("Self") {
            let mut path: syn::Path = syn::parse_quote!(#ident);
            path.segments[0].ident.set_span(fk.target.span());
            path
        } else {
            fk.target.clone()
        };
        let target = &target;
        let column = format_ident!("{}", fk.columns[0]);
        let mut checks = TokenStream::new();
        if fk.to_primary_key {
            let target_table =
                quote!(<#target as ::diesel::associations::HasTable>::Table);
            checks.extend(quote_spanned! {target.span()=>
                const _: () = ::schema_core::__private::assert_key_type::<
                    <#table_mod::#column as ::diesel::Expression>::SqlType,
                    <<#target_table as ::diesel::Table>::PrimaryKey as ::diesel::Expression>::SqlType,
                >();
            });
        }
        if fk.must_target_root {
            checks.extend(quote_spanned! {target.span()=>
                const _: () = ::schema_core::__private::assert_tenant_root::<#target>();
            });
        }
        if fk.must_target_non_tenant {
            let message = format!(
                "foreign key `{}` of tenant table `{table_name}` references another tenant table without `account_id`: add `account_id` to both sides (foreign_key(columns(account_id, {}), references = ..., target_columns(account_id, id))) or state why it spans tenants: across_tenants = \"...\"",
                fk.name,
                fk.columns.join(", ")
            );
            checks.extend(quote_spanned! {target.span()=>
                const _: () = if <#target as ::schema_core::__private::Table>::DESCRIPTOR.kind.is_tenant() {
                    ::core::panic!(#message)
                };
            });
        }
        checks
    });
    let foreign_keys = m.foreign_keys.iter().map(|fk| {
        let (n, cols, target_cols, target) =
            (&fk.name, &fk.columns, &fk.target_columns, &fk.target);
        let (on_delete, on_update) = (action_tokens(fk.on_delete), action_tokens(fk.on_update));
        let target_fn =
            quote_spanned!(target.span()=> ::schema_core::__private::descriptor_of::<#target>);
        quote! {
            ::schema_core::__private::ForeignKeyDescriptor {
                name: #n,
                columns: &[#(#cols),*],
                target: #target_fn,
                target_columns: &[#(#target_cols),*],
                on_delete: #on_delete,
                on_update: #on_update,
            }
        }
    });
    let joins = m.foreign_keys.iter().filter(|fk| fk.join).map(|fk| {
        // Diesel's `joinable!` wants the target's `table!` module path, which the struct path
        // does not give; its type form takes the target's table type through `HasTable`
        // (implemented by the `Identifiable` derive), so any path to the struct works.
        let target = &fk.target;
        let (column, key) = fk.join_column.clone().expect("joined references have a column");
        let key_check = key.map(|key| {
            let message = format!(
                "`joinable!` for foreign key `{}` joins `{column}` to the target's primary key, but `{key}` is not that key\nhelp: reference the target's key, or add `no_join`",
                fk.name
            );
            quote_spanned! {target.span()=>
                const _: () = if !::schema_core::__private::is_primary_key(
                    <#target as ::schema_core::__private::Table>::DESCRIPTOR,
                    #key,
                ) {
                    ::core::panic!(#message)
                };
            }
        });
        let column = format_ident!("{}", column);
        let target_table =
            quote_spanned!(target.span()=> <#target as ::diesel::associations::HasTable>::Table);
        let target_value = quote!(<#target as ::diesel::associations::HasTable>::table());
        let primary_key_ty = quote!(<#target_table as ::diesel::Table>::PrimaryKey);
        let primary_key_expr =
            quote!(<#target_table as ::diesel::Table>::primary_key(&#target_value));
        quote! {
            #key_check
            ::diesel::joinable_inner!(
                left_table_ty = #table_mod::table,
                right_table_ty = #target_table,
                right_table_expr = #target_value,
                foreign_key = #table_mod::#column,
                primary_key_ty = #primary_key_ty,
                primary_key_expr = #primary_key_expr,
            );
            ::diesel::joinable_inner!(
                left_table_ty = #target_table,
                right_table_ty = #table_mod::table,
                right_table_expr = #table_mod::table,
                foreign_key = #table_mod::#column,
                primary_key_ty = #primary_key_ty,
                primary_key_expr = #primary_key_expr,
            );
        }
    });
    let soft_delete = soft_delete_scopes(item, m, &table_mod);
    let alias = table_type_alias(ident);
    let listed = quote_spanned!(ident.span()=> const _: () = ::schema_core::__private::assert_listed::<#ident>(););

    quote! {
        #[derive(::diesel::Queryable, ::diesel::Selectable, ::diesel::Insertable, ::diesel::Identifiable)]
        #[diesel(table_name = #table_mod, primary_key(#(#pk_fields),*), check_for_backend(::diesel::pg::Pg))]
        #item

        ::diesel::table! {
            #(#enum_imports)*
            #schema_ident.#table_mod (#(#pk_fields),*) {
                #(#table_columns)*
            }
        }

        #(#joins)*

        #(#enum_aliases)*

        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis type #alias = #table_mod::table;

        impl ::schema_core::__private::Table for #ident {
            const DESCRIPTOR: &'static ::schema_core::__private::TableDescriptor =
                &::schema_core::__private::TableDescriptor {
                    rust_name: #rust_name,
                    schema: #schema,
                    name: #name,
                    columns: &[#(#column_descriptors),*],
                    primary_key: #primary_key,
                    foreign_keys: &[#(#foreign_keys),*],
                    uniques: &[#(#uniques),*],
                    indexes: &[#(#indexes),*],
                    checks: &[#(#checks),*],
                    comment: #comment,
                    partitioning: #partitioning,
                    row_security: #row_security,
                    updated_at_trigger: #updated_at_trigger,
                    append_only_trigger: #append_only_trigger,
                    kind: ::schema_core::__private::TableKind::#kind,
                    tenant_updates: &[#(#tenant_updates),*],
                    renamed_from: #renamed_from,
                    sequences: &[#(#sequences),*],
                };
        }

        #tenant_root
        #(#reference_checks)*
        #(#enum_defaults)*
        #soft_delete

        #listed
    }
}

/// For a soft-delete table (one with `deleted_at`): `live()` (the usual read), `deleted()`,
/// `with_deleted()` (reading deleted rows is explicit), and `soft_delete` / `restore` by key,
/// which are UPDATEs of `deleted_at`.
fn soft_delete_scopes(item: &syn::ItemStruct, m: &Model, table_mod: &Ident) -> TokenStream {
    if !m.columns.iter().any(|c| c.name == "deleted_at") {
        return TokenStream::new();
    }
    let ident = &m.ident;
    let vis = &item.vis;
    let syn::Fields::Named(fields) = &item.fields else {
        return TokenStream::new();
    };
    let mut key_types = Vec::new();
    for column in &m.primary_key.1 {
        match fields.named.iter().find(|f| {
            f.ident
                .as_ref()
                .is_some_and(|i| i.to_string().trim_start_matches("r#") == column)
        }) {
            Some(field) => key_types.push(field.ty.clone()),
            None => return TokenStream::new(),
        }
    }
    let key_ty = if key_types.len() == 1 {
        let ty = &key_types[0];
        quote!(#ty)
    } else {
        quote!((#(#key_types),*))
    };
    let live_doc = format!(
        "Live rows of `{}.{}` (`deleted_at IS NULL`): the usual way to read it.",
        m.schema, m.name
    );
    quote! {
        #[allow(dead_code)]
        impl #ident {
            #[doc = #live_doc]
            #vis fn live() -> ::diesel::dsl::Filter<#table_mod::table, ::diesel::dsl::IsNull<#table_mod::deleted_at>> {
                use ::diesel::{ExpressionMethods as _, QueryDsl as _};
                #table_mod::table.filter(#table_mod::deleted_at.is_null())
            }

            /// Soft-deleted rows only.
            #vis fn deleted() -> ::diesel::dsl::Filter<#table_mod::table, ::diesel::dsl::IsNotNull<#table_mod::deleted_at>> {
                use ::diesel::{ExpressionMethods as _, QueryDsl as _};
                #table_mod::table.filter(#table_mod::deleted_at.is_not_null())
            }

            /// Every row, live or soft-deleted.
            #vis fn with_deleted() -> #table_mod::table {
                #table_mod::table
            }

            /// Soft-deletes the row with this key (`UPDATE ... SET deleted_at = now()` if it is
            /// live); returns how many rows changed (0 or 1).
            #vis fn soft_delete(
                conn: &mut ::diesel::PgConnection,
                key: #key_ty,
            ) -> ::diesel::QueryResult<usize> {
                use ::diesel::{ExpressionMethods as _, QueryDsl as _, RunQueryDsl as _};
                ::diesel::update(#table_mod::table.find(key).filter(#table_mod::deleted_at.is_null()))
                    .set(#table_mod::deleted_at.eq(::diesel::dsl::sql::<::diesel::sql_types::Nullable<::diesel::sql_types::Timestamptz>>("now()")))
                    .execute(conn)
            }

            /// Brings a soft-deleted row back; returns how many rows changed (0 or 1).
            #vis fn restore(
                conn: &mut ::diesel::PgConnection,
                key: #key_ty,
            ) -> ::diesel::QueryResult<usize> {
                use ::diesel::{ExpressionMethods as _, QueryDsl as _, RunQueryDsl as _};
                ::diesel::update(#table_mod::table.find(key).filter(#table_mod::deleted_at.is_not_null()))
                    .set(#table_mod::deleted_at.eq(::diesel::dsl::sql::<::diesel::sql_types::Nullable<::diesel::sql_types::Timestamptz>>("NULL")))
                    .execute(conn)
            }
        }
    }
}
