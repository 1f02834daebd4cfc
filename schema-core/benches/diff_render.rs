//! Diff + plan + lint + render of a synthetic schema: 1,000 tables of 20 columns, each with a primary key,
//! a foreign key to the previous table, a unique constraint, two indexes (one partial), a
//! CHECK, a comment, a tenant policy and an `updated_at` trigger.
//!
//! `cargo bench -p schema-core --bench diff_render [-- TABLES RUNS]` prints the median of RUNS
//! runs of everything `generate` computes (the diff, its split into safe phases, lint over each
//! phase, the SQL of each) for: creating the whole schema from nothing (what `generate` does for a new database),
//! an incremental change touching 10 % of the tables, and a no-op diff (what `check` does when
//! everything is up to date).

use schema_core::diff::diff;
use schema_core::ir::{
    Check, Column, ForeignKey, Index, Policy, PolicyCommand, PrimaryKey, QualifiedName,
    ReferentialAction, RowSecurity, Schema, SqlType, Table, Unique,
};
use schema_core::lint::lint_migration;
use schema_core::migrations::render_phase;
use schema_core::plan::plan;
use std::time::{Duration, Instant};

fn table(i: usize) -> Table {
    let name = format!("table_{i:04}");
    let mut columns = vec![
        Column::new("id", SqlType::BigInt, false),
        Column::new("account_id", SqlType::Uuid, false),
        Column::new("parent_id", SqlType::BigInt, true),
    ];
    for c in 0..14 {
        let ty = match c % 5 {
            0 => SqlType::Varchar(64),
            1 => SqlType::Integer,
            2 => SqlType::NumericPs(12, 2),
            3 => SqlType::Jsonb,
            _ => SqlType::Text,
        };
        columns.push(Column::new(format!("field_{c:02}"), ty, c % 2 == 0));
    }
    for ts in ["created_at", "updated_at"] {
        let mut c = Column::new(ts, SqlType::Timestamptz, false);
        c.default = Some("now()".into());
        columns.push(c);
    }
    columns.push(Column::new("deleted_at", SqlType::Timestamptz, true));
    let mut t = Table::new(
        "bench",
        &name,
        columns,
        PrimaryKey {
            name: format!("{name}_pkey"),
            columns: vec!["id".into()],
        },
    );
    if i > 0 {
        t.foreign_keys.push(ForeignKey {
            name: format!("{name}_parent_id_fkey"),
            columns: vec!["parent_id".into()],
            references: QualifiedName::new("bench", format!("table_{:04}", i - 1)),
            referenced_columns: vec!["id".into()],
            on_delete: ReferentialAction::Cascade,
            on_update: ReferentialAction::NoAction,
            on_delete_columns: Vec::new(),
        });
    }
    t.uniques.push(Unique {
        name: format!("{name}_account_id_id_key"),
        columns: vec!["account_id".into(), "id".into()],
    });
    t.indexes.push(Index::on(
        format!("{name}_parent_id_idx"),
        &["parent_id"],
        false,
    ));
    let mut live = Index::on(
        format!("{name}_field_00_idx"),
        &["account_id", "field_00"],
        true,
    );
    live.predicate = Some("deleted_at IS NULL".into());
    t.indexes.push(live);
    t.checks.push(Check {
        name: format!("{name}_field_01_check"),
        expression: "field_01 >= 0".into(),
    });
    t.comment = Some(format!("Synthetic table {i}."));
    let tenant =
        "account_id = (SELECT nullif(current_setting('app.current_account_id', true), '')::uuid)";
    t.row_security = Some(RowSecurity {
        policies: vec![Policy {
            name: format!("{name}_tenant_isolation"),
            command: PolicyCommand::All,
            permissive: true,
            roles: Vec::new(),
            using: Some(tenant.into()),
            with_check: Some(tenant.into()),
        }],
    });
    t.updated_at_trigger = Some(format!("{name}_set_updated_at"));
    t
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn measure(label: &str, runs: usize, old: &Schema, new: &Schema) -> Duration {
    let mut times = Vec::with_capacity(runs);
    let (mut statements, mut migrations, mut findings) = (0, 0, 0);
    for _ in 0..runs {
        let started = Instant::now();
        let changes = diff(old, new).expect("supported changes");
        let phases = plan(old, new, &changes).expect("plannable changes");
        let mut sql = Vec::with_capacity(phases.len());
        findings = 0;
        for phase in &phases {
            findings +=
                lint_migration("bench", &phase.steps, phase.kind.transactional(), false).len();
            sql.push(render_phase("bench", phase));
        }
        times.push(started.elapsed());
        migrations = phases.len();
        statements = sql
            .iter()
            .map(|m| {
                m.up.lines()
                    .filter(|l| !l.starts_with("--"))
                    .map(|l| l.matches(';').count())
                    .sum::<usize>()
            })
            .sum();
        std::hint::black_box(sql);
    }
    let m = median(times);
    println!(
        "{label:<34} {:>9.2} ms   ({statements} statements in {migrations} migration(s), {findings} lint findings)",
        m.as_secs_f64() * 1000.0
    );
    m
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let tables = args.first().copied().unwrap_or(1000);
    let runs = args.get(1).copied().unwrap_or(11);
    let started = Instant::now();
    let schema = Schema::new((0..tables).map(table).collect());
    println!(
        "schema: {tables} tables x {} columns, built in {:.1} ms; median of {runs} runs",
        schema.tables[0].columns.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    let mut changed = schema.clone();
    for t in changed.tables.iter_mut().step_by(10) {
        t.columns.push(Column::new("added", SqlType::Text, true));
        t.indexes.push(Index::on(
            format!("{}_field_02_idx", t.name),
            &["field_02"],
            false,
        ));
        // A nullability flip; columns becoming NOT NULL say what fills existing NULLs.
        t.columns[4].nullable = !t.columns[4].nullable;
        t.columns[4].backfill = Some("DEFAULT".into());
    }
    let changed = Schema::new(changed.tables);
    measure("create from nothing", runs, &Schema::default(), &schema);
    measure("10% of tables changed", runs, &schema, &changed);
    measure("no change (what check does)", runs, &schema, &schema);
}
