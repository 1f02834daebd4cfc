//! The `schema` command: a thin layer over the library. A crate's binary is
//! `fn main() -> ExitCode { schema_core::cli::main(my_models::schema()) }`.

use crate::descriptor::SchemaError;
use crate::ir::Schema;
use crate::ir::{Index, QualifiedName};
use crate::lint::Severity;
use crate::live::harness::TempCluster;
use crate::live::state::IndexState;
use crate::migrations::{self, GenerateOptions, Generated, MigrationState};
use crate::plan::Step;
use clap::{Parser, Subcommand};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(
    name = "schema",
    about = "Generate, check and apply the PostgreSQL migrations of the declared schema"
)]
struct Cli {
    /// The Diesel migrations directory (default: the nearest `migrations/` from the current
    /// directory upwards, or $MIGRATION_DIRECTORY).
    #[arg(long, global = true, value_name = "DIR")]
    migrations_dir: Option<PathBuf>,
    /// Where `docs` writes the schema reference and `check` compares it (default:
    /// `docs/schema` beside the migrations directory).
    #[arg(long, global = true, value_name = "DIR")]
    docs_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write a migration (`<version>_<name>/up.sql`, `down.sql`) that brings `migrations/` up to
    /// the declarations, and update the snapshot.
    Generate {
        /// snake_case name of the migration, e.g. `add_device_firmware`.
        name: String,
        /// Allow changes that lose data (dropped tables or columns, narrowing type changes,
        /// removed enum values).
        #[arg(long)]
        allow_data_loss: bool,
        /// Create the migrations directory when it does not exist (the first migration of a
        /// project); without it a missing directory is an error.
        #[arg(long)]
        init: bool,
    },
    /// Exit non-zero when the declarations and `migrations/` disagree, or when a generated
    /// migration was edited by hand; with `--database`, also when a live database has drifted
    /// from the declarations.
    Check {
        /// Also introspect this database (a postgres:// URL) and report every difference from
        /// the declarations.
        #[arg(long, value_name = "URL")]
        database: Option<String>,
    },
    /// Apply pending migrations to $DATABASE_URL, or, when it is unset, to a throwaway local
    /// PostgreSQL that this command starts (and removes afterwards unless `--keep`).
    ///
    /// One run at a time per database: a run holds an advisory lock from start to end, and a
    /// second one waits for it (up to `--wait-for-lock`). A concurrent index build that an
    /// earlier run left behind is taken up: recorded when it finished, dropped and built again
    /// when it was left INVALID.
    Migrate {
        /// Leave the throwaway server running and print how to connect and stop it.
        #[arg(long)]
        keep: bool,
        /// How long to wait for another run holding the migrate lock, in seconds (0: fail at
        /// once).
        #[arg(long, value_name = "SECONDS", default_value_t = 900,
              value_parser = clap::value_parser!(u64).range(0..=86_400))]
        wait_for_lock: u64,
        /// Apply the pending migrations up to and including this version and stop there: a
        /// migration's version (`2026-11-22-194316-02`) or directory name, or the version of a
        /// `generate` that wrote several phases (`2026-11-22-194316`: all of them). `status`
        /// lists them.
        #[arg(long, value_name = "VERSION")]
        to: Option<String>,
    },
    /// List the migrations of `migrations/` with whether $DATABASE_URL has applied each, and
    /// whether it runs in a transaction; also the versions the database applied that this
    /// checkout does not have. Changes nothing.
    Status,
    /// Revert the last N migrations $DATABASE_URL applied, newest first, each with its
    /// `down.sql` (in a transaction unless it runs outside one). Refused when a down script
    /// loses data (drops a table or column that holds rows) unless `--allow-data-loss`.
    Rollback {
        /// How many applied migrations to revert.
        #[arg(long, default_value_t = 1, value_name = "N",
              value_parser = clap::value_parser!(u32).range(1..=100_000))]
        steps: u32,
        /// Revert even when a down script drops a table or column and the data in it.
        #[arg(long)]
        allow_data_loss: bool,
        /// How long to wait for a `migrate` or `rollback` holding the migrate lock, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 900,
              value_parser = clap::value_parser!(u64).range(0..=86_400))]
        wait_for_lock: u64,
    },
    /// Write the skeleton of a hand-written migration (`<version>_<name>/up.sql`, `down.sql`)
    /// for SQL the declarations cannot express: functions, custom triggers, data migrations.
    /// `register` records it once written.
    Raw {
        /// snake_case name of the migration, e.g. `validate_device_mac`.
        name: String,
        /// Run it outside a transaction (writes `metadata.toml`).
        #[arg(long)]
        outside_transaction: bool,
    },
    /// Record a hand-written migration in the snapshot, after running the migrations before it
    /// and then its up, down and up again on a throwaway PostgreSQL: its checksums, and the
    /// functions and triggers it creates, which drift then expects. Refused (nothing recorded)
    /// when it creates or changes what the declarations own, fails, or its down does not undo
    /// its up. Run it again after editing a migration that has run nowhere yet.
    Register {
        /// The migration's directory name, `<version>_<name>`.
        directory: String,
        /// Its down.sql loses data (`rollback` then asks for `--allow-data-loss`).
        #[arg(long)]
        down_loses_data: bool,
    },
    /// Write a new crate of declarations into DIR (created, or empty): Cargo.toml with the
    /// dependencies and Diesel features, the `schema` binary, the `cargo schema` alias, an
    /// empty `migrations/`, a tenant root and a first tenant table. Never overwrites a file.
    Init {
        /// The new crate's directory.
        dir: PathBuf,
        /// The package name (default: the directory's name).
        #[arg(long)]
        name: Option<String>,
        /// Take schema-core from this directory (default: the checkout this tool was built
        /// from).
        #[arg(long, value_name = "DIR", conflicts_with = "schema_core_git")]
        schema_core_path: Option<PathBuf>,
        /// Take schema-core from this git repository instead.
        #[arg(long, value_name = "URL")]
        schema_core_git: Option<String>,
    },
    /// Print the full DDL of the declarations (what an empty database would need).
    Sql,
    /// Analyze every recorded migration and the pending one: destructive (D), backward
    /// incompatible (B), lock-heavy (L), data-dependent (T) and style (S) findings. Exits
    /// non-zero on errors.
    Lint,
    /// Explain every lint code.
    Explain,
    /// Print the SQL that creates every declared role (application, identity, provisioning,
    /// monitoring: NOLOGIN, NOSUPERUSER, NOBYPASSRLS, owning nothing) and sets its privileges
    /// to exactly the declared ones, in one transaction behind an advisory lock. Run it after
    /// the migrations, as the role that ran them; `migrate` applies it itself.
    Role,
    /// Maintain the monthly partitions of the tables declared with `monthly_partitions` in
    /// $DATABASE_URL (or --database): create the coming months, detach the old ones.
    Partitions {
        #[command(subcommand)]
        command: PartitionsCommand,
    },
    /// Write the Markdown reference of every table (columns, constraints, indexes, policies,
    /// partitions) with a Mermaid ER diagram per schema; `check` fails when it is stale.
    Docs,
}

