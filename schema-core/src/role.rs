//! The role model: which declared role may do what with which table, as SQL and as drift.
//!
//! Every declared role is `NOLOGIN NOSUPERUSER NOBYPASSRLS`, owns nothing and is a member of
//! no role, so row-level security and these grants are all it has. Services log in as its
//! members (`CREATE ROLE svc LOGIN PASSWORD '…' IN ROLE platform_app`). What each kind gets:
//!
//! - **app**: on tenant tables, `SELECT, INSERT, UPDATE, DELETE` (append-only: `SELECT, INSERT`),
//!   filtered by the tenant policy; on the tenant root, its own row (`SELECT`, and `UPDATE` of
//!   the root's `tenant_updates` columns); `SELECT` on global reference data. Never a
//!   `#[column(secret)]` column: its `SELECT` is then granted column by column.
//! - **identity**, **provisioning**: what the policies naming them allow (the tenant root's
//!   generated policy gives provisioning every command on it), plus `SELECT` on reference data
//!   for provisioning.
//! - **monitor**: `SELECT` on reference data; no tenant row.
//!
//! No role gets `TRUNCATE`, `REFERENCES` or `TRIGGER`, nor anything on partitions, which are
//! reached through their parent only. The migrations create the roles (policies name them);
//! [`roles_sql`] grants, and `live::roles::drift` compares a database with these grants.

use crate::ir::{PolicyCommand, QualifiedName, RoleKind, Schema, Table, TableKind};
use crate::render::{quote_ident, quote_literal, quote_qualified};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// A table privilege a declared role may hold. `TRUNCATE`, `REFERENCES` and `TRIGGER` are
/// never granted: they bypass row-level security or reach into the owner's rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Privilege {
    Select,
    Insert,
    Update,
    Delete,
}

impl Privilege {
    pub fn to_sql(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
        }
    }

    fn of_command(command: PolicyCommand) -> &'static [Privilege] {
        use Privilege::*;
        match command {
            PolicyCommand::All => &[Select, Insert, Update, Delete],
            PolicyCommand::Select => &[Select],
            PolicyCommand::Insert => &[Insert],
            PolicyCommand::Update => &[Update],
            PolicyCommand::Delete => &[Delete],
        }
    }
}

/// One privilege of one role on a table, or on one column of it (`column: Some`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grant {
    pub table: QualifiedName,
    pub role: String,
    pub privilege: Privilege,
    pub column: Option<String>,
}

impl std::fmt::Display for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            None => write!(f, "{} on `{}`", self.privilege.to_sql(), self.table),
            Some(c) => write!(f, "{} ({c}) on `{}`", self.privilege.to_sql(), self.table),
        }
    }
}

/// Every grant the declarations give their roles, sorted. A role holding a privilege on the
/// whole table has no column grant of it.
pub fn grants(schema: &Schema) -> BTreeSet<Grant> {
    let mut grants = BTreeSet::new();
    for table in &schema.tables {
        grants.extend(table_grants(schema, table));
    }
    // A view is read by the roles it names; `security_invoker` holds them to their own
    // privileges and row-level security on the tables it reads.
    for view in &schema.views {
        for kind in &view.read_by {
            if let Some(role) = schema.role(*kind) {
                grants.insert(Grant {
                    table: view.qualified_name(),
                    role: role.to_string(),
                    privilege: Privilege::Select,
                    column: None,
                });
            }
        }
    }
    grants
}

