//! The platform's conventions, checked on every `#[table]`. One `check_*` per rule; each opens
//! with the rule it enforces. They report to the [`Ctxt`] and never stop the others, so every
//! broken convention of a struct shows in one build.

use crate::attr::Action;
use crate::ctxt::Ctxt;
use crate::names::check_derived_length;
use crate::sql;
use crate::types::{FieldType, RustType};
use proc_macro2::Span;
use syn::{Ident, LitStr};

/// What a table declares itself to be.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Rows belong to one account.
    Tenant,
    /// Shared rows, with a stated reason.
    Global,
    /// The accounts table itself.
    TenantRoot,
}

pub struct Column<'a> {
    pub name: &'a str,
    pub field: &'a Ident,
    pub ty: &'a FieldType,
    pub default: Option<&'a str>,
    pub has_reference: bool,
}

/// A unique constraint or unique index, as declared.
pub struct UniqueKey<'a> {
    pub name: &'a str,
    pub columns: Vec<String>,
    pub predicate: Option<&'a str>,
    pub across_tenants: Option<&'a LitStr>,
    pub all_rows: Option<&'a LitStr>,
    pub is_index: bool,
    pub span: Span,
}

pub fn reason_given(cx: &Ctxt, lit: &LitStr, key: &str) -> bool {
    if lit.value().trim().is_empty() {
        cx.error_spanned_by(
            lit,
            format!("`{key}` needs the reason, in words\nhelp: e.g. {key} = \"...why...\""),
        );
        return false;
    }
    true
}

/// Rule: every table declares what it is — `tenant` (rows belong to one account), `global =
/// "reason"` (shared reference data) or `tenant_root` (the accounts table). There is no
/// default, so forgetting is an error.
pub fn check_table_kind(
    cx: &Ctxt,
    ident: &Ident,
    tenant: Option<Span>,
    global: Option<&LitStr>,
    tenant_root: Option<Span>,
) -> Option<Kind> {
    let declared: Vec<(Kind, Span)> = [
        tenant.map(|s| (Kind::Tenant, s)),
        global.map(|g| (Kind::Global, g.span())),
        tenant_root.map(|s| (Kind::TenantRoot, s)),
    ]
    .into_iter()
    .flatten()
    .collect();
    match declared.as_slice() {
        [] => {
            cx.error_spanned_by(
                ident,
                "table does not say what it is: a tenant table or a global one\nhelp: add `tenant` (rows belong to one account, filtered by row-level security) or `global = \"why the rows are shared by every account\"` to #[table(...)]",
            );
            None
        }
        [(kind, _)] => {
            if let Some(g) = global {
                reason_given(cx, g, "global");
            }
            Some(*kind)
        }
        [_, (_, span), ..] => {
            cx.syn_error(syn::Error::new(
                *span,
                "conflicting table kinds: a table is one of `tenant`, `global = \"...\"` or `tenant_root`",
            ));
            Some(declared[0].0)
        }
    }
}

