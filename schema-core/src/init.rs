//! `cargo schema init`: a new crate of declarations, ready for `generate` and `migrate` — the
//! dependencies and Diesel features the generated code needs, the `schema` binary, the
//! `cargo schema` alias, an empty `migrations/`, and a first tenant root and tenant table.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// Where the new crate takes schema-core from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaCoreSource {
    /// A checkout's `schema-core` directory.
    Path(PathBuf),
    /// A git repository holding the workspace.
    Git(String),
}

impl SchemaCoreSource {
    /// This build's own schema-core.
    pub fn this_checkout() -> SchemaCoreSource {
        SchemaCoreSource::Path(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
    }

    fn dependency(&self) -> String {
        match self {
            SchemaCoreSource::Path(path) => {
                format!("{{ path = {} }}", toml_string(&path.to_string_lossy()))
            }
            SchemaCoreSource::Git(url) => format!("{{ git = {} }}", toml_string(url)),
        }
    }
}

/// Why `init` wrote nothing.
#[derive(Debug)]
pub enum InitError {
    /// The directory holds files already (`init` never overwrites).
    NotEmpty { dir: PathBuf, entries: Vec<String> },
    /// The crate name is not one Cargo accepts as a package and library name.
    BadName { name: String },
    /// The schema-core path does not hold schema-core.
    NoSchemaCore { path: PathBuf },
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::NotEmpty { dir, entries } => write!(
                f,
                "{} is not empty ({}); `cargo schema init` writes only into a new or empty directory and never overwrites a file. Pick another directory, or add the pieces by hand (README: \"Using the tables from a service\")",
                dir.display(),
                entries.join(", ")
            ),
            InitError::BadName { name } => write!(
                f,
                "`{name}` is not a crate name: lower-case letters, digits, `-` and `_`, starting with a letter; pass `--name my-service`"
            ),
            InitError::NoSchemaCore { path } => write!(
                f,
                "{} holds no schema-core (no Cargo.toml naming it); pass `--schema-core-path <schema-api checkout>/schema-core` or `--schema-core-git <url>`",
                path.display()
            ),
            InitError::Io { path, source } => write!(f, "cannot write {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for InitError {}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `name` as Cargo would accept it for a package whose library is used by name.
fn valid_crate_name(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The files of a new crate `name`, relative to its directory.
pub fn files(name: &str, schema_core: &SchemaCoreSource) -> Vec<(&'static str, String)> {
    let lib = name.replace('-', "_");
    let role = format!("{lib}_app");
    vec![
        (
            "Cargo.toml",
            format!(
                r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
schema-core = {schema_core}
# The features the generated Diesel code and the column types need.
diesel = {{ version = "2.3", default-features = false, features = ["postgres", "chrono", "numeric", "network-address", "serde_json", "uuid", "32-column-tables"] }}
chrono = {{ version = "0.4", default-features = false, features = ["clock", "std", "serde"] }}
uuid = {{ version = "1", features = ["v4", "serde"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"

[features]
# The `schema` binary. A service that only queries the tables depends on this crate with
# `default-features = false` and compiles none of the tooling.
default = ["cli"]
cli = ["schema-core/cli"]

[[bin]]
name = "schema"
path = "src/bin/schema.rs"
required-features = ["cli"]
"#,
                schema_core = schema_core.dependency()
            ),
        ),
        (
            ".cargo/config.toml",
            "[alias]\n# `cargo schema <command>`: generate, check, migrate, status, rollback, lint, docs …\nschema = \"run --quiet --bin schema --\"\n".to_string(),
        ),
        (".gitignore", "/target\n".to_string()),
        (
            "src/bin/schema.rs",
            format!(
                "fn main() -> std::process::ExitCode {{\n    schema_core::cli::main({lib}::schema())\n}}\n"
            ),
        ),
        (
            "src/lib.rs",
            format!(
                r#"//! The PostgreSQL schema of `{name}`, declared with schema-api: one module per PostgreSQL
//! schema. After changing a declaration, `cargo schema generate <what_changed>` writes the
//! migration and `cargo schema migrate` applies it.

pub mod accounts;
pub mod projects;

schema_core::schema! {{
    // The role the service connects as: it reaches tenant rows only inside
    // `schema_core::with_tenant`.
    roles(app = "{role}");
    accounts::Account,
    projects::Project,
}}
"#
            ),
        ),
        (
            "src/accounts.rs",
            r#"//! PostgreSQL schema `accounts`: the tenants.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A customer account: the tenant every tenant table's rows belong to.
#[schema_core::table(schema = "accounts", name = "accounts", tenant_root)]
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(varchar = 128)]
    pub name: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}
"#
            .to_string(),
        ),
        (
            "src/projects.rs",
            r#"//! PostgreSQL schema `projects`: a first tenant table. Row-level security shows each
//! account its own rows only.

use crate::accounts::Account;
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[schema_core::table(
    schema = "projects",
    name = "projects",
    tenant,
    unique_index(account_id, name, where = "deleted_at IS NULL")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 200)]
    pub name: String,
    pub description: Option<String>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}
"#
            .to_string(),
        ),
        (
            "migrations/.keep",
            "Diesel migrations, written by `cargo schema generate` (and `cargo schema raw`).\n"
                .to_string(),
        ),
    ]
}

/// Writes a new crate into `dir` (created if missing, refused unless empty). Returns the
/// package name.
pub fn init(
    dir: &Path,
    name: Option<&str>,
    schema_core: &SchemaCoreSource,
) -> Result<String, InitError> {
    let name = match name {
        Some(name) => name.to_string(),
        None => dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    if !valid_crate_name(&name) {
        return Err(InitError::BadName { name });
    }
    if let SchemaCoreSource::Path(path) = schema_core {
        let manifest = fs::read_to_string(path.join("Cargo.toml")).unwrap_or_default();
        if !manifest.contains("name = \"schema-core\"") {
            return Err(InitError::NoSchemaCore { path: path.clone() });
        }
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| InitError::Io { path, source }
    };
    if dir.exists() {
        let mut entries: Vec<String> = fs::read_dir(dir)
            .map_err(io(dir))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            // A fresh `git init` is empty enough.
            .filter(|e| e != ".git")
            .collect();
        if !entries.is_empty() {
            entries.sort();
            return Err(InitError::NotEmpty {
                dir: dir.to_path_buf(),
                entries,
            });
        }
    }
    for (file, text) in files(&name, schema_core) {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        // `create_new`: a file that appeared meanwhile is not overwritten.
        use std::io::Write as _;
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(io(&path))?;
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths_are_checked_and_quoted() {
        assert!(valid_crate_name("my-service"));
        assert!(valid_crate_name("pm2"));
        for bad in ["", "My", "2fast", "a b", "a\"b", "ünï"] {
            assert!(!valid_crate_name(bad), "{bad}");
        }
        assert_eq!(toml_string(r#"C:\a "b""#), r#""C:\\a \"b\"""#);
    }

    #[test]
    fn init_never_overwrites_and_refuses_a_non_empty_directory() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("svc");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("notes.txt"), "mine").unwrap();
        let err = init(&target, None, &SchemaCoreSource::this_checkout()).unwrap_err();
        assert!(matches!(err, InitError::NotEmpty { .. }), "{err}");
        assert_eq!(
            fs::read_to_string(target.join("notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(fs::read_dir(&target).unwrap().count(), 1, "nothing written");
        let err = init(
            &dir.path().join("x"),
            Some("x"),
            &SchemaCoreSource::Path(dir.path().into()),
        )
        .unwrap_err();
        assert!(matches!(err, InitError::NoSchemaCore { .. }), "{err}");
        assert!(!dir.path().join("x").exists());
        let fresh = dir.path().join("fresh-svc");
        assert_eq!(
            init(&fresh, None, &SchemaCoreSource::this_checkout()).unwrap(),
            "fresh-svc"
        );
        let bin = fs::read_to_string(fresh.join("src/bin/schema.rs")).unwrap();
        assert!(bin.contains("fresh_svc::schema()"), "{bin}");
    }
}