fn table_grants(schema: &Schema, table: &Table) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    let append_only = table.append_only_trigger.is_some();
    let secret = &table.access.secret_columns;
    let mut add = |role: &str, privilege: Privilege, columns: Option<Vec<&str>>| {
        if append_only && matches!(privilege, Privilege::Update | Privilege::Delete) {
            return;
        }
        let grant = |column: Option<&str>| Grant {
            table: table.qualified_name(),
            role: role.to_string(),
            privilege,
            column: column.map(str::to_string),
        };
        match columns {
            None => {
                out.retain(|g: &Grant| {
                    !(g.role == role && g.privilege == privilege && g.column.is_some())
                });
                out.insert(grant(None));
            }
            Some(columns) if !out.contains(&grant(None)) => {
                out.extend(columns.into_iter().map(|c| grant(Some(c))));
            }
            Some(_) => {}
        }
    };
    // What the tenant-scoped application role reads: every column but the secrets.
    let readable = || -> Option<Vec<&str>> {
        (!secret.is_empty()).then(|| {
            table
                .columns
                .iter()
                .map(|c| c.name.as_str())
                .filter(|c| !secret.iter().any(|s| s == c))
                .collect()
        })
    };
    match table.access.kind {
        TableKind::Tenant => {
            if let Some(app) = schema.role(RoleKind::App) {
                add(app, Privilege::Select, readable());
                for p in [Privilege::Insert, Privilege::Update, Privilege::Delete] {
                    add(app, p, None);
                }
            }
        }
        TableKind::Global => {
            for kind in [RoleKind::App, RoleKind::Provisioning, RoleKind::Monitor] {
                if let Some(role) = schema.role(kind) {
                    add(role, Privilege::Select, readable());
                }
            }
        }
        TableKind::TenantRoot => {}
    }
    // A policy naming a declared role is that role's path to the table: it gets the policy's
    // commands (the application role still never reads a secret, and changes of the tenant
    // root only in the columns the root lets tenants update).
    let policies = table.row_security.iter().flat_map(|r| &r.policies);
    for policy in policies {
        for name in &policy.roles {
            let Some(kind) = schema
                .roles
                .iter()
                .find(|r| r.name == *name)
                .map(|r| r.kind)
            else {
                continue;
            };
            for &privilege in Privilege::of_command(policy.command) {
                let columns = match (kind, privilege) {
                    (RoleKind::App, Privilege::Select) => readable(),
                    (RoleKind::App, Privilege::Update)
                        if table.access.kind == TableKind::TenantRoot =>
                    {
                        if table.access.tenant_updates.is_empty() {
                            continue;
                        }
                        Some(
                            table
                                .access
                                .tenant_updates
                                .iter()
                                .map(String::as_str)
                                .collect(),
                        )
                    }
                    _ => None,
                };
                add(name, privilege, columns);
            }
        }
    }
    out
}

/// The serial columns' sequences a role draws from: `(table, column, role)` for each serial
/// column of a table the role may insert into. (Identity columns need no sequence privilege.)
pub(crate) fn serial_sequences(
    schema: &Schema,
    grants: &BTreeSet<Grant>,
) -> Vec<(QualifiedName, String, String)> {
    let mut out = Vec::new();
    for g in grants.iter().filter(|g| g.privilege == Privilege::Insert) {
        let Some(table) = schema.table(&g.table) else {
            continue;
        };
        for c in &table.columns {
            if c.identity == Some(crate::ir::Identity::Serial) {
                out.push((g.table.clone(), c.name.clone(), g.role.clone()));
            }
        }
    }
    out
}

/// The key of the advisory lock that serializes runs of the role SQL.
const ROLE_LOCK: i64 = 0x7363_6865_6d61_726f; // "schemaro"

/// The DO block that creates role `name` unless the cluster has it (`NOLOGIN NOSUPERUSER
/// NOBYPASSRLS NOCREATEDB NOCREATEROLE`), and narrows an existing one that lost those. Safe
/// from concurrent sessions: a role created meanwhile is absorbed, and an existing role's
/// catalog row is written only when it needs narrowing.
pub fn create_role_sql(name: &str) -> String {
    let r = quote_ident(name);
    let literal = quote_literal(name);
    format!(
        "DO $role$\nBEGIN\n    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {literal}) THEN\n        \
         BEGIN\n            \
         CREATE ROLE {r} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;\n        \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN\n            \
         NULL; -- created meanwhile by a concurrent run\n        \
         END;\n    \
         END IF;\n    \
         IF EXISTS (SELECT FROM pg_roles WHERE rolname = {literal}\n               \
         AND (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication)) THEN\n        \
         ALTER ROLE {r} NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOREPLICATION;\n    \
         END IF;\nEND\n$role$;"
    )
}

