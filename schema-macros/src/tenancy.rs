//! The crate's tenancy (`[package.metadata.schema-api]` in its `Cargo.toml`, see
//! `schema_rules::tenant`): read once per crate being compiled. `schema!` reports a bad
//! configuration and makes the manifest a dependency of the build, so editing it recompiles.

use schema_rules::tenant::Tenancy;
use std::cell::RefCell;
use std::sync::Mutex;

/// Per manifest directory: one process (rust-analyzer's proc-macro server) expands many crates.
static CACHE: Mutex<Vec<(String, Result<Tenancy, String>)>> = Mutex::new(Vec::new());

thread_local! {
    /// Set by tests to expand with another tenancy.
    static OVERRIDE: RefCell<Option<Tenancy>> = const { RefCell::new(None) };
}

/// The configured tenancy of the crate being compiled, or why its configuration is invalid.
pub fn current() -> Result<Tenancy, String> {
    if let Some(t) = OVERRIDE.with(|o| o.borrow().clone()) {
        return Ok(t);
    }
    let Ok(dir) = std::env::var("CARGO_MANIFEST_DIR") else {
        return Ok(Tenancy::default());
    };
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, found)) = cache.iter().find(|(d, _)| *d == dir) {
        return found.clone();
    }
    let manifest = std::path::Path::new(&dir).join("Cargo.toml");
    let found = match std::fs::read_to_string(&manifest) {
        Ok(text) => Tenancy::from_manifest(&text),
        // No manifest to read (not built by Cargo): the defaults.
        Err(_) => Ok(Tenancy::default()),
    };
    cache.push((dir, found.clone()));
    found
}

/// Runs `f` with `tenancy` as the configuration (tests).
#[cfg(test)]
pub fn with<T>(tenancy: Tenancy, f: impl FnOnce() -> T) -> T {
    OVERRIDE.with(|o| *o.borrow_mut() = Some(tenancy));
    let out = f();
    OVERRIDE.with(|o| *o.borrow_mut() = None);
    out
}
