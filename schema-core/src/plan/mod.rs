//! From a diff to migrations that are safe to run against a live, populated database.
//!
//! [`plan`] splits the changes of one diff into phases, each a Diesel migration of its own, and
//! carries out each change as one or more [`Step`]s:
//!
//! 1. **enum values**: `ALTER TYPE ... ADD VALUE`, committed before anything can use them;
//! 2. **index drops**: one `DROP INDEX CONCURRENTLY` per migration, outside a transaction;
//! 3. **main**: everything else, in one transaction; foreign keys and CHECKs on existing
//!    tables are added `NOT VALID` (new rows are checked, existing ones are not scanned under
//!    the ACCESS EXCLUSIVE lock), partitioned tables get their new indexes `ON ONLY`;
//! 4. **backfills**: one migration per column becoming NOT NULL, outside a transaction: a `DO`
//!    block that fills its NULLs in batches of short transactions (in key order, skipping rows
//!    the application holds, leaving `updated_at` as it was), then adds a `NOT VALID`
//!    `IS NOT NULL` check and fills what old code inserted meanwhile; resumable after a crash;
//! 5. **index builds**: one `CREATE INDEX CONCURRENTLY` per migration, outside a transaction
//!    (a partitioned table gets one per partition);
//! 6. **validate**: `VALIDATE CONSTRAINT` (which scans without blocking writes), `SET NOT NULL`
//!    proven by the validated check, `ATTACH PARTITION` of partition indexes, and unique
//!    constraints made from their concurrently built indexes.
//!
//! Diesel sends a migration file as one query string, and PostgreSQL runs a multi-statement
//! string in an implicit transaction, where `CONCURRENTLY` is refused; so each concurrent
//! statement is a migration alone (diesel-rs/diesel#4552).

use crate::diff::{Change, Unsupported};
use crate::ir::{Column, Index, QualifiedName, Schema, Table};
use crate::names::fit_identifier;
use std::collections::BTreeSet;

mod step;

pub use step::{upgrade_format_2, Batched, ChildIndex, Step};

/// What a phase does; it decides the migration's name and whether it runs in a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhaseKind {
    EnumValues,
    DropIndex(String),
    Main,
    /// A batched backfill of one column (`<table>_<column>`).
    Backfill(String),
    CreateIndex(String),
    Validate,
    /// Foreign keys onto a key whose unique index was built concurrently: added `NOT VALID`
    /// at the end of the validate phase, once the key exists, and validated here.
    ValidateForeignKeys,
}

impl PhaseKind {
    pub fn transactional(&self) -> bool {
        !matches!(
            self,
            PhaseKind::DropIndex(_) | PhaseKind::CreateIndex(_) | PhaseKind::Backfill(_)
        )
    }

    /// The suffix of the migration's name (`<name>_<suffix>`); none for the main phase.
    pub fn suffix(&self) -> Option<String> {
        match self {
            PhaseKind::EnumValues => Some("enum_values".into()),
            PhaseKind::DropIndex(index) => Some(format!("drop_{index}")),
            PhaseKind::Main => None,
            PhaseKind::Backfill(column) => Some(format!("backfill_{column}")),
            PhaseKind::CreateIndex(index) => Some(format!("index_{index}")),
            PhaseKind::Validate => Some("validate".into()),
            PhaseKind::ValidateForeignKeys => Some("validate_foreign_keys".into()),
        }
    }

    /// `SET LOCAL statement_timeout` of a transactional phase. Validations scan whole tables
    /// under locks that let reads and writes through, so they get longer.
    pub fn statement_timeout(&self) -> &'static str {
        match self {
            PhaseKind::Validate | PhaseKind::ValidateForeignKeys => "30min",
            _ => "1min",
        }
    }
}

/// `SET LOCAL lock_timeout` of every transactional phase: a migration waiting this long for a
/// lock gives up (and rolls back) instead of queueing the application's queries behind it.
pub const LOCK_TIMEOUT: &str = "5s";