#[derive(Subcommand, Debug)]
enum PartitionsCommand {
    /// Create the partitions of the current month and of the next N months where missing (and
    /// of the months since the latest partitioned one, when maintenance fell behind), each
    /// with its table's row-level security, policies and its neighbouring month's privileges,
    /// and give every existing partition its table's row-level security. Idempotent: run it
    /// daily or monthly from a scheduler, well before the months it creates begin.
    Ensure {
        /// How many months after the current one must have a partition (0 to 120).
        #[arg(long, default_value_t = 3, value_name = "N",
              value_parser = clap::value_parser!(u32)
                  .range(0..=i64::from(crate::partitions::MAX_AHEAD)))]
        ahead: u32,
        /// When rows of a month being created already sit in the default partition, move them
        /// into the new partition in the same transaction (the table is locked while they
        /// move); without it such a month is reported and left as it is.
        #[arg(long)]
        move_from_default: bool,
        #[command(flatten)]
        target: Target,
    },
    /// Detach the partitions of the months before the current month minus K; with `--drop`,
    /// also drop them and the months detached earlier. Without `--drop` no data is deleted: a
    /// detached month is a table of its own, kept under row-level security.
    Retain {
        /// How many months before the current one to keep attached (1 to 1200): the current
        /// month and later ones are never detached or dropped.
        #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..=1200))]
        keep_months: u32,
        /// Drop the detached months past retention (their rows are deleted).
        #[arg(long)]
        drop: bool,
        #[command(flatten)]
        target: Target,
    },
}

#[derive(clap::Args, Debug)]
struct Target {
    /// The database (a postgres:// URL; default: $DATABASE_URL).
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// The month to count from (default: the database's current month, in UTC).
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<crate::partitions::Month>,
}

impl Target {
    fn connect(&self) -> Result<PgConnection, String> {
        let url = match &self.database {
            Some(url) => nonempty_url("--database", url)?,
            None => {
                let (url, warnings) = database_url_from_env()?;
                for warning in warnings {
                    eprintln!("{warning}");
                }
                url.ok_or_else(|| {
                    "no database: set DATABASE_URL or pass --database postgres://...".to_string()
                })?
            }
        };
        PgConnection::establish(&url).map_err(|e| format!("cannot connect to the database: {e}"))
    }
}

