//! Hand-written migrations (`cargo schema raw`, `cargo schema register`): SQL the declarations
//! cannot express — functions, custom triggers, data migrations — recorded in the snapshot
//! beside the generated ones.
//!
//! `register` does not parse the SQL. It runs the migrations before it on a throwaway
//! database, reads the catalog, runs the new `up.sql`, reads it again, runs `down.sql` and
//! reads it a third time. What `up.sql` created is what the catalog gained; the down must give
//! back exactly the catalog it started from. A hand-written migration may create functions,
//! procedures and triggers; a table, column, index, constraint, type, schema or extension it
//! created or changed would be invisible to the declarations, so it is refused with what to
//! declare instead. Drift then expects the recorded functions and triggers, with the
//! definitions they were created with, and reports any other in the declared schemas.

use crate::ir::{Schema, TriggerFunction};
use crate::live::introspect::ReadError;
use crate::migrations::{sha256_hex, CreatedObject, HandWritten, MigrationState};
use diesel::sql_types::Text;
use diesel::{sql_query, PgConnection, QueryableByName, RunQueryDsl};
use std::collections::BTreeMap;

/// Objects of the database outside the system schemas and not owned by an extension, each
/// with the text its definition is compared by. `pg_temp*`/`pg_toast*` are skipped, as are
/// `__diesel_schema_migrations`' rows (not its definition).
const OBJECTS: &str = r#"
WITH ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema')
    AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'
),
ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e')
SELECT 'schema' AS kind, ns.nspname::text AS name,
       coalesce((SELECT nspacl::text FROM pg_namespace WHERE oid = ns.oid), '') AS definition
FROM ns
WHERE NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_namespace'::regclass AND objid = ns.oid)
UNION ALL
SELECT 'extension', extname::text, extversion FROM pg_extension
UNION ALL
SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view'
                      WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
                      WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' WHEN 'f' THEN 'foreign table'
                      ELSE 'relation' END,
       ns.nspname || '.' || c.relname,
       concat_ws(' | ', c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relacl::text,
                 c.reloptions::text, obj_description(c.oid, 'pg_class'),
                 CASE WHEN c.relkind IN ('i', 'I') THEN pg_get_indexdef(c.oid) END,
                 CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
                 CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
                 (SELECT string_agg(concat_ws(' ', quote_ident(a.attname),
                                              format_type(a.atttypid, a.atttypmod),
                                              CASE WHEN a.attnotnull THEN 'not null' END,
                                              'default ' || pg_get_expr(d.adbin, d.adrelid),
                                              a.attidentity, a.attgenerated,
                                              a.attacl::text,
                                              'comment ' || col_description(c.oid, a.attnum)),
                                    ', ' ORDER BY a.attnum)
                  FROM pg_attribute a
                  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))
FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
WHERE c.relkind <> 't' AND c.relkind <> 'c'
  AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_class'::regclass AND objid = c.oid)
UNION ALL
SELECT 'constraint', con.conname || ' on ' || ns.nspname || '.' || c.relname,
       pg_get_constraintdef(con.oid) || CASE WHEN con.convalidated THEN '' ELSE ' NOT VALID' END
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN ns ON ns.oid = c.relnamespace
WHERE con.conparentid = 0
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
                      WHEN 'w' THEN 'window function' ELSE 'function' END,
       ns.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) ELSE '' END
         || coalesce(' ' || p.proacl::text, '')
FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
WHERE NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_proc'::regclass AND objid = p.oid)
UNION ALL
SELECT 'trigger', t.tgname || ' on ' || ns.nspname || '.' || c.relname,
       pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace
WHERE NOT t.tgisinternal AND t.tgparentid = 0
UNION ALL
SELECT 'policy', pol.polname || ' on ' || ns.nspname || '.' || c.relname,
       concat_ws(' | ', pol.polcmd, pol.polpermissive, pol.polroles::text,
                 pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid))
FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid JOIN ns ON ns.oid = c.relnamespace
UNION ALL
SELECT 'type', ns.nspname || '.' || t.typname,
       concat_ws(' | ', t.typtype, t.typacl::text,
                 (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                  FROM pg_enum e WHERE e.enumtypid = t.oid))
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
WHERE t.typtype IN ('b', 'd', 'e', 'm', 'r') AND t.typcategory <> 'A'
  AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_type'::regclass AND objid = t.oid)
