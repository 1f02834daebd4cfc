//! The `schema` binary as a user runs it: exit codes and messages.

use std::path::Path;
use std::process::{Command, Output};

fn schema(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schema"))
        .args(args)
        .arg("--migrations-dir")
        .arg(dir)
        .output()
        .expect("the schema binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn declared_tables() -> usize {
    schema_models::schema().unwrap().tables.len()
}

#[test]
fn check_passes_on_the_repository() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let out = schema(&repo, &["check"]);
    assert!(out.status.success(), "{}", text(&out));
    let expected = format!("matches the declarations ({} tables)", declared_tables());
    assert!(text(&out).contains(&expected), "{}", text(&out));
    assert!(
        text(&out).contains("docs/schema is up to date"),
        "{}",
        text(&out)
    );
}

#[test]
fn check_fails_on_a_stale_schema_reference_until_docs_rewrites_it() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let docs = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut full = args.to_vec();
        full.extend(["--docs-dir", docs.path().to_str().unwrap()]);
        schema(&repo, &full)
    };
    let out = run(&["docs"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(run(&["check"]).status.success());

    // A hand edit, a missing file and a file for a schema that is gone are each stale.
    let billing = docs.path().join("billing.md");
    let edited = std::fs::read_to_string(&billing)
        .unwrap()
        .replace("A monthly invoice.", "An invoice.");
    std::fs::write(&billing, edited).unwrap();
    std::fs::remove_file(docs.path().join("audit.md")).unwrap();
    std::fs::write(docs.path().join("sms.md"), "# old\n").unwrap();
    let out = run(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("is stale (audit.md, billing.md, sms.md); run `cargo schema docs`"),
        "{}",
        text(&out)
    );

    assert!(run(&["docs"]).status.success());
    assert!(
        run(&["check"]).status.success(),
        "{}",
        text(&run(&["check"]))
    );
    assert!(!docs.path().join("sms.md").exists());
}

#[test]
fn check_fails_until_generate_then_generate_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let out = schema(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("create table `devices.devices`"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("Run `cargo schema generate <name>`"));

    let out = schema(dir.path(), &["generate", "Bad-Name"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("must be snake_case"), "{}", text(&out));

    let out = schema(dir.path(), &["generate", "initial"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = schema(dir.path(), &["check"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = schema(dir.path(), &["generate", "again"]);
    assert!(out.status.success());
    assert!(text(&out).contains("nothing to generate"), "{}", text(&out));

    // From nothing, `generate` writes the full DDL of the declarations (`cargo schema sql`),
    // byte for byte apart from the two header lines naming the migration and the timeouts.
    let generated = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .find(|e| e.path().is_dir())
        .unwrap()
        .path();
    let full = schema_core::migrations::render_full(&schema_models::schema().unwrap());
    let body = |text: &str| text.lines().skip(2).collect::<Vec<_>>().join("\n");
    let read = |name: &str| std::fs::read_to_string(generated.join(name)).unwrap();
    let timeouts = "\nSET LOCAL lock_timeout = '5s';\nSET LOCAL statement_timeout = '1min';\n";
    for file in ["up.sql", "down.sql"] {
        assert!(read(file).contains(timeouts), "{}", read(file));
    }
    let without_timeouts = |text: String| text.replacen(timeouts, "", 1);
    assert_eq!(
        body(&without_timeouts(read("up.sql"))),
        body(&format!("\n\n{}", full.up))
    );
    assert_eq!(
        body(&without_timeouts(read("down.sql"))),
        body(&format!("\n\n{}", full.down))
    );
}

fn migrate(dir: &Path, database_url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schema"))
        .args(["migrate", "--migrations-dir"])
        .arg(dir)
        .env("DATABASE_URL", database_url)
        .output()
        .expect("the schema binary runs")
}

#[test]
fn migrate_applies_to_database_url() {
    let db = schema_core::live::harness::TestDatabase::new().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let out = migrate(&repo, db.url());
    assert!(out.status.success(), "{}", text(&out));
    let expected = format!("database now has {} table(s)", declared_tables());
    assert!(text(&out).contains(&expected), "{}", text(&out));
    // A second run has nothing to do.
    let out = migrate(&repo, db.url());
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("no pending migrations"),
        "{}",
        text(&out)
    );
}

#[test]
fn migrate_refuses_a_corrupt_migrations_directory_before_touching_a_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("2020-01-01-000000_by_hand")).unwrap();
    std::fs::write(
        dir.path().join("2020-01-01-000000_by_hand/up.sql"),
        "SELECT 1;",
    )
    .unwrap();
    let out = migrate(dir.path(), "postgres://nobody@127.0.0.1:1/none");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("holds migrations but no schema.snapshot.json"),
        "{}",
        text(&out)
    );
}

#[test]
fn check_database_reports_drift_from_the_declarations() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let db = schema_core::live::harness::TestDatabase::new().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    assert!(migrate(&repo, db.url()).status.success());

    let check = |url: &str| schema(&repo, &["check", "--database", url]);
    let out = check(db.url());
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("the database matches the declarations"),
        "{}",
        text(&out)
    );

    // Hand-made changes the migrations do not know about.
    let mut conn = diesel::PgConnection::establish(db.url()).unwrap();
    conn.batch_execute(
        "DROP INDEX devices.devices_owner_user_id_idx;
         ALTER TABLE accounts.accounts ALTER COLUMN name DROP NOT NULL;
         ALTER TABLE voicemail.voicemail_boxes DROP CONSTRAINT voicemail_boxes_max_messages_check;
         DROP POLICY devices_tenant_isolation ON devices.devices;",
    )
    .unwrap();
    let out = check(db.url());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    for expected in [
        "the database has drifted from the declarations (4 difference(s))",
        "create index `devices_owner_user_id_idx` on `devices.devices`",
        "alter column `accounts.accounts.name`: NULL -> NOT NULL",
        "add check constraint `voicemail_boxes_max_messages_check` on `voicemail.voicemail_boxes`",
        "create policy `devices_tenant_isolation` on `devices.devices`",
        "cargo schema migrate",
    ] {
        assert!(text(&out).contains(expected), "{expected}\n{}", text(&out));
    }
}

