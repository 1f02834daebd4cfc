//! `cargo schema lint`: analyzers over planned migrations.
//!
//! Each finding has a code from [`RULES`]: `D` destructive (data is lost), `B` backward
//! incompatible (code deployed before the migration breaks), `L` lock-heavy (the migration
//! blocks reads or writes while it works), `T` data-dependent (whether it succeeds depends on
//! the rows), `S` style (a type choice worth knowing about). Errors stop `generate` and fail
//! `check`; warnings and notes explain what a migration will do to a live database.
//!
//! The analyzers read typed changes, not SQL: they know which tables a migration creates (and
//! so are empty), which statements run outside a transaction, and what the engine already made
//! safe (a `NOT VALID` constraint, a concurrent index build).

use crate::diff::{rewrites_table, Change};
use crate::ir::{Identity, IndexMethod, QualifiedName, Schema, SqlType, Table};
use crate::plan::Step;
use crate::role::Privilege;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// A lint rule: its code, short name and what it means.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub explanation: &'static str,
}

pub const RULES: &[Rule] = &[
    Rule {
        code: "D001",
        name: "drop-table",
        explanation: "Drops a table and its rows; down.sql recreates the table empty.",
    },
    Rule {
        code: "D002",
        name: "drop-column",
        explanation: "Drops a column and its values; down.sql recreates it empty.",
    },
    Rule {
        code: "D003",
        name: "narrowing-type",
        explanation: "Changes a column to a type that does not hold every old value: values that do not convert fail the migration, converting back may not restore them.",
    },
    Rule {
        code: "D004",
        name: "drop-enum-value",
        explanation: "Removes values from an enum (rebuilding it): rows holding them fail the migration.",
    },
    Rule {
        code: "D005",
        name: "drop-partition",
        explanation: "Drops a partition and its rows.",
    },
    Rule {
        code: "B101",
        name: "rename",
        explanation: "Renames a table or column: code still using the old name fails once this runs, so deploy it together with code using the new name.",
    },
    Rule {
        code: "B102",
        name: "set-not-null",
        explanation: "Makes a column NOT NULL: inserts that leave it out (from code deployed before) fail once this runs. The engine backfills NULLs first and proves NOT NULL with a validated CHECK it then drops.",
    },
    Rule {
        code: "B103",
        name: "drop-constraint-or-index",
        explanation: "Drops a constraint or index: rows it rejected become possible, queries it served get slower.",
    },
    Rule {
        code: "B104",
        name: "drop-function",
        explanation: "Drops a trigger function once no trigger of its schema uses it.",
    },
    Rule {
        code: "B105",
        name: "rename-object",
        explanation: "Renames a constraint, index, trigger or policy to follow a renamed table or column: queries never name these, but code matching constraint names in errors sees the new ones.",
    },
    Rule {
        code: "L201",
        name: "table-rewrite",
        explanation: "Rewrites the whole table under an ACCESS EXCLUSIVE lock (a type change that is not binary compatible, a volatile default on a new column, an enum rebuild): reads and writes wait for it.",
    },
    Rule {
        code: "L202",
        name: "blocking-index",
        explanation: "Builds or drops an index on an existing table without CONCURRENTLY (possible only for partitioned tables, whose indexes PostgreSQL cannot drop concurrently): writes wait for it.",
    },
    Rule {
        code: "L203",
        name: "blocking-constraint",
        explanation: "Adds a validated constraint to an existing table in one step (a foreign key on a partitioned table, which PostgreSQL 15 refuses NOT VALID; a unique constraint on one, which cannot use an index built concurrently; a primary key): the table is scanned under a lock that blocks writes.",
    },
    Rule {
        code: "L204",
        name: "set-not-null-scan",
        explanation: "SET NOT NULL without a validated CHECK to prove it: every row is scanned under ACCESS EXCLUSIVE. The engine never writes it (it backfills and validates a CHECK first); migrations written before it may.",
    },
    Rule {
        code: "L205",
        name: "concurrent-statement",
        explanation: "Runs outside a transaction, as the migration's only statement (CONCURRENTLY, or a batched backfill that commits batch by batch): Diesel sends a file as one query string, which PostgreSQL runs in an implicit transaction, so the file can hold no SET lock_timeout/statement_timeout and no second statement. No timeout is wanted either: the build waits for older transactions and would be cancelled half-done. If it fails, PostgreSQL leaves an INVALID index: drop it (`DROP INDEX CONCURRENTLY <name>`) and run the migration again.",
    },
    Rule {
        code: "L206",
        name: "index-on-only",
        explanation: "Creates a partitioned table's new index ON ONLY the parent: a catalog entry, invalid (and unused) until the index of every partition, built concurrently in the migrations that follow, is attached by the validate migration.",
    },
    Rule {
        code: "L207",
        name: "type-change-in-place",
        explanation: "Widens a column's type in a binary-compatible way (a longer varchar, varchar to text, more numeric precision): PostgreSQL only updates the catalog, under a brief ACCESS EXCLUSIVE lock, with no rewrite or scan.",
    },
    Rule {
        code: "T301",
        name: "validate",
        explanation: "Validates a NOT VALID constraint (or a unique index built concurrently): it scans the table without blocking writes, and fails if existing rows violate it; fix those rows and run it again. New rows are already checked.",
    },
    Rule {
        code: "T302",
        name: "backfill",
        explanation: "Fills the NULLs of a column becoming NOT NULL with an UPDATE in one transaction: it locks the rows it changes and creates a new version of each.",
    },
    Rule {
        code: "T303",
        name: "partition-over-default",
        explanation: "Adds a partition to a table with a default partition: PostgreSQL scans the default partition and refuses if it holds rows of the new range; move those rows out first.",
    },
    Rule {
        code: "S401",
        name: "varchar-limit",
        explanation: "A varchar(n) column: the limit is a declared constraint. Widening it later is a catalog-only change; narrowing is refused as destructive (D003).",
    },
    Rule {
        code: "S402",
        name: "small-integer",
        explanation: "A smallint/integer column: it overflows at 32,767 / 2,147,483,647. Fine for bounded values (counts, priorities); keys and counters that grow should be bigint.",
    },
    Rule {
        code: "S403",
        name: "serial",
        explanation: "A serial column (a sequence owned by the column): the DSL declares it only to describe existing serial columns; prefer `identity`.",
    },
    Rule {
        code: "S404",
        name: "timestamp-without-time-zone",
        explanation: "A timestamp without time zone: it stores wall-clock time with no zone; instants should be timestamptz (`DateTime<Utc>`).",
    },
    Rule {
        code: "L208",
        name: "unindexed-foreign-key",
        explanation: "A foreign key whose referencing columns lead no index (no primary key, unique constraint or full btree index starts with them): every DELETE from the referenced table, and every UPDATE of its key, scans the referencing table for the rows that refer to it while holding its locks, and joins along the key scan too. Declare an index that starts with the referencing columns. squawk has no rule for it.",
    },
    Rule {
        code: "G501",
        name: "grant-without-row-security",
        explanation: "A declared role holds a privilege on a table without row-level security, so it reaches every row of it. A write privilege is a warning: nothing limits which rows it changes. SELECT is a note: global reference data is meant to be read whole, but a table holding a tenant's rows must be `tenant`. squawk has no rule for it.",
    },
];