UNION ALL
SELECT 'event trigger', evtname::text, evtevent || ' ' || evtfoid::regproc::text || ' ' || evtenabled::text
FROM pg_event_trigger
UNION ALL
SELECT 'rule', r.rulename || ' on ' || ns.nspname || '.' || c.relname, pg_get_ruledef(r.oid)
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN ns ON ns.oid = c.relnamespace
WHERE r.rulename <> '_RETURN'
"#;

#[derive(QueryableByName)]
struct ObjectRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// The catalog as `register` compares it: (kind, name) → definition.
pub type Catalog = BTreeMap<(String, String), String>;

/// Reads every object of the database but the system's and the extensions'.
pub fn catalog(conn: &mut PgConnection) -> diesel::QueryResult<Catalog> {
    Ok(sql_query(OBJECTS)
        .load::<ObjectRow>(conn)?
        .into_iter()
        .map(|row| ((row.kind, row.name), row.definition))
        .collect())
}

/// The kinds a hand-written migration may create: the declarations have no word for them.
fn creatable(kind: &str) -> bool {
    matches!(kind, "function" | "procedure" | "trigger")
}

/// What to declare instead of writing `kind` by hand.
fn declare_instead(kind: &str) -> &'static str {
    match kind {
        "table" | "sequence" | "index" | "constraint" | "policy" => {
            "declare it on a `#[table]` struct and run `cargo schema generate <name>`"
        }
        "type" => "declare it with `#[derive(PgEnum)]`",
        "extension" => "declare it in `schema!` (`extensions(\"…\")`)",
        "schema" => "a schema comes from the `#[table(schema = \"…\")]` declarations",
        _ => "the declarations cannot track it; leave it out of migrations",
    }
}

/// The (kind, name) of the objects added, removed and changed, sorted.
type Differences<'a> = (
    Vec<&'a (String, String)>,
    Vec<&'a (String, String)>,
    Vec<&'a (String, String)>,
);

/// How `after` differs from `before`.
fn differences<'a>(before: &'a Catalog, after: &'a Catalog) -> Differences<'a> {
    let added = after.keys().filter(|k| !before.contains_key(*k)).collect();
    let removed = before.keys().filter(|k| !after.contains_key(*k)).collect();
    let changed = after
        .iter()
        .filter(|(k, v)| before.get(*k).is_some_and(|old| old != *v))
        .map(|(k, _)| k)
        .collect();
    (added, removed, changed)
}

fn describe((kind, name): &(String, String)) -> String {
    format!("{kind} `{name}`")
}

/// What `up.sql` did, from the catalog before and after it: the functions, procedures and
/// triggers it created or replaced, and those of earlier hand-written migrations it dropped
/// (`owned`: what they hold now). `Err` lists what it did that a hand-written migration may
/// not, each with what to do instead.
pub fn effects<V>(
    before: &Catalog,
    after: &Catalog,
    owned: &BTreeMap<(String, String), V>,
) -> Result<HandWritten, Vec<String>> {
    let (added, removed, changed) = differences(before, after);
    let mut refused = Vec::new();
    let mut effects = HandWritten::default();
    let record = |key: &(String, String)| CreatedObject {
        kind: key.0.clone(),
        name: key.1.clone(),
        definition_sha256: sha256_hex(after[key].as_bytes()),
    };
    for key in added {
        if creatable(&key.0) {
            effects.creates.push(record(key));
        } else {
            refused.push(format!(
                "it creates {}: {}",
                describe(key),
                declare_instead(&key.0)
            ));
        }
    }
    for key in changed {
        if owned.contains_key(key) {
            effects.creates.push(record(key));
        } else {
            refused.push(format!(
                "it changes {}, which {}",
                describe(key),
                if creatable(&key.0) {
                    "the generator created: change the declarations instead"
                } else {
                    "the declarations own: change them instead"
                }
            ));
        }
    }
    for key in removed {
        if owned.contains_key(key) {
            effects.drops.push(format!("{} {}", key.0, key.1));
        } else {
            refused.push(format!(
                "it drops {}, which {}",
                describe(key),
                if creatable(&key.0) {
                    "the generator created: change the declarations instead"
                } else {
                    "the declarations own: remove it from them instead"
                }
            ));
        }
    }
    if refused.is_empty() {
        Ok(effects)
    } else {
        Err(refused)
    }
}

