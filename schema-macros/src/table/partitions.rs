//! `PARTITION BY` and the partitions. The rules are PostgreSQL's, checked at compile time:
//! keys and unique indexes must include the partition key, bounds must fit the strategy, and
//! each partition's copy of an index gets the project's name, which must fit.

use super::model::IndexModel;
use super::model::{Context, PartitioningModel};
use crate::attr::{self, BoundSpec, Strategy};
use crate::ctxt::Ctxt;
use crate::names::check_identifier;
use crate::types::RustType;
use proc_macro2::Span;
use schema_rules::partitions::MonthKey;
use syn::LitStr;

/// The table's partitioning attributes.
pub struct Declared {
    pub by: Option<attr::PartitionBySpec>,
    pub partitions: Vec<attr::PartitionSpec>,
    pub monthly: Option<attr::MonthlySpec>,
}

/// The indexes every partition holds a copy of.
pub struct Keys<'a> {
    pub primary_key: &'a (String, Vec<String>),
    pub uniques: &'a [(String, Vec<String>)],
    pub indexes: &'a [IndexModel],
}

/// A SQL string literal.
fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// One partition-bound value: `MINVALUE`/`MAXVALUE` as keywords, anything else as a literal
/// PostgreSQL casts to the key column's type.
fn bound_value(lit: &LitStr) -> String {
    let value = lit.value();
    match value.to_ascii_uppercase().as_str() {
        "MINVALUE" | "MAXVALUE" => value.to_ascii_uppercase(),
        _ => quote_literal(&value),
    }
}

fn bound_list(values: &[LitStr]) -> String {
    values
        .iter()
        .map(bound_value)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn build(t: &Context, declared: Declared, keys: Keys) -> Option<PartitioningModel> {
    let cx = t.cx;
    let Declared {
        by: partition_by,
        partitions: partition_specs,
        monthly,
    } = declared;
    let Keys {
        primary_key,
        uniques,
        indexes,
    } = keys;
    let columns = t.columns;
    let Some(by) = partition_by else {
        for spec in &partition_specs {
            cx.syn_error(syn::Error::new(spec.span, "`partition` needs `partition_by(...)` on the table\nhelp: the correct format looks like #[table(partition_by(range(started_at)), partition(...))]"));
        }
        if let Some(m) = &monthly {
            cx.syn_error(syn::Error::new(
                m.span,
                "`monthly_partitions` needs `partition_by(range(column))` on the table",
            ));
        }
        return None;
    };
    let key = t.resolve(&by.columns, "`partition_by`");
    for column in columns.iter().filter(|c| key.contains(&c.name)) {
        if column.generated.is_some() {
            cx.syn_error(syn::Error::new(
                by.span,
                format!(
                    "`{}` is a generated column and cannot be part of the partition key",
                    column.name
                ),
            ));
        }
    }
    if by.strategy == Strategy::List && key.len() != 1 {
        cx.syn_error(syn::Error::new(
            by.span,
            "`list` partitioning takes exactly one column",
        ));
    }
    // PostgreSQL enforces uniqueness per partition, so a key or unique index is only global
    // when it contains every partition column.
    let missing = |cols: &[String]| {
        key.iter()
            .filter(|k| !cols.contains(k))
            .cloned()
            .collect::<Vec<_>>()
    };
    let require = |what: String, cols: &[String]| {
        let m = missing(cols);
        if !m.is_empty() {
            cx.syn_error(syn::Error::new(by.span, format!(
                "{what} must include the partition key column(s) {}: PostgreSQL checks uniqueness per partition\nhelp: add {} to its columns",
                m.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
                m.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
            )));
        }
    };
    require(
        format!("the primary key `{}`", primary_key.0),
        &primary_key.1,
    );
    for (name, cols) in uniques {
        require(format!("unique constraint `{name}`"), cols);
    }
    for index in indexes.iter().filter(|i| i.unique) {
        let cols: Vec<String> = index.columns.iter().map(|(c, _)| c.clone()).collect();
        require(format!("unique index `{}`", index.name), &cols);
    }

    let mut partitions = Partitions {
        table_name: t.table_name,
        parent_indexes: std::iter::once(&primary_key.0)
            .chain(uniques.iter().map(|(n, _)| n))
            .chain(indexes.iter().map(|i| &i.name))
            .cloned()
            .collect(),
        partitions: Vec::new(),
        index_copies: Vec::new(),
        too_long: Vec::new(),
    };
    for spec in partition_specs {
        declared_partition(cx, &mut partitions, spec, by.strategy, &key);
    }
    if let Some(m) = monthly {
        monthly_partitions(t, &mut partitions, m, by.strategy, &key);
    }
    let Partitions {
        partitions,
        index_copies,
        ..
    } = partitions;
    if partitions.iter().filter(|(_, b)| b == "DEFAULT").count() > 1 {
        cx.syn_error(syn::Error::new(
            by.span,
            "a table has at most one `default` partition",
        ));
    }
    Some(PartitioningModel {
        strategy: by.strategy,
        columns: key,
        partitions,
        index_copies,
    })
}

/// The partitions so far, and their index copies.
struct Partitions<'a> {
    table_name: &'a str,
    parent_indexes: Vec<String>,
    /// `(name, bound DDL)`.
    partitions: Vec<(String, String)>,
    index_copies: Vec<String>,
    /// Indexes whose copy was already reported too long.
    too_long: Vec<String>,
}