/// Rule: a tenant table has `account_id`, NOT NULL, referencing the tenant root (its type is
/// checked against the root's key by the compiler, see `codegen`). A table some of whose rows
/// belong to no tenant yet (a request before sign-in) says why with `untenanted_rows = "..."`;
/// its `account_id` is then `Option`, and those rows match no tenant's policy.
pub fn check_tenant_column(cx: &Ctxt, columns: &[Column<'_>], untenanted_rows: Option<&LitStr>) {
    let (col, root) = (&cx.tenancy.column, &cx.tenancy.root);
    let Some(account) = columns.iter().find(|c| c.name == *col) else {
        // Reported by the tenant policy's own check.
        return;
    };
    match (account.ty.nullable, untenanted_rows) {
        (true, None) => cx.error_spanned_by(
            account.field,
            format!("a tenant table's `{col}` cannot be `Option`: every row belongs to a tenant\nhelp: declare it `pub {col}: Uuid`, or, if some rows belong to no tenant yet, say why: #[table(tenant, untenanted_rows = \"...\")] (only a policy naming a role reaches them)"),
        ),
        (false, Some(reason)) => cx.error_spanned_by(
            reason,
            format!("`untenanted_rows` is for a tenant table whose `{col}` is `Option`\nhelp: remove it, or declare `pub {col}: Option<Uuid>`"),
        ),
        (true, Some(reason)) => {
            reason_given(cx, reason, "untenanted_rows");
        }
        (false, None) => {}
    }
    if !account.has_reference {
        cx.error_spanned_by(
            account.field,
            format!("a tenant table's `{col}` must be a foreign key to the tenant root\nhelp: #[column(references({root}, on_delete = cascade))]"),
        );
    }
}

/// Rule: a column `account_id` means per-tenant rows, and every per-tenant row is under
/// row-level security: only a `tenant` table may have one. (A global table's rows are read by
/// every tenant; the tenant root's rows are the tenants.)
pub fn check_account_id_is_tenant(cx: &Ctxt, kind: Option<Kind>, columns: &[Column<'_>]) {
    let col = &cx.tenancy.column;
    let Some(account) = columns.iter().find(|c| c.name == *col) else {
        return;
    };
    let what = match kind {
        Some(Kind::Global) => "a `global` table is read by every tenant",
        Some(Kind::TenantRoot) => "the tenant root's rows are the tenants themselves",
        _ => return,
    };
    cx.error_spanned_by(
        account.field,
        format!("`{col}` makes this table hold per-tenant rows, but {what}, outside the tenant policy\nhelp: declare it #[table(tenant, ...)] so row-level security filters it; rows without a tenant yet take `{col}: Option<Uuid>` and `untenanted_rows = \"why\"`, and a cross-tenant reader (sign-in) gets a policy of its own: policy(name = \"...\", command = select, to(identity), using = \"...\")"),
    );
}

/// A foreign key as the referential-action rules see it.
pub struct Reference<'a> {
    /// The referencing columns: name and whether it is nullable.
    pub columns: Vec<(&'a str, bool)>,
    pub on_delete: Action,
    pub on_update: Action,
    pub span: Span,
}

/// Rule: a referential action never does what the referencing table refuses. An append-only
/// table's `reject_update` trigger raises on every UPDATE, so `on_delete = set_null /
/// set_default` and an `on_update` that writes would make the target's rows undeletable (or
/// unchangeable). And `set_null` needs nullable columns: all but `account_id`, which a tenant
/// reference keeps (PostgreSQL 15's `SET NULL (columns)`).
pub fn check_referential_actions(cx: &Ctxt, append_only: bool, references: &[Reference<'_>]) {
    let sets = |a: Action| matches!(a, Action::SetNull | Action::SetDefault);
    for r in references {
        if append_only && (sets(r.on_delete) || sets(r.on_update) || r.on_update == Action::Cascade)
        {
            cx.syn_error(syn::Error::new(
                r.span,
                "this referential action would UPDATE rows of an append-only table, whose trigger rejects every UPDATE: deleting (or changing) the referenced row would then always fail\nhelp: keep the id without a foreign key (a plain column, as audit tables keep ids for retention), or use `on_delete = cascade` / `restrict`",
            ));
            continue;
        }
        if r.on_delete == Action::SetNull {
            let stuck: Vec<&str> = r
                .columns
                .iter()
                .filter(|(name, nullable)| !nullable && *name != cx.tenancy.column)
                .map(|(name, _)| *name)
                .collect();
            if !stuck.is_empty() || r.columns.iter().all(|(_, nullable)| !nullable) {
                let which = if stuck.is_empty() {
                    "the key".to_string()
                } else {
                    format!("`{}`", stuck.join("`, `"))
                };
                cx.syn_error(syn::Error::new(
                    r.span,
                    format!("`on_delete = set_null` needs the referencing column(s) to be `Option`; {which} cannot be NULL, so deleting the referenced row would fail\nhelp: make the field an `Option`, or use `on_delete = cascade` / `restrict`"),
                ));
            }
        }
        if r.on_update == Action::SetNull && r.columns.iter().any(|(_, nullable)| !nullable) {
            cx.syn_error(syn::Error::new(
                r.span,
                "`on_update = set_null` resets every column of the key, and a NOT NULL one cannot be reset (PostgreSQL limits only `ON DELETE` to some columns)\nhelp: use `on_update = cascade`, or no `on_update`",
            ));
        }
    }
}

/// Rule: in a tenant table, unique keys include `account_id` — PostgreSQL checks them across
/// all tenants, so a key without it tells one tenant what another has — unless the key states
/// `across_tenants = "reason"`.
pub fn check_tenant_unique_keys(cx: &Ctxt, keys: &[UniqueKey<'_>]) {
    for key in keys {
        let col = &cx.tenancy.column;
        if key.columns.iter().any(|c| c == col) {
            continue;
        }
        match key.across_tenants {
            Some(reason) => {
                reason_given(cx, reason, "across_tenants");
            }
            None => cx.syn_error(syn::Error::new(
                key.span,
                format!(
                    "unique {} `{}` of a tenant table must include `{col}`: PostgreSQL checks it across every tenant, which leaks what other tenants have\nhelp: add `{col}` as its first column, or state why it spans tenants: `across_tenants = \"...\"`",
                    if key.is_index { "index" } else { "constraint" },
                    key.name
                ),
            )),
        }
    }
}

/// Rule: `created_at` and `updated_at` are `DateTime<Utc>`, NOT NULL, `default = "now()"`.
/// Append-only tables (`append_only`) carry `created_at` or their own event time
/// (`append_only(time = column)`), and neither `updated_at` nor `deleted_at`.
pub fn check_timestamps(
    cx: &Ctxt,
    ident: &Ident,
    columns: &[Column<'_>],
    append_only: Option<&(Span, Option<Ident>)>,
) {
    let find = |name: &str| columns.iter().find(|c| c.name == name);
    let check_type = |c: &Column<'_>, needs_default: bool| {
        if c.ty.known() != Some(RustType::DateTimeUtc) || c.ty.nullable {
            cx.error_spanned_by(
                c.field,
                format!("`{}` must be `DateTime<Utc>` (timestamptz, NOT NULL)\nhelp: `pub {}: chrono::DateTime<chrono::Utc>`", c.name, c.name),
            );
        } else if needs_default
            && !c
                .default
                .is_some_and(|d| d.trim().eq_ignore_ascii_case("now()"))
        {
            cx.error_spanned_by(
                c.field,
                format!(
                    "`{}` must default to the insert time\nhelp: #[column(default = \"now()\")]",
                    c.name
                ),
            );
        }
    };
    match append_only {
        None => {
            for name in ["created_at", "updated_at"] {
                match find(name) {
                    Some(c) => check_type(c, true),
                    None => cx.error_spanned_by(
                        ident,
                        format!("table has no `{name}`\nhelp: add #[column(default = \"now()\")] pub {name}: DateTime<Utc>, or declare the table `append_only` if its rows are never updated"),
                    ),
                }
            }
        }
        Some((span, time)) => {
            match time {
                Some(time) => match find(&time.to_string()) {
                    Some(c) => check_type(c, false),
                    None => cx.error_spanned_by(
                        time,
                        format!("`append_only(time = {time})` names no field of this struct"),
                    ),
                },
                None => match find("created_at") {
                    Some(c) => check_type(c, true),
                    None => cx.syn_error(syn::Error::new(
                        *span,
                        "an append-only table carries `created_at`, or names its own event time\nhelp: add #[column(default = \"now()\")] pub created_at: DateTime<Utc>, or write append_only(time = started_at)",
                    )),
                },
            }
            for name in ["updated_at", "deleted_at"] {
                if let Some(c) = find(name) {
                    cx.error_spanned_by(
                        c.field,
                        format!("an append-only table has no `{name}`: its rows are never updated or soft-deleted\nhelp: remove the field, or drop `append_only` if rows do change"),
                    );
                }
            }
        }
    }
}

/// Rule: mutable tables soft-delete through `deleted_at: Option<DateTime<Utc>>`, unless they
/// state `hard_delete = "reason"`. On a soft-delete table, unique keys cover live rows only:
/// a unique index `where = "deleted_at IS NULL"` (a deleted row must not block its
/// replacement), unless the key contains the primary key or states `all_rows = "reason"`.
pub fn check_soft_delete(
    cx: &Ctxt,
    ident: &Ident,
    columns: &[Column<'_>],
    append_only: bool,
    hard_delete: Option<&LitStr>,
    primary_key: &[String],
    keys: &[UniqueKey<'_>],
) {
    let deleted_at = columns.iter().find(|c| c.name == "deleted_at");
    if let Some(reason) = hard_delete {
        reason_given(cx, reason, "hard_delete");
        if let Some(c) = deleted_at {
            cx.error_spanned_by(
                c.field,
                "conflicting `hard_delete` and a `deleted_at` column: a table either soft-deletes or deletes\nhelp: remove one of them",
            );
        }
        if append_only {
            cx.error_spanned_by(reason, "`hard_delete` is for mutable tables; an append-only table states no delete policy\nhelp: remove `hard_delete`");
        }
        return;
    }
    if append_only {
        return;
    }
    match deleted_at {
        None => cx.error_spanned_by(
            ident,
            "table has no `deleted_at`: mutable tables soft-delete\nhelp: add `pub deleted_at: Option<DateTime<Utc>>`, or state why rows are really deleted: `hard_delete = \"...\"`",
        ),
        Some(c) => {
            if c.ty.known() != Some(RustType::DateTimeUtc) || !c.ty.nullable {
                cx.error_spanned_by(
                    c.field,
                    "`deleted_at` must be `Option<DateTime<Utc>>`: NULL while the row is live\nhelp: `pub deleted_at: Option<chrono::DateTime<chrono::Utc>>`",
                );
            }
            for key in keys {
                let covers_key = primary_key.iter().all(|p| key.columns.contains(p));
                if covers_key {
                    continue;
                }
                if let Some(reason) = key.all_rows {
                    reason_given(cx, reason, "all_rows");
                    continue;
                }
                let live_only = key
                    .predicate
                    .is_some_and(|p| sql::requires_null(p, "deleted_at"));
                if !live_only {
                    let columns = key.columns.join(", ");
                    cx.syn_error(syn::Error::new(
                        key.span,
                        format!(
                            "unique {} `{}` of a soft-delete table must cover live rows only, or a deleted row blocks its replacement\nhelp: #[table(unique_index({columns}, where = \"deleted_at IS NULL\"))], or state why deleted rows count: `all_rows = \"...\"`",
                            if key.is_index { "index" } else { "constraint" },
                            key.name
                        ),
                    ));
                }
            }
        }
    }
}

/// Rule: names that partition maintenance will create later (`<table>_pYYYY_MM`) fit
/// PostgreSQL's 63 bytes too, not only the ones declared today.
pub fn check_future_partition_names(cx: &Ctxt, span: Span, table: &str) {
    check_derived_length(
        cx,
        span,
        "the longest monthly partition name",
        &format!("{table}_p9999_12"),
    );
}