#[test]
fn partitions_ensure_and_retain_report_and_exit_as_documented() {
    let db = schema_core::live::harness::TestDatabase::new().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    assert!(migrate(&repo, db.url()).status.success());
    let partitions = |args: &[&str], url: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_schema"));
        command
            .arg("partitions")
            .args(args)
            .env_remove("DATABASE_URL");
        if let Some(url) = url {
            command.env("DATABASE_URL", url);
        }
        command.output().expect("the schema binary runs")
    };

    let out = partitions(&["ensure", "--month", "2027-05"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("set DATABASE_URL or pass --database"),
        "{}",
        text(&out)
    );

    let out = partitions(
        &["ensure", "--month", "2027-05", "--ahead", "2"],
        Some(db.url()),
    );
    assert!(out.status.success(), "{}", text(&out));
    for expected in [
        "current month 2027-05",
        "telecom.call_detail_records (by month of started_at): 19 monthly partition(s), 2026-01 to 2027-07",
        "created telecom.call_detail_records_p2027_07 FOR VALUES FROM ('2027-07-01 00:00:00+00') TO ('2027-08-01 00:00:00+00'), row-level security forced with 1 policy, privileges as telecom.call_detail_records_p2027_06",
        "created audit.api_audit_log_p2027_07",
    ] {
        assert!(text(&out).contains(expected), "{expected}\n{}", text(&out));
    }
    let out = partitions(
        &[
            "ensure",
            "--month",
            "2027-05",
            "--ahead",
            "2",
            "--database",
            db.url(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        text(&out).matches("nothing to do").count(),
        3,
        "{}",
        text(&out)
    );
    let out = schema(&repo, &["check", "--database", db.url()]);
    assert!(out.status.success(), "{}", text(&out));

    let out = partitions(&["retain", "--keep-months", "0"], Some(db.url()));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = partitions(
        &["retain", "--month", "2026-12", "--keep-months", "10"],
        Some(db.url()),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("detached telecom.call_detail_records_p2026_01 under lock_timeout"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("keeping 2026-02 and later attached"),
        "{}",
        text(&out)
    );
    assert_eq!(
        text(&out).matches("- detached ").count(),
        3,
        "{}",
        text(&out)
    );
    let out = schema(&repo, &["check", "--database", db.url()]);
    assert!(out.status.success(), "{}", text(&out));
}
