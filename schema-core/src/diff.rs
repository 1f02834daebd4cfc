//! The differ: a pure function from the schema the migrations hold to the declared schema,
//! producing typed changes in dependency order.
//!
//! Every change has an exact inverse ([`Change::inverse`]), which is how down migrations are
//! built: the down of a list of changes is the inverses in reverse order.

use crate::fragment;
use crate::ir::{
    Check, Column, EnumType, ForeignKey, Index, Partition, Policy, PrimaryKey, QualifiedName, Role,
    RowSecurity, Schema, SqlType, Table, TriggerFunction, Unique,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
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

/// A child index of a partitioned index: the partition and the index built on it.
/// How a batched backfill walks its table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batched {
    /// The primary key, whose order the batches follow.
    pub key: Vec<String>,
    /// Rows per batch, each batch its own transaction.
    pub batch_size: u32,
    /// The `NOT VALID` check `column IS NOT NULL` it adds once nearly every row is filled.
    pub check: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildIndex {
    pub partition: String,
    pub index: String,
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
    /// `ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID`: new rows are checked at once, existing
    /// ones by a later [`Change::ValidateConstraint`], which takes a weaker lock.
    AddForeignKeyNotValid {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    AddCheckNotValid {
        table: QualifiedName,
        check: Check,
    },
    /// `VALIDATE CONSTRAINT`; its inverse (`undo`) is nothing: validation changes no data.
    ValidateConstraint {
        table: QualifiedName,
        constraint: String,
        undo: bool,
    },
    /// Fills the NULLs of `column` with `expression` (`DEFAULT` without one). Batched (every
    /// migration written since batching): a `DO` block alone in a migration outside a
    /// transaction, committing batch by batch, that then adds the `NOT VALID` check `column IS
    /// NOT NULL` and fills what was inserted meanwhile (see [`crate::render::backfill_sql`]).
    /// Unbatched (migrations written before): one `UPDATE`. Its inverse (`undo`) keeps the
    /// filled values and drops the check.
    Backfill {
        table: QualifiedName,
        column: String,
        expression: Option<String>,
        undo: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        batched: Option<Batched>,
    },
    /// `SET NOT NULL` once the validated `check` (`column IS NOT NULL`) proves it, so
    /// PostgreSQL skips the scan; then the check goes. The inverse puts the check back
    /// (`NOT VALID`) and drops NOT NULL.
    ColumnNotNull {
        table: QualifiedName,
        column: String,
        check: String,
        set: bool,
    },
    /// `CREATE INDEX CONCURRENTLY`, alone in a migration that runs outside a transaction.
    CreateIndexConcurrently {
        table: QualifiedName,
        index: Index,
    },
    DropIndexConcurrently {
        table: QualifiedName,
        index: Index,
    },
    /// `CREATE INDEX ... ON ONLY` a partitioned table: invalid until every partition's index
    /// is attached.
    CreateIndexOnOnly {
        table: QualifiedName,
        index: Index,
    },
    /// `ALTER INDEX ... ATTACH PARTITION` for every partition's index. PostgreSQL has no
    /// DETACH for indexes, so the inverse drops the partitioned index (and the attached ones)
    /// and puts back the `ON ONLY` index.
    AttachIndex {
        table: QualifiedName,
        index: Index,
        children: Vec<ChildIndex>,
        attach: bool,
    },
    /// Renames every partition's copy of the table's indexes that PostgreSQL named itself (it
    /// names the copies it creates, truncating long names) to the project's name for it
    /// ([`crate::plan::child_index_name`]). Idempotent; its own inverse.
    NameIndexCopies {
        table: QualifiedName,
    },
    /// `ADD CONSTRAINT ... UNIQUE USING INDEX`, over an index built concurrently.
    AddUniqueUsingIndex {
        table: QualifiedName,
        unique: Unique,
    },
    CreateSchema(String),
    DropSchema(String),
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
            AddForeignKeyNotValid { table, foreign_key } => DropForeignKey { table, foreign_key },
            AddCheckNotValid { table, check } => DropCheck { table, check },
            ValidateConstraint {
                table,
                constraint,
                undo,
            } => ValidateConstraint {
                table,
                constraint,
                undo: !undo,
            },
            Backfill {
                table,
                column,
                expression,
                undo,
                batched,
            } => Backfill {
                table,
                column,
                expression,
                undo: !undo,
                batched,
            },
            ColumnNotNull {
                table,
                column,
                check,
                set,
            } => ColumnNotNull {
                table,
                column,
                check,
                set: !set,
            },
            CreateIndexConcurrently { table, index } => DropIndexConcurrently { table, index },
            DropIndexConcurrently { table, index } => CreateIndexConcurrently { table, index },
            CreateIndexOnOnly { table, index } => DropIndex { table, index },
            AttachIndex {
                table,
                index,
                children,
                attach,
            } => AttachIndex {
                table,
                index,
                children,
                attach: !attach,
            },
            AddUniqueUsingIndex { table, unique } => DropUnique { table, unique },
            NameIndexCopies { table } => NameIndexCopies { table },
            CreateSchema(s) => DropSchema(s),
            DropSchema(s) => CreateSchema(s),
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
            Change::AddForeignKeyNotValid { table, foreign_key } => write!(
                f,
                "add foreign key `{}` on `{table}` -> `{}` (NOT VALID)",
                foreign_key.name, foreign_key.references
            ),
            Change::AddCheckNotValid { table, check } => write!(
                f,
                "add check constraint `{}` on `{table}` (NOT VALID)",
                check.name
            ),
            Change::ValidateConstraint {
                table,
                constraint,
                undo: false,
            } => write!(f, "validate constraint `{constraint}` on `{table}`"),
            Change::ValidateConstraint { .. } => write!(f, "nothing to undo for a validation"),
            Change::Backfill {
                table,
                column,
                undo: false,
                ..
            } => write!(f, "backfill NULLs of `{table}.{column}`"),
            Change::Backfill { table, column, .. } => {
                write!(f, "keep the values backfilled into `{table}.{column}`")
            }
            Change::ColumnNotNull {
                table, column, set, ..
            } => write!(
                f,
                "{} NOT NULL on `{table}.{column}`",
                if *set { "set" } else { "drop" }
            ),
            Change::CreateIndexConcurrently { table, index } => {
                write!(f, "create index `{}` on `{table}` concurrently", index.name)
            }
            Change::DropIndexConcurrently { table, index } => {
                write!(f, "drop index `{}` on `{table}` concurrently", index.name)
            }
            Change::CreateIndexOnOnly { table, index } => write!(
                f,
                "create index `{}` on only the partitioned table `{table}`",
                index.name
            ),
            Change::AttachIndex {
                table,
                index,
                children,
                attach,
            } => {
                if *attach {
                    write!(
                        f,
                        "attach {} partition index(es) to `{}` on `{table}`",
                        children.len(),
                        index.name
                    )
                } else {
                    write!(
                        f,
                        "drop partitioned index `{}` on `{table}` with its partitions' indexes",
                        index.name
                    )
                }
            }
            Change::AddUniqueUsingIndex { table, unique } => write!(
                f,
                "add unique constraint `{}` on `{table}` using its index",
                unique.name
            ),
            Change::NameIndexCopies { table } => {
                write!(f, "name the partitions' index copies of `{table}`")
            }
            Change::CreateSchema(s) => write!(f, "create schema `{s}`"),
            Change::CreateRole(r) => write!(f, "create role `{}` ({})", r.name, r.kind.keyword()),
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

/// A difference the differ recognises but cannot turn into a safe migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    pub what: String,
    pub why: String,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.why)
    }
}