/// One migration of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub kind: PhaseKind,
    pub steps: Vec<Step>,
}

#[derive(Default)]
struct Phases {
    enum_values: Vec<Step>,
    drop_indexes: Vec<(String, Step)>,
    main: Vec<Step>,
    backfills: Vec<(String, Step)>,
    create_indexes: Vec<(String, Step)>,
    validate: Vec<Step>,
    late_foreign_keys: Vec<Step>,
    validate_foreign_keys: Vec<Step>,
}

/// Splits `changes` (a diff from `old` to `new`) into phases; see the module documentation.
pub fn plan(
    old: &Schema,
    new: &Schema,
    changes: &[Change],
) -> Result<Vec<Phase>, Vec<Unsupported>> {
    let created = created_relations(changes);
    let append_only = |t: &QualifiedName| {
        new.table(t)
            .is_some_and(|t| t.append_only_trigger.is_some())
    };
    let existing = |t: &QualifiedName| !created.contains(t) && new.table(t).is_some();
    let partitioned = |t: &QualifiedName| {
        new.table(t)
            .or(old.table(t))
            .is_some_and(|t| t.partitioning.is_some())
    };
    // Keys whose unique index is built concurrently (after the main phase): foreign keys onto
    // them wait for the validate phase.
    let late_keys: BTreeSet<(QualifiedName, Vec<String>)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddUnique { table, unique } if existing(table) && !partitioned(table) => {
                Some((table.clone(), sorted(&unique.columns)))
            }
            Change::CreateIndex { table, index }
                if existing(table) && index.unique && index.predicate.is_none() =>
            {
                let columns: Vec<String> = index.columns.iter().map(|k| k.column.clone()).collect();
                Some((table.clone(), sorted(&columns)))
            }
            _ => None,
        })
        .collect();
    let mut p = Phases::default();
    let mut unsupported = Vec::new();
    for change in changes {
        match change {
            Change::AddForeignKey { table, foreign_key }
                if late_keys.contains(&(
                    foreign_key.references.clone(),
                    sorted(&foreign_key.referenced_columns),
                )) =>
            {
                if existing(table) && !partitioned(table) {
                    not_valid(
                        Step::AddForeignKeyNotValid {
                            table: table.clone(),
                            foreign_key: foreign_key.clone(),
                        },
                        &mut p.late_foreign_keys,
                        &mut p.validate_foreign_keys,
                    );
                } else {
                    p.late_foreign_keys.push(change.clone().into());
                }
            }
            Change::AlterEnumValues { from, to, .. } if from.iter().all(|v| to.contains(v)) => {
                p.enum_values.push(change.clone().into())
            }
            Change::DropIndex { table, index } if existing(table) && !partitioned(table) => {
                p.drop_indexes.push((
                    index.name.clone(),
                    Step::DropIndexConcurrently {
                        table: table.clone(),
                        index: index.clone(),
                    },
                ))
            }
            Change::CreateIndex { table, index } if existing(table) => {
                let Some(t) = new.table(table) else {
                    p.main.push(change.clone().into());
                    continue;
                };
                if t.partitioning.is_none() {
                    p.create_indexes.push((
                        index.name.clone(),
                        Step::CreateIndexConcurrently {
                            table: table.clone(),
                            index: index.clone(),
                        },
                    ));
                    continue;
                }
                p.main.push(Step::CreateIndexOnOnly {
                    table: table.clone(),
                    index: index.clone(),
                });
                let mut children = Vec::new();
                for partition in t.partitions() {
                    let child = child_index_name(t, &partition.name, &index.name);
                    p.create_indexes.push((
                        child.clone(),
                        Step::CreateIndexConcurrently {
                            table: QualifiedName::new(&table.schema, &partition.name),
                            index: Index {
                                name: child.clone(),
                                ..index.clone()
                            },
                        },
                    ));
                    children.push(ChildIndex {
                        partition: partition.name.clone(),
                        index: child,
                    });
                }
                p.validate.push(Step::AttachIndex {
                    table: table.clone(),
                    index: index.clone(),
                    children,
                });
            }
            Change::AddUnique { table, unique } if existing(table) && !partitioned(table) => {
                p.create_indexes.push((
                    unique.name.clone(),
                    Step::CreateIndexConcurrently {
                        table: table.clone(),
                        index: Index::on(
                            unique.name.clone(),
                            &unique
                                .columns
                                .iter()
                                .map(String::as_str)
                                .collect::<Vec<_>>(),
                            true,
                        ),
                    },
                ));
                p.validate.push(Step::AddUniqueUsingIndex {
                    table: table.clone(),
                    unique: unique.clone(),
                });
            }
            Change::AddForeignKey { table, foreign_key }
                if existing(table) && !partitioned(table) =>
            {
                not_valid(
                    Step::AddForeignKeyNotValid {
                        table: table.clone(),
                        foreign_key: foreign_key.clone(),
                    },
                    &mut p.main,
                    &mut p.validate,
                );
            }
            // PostgreSQL takes NOT VALID CHECKs on partitioned tables too (not foreign keys).
            Change::AddCheck { table, check } if existing(table) => {
                not_valid(
                    Step::AddCheckNotValid {
                        table: table.clone(),
                        check: check.clone(),
                    },
                    &mut p.main,
                    &mut p.validate,
                );
            }
            Change::AddColumn { table, column }
                if existing(table)
                    && !column.nullable
                    && column.default.is_none()
                    && column.identity.is_none()
                    && column.generated.is_none() =>
            {
                if append_only(table) {
                    unsupported.push(never_updated(table, column));
                    continue;
                }
                let Some(backfill) = &column.backfill else {
                    unsupported.push(needs_backfill(
                        table,
                        column,
                        "is added NOT NULL without a default",
                    ));
                    continue;
                };
                p.main.push(
                    Change::AddColumn {
                        table: table.clone(),
                        column: Column {
                            nullable: true,
                            ..column.clone()
                        },
                    }
                    .into(),
                );
                not_null(&mut p, new, table, column, Some(backfill.clone()));
            }
            Change::AlterColumn { table, from, to }
                if existing(table) && from.nullable && !to.nullable =>
            {
                if append_only(table) {
                    unsupported.push(never_updated(table, to));
                    continue;
                }
                let declared = new.table(table).and_then(|t| t.column(&to.name));
                let backfill = declared.and_then(|c| c.backfill.clone());
                if backfill.is_none() && to.default.is_none() {
                    unsupported.push(needs_backfill(table, to, "becomes NOT NULL"));
                    continue;
                }
                let nullable = Column {
                    nullable: true,
                    ..to.clone()
                };
                if &nullable != from {
                    p.main.push(
                        Change::AlterColumn {
                            table: table.clone(),
                            from: from.clone(),
                            to: nullable,
                        }
                        .into(),
                    );
                }
                not_null(&mut p, new, table, declared.unwrap_or(to), backfill);
            }
            _ => p.main.push(change.clone().into()),
        }
    }
    if !unsupported.is_empty() {
        return Err(unsupported);
    }
    let mut phases = Vec::new();
    let mut push = |kind: PhaseKind, steps: Vec<Step>| {
        if !steps.is_empty() {
            phases.push(Phase { kind, steps });
        }
    };
    push(PhaseKind::EnumValues, p.enum_values);
    for (index, step) in p.drop_indexes {
        push(PhaseKind::DropIndex(index), vec![step]);
    }
    push(PhaseKind::Main, p.main);
    for (column, step) in p.backfills {
        push(PhaseKind::Backfill(column), vec![step]);
    }
    for (index, step) in p.create_indexes {
        push(PhaseKind::CreateIndex(index), vec![step]);
    }
    p.validate.extend(p.late_foreign_keys);
    push(PhaseKind::Validate, p.validate);
    push(PhaseKind::ValidateForeignKeys, p.validate_foreign_keys);
    Ok(phases)
}

