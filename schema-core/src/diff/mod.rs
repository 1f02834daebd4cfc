//! The differ: a pure function from the schema the migrations hold to the declared schema,
//! producing typed changes in dependency order.
//!
//! - [`change`](Change): the changes, each with its exact inverse ([`Change::inverse`]), which
//!   is how down migrations are built: the down of a list of changes is the inverses in
//!   reverse order.
//! - [`Order`]: each change's place in a diff, a property of the change ([`Change::order`]).
//! - `rename`: renames found instead of a drop and a create; fragments compared by meaning.

mod change;
mod order;
mod rename;

pub use change::*;
pub use order::Order;
use rename::{may_rename, renames_in_table, with_renderings_of};

use crate::fragment;
use crate::ir::{
    Column, EnumType, Policy, QualifiedName, Schema, SqlType, Table, TriggerFunction, View,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

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

/// The changes of one diff as the differ finds them; [`Found::into_changes`] puts them in the
/// order PostgreSQL can apply them (see [`order`]).
struct Found(Vec<Change>);

impl Found {
    fn push(&mut self, change: Change) {
        self.0.push(change);
    }

    fn extend(&mut self, changes: impl IntoIterator<Item = Change>) {
        self.0.extend(changes);
    }

    /// The changes by [`Change::order`]; changes of one kind keep the order they were found in.
    fn into_changes(mut self) -> Vec<Change> {
        self.0.sort_by_key(Change::order);
        self.0
    }

    /// Everything that creates `table` from nothing; a dropped table is the same list
    /// inverted.
    fn table_changes(table: &Table) -> Vec<Change> {
        let name = table.qualified_name();
        let partitions: Vec<String> = table.partitions().map(|p| p.name.clone()).collect();
        let mut changes = vec![Change::CreateTable(Table {
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
            row_security: None,
            updated_at_trigger: None,
            append_only_trigger: None,
            ..table.clone()
        })];
        for partition in table.partitions() {
            changes.push(Change::CreatePartition {
                table: name.clone(),
                partition: partition.clone(),
                row_security: None,
            });
        }
        for fk in &table.foreign_keys {
            changes.push(Change::AddForeignKey {
                table: name.clone(),
                foreign_key: fk.clone(),
            });
        }
        for index in &table.indexes {
            changes.push(Change::CreateIndex {
                table: name.clone(),
                index: index.clone(),
            });
        }
        if let Some(rls) = &table.row_security {
            changes.push(Change::EnableRowSecurity {
                table: name.clone(),
                partitions: partitions.clone(),
            });
            for policy in &rls.policies {
                changes.push(Change::CreatePolicy {
                    table: name.clone(),
                    partitions: partitions.clone(),
                    policy: policy.clone(),
                });
            }
        }
        for function in TriggerFunction::ALL {
            if let Some(trigger) = table.trigger(function) {
                changes.push(Change::CreateTrigger {
                    table: name.clone(),
                    trigger: trigger.clone(),
                    function,
                });
            }
        }
        changes
    }

    /// Undoes `change` (one of [`Found::table_changes`] of a table that goes).
    fn drop(&mut self, change: Change) {
        self.push(change.inverse());
    }
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
    let mut found = Found(Vec::new());

    let user_schemas = |s: &Schema| -> BTreeSet<String> {
        s.namespaces()
            .into_iter()
            .filter(|n| *n != "public")
            .map(str::to_string)
            .collect()
    };
    let (old_ns, new_ns) = (user_schemas(old), user_schemas(new));
    found.extend(
        new_ns
            .difference(&old_ns)
            .cloned()
            .map(Change::CreateSchema),
    );
    found.extend(old_ns.difference(&new_ns).cloned().map(Change::DropSchema));
    // Extensions are created in the declared order (dependencies first) and dropped in the
    // reverse one; a reordered list changes nothing.
    found.extend(
        new.extensions
            .iter()
            .filter(|e| !old.extensions.contains(e))
            .cloned()
            .map(Change::CreateExtension),
    );
    found.extend(
        old.extensions
            .iter()
            .rev()
            .filter(|e| !new.extensions.contains(e))
            .cloned()
            .map(Change::DropExtension),
    );
    for role in &new.roles {
        if !old.roles.contains(role) {
            found.push(Change::CreateRole(role.clone()));
        }
    }
    for role in &old.roles {
        if !new.roles.contains(role) {
            found.push(Change::KeepRole(role.clone()));
        }
    }

    for e in &new.enums {
        let name = e.qualified_name();
        match old.enum_type(&name) {
            None => found.push(Change::CreateEnum(e.clone())),
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
                    found.push(Change::AlterEnumValues {
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
            found.push(Change::DropEnum(e.clone()));
        }
    }
    for function in TriggerFunction::ALL {
        let (old_fn, new_fn) = (
            old.trigger_function_schemas(function),
            new.trigger_function_schemas(function),
        );
        found.extend(
            new_fn
                .difference(&old_fn)
                .map(|s| Change::CreateTriggerFunction {
                    schema: s.to_string(),
                    function,
                }),
        );
        found.extend(
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
            found.extend(
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
            Some(old_table) => diff_table(old_table, new_table, &mut found, &mut unsupported),
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
                        found.push(Change::RenameTable {
                            schema: schema.to_string(),
                            from: old_table.name.clone(),
                            to: new_table.name.clone(),
                        });
                        let moved = Table {
                            name: new_table.name.clone(),
                            ..(*old_table).clone()
                        };
                        diff_table(&moved, new_table, &mut found, &mut unsupported);
                    }
                    None => {
                        for change in Found::table_changes(new_table) {
                            found.push(change);
                        }
                    }
                }
            }
        }
    }
    for old_table in &old.tables {
        let key = (old_table.schema.as_str(), old_table.name.as_str());
        if !new_tables.contains_key(&key) && !renamed_away.contains(&key) {
            for change in Found::table_changes(old_table) {
                found.drop(change);
            }
        }
    }
    diff_views(old, new, &mut found);
    if !unsupported.is_empty() {
        return Err(unsupported);
    }
    let mut changes = found.into_changes();
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

/// Views are created after everything they read and dropped before it changes. One whose
/// declaration changed, or that reads a table whose columns (or their enum types) this
/// migration changes, or that it drops or renames,
/// is dropped first and created again last: PostgreSQL refuses to change or drop a column a
/// view uses, and a view's column list cannot change in place.
fn diff_views(old: &Schema, new: &Schema, found: &mut Found) {
    let touched = |view: &View| {
        view.reads.iter().any(|t| {
            let (before, after) = (old.table(t), new.table(t));
            let enums = |schema: &Schema, table: Option<&Table>| -> Vec<Option<EnumType>> {
                table
                    .into_iter()
                    .flat_map(|t| &t.columns)
                    .filter_map(|c| match &c.sql_type {
                        SqlType::Enum(e) => Some(e),
                        SqlType::Array(element) => match element.as_ref() {
                            SqlType::Enum(e) => Some(e),
                            _ => None,
                        },
                        _ => None,
                    })
                    .map(|e| schema.enum_type(e).cloned())
                    .collect()
            };
            // Only the columns matter to a view (an index, a policy or a comment does not).
            let columns = |t: Option<&Table>| t.map(|t| t.without_hints().columns);
            columns(before) != columns(after) || enums(old, before) != enums(new, after)
        })
    };
    for view in &new.views {
        match old.view(&view.qualified_name()) {
            None => found.push(Change::CreateView(view.clone())),
            Some(before) if before != view || touched(before) || touched(view) => {
                found.push(Change::DropView(before.clone()));
                found.push(Change::CreateView(view.clone()));
            }
            Some(_) => {}
        }
    }
    for view in &old.views {
        if new.view(&view.qualified_name()).is_none() {
            found.push(Change::DropView(view.clone()));
        }
    }
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
    found: &mut Found,
    unsupported: &mut Vec<Unsupported>,
) {
    let name = new_table.qualified_name();
    let renamed;
    let old_table = if may_rename(old_table, new_table) {
        renamed = renames_in_table(old_table, new_table, found);
        &renamed
    } else {
        old_table
    };
    let old_table = &with_renderings_of(old_table, new_table);
    for column in &new_table.columns {
        match old_table.column(&column.name) {
            None => found.push(Change::AddColumn {
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
                        found.push(Change::AlterColumn {
                            table: name.clone(),
                            from: structure(old_column),
                            to: structure(column),
                        });
                    }
                }
                if old_column.comment != column.comment {
                    found.push(Change::CommentOnColumn {
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
            found.push(Change::DropColumn {
                table: name.clone(),
                column: column.clone(),
            });
        }
    }
    if old_table.comment != new_table.comment {
        found.push(Change::CommentOnTable {
            table: name.clone(),
            from: old_table.comment.clone(),
            to: new_table.comment.clone(),
        });
    }
    if old_table.primary_key != new_table.primary_key {
        found.push(Change::DropPrimaryKey {
            table: name.clone(),
            key: old_table.primary_key.clone(),
        });
        found.push(Change::AddPrimaryKey {
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
        found,
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
        found,
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
        found,
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
        found,
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
            found.push(Change::DropPartition {
                table: name.clone(),
                partition: partition.clone(),
                row_security: old_table.row_security.clone(),
            });
        }
    }
    for partition in new_table.partitions() {
        if !common.contains(&partition.name) {
            found.push(Change::CreatePartition {
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
        found,
    );
    match (&old_table.row_security, &new_table.row_security) {
        (None, Some(_)) => found.push(Change::EnableRowSecurity {
            table: name.clone(),
            partitions: common.clone(),
        }),
        (Some(_), None) => found.push(Change::DisableRowSecurity {
            table: name.clone(),
            partitions: common.clone(),
        }),
        _ => {}
    }
    for function in TriggerFunction::ALL {
        let (old_trigger, new_trigger) = (old_table.trigger(function), new_table.trigger(function));
        if old_trigger != new_trigger {
            if let Some(trigger) = old_trigger {
                found.push(Change::DropTrigger {
                    table: name.clone(),
                    trigger: trigger.clone(),
                    function,
                });
            }
            if let Some(trigger) = new_trigger {
                found.push(Change::CreateTrigger {
                    table: name.clone(),
                    trigger: trigger.clone(),
                    function,
                });
            }
        }
    }
}

/// Diffs two name-sorted lists of named objects: a changed definition is a drop plus an add.
fn diff_named<T: Clone + PartialEq>(
    old: &[T],
    new: &[T],
    name: impl Fn(&T) -> &String,
    drop: impl Fn(T) -> Change,
    add: impl Fn(T) -> Change,
    found: &mut Found,
) {
    for o in old {
        match new.iter().find(|n| name(n) == name(o)) {
            Some(n) if n == o => {}
            _ => found.push(drop(o.clone())),
        }
    }
    for n in new {
        match old.iter().find(|o| name(o) == name(n)) {
            Some(o) if o == n => {}
            _ => found.push(add(n.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{
        Check, EnumType, ForeignKey, Identity, Index, Partition, PrimaryKey, RowSecurity, SqlType,
    };
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
    fn extensions_come_first_in_their_order_and_go_last_in_the_reverse_one() {
        let old = Schema::new(vec![invoices()]);
        let new = Schema::new(vec![invoices()]).with_extensions(&["citext", "pgcrypto"]);
        let changes = diff(&old, &new).unwrap();
        assert_eq!(
            changes,
            vec![
                Change::CreateExtension("citext".into()),
                Change::CreateExtension("pgcrypto".into()),
            ]
        );
        let sql = crate::render::render_migration("", &changes);
        assert_eq!(
            sql.up.trim(),
            "CREATE EXTENSION IF NOT EXISTS \"citext\";\n\nCREATE EXTENSION IF NOT EXISTS \"pgcrypto\";"
        );
        assert_eq!(
            sql.down.trim(),
            "DROP EXTENSION IF EXISTS \"pgcrypto\";\n\nDROP EXTENSION IF EXISTS \"citext\";"
        );
        // From nothing, before the schemas and tables that may use them.
        let created = diff(&Schema::default(), &new).unwrap();
        assert_eq!(created[0], Change::CreateExtension("citext".into()));
        assert!(matches!(created[2], Change::CreateSchema(_)), "{created:?}");
        // A reordered list changes nothing; a removed one is dropped, dependents first.
        let reordered = Schema::new(vec![invoices()]).with_extensions(&["pgcrypto", "citext"]);
        assert_eq!(diff(&new, &reordered).unwrap(), vec![]);
        assert_eq!(
            diff(&new, &old).unwrap(),
            vec![
                Change::DropExtension("pgcrypto".into()),
                Change::DropExtension("citext".into()),
            ]
        );
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
        // A partitioned table dropped: the up has nothing to name, the down creates the table,
        // its partitions and its index again and then names the copies.
        let sql = render_migration("", &diff(&old, &Schema::default()).unwrap());
        assert!(!sql.up.contains(naming), "{}", sql.up);
        let create = sql
            .down
            .find("CREATE INDEX")
            .expect("the down builds the index again");
        let named = sql.down.rfind(naming).expect("the down names the copies");
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