/// The changes of one diff, by kind, in the order they are applied.
///
/// Drops of dependent objects come first (policies, triggers, foreign keys, indexes,
/// constraints), then what others depend on is created (schemas, types, functions, tables,
/// partitions, columns), then old objects go, and last come the objects that depend on the new
/// ones (foreign keys, indexes, row-level security, triggers). A down migration is the
/// inverse of every change in reverse order, which keeps the same property.
#[derive(Default)]
struct Plan {
    alter_enums: Vec<Change>,
    rename_tables: Vec<Change>,
    rename_columns: Vec<Change>,
    rename_objects: Vec<Change>,
    drop_triggers: Vec<Change>,
    drop_policies: Vec<Change>,
    disable_rls: Vec<Change>,
    drop_fks: Vec<Change>,
    drop_indexes: Vec<Change>,
    drop_checks: Vec<Change>,
    drop_uniques: Vec<Change>,
    drop_pks: Vec<Change>,
    drop_partitions: Vec<Change>,
    create_schemas: Vec<Change>,
    create_enums: Vec<Change>,
    create_functions: Vec<Change>,
    create_tables: Vec<Change>,
    create_partitions: Vec<Change>,
    add_columns: Vec<Change>,
    alter_columns: Vec<Change>,
    comments: Vec<Change>,
    add_pks: Vec<Change>,
    add_uniques: Vec<Change>,
    add_checks: Vec<Change>,
    drop_columns: Vec<Change>,
    drop_tables: Vec<Change>,
    drop_enums: Vec<Change>,
    drop_functions: Vec<Change>,
    drop_schemas: Vec<Change>,
    add_fks: Vec<Change>,
    create_indexes: Vec<Change>,
    enable_rls: Vec<Change>,
    create_policies: Vec<Change>,
    create_triggers: Vec<Change>,
}

impl Plan {
    fn into_changes(self) -> Vec<Change> {
        [
            self.alter_enums,
            self.rename_tables,
            self.rename_columns,
            self.rename_objects,
            self.drop_triggers,
            self.drop_policies,
            self.disable_rls,
            self.drop_fks,
            self.drop_indexes,
            self.drop_checks,
            self.drop_uniques,
            self.drop_pks,
            self.drop_partitions,
            self.create_schemas,
            self.create_enums,
            self.create_functions,
            self.create_tables,
            self.create_partitions,
            self.add_columns,
            self.alter_columns,
            self.comments,
            self.add_pks,
            self.add_uniques,
            self.add_checks,
            self.drop_columns,
            self.drop_tables,
            self.drop_enums,
            self.drop_functions,
            self.drop_schemas,
            self.add_fks,
            self.create_indexes,
            self.enable_rls,
            self.create_policies,
            self.create_triggers,
        ]
        .concat()
    }

    /// Everything that creates `table` from nothing, as `(bucket, change)` pairs so a dropped
    /// table can use the same list inverted.
    fn table_changes(table: &Table) -> Vec<(Bucket, Change)> {
        let name = table.qualified_name();
        let partitions: Vec<String> = table.partitions().map(|p| p.name.clone()).collect();
        let mut changes = vec![(
            Bucket::Tables,
            Change::CreateTable(Table {
                foreign_keys: Vec::new(),
                indexes: Vec::new(),
                row_security: None,
                updated_at_trigger: None,
                append_only_trigger: None,
                ..table.clone()
            }),
        )];
        for partition in table.partitions() {
            changes.push((
                Bucket::Partitions,
                Change::CreatePartition {
                    table: name.clone(),
                    partition: partition.clone(),
                    row_security: None,
                },
            ));
        }
        for fk in &table.foreign_keys {
            changes.push((
                Bucket::ForeignKeys,
                Change::AddForeignKey {
                    table: name.clone(),
                    foreign_key: fk.clone(),
                },
            ));
        }
        for index in &table.indexes {
            changes.push((
                Bucket::Indexes,
                Change::CreateIndex {
                    table: name.clone(),
                    index: index.clone(),
                },
            ));
        }
        if let Some(rls) = &table.row_security {
            changes.push((
                Bucket::RowSecurity,
                Change::EnableRowSecurity {
                    table: name.clone(),
                    partitions: partitions.clone(),
                },
            ));
            for policy in &rls.policies {
                changes.push((
                    Bucket::Policies,
                    Change::CreatePolicy {
                        table: name.clone(),
                        partitions: partitions.clone(),
                        policy: policy.clone(),
                    },
                ));
            }
        }
        for function in TriggerFunction::ALL {
            if let Some(trigger) = table.trigger(function) {
                changes.push((
                    Bucket::Triggers,
                    Change::CreateTrigger {
                        table: name.clone(),
                        trigger: trigger.clone(),
                        function,
                    },
                ));
            }
        }
        changes
    }

    fn create(&mut self, bucket: Bucket, change: Change) {
        match bucket {
            Bucket::Tables => self.create_tables.push(change),
            Bucket::Partitions => self.create_partitions.push(change),
            Bucket::ForeignKeys => self.add_fks.push(change),
            Bucket::Indexes => self.create_indexes.push(change),
            Bucket::RowSecurity => self.enable_rls.push(change),
            Bucket::Policies => self.create_policies.push(change),
            Bucket::Triggers => self.create_triggers.push(change),
        }
    }

    /// The inverse of `create`: the change undone, in the bucket that drops such objects.
    fn drop(&mut self, bucket: Bucket, change: Change) {
        let change = change.inverse();
        match bucket {
            Bucket::Tables => self.drop_tables.push(change),
            // Dropping the table drops its partitions; they are listed so the down migration
            // (the inverse) recreates them.
            Bucket::Partitions => self.drop_partitions.push(change),
            Bucket::ForeignKeys => self.drop_fks.push(change),
            Bucket::Indexes => self.drop_indexes.push(change),
            Bucket::RowSecurity => self.disable_rls.push(change),
            Bucket::Policies => self.drop_policies.push(change),
            Bucket::Triggers => self.drop_triggers.push(change),
        }
    }
}

#[derive(Clone, Copy)]
enum Bucket {
    Tables,
    Partitions,
    ForeignKeys,
    Indexes,
    RowSecurity,
    Policies,
    Triggers,
}