/// The functions, procedures and triggers the hand-written migrations of `state` leave, by
/// (kind, name), with the migration that last created or replaced each.
pub fn owned(state: &MigrationState) -> BTreeMap<(String, String), (String, String)> {
    let mut owned = BTreeMap::new();
    for m in &state.snapshot.migrations {
        let Some(h) = &m.hand_written else { continue };
        for dropped in &h.drops {
            if let Some((kind, name)) = split_kind(dropped) {
                owned.remove(&(kind.to_string(), name.to_string()));
            }
        }
        for o in &h.creates {
            owned.insert(
                (o.kind.clone(), o.name.clone()),
                (m.directory.clone(), o.definition_sha256.clone()),
            );
        }
    }
    owned
}

/// `function schema.f(int)` → (`function`, `schema.f(int)`).
fn split_kind(entry: &str) -> Option<(&str, &str)> {
    entry.split_once(' ')
}

/// What `down.sql` failed to give back: the catalog after it should be the one before `up.sql`.
pub fn down_leftovers(before: &Catalog, after_down: &Catalog) -> Vec<String> {
    let (added, removed, changed) = differences(before, after_down);
    added
        .into_iter()
        .map(|k| format!("{} is left behind", describe(k)))
        .chain(removed.into_iter().map(|k| {
            format!(
                "{} is gone (the down drops more than the up created)",
                describe(k)
            )
        }))
        .chain(
            changed
                .into_iter()
                .map(|k| format!("{} is not restored as it was", describe(k))),
        )
        .collect()
}

/// The functions, procedures and triggers the generator itself creates for `declared`.
fn generated(declared: &Schema) -> Vec<(String, String)> {
    let mut keys = Vec::new();
    for function in TriggerFunction::ALL {
        for schema in declared.trigger_function_schemas(function) {
            keys.push((
                "function".to_string(),
                format!("{schema}.{}()", function.name()),
            ));
        }
    }
    for table in &declared.tables {
        for trigger in [&table.updated_at_trigger, &table.append_only_trigger]
            .into_iter()
            .flatten()
        {
            keys.push((
                "trigger".to_string(),
                format!("{trigger} on {}.{}", table.schema, table.name),
            ));
        }
    }
    keys
}

/// How the database's functions, procedures and triggers differ from the declarations and
/// the registered hand-written migrations: one they leave that is missing or has another
/// definition, and, in the declared schemas, one that no migration created.
pub fn drift(
    conn: &mut PgConnection,
    declared: &Schema,
    state: Option<&MigrationState>,
) -> Result<Vec<String>, ReadError> {
    let live = catalog(conn).map_err(ReadError::of("the functions and triggers"))?;
    let owned = state.map(owned).unwrap_or_default();
    let generated = generated(declared);
    let namespaces = declared.namespaces();
    let mut findings = Vec::new();
    for ((kind, name), (directory, sha)) in &owned {
        match live.get(&(kind.clone(), name.clone())) {
            None => findings.push(format!(
                "{kind} `{name}`, which hand-written migration {directory} creates, is missing: restore it from {directory}/up.sql"
            )),
            Some(definition) if sha256_hex(definition.as_bytes()) != *sha => findings.push(format!(
                "{kind} `{name}` is not as hand-written migration {directory} created it (changed by hand?): restore it from {directory}/up.sql, or change it in a new hand-written migration"
            )),
            Some(_) => {}
        }
    }
    for key in live.keys() {
        let (kind, name) = key;
        if !creatable(kind) || generated.contains(key) || owned.contains_key(key) {
            continue;
        }
        // `schema.name(…)`, or `trigger on schema.table`.
        let qualified = match kind.as_str() {
            "trigger" => name.rsplit_once(" on ").map_or("", |(_, table)| table),
            _ => name.as_str(),
        };
        let schema = qualified.split_once('.').map_or("", |(schema, _)| schema);
        if !namespaces.contains(schema) {
            continue;
        }
        findings.push(format!(
            "{kind} `{name}` was created by no migration: drop it, or create it in a hand-written migration (`cargo schema raw <name>`, then `cargo schema register <directory>`)"
        ));
    }
    Ok(findings)
}

/// Why `register` refused a hand-written migration; the message says what to change.
#[cfg(feature = "cli")]
#[derive(Debug)]
pub enum RegisterError {
    Migrations(crate::migrations::MigrationError),
    Server(crate::live::harness::PgError),
    /// The throwaway database could not be read or driven.
    Database(String),
    /// An earlier migration fails on a fresh database.
    Earlier {
        directory: String,
        error: String,
    },
    /// `up.sql` fails on a database holding the migrations before it.
    Up {
        directory: String,
        error: String,
    },
    /// `up.sql` does what a hand-written migration may not.
    Refused {
        directory: String,
        reasons: Vec<String>,
    },
    /// `down.sql` fails after `up.sql`.
    Down {
        directory: String,
        error: String,
    },
    /// `down.sql` does not give back the catalog `up.sql` started from.
    DownLeaves {
        directory: String,
        leftovers: Vec<String>,
    },
    /// `up.sql` run again after `down.sql` fails or does something else.
    Redo {
        directory: String,
        error: String,
    },
}