fn sorted(columns: &[String]) -> Vec<String> {
    let mut columns = columns.to_vec();
    columns.sort();
    columns
}

/// A `NOT VALID` constraint added to `adds`, and its validation to `validates`.
fn not_valid(add: Step, adds: &mut Vec<Step>, validates: &mut Vec<Step>) {
    let (table, constraint) = match &add {
        Step::AddForeignKeyNotValid { table, foreign_key } => (table, &foreign_key.name),
        Step::AddCheckNotValid { table, check } => (table, &check.name),
        _ => unreachable!("only NOT VALID constraints are validated later"),
    };
    validates.push(Step::ValidateConstraint {
        table: table.clone(),
        constraint: constraint.clone(),
    });
    adds.push(add);
}

/// The tables and partitions `changes` create: they start empty, so nothing on them needs the
/// careful forms (and lint has nothing to say about building on them).
pub fn created_relations<'a>(
    changes: impl IntoIterator<Item = &'a Change>,
) -> BTreeSet<QualifiedName> {
    changes
        .into_iter()
        .filter_map(|c| match c {
            Change::CreateTable(t) => Some(t.qualified_name()),
            Change::CreatePartition {
                table, partition, ..
            } => Some(QualifiedName::new(&table.schema, &partition.name)),
            _ => None,
        })
        .collect()
}