/// Computes the changes that turn `old` into `new`, in an order PostgreSQL can apply.
pub fn diff(old: &Schema, new: &Schema) -> Result<Vec<Change>, Vec<Unsupported>> {
    // PostgreSQL follows a renamed table in the foreign keys that reference it: compare them
    // as they will be after the renames.
    let renamed_tables: BTreeMap<QualifiedName, QualifiedName> = new
        .tables
        .iter()
        .filter_map(|t| {
            let from = QualifiedName::new(&t.schema, t.renamed_from.as_deref()?);
            (old.table(&from).is_some()
                && old.table(&t.qualified_name()).is_none()
                && new.table(&from).is_none())
            .then(|| (from, t.qualified_name()))
        })
        .collect();
    let followed;
    let old = if renamed_tables.is_empty() {
        old
    } else {
        let mut schema = old.clone();
        for table in &mut schema.tables {
            for fk in &mut table.foreign_keys {
                if let Some(to) = renamed_tables.get(&fk.references) {
                    fk.references = to.clone();
                }
            }
        }
        followed = schema;
        &followed
    };
    let mut unsupported = Vec::new();
    let mut plan = Plan::default();

    let user_schemas = |s: &Schema| -> BTreeSet<String> {
        s.namespaces()
            .into_iter()
            .filter(|n| *n != "public")
            .map(str::to_string)
            .collect()
    };
    let (old_ns, new_ns) = (user_schemas(old), user_schemas(new));
    plan.create_schemas.extend(
        new_ns
            .difference(&old_ns)
            .cloned()
            .map(Change::CreateSchema),
    );
    plan.drop_schemas
        .extend(old_ns.difference(&new_ns).cloned().map(Change::DropSchema));
    for role in &new.roles {
        if !old.roles.contains(role) {
            plan.create_schemas.push(Change::CreateRole(role.clone()));
        }
    }
    for role in &old.roles {
        if !new.roles.contains(role) {
            plan.drop_schemas.push(Change::KeepRole(role.clone()));
        }
    }

    for e in &new.enums {
        let name = e.qualified_name();
        match old.enum_type(&name) {
            None => plan.create_enums.push(Change::CreateEnum(e.clone())),
            Some(o) if o.values != e.values => {
                let kept_old: Vec<&String> =
                    o.values.iter().filter(|v| e.values.contains(v)).collect();
                let kept_new: Vec<&String> =
                    e.values.iter().filter(|v| o.values.contains(v)).collect();
                if kept_old != kept_new {
                    unsupported.push(Unsupported {
                        what: format!("enum type `{name}`"),
                        why: format!(
                            "its values were reordered (from {:?} to {:?}); PostgreSQL orders an enum's values as declared, so a reorder silently changes ORDER BY, <, > and every index on such a column. Keep the existing values in their order and insert new ones where they belong",
                            o.values, e.values
                        ),
                    });
                } else {
                    plan.alter_enums.push(Change::AlterEnumValues {
                        name: name.clone(),
                        from: o.values.clone(),
                        to: e.values.clone(),
                        uses: enum_uses(old, &name),
                    });
                }
            }
            Some(_) => {}
        }
    }
    for e in &old.enums {
        if new.enum_type(&e.qualified_name()).is_none() {
            plan.drop_enums.push(Change::DropEnum(e.clone()));
        }
    }
    for function in TriggerFunction::ALL {
        let (old_fn, new_fn) = (
            old.trigger_function_schemas(function),
            new.trigger_function_schemas(function),
        );
        plan.create_functions
            .extend(
                new_fn
                    .difference(&old_fn)
                    .map(|s| Change::CreateTriggerFunction {
                        schema: s.to_string(),
                        function,
                    }),
            );
        plan.drop_functions
            .extend(
                old_fn
                    .difference(&new_fn)
                    .map(|s| Change::DropTriggerFunction {
                        schema: s.to_string(),
                        function,
                    }),
            );
        if old.function_revision == 0
            || function.body(old.function_revision) != function.body(new.function_revision)
        {
            plan.create_functions
                .extend(
                    old_fn
                        .intersection(&new_fn)
                        .map(|s| Change::ReplaceTriggerFunction {
                            schema: s.to_string(),
                            function,
                            from: old.function_revision,
                            to: new.function_revision,
                        }),
                );
        }
    }

    // Looked up by name once per table: linear searches made a 1,000-table diff quadratic.
    let (old_tables, new_tables) = (tables_by_name(old), tables_by_name(new));
    let mut renamed_away: BTreeSet<(&str, &str)> = BTreeSet::new();
    for new_table in &new.tables {
        let schema = new_table.schema.as_str();
        match old_tables.get(&(schema, new_table.name.as_str())) {
            Some(old_table) => diff_table(old_table, new_table, &mut plan, &mut unsupported),
            None => {
                // `renamed_from`: the old table, if it exists and nothing new took its name.
                let renamed = new_table.renamed_from.as_deref().and_then(|from| {
                    old_tables
                        .get(&(schema, from))
                        .filter(|_| !new_tables.contains_key(&(schema, from)))
                });
                match renamed {
                    Some(old_table) => {
                        renamed_away.insert((schema, old_table.name.as_str()));
                        plan.rename_tables.push(Change::RenameTable {
                            schema: schema.to_string(),
                            from: old_table.name.clone(),
                            to: new_table.name.clone(),
                        });
                        let moved = Table {
                            name: new_table.name.clone(),
                            ..(*old_table).clone()
                        };
                        diff_table(&moved, new_table, &mut plan, &mut unsupported);
                    }
                    None => {
                        for (bucket, change) in Plan::table_changes(new_table) {
                            plan.create(bucket, change);
                        }
                    }
                }
            }
        }
    }
    for old_table in &old.tables {
        let key = (old_table.schema.as_str(), old_table.name.as_str());
        if !new_tables.contains_key(&key) && !renamed_away.contains(&key) {
            for (bucket, change) in Plan::table_changes(old_table) {
                plan.drop(bucket, change);
            }
        }
    }
    if !unsupported.is_empty() {
        return Err(unsupported);
    }
    let mut changes = plan.into_changes();
    // PostgreSQL names the index copies it makes on partitions itself: after any change to a
    // partitioned table, its copies get the project's names.
    // The down script runs the inverses: a dropped index or partition comes back with copies
    // PostgreSQL names, so the table is named on the way back too (the block is idempotent, so
    // naming it on the way there as well costs nothing).
    let mut named: BTreeSet<QualifiedName> = changes
        .iter()
        .filter_map(|c| makes_index_copies(c, new))
        .chain(
            changes
                .iter()
                .filter_map(|c| makes_index_copies(&c.inverse(), old))
                .filter(|t| new.table(t).is_some()),
        )
        .collect();
    // A history from before the project named the copies: PostgreSQL named them.
    if new.index_copies_named && !old.index_copies_named {
        named.extend(
            new.tables
                .iter()
                .filter(|t| t.partitioning.is_some() && old.table(&t.qualified_name()).is_some())
                .map(Table::qualified_name),
        );
    }
    changes.extend(
        named
            .into_iter()
            .map(|table| Change::NameIndexCopies { table }),
    );
    Ok(changes)
}

/// The partitioned table of `new` whose partitions' index copies `change` may create or leave
/// with a name that is not the project's: a partition or a parent index created, a key or
/// unique constraint added, a parent index or a partition renamed.
fn makes_index_copies(change: &Change, new: &Schema) -> Option<QualifiedName> {
    let partitioned = |t: &QualifiedName| {
        new.table(t)
            .is_some_and(|t| t.partitioning.is_some())
            .then(|| t.clone())
    };
    let parent_of = |schema: &str, relation: &str| {
        new.tables
            .iter()
            .filter(|t| t.schema == schema && t.partitioning.is_some())
            .find(|t| {
                t.name == relation
                    || t.partitions().any(|p| p.name == relation)
                    || t.primary_key.name == relation
                    || t.uniques.iter().any(|u| u.name == relation)
                    || t.indexes.iter().any(|i| i.name == relation)
            })
            .map(Table::qualified_name)
    };
    match change {
        Change::CreateTable(t) => partitioned(&t.qualified_name()),
        Change::CreatePartition { table, .. }
        | Change::CreateIndex { table, .. }
        | Change::AddPrimaryKey { table, .. }
        | Change::AddUnique { table, .. }
        | Change::RenameConstraint { table, .. } => partitioned(table),
        Change::RenameTable { schema, to, .. } | Change::RenameIndex { schema, to, .. } => {
            parent_of(schema, to)
        }
        _ => None,
    }
}

/// The columns of `old` whose type is the enum `name` (or an array of it), with the defaults,
/// partial-index predicates and CHECKs that mention them.
fn enum_uses(old: &Schema, name: &QualifiedName) -> Vec<EnumUse> {
    let mut uses = Vec::new();
    for table in &old.tables {
        for column in &table.columns {
            let array = match &column.sql_type {
                SqlType::Enum(n) if n == name => false,
                SqlType::Array(inner) if **inner == SqlType::Enum(name.clone()) => true,
                _ => continue,
            };
            let mentions = |text: &str| fragment::mentions_column(text, &column.name);
            uses.push(EnumUse {
                table: table.qualified_name(),
                column: column.name.clone(),
                array,
                default: column.default.clone(),
                indexes: table
                    .indexes
                    .iter()
                    .filter(|i| i.predicate.as_deref().is_some_and(mentions))
                    .cloned()
                    .collect(),
                checks: table
                    .checks
                    .iter()
                    .filter(|c| mentions(&c.expression))
                    .cloned()
                    .collect(),
                partitioned: table.partitioning.is_some(),
            });
        }
    }
    uses
}

/// `table` as it is after `RENAME COLUMN from TO to`: PostgreSQL renames the column in every
/// key, index and expression that uses it.
fn rename_column_in(table: &mut Table, from: &str, to: &str) {
    let rename = |c: &mut String| {
        if c == from {
            *c = to.to_string();
        }
    };
    let rename_expr = |e: &mut String| *e = fragment::rename_column(e, from, to);
    for column in &mut table.columns {
        rename(&mut column.name);
        if let Some(g) = &mut column.generated {
            rename_expr(g);
        }
    }
    table.primary_key.columns.iter_mut().for_each(rename);
    for u in &mut table.uniques {
        u.columns.iter_mut().for_each(rename);
    }
    for fk in &mut table.foreign_keys {
        fk.columns.iter_mut().for_each(rename);
        fk.on_delete_columns.iter_mut().for_each(rename);
    }
    for i in &mut table.indexes {
        i.columns.iter_mut().for_each(|k| rename(&mut k.column));
        i.include.iter_mut().for_each(rename);
        if let Some(p) = &mut i.predicate {
            rename_expr(p);
        }
    }
    for c in &mut table.checks {
        rename_expr(&mut c.expression);
    }
    if let Some(p) = &mut table.partitioning {
        p.columns.iter_mut().for_each(rename);
    }
    if let Some(rls) = &mut table.row_security {
        for policy in &mut rls.policies {
            policy.using.iter_mut().for_each(rename_expr);
            policy.with_check.iter_mut().for_each(rename_expr);
        }
    }
}

