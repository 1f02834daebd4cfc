//! Monthly partitions: what a month is, and how a monthly-partitioned table names and bounds
//! its months (the rules crate's rule, [`schema_rules::names::month_partition`] and
//! [`MonthKey`]). The declarations list the first months; `live::partitions` creates
//! the later ones and detaches old ones while the platform runs, by this same layout, so the
//! two are indistinguishable.

use crate::ir::{Partition, PartitionStrategy, QualifiedName, Schema, SqlType, Table};
use schema_rules::partitions::MonthKey;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    /// 1 to 12.
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (1..=9999).contains(&year)).then_some(Month { year, month })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// The first month there is (0001-01) and the last (9999-12).
    pub const FIRST: Month = Month { year: 1, month: 1 };
    pub const LAST: Month = Month {
        year: 9999,
        month: 12,
    };

    /// How many months `later` is after this one (negative when before).
    pub fn months_until(self, later: Month) -> i64 {
        let index = |m: Month| i64::from(m.year) * 12 + i64::from(m.month);
        index(later) - index(self)
    }

    /// The month `months` after this one (before it, when negative); `None` outside the years
    /// 1 to 9999. Checked: no argument can wrap it around.
    pub fn plus(self, months: i64) -> Option<Month> {
        let index = i64::from(self.year)
            .checked_mul(12)?
            .checked_add(i64::from(self.month) - 1)?
            .checked_add(months)?;
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
        Month::new(year, month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = String;

    /// `YYYY-MM`.
    fn from_str(text: &str) -> Result<Month, String> {
        text.split_once('-')
            .filter(|(y, m)| y.len() == 4 && m.len() == 2)
            .and_then(|(y, m)| Month::new(y.parse().ok()?, m.parse().ok()?))
            .ok_or_else(|| format!("`{text}` is not a month written YYYY-MM, e.g. 2027-01"))
    }
}

/// How a table is partitioned by month: what [`MonthlyLayout::of`] recognizes in the partitions
/// `#[table(monthly_partitions(...))]` declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyLayout {
    pub table: QualifiedName,
    /// The partition key: one `timestamptz`, `timestamp` or `date` column.
    pub column: String,
    /// The key's type, which says how a bound's literal is written (the rule the macros use).
    key: MonthKey,
}

impl MonthlyLayout {
    /// The layout of a RANGE-partitioned table on one time column with at least one partition
    /// named and bounded as a month; `None` for any other table.
    pub fn of(table: &Table) -> Option<MonthlyLayout> {
        let partitioning = table.partitioning.as_ref()?;
        if partitioning.strategy != PartitionStrategy::Range || partitioning.columns.len() != 1 {
            return None;
        }
        let column = &partitioning.columns[0];
        let key = match table.column(column)?.sql_type {
            SqlType::Timestamptz => MonthKey::Timestamptz,
            SqlType::Timestamp => MonthKey::Timestamp,
            SqlType::Date => MonthKey::Date,
            _ => return None,
        };
        let layout = MonthlyLayout {
            table: table.qualified_name(),
            column: column.clone(),
            key,
        };
        partitioning
            .partitions
            .iter()
            .any(|p| layout.month_of(p).is_some())
            .then_some(layout)
    }

    pub fn partition_name(&self, month: Month) -> String {
        schema_rules::names::month_partition(&self.table.name, month.year(), month.month())
    }

    pub fn partition(&self, month: Month) -> QualifiedName {
        QualifiedName::new(&self.table.schema, self.partition_name(month))
    }

    /// The bound as the declarations write it.
    pub fn bound(&self, month: Month) -> String {
        let pair = |m: Month| (m.year(), m.month());
        self.key.bound(pair(month), month.plus(1).map(pair))
    }

    /// The month's first instant and the next month's (the last month's range ends where the
    /// type's does), as SQL literals.
    pub fn range(&self, month: Month) -> (String, String) {
        let pair = |m: Month| (m.year(), m.month());
        self.key.range(pair(month), month.plus(1).map(pair))
    }

    /// The month a relation of this name holds, if the name is a month's partition's.
    pub fn month_named(&self, name: &str) -> Option<Month> {
        let rest = name.strip_prefix(&self.table.name)?.strip_prefix("_p")?;
        let month: Month = rest.replacen('_', "-", 1).parse().ok()?;
        (self.partition_name(month) == name).then_some(month)
    }

    /// The month a partition holds, if both its name and its bound are a month's (the bound
    /// as the declarations write it, or as PostgreSQL prints it in a UTC session).
    pub fn month_of(&self, partition: &Partition) -> Option<Month> {
        self.month_named(&partition.name)
            .filter(|m| partition.bound == self.bound(*m))
    }

    /// The months `table` (this table, as the catalog holds it) has a partition for, by name.
    pub fn attached_months(&self, table: &Table) -> BTreeMap<Month, String> {
        table
            .partitions()
            .filter_map(|p| Some((self.month_named(&p.name)?, p.name.clone())))
            .collect()
    }