fn partitions(declared: &Schema, command: PartitionsCommand) -> Result<(), String> {
    if crate::partitions::monthly_tables(declared).is_empty() {
        println!("no table is declared with monthly partitions; nothing to maintain");
        return Ok(());
    }
    let report = match command {
        PartitionsCommand::Ensure {
            ahead,
            move_from_default,
            target,
        } => {
            let mut conn = target.connect()?;
            crate::live::partitions::ensure(
                &mut conn,
                declared,
                target.month,
                ahead,
                move_from_default,
            )
            .map_err(|e| e.to_string())?
        }
        PartitionsCommand::Retain {
            keep_months,
            drop,
            target,
        } => {
            let mut conn = target.connect()?;
            let report = crate::live::partitions::retain(
                &mut conn,
                declared,
                target.month,
                keep_months,
                drop,
            )
            .map_err(|e| e.to_string())?;
            println!(
                "keeping {} and later attached{}",
                crate::partitions::retention_cutoff(report.current, keep_months),
                if drop {
                    "; dropping the months before"
                } else {
                    "; detached months stay as tables under row-level security (`--drop` drops them)"
                }
            );
            report
        }
    };
    println!("current month {}", report.current);
    print!("{report}");
    match report.failures() {
        0 => Ok(()),
        n => Err(format!(
            "{n} step(s) failed (listed above with what to do); every other step was done"
        )),
    }
}

/// Runs the CLI on the given declarations and returns the process exit code.
pub fn main(schema: Result<Schema, SchemaError>) -> ExitCode {
    let cli = Cli::parse();
    match run(cli, schema) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The migrations directory, and whether it exists.
fn migrations_dir(explicit: Option<PathBuf>) -> (PathBuf, bool) {
    if let Some(dir) =
        explicit.or_else(|| std::env::var_os("MIGRATION_DIRECTORY").map(PathBuf::from))
    {
        let exists = dir.is_dir();
        return (dir, exists);
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match cwd
        .ancestors()
        .map(|d| d.join("migrations"))
        .find(|d| d.is_dir())
    {
        Some(dir) => (dir, true),
        None => (cwd.join("migrations"), false),
    }
}

/// `$DATABASE_URL`: `None` when unset (with a warning for a variable whose name is close to
/// it, which is most likely a misspelling), an error when set but empty (libpq would read an
/// empty URL as "the default server", which is never what a deploy job meant).
pub fn database_url_from_env() -> Result<(Option<String>, Vec<String>), String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) => nonempty_url("DATABASE_URL", &url).map(|url| (Some(url), Vec::new())),
        Err(std::env::VarError::NotUnicode(_)) => Err("DATABASE_URL is not valid UTF-8".into()),
        Err(std::env::VarError::NotPresent) => Ok((
            None,
            near_database_url(std::env::vars_os().map(|(k, _)| k))
                .into_iter()
                .map(|name| {
                    format!(
                        "warning: DATABASE_URL is not set, but {name} is: did you mean DATABASE_URL?"
                    )
                })
                .collect(),
        )),
    }
}

fn nonempty_url(what: &str, url: &str) -> Result<String, String> {
    if url.trim().is_empty() {
        return Err(format!(
            "{what} is set but empty; set it to the database's postgres:// URL (libpq would otherwise connect to its default server)"
        ));
    }
    Ok(url.to_string())
}

/// Environment variable names that look like a misspelt `DATABASE_URL`.
fn near_database_url(names: impl Iterator<Item = std::ffi::OsString>) -> Vec<String> {
    let mut near: Vec<String> = names
        .filter_map(|n| n.into_string().ok())
        .filter(|n| n != "DATABASE_URL")
        .filter(|n| {
            let upper = n.to_ascii_uppercase();
            upper == "DATABASE_URL" || strsim::damerau_levenshtein(&upper, "DATABASE_URL") <= 2
        })
        .collect();
    near.sort();
    near
}