/// Pairs objects only `old` names with objects only `new` names that are the same but for
/// the name, renames them in `old`, and returns the `(from, to)` pairs.
fn match_renames<T: Clone + PartialEq>(
    old: &mut [T],
    new: &[T],
    name: impl Fn(&T) -> &String,
    // `old` under the name of `new` (and with `new`'s rendering of what means the same).
    with_name: impl Fn(&T, &T) -> T,
) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let old_names: Vec<String> = old.iter().map(|o| name(o).clone()).collect();
    for o in old.iter_mut() {
        if new.iter().any(|n| name(n) == name(o)) {
            continue;
        }
        let candidate = new.iter().find(|n| {
            !old_names.contains(name(n))
                && !pairs.iter().any(|(_, to): &(String, String)| to == name(n))
                && with_name(o, n) == **n
        });
        if let Some(n) = candidate {
            pairs.push((name(o).clone(), name(n).clone()));
            *o = n.clone();
        }
    }
    pairs
}

fn tables_by_name(schema: &Schema) -> BTreeMap<(&str, &str), &Table> {
    schema
        .tables
        .iter()
        .map(|t| ((t.schema.as_str(), t.name.as_str()), t))
        .collect()
}

/// The column without its comment, which changes through `COMMENT ON`, not `ALTER COLUMN`,
/// and without migration hints.
fn structure(column: &Column) -> Column {
    Column {
        comment: None,
        ..column.without_hints()
    }
}

fn diff_table(
    old_table: &Table,
    new_table: &Table,
    plan: &mut Plan,
    unsupported: &mut Vec<Unsupported>,
) {
    let name = new_table.qualified_name();
    let renamed;
    let old_table = if may_rename(old_table, new_table) {
        renamed = renames_in_table(old_table, new_table, plan);
        &renamed
    } else {
        old_table
    };
    let old_table = &with_renderings_of(old_table, new_table);
    for column in &new_table.columns {
        match old_table.column(&column.name) {
            None => plan.add_columns.push(Change::AddColumn {
                table: name.clone(),
                column: column.clone(),
            }),
            Some(old_column) => {
                if structure(old_column) != structure(column) {
                    let serial = |c: &Column| c.identity == Some(crate::ir::Identity::Serial);
                    if serial(old_column) != serial(column) {
                        unsupported.push(Unsupported {
                            what: format!("column `{name}.{}`", column.name),
                            why: "switching a column to or from serial is not generated; declare `identity` instead, or write the migration by hand".into(),
                        });
                    } else if old_column.generated != column.generated {
                        unsupported.push(Unsupported {
                            what: format!("column `{name}.{}`", column.name),
                            why: "its generation expression changed; PostgreSQL cannot alter one in place, so add a new generated column (and drop this one) instead".into(),
                        });
                    } else {
                        plan.alter_columns.push(Change::AlterColumn {
                            table: name.clone(),
                            from: structure(old_column),
                            to: structure(column),
                        });
                    }
                }
                if old_column.comment != column.comment {
                    plan.comments.push(Change::CommentOnColumn {
                        table: name.clone(),
                        column: column.name.clone(),
                        from: old_column.comment.clone(),
                        to: column.comment.clone(),
                    });
                }
            }
        }
    }
    let old_order: Vec<&str> = old_table
        .columns
        .iter()
        .filter(|c| new_table.column(&c.name).is_some())
        .map(|c| c.name.as_str())
        .collect();
    let new_order: Vec<&str> = new_table
        .columns
        .iter()
        .filter(|c| old_table.column(&c.name).is_some())
        .map(|c| c.name.as_str())
        .collect();
    if old_order != new_order {
        unsupported.push(Unsupported {
            what: format!("table `{name}`"),
            why: "its existing columns were reordered; PostgreSQL cannot reorder columns, so keep the old order and add new fields at the end".into(),
        });
    }
    // `ADD COLUMN` appends: a new column declared between existing ones would make the table
    // differ from its declaration for good (and `check --database` report it forever).
    let existed = |c: &Column| {
        old_table.column(&c.name).is_some()
            || c.renamed_from
                .as_ref()
                .is_some_and(|from| old_table.column(from).is_some())
    };
    if let Some(last) = new_table.columns.iter().rposition(existed) {
        for column in new_table.columns[..last].iter().filter(|c| !existed(c)) {
            unsupported.push(Unsupported {
                what: format!("column `{name}.{}`", column.name),
                why: format!(
                    "it is new but declared before existing columns; PostgreSQL adds a column after the existing ones (`ADD COLUMN` cannot place it), so the table would never match its declaration. Move the field to the end of the struct, after `{}`",
                    new_table.columns[last].name
                ),
            });
        }
    }
    for column in &old_table.columns {
        if new_table.column(&column.name).is_none() {
            plan.drop_columns.push(Change::DropColumn {
                table: name.clone(),
                column: column.clone(),
            });
        }
    }
    if old_table.comment != new_table.comment {
        plan.comments.push(Change::CommentOnTable {
            table: name.clone(),
            from: old_table.comment.clone(),
            to: new_table.comment.clone(),
        });
    }
    if old_table.primary_key != new_table.primary_key {
        plan.drop_pks.push(Change::DropPrimaryKey {
            table: name.clone(),
            key: old_table.primary_key.clone(),
        });
        plan.add_pks.push(Change::AddPrimaryKey {
            table: name.clone(),
            key: new_table.primary_key.clone(),
        });
    }
    diff_named(
        &old_table.uniques,
        &new_table.uniques,
        |u| &u.name,
        |unique| Change::DropUnique {
            table: name.clone(),
            unique,
        },
        |unique| Change::AddUnique {
            table: name.clone(),
            unique,
        },
        &mut plan.drop_uniques,
        &mut plan.add_uniques,
    );
    diff_named(
        &old_table.checks,
        &new_table.checks,
        |c| &c.name,
        |check| Change::DropCheck {
            table: name.clone(),
            check,
        },
        |check| Change::AddCheck {
            table: name.clone(),
            check,
        },
        &mut plan.drop_checks,
        &mut plan.add_checks,
    );
    diff_named(
        &old_table.foreign_keys,
        &new_table.foreign_keys,
        |fk| &fk.name,
        |foreign_key| Change::DropForeignKey {
            table: name.clone(),
            foreign_key,
        },
        |foreign_key| Change::AddForeignKey {
            table: name.clone(),
            foreign_key,
        },
        &mut plan.drop_fks,
        &mut plan.add_fks,
    );
    diff_named(
        &old_table.indexes,
        &new_table.indexes,
        |i| &i.name,
        |index| Change::DropIndex {
            table: name.clone(),
            index,
        },
        |index| Change::CreateIndex {
            table: name.clone(),
            index,
        },
        &mut plan.drop_indexes,
        &mut plan.create_indexes,
    );

    // Partitioning: the key is fixed at creation; partitions come and go.
    let key = |t: &Table| {
        t.partitioning
            .as_ref()
            .map(|p| (p.strategy, p.columns.clone()))
    };
    if key(old_table) != key(new_table) {
        unsupported.push(Unsupported {
            what: format!("table `{name}`"),
            why: "its partitioning (strategy or key) changed; PostgreSQL fixes it when the table is created, so create a new table and move the rows by hand".into(),
        });
    }
    let common: Vec<String> = new_table
        .partitions()
        .filter(|p| old_table.partitions().any(|o| o == *p))
        .map(|p| p.name.clone())
        .collect();
    for partition in old_table.partitions() {
        if !common.contains(&partition.name) {
            plan.drop_partitions.push(Change::DropPartition {
                table: name.clone(),
                partition: partition.clone(),
                row_security: old_table.row_security.clone(),
            });
        }
    }
    for partition in new_table.partitions() {
        if !common.contains(&partition.name) {
            plan.create_partitions.push(Change::CreatePartition {
                table: name.clone(),
                partition: partition.clone(),
                row_security: new_table.row_security.clone(),
            });
        }
    }

    // Row-level security on the parent and the partitions both sides have; partitions created
    // or dropped above carry their own.
    let no_policies = Vec::new();
    let policies = |t: &'_ Table| -> Vec<Policy> {
        t.row_security
            .as_ref()
            .map(|r| r.policies.clone())
            .unwrap_or_else(|| no_policies.clone())
    };
    let mut drop_policies = Vec::new();
    let mut create_policies = Vec::new();
    diff_named(
        &policies(old_table),
        &policies(new_table),
        |p| &p.name,
        |policy| Change::DropPolicy {
            table: name.clone(),
            partitions: common.clone(),
            policy,
        },
        |policy| Change::CreatePolicy {
            table: name.clone(),
            partitions: common.clone(),
            policy,
        },
        &mut drop_policies,
        &mut create_policies,
    );
    plan.drop_policies.extend(drop_policies);
    plan.create_policies.extend(create_policies);
    match (&old_table.row_security, &new_table.row_security) {
        (None, Some(_)) => plan.enable_rls.push(Change::EnableRowSecurity {
            table: name.clone(),
            partitions: common.clone(),
        }),
        (Some(_), None) => plan.disable_rls.push(Change::DisableRowSecurity {
            table: name.clone(),
            partitions: common.clone(),
        }),
        _ => {}
    }
    for function in TriggerFunction::ALL {
        let (old_trigger, new_trigger) = (old_table.trigger(function), new_table.trigger(function));
        if old_trigger != new_trigger {
            if let Some(trigger) = old_trigger {
                plan.drop_triggers.push(Change::DropTrigger {
                    table: name.clone(),
                    trigger: trigger.clone(),
                    function,
                });
            }
            if let Some(trigger) = new_trigger {
                plan.create_triggers.push(Change::CreateTrigger {
                    table: name.clone(),
                    trigger: trigger.clone(),
                    function,
                });
            }
        }
    }
}

