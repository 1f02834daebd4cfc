//! What a migration runs: a logical [`Change`] as the differ found it, or one of the planner's
//! steps that carry a change out on a live table without holding its lock for long (`NOT
//! VALID` then `VALIDATE`, a batched backfill then `SET NOT NULL`, `CONCURRENTLY`, `ON ONLY`
//! then `ATTACH`, a unique constraint over an index built concurrently).
//!
//! Every step has an exact inverse that is another step, so the down script is the inverses
//! in reverse order, as for changes; no step says which way it runs with a flag.
//!
//! Snapshot format 3 records these; [`upgrade_format_2`] reads the format before it, where
//! the planner's steps were `Change` variants with `undo` / `set` / `attach` flags.

use crate::diff::{self, Change};
use crate::ir::{Check, ForeignKey, Index, QualifiedName, Unique};
use serde::{Deserialize, Serialize};
use std::fmt;

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

/// A child index of a partitioned index: the partition and the index built on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildIndex {
    pub partition: String,
    pub index: String,
}

// A migration holds tens of steps, built once: boxing the change would cost every match a
// dereference to save a few kilobytes.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// `ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID`: new rows are checked at once, existing
    /// ones by a later [`Step::ValidateConstraint`], which takes a weaker lock.
    AddForeignKeyNotValid {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    AddCheckNotValid {
        table: QualifiedName,
        check: Check,
    },
    /// `VALIDATE CONSTRAINT`.
    ValidateConstraint {
        table: QualifiedName,
        constraint: String,
    },
    /// The inverse of a validation: nothing, validation changes no data (the constraint goes
    /// with the inverse of the step that added it).
    KeepValidated {
        table: QualifiedName,
        constraint: String,
    },
    /// Fills the NULLs of `column` with `expression` (`DEFAULT` without one). Batched (every
    /// migration written since batching): a `DO` block alone in a migration outside a
    /// transaction, committing batch by batch, that then adds the `NOT VALID` check `column IS
    /// NOT NULL` and fills what was inserted meanwhile (see [`crate::backfill::backfill_sql`]).
    /// Unbatched (migrations written before): one `UPDATE`.
    Backfill {
        table: QualifiedName,
        column: String,
        expression: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        batched: Option<Batched>,
    },
    /// The inverse of a backfill: the filled values stay (which rows were NULL is not
    /// recorded); a batched one's check goes.
    KeepBackfilled {
        table: QualifiedName,
        column: String,
        expression: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        batched: Option<Batched>,
    },
    /// `SET NOT NULL` once the validated `check` (`column IS NOT NULL`) proves it, so
    /// PostgreSQL skips the scan; then the check goes.
    SetNotNull {
        table: QualifiedName,
        column: String,
        check: String,
    },
    /// The inverse of [`Step::SetNotNull`]: the check comes back `NOT VALID`, NOT NULL goes.
    DropNotNull {
        table: QualifiedName,
        column: String,
        check: String,
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
    /// `ALTER INDEX ... ATTACH PARTITION` for every partition's index.
    AttachIndex {
        table: QualifiedName,
        index: Index,
        children: Vec<ChildIndex>,
    },
    /// The inverse of [`Step::AttachIndex`]. PostgreSQL has no DETACH for indexes, so this
    /// drops the partitioned index (and the attached ones) and puts back the `ON ONLY` index.
    DropAttachedIndex {
        table: QualifiedName,
        index: Index,
        children: Vec<ChildIndex>,
    },
    /// `ADD CONSTRAINT ... UNIQUE USING INDEX`, over an index built concurrently.
    AddUniqueUsingIndex {
        table: QualifiedName,
        unique: Unique,
    },
    /// A change run as the differ found it. Recorded untagged, as the change itself.
    #[serde(untagged)]
    Change(Change),
}

impl From<Change> for Step {
    fn from(change: Change) -> Step {
        Step::Change(change)
    }
}

impl Step {
    /// The logical change this step is, when the planner left it as it was.
    pub fn as_change(&self) -> Option<&Change> {
        match self {
            Step::Change(change) => Some(change),
            _ => None,
        }
    }

    /// The step that undoes this one.
    pub fn inverse(&self) -> Step {
        use Step::*;
        match self.clone() {
            AddForeignKeyNotValid { table, foreign_key } => {
                diff::Change::DropForeignKey { table, foreign_key }.into()
            }
            AddCheckNotValid { table, check } => diff::Change::DropCheck { table, check }.into(),
            ValidateConstraint { table, constraint } => KeepValidated { table, constraint },
            KeepValidated { table, constraint } => ValidateConstraint { table, constraint },
            Backfill {
                table,
                column,
                expression,
                batched,
            } => KeepBackfilled {
                table,
                column,
                expression,
                batched,
            },
            KeepBackfilled {
                table,
                column,
                expression,
                batched,
            } => Backfill {
                table,
                column,
                expression,
                batched,
            },
            SetNotNull {
                table,
                column,
                check,
            } => DropNotNull {
                table,
                column,
                check,
            },
            DropNotNull {
                table,
                column,
                check,
            } => SetNotNull {
                table,
                column,
                check,
            },
            CreateIndexConcurrently { table, index } => DropIndexConcurrently { table, index },
            DropIndexConcurrently { table, index } => CreateIndexConcurrently { table, index },
            CreateIndexOnOnly { table, index } => diff::Change::DropIndex { table, index }.into(),
            AttachIndex {
                table,
                index,
                children,
            } => DropAttachedIndex {
                table,
                index,
                children,
            },
            DropAttachedIndex {
                table,
                index,
                children,
            } => AttachIndex {
                table,
                index,
                children,
            },
            AddUniqueUsingIndex { table, unique } => {
                diff::Change::DropUnique { table, unique }.into()
            }
            Change(change) => change.inverse().into(),
        }
    }

    /// Why applying this step loses data that its down cannot bring back, if it does: only
    /// logical changes lose data; the planner's steps carry them out.
    pub fn data_loss(&self) -> Option<String> {
        self.as_change().and_then(Change::data_loss)
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::AddForeignKeyNotValid { table, foreign_key } => write!(
                f,
                "add foreign key `{}` on `{table}` -> `{}` (NOT VALID)",
                foreign_key.name, foreign_key.references
            ),
            Step::AddCheckNotValid { table, check } => write!(
                f,
                "add check constraint `{}` on `{table}` (NOT VALID)",
                check.name
            ),
            Step::ValidateConstraint { table, constraint } => {
                write!(f, "validate constraint `{constraint}` on `{table}`")
            }
            Step::KeepValidated { .. } => write!(f, "nothing to undo for a validation"),
            Step::Backfill { table, column, .. } => {
                write!(f, "backfill NULLs of `{table}.{column}`")
            }
            Step::KeepBackfilled { table, column, .. } => {
                write!(f, "keep the values backfilled into `{table}.{column}`")
            }
            Step::SetNotNull { table, column, .. } => {
                write!(f, "set NOT NULL on `{table}.{column}`")
            }
            Step::DropNotNull { table, column, .. } => {
                write!(f, "drop NOT NULL on `{table}.{column}`")
            }
            Step::CreateIndexConcurrently { table, index } => {
                write!(f, "create index `{}` on `{table}` concurrently", index.name)
            }
            Step::DropIndexConcurrently { table, index } => {
                write!(f, "drop index `{}` on `{table}` concurrently", index.name)
            }
            Step::CreateIndexOnOnly { table, index } => write!(
                f,
                "create index `{}` on only the partitioned table `{table}`",
                index.name
            ),
            Step::AttachIndex {
                table,
                index,
                children,
            } => write!(
                f,
                "attach {} partition index(es) to `{}` on `{table}`",
                children.len(),
                index.name
            ),
            Step::DropAttachedIndex { table, index, .. } => write!(
                f,
                "drop partitioned index `{}` on `{table}` with its partitions' indexes",
                index.name
            ),
            Step::AddUniqueUsingIndex { table, unique } => write!(
                f,
                "add unique constraint `{}` on `{table}` using its index",
                unique.name
            ),
            Step::Change(change) => change.fmt(f),
        }
    }
}

