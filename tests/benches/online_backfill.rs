//! A batched backfill on a populated table while an application updates random rows:
//! `cargo bench -p schema-tests --bench online_backfill` (`ONLINE_ROWS`, default 500,000;
//! `ONLINE_RUNS`, default 3). Prints, per run, the backfill's rows per second and the writer's
//! worst wait, then the medians. Starts its own PostgreSQL unless `DATABASE_URL` is set.

use schema_tests::online::load::{self, apply_timed, generate};
use std::time::Duration;

fn main() {
    let rows: i64 = env("ONLINE_ROWS", 500_000);
    let runs: usize = env("ONLINE_RUNS", 3);
    let every = Duration::from_millis(100);
    let mut rates = Vec::new();
    let mut waits = Vec::new();
    for run in 1..=runs {
        let dir = tempfile::tempdir().unwrap();
        let (db, mut conn) = load::populated(rows, dir.path());
        generate(
            dir.path(),
            "firmware",
            &schema_tests::online::v2::schema().unwrap(),
            "2030-01-02-000000",
        );
        let writer = load::Writer::start(db.url(), rows, every);
        std::thread::sleep(Duration::from_millis(500));
        let applied = apply_timed(&mut conn, dir.path()).expect("the migrations apply");
        std::thread::sleep(Duration::from_millis(500));
        let report = writer.stop();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let phase = |part: &str| {
            applied
                .iter()
                .find(|(name, _)| name.ends_with(part) || name.contains(part))
                .map(|(_, d)| d.as_secs_f64())
                .unwrap_or_default()
        };
        let backfill = phase("backfill");
        let rate = rows as f64 / backfill;
        println!(
            "run {run}: {rows} rows; main {:.3} s, backfill {backfill:.2} s ({rate:.0} rows/s), validate {:.2} s; writer: {} updates, worst wait {} ms, {} errors; updated_at rewritten on {} untouched rows",
            phase("_firmware"),
            phase("validate"),
            report.statements,
            report.worst.as_millis(),
            report.errors.len(),
            load::rewritten_updated_at(&mut conn, &report.touched),
        );
        rates.push(rate);
        waits.push(report.worst.as_secs_f64() * 1000.0);
    }
    let batched_wait = median(&mut waits);
    println!(
        "median over {runs} run(s): {:.0} rows/s; writer's worst wait {batched_wait:.0} ms (budget 1000 ms, ratio {:.3})",
        median(&mut rates),
        batched_wait / 1000.0
    );
    if env("ONLINE_BASELINE", 1) == 1 {
        baseline(rows, every, batched_wait);
    }
}

/// The form the batched backfill replaced, for comparison: one transaction that updates every
/// row and then adds the `NOT VALID` check, beside the same writer.
fn baseline(rows: i64, every: Duration, batched_wait: f64) {
    use diesel::connection::SimpleConnection;
    let dir = tempfile::tempdir().unwrap();
    let (db, mut conn) = load::populated(rows, dir.path());
    conn.batch_execute("ALTER TABLE online.devices ADD COLUMN firmware text")
        .unwrap();
    let writer = load::Writer::start(db.url(), rows, every);
    std::thread::sleep(Duration::from_millis(500));
    let started = std::time::Instant::now();
    let result = conn.batch_execute(
        "BEGIN;
         UPDATE online.devices SET firmware = 'fw-' || id WHERE firmware IS NULL;
         ALTER TABLE online.devices ADD CONSTRAINT devices_firmware_not_null CHECK (firmware IS NOT NULL) NOT VALID;
         COMMIT;",
    );
    let took = started.elapsed().as_secs_f64();
    if result.is_err() {
        conn.batch_execute("ROLLBACK").unwrap();
    }
    std::thread::sleep(Duration::from_millis(500));
    let report = writer.stop();
    println!(
        "baseline, one transaction: {rows} rows in {took:.2} s ({}); writer: {} updates, worst wait {} ms, {} error(s){}; updated_at rewritten on {} untouched rows",
        match &result {
            Ok(()) => "committed".to_string(),
            Err(e) => format!("failed: {}", e.to_string().lines().next().unwrap_or_default()),
        },
        report.statements,
        report.worst.as_millis(),
        report.errors.len(),
        report
            .errors
            .first()
            .map(|e| format!(" (first: {})", e.lines().next().unwrap_or_default()))
            .unwrap_or_default(),
        load::rewritten_updated_at(&mut conn, &report.touched),
    );
    println!(
        "ratio of the writer's worst wait, batched / one transaction: {:.3}",
        batched_wait / (report.worst.as_secs_f64() * 1000.0)
    );
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}