pub fn rule(code: &str) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.code == code)
        .unwrap_or_else(|| panic!("lint rule {code} is listed in RULES"))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    /// The migration directory (or the one `generate` would write), or [`DECLARATIONS`].
    pub migration: String,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{} {}] {}: {}",
            self.severity,
            self.code,
            rule(self.code).name,
            self.migration,
            self.message
        )
    }
}

/// What `lint_schema` reports its findings under: they are about the declarations as they
/// stand, not about one migration.
pub const DECLARATIONS: &str = "declarations";

/// Findings on the declarations as a whole: foreign keys that lead no index (L208) and
/// privileges on tables without row-level security (G501).
pub fn lint_schema(schema: &Schema) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut add = |code: &'static str, severity: Severity, message: String| {
        findings.push(Finding {
            code,
            severity,
            migration: DECLARATIONS.to_string(),
            message,
        })
    };
    for table in &schema.tables {
        for fk in &table.foreign_keys {
            if !leads_an_index(table, &fk.columns) {
                add(
                    "L208",
                    Severity::Warning,
                    format!(
                        "foreign key `{}` on `{}` ({}) leads no index: a DELETE from `{}` scans `{}` for the rows that refer to it",
                        fk.name,
                        table.qualified_name(),
                        fk.columns.join(", "),
                        fk.references,
                        table.qualified_name()
                    ),
                );
            }
        }
    }
    let mut by_table: BTreeMap<(QualifiedName, String), BTreeSet<Privilege>> = BTreeMap::new();
    for grant in crate::role::grants(schema) {
        let unguarded = schema
            .table(&grant.table)
            .is_some_and(|t| t.row_security.is_none());
        if unguarded {
            by_table
                .entry((grant.table, grant.role))
                .or_default()
                .insert(grant.privilege);
        }
    }
    for ((table, role), privileges) in by_table {
        let writes = privileges.iter().any(|p| *p != Privilege::Select);
        let list: Vec<&str> = privileges.iter().map(|p| p.to_sql()).collect();
        add(
            "G501",
            if writes { Severity::Warning } else { Severity::Note },
            format!(
                "`{role}` holds {} on `{table}`, which has no row-level security: it reaches every row",
                list.join(", ")
            ),
        );
    }
    findings
}

