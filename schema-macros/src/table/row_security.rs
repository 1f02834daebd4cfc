//! Row-level security: `tenant` adds the tenant policy, the tenant root gets its own three,
//! declared policies add theirs.

use super::model::{Context, PolicyModel};
use crate::attr::PolicySpec;
use crate::conventions::Kind;
use crate::names::{check_derived_length, check_identifier, check_length};
use crate::types::{FieldType, RustType};
use proc_macro2::Span;
use schema_rules::{PolicyCommand, RoleKind};
use syn::{Ident, LitStr};

/// The table's attributes that ask for policies.
pub struct Declared<'a> {
    pub tenant: Option<Span>,
    pub row_security: Option<Span>,
    pub policies: &'a [PolicySpec],
    pub tenant_updates: Option<&'a (Vec<Ident>, Span)>,
}

/// The table's policies (`None`: no row-level security) and the tenant root's
/// `tenant_updates` columns.
pub fn policies(
    t: &Context,
    kind: Option<Kind>,
    primary_key: &(String, Vec<String>),
    declared: Declared,
) -> (Option<Vec<PolicyModel>>, Vec<String>) {
    let mut policies: Vec<PolicyModel> = Vec::new();
    if let Some(span) = declared.tenant {
        tenant_policy(t, span, &mut policies);
    }
    let mut tenant_updates = Vec::new();
    if kind == Some(Kind::TenantRoot) {
        tenant_updates =
            tenant_root_policies(t, primary_key, declared.tenant_updates, &mut policies);
    } else if let Some((_, span)) = declared.tenant_updates {
        t.cx.syn_error(syn::Error::new(*span, "`tenant_updates` applies to the tenant root only\nhelp: on a tenant table the application role updates its tenant's rows already"));
    }
    for spec in declared.policies {
        declared_policy(t, spec, &mut policies);
    }
    let row_security = (declared.tenant.is_some()
        || kind == Some(Kind::TenantRoot)
        || declared.row_security.is_some()
        || !policies.is_empty())
    .then_some(policies);
    (row_security, tenant_updates)
}

/// A `tenant` table's policy: its rows are the scoped tenant's, for every command.
fn tenant_policy(t: &Context, span: Span, policies: &mut Vec<PolicyModel>) {
    let cx = t.cx;
    let (col, root) = (&cx.tenancy.column, &cx.tenancy.root);
    match t.columns.iter().find(|c| c.name == *col) {
        Some(c) => match tenant_cast(&c.ty) {
            Some(cast) => {
                let expr = cx.tenancy.predicate(col, cast);
                let name = format!("{}_tenant_isolation", t.table_name);
                check_derived_length(cx, span, "generated policy name", &name);
                policies.push(PolicyModel {
                    name,
                    command: PolicyCommand::All,
                    permissive: true,
                    roles: Vec::new(),
                    role_kinds: Vec::new(),
                    using: Some(expr.clone()),
                    with_check: Some(expr),
                });
            }
            None => cx.syn_error(syn::Error::new(span, format!("`tenant` needs `{col}` to be a `Uuid`, `i64`, `i32` or `String` column"))),
        },
        None => cx.syn_error(syn::Error::new(span, format!("a `tenant` table needs the tenant column `{col}`: the tenant policy filters on it\nhelp: add `pub {col}: Uuid` with #[column(references({root}))]"))),
    }
}

/// The tenant root's rows are the tenants: the application role sees (and, in the columns of
/// `tenant_updates`, changes) its own row only; provisioning creates and deletes them.
fn tenant_root_policies(
    t: &Context,
    primary_key: &(String, Vec<String>),
    tenant_updates_spec: Option<&(Vec<Ident>, Span)>,
    policies: &mut Vec<PolicyModel>,
) -> Vec<String> {
    let cx = t.cx;
    let mut tenant_updates = Vec::new();
    let span = t.item.ident.span();
    let key_cast = match primary_key.1.as_slice() {
        [key] => t
            .columns
            .iter()
            .find(|c| c.name == *key)
            .and_then(|c| tenant_cast(&c.ty))
            .map(|cast| (key.clone(), cast)),
        _ => None,
    };
    let Some((key, cast)) = key_cast else {
        if !primary_key.1.is_empty() {
            cx.error_spanned_by(&t.item.ident, format!("the tenant root needs a one-column `Uuid`, `i64`, `i32` or `String` primary key: tenant tables' `{}` and the tenant policy use it", cx.tenancy.column));
        }
        return tenant_updates;
    };
    let own = cx.tenancy.predicate(&key, cast);
    if let Some((list, _)) = tenant_updates_spec {
        tenant_updates = t.resolve(list, "`tenant_updates`");
        for (column, ident) in tenant_updates.iter().zip(list) {
            if primary_key.1.contains(column) {
                cx.error_spanned_by(
                    ident,
                    "`tenant_updates` cannot list the key: a tenant's id never changes",
                );
            }
        }
    }
    let mut push = |suffix: &str, command, role, using: Option<&str>, with_check: Option<&str>| {
        let name = format!("{}_{suffix}", t.table_name);
        check_derived_length(cx, span, "generated policy name", &name);
        policies.push(PolicyModel {
            name,
            command,
            permissive: true,
            roles: Vec::new(),
            role_kinds: vec![role],
            using: using.map(str::to_string),
            with_check: with_check.map(str::to_string),
        });
    };
    push(
        "tenant_read",
        PolicyCommand::Select,
        RoleKind::App,
        Some(&own),
        None,
    );
    if !tenant_updates.is_empty() {
        push(
            "tenant_update",
            PolicyCommand::Update,
            RoleKind::App,
            Some(&own),
            Some(&own),
        );
    }
    push(
        "provisioning",
        PolicyCommand::All,
        RoleKind::Provisioning,
        Some("true"),
        Some("true"),
    );
    tenant_updates
}

/// A `policy(...)`: its expressions parse (and may use subqueries); a `select` policy writes
/// nothing and an `insert` one has no existing row; names are unique on the table.
fn declared_policy(t: &Context, spec: &PolicySpec, policies: &mut Vec<PolicyModel>) {
    let cx = t.cx;
    check_identifier(cx, spec.name.span(), "policy name", &spec.name.value());
    let parse = |lit: &Option<LitStr>, what: &str| {
        lit.as_ref()
            .and_then(|lit| t.expression(lit, what, true).map(|checked| checked.sql))
    };
    if spec.command == PolicyCommand::Select && spec.with_check.is_some() {
        cx.syn_error(syn::Error::new(
            spec.span,
            "a `select` policy cannot have `with_check`: nothing is written",
        ));
    }
    if spec.command == PolicyCommand::Insert && spec.using.is_some() {
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
        command: spec.command,
        permissive: !spec.restrictive,
        roles: spec.roles.iter().map(LitStr::value).collect(),
        role_kinds: spec.role_kinds.clone(),
        using: parse(&spec.using, "the policy's `using`"),
        with_check: parse(&spec.with_check, "the policy's `with_check`"),
    });
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