    /// Tables of the table's schema named as one of its months but not attached to it, nor
    /// declared: months detached by [`retain`].
    pub fn detached_months(&self, live: &Schema, declared: &Schema) -> BTreeMap<Month, String> {
        live.tables
            .iter()
            .filter(|t| {
                t.schema == self.table.schema && declared.table(&t.qualified_name()).is_none()
            })
            .filter_map(|t| Some((self.month_named(&t.name)?, t.name.clone())))
            .collect()
    }

    /// The table's default partition, if it has one.
    pub fn default_partition(&self, table: &Table) -> Option<QualifiedName> {
        table
            .partitions()
            .find(|p| p.bound == "DEFAULT")
            .map(|p| QualifiedName::new(&self.table.schema, &p.name))
    }
}

/// The monthly-partitioned tables of the declarations.
pub fn monthly_tables(declared: &Schema) -> Vec<MonthlyLayout> {
    declared
        .tables
        .iter()
        .filter_map(MonthlyLayout::of)
        .collect()
}

/// The first month `retain` keeps attached when keeping `keep_months` before `current`: at
/// least one month before the current one, whatever `keep_months` is, so the current month and
/// later ones are never detached or dropped.
pub fn retention_cutoff(current: Month, keep_months: u32) -> Month {
    current
        .plus(-i64::from(keep_months))
        .unwrap_or(Month::FIRST)
        .min(current.plus(-1).unwrap_or(Month::FIRST))
}

/// The most months `ensure` creates ahead of the current one.
pub const MAX_AHEAD: u32 = 120;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ir::{Column, Partitioning, PrimaryKey};

    pub(crate) fn table(sql_type: SqlType, partitions: &[(&str, &str)]) -> Table {
        let mut t = Table::new(
            "telecom",
            "call_detail_records",
            vec![Column::new("started_at", sql_type, false)],
            PrimaryKey {
                name: "call_detail_records_pkey".into(),
                columns: vec!["started_at".into()],
            },
        );
        t.partitioning = Some(Partitioning {
            strategy: PartitionStrategy::Range,
            columns: vec!["started_at".into()],
            partitions: partitions
                .iter()
                .map(|(name, bound)| Partition {
                    name: name.to_string(),
                    bound: bound.to_string(),
                })
                .collect(),
        });
        t
    }

    #[test]
    fn months_count_across_years() {
        let m: Month = "2026-11".parse().unwrap();
        assert_eq!(m.plus(2).unwrap().to_string(), "2027-01");
        assert_eq!(m.plus(-11).unwrap().to_string(), "2025-12");
        assert_eq!(m.plus(-23).unwrap().to_string(), "2024-12");
        // Checked at both ends, for any argument.
        assert_eq!(Month::LAST.plus(1), None);
        assert_eq!(Month::FIRST.plus(-1), None);
        for months in [
            i64::MAX,
            i64::MIN,
            i64::from(u32::MAX),
            -i64::from(u32::MAX),
        ] {
            assert_eq!(m.plus(months), None, "{months}");
        }
        assert_eq!(Month::FIRST.plus(9999 * 12 - 1), Some(Month::LAST));
        for bad in ["2026-13", "2026-00", "26-01", "2026-1", "2026/01", "x"] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_table_is_monthly_when_a_partition_is_named_and_bounded_as_a_month() {
        let t = table(
            SqlType::Timestamptz,
            &[
                (
                    "call_detail_records_p2026_12",
                    "FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')",
                ),
                ("call_detail_records_default", "DEFAULT"),
            ],
        );
        let layout = MonthlyLayout::of(&t).unwrap();
        let month = Month::new(2027, 7).unwrap();
        assert_eq!(layout.partition_name(month), "call_detail_records_p2027_07");
        assert_eq!(
            layout.bound(month),
            "FOR VALUES FROM ('2027-07-01 00:00:00+00') TO ('2027-08-01 00:00:00+00')"
        );
        assert_eq!(
            layout.month_named("call_detail_records_p2027_07"),
            Some(month)
        );
        for other in [
            "call_detail_records_default",
            "call_detail_records_p2027_7",
            "call_detail_records_p2027_07x",
            "call_detail_records_p2027-07",
            "cdr_p2027_07",
        ] {
            assert_eq!(layout.month_named(other), None, "{other}");
        }

        // A partition named as a month but bounded otherwise is not recognized.
        let odd = table(
            SqlType::Timestamptz,
            &[(
                "call_detail_records_p2026_12",
                "FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-02-01 00:00:00+00')",
            )],
        );
        assert_eq!(MonthlyLayout::of(&odd), None);
        let dates = table(
            SqlType::Date,
            &[(
                "call_detail_records_p2026_12",
                "FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')",
            )],
        );
        assert!(MonthlyLayout::of(&dates).is_some());
        let wrong_type = table(
            SqlType::BigInt,
            &[(
                "call_detail_records_p2026_12",
                "FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')",
            )],
        );
        assert_eq!(MonthlyLayout::of(&wrong_type), None);
    }
}
