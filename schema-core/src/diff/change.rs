//! The logical changes a diff produces, each with its exact inverse, its display and the data
//! it loses. How the planner carries them out on a live table is [`crate::plan::Step`].

use crate::ir::{
    Check, Column, EnumType, ForeignKey, Index, Partition, Policy, PrimaryKey, QualifiedName, Role,
    RowSecurity, SqlType, Table, TriggerFunction, Unique, View,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A column of an enum type, with what must be set aside while the type is rebuilt:
/// `ALTER COLUMN ... TYPE` cannot re-parse a default, index predicate or CHECK that compares
/// the column with literals of the old type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumUse {
    pub table: QualifiedName,
    pub column: String,
    /// `true` for an array of the enum.
    pub array: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// The table is partitioned: the indexes set aside come back with copies on every
    /// partition, which PostgreSQL names, so the rebuild names them again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partitioned: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// `ALTER TABLE ... RENAME TO` (a table or a partition).
    RenameTable {
        schema: String,
        from: String,
        to: String,
    },
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// A primary key, unique, foreign key or CHECK constraint.
    RenameConstraint {
        table: QualifiedName,
        from: String,
        to: String,
    },
    RenameIndex {
        schema: String,
        from: String,
        to: String,
    },
    RenameTrigger {
        table: QualifiedName,
        from: String,
        to: String,
    },
    RenamePolicy {
        table: QualifiedName,
        partitions: Vec<String>,
        from: String,
        to: String,
    },
    /// An enum type's values change. Added values are `ALTER TYPE ... ADD VALUE` (in their own
    /// migration); anything else rebuilds the type and converts every column using it.
    AlterEnumValues {
        name: QualifiedName,
        from: Vec<String>,
        to: Vec<String>,
        uses: Vec<EnumUse>,
    },
    /// Renames every partition's copy of the table's indexes that PostgreSQL named itself (it
    /// names the copies it creates, truncating long names) to the project's name for it
    /// ([`crate::plan::child_index_name`]). Idempotent; its own inverse.
    NameIndexCopies {
        table: QualifiedName,
    },
    CreateSchema(String),
    DropSchema(String),
    /// `CREATE VIEW … WITH (security_invoker = true)`, its comment.
    CreateView(View),
    DropView(View),
    /// `CREATE EXTENSION IF NOT EXISTS`: a database that has it already (a DBA installed it)
    /// keeps it as it is.
    CreateExtension(String),
    /// `DROP EXTENSION IF EXISTS`, without CASCADE: PostgreSQL refuses while a column, index
    /// or function still uses it, and the migration rolls back.
    DropExtension(String),
    /// Creates a declared role unless the cluster has it (roles are cluster-wide, so another
    /// database may have made it), narrowing an existing one to `NOSUPERUSER NOBYPASSRLS`.
    CreateRole(Role),
    /// A role no longer declared, or the inverse of [`Change::CreateRole`]: other databases of
    /// the cluster may use it, so it is left in place.
    KeepRole(Role),
    /// Creates the table with its columns, primary key and unique constraints. Foreign keys and
    /// indexes are separate changes, so tables can reference each other in any order.
    CreateTable(Table),
    /// Drops a table that no longer has foreign keys or indexes (those are dropped first).
    DropTable(Table),
    AddColumn {
        table: QualifiedName,
        column: Column,
    },
    DropColumn {
        table: QualifiedName,
        column: Column,
    },
    AlterColumn {
        table: QualifiedName,
        from: Column,
        to: Column,
    },
    AddPrimaryKey {
        table: QualifiedName,
        key: PrimaryKey,
    },
    DropPrimaryKey {
        table: QualifiedName,
        key: PrimaryKey,
    },
    AddUnique {
        table: QualifiedName,
        unique: Unique,
    },
    DropUnique {
        table: QualifiedName,
        unique: Unique,
    },
    AddForeignKey {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    DropForeignKey {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    CreateIndex {
        table: QualifiedName,
        index: Index,
    },
    DropIndex {
        table: QualifiedName,
        index: Index,
    },
    CreateEnum(EnumType),
    DropEnum(EnumType),
    /// A schema's trigger function (`set_updated_at()`, `reject_update()`).
    CreateTriggerFunction {
        schema: String,
        function: TriggerFunction,
    },
    DropTriggerFunction {
        schema: String,
        function: TriggerFunction,
    },
    /// `CREATE OR REPLACE FUNCTION` with the body of another revision
    /// ([`TriggerFunction::body`]).
    ReplaceTriggerFunction {
        schema: String,
        function: TriggerFunction,
        from: u32,
        to: u32,
    },
    /// A `BEFORE UPDATE` trigger calling one of those functions.
    CreateTrigger {
        table: QualifiedName,
        trigger: String,
        function: TriggerFunction,
    },
    DropTrigger {
        table: QualifiedName,
        trigger: String,
        function: TriggerFunction,
    },
    AddCheck {
        table: QualifiedName,
        check: Check,
    },
    DropCheck {
        table: QualifiedName,
        check: Check,
    },
    CommentOnTable {
        table: QualifiedName,
        from: Option<String>,
        to: Option<String>,
    },
    CommentOnColumn {
        table: QualifiedName,
        column: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// A partition of an existing partitioned table; with the parent's row-level security
    /// when the parent already has it (a new table's RLS changes cover its partitions).
    CreatePartition {
        table: QualifiedName,
        partition: Partition,
        row_security: Option<RowSecurity>,
    },
    DropPartition {
        table: QualifiedName,
        partition: Partition,
        row_security: Option<RowSecurity>,
    },
    /// `ENABLE` + `FORCE ROW LEVEL SECURITY` on the table and the listed partitions.
    EnableRowSecurity {
        table: QualifiedName,
        partitions: Vec<String>,
    },
    DisableRowSecurity {
        table: QualifiedName,
        partitions: Vec<String>,
    },
    /// A policy on the table and on each listed partition.
    CreatePolicy {
        table: QualifiedName,
        partitions: Vec<String>,
        policy: Policy,
    },
    DropPolicy {
        table: QualifiedName,
        partitions: Vec<String>,
        policy: Policy,
    },
}

impl Change {
    /// The change that undoes this one.
    pub fn inverse(&self) -> Change {
        use Change::*;
        match self.clone() {
            RenameTable { schema, from, to } => RenameTable {
                schema,
                from: to,
                to: from,
            },
            RenameColumn { table, from, to } => RenameColumn {
                table,
                from: to,
                to: from,
            },
            RenameConstraint { table, from, to } => RenameConstraint {
                table,
                from: to,
                to: from,
            },
            RenameIndex { schema, from, to } => RenameIndex {
                schema,
                from: to,
                to: from,
            },
            RenameTrigger { table, from, to } => RenameTrigger {
                table,
                from: to,
                to: from,
            },
            RenamePolicy {
                table,
                partitions,
                from,
                to,
            } => RenamePolicy {
                table,
                partitions,
                from: to,
                to: from,
            },
            AlterEnumValues {
                name,
                from,
                to,
                uses,
            } => AlterEnumValues {
                name,
                from: to,
                to: from,
                uses,
            },
            NameIndexCopies { table } => NameIndexCopies { table },
            CreateSchema(s) => DropSchema(s),
            DropSchema(s) => CreateSchema(s),
            CreateView(v) => DropView(v),
            DropView(v) => CreateView(v),
            CreateExtension(e) => DropExtension(e),
            DropExtension(e) => CreateExtension(e),
            CreateRole(r) => KeepRole(r),
            KeepRole(r) => CreateRole(r),
            CreateTable(t) => DropTable(t),
            DropTable(t) => CreateTable(t),
            AddColumn { table, column } => DropColumn { table, column },
            DropColumn { table, column } => AddColumn { table, column },
            AlterColumn { table, from, to } => AlterColumn {
                table,
                from: to,
                to: from,
            },
            AddPrimaryKey { table, key } => DropPrimaryKey { table, key },
            DropPrimaryKey { table, key } => AddPrimaryKey { table, key },
            AddUnique { table, unique } => DropUnique { table, unique },
            DropUnique { table, unique } => AddUnique { table, unique },
            AddForeignKey { table, foreign_key } => DropForeignKey { table, foreign_key },
            DropForeignKey { table, foreign_key } => AddForeignKey { table, foreign_key },
            CreateIndex { table, index } => DropIndex { table, index },
            DropIndex { table, index } => CreateIndex { table, index },
            CreateEnum(e) => DropEnum(e),
            DropEnum(e) => CreateEnum(e),
            CreateTriggerFunction { schema, function } => DropTriggerFunction { schema, function },
            DropTriggerFunction { schema, function } => CreateTriggerFunction { schema, function },
            ReplaceTriggerFunction {
                schema,
                function,
                from,
                to,
            } => ReplaceTriggerFunction {
                schema,
                function,
                from: to,
                to: from,
            },
            CreateTrigger {
                table,
                trigger,
                function,
            } => DropTrigger {
                table,
                trigger,
                function,
            },
            DropTrigger {
                table,
                trigger,
                function,
            } => CreateTrigger {
                table,
                trigger,
                function,
            },
            AddCheck { table, check } => DropCheck { table, check },
            DropCheck { table, check } => AddCheck { table, check },
            CommentOnTable { table, from, to } => CommentOnTable {
                table,
                from: to,
                to: from,
            },
            CommentOnColumn {
                table,
                column,
                from,
                to,
            } => CommentOnColumn {
                table,
                column,
                from: to,
                to: from,
            },
            CreatePartition {
                table,
                partition,
                row_security,
            } => DropPartition {
                table,
                partition,
                row_security,
            },
            DropPartition {
                table,
                partition,
                row_security,
            } => CreatePartition {
                table,
                partition,
                row_security,
            },
            EnableRowSecurity { table, partitions } => DisableRowSecurity { table, partitions },
            DisableRowSecurity { table, partitions } => EnableRowSecurity { table, partitions },
            CreatePolicy {
                table,
                partitions,
                policy,
            } => DropPolicy {
                table,
                partitions,
                policy,
            },
            DropPolicy {
                table,
                partitions,
                policy,
            } => CreatePolicy {
                table,
                partitions,
                policy,
            },
        }
    }

    /// Why applying this change loses data that its down cannot bring back, if it does.
    pub fn data_loss(&self) -> Option<String> {
        match self {
            Change::DropTable(t) => Some(format!(
                "drops table `{}` and every row in it",
                t.qualified_name()
            )),
            Change::DropColumn { table, column } if column.generated.is_none() => Some(format!(
                "drops column `{}` of `{table}` and its values",
                column.name
            )),
            Change::DropPartition {
                table, partition, ..
            } => Some(format!(
                "drops partition `{}` of `{table}` and every row in it",
                partition.name
            )),
            Change::AlterColumn { table, from, to }
                if from.sql_type != to.sql_type && !widens(&from.sql_type, &to.sql_type) =>
            {
                Some(format!(
                    "changes the type of `{table}.{}` from {} to {}, which does not hold every value of the old type; values that do not convert make the migration fail, and converting back may not restore them",
                    to.name, from.sql_type, to.sql_type
                ))
            }
            Change::AlterEnumValues { name, from, to, .. } => {
                let removed: Vec<&String> = from.iter().filter(|v| !to.contains(v)).collect();
                (!removed.is_empty()).then(|| {
                    format!(
                        "removes value(s) {} from enum `{name}`; rows holding them make the migration fail",
                        removed
                            .iter()
                            .map(|v| format!("'{v}'"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
            }
            _ => None,
        }
    }
}

/// Whether every value of `from` is a value of `to`, so the type change loses nothing.
pub fn widens(from: &SqlType, to: &SqlType) -> bool {
    use SqlType::*;
    match (from, to) {
        (SmallInt, Integer | BigInt) | (Integer, BigInt) | (Real, DoublePrecision) => true,
        (Varchar(_), Text) | (Cidr, Inet) | (NumericPs(..), Numeric) => true,
        (Varchar(n), Varchar(m)) => m >= n,
        (NumericPs(p, s), NumericPs(p2, s2)) => s2 >= s && p2 - s2 >= p - s,
        (Array(a), Array(b)) => a == b || widens(a, b),
        _ => false,
    }
}

/// Whether PostgreSQL rewrites the table (under its ACCESS EXCLUSIVE lock) to change a
/// column's type: everything but the binary-compatible widenings does.
pub fn rewrites_table(from: &SqlType, to: &SqlType) -> bool {
    use SqlType::*;
    match (from, to) {
        (Varchar(_), Text) | (Cidr, Inet) | (NumericPs(..), Numeric) => false,
        (Varchar(n), Varchar(m)) => m < n,
        (NumericPs(p, s), NumericPs(p2, s2)) => !(s == s2 && p2 >= p),
        (Array(a), Array(b)) => a != b && rewrites_table(a, b),
        _ => from != to,
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::RenameTable { schema, from, to } => {
                write!(f, "rename table `{schema}.{from}` to `{to}`")
            }
            Change::RenameColumn { table, from, to } => {
                write!(f, "rename column `{table}.{from}` to `{to}`")
            }
            Change::RenameConstraint { table, from, to } => {
                write!(f, "rename constraint `{from}` on `{table}` to `{to}`")
            }
            Change::RenameIndex { schema, from, to } => {
                write!(f, "rename index `{schema}.{from}` to `{to}`")
            }
            Change::RenameTrigger { table, from, to } => {
                write!(f, "rename trigger `{from}` on `{table}` to `{to}`")
            }
            Change::RenamePolicy {
                table, from, to, ..
            } => write!(f, "rename policy `{from}` on `{table}` to `{to}`"),
            Change::AlterEnumValues { name, from, to, .. } => {
                let added: Vec<&String> = to.iter().filter(|v| !from.contains(v)).collect();
                let removed: Vec<&String> = from.iter().filter(|v| !to.contains(v)).collect();
                write!(f, "enum type `{name}`:")?;
                if !added.is_empty() {
                    write!(f, " add value(s) {added:?}")?;
                }
                if !removed.is_empty() {
                    write!(f, " remove value(s) {removed:?}")?;
                }
                Ok(())
            }
            Change::NameIndexCopies { table } => {
                write!(f, "name the partitions' index copies of `{table}`")
            }
            Change::CreateSchema(s) => write!(f, "create schema `{s}`"),
            Change::CreateExtension(e) => write!(f, "create extension `{e}`"),
            Change::CreateView(v) => write!(f, "create view `{}`", v.qualified_name()),
            Change::DropView(v) => write!(f, "drop view `{}`", v.qualified_name()),
            Change::DropExtension(e) => write!(f, "drop extension `{e}`"),
            Change::CreateRole(r) => write!(f, "create role `{}` ({})", r.name, r.kind.word()),
            Change::KeepRole(r) => write!(
                f,
                "leave role `{}` in place (roles are cluster-wide)",
                r.name
            ),
            Change::DropSchema(s) => write!(f, "drop schema `{s}`"),
            Change::CreateTable(t) => write!(f, "create table `{}`", t.qualified_name()),
            Change::DropTable(t) => write!(f, "drop table `{}`", t.qualified_name()),
            Change::AddColumn { table, column } => {
                write!(
                    f,
                    "add column `{table}.{}` {}",
                    column.name, column.sql_type
                )
            }
            Change::DropColumn { table, column } => {
                write!(f, "drop column `{table}.{}`", column.name)
            }
            Change::AlterColumn { table, from, to } => {
                write!(f, "alter column `{table}.{}`:", to.name)?;
                if from.sql_type != to.sql_type {
                    write!(f, " type {} -> {}", from.sql_type, to.sql_type)?;
                }
                if from.nullable != to.nullable {
                    let word = |n| if n { "NULL" } else { "NOT NULL" };
                    write!(f, " {} -> {}", word(from.nullable), word(to.nullable))?;
                }
                if from.default != to.default {
                    let d = |d: &Option<String>| d.clone().unwrap_or_else(|| "no default".into());
                    write!(f, " default {} -> {}", d(&from.default), d(&to.default))?;
                }
                if from.identity != to.identity {
                    write!(f, " identity {:?} -> {:?}", from.identity, to.identity)?;
                }
                Ok(())
            }
            Change::AddPrimaryKey { table, key } => {
                write!(f, "add primary key `{}` on `{table}`", key.name)
            }
            Change::DropPrimaryKey { table, key } => {
                write!(f, "drop primary key `{}` on `{table}`", key.name)
            }
            Change::AddUnique { table, unique } => {
                write!(f, "add unique constraint `{}` on `{table}`", unique.name)
            }
            Change::DropUnique { table, unique } => {
                write!(f, "drop unique constraint `{}` on `{table}`", unique.name)
            }
            Change::AddForeignKey { table, foreign_key } => write!(
                f,
                "add foreign key `{}` on `{table}` -> `{}`",
                foreign_key.name, foreign_key.references
            ),
            Change::DropForeignKey { table, foreign_key } => {
                write!(f, "drop foreign key `{}` on `{table}`", foreign_key.name)
            }
            Change::CreateIndex { table, index } => {
                write!(f, "create index `{}` on `{table}`", index.name)
            }
            Change::DropIndex { table, index } => {
                write!(f, "drop index `{}` on `{table}`", index.name)
            }
            Change::CreateEnum(e) => write!(f, "create enum type `{}`", e.qualified_name()),
            Change::DropEnum(e) => write!(f, "drop enum type `{}`", e.qualified_name()),
            Change::CreateTriggerFunction { schema, function } => {
                write!(f, "create function `{schema}.{}()`", function.name())
            }
            Change::DropTriggerFunction { schema, function } => {
                write!(f, "drop function `{schema}.{}()`", function.name())
            }
            Change::ReplaceTriggerFunction {
                schema,
                function,
                from,
                to,
            } => write!(
                f,
                "replace the body of function `{schema}.{}()` (revision {from} -> {to})",
                function.name()
            ),
            Change::CreateTrigger { table, trigger, .. } => {
                write!(f, "create trigger `{trigger}` on `{table}`")
            }
            Change::DropTrigger { table, trigger, .. } => {
                write!(f, "drop trigger `{trigger}` on `{table}`")
            }
            Change::AddCheck { table, check } => {
                write!(f, "add check constraint `{}` on `{table}`", check.name)
            }
            Change::DropCheck { table, check } => {
                write!(f, "drop check constraint `{}` on `{table}`", check.name)
            }
            Change::CommentOnTable { table, .. } => write!(f, "comment on table `{table}`"),
            Change::CommentOnColumn { table, column, .. } => {
                write!(f, "comment on column `{table}.{column}`")
            }
            Change::CreatePartition {
                table, partition, ..
            } => write!(f, "create partition `{}` of `{table}`", partition.name),
            Change::DropPartition {
                table, partition, ..
            } => write!(f, "drop partition `{}` of `{table}`", partition.name),
            Change::EnableRowSecurity { table, .. } => {
                write!(f, "enable row-level security on `{table}`")
            }
            Change::DisableRowSecurity { table, .. } => {
                write!(f, "disable row-level security on `{table}`")
            }
            Change::CreatePolicy { table, policy, .. } => {
                write!(f, "create policy `{}` on `{table}`", policy.name)
            }
            Change::DropPolicy { table, policy, .. } => {
                write!(f, "drop policy `{}` on `{table}`", policy.name)
            }
        }
    }
}