/// The SQL that creates every declared role and sets its privileges to exactly the declared
/// ones: in one transaction, behind an advisory lock so concurrent deploy jobs queue instead
/// of racing; everything a declared role (or `PUBLIC`) held on the declared schemas' tables
/// and sequences is revoked first, so a grant added by hand does not survive a run. Run it as
/// the role that ran the migrations (it owns the tables), after them.
pub fn roles_sql(schema: &Schema) -> String {
    let mut sql = String::from(
        "-- The declared roles and their privileges; generated by `cargo schema role`.\n\
         -- Run after the migrations, as the role that ran them. Idempotent.\n\
         BEGIN;\n",
    );
    if schema.roles.is_empty() {
        sql.push_str("-- The declarations declare no roles.\nCOMMIT;\n");
        return sql;
    }
    let _ = writeln!(sql, "SELECT pg_advisory_xact_lock({ROLE_LOCK});");
    for role in &schema.roles {
        let _ = writeln!(sql, "{}", create_role_sql(&role.name));
    }
    let namespaces: Vec<String> = schema.namespaces().into_iter().map(quote_ident).collect();
    let namespaces = namespaces.join(", ");
    let roles: Vec<String> = schema.roles.iter().map(|r| quote_ident(&r.name)).collect();
    let roles = roles.join(", ");
    let _ = writeln!(sql, "REVOKE ALL ON SCHEMA {namespaces} FROM {roles};");
    let _ = writeln!(
        sql,
        "REVOKE ALL ON ALL TABLES IN SCHEMA {namespaces} FROM {roles}, PUBLIC;"
    );
    let _ = writeln!(
        sql,
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA {namespaces} FROM {roles}, PUBLIC;"
    );
    let grants = grants(schema);
    let mut usage: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for g in &grants {
        usage.entry(&g.role).or_default().insert(&g.table.schema);
    }
    for (role, namespaces) in &usage {
        let namespaces: Vec<String> = namespaces.iter().map(|n| quote_ident(n)).collect();
        let _ = writeln!(
            sql,
            "GRANT USAGE ON SCHEMA {} TO {};",
            namespaces.join(", "),
            quote_ident(role)
        );
    }
    // One statement per (table, role, privilege): column grants of it listed together.
    let mut statements: BTreeMap<(&QualifiedName, &str, Privilege), Vec<&str>> = BTreeMap::new();
    for g in &grants {
        let columns = statements
            .entry((&g.table, &g.role, g.privilege))
            .or_default();
        if let Some(c) = &g.column {
            columns.push(c);
        }
    }
    for ((table, role, privilege), columns) in statements {
        let columns = if columns.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
            format!(" ({})", quoted.join(", "))
        };
        let _ = writeln!(
            sql,
            "GRANT {}{columns} ON TABLE {} TO {};",
            privilege.to_sql(),
            quote_qualified(table),
            quote_ident(role)
        );
    }
    for (table, column, role) in serial_sequences(schema, &grants) {
        // PostgreSQL names a serial column's sequence; ask it rather than guess.
        let _ = writeln!(
            sql,
            "DO $role$ BEGIN EXECUTE format('GRANT USAGE ON SEQUENCE %s TO %I', pg_get_serial_sequence({}, {}), {}); END $role$;",
            quote_literal(&quote_qualified(&table)),
            quote_literal(&column),
            quote_literal(&role)
        );
    }
    sql.push_str("COMMIT;\n");
    sql
}
