//! The order a diff's changes are applied in: one key per kind of change, so a change's place
//! is a property of the change, not of which list the differ happened to push it into.
//!
//! Drops of dependent objects come first (policies, triggers, foreign keys, indexes,
//! constraints), then what others depend on is created (schemas, types, functions, tables,
//! partitions, columns), then old objects go, and last come the objects that depend on the new
//! ones (foreign keys, indexes, row-level security, triggers). A down migration is the inverse
//! of every change in reverse order, which keeps the same property. Changes of one kind keep
//! the order the differ found them in (the sort is stable).

use super::Change;

/// A change's place in a diff, earliest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Order {
    /// Views go first: they depend on the columns and types that change below.
    DropViews,
    /// Enum values change before anything uses them (and a rebuild sets its uses aside).
    AlterEnums,
    /// Renames, before anything refers to the new names.
    RenameTables,
    RenameColumns,
    RenameObjects,
    /// What depends on objects that are about to change or go.
    DropTriggers,
    DropPolicies,
    DisableRowSecurity,
    DropForeignKeys,
    DropIndexes,
    DropChecks,
    DropUniques,
    DropPrimaryKeys,
    DropPartitions,
    /// What the new objects need.
    CreateExtensions,
    CreateSchemas,
    CreateEnums,
    CreateFunctions,
    CreateTables,
    CreatePartitions,
    AddColumns,
    AlterColumns,
    Comments,
    AddPrimaryKeys,
    AddUniques,
    AddChecks,
    /// Old objects, once nothing depends on them.
    DropColumns,
    DropTables,
    DropEnums,
    DropFunctions,
    DropSchemas,
    DropExtensions,
    /// What depends on the new objects.
    AddForeignKeys,
    CreateIndexes,
    EnableRowSecurity,
    CreatePolicies,
    CreateTriggers,
    /// Views come last, over the tables as they now are.
    CreateViews,
    /// The naming of index copies, which follows everything (the differ appends it after
    /// sorting the rest).
    NameIndexCopies,
}

impl Change {
    /// Where this change goes in a diff.
    pub fn order(&self) -> Order {
        use Change::*;
        match self {
            AlterEnumValues { .. } => Order::AlterEnums,
            DropView(_) => Order::DropViews,
            CreateView(_) => Order::CreateViews,
            RenameTable { .. } => Order::RenameTables,
            RenameColumn { .. } => Order::RenameColumns,
            RenameConstraint { .. }
            | RenameIndex { .. }
            | RenamePolicy { .. }
            | RenameTrigger { .. } => Order::RenameObjects,
            DropTrigger { .. } => Order::DropTriggers,
            DropPolicy { .. } => Order::DropPolicies,
            DisableRowSecurity { .. } => Order::DisableRowSecurity,
            DropForeignKey { .. } => Order::DropForeignKeys,
            DropIndex { .. } => Order::DropIndexes,
            DropCheck { .. } => Order::DropChecks,
            DropUnique { .. } => Order::DropUniques,
            DropPrimaryKey { .. } => Order::DropPrimaryKeys,
            DropPartition { .. } => Order::DropPartitions,
            CreateSchema(_) | CreateRole(_) => Order::CreateSchemas,
            CreateExtension(_) => Order::CreateExtensions,
            DropExtension(_) => Order::DropExtensions,
            CreateEnum(_) => Order::CreateEnums,
            CreateTriggerFunction { .. } | ReplaceTriggerFunction { .. } => Order::CreateFunctions,
            CreateTable(_) => Order::CreateTables,
            CreatePartition { .. } => Order::CreatePartitions,
            AddColumn { .. } => Order::AddColumns,
            AlterColumn { .. } => Order::AlterColumns,
            CommentOnTable { .. } | CommentOnColumn { .. } => Order::Comments,
            AddPrimaryKey { .. } => Order::AddPrimaryKeys,
            AddUnique { .. } => Order::AddUniques,
            AddCheck { .. } => Order::AddChecks,
            DropColumn { .. } => Order::DropColumns,
            DropTable(_) => Order::DropTables,
            DropEnum(_) => Order::DropEnums,
            DropTriggerFunction { .. } => Order::DropFunctions,
            DropSchema(_) | KeepRole(_) => Order::DropSchemas,
            AddForeignKey { .. } => Order::AddForeignKeys,
            CreateIndex { .. } => Order::CreateIndexes,
            EnableRowSecurity { .. } => Order::EnableRowSecurity,
            CreatePolicy { .. } => Order::CreatePolicies,
            CreateTrigger { .. } => Order::CreateTriggers,
            NameIndexCopies { .. } => Order::NameIndexCopies,
        }
    }
}
