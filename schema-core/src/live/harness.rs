//! Throwaway PostgreSQL clusters and per-test databases.
//!
//! [`TempCluster`] runs `initdb` and `pg_ctl` from the machine's PostgreSQL binaries into a
//! private directory, listening only on a Unix socket inside that directory, so clusters never
//! collide with each other or with a system server. As root it drops to the `postgres` user
//! (PostgreSQL refuses to run as root). [`TestDatabase`] gives each test its own database, on
//! `DATABASE_URL`'s server when that is set, otherwise on one cluster per test process.

use diesel::prelude::*;
use diesel::{sql_query, PgConnection};
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

const PORT: u16 = 5432;

/// Why a throwaway server or test database could not be had.
#[derive(Debug)]
pub enum PgError {
    /// No server binaries were found.
    NoBinaries,
    /// Running as root, without a `postgres` user for the server to run as.
    NoPostgresUser,
    /// The cluster's directory could not be created, handed to `postgres`, or named in UTF-8.
    Directory {
        path: PathBuf,
        what: &'static str,
        source: Option<std::io::Error>,
    },
    /// A server program could not be run (`output` is `None`), or it failed with this
    /// status, output and server log.
    Program {
        program: String,
        status: Option<std::process::ExitStatus>,
        output: String,
    },
    /// `DATABASE_URL` is not a `postgres://` URL.
    NotAUrl { url: String },
    /// The shared server of this process failed to start (at the first test that needed it).
    Server(String),
    /// Connecting to the server, or creating a test database on it, failed.
    Database { what: String, reason: String },
}

impl std::fmt::Display for PgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PgError::NoBinaries => f.write_str(
                "no PostgreSQL server binaries found (tried $PG_BINDIR, `pg_config --bindir`, /usr/lib/postgresql/*/bin); \
                 install them with `apt-get install -y postgresql`, or set DATABASE_URL to an existing server",
            ),
            PgError::NoPostgresUser => f.write_str(
                "running as root, PostgreSQL needs an unprivileged `postgres` user to run as; \
                 install the `postgresql` package (it creates one) or run as a normal user",
            ),
            PgError::Directory { path, what, source } => {
                write!(f, "cannot {what} {}", path.display())?;
                match source {
                    Some(e) => write!(f, ": {e}"),
                    None => Ok(()),
                }
            }
            PgError::Program {
                program,
                status: None,
                output,
            } => write!(f, "cannot run {program}: {output}"),
            PgError::Program {
                program,
                status: Some(status),
                output,
            } => write!(f, "{program} failed ({status}):\n{output}"),
            PgError::NotAUrl { url } => write!(f, "DATABASE_URL `{url}` is not a postgres:// URL"),
            PgError::Server(message) => f.write_str(message),
            PgError::Database { what, reason } => write!(f, "cannot {what}: {reason}"),
        }
    }
}

impl std::error::Error for PgError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PgError::Directory {
                source: Some(e), ..
            } => Some(e),
            _ => None,
        }
    }
}

