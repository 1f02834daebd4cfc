//! The `migrations/` directory: Diesel's layout (`<version>_<name>/up.sql`, `down.sql`) plus
//! `schema.snapshot.json`, the baseline of what the migrations hold.
//!
//! Diesel ignores plain files at the top of `migrations/`, so the snapshot sits beside the
//! migrations without disturbing `diesel migration run`. It records the schema the migrations
//! produce and a SHA-256 of every generated script, so `generate` and `check` work offline and
//! a hand edit to a generated script is noticed.

use crate::diff::{self, Change};
use crate::ir::Schema;
use crate::lint::{self, Finding, Severity};
use crate::plan::{self, Phase, PhaseKind, Step, LOCK_TIMEOUT};
use crate::render::{render_migration, render_step, render_steps, MigrationSql};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

pub const SNAPSHOT_FILE: &str = "schema.snapshot.json";
/// Format 3 records each migration's steps (for `lint`) and transaction mode. Format 2 recorded
/// them as `changes`, the planner's steps among the logical changes with flags saying which
/// way they ran; it is read through [`plan::upgrade_format_2`]. Format 1 snapshots are read as
/// migrations with no recorded steps.
const SNAPSHOT_FORMAT: u32 = 3;
pub const METADATA_NON_TRANSACTIONAL: &str = "run_in_transaction = false\n";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: u32,
    pub migrations: Vec<RecordedMigration>,
    pub schema: Schema,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedMigration {
    /// The directory name, `<version>_<name>`.
    pub directory: String,
    pub up_sha256: String,
    pub down_sha256: String,
    /// `false` for a migration with `metadata.toml` saying `run_in_transaction = false`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub transactional: bool,
    /// Generated with `--allow-data-loss`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_data_loss: bool,
    /// The steps it runs, which `lint` analyzes.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// A migration written by hand and recorded by `cargo schema register`, with what its
    /// `up.sql` creates; `None` for a generated one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hand_written: Option<HandWritten>,
}

/// What `cargo schema register` found a hand-written migration to do, on a throwaway database
/// holding the migrations before it: the functions and triggers its `up.sql` creates (and its
/// `down.sql` drops again), so drift expects them and no other.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandWritten {
    /// The functions, procedures and triggers it creates, or replaces when an earlier
    /// hand-written migration created them.
    pub creates: Vec<CreatedObject>,
    /// Those of earlier hand-written migrations it drops, as `kind name`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drops: Vec<String>,
    /// Its `down.sql` loses data (`register --down-loses-data`): `rollback` asks for
    /// `--allow-data-loss`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub down_loses_data: bool,
}

/// A function, procedure or trigger a hand-written migration creates, with a SHA-256 of its
/// definition as PostgreSQL prints it (`pg_get_functiondef`, `pg_get_triggerdef`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CreatedObject {
    /// `function`, `procedure` or `trigger`.
    pub kind: String,
    /// `schema.name(argument types)` for a routine, `name on schema.table` for a trigger.
    pub name: String,
    pub definition_sha256: String,
}

