//! Monthly partitions' bounds.

/// What follows `YYYY-MM-01` in a monthly bound's literal, by the partition key's type:
/// bounds are written in UTC (`+00`) for `timestamptz`, so partitions do not depend on the
/// session time zone of whoever applies the migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthKey {
    Timestamptz,
    Timestamp,
    Date,
}

impl MonthKey {
    pub fn literal_suffix(self) -> &'static str {
        match self {
            MonthKey::Timestamptz => " 00:00:00+00",
            MonthKey::Timestamp => " 00:00:00",
            MonthKey::Date => "",
        }
    }

    /// The first instant of a month, as a SQL literal.
    pub fn month_start(self, year: i32, month: u32) -> String {
        format!("'{year:04}-{month:02}-01{}'", self.literal_suffix())
    }

    /// A month's first instant and the next month's (`None`: the end of the type's range,
    /// `MAXVALUE`), as SQL.
    pub fn range(self, month: (i32, u32), next: Option<(i32, u32)>) -> (String, String) {
        let to = next.map_or_else(|| "MAXVALUE".to_string(), |(y, m)| self.month_start(y, m));
        (self.month_start(month.0, month.1), to)
    }

    /// A month's bound as the declarations write it: from its first instant to the next
    /// month's ([`MonthKey::range`]).
    pub fn bound(self, month: (i32, u32), next: Option<(i32, u32)>) -> String {
        let (from, to) = self.range(month, next);
        format!("FOR VALUES FROM ({from}) TO ({to})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(
            MonthKey::Timestamptz.bound((2026, 12), Some((2027, 1))),
            "FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')"
        );
        assert_eq!(
            MonthKey::Date.bound((9999, 12), None),
            "FOR VALUES FROM ('9999-12-01') TO (MAXVALUE)"
        );
    }
}
