//! How a connection is scoped to one tenant, and what a crate may configure about it.
//!
//! The defaults are the platform's: tenant tables carry `account_id`, which references the
//! tenant root `Account`, and `schema_core::with_tenant` sets `app.current_account_id`. A crate
//! names its own in its `Cargo.toml`, once for all its tables:
//!
//! ```toml
//! [package.metadata.schema-api]
//! tenant_column = "organization_id"
//! tenant_setting = "app.current_organization_id"
//! tenant_root = "Organization"
//! ```

/// The column that says which tenant a row belongs to, by default.
pub const COLUMN: &str = "account_id";

/// The transaction-local setting `schema_core::with_tenant` sets and every tenant policy reads,
/// by default.
pub const SETTING: &str = "app.current_account_id";

/// The Rust name of the tenant root's struct that messages suggest, by default.
pub const ROOT: &str = "Account";

/// A crate's tenancy: its tenant column, setting and root struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenancy {
    pub column: String,
    pub setting: String,
    pub root: String,
}

impl Default for Tenancy {
    fn default() -> Self {
        Tenancy {
            column: COLUMN.into(),
            setting: SETTING.into(),
            root: ROOT.into(),
        }
    }
}

/// The `[package.metadata.schema-api]` keys.
pub const KEYS: &[&str] = &["tenant_column", "tenant_setting", "tenant_root"];

impl Tenancy {
    /// The tenancy a `Cargo.toml` configures: the defaults, with what its
    /// `[package.metadata.schema-api]` table says. `Err` says what is wrong with it; the table
    /// is read as `key = "basic string"` lines (comments and blank lines allowed), the subset
    /// this configuration needs.
    pub fn from_manifest(manifest: &str) -> Result<Tenancy, String> {
        let mut tenancy = Tenancy::default();
        let mut inside = false;
        for (number, raw) in manifest.lines().enumerate() {
            let line = raw.trim();
            if line.starts_with('[') {
                let header: String = line.chars().filter(|c| !c.is_whitespace()).collect();
                inside = header == "[package.metadata.schema-api]";
                continue;
            }
            if !inside || line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = format!("Cargo.toml line {}", number + 1);
            let Some((key, value)) = line.split_once('=') else {
                return Err(format!(
                    "{at}: expected `key = \"value\"` in [package.metadata.schema-api]"
                ));
            };
            let key = key.trim();
            let value = value.trim();
            let value = value.split_once(" #").map_or(value, |(v, _)| v.trim_end());
            let Some(text) = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .filter(|v| !v.contains(['"', '\\']))
            else {
                return Err(format!(
                    "{at}: `{key}` takes a plain string in double quotes, e.g. {key} = \"organization_id\""
                ));
            };
            match key {
                "tenant_column" => tenancy.column = text.to_string(),
                "tenant_setting" => tenancy.setting = text.to_string(),
                "tenant_root" => tenancy.root = text.to_string(),
                other => {
                    return Err(format!(
                    "{at}: unknown key `{other}` in [package.metadata.schema-api]; the keys are {}",
                    KEYS.iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                }
            }
        }
        tenancy.validate()?;
        Ok(tenancy)
    }

    /// The names must be what PostgreSQL and Rust take as they are: a snake_case column of at
    /// most 63 bytes, a custom setting `prefix.name` (PostgreSQL requires the dot), a Rust
    /// type name.
    pub fn validate(&self) -> Result<(), String> {
        let snake = |s: &str| {
            s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && s.len() <= crate::names::MAX_IDENTIFIER_BYTES
        };
        if !snake(&self.column) {
            return Err(format!(
                "tenant_column `{}` must be a snake_case column name of at most 63 bytes, e.g. \"organization_id\"",
                self.column
            ));
        }
        match self.setting.split_once('.') {
            Some((prefix, name)) if snake(prefix) && snake(name) => {}
            _ => {
                return Err(format!(
                    "tenant_setting `{}` must be a custom setting `prefix.name` in snake_case (PostgreSQL requires the dot), e.g. \"app.current_organization_id\"",
                    self.setting
                ))
            }
        }
        let type_name = self.root.starts_with(|c: char| c.is_ascii_uppercase())
            && self
                .root
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !type_name {
            return Err(format!(
                "tenant_root `{}` must be the Rust name of the tenant root's struct, e.g. \"Organization\"",
                self.root
            ));
        }
        Ok(())
    }

    /// The policy predicate of this tenancy (see [`predicate`]).
    pub fn predicate(&self, column: &str, cast: &str) -> String {
        predicate_with(&self.setting, column, cast)
    }
}

/// `column` equals the tenant the transaction is scoped to, with the setting cast to `cast`
/// (the type of the tenant column). The scalar subquery makes PostgreSQL evaluate the setting
/// once per query (an InitPlan), not once per row; `nullif` turns the empty string a reset
/// setting leaves into NULL, which matches no row.
pub fn predicate(column: &str, cast: &str) -> String {
    predicate_with(SETTING, column, cast)
}

/// [`predicate`] for another setting.
pub fn predicate_with(setting: &str, column: &str, cast: &str) -> String {
    format!("{column} = (SELECT nullif(current_setting('{setting}', true), '')::{cast})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_configures_the_tenancy_or_says_what_is_wrong() {
        assert_eq!(
            Tenancy::from_manifest("[package]\nname = \"x\"\n").unwrap(),
            Tenancy::default()
        );
        let configured = Tenancy::from_manifest(
            "[package]\nname = \"x\"\n\n[package.metadata.schema-api]\n# the org\ntenant_column = \"organization_id\"  # comment\ntenant_setting = \"app.current_organization_id\"\ntenant_root = \"Organization\"\n\n[dependencies]\nserde = \"1\"\n",
        )
        .unwrap();
        assert_eq!(configured.column, "organization_id");
        assert_eq!(configured.root, "Organization");
        assert_eq!(
            configured.predicate("organization_id", "uuid"),
            "organization_id = (SELECT nullif(current_setting('app.current_organization_id', true), '')::uuid)"
        );
        for (bad, says) in [
            ("tenant_colum = \"x\"", "unknown key `tenant_colum`"),
            ("tenant_column = \"Org\"", "snake_case"),
            ("tenant_column = org_id", "plain string"),
            ("tenant_column = \"a\\\"b\"", "plain string"),
            ("tenant_setting = \"current_org\"", "requires the dot"),
            ("tenant_setting = \"app.x'; DROP\"", "snake_case"),
            ("tenant_root = \"org\"", "Rust name"),
        ] {
            let err = Tenancy::from_manifest(&format!("[package.metadata.schema-api]\n{bad}\n"))
                .unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