#[cfg(feature = "cli")]
impl std::fmt::Display for RegisterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use RegisterError::*;
        let list = |items: &[String]| {
            items
                .iter()
                .map(|i| format!("\n  - {i}"))
                .collect::<String>()
        };
        match self {
            Migrations(e) => write!(f, "{e}"),
            Server(e) => write!(f, "registering runs the migrations on a throwaway PostgreSQL: {e}"),
            Database(e) => write!(f, "the throwaway database: {e}"),
            Earlier { directory, error } => write!(
                f,
                "migration {directory}, before the one to register, fails on an empty database, so nothing can be checked: {error}"
            ),
            Up { directory, error } => write!(
                f,
                "{directory}/up.sql fails on a database holding the migrations before it: {error}\nFix it and run `cargo schema register {directory}` again; nothing was recorded."
            ),
            Refused { directory, reasons } => write!(
                f,
                "{directory}/up.sql does what a hand-written migration may not (it may create, replace and drop functions, procedures and triggers, and change rows):{}\nNothing was recorded.",
                list(reasons)
            ),
            Down { directory, error } => write!(
                f,
                "{directory}/down.sql fails after its up.sql: {error}\nA rollback would fail the same way; fix it and register again. Nothing was recorded."
            ),
            DownLeaves { directory, leftovers } => write!(
                f,
                "{directory}/down.sql does not undo its up.sql:{}\nFix it and register again; nothing was recorded.",
                list(leftovers)
            ),
            Redo { directory, error } => write!(
                f,
                "{directory}/up.sql cannot run again after its down.sql (as after a rollback): {error}\nNothing was recorded."
            ),
        }
    }
}

#[cfg(feature = "cli")]
impl std::error::Error for RegisterError {}