/// Whether `renames_in_table` could find anything: a column with `renamed_from`, or an object
/// name only the old table has. Most tables have neither, and are not copied.
/// `old` with each SQL fragment that means what `new`'s does written as `new` writes it, so a
/// fragment that changed only in rendering (quoting, spacing, case, outer parentheses) is no
/// change.
fn with_renderings_of(old: &Table, new: &Table) -> Table {
    let mut old = old.clone();
    for column in &mut old.columns {
        let Some(to) = new.column(&column.name) else {
            continue;
        };
        if fragment::same_optional(&column.default, &to.default) {
            column.default.clone_from(&to.default);
        }
        if fragment::same_optional(&column.generated, &to.generated) {
            column.generated.clone_from(&to.generated);
        }
    }
    for check in &mut old.checks {
        if let Some(to) = new.checks.iter().find(|c| c.name == check.name) {
            if fragment::same_meaning(&check.expression, &to.expression) {
                check.expression.clone_from(&to.expression);
            }
        }
    }
    for index in &mut old.indexes {
        if let Some(to) = new.indexes.iter().find(|i| i.name == index.name) {
            if fragment::same_optional(&index.predicate, &to.predicate) {
                index.predicate.clone_from(&to.predicate);
            }
        }
    }
    if let (Some(rls), Some(to)) = (&mut old.row_security, &new.row_security) {
        for policy in &mut rls.policies {
            if let Some(to) = to.policies.iter().find(|p| p.name == policy.name) {
                if fragment::same_optional(&policy.using, &to.using) {
                    policy.using.clone_from(&to.using);
                }
                if fragment::same_optional(&policy.with_check, &to.with_check) {
                    policy.with_check.clone_from(&to.with_check);
                }
            }
        }
    }
    old
}

fn may_rename(old: &Table, new: &Table) -> bool {
    fn gone<T>(old: &[T], new: &[T], name: impl Fn(&T) -> &String) -> bool {
        old.iter().any(|o| !new.iter().any(|n| name(n) == name(o)))
    }
    let policies = |t: &Table| {
        t.row_security
            .as_ref()
            .map(|r| r.policies.clone())
            .unwrap_or_default()
    };
    let partitions = |t: &Table| t.partitions().cloned().collect::<Vec<_>>();
    new.columns
        .iter()
        .any(|c| c.renamed_from.is_some() && old.column(&c.name).is_none())
        || old.primary_key.name != new.primary_key.name
        || gone(&old.uniques, &new.uniques, |u| &u.name)
        || gone(&old.foreign_keys, &new.foreign_keys, |f| &f.name)
        || gone(&old.checks, &new.checks, |c| &c.name)
        || gone(&old.indexes, &new.indexes, |i| &i.name)
        || gone(&partitions(old), &partitions(new), |p| &p.name)
        || gone(&policies(old), &policies(new), |p| &p.name)
        || TriggerFunction::ALL
            .iter()
            .any(|f| old.trigger(*f).is_some() && old.trigger(*f) != new.trigger(*f))
}

/// The renames within a table kept under its name (or renamed): columns with `renamed_from`,
/// then constraints, indexes, triggers, policies and partitions that differ only in name
/// (typically because their name derives from the table's or a column's). Returns the old
/// table as it is after those renames.
fn renames_in_table(old_table: &Table, new_table: &Table, plan: &mut Plan) -> Table {
    let name = new_table.qualified_name();
    let mut old = old_table.clone();
    for column in &new_table.columns {
        let Some(from) = &column.renamed_from else {
            continue;
        };
        if old.column(&column.name).is_none()
            && old.column(from).is_some()
            && new_table.column(from).is_none()
        {
            plan.rename_columns.push(Change::RenameColumn {
                table: name.clone(),
                from: from.clone(),
                to: column.name.clone(),
            });
            rename_column_in(&mut old, from, &column.name);
        }
    }
    let constraint = |plan: &mut Plan, pairs: Vec<(String, String)>| {
        for (from, to) in pairs {
            plan.rename_objects.push(Change::RenameConstraint {
                table: name.clone(),
                from,
                to,
            });
        }
    };
    if old.primary_key != new_table.primary_key
        && old.primary_key.columns == new_table.primary_key.columns
    {
        constraint(
            plan,
            vec![(
                old.primary_key.name.clone(),
                new_table.primary_key.name.clone(),
            )],
        );
        old.primary_key.name = new_table.primary_key.name.clone();
    }
    let pairs = match_renames(
        &mut old.uniques,
        &new_table.uniques,
        |u| &u.name,
        |u, n| Unique {
            name: n.name.clone(),
            ..u.clone()
        },
    );
    constraint(plan, pairs);
    let pairs = match_renames(
        &mut old.foreign_keys,
        &new_table.foreign_keys,
        |f| &f.name,
        |f, n| ForeignKey {
            name: n.name.clone(),
            ..f.clone()
        },
    );
    constraint(plan, pairs);
    let pairs = match_renames(
        &mut old.checks,
        &new_table.checks,
        |c| &c.name,
        |c, n| Check {
            name: n.name.clone(),
            expression: if fragment::same_meaning(&c.expression, &n.expression) {
                n.expression.clone()
            } else {
                c.expression.clone()
            },
        },
    );
    constraint(plan, pairs);
    for (from, to) in match_renames(
        &mut old.indexes,
        &new_table.indexes,
        |i| &i.name,
        |i, n| Index {
            name: n.name.clone(),
            predicate: if fragment::same_optional(&i.predicate, &n.predicate) {
                n.predicate.clone()
            } else {
                i.predicate.clone()
            },
            ..i.clone()
        },
    ) {
        plan.rename_objects.push(Change::RenameIndex {
            schema: name.schema.clone(),
            from,
            to,
        });
    }
    // Partitions are renamed with their table only: otherwise a partition that goes and one
    // that comes are a drop (of its rows) and a create, as declared.
    let table_renamed = new_table.renamed_from.is_some();
    if let (true, Some(o), Some(n)) = (
        table_renamed,
        &mut old.partitioning,
        &new_table.partitioning,
    ) {
        for (from, to) in match_renames(
            &mut o.partitions,
            &n.partitions,
            |p| &p.name,
            |p, n| Partition {
                name: n.name.clone(),
                ..p.clone()
            },
        ) {
            plan.rename_tables.push(Change::RenameTable {
                schema: name.schema.clone(),
                from,
                to,
            });
        }
    }
    // Policy renames run before partitions come or go: they apply to the partitions there are.
    let partitions: Vec<String> = old.partitions().map(|p| p.name.clone()).collect();
    if let (Some(o), Some(n)) = (&mut old.row_security, &new_table.row_security) {
        for (from, to) in match_renames(
            &mut o.policies,
            &n.policies,
            |p| &p.name,
            |p, n| Policy {
                name: n.name.clone(),
                using: if fragment::same_optional(&p.using, &n.using) {
                    n.using.clone()
                } else {
                    p.using.clone()
                },
                with_check: if fragment::same_optional(&p.with_check, &n.with_check) {
                    n.with_check.clone()
                } else {
                    p.with_check.clone()
                },
                ..p.clone()
            },
        ) {
            plan.rename_objects.push(Change::RenamePolicy {
                table: name.clone(),
                partitions: partitions.clone(),
                from,
                to,
            });
        }
    }
    for function in TriggerFunction::ALL {
        if let (Some(from), Some(to)) = (old.trigger(function), new_table.trigger(function)) {
            if from != to {
                plan.rename_objects.push(Change::RenameTrigger {
                    table: name.clone(),
                    from: from.clone(),
                    to: to.clone(),
                });
                match function {
                    TriggerFunction::SetUpdatedAt => old.updated_at_trigger = Some(to.clone()),
                    TriggerFunction::RejectUpdate => old.append_only_trigger = Some(to.clone()),
                }
            }
        }
    }
    old
}

