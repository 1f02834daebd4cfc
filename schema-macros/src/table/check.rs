//! The rules a declaration must follow that are not one attribute's syntax (that is `attr`'s)
//! and not the platform's conventions (those are `crate::conventions`, which [`Conventions`]
//! applies). One `check_*` per rule, each opening with the rule; grouped like `tests/ui/`:
//! names, column options, keys, constraints.

use super::model::{Context, ForeignKeyModel, IndexModel};
use crate::attr::{ColumnAttrs, ColumnList, ForeignKeySpec, IdentityKind, MonthlySpec};
use crate::conventions::{self, Kind};
use crate::ctxt::Ctxt;
use crate::names::{check_derived_length, check_identifier};
use crate::types::{FieldType, RustType};
use proc_macro2::Span;
use syn::{Ident, LitStr};

// ---- names (tests/ui/names, tests/ui/hostile) ----

/// The schema is a name PostgreSQL accepts and Rust can name a module after; so is the table,
/// and a bad table name suppresses the length errors of the names derived from it.
pub fn check_table_names(cx: &Ctxt, schema: Option<&LitStr>, name: Option<&LitStr>) {
    if let Some(s) = schema {
        crate::names::check_schema_name(cx, s.span(), &s.value());
    }
    if let Some(n) = name {
        if !check_identifier(cx, n.span(), "table name", &n.value()) {
            cx.bad_table_name.set(true);
        }
        crate::names::check_rust_item_name(cx, n.span(), "table name", &n.value());
    }
}

/// A column is a snake_case name that clashes neither with its table's Diesel module nor with
/// the items Diesel's `table!` generates beside the columns.
pub fn check_column_name(cx: &Ctxt, ident: &Ident, column_name: &str, table_name: &str) {
    check_identifier(cx, ident.span(), "column name", column_name);
    if column_name == table_name {
        cx.error_spanned_by(
            ident,
            format!("a column named like its table (`{column_name}`) would clash with the table's Diesel module `{column_name}`\nhelp: name the field otherwise, e.g. `{column_name}_value`"),
        );
    } else if crate::names::DIESEL_ITEMS.contains(&column_name) {
        cx.error_spanned_by(
            ident,
            format!("a column named `{column_name}` would clash with the `{column_name}` Diesel's `table!` generates in the table's module\nhelp: name the field otherwise, e.g. `{column_name}_name`; the columns Diesel cannot name are {}", crate::names::DIESEL_ITEMS.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
        );
    }
}

/// PostgreSQL names an identity or serial column's sequence `<table>_<column>_seq`; it must
/// fit 63 bytes (`schema!` keeps other relations from taking the name).
pub fn check_identity_sequence_names(t: &Context) {
    for c in t.columns.iter().filter(|c| c.identity.is_some()) {
        check_derived_length(
            t.cx,
            c.field.span(),
            "the identity sequence name",
            &format!("{}_{}_seq", t.table_name, c.name),
        );
    }
}

// ---- column options (tests/ui/table, tests/ui/vocabulary) ----

/// `varchar`, `numeric(p, s)` and `cidr` refine one Rust type each.
pub fn check_type_options(cx: &Ctxt, attrs: &ColumnAttrs, ty: &FieldType) {
    if let Some(varchar) = &attrs.varchar {
        if ty.element() != Some(RustType::String) {
            cx.error_spanned_by(
                varchar,
                "`varchar` applies to `String` (or `Vec<String>`) columns only",
            );
        }
    }
    if let Some((_, _, span)) = &attrs.numeric {
        if ty.element() != Some(RustType::BigDecimal) {
            cx.syn_error(syn::Error::new(
                *span,
                "`numeric(precision, scale)` applies to `BigDecimal` (or `Vec<BigDecimal>`) columns only",
            ));
        }
    }
    if let Some(span) = attrs.cidr {
        if ty.element() != Some(RustType::IpNetwork) {
            cx.syn_error(syn::Error::new(
                span,
                "`cidr` applies to `IpNetwork` (or `Vec<IpNetwork>`) columns only",
            ));
        }
    }
}

/// A column's value comes from one place: its sequence (`identity`, `serial`, on a
/// non-optional integer), its `generated` expression, or its `default`.
pub fn check_value_sources(cx: &Ctxt, attrs: &ColumnAttrs, ty: &FieldType) {
    if let Some((kind, span)) = attrs.identity {
        let word = if kind == IdentityKind::Serial {
            "serial"
        } else {
            "identity"
        };
        if !ty.known().is_some_and(RustType::is_integer) || ty.nullable {
            cx.syn_error(syn::Error::new(
                span,
                format!("`{word}` applies to `i16`, `i32` or `i64` columns that are not `Option`"),
            ));
        }
        if let Some(default) = &attrs.default {
            cx.error_spanned_by(default, format!("conflicting `default` and `{word}`: the column's values come from its sequence"));
        }
    }
    if let Some(generated) = &attrs.generated {
        if attrs.default.is_some() || attrs.identity.is_some() {
            cx.error_spanned_by(generated, "a `generated` column computes its value; it cannot also have `default`, `identity` or `serial`");
        }
    }
}

// ---- keys and constraints (tests/ui/table, tests/ui/hostile) ----

/// PostgreSQL makes key columns NOT NULL: a key field is not an `Option`.
pub fn check_key_not_nullable(t: &Context, key: &[Ident]) {
    for ident in key {
        if let Some(c) = t.column_of(ident) {
            if c.ty.nullable {
                t.cx.error_spanned_by(ident, format!("primary key column `{}` cannot be `Option`: PostgreSQL makes key columns NOT NULL", c.name));
            }
        }
    }
}

/// PostgreSQL has unique indexes of the `btree` method only.
pub fn check_unique_index_methods(cx: &Ctxt, methods: &[(Option<(String, Span)>, bool)]) {
    for (method, unique) in methods {
        if let (Some((method, span)), true) = (method, *unique) {
            if method != "btree" {
                cx.syn_error(syn::Error::new(*span, format!("a unique index must use `btree`; PostgreSQL has no unique `{method}` indexes")));
            }
        }
    }
}

/// Constraint names are per table: a check or foreign key named like the key, a unique
/// constraint or another one would fail at migrate (`constraint ... already exists`).
pub fn check_constraint_names(
    t: &Context,
    primary_key: &(String, Vec<String>),
    uniques: &[(String, Vec<String>)],
    foreign_keys: &[ForeignKeyModel],
    checks: &[(String, String)],
) {
    let mut names: Vec<(&str, &str)> = vec![(primary_key.0.as_str(), "the primary key")];
    names.extend(
        uniques
            .iter()
            .map(|(n, _)| (n.as_str(), "a unique constraint")),
    );
    names.extend(
        foreign_keys
            .iter()
            .map(|f| (f.name.as_str(), "a foreign key")),
    );
    names.extend(checks.iter().map(|(n, _)| (n.as_str(), "a check")));
    for (i, (name, what)) in names.iter().enumerate() {
        if let Some((_, first)) = names[..i].iter().find(|(n, _)| n == name) {
            t.cx.error_spanned_by(
                &t.item.ident,
                format!("constraint name `{name}` is used twice on table `{}`: by {first} and by {what}\nhelp: give one of them another `name = \"...\"`", t.table_name),
            );
        }
    }
}

// ---- the platform's conventions (tests/ui/conventions) ----

/// The inputs of the conventions that need the resolved keys.
pub struct Conventions<'a> {
    pub kind: Option<Kind>,
    pub uniques: &'a [(String, Vec<String>)],
    pub unique_specs: &'a [ColumnList],
    pub indexes: &'a [IndexModel],
    pub index_specs: &'a [(ColumnList, bool)],
    pub foreign_keys: &'a [ForeignKeySpec],
    pub untenanted_rows: Option<&'a LitStr>,
    pub append_only: Option<&'a (Span, Option<Ident>)>,
    pub hard_delete: Option<&'a LitStr>,
    pub primary_key: &'a [String],
    pub monthly: Option<&'a MonthlySpec>,
}