impl std::fmt::Display for CreatedObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}`", self.kind, self.name)
    }
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// What a file operation on `migrations/` was doing when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAction {
    Read,
    Create,
    Write,
}

/// A problem with `migrations/` or with the declarations against it; its message says what to
/// do.
#[derive(Debug)]
pub enum MigrationError {
    /// A file or directory could not be read, created or written.
    File {
        action: FileAction,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The snapshot is in a format this tool does not read (a newer tool wrote it).
    SnapshotFormat { path: PathBuf, format: u64 },
    /// The snapshot does not parse as one.
    InvalidSnapshot { path: PathBuf, reason: String },
    /// Migrations without the snapshot that says what they create.
    NoSnapshot { dir: PathBuf },
    /// A migration directory the snapshot does not record: `generate` did not write it.
    Unrecorded { directory: String },
    /// A recorded migration whose directory is gone.
    Missing { directory: String },
    /// A generated script that was edited after `generate` wrote it.
    Edited { path: PathBuf },
    /// A hand-written script that was edited after `register` recorded it.
    EditedHandWritten { path: PathBuf, directory: String },
    /// A `metadata.toml` that disagrees with the recorded transaction mode.
    Metadata {
        directory: String,
        path: PathBuf,
        transactional: bool,
    },
    /// Differences the differ cannot express (`planned == false`), or that the planner cannot
    /// carry out safely on existing tables (`planned == true`).
    Unsupported {
        planned: bool,
        differences: Vec<diff::Unsupported>,
    },
    /// A migration name that is not snake_case.
    BadName { name: String },
    /// The migration would lose data and `--allow-data-loss` was not given.
    DataLoss { findings: Vec<Finding> },
    /// The new migration's version does not sort after the last one.
    VersionNotAfter { version: String, last: String },
    /// `check`: the declarations hold changes that no migration does.
    Pending { dir: PathBuf, changes: Vec<Change> },
    /// `register`: the directory cannot be registered as it is; `reason` says what to change.
    NotRegistrable { directory: String, reason: String },
}

impl MigrationError {
    fn file(action: FileAction, path: &Path) -> impl FnOnce(std::io::Error) -> MigrationError {
        let path = path.to_path_buf();
        move |source| MigrationError::File {
            action,
            path,
            source,
        }
    }
}

impl std::fmt::Display for MigrationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use MigrationError::*;
        match self {
            File {
                action,
                path,
                source,
            } => {
                let verb = match action {
                    FileAction::Read => "read",
                    FileAction::Create => "create",
                    FileAction::Write => "write",
                };
                write!(f, "cannot {verb} {}: {source}", path.display())
            }
            SnapshotFormat { path, format } => write!(
                f,
                "{} has format {format}, this tool reads formats 1 to {SNAPSHOT_FORMAT}; use the schema-api version that wrote it",
                path.display()
            ),
            InvalidSnapshot { path, reason } => write!(
                f,
                "{} is not a valid snapshot ({reason}); restore it from version control (`git checkout -- {}`)",
                path.display(),
                path.display()
            ),
            NoSnapshot { dir } => write!(
                f,
                "{} holds migrations but no {SNAPSHOT_FILE}, so what they create is unknown; restore the snapshot from version control",
                dir.display()
            ),
            Unrecorded { directory } => write!(
                f,
                "migration {directory} is not recorded in {SNAPSHOT_FILE}: it was not written by `cargo schema generate`. Remove it, or declare its changes on the structs and run `cargo schema generate <name>` instead; if it is SQL written by hand (a function, a trigger, a data migration), register it with `cargo schema register {directory}`"
            ),
            Missing { directory } => write!(
                f,
                "migration {directory} is recorded in {SNAPSHOT_FILE} but its directory is missing; restore it from version control (a migration that ran somewhere must never disappear)"
            ),
            Edited { path } => write!(
                f,
                "{} was edited after `cargo schema generate` wrote it; generated migrations must not be edited by hand. Restore it (`git checkout -- {}`) and change the declarations instead",
                path.display(),
                path.display()
            ),
            EditedHandWritten { path, directory } => write!(
                f,
                "{} was edited after `cargo schema register` recorded it. If {directory} has run on no database yet, run `cargo schema register {directory}` again; otherwise restore it (`git checkout -- {}`) and put the change in a new migration (`cargo schema raw <name>`)",
                path.display(),
                path.display()
            ),
            Metadata {
                directory,
                path,
                transactional,
            } => write!(
                f,
                "{directory}: {} must {}, as `cargo schema generate` wrote it; restore it from version control",
                path.display(),
                if *transactional {
                    "not exist".to_string()
                } else {
                    format!("say `{}`", METADATA_NON_TRANSACTIONAL.trim())
                }
            ),
            Unsupported {
                planned,
                differences,
            } => {
                f.write_str(if *planned {
                    "the declarations differ from the migrations in ways `generate` cannot migrate safely:"
                } else {
                    "the declarations differ from the migrations in ways `generate` cannot migrate:"
                })?;
                for u in differences {
                    write!(f, "\n  - {u}")?;
                }
                Ok(())
            }
            BadName { name } => write!(
                f,
                "migration name `{name}` must be snake_case (a-z, 0-9, _), e.g. `add_device_firmware`"
            ),
            DataLoss { findings } => {
                f.write_str("refusing to generate a migration that loses data:")?;
                for finding in findings {
                    write!(f, "\n  - {}: {}", finding.code, finding.message)?;
                }
                f.write_str("\nIf this is intended, run again with `--allow-data-loss`; the migration will say what its down cannot restore.")
            }
            VersionNotAfter { version, last } => write!(
                f,
                "the new migration's version {version} is not after the last one ({last}); check the system clock"
            ),
            Pending { dir, changes } => {
                write!(
                    f,
                    "the declarations differ from what {} holds ({} change(s) without a migration):",
                    dir.display(),
                    changes.len()
                )?;
                for change in changes {
                    write!(f, "\n  - {change}")?;
                }
                f.write_str("\nRun `cargo schema generate <name>` to write the migration.")
            }
            NotRegistrable { directory, reason } => {
                write!(f, "cannot register {directory}: {reason}")
            }
        }
    }
}

impl std::error::Error for MigrationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MigrationError::File { source, .. } => Some(source),
            _ => None,
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The migration directories Diesel would run, sorted by name (which sorts by version).
pub fn migration_directories(dir: &Path) -> Result<Vec<String>, MigrationError> {
    let entries = fs::read_dir(dir).map_err(MigrationError::file(FileAction::Read, dir))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(MigrationError::file(FileAction::Read, dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Why a snapshot's text cannot be read.
#[derive(Debug)]
enum SnapshotError {
    /// A format this tool does not know (newer, or nonsense).
    Format(u64),
    Invalid(String),
}

/// A snapshot of any format this tool reads, as the current format.
fn read_snapshot(text: &str) -> Result<Snapshot, SnapshotError> {
    let invalid = |e: &dyn std::fmt::Display| SnapshotError::Invalid(e.to_string());
    let mut value: serde_json::Value = serde_json::from_str(text).map_err(|e| invalid(&e))?;
    let format = value
        .get("format")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| SnapshotError::Invalid("no `format` number".into()))?;
    match format {
        1 | 3 => {}
        2 => {
            let migrations = value
                .get_mut("migrations")
                .and_then(serde_json::Value::as_array_mut)
                .ok_or_else(|| SnapshotError::Invalid("no `migrations` list".into()))?;
            for m in migrations {
                let Some(m) = m.as_object_mut() else {
                    return Err(SnapshotError::Invalid(
                        "a migration that is not an object".into(),
                    ));
                };
                let Some(mut changes) = m.remove("changes") else {
                    continue;
                };
                for change in changes.as_array_mut().into_iter().flatten() {
                    plan::upgrade_format_2(change).map_err(|e| invalid(&e))?;
                }
                m.insert("steps".into(), changes);
            }
        }
        other => return Err(SnapshotError::Format(other)),
    }
    let mut snapshot: Snapshot = serde_json::from_value(value).map_err(|e| invalid(&e))?;
    // Read as the current format: what is written back is written in it.
    snapshot.format = SNAPSHOT_FORMAT;
    Ok(snapshot)
}

/// The baseline: what the committed migrations hold, verified against the files.
#[derive(Debug, Clone)]
pub struct MigrationState {
    pub dir: PathBuf,
    pub snapshot: Snapshot,
}

impl MigrationState {
    /// Reads and verifies `dir`. An empty or missing directory is an empty baseline.
    pub fn load(dir: &Path) -> Result<Self, MigrationError> {
        Self::load_except(dir, None)
    }

    /// Reads and verifies `dir` but for the migration `registering` (which `register` is about
    /// to record, or record again): it may be unrecorded or differ from its record.
    pub fn load_except(dir: &Path, registering: Option<&str>) -> Result<Self, MigrationError> {
        let empty = Snapshot {
            format: SNAPSHOT_FORMAT,
            migrations: Vec::new(),
            schema: Schema::default(),
        };
        if !dir.exists() {
            return Ok(MigrationState {
                dir: dir.to_path_buf(),
                snapshot: empty,
            });
        }
        let directories = migration_directories(dir)?;
        let snapshot_path = dir.join(SNAPSHOT_FILE);
        let snapshot = if snapshot_path.exists() {
            let text = fs::read_to_string(&snapshot_path)
                .map_err(MigrationError::file(FileAction::Read, &snapshot_path))?;
            let path = snapshot_path.clone();
            read_snapshot(&text).map_err(|e| match e {
                SnapshotError::Format(format) => MigrationError::SnapshotFormat { path, format },
                SnapshotError::Invalid(reason) => MigrationError::InvalidSnapshot { path, reason },
            })?
        } else if directories.is_empty() {
            empty
        } else {
            return Err(MigrationError::NoSnapshot {
                dir: dir.to_path_buf(),
            });
        };
        let recorded: Vec<&str> = snapshot
            .migrations
            .iter()
            .map(|m| m.directory.as_str())
            .collect();
        for d in &directories {
            if !recorded.contains(&d.as_str()) && Some(d.as_str()) != registering {
                return Err(MigrationError::Unrecorded {
                    directory: d.clone(),
                });
            }
        }
        for m in &snapshot.migrations {
            if Some(m.directory.as_str()) == registering {
                continue;
            }
            if !directories.contains(&m.directory) {
                return Err(MigrationError::Missing {
                    directory: m.directory.clone(),
                });
            }
            for (file, expected) in [("up.sql", &m.up_sha256), ("down.sql", &m.down_sha256)] {
                let path = dir.join(&m.directory).join(file);
                let bytes =
                    fs::read(&path).map_err(MigrationError::file(FileAction::Read, &path))?;
                if &sha256_hex(&bytes) != expected {
                    return Err(match m.hand_written {
                        Some(_) => MigrationError::EditedHandWritten {
                            path,
                            directory: m.directory.clone(),
                        },
                        None => MigrationError::Edited { path },
                    });
                }
            }
            let metadata = dir.join(&m.directory).join("metadata.toml");
            let non_transactional =
                fs::read_to_string(&metadata).is_ok_and(|text| text == METADATA_NON_TRANSACTIONAL);
            if non_transactional == m.transactional {
                return Err(MigrationError::Metadata {
                    directory: m.directory.clone(),
                    path: metadata,
                    transactional: m.transactional,
                });
            }
        }
        Ok(MigrationState {
            dir: dir.to_path_buf(),
            snapshot,
        })
    }

    /// The changes from the migrations' schema to `declared`.
    pub fn pending_changes(&self, declared: &Schema) -> Result<Vec<Change>, MigrationError> {
        diff::diff(&self.snapshot.schema, declared).map_err(|differences| {
            MigrationError::Unsupported {
                planned: false,
                differences,
            }
        })
    }
}

/// What `generate` did.
#[derive(Debug)]
pub enum Generated {
    UpToDate,
    /// The migrations written, in the order they run.
    Written(Vec<WrittenMigration>),
}

#[derive(Debug)]
pub struct WrittenMigration {
    pub directory: PathBuf,
    pub transactional: bool,
    pub steps: Vec<Step>,
}

/// Options for [`generate`].
#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    /// Allow changes that lose data (dropped tables or columns, narrowing types, removed enum
    /// values).
    pub allow_data_loss: bool,
    /// The migration version (`YYYY-MM-DD-HHMMSS`); defaults to the current UTC time.
    pub version: Option<String>,
}

pub fn header(name: &str) -> String {
    format!(
        "-- Generated by `cargo schema generate {name}` from the declarations; do not edit.\n\
         -- `cargo schema check` verifies this file against {SNAPSHOT_FILE}.\n"
    )
}

/// A planned migration: its directory name and phase.
#[derive(Debug, Clone)]
pub struct PlannedMigration {
    pub directory: String,
    pub phase: Phase,
}

/// The migrations `generate` would write for the pending changes, and lint's findings on them.
pub fn planned(
    state: &MigrationState,
    name: &str,
    version: &str,
    declared: &Schema,
    allow_data_loss: bool,
) -> Result<(Vec<PlannedMigration>, Vec<Finding>), MigrationError> {
    let changes = state.pending_changes(declared)?;
    let phases = plan::plan(&state.snapshot.schema, declared, &changes).map_err(|differences| {
        MigrationError::Unsupported {
            planned: true,
            differences,
        }
    })?;
    let several = phases.len() > 1;
    let mut migrations = Vec::new();
    let mut findings = Vec::new();
    for (i, phase) in phases.into_iter().enumerate() {
        let directory = match (several, phase.kind.suffix()) {
            (false, _) => format!("{version}_{name}"),
            (true, None) => format!("{version}-{:02}_{name}", i + 1),
            (true, Some(suffix)) => format!("{version}-{:02}_{name}_{suffix}", i + 1),
        };
        findings.extend(lint::lint_migration(
            &directory,
            &phase.steps,
            phase.kind.transactional(),
            allow_data_loss,
        ));
        migrations.push(PlannedMigration { directory, phase });
    }
    Ok((migrations, findings))
}

/// A phase's `up.sql` and `down.sql`. A transactional one starts with `SET LOCAL`
/// lock and statement timeouts; a concurrent one is its single statement (see [`plan`]).
pub fn render_phase(name: &str, phase: &Phase) -> MigrationSql {
    let header = header(name);
    if !phase.kind.transactional() {
        let note = match phase.kind {
            PhaseKind::Backfill(_) => "-- Runs outside a transaction (metadata.toml) and alone, so the block can commit batch by\n\
                                       -- batch: Diesel sends a file as one string, which PostgreSQL runs in one transaction when it\n\
                                       -- holds several statements. Killed at any point, it resumes where it stopped. See `cargo schema lint` (L205).\n",
            _ => "-- Runs outside a transaction (metadata.toml) and alone: PostgreSQL refuses CONCURRENTLY in a\n\
                  -- transaction, and Diesel sends a file as one string, which runs in one. See `cargo schema lint` (L205).\n",
        };
        let one = |step: &Step| {
            let statements = render_step(step);
            debug_assert_eq!(statements.len(), 1, "a concurrent phase is one statement");
            format!("{header}{note}\n{}\n", statements.join("\n"))
        };
        let step = &phase.steps[0];
        return MigrationSql {
            up: one(step),
            down: one(&step.inverse()),
        };
    }
    let preamble = format!(
        "{header}\nSET LOCAL lock_timeout = '{LOCK_TIMEOUT}';\nSET LOCAL statement_timeout = '{}';\n",
        phase.kind.statement_timeout()
    );
    render_steps(&preamble, &phase.steps)
}

/// Writes the migrations that bring `migrations/` up to `declared`, and the new snapshot.
pub fn generate(
    dir: &Path,
    name: &str,
    declared: &Schema,
    options: &GenerateOptions,
) -> Result<Generated, MigrationError> {
    if !is_migration_name(name) {
        return Err(MigrationError::BadName { name: name.into() });
    }
    let state = MigrationState::load(dir)?;
    let version = version_or_now(options.version.as_deref());
    let (migrations, findings) =
        planned(&state, name, &version, declared, options.allow_data_loss)?;
    if migrations.is_empty() {
        return Ok(Generated::UpToDate);
    }
    let errors: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        return Err(MigrationError::DataLoss { findings: errors });
    }
    state.check_after_last(&version)?;

    fs::create_dir_all(dir).map_err(MigrationError::file(FileAction::Create, dir))?;
    let io = |path: &Path| MigrationError::file(FileAction::Write, path);
    // Written under dot-names Diesel ignores, then renamed: a crash leaves no half migration.
    let mut snapshot = state.snapshot.clone();
    snapshot.format = SNAPSHOT_FORMAT;
    let mut staged = Vec::new();
    for m in &migrations {
        let MigrationSql { up, down } = render_phase(name, &m.phase);
        let staging = dir.join(format!(".{}.partial", m.directory));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        fs::create_dir(&staging).map_err(io(&staging))?;
        fs::write(staging.join("up.sql"), &up).map_err(io(&staging))?;
        fs::write(staging.join("down.sql"), &down).map_err(io(&staging))?;
        let transactional = m.phase.kind.transactional();
        if !transactional {
            fs::write(staging.join("metadata.toml"), METADATA_NON_TRANSACTIONAL)
                .map_err(io(&staging))?;
        }
        snapshot.migrations.push(RecordedMigration {
            directory: m.directory.clone(),
            up_sha256: sha256_hex(up.as_bytes()),
            down_sha256: sha256_hex(down.as_bytes()),
            transactional,
            allow_data_loss: options.allow_data_loss,
            steps: m.phase.steps.clone(),
            hand_written: None,
        });
        staged.push((staging, dir.join(&m.directory)));
    }
    snapshot.schema = declared.without_hints();
    let snapshot_tmp = stage_snapshot(dir, &snapshot)?;
    for (staging, final_path) in &staged {
        fs::rename(staging, final_path).map_err(io(final_path))?;
    }
    replace_snapshot(dir, &snapshot_tmp)?;
    Ok(Generated::Written(
        migrations
            .into_iter()
            .zip(staged)
            .map(|(m, (_, directory))| WrittenMigration {
                directory,
                transactional: m.phase.kind.transactional(),
                steps: m.phase.steps,
            })
            .collect(),
    ))
}

/// Lint's findings on every recorded migration, on what `generate` would write now, and on
/// the declarations as a whole ([`lint::lint_schema`]).
pub fn lint(dir: &Path, declared: &Schema) -> Result<Vec<Finding>, MigrationError> {
    let state = MigrationState::load(dir)?;
    let mut findings = state.lint_recorded();
    let (_, pending) = planned(&state, "pending", "<next>", declared, false)?;
    findings.extend(pending);
    findings.extend(lint::lint_schema(declared));
    Ok(findings)
}

impl MigrationState {
    /// Refuses a new migration `version` that does not sort after the last recorded one.
    fn check_after_last(&self, version: &str) -> Result<(), MigrationError> {
        match self.snapshot.migrations.last() {
            Some(last) if version_key(version) <= version_key(&last.directory) => {
                Err(MigrationError::VersionNotAfter {
                    version: version.to_string(),
                    last: last.directory.clone(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Lint's findings on the recorded migrations alone (what `check` adds once it has found
    /// nothing pending).
    pub fn lint_recorded(&self) -> Vec<Finding> {
        self.snapshot
            .migrations
            .iter()
            .flat_map(|m| {
                lint::lint_migration(&m.directory, &m.steps, m.transactional, m.allow_data_loss)
            })
            .collect()
    }

    /// Why the declarations and these migrations disagree, if they do.
    pub fn check(&self, declared: &Schema) -> Result<(), MigrationError> {
        let changes = self.pending_changes(declared)?;
        if changes.is_empty() {
            return Ok(());
        }
        Err(MigrationError::Pending {
            dir: self.dir.clone(),
            changes,
        })
    }
}

/// A hand-written migration `register` is about to record: the verified baseline without it,
/// and its record so far (checksums and transaction mode; what it creates comes from running
/// it).
#[derive(Debug, Clone)]
pub struct Registration {
    pub state: MigrationState,
    pub record: RecordedMigration,
}

/// Checks that `directory` can be registered as a hand-written migration: it holds `up.sql`
/// and `down.sql` (and `metadata.toml` only to say `run_in_transaction = false`), its name is
/// `<version>_<snake_case>`, and it sorts after every other migration, since those may have run
/// already. A directory registered before may be registered again while it is the last one.
pub fn prepare_registration(dir: &Path, directory: &str) -> Result<Registration, MigrationError> {
    let refuse = |reason: String| MigrationError::NotRegistrable {
        directory: directory.to_string(),
        reason,
    };
    let (version, name) = directory.split_once('_').unwrap_or((directory, ""));
    let key = version_key(directory);
    if key.is_empty()
        || !key.bytes().all(|b| b.is_ascii_digit())
        || !version.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        || !is_migration_name(name)
    {
        return Err(refuse(
            "a migration directory is named `<version>_<name>`, the version digits and dashes (`2026-12-04-120000`) and the name snake_case; `cargo schema raw <name>` creates one".into(),
        ));
    }
    let path = dir.join(directory);
    if !path.is_dir() {
        return Err(refuse(format!(
            "{} is not a directory; `cargo schema raw <name>` creates one",
            path.display()
        )));
    }
    let state = MigrationState::load_except(dir, Some(directory))?;
    let earlier: Vec<&RecordedMigration> = state
        .snapshot
        .migrations
        .iter()
        .filter(|m| m.directory != directory)
        .collect();
    if let Some(later) = earlier.iter().find(|m| version_key(&m.directory) >= key) {
        return Err(refuse(format!(
            "it does not sort after {}, which may have run already, so databases would apply them in different orders; give it a later version (`cargo schema raw <name>` uses the current time)",
            later.directory
        )));
    }
    if let Some(existing) = state
        .snapshot
        .migrations
        .iter()
        .find(|m| m.directory == directory)
    {
        if existing.hand_written.is_none() {
            return Err(refuse(
                "it was written by `cargo schema generate`, and a generated migration is changed through the declarations".into(),
            ));
        }
    }
    let read = |file: &str| {
        let file_path = path.join(file);
        fs::read(&file_path).map_err(MigrationError::file(FileAction::Read, &file_path))
    };
    let (up, down) = (read("up.sql")?, read("down.sql")?);
    let metadata_path = path.join("metadata.toml");
    let transactional = match fs::read_to_string(&metadata_path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(MigrationError::file(FileAction::Read, &metadata_path)(e)),
        Ok(text) if text == METADATA_NON_TRANSACTIONAL => false,
        Ok(_) => {
            return Err(refuse(format!(
                "{} may only say `{}` (to run outside a transaction); remove it to run in one",
                metadata_path.display(),
                METADATA_NON_TRANSACTIONAL.trim()
            )))
        }
    };
    Ok(Registration {
        record: RecordedMigration {
            directory: directory.to_string(),
            up_sha256: sha256_hex(&up),
            down_sha256: sha256_hex(&down),
            transactional,
            allow_data_loss: false,
            steps: Vec::new(),
            hand_written: None,
        },
        state,
    })
}

/// Records a prepared registration with what running it found, replacing an earlier record of
/// the same directory. The snapshot is written beside and renamed over the old one.
pub fn record_registration(
    registration: Registration,
    hand_written: HandWritten,
) -> Result<(), MigrationError> {
    let Registration { state, mut record } = registration;
    record.hand_written = Some(hand_written);
    let mut snapshot = state.snapshot;
    snapshot.format = SNAPSHOT_FORMAT;
    snapshot
        .migrations
        .retain(|m| m.directory != record.directory);
    snapshot.migrations.push(record);
    let snapshot_tmp = stage_snapshot(&state.dir, &snapshot)?;
    replace_snapshot(&state.dir, &snapshot_tmp)
}

/// A migration's name: snake_case (a-z, 0-9, _), not empty.
fn is_migration_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The given version, or the current UTC time as one (`YYYY-MM-DD-HHMMSS`).
fn version_or_now(version: Option<&str>) -> String {
    match version {
        Some(v) => v.to_string(),
        None => chrono::Utc::now().format("%Y-%m-%d-%H%M%S").to_string(),
    }
}

/// Writes `snapshot` beside the snapshot file, under a dot-name, and returns its path; see
/// [`replace_snapshot`].
fn stage_snapshot(dir: &Path, snapshot: &Snapshot) -> Result<PathBuf, MigrationError> {
    let tmp = dir.join(format!(".{SNAPSHOT_FILE}.partial"));
    let mut json = serde_json::to_string_pretty(snapshot).expect("the snapshot serializes");
    json.push('\n');
    fs::write(&tmp, json).map_err(MigrationError::file(FileAction::Write, &tmp))?;
    Ok(tmp)
}

/// Renames a staged snapshot over the snapshot file: a crash leaves the old one or the new.
fn replace_snapshot(dir: &Path, staged: &Path) -> Result<(), MigrationError> {
    let path = dir.join(SNAPSHOT_FILE);
    fs::rename(staged, &path).map_err(MigrationError::file(FileAction::Write, &path))
}

/// Writes the skeleton of a hand-written migration, `<version>_<name>/up.sql` and `down.sql`
/// (and `metadata.toml` when it runs outside a transaction), for `register` to record once
/// written. Returns its directory.
pub fn new_hand_written(
    dir: &Path,
    name: &str,
    transactional: bool,
    version: Option<&str>,
) -> Result<PathBuf, MigrationError> {
    if !is_migration_name(name) {
        return Err(MigrationError::BadName { name: name.into() });
    }
    let state = MigrationState::load(dir)?;
    let version = version_or_now(version);
    state.check_after_last(&version)?;
    let directory = format!("{version}_{name}");
    let path = dir.join(&directory);
    let io = |p: &Path| MigrationError::file(FileAction::Create, p);
    fs::create_dir(&path).map_err(io(&path))?;
    let mode = if transactional {
        "-- Diesel runs it in a transaction: a failure leaves the database as it was.\n"
    } else {
        "-- It runs outside a transaction (metadata.toml): Diesel sends the file as one string, so\n\
         -- write a single statement, or a block that commits as it goes.\n"
    };
    let header = |what: &str| {
        format!(
            "-- Written by hand: {what}\n{mode}\
             -- When it is written, run `cargo schema register {directory}`: it runs the file on a\n\
             -- throwaway database and records it (checksums, the functions and triggers it creates)\n\
             -- in {SNAPSHOT_FILE}. Tables, columns, indexes and extensions are declared, not written here.\n"
        )
    };
    fs::write(path.join("up.sql"), header("what this migration does.")).map_err(io(&path))?;
    fs::write(path.join("down.sql"), header("what undoes up.sql.")).map_err(io(&path))?;
    if !transactional {
        fs::write(path.join("metadata.toml"), METADATA_NON_TRANSACTIONAL).map_err(io(&path))?;
    }
    Ok(path)
}

/// Diesel's version of a directory name: the part before the first `_`, without dashes.
pub fn version_key(directory: &str) -> String {
    directory
        .split('_')
        .next()
        .unwrap_or_default()
        .replace('-', "")
}

/// Why the declarations and `migrations/` disagree, if they do.
pub fn check(dir: &Path, declared: &Schema) -> Result<(), MigrationError> {
    MigrationState::load(dir)?.check(declared)
}

/// The full DDL of a schema, as one migration from nothing.
pub fn render_full(schema: &Schema) -> MigrationSql {
    let changes = diff::diff(&Schema::default(), schema)
        .expect("creating a schema from nothing is always supported");
    render_migration("", &changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(format: u32, migrations: &str) -> String {
        let schema = serde_json::to_string(&Schema::default()).unwrap();
        format!(r#"{{"format":{format},"migrations":[{migrations}],"schema":{schema}}}"#)
    }

    #[test]
    fn every_known_format_reads_as_the_current_one() {
        let migration = |key: &str| {
            format!(
                r#"{{"directory":"2026-01-01-000000_x","up_sha256":"","down_sha256":"","{key}":[{{"ValidateConstraint":{{"table":{{"schema":"s","name":"t"}},"constraint":"c","undo":false}}}}]}}"#
            )
        };
        let two = read_snapshot(&snapshot(2, &migration("changes"))).unwrap();
        assert_eq!(two.format, SNAPSHOT_FORMAT);
        assert_eq!(
            two.migrations[0].steps,
            vec![Step::ValidateConstraint {
                table: crate::ir::QualifiedName::new("s", "t"),
                constraint: "c".into(),
            }]
        );
        let one = r#"{"directory":"2026-01-01-000000_x","up_sha256":"","down_sha256":""}"#;
        assert!(read_snapshot(&snapshot(1, one)).unwrap().migrations[0]
            .steps
            .is_empty());
        // Written back and read again, it is the same.
        let text = serde_json::to_string(&two).unwrap();
        assert_eq!(read_snapshot(&text).unwrap(), two);
    }

    #[test]
    fn an_unknown_format_or_a_broken_flag_is_refused_not_guessed() {
        assert!(matches!(
            read_snapshot(&snapshot(4, "")),
            Err(SnapshotError::Format(4))
        ));
        let flagless = r#"{"directory":"d","up_sha256":"","down_sha256":"","changes":[{"ColumnNotNull":{"table":{"schema":"s","name":"t"},"column":"c","check":"k"}}]}"#;
        assert!(matches!(
            read_snapshot(&snapshot(2, flagless)),
            Err(SnapshotError::Invalid(e)) if e.contains("`set`")
        ));
        assert!(matches!(
            read_snapshot(r#"{"migrations":[]}"#),
            Err(SnapshotError::Invalid(_))
        ));
    }
}
