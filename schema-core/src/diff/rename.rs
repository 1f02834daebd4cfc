//! Renames: a column with `renamed_from`, and constraints, indexes, triggers, policies and
//! partitions that differ from an old one only in name, become `RENAME` changes instead of a
//! drop and a create; SQL fragments that differ only in rendering are no change.

use super::{Change, Found};
use crate::fragment;
use crate::ir::{Check, ForeignKey, Index, Partition, Policy, Table, TriggerFunction, Unique};

/// `table` as it is after `RENAME COLUMN from TO to`: PostgreSQL renames the column in every
/// key, index and expression that uses it.
pub(super) fn rename_column_in(table: &mut Table, from: &str, to: &str) {
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
pub(super) fn match_renames<T: Clone + PartialEq>(
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

/// `old` with each SQL fragment that means what `new`'s does written as `new` writes it, so a
/// fragment that changed only in rendering (quoting, spacing, case, outer parentheses) is no
/// change.
pub(super) fn with_renderings_of(old: &Table, new: &Table) -> Table {
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

/// Whether `renames_in_table` could find anything: a column with `renamed_from`, or an object
/// name only the old table has. Most tables have neither, and are not copied.
pub(super) fn may_rename(old: &Table, new: &Table) -> bool {
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
pub(super) fn renames_in_table(old_table: &Table, new_table: &Table, found: &mut Found) -> Table {
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
            found.push(Change::RenameColumn {
                table: name.clone(),
                from: from.clone(),
                to: column.name.clone(),
            });
            rename_column_in(&mut old, from, &column.name);
        }
    }
    let constraint = |found: &mut Found, pairs: Vec<(String, String)>| {
        for (from, to) in pairs {
            found.push(Change::RenameConstraint {
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
            found,
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
    constraint(found, pairs);
    let pairs = match_renames(
        &mut old.foreign_keys,
        &new_table.foreign_keys,
        |f| &f.name,
        |f, n| ForeignKey {
            name: n.name.clone(),
            ..f.clone()
        },
    );
    constraint(found, pairs);
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
    constraint(found, pairs);
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
        found.push(Change::RenameIndex {
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
            found.push(Change::RenameTable {
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
            found.push(Change::RenamePolicy {
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
                found.push(Change::RenameTrigger {
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