/// Whether `columns` (in any order) are the leading columns of the table's primary key, of a
/// unique constraint or of a btree index over every row: what lets PostgreSQL find the rows
/// referring to a key without scanning the table.
fn leads_an_index(table: &Table, columns: &[String]) -> bool {
    let wanted: BTreeSet<&str> = columns.iter().map(String::as_str).collect();
    let leads = |keys: Vec<&str>| {
        keys.len() >= wanted.len()
            && keys[..wanted.len()]
                .iter()
                .copied()
                .collect::<BTreeSet<_>>()
                == wanted
    };
    leads(
        table
            .primary_key
            .columns
            .iter()
            .map(String::as_str)
            .collect(),
    ) || table
        .uniques
        .iter()
        .any(|u| leads(u.columns.iter().map(String::as_str).collect()))
        || table.indexes.iter().any(|i| {
            i.method == IndexMethod::Btree
                && i.predicate.is_none()
                && leads(i.columns.iter().map(|k| k.column.as_str()).collect())
        })
}

/// The findings of one migration: its changes, whether it runs in a transaction, and whether
/// data loss was consented to (`--allow-data-loss`) when it was generated.
pub fn lint_migration(
    migration: &str,
    steps: &[Step],
    transactional: bool,
    data_loss_allowed: bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut add = |code: &'static str, severity: Severity, message: String| {
        findings.push(Finding {
            code,
            severity,
            migration: migration.to_string(),
            message,
        })
    };
    let changes = || steps.iter().filter_map(Step::as_change);
    let created = crate::plan::created_relations(changes());
    let dropped: BTreeSet<QualifiedName> = changes()
        .filter_map(|c| match c {
            Change::DropTable(t) => Some(t.qualified_name()),
            _ => None,
        })
        .collect();
    let existing = |t: &QualifiedName| !created.contains(t);
    let loss = if data_loss_allowed {
        Severity::Warning
    } else {
        Severity::Error
    };
    let consent = if data_loss_allowed {
        " (allowed with --allow-data-loss)"
    } else {
        "; refused unless `--allow-data-loss` is given"
    };
    if !transactional {
        for step in steps {
            add("L205", Severity::Note, format!("{step}"));
        }
    }
    for step in steps {
        let change = match step {
            Step::Change(change) => change,
            planned => {
                match planned {
                    Step::SetNotNull {
                        table,
                        column,
                        check,
                    } => {
                        add(
                            "B102",
                            Severity::Warning,
                            format!("`{table}.{column}` becomes NOT NULL"),
                        );
                        add(
                            "T301",
                            Severity::Note,
                            format!("validates `{check}` on `{table}`, then drops it once SET NOT NULL holds"),
                        );
                    }
                    Step::ValidateConstraint { table, constraint } => add(
                        "T301",
                        Severity::Note,
                        format!("validates `{constraint}` on `{table}`"),
                    ),
                    Step::AddUniqueUsingIndex { table, unique } => add(
                        "T301",
                        Severity::Note,
                        format!(
                            "`{}` on `{table}` is made from the unique index built concurrently; if duplicates stopped the build, that index is INVALID",
                            unique.name
                        ),
                    ),
                    Step::Backfill {
                        table,
                        column,
                        expression,
                        ..
                    } => add(
                        "T302",
                        Severity::Note,
                        format!(
                            "fills NULLs of `{table}.{column}` with {}",
                            expression.as_deref().unwrap_or("its default")
                        ),
                    ),
                    Step::DropIndexConcurrently { index, .. } => {
                        add("B103", Severity::Note, format!("drops index `{}`", index.name))
                    }
                    Step::CreateIndexOnOnly { table, index } => add(
                        "L206",
                        Severity::Note,
                        format!("`{}` on `{table}` waits for its partitions' indexes", index.name),
                    ),
                    _ => {}
                }
                continue;
            }
        };
        match change {
            Change::DropTable(_) | Change::DropColumn { .. } | Change::DropPartition { .. } => {
                if let Some(why) = change.data_loss() {
                    let code = match change {
                        Change::DropTable(_) => "D001",
                        Change::DropColumn { .. } => "D002",
                        _ => "D005",
                    };
                    add(code, loss, format!("{why}{consent}"));
                }
            }
            Change::AlterColumn { table, from, to } => {
                if let Some(why) = change.data_loss() {
                    add("D003", loss, format!("{why}{consent}"));
                }
                if from.sql_type != to.sql_type && existing(table) {
                    if rewrites_table(&from.sql_type, &to.sql_type) {
                        add(
                            "L201",
                            Severity::Warning,
                            format!(
                                "`{table}.{}` changes type {} -> {}, which rewrites the table",
                                to.name, from.sql_type, to.sql_type
                            ),
                        );
                    } else {
                        add(
                            "L207",
                            Severity::Note,
                            format!(
                                "`{table}.{}` changes type {} -> {} without a rewrite",
                                to.name, from.sql_type, to.sql_type
                            ),
                        );
                    }
                }
                if from.nullable && !to.nullable && existing(table) {
                    add(
                        "B102",
                        Severity::Warning,
                        format!("`{table}.{}` becomes NOT NULL", to.name),
                    );
                    add(
                        "L204",
                        Severity::Warning,
                        format!(
                            "SET NOT NULL on `{table}.{}` scans every row under ACCESS EXCLUSIVE",
                            to.name
                        ),
                    );
                }
                if from.sql_type != to.sql_type {
                    style(&mut add, table, to);
                }
            }
            Change::AlterEnumValues {
                name,
                from,
                to,
                uses,
            } => {
                if let Some(why) = change.data_loss() {
                    add("D004", loss, format!("{why}{consent}"));
                }
                if !from.iter().all(|v| to.contains(v)) {
                    add(
                        "L201",
                        Severity::Warning,
                        format!(
                            "rebuilding enum `{name}` rewrites {} column(s) using it",
                            uses.len()
                        ),
                    );
                }
            }
            Change::RenameColumn { table, from, to } => add(
                "B101",
                Severity::Warning,
                format!("column `{table}.{from}` becomes `{to}`"),
            ),
            Change::RenameTable { schema, from, to } => add(
                "B101",
                Severity::Warning,
                format!("table `{schema}.{from}` becomes `{to}`"),
            ),
            Change::RenameConstraint { table, from, to }
            | Change::RenameTrigger { table, from, to }
            | Change::RenamePolicy {
                table, from, to, ..
            } => add(
                "B105",
                Severity::Note,
                format!("`{from}` on `{table}` becomes `{to}`"),
            ),
            Change::RenameIndex { schema, from, to } => add(
                "B105",
                Severity::Note,
                format!("index `{schema}.{from}` becomes `{to}`"),
            ),
            Change::CreateIndex { table, index } if existing(table) => add(
                "L202",
                Severity::Warning,
                format!(
                    "index `{}` is built on `{table}` without CONCURRENTLY",
                    index.name
                ),
            ),
            Change::DropIndex { table, index } if !dropped.contains(table) => {
                add(
                    "L202",
                    Severity::Warning,
                    format!(
                        "index `{}` is dropped from `{table}` without CONCURRENTLY",
                        index.name
                    ),
                );
                add(
                    "B103",
                    Severity::Note,
                    format!("drops index `{}`", index.name),
                );
            }
            Change::AddForeignKey { table, foreign_key } if existing(table) => add(
                "L203",
                Severity::Warning,
                format!(
                    "foreign key `{}` is validated on `{table}` while it is added",
                    foreign_key.name
                ),
            ),
            Change::AddCheck { table, check } if existing(table) => add(
                "L203",
                Severity::Warning,
                format!(
                    "CHECK `{}` is validated on `{table}` while it is added",
                    check.name
                ),
            ),
            Change::AddUnique { table, unique } if existing(table) => add(
                "L203",
                Severity::Warning,
                format!(
                    "unique `{}` is built on `{table}` while it is added",
                    unique.name
                ),
            ),
            Change::AddPrimaryKey { table, key } if existing(table) => add(
                "L203",
                Severity::Warning,
                format!(
                    "primary key `{}` is built on `{table}` while it is added",
                    key.name
                ),
            ),
            Change::DropUnique { table, unique } if !dropped.contains(table) => add(
                "B103",
                Severity::Note,
                format!("drops unique `{}` from `{table}`", unique.name),
            ),
            Change::DropCheck { table, check } if !dropped.contains(table) => add(
                "B103",
                Severity::Note,
                format!("drops CHECK `{}` from `{table}`", check.name),
            ),
            Change::DropForeignKey { table, foreign_key } if !dropped.contains(table) => add(
                "B103",
                Severity::Note,
                format!("drops foreign key `{}` from `{table}`", foreign_key.name),
            ),
            Change::DropPrimaryKey { table, key } if !dropped.contains(table) => add(
                "B103",
                Severity::Note,
                format!("drops primary key `{}` from `{table}`", key.name),
            ),
            Change::DropTriggerFunction { schema, function } => add(
                "B104",
                Severity::Note,
                format!("drops `{schema}.{}()`", function.name()),
            ),
            Change::CreatePartition {
                table, partition, ..
            } if existing(table) && partition.bound != "DEFAULT" => add(
                "T303",
                Severity::Note,
                format!(
                    "partition `{}` of `{table}` is refused if the default partition holds rows {}",
                    partition.name, partition.bound
                ),
            ),
            Change::CreateTable(t) => {
                for column in &t.columns {
                    style(&mut add, &t.qualified_name(), column);
                }
            }
            Change::AddColumn { table, column } => {
                if existing(table) && column.default.as_deref().is_some_and(is_volatile) {
                    add(
                        "L201",
                        Severity::Warning,
                        format!(
                            "`{table}.{}` is added with a volatile default, which rewrites the table",
                            column.name
                        ),
                    );
                }
                style(&mut add, table, column);
            }
            _ => {}
        }
    }
    findings
}