/// Rewrites one change recorded by snapshot format 2 as format 3 records it. Format 2 kept the
/// planner's steps among the changes and said which way four of them ran with a flag:
/// `ValidateConstraint { undo }`, `Backfill { undo }`, `ColumnNotNull { set }` and
/// `AttachIndex { attach }`. The flag becomes the step or its inverse, and is removed.
pub fn upgrade_format_2(change: &mut serde_json::Value) -> Result<(), String> {
    let Some(object) = change.as_object_mut() else {
        // A unit variant, written as its name: nothing to rewrite.
        return Ok(());
    };
    let Some((tag, _)) = object.iter().next() else {
        return Err("an empty object where a change was expected".into());
    };
    let tag = tag.clone();
    let (flag, forward, inverse, inverse_when) = match tag.as_str() {
        "ValidateConstraint" => ("undo", "ValidateConstraint", "KeepValidated", true),
        "Backfill" => ("undo", "Backfill", "KeepBackfilled", true),
        "ColumnNotNull" => ("set", "SetNotNull", "DropNotNull", false),
        "AttachIndex" => ("attach", "AttachIndex", "DropAttachedIndex", false),
        _ => return Ok(()),
    };
    let mut fields = object.remove(&tag).expect("the tag was just read");
    let value = fields
        .as_object_mut()
        .and_then(|f| f.remove(flag))
        .and_then(|v| v.as_bool())
        .ok_or_else(|| format!("a format 2 `{tag}` without its boolean `{flag}`"))?;
    let new_tag = if value == inverse_when {
        inverse
    } else {
        forward
    };
    object.insert(new_tag.to_string(), fields);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table() -> QualifiedName {
        QualifiedName::new("billing", "invoices")
    }

    fn steps() -> Vec<Step> {
        let index = Index::on("invoices_total_idx", &["total"], false);
        let children = vec![ChildIndex {
            partition: "invoices_p2026_01".into(),
            index: "invoices_p2026_01_total_idx".into(),
        }];
        let batched = Some(Batched {
            key: vec!["id".into()],
            batch_size: 100,
            check: "invoices_total_not_null".into(),
        });
        vec![
            Step::ValidateConstraint {
                table: table(),
                constraint: "invoices_account_fk".into(),
            },
            Step::Backfill {
                table: table(),
                column: "total".into(),
                expression: Some("0".into()),
                batched,
            },
            Step::SetNotNull {
                table: table(),
                column: "total".into(),
                check: "invoices_total_not_null".into(),
            },
            Step::CreateIndexConcurrently {
                table: table(),
                index: index.clone(),
            },
            Step::AttachIndex {
                table: table(),
                index,
                children,
            },
            Step::Change(Change::CreateSchema("billing".into())),
        ]
    }

    #[test]
    fn every_step_is_the_inverse_of_its_inverse() {
        for step in steps() {
            let inverse = step.inverse();
            assert_ne!(inverse, step, "{step} is its own inverse");
            assert_eq!(inverse.inverse(), step, "{step}");
        }
    }

    #[test]
    fn a_change_is_recorded_as_the_change_itself() {
        let step = Step::Change(Change::CreateSchema("billing".into()));
        let json = serde_json::to_value(&step).unwrap();
        assert_eq!(json, json!({ "CreateSchema": "billing" }));
        assert_eq!(serde_json::from_value::<Step>(json).unwrap(), step);
        for step in steps() {
            let json = serde_json::to_value(&step).unwrap();
            assert_eq!(serde_json::from_value::<Step>(json).unwrap(), step);
        }
    }

    #[test]
    fn format_2_flags_become_the_step_or_its_inverse() {
        let read = |mut v: serde_json::Value| {
            upgrade_format_2(&mut v).unwrap();
            serde_json::from_value::<Step>(v).unwrap()
        };
        let t = json!({ "schema": "billing", "name": "invoices" });
        let validate =
            |undo| json!({ "ValidateConstraint": { "table": t, "constraint": "c", "undo": undo } });
        let forward = Step::ValidateConstraint {
            table: table(),
            constraint: "c".into(),
        };
        assert_eq!(read(validate(false)), forward);
        assert_eq!(read(validate(true)), forward.inverse());
        let not_null = |set| json!({ "ColumnNotNull": { "table": t, "column": "total", "check": "k", "set": set } });
        let set = Step::SetNotNull {
            table: table(),
            column: "total".into(),
            check: "k".into(),
        };
        assert_eq!(read(not_null(true)), set);
        assert_eq!(read(not_null(false)), set.inverse());
        let backfill = |undo| json!({ "Backfill": { "table": t, "column": "total", "expression": null, "undo": undo } });
        let fill = Step::Backfill {
            table: table(),
            column: "total".into(),
            expression: None,
            batched: None,
        };
        assert_eq!(read(backfill(false)), fill);
        assert_eq!(read(backfill(true)), fill.inverse());
        // A change that was never a planner's step reads as it was written.
        assert_eq!(
            read(json!({ "CreateSchema": "billing" })),
            Step::Change(Change::CreateSchema("billing".into()))
        );
        // A flag that is missing is an error, not a guess.
        let mut broken = json!({ "AttachIndex": { "table": t } });
        assert!(upgrade_format_2(&mut broken)
            .unwrap_err()
            .contains("attach"));
    }
}