fn run(cli: Cli, schema: Result<Schema, SchemaError>) -> Result<(), String> {
    let declared = schema.map_err(|e| format!("the declarations do not form a schema: {e}"))?;
    let (dir, dir_exists) = migrations_dir(cli.migrations_dir);
    let docs_dir = cli.docs_dir.unwrap_or_else(|| {
        dir.parent()
            .unwrap_or_else(|| Path::new("."))
            .join("docs")
            .join("schema")
    });
    match cli.command {
        Command::Generate {
            name,
            allow_data_loss,
            init,
        } => {
            if !dir_exists && !init {
                return Err(format!(
                    "there is no migrations directory at {} (nor a `migrations/` in any directory above the current one); run from the project, pass `--migrations-dir <DIR>`, or pass `--init` to create {}",
                    dir.display(),
                    dir.display()
                ));
            }
            let options = GenerateOptions {
                allow_data_loss,
                version: None,
            };
            match migrations::generate(&dir, &name, &declared, &options)
                .map_err(|e| e.to_string())?
            {
                Generated::UpToDate => {
                    println!(
                        "{} is up to date with the declarations; nothing to generate",
                        dir.display()
                    );
                }
                Generated::Written(migrations) => {
                    for m in &migrations {
                        println!(
                            "wrote {}{} ({} change(s)):",
                            m.directory.display(),
                            if m.transactional {
                                ""
                            } else {
                                " [outside a transaction]"
                            },
                            m.steps.len()
                        );
                        for step in &m.steps {
                            println!("  - {step}");
                        }
                    }
                }
            }
            Ok(())
        }
        Command::Lint => {
            let findings = migrations::lint(&dir, &declared).map_err(|e| e.to_string())?;
            for finding in &findings {
                println!("{finding}");
            }
            let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
            println!(
                "lint: {} error(s), {} warning(s), {} note(s) over {} (`cargo schema explain` explains each code)",
                count(Severity::Error),
                count(Severity::Warning),
                count(Severity::Note),
                dir.display()
            );
            if count(Severity::Error) > 0 {
                return Err("lint found errors".into());
            }
            Ok(())
        }
        Command::Role => {
            print!("{}", crate::role::roles_sql(&declared));
            Ok(())
        }
        Command::Docs => {
            let n = crate::docs::write(&docs_dir, &declared)
                .map_err(|e| format!("cannot write {}: {e}", docs_dir.display()))?;
            println!(
                "wrote {n} file(s) to {} ({} tables)",
                docs_dir.display(),
                declared.tables.len()
            );
            Ok(())
        }
        Command::Explain => {
            for rule in crate::lint::RULES {
                println!("{} {}\n    {}\n", rule.code, rule.name, rule.explanation);
            }
            Ok(())
        }
        Command::Check { database } => {
            // Read and verified once; with nothing pending, lint has only the recorded
            // migrations to judge.
            let state = MigrationState::load(&dir).map_err(|e| e.to_string())?;
            state.check(&declared).map_err(|e| e.to_string())?;
            let mut findings = state.lint_recorded();
            findings.extend(crate::lint::lint_schema(&declared));
            let errors: Vec<String> = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| format!("  - {f}"))
                .collect();
            if !errors.is_empty() {
                return Err(format!("lint found errors:\n{}", errors.join("\n")));
            }
            let warnings = findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count();
            println!(
                "ok: lint found no errors ({warnings} warning(s); `cargo schema lint` lists them)"
            );
            if docs_dir.is_dir() {
                let stale = crate::docs::stale(&docs_dir, &declared);
                if !stale.is_empty() {
                    return Err(format!(
                        "the schema reference in {} is stale ({}); run `cargo schema docs` and commit the result",
                        docs_dir.display(),
                        stale.join(", ")
                    ));
                }
                println!("ok: {} is up to date", docs_dir.display());
            } else {
                println!(
                    "note: no schema reference at {}; `cargo schema docs` writes it",
                    docs_dir.display()
                );
            }
            println!(
                "ok: {} matches the declarations ({} tables)",
                dir.display(),
                declared.tables.len()
            );
            if let Some(url) = database {
                let url = nonempty_url("--database", &url)?;
                let mut conn = PgConnection::establish(&url)
                    .map_err(|e| format!("cannot connect to the database: {e}"))?;
                let pending = pending_migrations(&mut conn, &state)?;
                if !pending.is_empty() {
                    return Err(format!(
                        "the database has {} migration(s) of {} not applied:\n{}\nApply them with `cargo schema migrate` (DATABASE_URL set to this database), then check again.",
                        pending.len(),
                        dir.display(),
                        pending
                            .iter()
                            .map(|d| format!("  - {d}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    ));
                }
                use crate::live::introspect::ReadError;
                let unread = |e: ReadError| {
                    format!("{e}\nNothing was compared: check the connection and the role's privileges (it reads pg_catalog), then check again.")
                };
                let mut drift =
                    crate::live::introspect::drift(&mut conn, &declared).map_err(unread)?;
                drift.extend(
                    crate::live::state::broken_state(&mut conn, &declared)
                        .map_err(ReadError::of("the indexes' and constraints' state"))
                        .map_err(unread)?,
                );
                drift.extend(
                    crate::live::hand_written::drift(&mut conn, &declared, Some(&state))
                        .map_err(unread)?,
                );
                drift.extend(
                    crate::live::roles::drift(&mut conn, &declared)
                        .map_err(ReadError::of("the roles and privileges"))
                        .map_err(unread)?,
                );
                if !drift.is_empty() {
                    return Err(format!(
                        "the database has drifted from the declarations ({} difference(s)); to match them it would need:\n{}\nApply the pending migrations (`cargo schema migrate`), or undo the manual changes.",
                        drift.len(),
                        drift
                            .iter()
                            .map(|d| format!("  - {d}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    ));
                }
                println!("ok: the database matches the declarations");
            }
            Ok(())
        }
        Command::Migrate {
            keep,
            wait_for_lock,
            to,
        } => migrate(
            &dir,
            &declared,
            keep,
            Duration::from_secs(wait_for_lock),
            to.as_deref(),
        ),
        Command::Status => status(&dir),
        Command::Rollback {
            steps,
            allow_data_loss,
            wait_for_lock,
        } => rollback(
            &dir,
            steps as usize,
            allow_data_loss,
            Duration::from_secs(wait_for_lock),
        ),
        Command::Partitions { command } => partitions(&declared, command),
        Command::Init {
            dir: project,
            name,
            schema_core_path,
            schema_core_git,
        } => {
            use crate::init::SchemaCoreSource;
            let source = match (schema_core_path, schema_core_git) {
                (Some(path), _) => {
                    SchemaCoreSource::Path(std::path::absolute(&path).unwrap_or(path))
                }
                (None, Some(url)) => SchemaCoreSource::Git(url),
                (None, None) => SchemaCoreSource::this_checkout(),
            };
            let name =
                crate::init::init(&project, name.as_deref(), &source).map_err(|e| e.to_string())?;
            println!("created crate `{name}` in {}", project.display());
            println!("next:");
            println!("  cd {}", project.display());
            println!(
                "  cargo schema generate first_tables   # writes migrations/<now>_first_tables"
            );
            println!("  cargo schema migrate                 # applies them ($DATABASE_URL, or a throwaway server)");
            Ok(())
        }
        Command::Raw {
            name,
            outside_transaction,
        } => {
            let path = migrations::new_hand_written(&dir, &name, !outside_transaction, None)
                .map_err(|e| e.to_string())?;
            println!("created {}", path.display());
            let directory = path.file_name().unwrap_or_default().to_string_lossy();
            println!("write up.sql and down.sql, then run `cargo schema register {directory}`");
            Ok(())
        }
        Command::Register {
            directory,
            down_loses_data,
        } => {
            let directory = directory.trim_end_matches('/');
            let directory = Path::new(directory)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let found = crate::live::hand_written::register(
                &dir,
                &directory,
                down_loses_data,
                &mut |step| eprintln!("  {step}"),
            )
            .map_err(|e| e.to_string())?;
            println!(
                "registered {directory} in {}",
                dir.join(migrations::SNAPSHOT_FILE).display()
            );
            for object in &found.creates {
                println!("  creates {object}");
            }
            for dropped in &found.drops {
                println!("  drops {dropped}");
            }
            if found.creates.is_empty() && found.drops.is_empty() {
                println!("  creates no function or trigger (a data migration)");
            }
            Ok(())
        }
        Command::Sql => {
            print!("{}", migrations::render_full(&declared).up);
            Ok(())
        }
    }
}

/// The recorded migrations of `state` that `conn`'s database has not applied, by directory.
fn pending_migrations(
    conn: &mut PgConnection,
    state: &MigrationState,
) -> Result<Vec<String>, String> {
    // Not Diesel's `MigrationHarness::pending_migrations`: it creates the migration table
    // where there is none, and `check` changes nothing. A database with no migration table
    // was not built by migrations (`cargo schema sql | psql`, or adopted): drift alone tells
    // whether it matches.
    let Some(applied) = crate::live::state::applied_versions(conn)
        .map_err(|e| format!("cannot read which migrations the database applied: {e}"))?
    else {
        return Ok(Vec::new());
    };
    Ok(state
        .snapshot
        .migrations
        .iter()
        .filter(|m| !applied.contains(&migrations::version_key(&m.directory)))
        .map(|m| m.directory.clone())
        .collect())
}

fn migrate(
    dir: &Path,
    declared: &Schema,
    keep: bool,
    wait_for_lock: Duration,
    to: Option<&str>,
) -> Result<(), String> {
    // The target comes first, so the first line says where this run goes.
    let (url, warnings) = database_url_from_env()?;
    match &url {
        Some(_) => eprintln!("target: the database at $DATABASE_URL"),
        None => eprintln!(
            "target: a THROWAWAY local PostgreSQL, because DATABASE_URL is not set: nothing this run applies is kept{}",
            if keep { " once you stop it (--keep)" } else { "" }
        ),
    }
    for warning in warnings {
        eprintln!("{warning}");
    }
    // Refuse a corrupt migrations directory, or a target it does not hold, before touching any
    // database.
    let state = MigrationState::load(dir).map_err(|e| e.to_string())?;
    let to = to.map(|to| known_version(&state, to)).transpose()?;
    // The grants are computed from the declarations, so they are applied only when the
    // migrations hold all of them.
    let mut grant_roles = false;
    match state.pending_changes(declared) {
        Ok(changes) if changes.is_empty() => grant_roles = true,
        Ok(changes) => eprintln!(
            "warning: the declarations have {} change(s) without a migration; only what {} holds is applied, and the roles' privileges are left as they are (run `cargo schema generate <name>`)",
            changes.len(),
            dir.display()
        ),
        Err(e) => eprintln!("warning: {e}"),
    }
    let mut cluster = None;
    let url = match url {
        Some(url) => url,
        None => {
            let started = Instant::now();
            let c =
                TempCluster::start(&mut |step| eprintln!("  {step}")).map_err(|e| e.to_string())?;
            eprintln!("  ready in {:.1}s", started.elapsed().as_secs_f64());
            let url = c.url("postgres");
            cluster = Some(c);
            url
        }
    };
    let mut conn = PgConnection::establish(&url).map_err(|e| format!("cannot connect: {e}"))?;
    crate::live::state::lock_migrations(&mut conn, wait_for_lock, &mut |m| eprintln!("{m}"))?;
    let applied = apply_locked(
        &mut conn,
        &url,
        dir,
        &state,
        declared,
        grant_roles,
        to.as_deref(),
    );
    crate::live::state::unlock_migrations(&mut conn);
    applied?;
    let schemas: Vec<&str> = declared.namespaces().into_iter().collect();
    let live = crate::live::introspect::introspect(&mut conn, &schemas)
        .map_err(|e| format!("cannot read the catalog back: {e}"))?;
    eprintln!(
        "database now has {} table(s) in schema(s) {}",
        live.tables.len(),
        schemas.join(", ")
    );
    for table in &live.tables {
        println!("  {}", table.qualified_name());
    }
    if let Some(cluster) = cluster {
        if keep {
            println!("the server keeps running: DATABASE_URL='{url}'");
            println!("stop and remove it with: {}", cluster.keep());
        } else {
            eprintln!(
                "stopping the throwaway server and removing {} (pass --keep to keep it)",
                cluster.root().display()
            );
        }
    }
    Ok(())
}

/// The version key of the recorded migration `to` names (a version with or without dashes, or
/// a directory name); an unknown one is an error that says where to look.
fn known_version(state: &MigrationState, to: &str) -> Result<String, String> {
    let key = migrations::version_key(to.trim());
    // A `generate` that wrote several phases gave them its version plus `-01`, `-02` …: its
    // version names them all, so the target is the last.
    let last_phase = state
        .snapshot
        .migrations
        .iter()
        .map(|m| migrations::version_key(&m.directory))
        .filter(|k| *k == key || (k.len() == key.len() + 2 && k.starts_with(&key)))
        .max();
    if let Some(last) = last_phase {
        return Ok(last);
    }
    let last: Vec<&str> = state
        .snapshot
        .migrations
        .iter()
        .rev()
        .take(3)
        .map(|m| m.directory.as_str())
        .collect();
    Err(format!(
        "no migration in {} has version `{to}` (the latest: {}); `cargo schema status` lists them all",
        state.dir.display(),
        if last.is_empty() { "none".to_string() } else { last.join(", ") }
    ))
}

/// `$DATABASE_URL`, which a verb about a database's own history needs: a throwaway server
/// would have no history.
fn required_database_url(verb: &str) -> Result<String, String> {
    let (url, warnings) = database_url_from_env()?;
    for warning in warnings {
        eprintln!("{warning}");
    }
    url.ok_or_else(|| {
        format!("`cargo schema {verb}` reads the migrations a database applied: set DATABASE_URL to it (postgres://…)")
    })
}

fn status(dir: &Path) -> Result<(), String> {
    let state = MigrationState::load(dir).map_err(|e| e.to_string())?;
    let url = required_database_url("status")?;
    let mut conn = PgConnection::establish(&url)
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    let applied = crate::live::state::applied_versions(&mut conn)
        .map_err(|e| format!("cannot read which migrations the database applied: {e}"))?
        .unwrap_or_default();
    let mut pending = 0;
    for m in &state.snapshot.migrations {
        let done = applied.contains(&migrations::version_key(&m.directory));
        pending += usize::from(!done);
        println!(
            "{}  {}{}",
            if done { "applied" } else { "pending" },
            m.directory,
            match (m.transactional, m.hand_written.is_some()) {
                (true, false) => "",
                (false, false) => "  [outside a transaction]",
                (true, true) => "  [hand-written]",
                (false, true) => "  [hand-written, outside a transaction]",
            }
        );
    }
    let known: std::collections::BTreeSet<String> = state
        .snapshot
        .migrations
        .iter()
        .map(|m| migrations::version_key(&m.directory))
        .collect();
    let unknown: Vec<&String> = applied.iter().filter(|v| !known.contains(*v)).collect();
    for version in &unknown {
        println!(
            "unknown  {version}  (applied to the database, not in {}: a newer checkout wrote it)",
            dir.display()
        );
    }
    println!(
        "{} applied, {pending} pending{}",
        state.snapshot.migrations.len() - pending,
        if unknown.is_empty() {
            String::new()
        } else {
            format!(
                ", {} applied here but unknown to this checkout",
                unknown.len()
            )
        }
    );
    Ok(())
}

fn rollback(
    dir: &Path,
    steps: usize,
    allow_data_loss: bool,
    wait_for_lock: Duration,
) -> Result<(), String> {
    let state = MigrationState::load(dir).map_err(|e| e.to_string())?;
    let url = required_database_url("rollback")?;
    eprintln!("target: the database at $DATABASE_URL");
    let mut conn = PgConnection::establish(&url)
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    crate::live::state::lock_migrations(&mut conn, wait_for_lock, &mut |m| eprintln!("{m}"))?;
    let reverted = rollback_locked(&mut conn, dir, &state, steps, allow_data_loss);
    crate::live::state::unlock_migrations(&mut conn);
    reverted
}

/// Reverts the last `steps` applied migrations while holding the migrate lock. Everything is
/// checked before the first revert: that each is in `migrations/`, and what its down loses.
fn rollback_locked(
    conn: &mut PgConnection,
    dir: &Path,
    state: &MigrationState,
    steps: usize,
    allow_data_loss: bool,
) -> Result<(), String> {
    let applied = crate::live::state::applied_versions(conn)
        .map_err(|e| format!("cannot read which migrations the database applied: {e}"))?
        .unwrap_or_default();
    if applied.is_empty() {
        eprintln!("no applied migrations: nothing to roll back");
        return Ok(());
    }
    // Newest first, as Diesel orders them.
    let mut targets = Vec::new();
    for version in applied.iter().rev().take(steps) {
        let recorded = state
            .snapshot
            .migrations
            .iter()
            .find(|m| migrations::version_key(&m.directory) == *version)
            .ok_or_else(|| {
                format!(
                    "the database applied migration {version}, which {} does not hold: roll it back from the checkout that has it",
                    dir.display()
                )
            })?;
        targets.push(recorded);
    }
    if targets.len() < steps {
        eprintln!(
            "the database applied {} migration(s): reverting them all",
            targets.len()
        );
    }
    let losses: Vec<String> = targets
        .iter()
        .flat_map(|m| {
            m.steps
                .iter()
                .filter_map(|step| step.inverse().data_loss())
                .chain(
                    m.hand_written
                        .as_ref()
                        .filter(|h| h.down_loses_data)
                        .map(|_| "is hand-written and registered as losing data (`register --down-loses-data`)".to_string()),
                )
                .map(move |loss| format!("  - {}: its down {loss}", m.directory))
        })
        .collect();
    if !losses.is_empty() && !allow_data_loss {
        return Err(format!(
            "refusing to roll back: reverting loses data\n{}\nIf this is intended, run again with `--allow-data-loss`; nothing was reverted.",
            losses.join("\n")
        ));
    }
    let source = FileBasedMigrations::from_path(dir)
        .map_err(|e| format!("cannot read migrations in {}: {e}", dir.display()))?;
    let files = diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&source)
        .map_err(|e| format!("cannot read migrations in {}: {e}", dir.display()))?;
    let total = targets.len();
    for (i, recorded) in targets.iter().enumerate() {
        let migration = files
            .iter()
            .find(|m| m.name().to_string() == recorded.directory)
            .ok_or_else(|| format!("cannot find {} in {}", recorded.directory, dir.display()))?;
        let started = Instant::now();
        eprintln!("[{}/{total}] reverting {} …", i + 1, recorded.directory);
        conn.revert_migration(migration.as_ref()).map_err(|e| {
            format!(
                "reverting {} failed{}; the {i} reverted before it stay reverted: {e}",
                recorded.directory,
                if recorded.transactional {
                    " and was rolled back, the database is as it was before it"
                } else {
                    " (it runs outside a transaction)"
                }
            )
        })?;
        eprintln!(
            "[{}/{total}] reverted {} in {} ms",
            i + 1,
            recorded.directory,
            started.elapsed().as_millis()
        );
    }
    Ok(())
}

/// The table and index a migration builds concurrently, if that is what it does.
fn concurrent_index<'a>(
    state: &'a MigrationState,
    directory: &str,
) -> Option<(&'a QualifiedName, &'a Index)> {
    let recorded = state
        .snapshot
        .migrations
        .iter()
        .find(|m| m.directory == directory)?;
    match recorded.steps.as_slice() {
        [Step::CreateIndexConcurrently { table, index }] => Some((table, index)),
        _ => None,
    }
}

/// What an earlier, interrupted run left of the concurrent build of `index` on `table`, taken
/// up before the migration runs: a finished build (the same index) is recorded as applied
/// (`Ok(true)`); a build still running is waited for; an INVALID index is dropped; then the
/// migration runs (`Ok(false)`).
fn take_up_interrupted_build(
    conn: &mut PgConnection,
    progress: &str,
    version: &str,
    table: &QualifiedName,
    declared: &Index,
) -> Result<bool, String> {
    let index = QualifiedName::new(&table.schema, &declared.name);
    let mut waited = false;
    loop {
        let state = crate::live::state::index_state(conn, &index)
            .map_err(|e| format!("cannot read the state of index {index}: {e}"))?;
        match state {
            IndexState::Missing => return Ok(false),
            IndexState::Valid {
                table: live_table,
                columns,
                unique,
            } => {
                let expected: Vec<&str> =
                    declared.columns.iter().map(|k| k.column.as_str()).collect();
                if live_table != table.name || columns != expected || unique != declared.unique {
                    return Err(format!(
                        "{progress} builds index {index}, but an index of that name already exists on `{live_table}` ({}{}) that is not the one declared ({}{} on `{}`); rename or drop it, then run again",
                        if unique { "unique, " } else { "" },
                        columns.join(", "),
                        if declared.unique { "unique, " } else { "" },
                        expected.join(", "),
                        table.name
                    ));
                }
                crate::live::state::record_applied(conn, version)
                    .map_err(|e| format!("{progress}: cannot record the migration: {e}"))?;
                eprintln!(
                    "{progress}: index {index} was built by an earlier run that was interrupted before Diesel recorded it; recorded it as applied"
                );
                return Ok(true);
            }
            IndexState::Building(pid) => {
                if !waited {
                    eprintln!(
                        "{progress}: index {index} is being built by backend pid {pid} (a run that was interrupted, or `diesel migration run`); waiting for it"
                    );
                    waited = true;
                }
                std::thread::sleep(Duration::from_millis(500));
            }
            IndexState::Invalid => {
                let drop = crate::live::state::drop_index_sql(&index);
                eprintln!(
                    "{progress}: an earlier build of index {index} failed or was interrupted and left it INVALID; dropping it to build it again: {drop}"
                );
                conn.batch_execute(&drop)
                    .map_err(|e| format!("cannot drop the INVALID index {index} ({drop}): {e}"))?;
                return Ok(false);
            }
        }
    }
}

/// Applies the pending migrations while holding the migrate lock, taking up what an earlier,
/// interrupted run left of a concurrent index build.
fn apply_locked(
    conn: &mut PgConnection,
    url: &str,
    dir: &Path,
    state: &MigrationState,
    declared: &Schema,
    grant_roles: bool,
    to: Option<&str>,
) -> Result<(), String> {
    let source = FileBasedMigrations::from_path(dir)
        .map_err(|e| format!("cannot read migrations in {}: {e}", dir.display()))?;
    let mut pending = conn
        .pending_migrations(source)
        .map_err(|e| format!("cannot list pending migrations: {e}"))?;
    let all = pending.len();
    if let Some(to) = to {
        pending.retain(|m| migrations::version_key(&m.name().to_string()).as_str() <= to);
    }
    // The grants are computed from the declarations: applied once the database holds every
    // migration.
    let grant_roles = grant_roles && pending.len() == all;
    if pending.is_empty() {
        match to {
            Some(to) if all > 0 => {
                eprintln!("no pending migrations up to {to} ({all} later one(s) left pending)")
            }
            _ => eprintln!("no pending migrations"),
        }
    } else if pending.len() < all {
        eprintln!(
            "applying {} of {all} pending migration(s), up to {}; {} stay pending",
            pending.len(),
            to.unwrap_or_default(),
            all - pending.len()
        );
    }
    let total = pending.len();
    for (i, migration) in pending.iter().enumerate() {
        let started = Instant::now();
        let name = migration.name().to_string();
        let build = concurrent_index(state, &name);
        let index = build.map(|(table, index)| QualifiedName::new(&table.schema, &index.name));
        if let Some((table, declared_index)) = build {
            let progress = format!("[{}/{total}] {name}", i + 1);
            let version = migration.name().version().to_string();
            if take_up_interrupted_build(conn, &progress, &version, table, declared_index)? {
                continue;
            }
        }
        eprintln!("[{}/{total}] applying {name} …", i + 1);
        if let Err(e) = conn.run_migration(migration) {
            return Err(if migration.metadata().run_in_transaction() {
                format!(
                    "migration {name} failed and was rolled back, the database is as it was before it: {e}"
                )
            } else if let Some(index) = &index {
                // The failure may have been the backend's end: look with a new connection.
                let state = match PgConnection::establish(url) {
                    Ok(mut fresh) => crate::live::state::index_state(&mut fresh, index),
                    Err(_) => crate::live::state::index_state(conn, index),
                };
                let left = match state {
                    Ok(IndexState::Invalid) => format!(
                        "PostgreSQL left the index INVALID; `cargo schema migrate` drops it and builds it again when run once the cause is fixed (by hand: `{}`)",
                        crate::live::state::drop_index_sql(index)
                    ),
                    Ok(IndexState::Missing) => "no index was left behind".to_string(),
                    _ => format!("check the state of index {index} with `cargo schema check --database`"),
                };
                format!(
                    "migration {name} failed; it builds index {index} concurrently, outside a transaction: {left}. The migrations before it stay applied. {e}"
                )
            } else {
                format!(
                    "migration {name} failed; it runs outside a transaction and commits as it goes (a batched backfill keeps the rows it filled and resumes where it stopped): fix the cause and run `cargo schema migrate` again. {e}"
                )
            });
        }
        eprintln!(
            "[{}/{total}] applied {name} in {} ms",
            i + 1,
            started.elapsed().as_millis()
        );
    }
    if grant_roles && !declared.roles.is_empty() {
        conn.batch_execute(&crate::role::roles_sql(declared))
            .map_err(|e| format!("the migrations were applied, but granting the roles failed (nothing of it was applied; fix the cause and run `cargo schema role | psql` or `cargo schema migrate` again): {e}"))?;
        let names: Vec<&str> = declared.roles.iter().map(|r| r.name.as_str()).collect();
        eprintln!("roles granted: {}", names.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_close_to_database_url_are_flagged() {
        let names = [
            "DATABSE_URL",
            "DATABASE_URI",
            "database_url",
            "PATH",
            "DATABASE",
            "HOME",
            "DATABASE_URL",
        ];
        assert_eq!(
            near_database_url(names.iter().map(std::ffi::OsString::from)),
            ["DATABASE_URI", "DATABSE_URL", "database_url"]
        );
    }

    #[test]
    fn an_empty_url_is_refused() {
        assert!(nonempty_url("DATABASE_URL", "  ")
            .unwrap_err()
            .contains("empty"));
        assert!(nonempty_url("DATABASE_URL", "postgres://x").is_ok());
    }
}