fn never_updated(table: &QualifiedName, column: &Column) -> Unsupported {
    Unsupported {
        what: format!("column `{table}.{}`", column.name),
        why: "it would need its existing rows filled, but the table is append-only and PostgreSQL rejects every UPDATE of it; give the column a `default` (which ADD COLUMN stores once, without updating a row), or keep it nullable".into(),
    }
}

fn needs_backfill(table: &QualifiedName, column: &Column, what: &str) -> Unsupported {
    Unsupported {
        what: format!("column `{table}.{}`", column.name),
        why: format!(
            "it {what} on a table that already exists, where rows may hold no value for it; declare what existing rows get, with `#[column(backfill = \"<SQL expression>\")]` (used once, by this migration) or a `default`"
        ),
    }
}

/// Rows per batch of a backfill unless the column declares `backfill_batch_size`.
pub const BACKFILL_BATCH_SIZE: u32 = 10_000;

/// NOT NULL on an existing column: a batched backfill that ends with a `NOT VALID` check, then
/// the check validated so `SET NOT NULL` need not scan under ACCESS EXCLUSIVE (on a
/// partitioned table, each partition inherits the check and skips its scan the same way).
fn not_null(
    p: &mut Phases,
    new: &Schema,
    table: &QualifiedName,
    column: &Column,
    backfill: Option<String>,
) {
    let check = fit_identifier(&format!("{}_{}_not_null", table.name, column.name));
    let key = new
        .table(table)
        .map(|t| t.primary_key.columns.clone())
        .unwrap_or_default();
    p.backfills.push((
        format!("{}_{}", table.name, column.name),
        Step::Backfill {
            table: table.clone(),
            column: column.name.clone(),
            expression: backfill,
            batched: Some(Batched {
                key,
                batch_size: column.backfill_batch_size.unwrap_or(BACKFILL_BATCH_SIZE),
                check: check.clone(),
            }),
        },
    ));
    p.validate.push(Step::SetNotNull {
        table: table.clone(),
        column: column.name.clone(),
        check,
    });
}

/// The name of `index`'s copy on one partition: the partition's name in place of the table's.
pub fn child_index_name(table: &Table, partition: &str, index: &str) -> String {
    index_copy_name(&table.name, partition, index)
}

/// [`child_index_name`] by the table's name: the partition's name in place of the table's at
/// the front of the index's (or before all of it), fitted to 63 bytes. The macros check the
/// declared partitions' copies by the same rule; `render::name_index_copies` computes it in
/// PL/pgSQL.
pub fn index_copy_name(table: &str, partition: &str, index: &str) -> String {
    fit_identifier(&schema_rules::names::index_copy(table, partition, index))
}