impl Partitions<'_> {
    /// A partition: its name is an identifier used once, and each index's copy on it fits.
    fn add(&mut self, cx: &Ctxt, name: String, bound: String, span: Span) {
        let name_ok = check_identifier(cx, span, "partition name", &name);
        // Each partition holds a copy of every index, named by the project, never truncated.
        for index in self.parent_indexes.iter().filter(|_| name_ok) {
            let copy = schema_rules::names::index_copy(self.table_name, &name, index);
            if copy.len() > schema_rules::names::MAX_IDENTIFIER_BYTES
                && !self.too_long.contains(index)
            {
                // Once per index: monthly partitions' names all have one length.
                self.too_long.push(index.clone());
                cx.syn_error(syn::Error::new(
                    span,
                    format!("partition `{name}`'s copy of index `{index}` would be named `{copy}`, {} bytes, more than PostgreSQL's 63\nhelp: give the index a shorter `name = \"...\"`, or the partition a shorter name", copy.len()),
                ));
            }
            self.index_copies.push(copy);
        }
        if name == self.table_name || self.partitions.iter().any(|(n, _)| *n == name) {
            cx.syn_error(syn::Error::new(
                span,
                format!("partition name `{name}` is used twice"),
            ));
        }
        self.partitions.push((name, bound));
    }
}

/// A `partition(name = ..., <bound>)`: the bound fits the strategy and the key.
fn declared_partition(
    cx: &Ctxt,
    partitions: &mut Partitions,
    spec: attr::PartitionSpec,
    strategy: Strategy,
    key: &[String],
) {
    let Some(bound) = &spec.bound else { return };
    let text = match (bound, strategy) {
        (BoundSpec::Default, Strategy::Range | Strategy::List) => "DEFAULT".to_string(),
        (BoundSpec::Range { from, to }, Strategy::Range) => {
            if from.len() != key.len() || to.len() != key.len() {
                cx.syn_error(syn::Error::new(
                    spec.span,
                    format!(
                        "a range bound needs one value per partition column ({})",
                        key.len()
                    ),
                ));
            }
            format!(
                "FOR VALUES FROM ({}) TO ({})",
                bound_list(from),
                bound_list(to)
            )
        }
        (BoundSpec::List(values), Strategy::List) => {
            if values.is_empty() {
                cx.syn_error(syn::Error::new(
                    spec.span,
                    "`values(...)` needs at least one value",
                ));
            }
            format!("FOR VALUES IN ({})", bound_list(values))
        }
        (BoundSpec::Hash { modulus, remainder }, Strategy::Hash) => {
            match (
                modulus.base10_parse::<u32>(),
                remainder.base10_parse::<u32>(),
            ) {
                (Ok(m), Ok(r)) if m > 0 && r < m => {}
                _ => cx.error_spanned_by(
                    modulus,
                    "a hash partition needs `modulus` > 0 and 0 <= `remainder` < `modulus`",
                ),
            }
            format!(
                "FOR VALUES WITH (MODULUS {}, REMAINDER {})",
                modulus.base10_digits(),
                remainder.base10_digits()
            )
        }
        (_, strategy) => {
            cx.syn_error(syn::Error::new(spec.span, format!(
                "this bound does not fit `{}` partitioning\nhelp: range partitions take `from`/`to`, list partitions `values(...)`, hash partitions `modulus`/`remainder`; range and list tables may have one `default`",
                strategy.word()
            )));
            return;
        }
    };
    partitions.add(cx, spec.name.value(), text, spec.name.span());
}

/// `monthly_partitions(from = "YYYY-MM", months = N)`: one partition per month, named and
/// bounded by the rules crate (the same rule partition maintenance creates later months by).
fn monthly_partitions(
    t: &Context,
    partitions: &mut Partitions,
    m: attr::MonthlySpec,
    strategy: Strategy,
    key: &[String],
) {
    let (cx, table_name, columns) = (t.cx, t.table_name, t.columns);
    let key_type = columns
        .iter()
        .find(|c| key.len() == 1 && c.name == key[0])
        .and_then(|c| c.ty.known());
    let month_key = match (strategy, key_type) {
        (Strategy::Range, Some(RustType::DateTimeUtc)) => Some(MonthKey::Timestamptz),
        (Strategy::Range, Some(RustType::NaiveDateTime)) => Some(MonthKey::Timestamp),
        (Strategy::Range, Some(RustType::NaiveDate)) => Some(MonthKey::Date),
        _ => {
            cx.syn_error(syn::Error::new(m.span, "`monthly_partitions` needs `partition_by(range(column))` on one `DateTime<Utc>`, `NaiveDateTime` or `NaiveDate` column"));
            None
        }
    };
    let start = m.from.value();
    let parsed = start
        .split_once('-')
        .and_then(|(y, mo)| Some((y.parse::<i32>().ok()?, mo.parse::<u32>().ok()?)))
        .filter(|(y, mo)| (1900..=9000).contains(y) && (1..=12).contains(mo) && start.len() == 7);
    let months = m
        .months
        .base10_parse::<u32>()
        .ok()
        .filter(|n| (1..=1200).contains(n));
    if parsed.is_none() {
        cx.error_spanned_by(
            &m.from,
            "`from` is a month written `YYYY-MM`, e.g. \"2026-01\"",
        );
    }
    if months.is_none() {
        cx.error_spanned_by(&m.months, "`months` must be between 1 and 1200");
    }
    if let (Some(month_key), Some((year, month)), Some(months)) = (month_key, parsed, months) {
        let at = |i: u32| {
            let index = (year as u32) * 12 + (month - 1) + i;
            ((index / 12) as i32, index % 12 + 1)
        };
        for i in 0..months {
            let (y, mo) = at(i);
            partitions.add(
                cx,
                schema_rules::names::month_partition(table_name, y, mo),
                month_key.bound((y, mo), Some(at(i + 1))),
                m.span,
            );
        }
    }
}