impl Conventions<'_> {
    /// Tenant tables carry `account_id` (and keys that include it), only tenant tables do;
    /// referential actions fit the table; `created_at`/`updated_at`; soft deletes through
    /// `deleted_at`; monthly partitions leave room for the months to come.
    pub fn check(&self, t: &Context) {
        let cx = t.cx;
        let unique_keys: Vec<conventions::UniqueKey<'_>> = self
            .uniques
            .iter()
            .zip(self.unique_specs)
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
                self.indexes
                    .iter()
                    .zip(self.index_specs)
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
        let account_id_referenced = self
            .foreign_keys
            .iter()
            .any(|fk| fk.columns.len() == 1 && fk.columns[0] == cx.tenancy.column);
        let columns: Vec<conventions::Column<'_>> = t
            .columns
            .iter()
            .map(|c| conventions::Column {
                name: &c.name,
                field: &c.field,
                ty: &c.ty,
                default: c.default.as_deref(),
                has_reference: c.name == cx.tenancy.column && account_id_referenced,
            })
            .collect();
        if self.kind == Some(Kind::Tenant) {
            conventions::check_tenant_column(cx, &columns, self.untenanted_rows);
            conventions::check_tenant_unique_keys(cx, &unique_keys);
        } else if let Some(reason) = self.untenanted_rows {
            cx.error_spanned_by(reason, "`untenanted_rows` applies to `tenant` tables only");
        }
        conventions::check_account_id_is_tenant(cx, self.kind, &columns);
        let references: Vec<conventions::Reference<'_>> = self
            .foreign_keys
            .iter()
            .map(|fk| conventions::Reference {
                columns: fk
                    .columns
                    .iter()
                    .filter_map(|i| t.column_of(i))
                    .map(|c| (c.name.as_str(), c.ty.nullable))
                    .collect(),
                on_delete: fk.on_delete,
                on_update: fk.on_update,
                span: fk.span,
            })
            .collect();
        conventions::check_referential_actions(cx, self.append_only.is_some(), &references);
        conventions::check_timestamps(cx, &t.item.ident, &columns, self.append_only);
        conventions::check_soft_delete(
            cx,
            &t.item.ident,
            &columns,
            self.append_only.is_some(),
            self.hard_delete,
            self.primary_key,
            &unique_keys,
        );
        if let Some(m) = self.monthly {
            conventions::check_future_partition_names(cx, m.span, t.table_name);
        }
    }
}