/// Notes on a column's type where it is created (or its type changes).
fn style(
    add: &mut impl FnMut(&'static str, Severity, String),
    table: &QualifiedName,
    column: &crate::ir::Column,
) {
    let mut element = &column.sql_type;
    while let SqlType::Array(inner) = element {
        element = inner;
    }
    let at = format!("`{table}.{}`", column.name);
    match element {
        SqlType::Varchar(n) => add("S401", Severity::Note, format!("{at} is varchar({n})")),
        SqlType::SmallInt | SqlType::Integer => {
            add("S402", Severity::Note, format!("{at} is {}", element))
        }
        SqlType::Timestamp => add(
            "S404",
            Severity::Note,
            format!("{at} is timestamp without time zone"),
        ),
        _ => {}
    }
    if column.identity == Some(Identity::Serial) {
        add("S403", Severity::Note, format!("{at} is serial"));
    }
}

/// Whether a default expression calls a volatile function (which makes `ADD COLUMN` rewrite
/// the table instead of storing the default once).
fn is_volatile(default: &str) -> bool {
    let lower = default.to_ascii_lowercase();
    [
        "random(",
        "gen_random_uuid(",
        "uuid_generate_",
        "clock_timestamp(",
        "timeofday(",
        "nextval(",
    ]
    .iter()
    .any(|f| lower.contains(f))
}

/// squawk's rules, each with the lint codes that explain what it reports on the engine's
/// migrations (see the `squawk` test). A squawk rule missing here is not explained by lint.
pub const SQUAWK_RULES: &[(&str, &[&str])] = &[
    ("require-lock-timeout", &["L205"]),
    ("require-statement-timeout", &["L205"]),
    ("require-timeout-settings", &["L205"]),
    ("prefer-robust-stmts", &["L205"]),
    ("prefer-text-field", &["S401"]),
    ("prefer-bigint-over-int", &["S402"]),
    ("prefer-bigint-over-smallint", &["S402"]),
    ("prefer-identity", &["S403"]),
    ("prefer-timestamptz", &["S404"]),
    ("ban-drop-table", &["D001"]),
    ("ban-drop-column", &["D002"]),
    ("changing-column-type", &["D003", "L201", "L207"]),
    ("adding-field-with-default", &["L201"]),
    ("renaming-column", &["B101"]),
    ("renaming-table", &["B101"]),
    ("renaming-object", &["B105"]),
    ("adding-not-nullable-field", &["B102"]),
    ("adding-required-field", &["B102"]),
    ("ban-drop-constraint", &["B102", "B103"]),
    ("ban-drop-function", &["B104"]),
    ("require-concurrent-index-creation", &["L202", "L206"]),
    ("require-concurrent-index-deletion", &["L202"]),
    ("constraint-missing-not-valid", &["L203"]),
    ("adding-foreign-key-constraint", &["L203"]),
    ("disallowed-unique-constraint", &["L203"]),
    ("adding-serial-primary-key-field", &["L203"]),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Column, ForeignKey, Index, PrimaryKey, ReferentialAction, Unique};

    fn table(name: &str, columns: &[&str]) -> Table {
        let columns = columns
            .iter()
            .map(|c| Column::new(*c, SqlType::BigInt, false))
            .collect::<Vec<_>>();
        let primary_key = PrimaryKey {
            name: format!("{name}_pkey"),
            columns: vec![columns[0].name.clone()],
        };
        Table::new("billing", name, columns, primary_key)
    }

    /// `invoices (id, account_id, plan_id, total)` referring to `accounts` by `columns`,
    /// with `index` (if any) on it.
    fn unindexed(columns: &[&str], shape: impl FnOnce(&mut Table)) -> Vec<Finding> {
        let mut invoices = table("invoices", &["id", "account_id", "plan_id", "total"]);
        invoices.foreign_keys.push(ForeignKey {
            name: "invoices_fkey".into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            references: QualifiedName::new("billing", "accounts"),
            referenced_columns: columns.iter().map(|c| c.to_string()).collect(),
            on_delete: ReferentialAction::NoAction,
            on_update: ReferentialAction::NoAction,
            on_delete_columns: vec![],
        });
        shape(&mut invoices);
        let accounts = table("accounts", &["account_id", "plan_id"]);
        lint_schema(&Schema::new(vec![accounts, invoices]))
            .into_iter()
            .filter(|f| f.code == "L208")
            .collect()
    }

    #[test]
    fn a_foreign_key_needs_an_index_that_starts_with_its_columns() {
        let one = ["account_id"];
        let two = ["account_id", "plan_id"];
        let found = unindexed(&one, |_| {});
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("`invoices_fkey`"), "{found:?}");
        assert_eq!(found[0].migration, DECLARATIONS);
        // Led by a btree index, a unique constraint or the primary key: nothing to say.
        let index = |cols: &[&str]| Index::on("i", cols, false);
        assert!(unindexed(&one, |t| t.indexes.push(index(&["account_id", "total"]))).is_empty());
        assert!(unindexed(&two, |t| t.indexes.push(index(&[
            "plan_id",
            "account_id",
            "id"
        ])))
        .is_empty());
        assert!(unindexed(&two, |t| t.uniques.push(Unique {
            name: "u".into(),
            columns: vec!["account_id".into(), "plan_id".into()],
        }))
        .is_empty());
        assert!(unindexed(&one, |t| t.primary_key.columns =
            vec!["account_id".into(), "id".into()])
        .is_empty());
        // An index that does not start with the columns, covers part of them, is partial or
        // is not a btree does not serve the lookup.
        assert_eq!(
            unindexed(&one, |t| t.indexes.push(index(&["total", "account_id"]))).len(),
            1
        );
        assert_eq!(
            unindexed(&two, |t| t.indexes.push(index(&["account_id"]))).len(),
            1
        );
        assert_eq!(
            unindexed(&one, |t| {
                let mut partial = index(&["account_id"]);
                partial.predicate = Some("total > 0".into());
                t.indexes.push(partial);
            })
            .len(),
            1
        );
        assert_eq!(
            unindexed(&one, |t| {
                let mut gin = index(&["account_id"]);
                gin.method = IndexMethod::Gin;
                t.indexes.push(gin);
            })
            .len(),
            1
        );
    }
}
