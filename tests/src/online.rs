//! Three versions of a device registry, for migrations run while an application writes:
//! v1 the starting point, v2 a NOT NULL column filled by a batched backfill, v3 a unique key
//! built concurrently. The live tests populate v1 with hundreds of thousands of rows.

/// v1: the registry as deployed.
pub mod v1 {
    use chrono::{DateTime, Utc};

    #[schema_core::table(
        schema = "online",
        name = "devices",
        global = "test fixture",
        hard_delete = "test fixture"
    )]
    pub struct Device {
        #[column(primary_key, identity)]
        pub id: i64,
        pub sip_username: String,
        pub name: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
    }

    schema_core::schema! { Device }
}

/// v2: `firmware`, NOT NULL, filled from each row's key in batches of 5,000.
pub mod v2 {
    use chrono::{DateTime, Utc};

    #[schema_core::table(
        schema = "online",
        name = "devices",
        global = "test fixture",
        hard_delete = "test fixture"
    )]
    pub struct Device {
        #[column(primary_key, identity)]
        pub id: i64,
        pub sip_username: String,
        pub name: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        #[column(backfill = "'fw-' || id::text", backfill_batch_size = 5000)]
        pub firmware: String,
    }

    schema_core::schema! { Device }
}

/// v3: usernames become unique (a unique index built concurrently, then the constraint).
pub mod v3 {
    use chrono::{DateTime, Utc};

    #[schema_core::table(
        schema = "online",
        name = "devices",
        global = "test fixture",
        hard_delete = "test fixture",
        unique(sip_username)
    )]
    pub struct Device {
        #[column(primary_key, identity)]
        pub id: i64,
        pub sip_username: String,
        pub name: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        #[column(backfill = "'fw-' || id::text", backfill_batch_size = 5000)]
        pub firmware: String,
    }

    schema_core::schema! { Device }
}

/// An application at work while a migration runs, and the figures of what it saw.
pub mod load {
    use diesel::prelude::*;
    use diesel::sql_types::BigInt;
    use diesel_migrations::{FileBasedMigrations, MigrationHarness};
    use schema_core::ir::Schema;
    use schema_core::migrations::{self, GenerateOptions, Generated};
    use std::collections::BTreeSet;
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::thread::JoinHandle;
    use std::time::{Duration, Instant};

    /// Writes the migrations from `dir`'s snapshot to `schema` at `version`; how many.
    pub fn generate(dir: &Path, name: &str, schema: &Schema, version: &str) -> usize {
        let options = GenerateOptions {
            allow_data_loss: false,
            version: Some(version.into()),
        };
        match migrations::generate(dir, name, schema, &options).expect("generate") {
            Generated::Written(written) => written.len(),
            Generated::UpToDate => 0,
        }
    }

    /// Applies the pending migrations one by one, returning each one's name and duration.
    pub fn apply_timed(
        conn: &mut PgConnection,
        dir: &Path,
    ) -> Result<Vec<(String, Duration)>, String> {
        let source = FileBasedMigrations::from_path(dir).map_err(|e| e.to_string())?;
        let pending = conn.pending_migrations(source).map_err(|e| e.to_string())?;
        let mut applied = Vec::new();
        for migration in &pending {
            let started = Instant::now();
            conn.run_migration(migration)
                .map_err(|e| format!("{}: {e}", migration.name()))?;
            applied.push((migration.name().to_string(), started.elapsed()));
        }
        Ok(applied)
    }

    /// A fresh database with v1's migrations (written to `dir`) applied and `rows` devices.
    pub fn populated(
        rows: i64,
        dir: &Path,
    ) -> (schema_core::live::harness::TestDatabase, PgConnection) {
        let db = schema_core::live::harness::TestDatabase::new().expect("a test database");
        let mut conn = db.connect();
        assert_eq!(
            generate(
                dir,
                "devices",
                &super::v1::schema().unwrap(),
                "2030-01-01-000000"
            ),
            1
        );
        apply_timed(&mut conn, dir).expect("v1 applies");
        populate(&mut conn, rows);
        (db, conn)
    }

    /// Inserts `rows` devices whose `updated_at` is `2020-01-01 + id seconds`, a value the
    /// trigger never writes, so a test can tell a row the migration touched.
    pub fn populate(conn: &mut PgConnection, rows: i64) {
        diesel::sql_query(
            "INSERT INTO online.devices (sip_username, name, created_at, updated_at)
             SELECT 'user' || g, 'device ' || g, '2020-01-01'::timestamptz,
                    '2020-01-01'::timestamptz + g * interval '1 second'
             FROM generate_series(1, $1) g",
        )
        .bind::<BigInt, _>(rows)
        .execute(conn)
        .expect("populate online.devices");
        diesel::sql_query("ANALYZE online.devices")
            .execute(conn)
            .expect("analyze");
    }