/// Diffs two name-sorted lists of named objects: a changed definition is a drop plus an add.
fn diff_named<T: Clone + PartialEq>(
    old: &[T],
    new: &[T],
    name: impl Fn(&T) -> &String,
    drop: impl Fn(T) -> Change,
    add: impl Fn(T) -> Change,
    drops: &mut Vec<Change>,
    adds: &mut Vec<Change>,
) {
    for o in old {
        match new.iter().find(|n| name(n) == name(o)) {
            Some(n) if n == o => {}
            _ => drops.push(drop(o.clone())),
        }
    }
    for n in new {
        match old.iter().find(|o| name(o) == name(n)) {
            Some(o) if o == n => {}
            _ => adds.push(add(n.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Identity, SqlType};
    use crate::render::render_change;

    fn column(name: &str, sql_type: SqlType, nullable: bool) -> Column {
        Column::new(name, sql_type, nullable)
    }

    fn table(name: &str, columns: Vec<Column>) -> Table {
        let primary_key = PrimaryKey {
            name: format!("{name}_pkey"),
            columns: vec![columns[0].name.clone()],
        };
        Table::new("billing", name, columns, primary_key)
    }

    fn invoices() -> Table {
        table(
            "invoices",
            vec![
                column("id", SqlType::BigInt, false),
                column("total", SqlType::NumericPs(12, 2), false),
            ],
        )
    }

    fn sql(changes: &[Change]) -> Vec<String> {
        changes.iter().flat_map(render_change).collect()
    }

    #[test]
    fn equal_schemas_have_no_changes() {
        let s = Schema::new(vec![invoices()]);
        assert_eq!(diff(&s, &s).unwrap(), vec![]);
    }

    #[test]
    fn changes_render_in_dependency_order_and_invert_exactly() {
        let old = Schema::new(vec![invoices()]);
        let mut new_invoices = invoices();
        new_invoices
            .columns
            .push(column("memo", SqlType::Text, true));
        new_invoices.columns[1].nullable = true;
        new_invoices
            .indexes
            .push(Index::on("invoices_total_idx", &["total"], false));
        let mut lines = table(
            "invoice_lines",
            vec![
                column("id", SqlType::BigInt, false),
                column("invoice_id", SqlType::BigInt, false),
            ],
        );
        lines.foreign_keys.push(ForeignKey {
            name: "invoice_lines_invoice_id_fkey".into(),
            columns: vec!["invoice_id".into()],
            references: QualifiedName::new("billing", "invoices"),
            referenced_columns: vec!["id".into()],
            on_delete: crate::ir::ReferentialAction::Cascade,
            on_update: crate::ir::ReferentialAction::NoAction,
            on_delete_columns: Vec::new(),
        });
        let new = Schema::new(vec![new_invoices, lines]);
        let changes = diff(&old, &new).unwrap();
        assert_eq!(
            sql(&changes),
            vec![
                "CREATE TABLE \"billing\".\"invoice_lines\" (\n    \"id\" bigint NOT NULL,\n    \"invoice_id\" bigint NOT NULL,\n    CONSTRAINT \"invoice_lines_pkey\" PRIMARY KEY (\"id\")\n);".to_string(),
                "ALTER TABLE \"billing\".\"invoices\" ADD COLUMN \"memo\" text;".into(),
                "ALTER TABLE \"billing\".\"invoices\"\n    ALTER COLUMN \"total\" DROP NOT NULL;".into(),
                "ALTER TABLE \"billing\".\"invoice_lines\" ADD CONSTRAINT \"invoice_lines_invoice_id_fkey\" FOREIGN KEY (\"invoice_id\") REFERENCES \"billing\".\"invoices\" (\"id\") ON DELETE CASCADE;".into(),
                "CREATE INDEX \"invoices_total_idx\" ON \"billing\".\"invoices\" (\"total\");".into(),
            ]
        );
        // The reverse diff is the inverse of the forward one, in reverse order.
        let back = diff(&new, &old).unwrap();
        let inverted: Vec<Change> = changes.iter().rev().map(Change::inverse).collect();
        let mut a = sql(&back);
        let mut b = sql(&inverted);
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }

    #[test]
    fn identity_kind_switch_keeps_the_sequence() {
        let mut from = column("id", SqlType::BigInt, false);
        from.identity = Some(Identity::Always);
        let mut to = from.clone();
        to.identity = Some(Identity::ByDefault);
        let change = Change::AlterColumn {
            table: QualifiedName::new("billing", "invoices"),
            from,
            to,
        };
        assert_eq!(
            render_change(&change),
            vec!["ALTER TABLE \"billing\".\"invoices\"\n    ALTER COLUMN \"id\" SET GENERATED BY DEFAULT;"]
        );
    }

    #[test]
    fn a_new_column_between_existing_ones_is_refused_naming_the_field_and_the_fix() {
        let old = Schema::new(vec![invoices()]);
        let mut new = invoices();
        new.columns
            .insert(1, Column::new("memo", SqlType::Text, true));
        let err = diff(&old, &Schema::new(vec![new.clone()])).unwrap_err();
        assert_eq!(err.len(), 1, "{err:?}");
        assert!(err[0].what.contains(".memo"), "{err:?}");
        let last = &new.columns.last().unwrap().name;
        assert!(err[0].why.contains(&format!("after `{last}`")), "{err:?}");
        // At the end it is an ADD COLUMN.
        let memo = new.columns.remove(1);
        new.columns.push(memo);
        assert!(diff(&old, &Schema::new(vec![new])).is_ok());
    }

    #[test]
    fn reordered_columns_and_serial_switches_are_refused() {
        let old = Schema::new(vec![invoices()]);
        let mut reordered = invoices();
        reordered.columns.swap(0, 1);
        let err = diff(&old, &Schema::new(vec![reordered])).unwrap_err();
        assert!(err[0].why.contains("reordered"), "{err:?}");

        let mut serial = invoices();
        serial.columns[0].identity = Some(Identity::Serial);
        let err = diff(&old, &Schema::new(vec![serial])).unwrap_err();
        assert!(err[0].why.contains("serial"), "{err:?}");
    }

    #[test]
    fn dropped_tables_lose_data_and_say_so() {
        let old = Schema::new(vec![invoices()]);
        let changes = diff(&old, &Schema::default()).unwrap();
        assert!(changes.iter().any(|c| c.data_loss().is_some()));
        assert!(changes.contains(&Change::DropSchema("billing".into())));
    }

    fn cdrs(partitions: &[&str]) -> Table {
        use crate::ir::{PartitionStrategy, Partitioning};
        let mut t = table(
            "cdrs",
            vec![
                column("id", SqlType::BigInt, false),
                column("started_at", SqlType::Timestamptz, false),
                column(
                    "state",
                    SqlType::Enum(QualifiedName::new("billing", "call_state")),
                    false,
                ),
                column("updated_at", SqlType::Timestamptz, false),
            ],
        );
        t.primary_key.columns.push("started_at".into());
        t.partitioning = Some(Partitioning {
            strategy: PartitionStrategy::Range,
            columns: vec!["started_at".into()],
            partitions: partitions
                .iter()
                .map(|p| Partition {
                    name: p.to_string(),
                    bound: "DEFAULT".into(),
                })
                .collect(),
        });
        t.row_security = Some(RowSecurity {
            policies: vec![tenant_policy("cdrs_tenant")],
        });
        t.updated_at_trigger = Some("cdrs_set_updated_at".into());
        t
    }

    fn tenant_policy(name: &str) -> Policy {
        Policy {
            name: name.into(),
            command: crate::ir::PolicyCommand::All,
            permissive: true,
            roles: Vec::new(),
            using: Some("account_id = 1".into()),
            with_check: None,
        }
    }

    fn call_state() -> EnumType {
        EnumType {
            schema: "billing".into(),
            name: "call_state".into(),
            values: vec!["ringing".into(), "up".into()],
        }
    }

    /// The structural changes of the way back are the inverses of the way there (the naming
    /// of index copies, which follows whichever creates copies, aside).
    fn inverse_matches_reverse_diff(old: &Schema, new: &Schema) {
        let structural = |c: &Change| !matches!(c, Change::NameIndexCopies { .. });
        let forward = diff(old, new).unwrap();
        let mut back = sql(&diff(new, old)
            .unwrap()
            .into_iter()
            .filter(structural)
            .collect::<Vec<_>>());
        let mut inverted = sql(&forward
            .iter()
            .rev()
            .filter(|c| structural(c))
            .map(Change::inverse)
            .collect::<Vec<_>>());
        back.sort();
        inverted.sort();
        assert_eq!(back, inverted);
    }

    #[test]
    fn a_new_partitioned_rls_table_comes_after_its_type_and_function_with_rls_on_every_partition() {
        let new = Schema::with_enums(vec![call_state()], vec![cdrs(&["cdrs_default"])]);
        let changes = diff(&Schema::default(), &new).unwrap();
        let kinds: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            kinds,
            [
                "create schema `billing`",
                "create enum type `billing.call_state`",
                "create function `billing.set_updated_at()`",
                "create table `billing.cdrs`",
                "create partition `cdrs_default` of `billing.cdrs`",
                "enable row-level security on `billing.cdrs`",
                "create policy `cdrs_tenant` on `billing.cdrs`",
                "create trigger `cdrs_set_updated_at` on `billing.cdrs`",
                "name the partitions' index copies of `billing.cdrs`",
            ]
        );
        let statements = sql(&changes);
        for expected in [
            "ALTER TABLE \"billing\".\"cdrs_default\" FORCE ROW LEVEL SECURITY;",
            "CREATE POLICY \"cdrs_tenant\" ON \"billing\".\"cdrs_default\" AS PERMISSIVE FOR ALL TO PUBLIC\n    USING (account_id = 1);",
            "CREATE TRIGGER \"cdrs_set_updated_at\" BEFORE UPDATE ON \"billing\".\"cdrs\" FOR EACH ROW EXECUTE FUNCTION \"billing\".\"set_updated_at\"();",
        ] {
            assert!(statements.iter().any(|s| s == expected), "{expected}\n{statements:#?}");
        }
        assert!(statements[3].ends_with(") PARTITION BY RANGE (\"started_at\");"));
        inverse_matches_reverse_diff(&Schema::default(), &new);
    }

    #[test]
    fn index_copies_are_named_last_both_ways_and_not_where_the_script_drops_the_table() {
        use crate::render::render_migration;
        let naming = "DO $schema_api$";
        // Created from nothing: the up names the copies after creating them; the down drops
        // the table, so it names nothing.
        let new = Schema::with_enums(vec![call_state()], vec![cdrs(&["cdrs_default"])]);
        let sql = render_migration("", &diff(&Schema::default(), &new).unwrap());
        assert!(sql.up.trim_end().ends_with("$schema_api$;"), "{}", sql.up);
        assert!(!sql.down.contains(naming), "{}", sql.down);
        // An index dropped: nothing to name on the way there, but the down builds the index
        // again, so its copies are named after that.
        let mut indexed = cdrs(&["cdrs_default"]);
        indexed
            .indexes
            .push(Index::on("cdrs_state_idx", &["state"], false));
        let old = Schema::with_enums(vec![call_state()], vec![indexed]);
        let sql = render_migration("", &diff(&old, &new).unwrap());
        let create = sql
            .down
            .find("CREATE INDEX")
            .expect("the down builds the index again");
        let named = sql.down.find(naming).expect("the down names the copies");
        assert!(create < named, "{}", sql.down);
    }

    #[test]
    fn a_partition_added_to_an_rls_table_gets_the_policies_itself() {
        let old = Schema::with_enums(vec![call_state()], vec![cdrs(&["cdrs_default"])]);
        let new = Schema::with_enums(
            vec![call_state()],
            vec![cdrs(&["cdrs_default", "cdrs_p2026_01"])],
        );
        let changes = diff(&old, &new).unwrap();
        assert_eq!(changes.len(), 2, "{changes:#?}");
        assert_eq!(
            changes[1],
            Change::NameIndexCopies {
                table: QualifiedName::new("billing", "cdrs")
            }
        );
        assert_eq!(
            sql(&changes[..1]),
            [
                "CREATE TABLE \"billing\".\"cdrs_p2026_01\" PARTITION OF \"billing\".\"cdrs\" DEFAULT;",
                "ALTER TABLE \"billing\".\"cdrs_p2026_01\" ENABLE ROW LEVEL SECURITY;",
                "ALTER TABLE \"billing\".\"cdrs_p2026_01\" FORCE ROW LEVEL SECURITY;",
                "CREATE POLICY \"cdrs_tenant\" ON \"billing\".\"cdrs_p2026_01\" AS PERMISSIVE FOR ALL TO PUBLIC\n    USING (account_id = 1);",
            ]
        );
        assert!(changes[0].data_loss().is_none());
        assert!(
            changes[0].inverse().data_loss().is_some(),
            "dropping a partition drops its rows"
        );
        inverse_matches_reverse_diff(&old, &new);
    }

    #[test]
    fn a_changed_policy_is_replaced_on_the_parent_and_every_partition() {
        let old = Schema::with_enums(vec![call_state()], vec![cdrs(&["cdrs_a", "cdrs_b"])]);
        let mut changed = cdrs(&["cdrs_a", "cdrs_b"]);
        changed.row_security.as_mut().unwrap().policies[0].using = Some("account_id = 2".into());
        let new = Schema::with_enums(vec![call_state()], vec![changed]);
        let statements = sql(&diff(&old, &new).unwrap());
        assert_eq!(statements.len(), 6, "{statements:#?}");
        assert_eq!(
            statements[..3],
            [
                "DROP POLICY \"cdrs_tenant\" ON \"billing\".\"cdrs\";",
                "DROP POLICY \"cdrs_tenant\" ON \"billing\".\"cdrs_a\";",
                "DROP POLICY \"cdrs_tenant\" ON \"billing\".\"cdrs_b\";",
            ]
        );
        assert!(statements[3..]
            .iter()
            .all(|s| s.contains("USING (account_id = 2)")));
        inverse_matches_reverse_diff(&old, &new);
    }

    #[test]
    fn comments_change_through_comment_on_alone() {
        let old = Schema::new(vec![invoices()]);
        let mut documented = invoices();
        documented.comment = Some("Invoices we've sent.".into());
        documented.columns[1].comment = Some("Gross total.".into());
        let new = Schema::new(vec![documented]);
        assert_eq!(
            sql(&diff(&old, &new).unwrap()),
            [
                "COMMENT ON COLUMN \"billing\".\"invoices\".\"total\" IS 'Gross total.';",
                "COMMENT ON TABLE \"billing\".\"invoices\" IS 'Invoices we''ve sent.';",
            ]
        );
        assert_eq!(
            sql(&diff(&new, &old).unwrap()),
            [
                "COMMENT ON COLUMN \"billing\".\"invoices\".\"total\" IS NULL;",
                "COMMENT ON TABLE \"billing\".\"invoices\" IS NULL;",
            ]
        );
    }

    #[test]
    fn checks_are_added_and_dropped_by_name() {
        let old = Schema::new(vec![invoices()]);
        let mut checked = invoices();
        checked.checks.push(crate::ir::Check {
            name: "invoices_total_check".into(),
            expression: "total >= 0".into(),
        });
        let new = Schema::new(vec![checked]);
        assert_eq!(
            sql(&diff(&old, &new).unwrap()),
            ["ALTER TABLE \"billing\".\"invoices\" ADD CONSTRAINT \"invoices_total_check\" CHECK (total >= 0);"]
        );
        inverse_matches_reverse_diff(&old, &new);
    }

    #[test]
    fn enum_reorders_partition_key_changes_and_new_generation_expressions_are_refused() {
        let old = Schema::with_enums(vec![call_state()], vec![cdrs(&[])]);
        let mut reordered = call_state();
        reordered.values.reverse();
        reordered.values.push("held".into());
        let err = diff(&old, &Schema::with_enums(vec![reordered], vec![cdrs(&[])])).unwrap_err();
        assert!(err[0].why.contains("reordered"), "{err:?}");

        let mut rekeyed = cdrs(&[]);
        rekeyed.partitioning.as_mut().unwrap().columns = vec!["id".into()];
        let err = diff(&old, &Schema::with_enums(vec![call_state()], vec![rekeyed])).unwrap_err();
        assert!(err[0].why.contains("partitioning"), "{err:?}");

        let mut with_generated = invoices();
        with_generated.columns[1].generated = Some("1".into());
        let err = diff(
            &Schema::new(vec![invoices()]),
            &Schema::new(vec![with_generated]),
        )
        .unwrap_err();
        assert!(err[0].why.contains("generation expression"), "{err:?}");
    }

    #[test]
    fn the_trigger_function_goes_with_the_last_trigger_of_its_schema() {
        let mut touched = invoices();
        touched.updated_at_trigger = Some("invoices_set_updated_at".into());
        let old = Schema::new(vec![touched]);
        let new = Schema::new(vec![invoices()]);
        assert_eq!(
            sql(&diff(&old, &new).unwrap()),
            [
                "DROP TRIGGER \"invoices_set_updated_at\" ON \"billing\".\"invoices\";",
                "DROP FUNCTION \"billing\".\"set_updated_at\"();",
            ]
        );
        inverse_matches_reverse_diff(&old, &new);
    }

    #[test]
    fn added_enum_values_go_where_declared_and_their_down_rebuilds_the_type() {
        let mut with_index = cdrs(&[]);
        with_index.indexes.push(Index {
            predicate: Some("state = 'ringing'".into()),
            ..Index::on("cdrs_ringing_idx", &["id"], false)
        });
        with_index.columns[2].default = Some("'ringing'".into());
        let old = Schema::with_enums(vec![call_state()], vec![with_index.clone()]);
        let mut more = call_state();
        more.values = vec![
            "dialing".into(),
            "ringing".into(),
            "held".into(),
            "up".into(),
            "gone".into(),
        ];
        let new = Schema::with_enums(vec![more], vec![with_index]);
        let changes = diff(&old, &new).unwrap();
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert!(changes[0].data_loss().is_none());
        assert_eq!(
            sql(&changes),
            [
                "ALTER TYPE \"billing\".\"call_state\" ADD VALUE 'dialing' BEFORE 'ringing';",
                "ALTER TYPE \"billing\".\"call_state\" ADD VALUE 'held' BEFORE 'up';",
                "ALTER TYPE \"billing\".\"call_state\" ADD VALUE 'gone' AFTER 'up';",
            ]
        );
        let down = sql(&[changes[0].inverse()]);
        assert_eq!(
            down,
            [
                "ALTER TYPE \"billing\".\"call_state\" RENAME TO \"call_state__old\";",
                "CREATE TYPE \"billing\".\"call_state\" AS ENUM ('ringing', 'up');",
                "DROP INDEX \"billing\".\"cdrs_ringing_idx\";",
                "ALTER TABLE \"billing\".\"cdrs\"\n    ALTER COLUMN \"state\" DROP DEFAULT,\n    ALTER COLUMN \"state\" TYPE \"billing\".\"call_state\" USING \"state\"::text::\"billing\".\"call_state\",\n    ALTER COLUMN \"state\" SET DEFAULT 'ringing';",
                "DROP TYPE \"billing\".\"call_state__old\";",
                "CREATE INDEX \"cdrs_ringing_idx\" ON \"billing\".\"cdrs\" (\"id\") WHERE (state = 'ringing');",
                // The index came back on a partitioned table: its copies are named again.
                &crate::render::name_index_copies(&QualifiedName::new("billing", "cdrs")),
            ]
        );
        assert!(
            changes[0].inverse().data_loss().is_some(),
            "removing values is destructive"
        );
    }

    #[test]
    fn a_renamed_column_is_renamed_with_the_index_and_check_named_after_it() {
        let mut old_t = invoices();
        old_t
            .indexes
            .push(Index::on("invoices_total_idx", &["total"], false));
        old_t.checks.push(Check {
            name: "invoices_total_check".into(),
            expression: "total >= 0 AND 'total' <> ''".into(),
        });
        let mut new_t = invoices();
        new_t.columns[1].name = "amount".into();
        new_t.columns[1].renamed_from = Some("total".into());
        new_t
            .indexes
            .push(Index::on("invoices_amount_idx", &["amount"], false));
        new_t.checks.push(Check {
            name: "invoices_amount_check".into(),
            expression: "amount >= 0 AND 'total' <> ''".into(),
        });
        let (old, new) = (Schema::new(vec![old_t]), Schema::new(vec![new_t]));
        assert_eq!(
            sql(&diff(&old, &new).unwrap()),
            [
                "ALTER TABLE \"billing\".\"invoices\" RENAME COLUMN \"total\" TO \"amount\";",
                "ALTER TABLE \"billing\".\"invoices\" RENAME CONSTRAINT \"invoices_total_check\" TO \"invoices_amount_check\";",
                "ALTER INDEX \"billing\".\"invoices_total_idx\" RENAME TO \"invoices_amount_idx\";",
            ]
        );
        // Without the hint it is a drop (refused without consent) and an add.
        let mut unhinted = new.clone();
        unhinted.tables[0].columns[1].renamed_from = None;
        assert!(diff(&old, &unhinted)
            .unwrap()
            .iter()
            .any(|c| matches!(c, Change::DropColumn { .. })));
    }

    #[test]
    fn a_renamed_table_keeps_its_partitions_policies_and_trigger_under_new_names() {
        let old_t = cdrs(&["cdrs_default"]);
        let mut new_t = cdrs(&["calls_default"]);
        new_t.name = "calls".into();
        new_t.renamed_from = Some("cdrs".into());
        new_t.primary_key.name = "calls_pkey".into();
        new_t.row_security.as_mut().unwrap().policies[0].name = "calls_tenant".into();
        new_t.updated_at_trigger = Some("calls_set_updated_at".into());
        let old = Schema::with_enums(vec![call_state()], vec![old_t]);
        let new = Schema::with_enums(vec![call_state()], vec![new_t]);
        let changes = diff(&old, &new).unwrap();
        // The partition's key index keeps PostgreSQL's old name: it is named again after.
        assert_eq!(
            changes.last(),
            Some(&Change::NameIndexCopies {
                table: QualifiedName::new("billing", "calls")
            })
        );
        let changes = &changes[..changes.len() - 1];
        assert_eq!(
            sql(changes),
            [
                "ALTER TABLE \"billing\".\"cdrs\" RENAME TO \"calls\";",
                "ALTER TABLE \"billing\".\"cdrs_default\" RENAME TO \"calls_default\";",
                "ALTER TABLE \"billing\".\"calls\" RENAME CONSTRAINT \"cdrs_pkey\" TO \"calls_pkey\";",
                "ALTER POLICY \"cdrs_tenant\" ON \"billing\".\"calls\" RENAME TO \"calls_tenant\";",
                "ALTER POLICY \"cdrs_tenant\" ON \"billing\".\"calls_default\" RENAME TO \"calls_tenant\";",
                "ALTER TRIGGER \"cdrs_set_updated_at\" ON \"billing\".\"calls\" RENAME TO \"calls_set_updated_at\";",
            ]
        );
        assert!(changes.iter().all(|c| c.data_loss().is_none()));
        let down: Vec<Change> = changes.iter().rev().map(Change::inverse).collect();
        assert_eq!(
            sql(&down).last().unwrap(),
            "ALTER TABLE \"billing\".\"calls\" RENAME TO \"cdrs\";"
        );
    }

    #[test]
    fn widening_types_lose_nothing_and_narrowing_ones_do() {
        use SqlType::*;
        assert!(widens(&Varchar(10), &Varchar(20)) && widens(&Varchar(10), &Text));
        assert!(widens(&Integer, &BigInt) && widens(&NumericPs(10, 2), &NumericPs(12, 2)));
        assert!(!widens(&BigInt, &Integer) && !widens(&Text, &Varchar(10)));
        assert!(!widens(&NumericPs(10, 2), &NumericPs(10, 3)));
        assert!(!rewrites_table(&Varchar(10), &Text) && rewrites_table(&Integer, &BigInt));
    }
}