/// The directory of `initdb`, `pg_ctl` and `postgres`: `$PG_BINDIR`, else `pg_config --bindir`,
/// else the newest `/usr/lib/postgresql/<version>/bin`.
pub fn find_bindir() -> Result<PathBuf, PgError> {
    if let Some(dir) = std::env::var_os("PG_BINDIR") {
        return Ok(PathBuf::from(dir));
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    candidates.sort();
    candidates
        .pop()
        .map(|(_, bin)| bin)
        .ok_or(PgError::NoBinaries)
}

struct PostgresUser {
    uid: libc::uid_t,
    gid: libc::gid_t,
}

fn postgres_user() -> Option<PostgresUser> {
    let name = CString::new("postgres").expect("no NUL");
    // SAFETY: getpwnam returns a pointer into static storage or NULL; we copy out two integers
    // immediately and never keep the pointer.
    unsafe {
        let pw = libc::getpwnam(name.as_ptr());
        (!pw.is_null()).then(|| PostgresUser {
            uid: (*pw).pw_uid,
            gid: (*pw).pw_gid,
        })
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A PostgreSQL cluster in a private temporary directory, stopped and deleted on drop.
#[derive(Debug)]
pub struct TempCluster {
    root: PathBuf,
    bindir: PathBuf,
    as_postgres: bool,
    stopped: bool,
}

impl TempCluster {
    /// Runs `initdb` and starts the server; `progress` hears about each step.
    pub fn start(progress: &mut dyn FnMut(&str)) -> Result<Self, PgError> {
        let bindir = find_bindir()?;
        let as_postgres = is_root();
        let user = if as_postgres {
            Some(postgres_user().ok_or(PgError::NoPostgresUser)?)
        } else {
            None
        };
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        // As root, a temp dir under a private $TMPDIR may not be traversable by `postgres`:
        // /tmp always is.
        let base = if as_postgres {
            PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let root = base.join(format!(
            "schema-api-pg-{}-{}-{nanos}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&root).map_err(|e| PgError::Directory {
            path: root.clone(),
            what: "create",
            source: Some(e),
        })?;
        let mut cluster = TempCluster {
            root,
            bindir,
            as_postgres,
            stopped: true,
        };
        if let Some(user) = user {
            let path = CString::new(cluster.root.as_os_str().as_encoded_bytes()).map_err(|_| {
                PgError::Directory {
                    path: cluster.root.clone(),
                    what: "pass a path with a NUL byte:",
                    source: None,
                }
            })?;
            // SAFETY: chown on a path we just created; the CString outlives the call.
            if unsafe { libc::chown(path.as_ptr(), user.uid, user.gid) } != 0 {
                return Err(PgError::Directory {
                    path: cluster.root.clone(),
                    what: "hand to the postgres user",
                    source: Some(std::io::Error::last_os_error()),
                });
            }
        }
        progress(&format!(
            "initdb: creating a throwaway cluster in {}",
            cluster.root.display()
        ));
        let data = cluster.data_dir();
        cluster.run(
            "initdb",
            &[
                "-D",
                path_str(&data)?,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        )?;
        progress("pg_ctl: starting the server (Unix socket only, no TCP)");
        let options = format!(
            "-c listen_addresses='' -k '{}' -p {PORT} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            path_str(&cluster.root)?
        );
        let log = cluster.root.join("server.log");
        cluster.stopped = false;
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                path_str(&data)?,
                "-l",
                path_str(&log)?,
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        )?;
        Ok(cluster)
    }

    fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// The directory holding the data, the socket and `server.log`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A libpq URL for `database` on this cluster, as the `postgres` superuser.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@/{database}?host={}&port={PORT}",
            percent_encode(&self.root.to_string_lossy())
        )
    }

    fn command(&self, program: &str) -> Command {
        let bin = self.bindir.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=postgres", "--regid=postgres", "--init-groups"])
                .arg(bin);
            c
        } else {
            Command::new(bin)
        };
        // The cluster must not inherit a caller's settings meant for another server.
        cmd.env_remove("PGDATA")
            .env_remove("PGHOST")
            .env_remove("PGPORT");
        cmd
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), PgError> {
        let out = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| PgError::Program {
                program: program.into(),
                status: None,
                output: e.to_string(),
            })?;
        if out.status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default();
        Err(PgError::Program {
            program: program.into(),
            status: Some(out.status),
            output: format!(
                "{}{}\n{log}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        })
    }

    /// Stops the server and deletes its directory; also done on drop.
    pub fn stop(&mut self) {
        if !self.stopped {
            self.stopped = true;
            let data = self.data_dir();
            if let Some(data) = data.to_str() {
                let _ = self.run("pg_ctl", &["-D", data, "-m", "immediate", "-w", "stop"]);
            }
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }

    /// Leaves the cluster running and its directory in place (for `migrate --keep`); returns
    /// the command that stops it.
    pub fn keep(mut self) -> String {
        self.stopped = true;
        let stop = format!(
            "{}{} -D {} stop && rm -rf {}",
            if self.as_postgres {
                "setpriv --reuid=postgres --regid=postgres --init-groups "
            } else {
                ""
            },
            self.bindir.join("pg_ctl").display(),
            self.data_dir().display(),
            self.root.display()
        );
        self.root = PathBuf::new();
        stop
    }
}

impl Drop for TempCluster {
    fn drop(&mut self) {
        if !self.root.as_os_str().is_empty() {
            self.stop();
        }
    }
}

fn path_str(p: &Path) -> Result<&str, PgError> {
    p.to_str().ok_or_else(|| PgError::Directory {
        path: p.to_path_buf(),
        what: "pass a path that is not UTF-8:",
        source: None,
    })
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Replaces the database name in a libpq URL (`postgres://…/<db>?…`).
pub fn url_with_database(url: &str, database: &str) -> Result<String, PgError> {
    let scheme_end = url
        .find("://")
        .ok_or_else(|| PgError::NotAUrl { url: url.into() })?
        + 3;
    let (query_start, query) = match url.find('?') {
        Some(q) => (q, &url[q..]),
        None => (url.len(), ""),
    };
    let authority_end = url[scheme_end..query_start]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(query_start);
    Ok(format!("{}/{database}{query}", &url[..authority_end]))
}

/// The server tests run against: `DATABASE_URL`'s, or one cluster per test process.
enum Server {
    External(String),
    Local(TempCluster),
}

static SERVER: OnceLock<Result<Mutex<Server>, String>> = OnceLock::new();

extern "C" fn stop_local_server() {
    if let Some(Ok(server)) = SERVER.get() {
        if let Ok(mut server) = server.lock() {
            if let Server::Local(cluster) = &mut *server {
                cluster.stop();
            }
        }
    }
}

fn admin_url() -> Result<String, PgError> {
    let server = SERVER.get_or_init(|| {
        if let Ok(url) = std::env::var("DATABASE_URL") {
            return Ok(Mutex::new(Server::External(url)));
        }
        let cluster = TempCluster::start(&mut |_| {}).map_err(|e| e.to_string())?;
        // Statics are never dropped: stop the cluster when the process exits.
        // SAFETY: registering a plain extern "C" fn with no captured state.
        unsafe { libc::atexit(stop_local_server) };
        Ok(Mutex::new(Server::Local(cluster)))
    });
    let server = server.as_ref().map_err(|e| PgError::Server(e.clone()))?;
    let server = server
        .lock()
        .map_err(|_| PgError::Server("a test panicked holding the server's lock".into()))?;
    match &*server {
        Server::External(url) => Ok(url.clone()),
        Server::Local(cluster) => Ok(cluster.url("postgres")),
    }
}

/// A fresh database for one test, dropped (with its connections) when this value drops.
pub struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    pub fn new() -> Result<Self, PgError> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let admin_url = admin_url()?;
        let name = format!(
            "schema_api_test_{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = PgConnection::establish(&admin_url).map_err(|e| PgError::Database {
            what: format!("connect to {admin_url}"),
            reason: e.to_string(),
        })?;
        sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut admin)
            .and_then(|_| sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut admin))
            .map_err(|e| PgError::Database {
                what: format!("create test database {name}"),
                reason: e.to_string(),
            })?;
        let url = url_with_database(&admin_url, &name)?;
        Ok(TestDatabase {
            admin_url,
            name,
            url,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url)
            .unwrap_or_else(|e| panic!("cannot connect to test database {}: {e}", self.name))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_is_replaced_in_urls() {
        assert_eq!(
            url_with_database("postgres://u:p@localhost:5432/postgres", "t1").unwrap(),
            "postgres://u:p@localhost:5432/t1"
        );
        assert_eq!(
            url_with_database("postgres://u@localhost", "t1").unwrap(),
            "postgres://u@localhost/t1"
        );
        assert_eq!(
            url_with_database(
                "postgres://postgres@/postgres?host=%2Ftmp%2Fx&port=5432",
                "t1"
            )
            .unwrap(),
            "postgres://postgres@/t1?host=%2Ftmp%2Fx&port=5432"
        );
    }
}