    /// What the writer saw.
    #[derive(Debug, Default)]
    pub struct Report {
        pub statements: usize,
        pub worst: Duration,
        pub errors: Vec<String>,
        /// The devices it updated (their `updated_at` is the trigger's).
        pub touched: BTreeSet<i64>,
    }

    /// Updates one random device by key every `every`, as the application does, timing each
    /// statement, until stopped.
    pub struct Writer {
        stop: Arc<AtomicBool>,
        handle: JoinHandle<Report>,
    }

    impl Writer {
        /// Updates one random device of the first `rows` by key every `every`.
        pub fn start(url: &str, rows: i64, every: Duration) -> Writer {
            // xorshift: reproducible, no dependency.
            let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
            Writer::start_with(url, every, move |_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let id = (x % rows as u64) as i64 + 1;
                (
                    "UPDATE online.devices SET name = 'renamed ' || id WHERE id = $1".into(),
                    id,
                )
            })
        }

        /// Runs `statement(n)` (its SQL, and the key bound to `$1`) every `every`, for
        /// n = 0, 1, …, timing each, until stopped.
        pub fn start_with(
            url: &str,
            every: Duration,
            mut statement: impl FnMut(u64) -> (String, i64) + Send + 'static,
        ) -> Writer {
            let stop = Arc::new(AtomicBool::new(false));
            let flag = stop.clone();
            let url = url.to_string();
            let handle = std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).expect("writer connects");
                let mut report = Report::default();
                let mut n = 0;
                while !flag.load(Ordering::Relaxed) {
                    let (sql, id) = statement(n);
                    n += 1;
                    let started = Instant::now();
                    let result = diesel::sql_query(sql)
                        .bind::<BigInt, _>(id)
                        .execute(&mut conn);
                    report.worst = report.worst.max(started.elapsed());
                    report.statements += 1;
                    match result {
                        Ok(_) => {
                            report.touched.insert(id);
                        }
                        Err(e) => report.errors.push(e.to_string()),
                    }
                    std::thread::sleep(every);
                }
                report
            });
            Writer { stop, handle }
        }

        pub fn stop(self) -> Report {
            self.stop.store(true, Ordering::Relaxed);
            self.handle.join().expect("the writer thread ends")
        }
    }

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    pub fn count(conn: &mut PgConnection, sql: &str) -> i64 {
        diesel::sql_query(sql)
            .get_result::<Count>(conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .n
    }

    /// Rows whose `updated_at` is no longer the one [`populate`] gave them, among those the
    /// writer never updated.
    pub fn rewritten_updated_at(conn: &mut PgConnection, touched: &BTreeSet<i64>) -> i64 {
        let touched: Vec<i64> = touched.iter().copied().collect();
        diesel::sql_query(
            "SELECT count(*) AS n FROM online.devices
             WHERE id <> ALL($1) AND updated_at <> '2020-01-01'::timestamptz + id * interval '1 second'",
        )
        .bind::<diesel::sql_types::Array<BigInt>, _>(touched)
        .get_result::<Count>(conn)
        .expect("compare updated_at")
        .n
    }
}

/// v2 as a developer might first write it: `firmware` between existing fields, which
/// `generate` refuses (PostgreSQL would append it).
pub mod v2_misplaced {
    use chrono::{DateTime, Utc};

    #[schema_core::table(
        schema = "online",
        name = "devices",
        global = "test fixture",
        hard_delete = "test fixture"
    )]
    pub struct Device {
        #[column(primary_key, identity)]
        pub id: i64,
        pub sip_username: String,
        #[column(backfill = "'fw-' || id::text")]
        pub firmware: String,
        pub name: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
    }

    schema_core::schema! { Device }
}

/// Accepted declarations that look hostile: key-word column names quoted in expressions, a
/// named composite key, a default holding `--` inside a string, all in `public` beside
/// Diesel's own bookkeeping table.
pub mod keywords {
    use chrono::{DateTime, Utc};

    #[schema_core::table(
        schema = "public",
        name = "keywords",
        global = "test fixture",
        hard_delete = "test fixture",
        primary_key(id, order, name = "keywords_custom_pk"),
        check(
            name = "keywords_user_check",
            expr = "\"user\" <> '' AND \"order\" >= 0"
        )
    )]
    pub struct Keyword {
        pub id: i64,
        pub order: i32,
        #[column(default = "'--not a comment; DROP TABLE canary.victim'")]
        pub user: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
    }

    schema_core::schema! { Keyword }
}
