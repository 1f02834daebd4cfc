//! The differ: a pure function from the schema the migrations hold to the declared schema,
//! producing typed changes in dependency order.
//!
//! Every change has an exact inverse ([`Change::inverse`]), which is how down migrations are
//! built: the down of a list of changes is the inverses in reverse order.

use crate::ir::{Column, ForeignKey, Index, PrimaryKey, QualifiedName, Schema, Table, Unique};
use std::collections::BTreeSet;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    CreateSchema(String),
    DropSchema(String),
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
}

impl Change {
    /// The change that undoes this one.
    pub fn inverse(&self) -> Change {
        use Change::*;
        match self.clone() {
            CreateSchema(s) => DropSchema(s),
            DropSchema(s) => CreateSchema(s),
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
        }
    }

    /// Why applying this change loses data that its down cannot bring back, if it does.
    pub fn data_loss(&self) -> Option<String> {
        match self {
            Change::DropTable(t) => Some(format!(
                "drops table `{}` and every row in it",
                t.qualified_name()
            )),
            Change::DropColumn { table, column } => Some(format!(
                "drops column `{}` of `{table}` and its values",
                column.name
            )),
            Change::AlterColumn { table, from, to } if from.sql_type != to.sql_type => {
                Some(format!(
                    "changes the type of `{table}.{}` from {} to {}; values that do not convert make the migration fail, and converting back may not restore them",
                    to.name, from.sql_type, to.sql_type
                ))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::CreateSchema(s) => write!(f, "create schema `{s}`"),
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

/// Computes the changes that turn `old` into `new`, in an order PostgreSQL can apply.
pub fn diff(old: &Schema, new: &Schema) -> Result<Vec<Change>, Vec<Unsupported>> {
    let mut unsupported = Vec::new();
    // Buckets in application order; see the module docs for why this order is safe.
    let mut drop_fks = Vec::new();
    let mut drop_indexes = Vec::new();
    let mut drop_uniques = Vec::new();
    let mut drop_pks = Vec::new();
    let mut create_schemas = Vec::new();
    let mut create_tables = Vec::new();
    let mut add_columns = Vec::new();
    let mut alter_columns = Vec::new();
    let mut add_pks = Vec::new();
    let mut add_uniques = Vec::new();
    let mut drop_columns = Vec::new();
    let mut drop_tables = Vec::new();
    let mut drop_schemas = Vec::new();
    let mut add_fks = Vec::new();
    let mut create_indexes = Vec::new();

    let user_schemas = |s: &Schema| -> BTreeSet<String> {
        s.namespaces()
            .into_iter()
            .filter(|n| *n != "public")
            .map(str::to_string)
            .collect()
    };
    let (old_ns, new_ns) = (user_schemas(old), user_schemas(new));
    create_schemas.extend(
        new_ns
            .difference(&old_ns)
            .cloned()
            .map(Change::CreateSchema),
    );
    drop_schemas.extend(old_ns.difference(&new_ns).cloned().map(Change::DropSchema));

    for new_table in &new.tables {
        let name = new_table.qualified_name();
        match old.table(&name) {
            None => {
                create_tables.push(Change::CreateTable(Table {
                    foreign_keys: Vec::new(),
                    indexes: Vec::new(),
                    ..new_table.clone()
                }));
                add_fks.extend(
                    new_table
                        .foreign_keys
                        .iter()
                        .map(|fk| Change::AddForeignKey {
                            table: name.clone(),
                            foreign_key: fk.clone(),
                        }),
                );
                create_indexes.extend(new_table.indexes.iter().map(|index| Change::CreateIndex {
                    table: name.clone(),
                    index: index.clone(),
                }));
            }
            Some(old_table) => {
                for column in &new_table.columns {
                    match old_table.column(&column.name) {
                        None => add_columns.push(Change::AddColumn {
                            table: name.clone(),
                            column: column.clone(),
                        }),
                        Some(old_column) if old_column != column => {
                            let serial =
                                |c: &Column| c.identity == Some(crate::ir::Identity::Serial);
                            if serial(old_column) != serial(column) {
                                unsupported.push(Unsupported {
                                    what: format!("column `{name}.{}`", column.name),
                                    why: "switching a column to or from serial is not generated; declare `identity` instead, or write the migration by hand".into(),
                                });
                            } else {
                                alter_columns.push(Change::AlterColumn {
                                    table: name.clone(),
                                    from: old_column.clone(),
                                    to: column.clone(),
                                });
                            }
                        }
                        Some(_) => {}
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
                for column in &old_table.columns {
                    if new_table.column(&column.name).is_none() {
                        drop_columns.push(Change::DropColumn {
                            table: name.clone(),
                            column: column.clone(),
                        });
                    }
                }
                if old_table.primary_key != new_table.primary_key {
                    drop_pks.push(Change::DropPrimaryKey {
                        table: name.clone(),
                        key: old_table.primary_key.clone(),
                    });
                    add_pks.push(Change::AddPrimaryKey {
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
                    &mut drop_uniques,
                    &mut add_uniques,
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
                    &mut drop_fks,
                    &mut add_fks,
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
                    &mut drop_indexes,
                    &mut create_indexes,
                );
            }
        }
    }
    for old_table in &old.tables {
        let name = old_table.qualified_name();
        if new.table(&name).is_none() {
            drop_fks.extend(
                old_table
                    .foreign_keys
                    .iter()
                    .map(|fk| Change::DropForeignKey {
                        table: name.clone(),
                        foreign_key: fk.clone(),
                    }),
            );
            drop_indexes.extend(old_table.indexes.iter().map(|index| Change::DropIndex {
                table: name.clone(),
                index: index.clone(),
            }));
            drop_tables.push(Change::DropTable(Table {
                foreign_keys: Vec::new(),
                indexes: Vec::new(),
                ..old_table.clone()
            }));
        }
    }
    if !unsupported.is_empty() {
        return Err(unsupported);
    }
    Ok([
        drop_fks,
        drop_indexes,
        drop_uniques,
        drop_pks,
        create_schemas,
        create_tables,
        add_columns,
        alter_columns,
        add_pks,
        add_uniques,
        drop_columns,
        drop_tables,
        drop_schemas,
        add_fks,
        create_indexes,
    ]
    .concat())
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
        Column {
            name: name.into(),
            sql_type,
            nullable,
            default: None,
            identity: None,
        }
    }

    fn table(name: &str, columns: Vec<Column>) -> Table {
        Table {
            schema: "billing".into(),
            name: name.into(),
            primary_key: PrimaryKey {
                name: format!("{name}_pkey"),
                columns: vec![columns[0].name.clone()],
            },
            columns,
            foreign_keys: Vec::new(),
            uniques: Vec::new(),
            indexes: Vec::new(),
        }
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
        new_invoices.indexes.push(Index {
            name: "invoices_total_idx".into(),
            columns: vec!["total".into()],
            unique: false,
        });
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
}
