//! README's quickstart, as a user runs it: `cargo schema init` into an empty directory, then,
//! in the new crate, `cargo schema generate`, `check`, `migrate` to a database and
//! `check --database`, each with the alias and the binary the template wrote.

mod common;

use common::text;
use schema_core::live::harness::TestDatabase;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `cargo <args>` in the new crate, as a user would type it: with the alias from its
/// `.cargo/config.toml`. Its build goes to a target directory of its own that later runs reuse
/// (as trybuild's does), with this workspace's lock file, so no version is resolved anew.
fn cargo(project: &Path, args: &[&str], url: Option<&str>) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(project)
        .args(args)
        .env("CARGO_TARGET_DIR", workspace().join("target/quickstart"))
        .env_remove("DATABASE_URL")
        .env_remove("RUSTFLAGS");
    if let Some(url) = url {
        command.env("DATABASE_URL", url);
    }
    command.output().expect("cargo runs")
}

#[test]
fn init_generate_check_and_migrate_a_new_crate_as_readme_says() {
    let root = tempfile::tempdir().unwrap();
    let project = root.path().join("pm-service");
    // `cargo schema init <dir>` from the schema-api checkout (any crate's `schema` binary has it).
    let output = Command::new(env!("CARGO_BIN_EXE_online-schema"))
        .arg("init")
        .arg(&project)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("cargo schema generate"),
        "init says what comes next: {}",
        text(&output)
    );
    // Run again, it refuses the directory it wrote and changes nothing.
    let before = std::fs::read(project.join("src/lib.rs")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_online-schema"))
        .arg("init")
        .arg(&project)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("is not empty"), "{}", text(&output));
    assert_eq!(std::fs::read(project.join("src/lib.rs")).unwrap(), before);

    std::fs::copy(workspace().join("Cargo.lock"), project.join("Cargo.lock")).unwrap();
    let output = cargo(&project, &["schema", "generate", "first_tables"], None);
    assert!(output.status.success(), "{}", text(&output));
    let written: Vec<String> = std::fs::read_dir(project.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("_first_tables"))
        .collect();
    assert_eq!(written.len(), 1, "{}", text(&output));
    let output = cargo(&project, &["schema", "check"], None);
    assert!(output.status.success(), "{}", text(&output));

    let db = TestDatabase::new().unwrap();
    let output = cargo(&project, &["schema", "migrate"], Some(db.url()));
    assert!(output.status.success(), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("accounts.accounts") && stdout.contains("projects.projects"),
        "{}",
        text(&output)
    );
    let output = cargo(
        &project,
        &["schema", "check", "--database", db.url()],
        Some(db.url()),
    );
    assert!(output.status.success(), "{}", text(&output));
    // The tenant table is under row-level security, with the declared app role.
    let mut conn = db.connect();
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Rls {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        relrowsecurity: bool,
    }
    let rls: Rls = diesel::sql_query(
        "SELECT relrowsecurity FROM pg_class WHERE oid = 'projects.projects'::regclass",
    )
    .get_result(&mut conn)
    .unwrap();
    assert!(rls.relrowsecurity);
}