/// Registers the hand-written migration `directory` of `dir`: checks it ([`prepare_registration`]),
/// runs every migration before it, then its up, down and up again on a throwaway PostgreSQL,
/// and records it with what it creates. Nothing is recorded when anything fails.
///
/// [`prepare_registration`]: crate::migrations::prepare_registration
#[cfg(feature = "cli")]
pub fn register(
    dir: &std::path::Path,
    directory: &str,
    down_loses_data: bool,
    progress: &mut dyn FnMut(&str),
) -> Result<HandWritten, RegisterError> {
    use diesel::migration::MigrationSource;
    use diesel::Connection;
    use diesel_migrations::{FileBasedMigrations, MigrationHarness};

    let registration = crate::migrations::prepare_registration(dir, directory)
        .map_err(RegisterError::Migrations)?;
    let mut before_it = registration.state.clone();
    before_it
        .snapshot
        .migrations
        .retain(|m| m.directory != directory);
    let owned = owned(&before_it);
    let database = |e: &dyn std::fmt::Display| RegisterError::Database(e.to_string());
    let mut cluster =
        crate::live::harness::TempCluster::start(progress).map_err(RegisterError::Server)?;
    let mut conn = PgConnection::establish(&cluster.url("postgres")).map_err(|e| database(&e))?;
    let source = FileBasedMigrations::from_path(dir).map_err(|e| database(&e))?;
    let mut all =
        MigrationSource::<diesel::pg::Pg>::migrations(&source).map_err(|e| database(&e))?;
    all.sort_by_key(|m| m.name().version().to_string());
    // Diesel's table, as `migrate` would have it.
    conn.pending_migrations(FileBasedMigrations::from_path(dir).map_err(|e| database(&e))?)
        .map_err(|e| database(&e))?;
    let target = all
        .iter()
        .position(|m| m.name().to_string() == directory)
        .ok_or_else(|| database(&format!("Diesel does not list {directory}")))?;
    progress(&format!(
        "applying the {target} migration(s) before {directory}"
    ));
    for m in &all[..target] {
        conn.run_migration(m.as_ref())
            .map_err(|e| RegisterError::Earlier {
                directory: m.name().to_string(),
                error: e.to_string(),
            })?;
    }
    let migration = all[target].as_ref();
    let read = |conn: &mut PgConnection| catalog(conn).map_err(|e| database(&e));
    let before = read(&mut conn)?;
    progress(&format!("running {directory}/up.sql"));
    conn.run_migration(migration)
        .map_err(|e| RegisterError::Up {
            directory: directory.to_string(),
            error: e.to_string(),
        })?;
    let after = read(&mut conn)?;
    let mut found = effects(&before, &after, &owned).map_err(|reasons| RegisterError::Refused {
        directory: directory.to_string(),
        reasons,
    })?;
    progress(&format!("running {directory}/down.sql"));
    conn.revert_migration(migration)
        .map_err(|e| RegisterError::Down {
            directory: directory.to_string(),
            error: e.to_string(),
        })?;
    let leftovers = down_leftovers(&before, &read(&mut conn)?);
    if !leftovers.is_empty() {
        return Err(RegisterError::DownLeaves {
            directory: directory.to_string(),
            leftovers,
        });
    }
    progress(&format!("running {directory}/up.sql again"));
    conn.run_migration(migration)
        .map_err(|e| RegisterError::Redo {
            directory: directory.to_string(),
            error: e.to_string(),
        })?;
    let again = down_leftovers(&after, &read(&mut conn)?);
    if !again.is_empty() {
        return Err(RegisterError::Redo {
            directory: directory.to_string(),
            error: format!(
                "the second run differs from the first: {}",
                again.join("; ")
            ),
        });
    }
    drop(conn);
    cluster.stop();
    found.down_loses_data = down_loses_data;
    crate::migrations::record_registration(registration, found.clone())
        .map_err(RegisterError::Migrations)?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(entries: &[(&str, &str, &str)]) -> Catalog {
        entries
            .iter()
            .map(|(k, n, d)| ((k.to_string(), n.to_string()), d.to_string()))
            .collect()
    }

    #[test]
    fn only_functions_procedures_and_triggers_may_be_created_by_hand() {
        let before = catalog(&[("table", "devices.devices", "r | mac text")]);
        let after = catalog(&[
            ("table", "devices.devices", "r | mac text"),
            ("function", "devices.valid_mac(text)", "CREATE FUNCTION …"),
            (
                "trigger",
                "mac_check on devices.devices",
                "CREATE TRIGGER …",
            ),
        ]);
        let none: BTreeMap<(String, String), ()> = BTreeMap::new();
        let created = effects(&before, &after, &none).unwrap().creates;
        assert_eq!(
            created.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
            [
                "function `devices.valid_mac(text)`",
                "trigger `mac_check on devices.devices`"
            ]
        );
        let sneaky = catalog(&[
            ("table", "devices.devices", "r | mac text, extra int"),
            ("index", "devices.extra_idx", "CREATE INDEX …"),
        ]);
        let refused = effects(&before, &sneaky, &none).unwrap_err();
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert!(
            refused[0].contains("creates index `devices.extra_idx`"),
            "{refused:?}"
        );
        assert!(
            refused[1].contains("changes table `devices.devices`"),
            "{refused:?}"
        );
        assert!(refused.iter().all(|r| r.contains("declar")), "{refused:?}");
        // A later migration may replace or drop what an earlier hand-written one created, not
        // what the generator did.
        let owned: BTreeMap<_, _> = [(
            (
                "function".to_string(),
                "devices.valid_mac(text)".to_string(),
            ),
            "2026-12-04-120000_mac".to_string(),
        )]
        .into_iter()
        .collect();
        let replaced = catalog(&[
            ("table", "devices.devices", "r | mac text"),
            (
                "function",
                "devices.valid_mac(text)",
                "CREATE FUNCTION … v2",
            ),
            (
                "trigger",
                "mac_check on devices.devices",
                "CREATE TRIGGER …",
            ),
        ]);
        let effect = effects(&after, &replaced, &owned).unwrap();
        assert_eq!(effect.creates.len(), 1);
        assert!(effects(&after, &replaced, &none).is_err());
        let dropped = effects(&after, &before, &owned).unwrap_err();
        assert_eq!(dropped.len(), 1, "the trigger is not owned: {dropped:?}");
        assert_eq!(down_leftovers(&before, &before), Vec::<String>::new());
        assert_eq!(
            down_leftovers(&before, &after),
            [
                "function `devices.valid_mac(text)` is left behind",
                "trigger `mac_check on devices.devices` is left behind"
            ]
        );
    }
}
