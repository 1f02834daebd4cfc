//! Batched backfills: filling the NULLs of a column that becomes NOT NULL on a live table.
//!
//! One `UPDATE` of every row holds a lock on each row until it commits, so the application's
//! updates queue behind it for the whole run, and a transaction that also takes a table lock
//! (the `NOT VALID` check) deadlocks with them. The backfill here is one `DO` block, alone in
//! a migration that runs outside a transaction (so the block may `COMMIT`), which:
//!
//! 1. walks the table in primary-key order, in batches of `batch_size` rows, each its own
//!    short transaction under a short `lock_timeout` (retried on timeout). A batch picks its
//!    rows with `FOR UPDATE SKIP LOCKED`: it never waits for a row the application holds
//!    (that row is taken by a later pass), and the application waits at most one batch for a
//!    row the backfill holds; no transaction holds one lock while waiting for another, so
//!    there is no deadlock;
//! 2. fills only rows still NULL, so a run killed at any point resumes where it stopped;
//! 3. sets `schema_api.backfill` for its transactions, so `set_updated_at()` leaves
//!    `updated_at` as it was on the rows it fills (only for a role with the owner's rights);
//! 4. once a pass finds less than a batch to fill, takes the ACCESS EXCLUSIVE lock the check
//!    needs (under the short timeout, holding nothing else), fills the few rows left (those the
//!    application held during the passes, those code deployed before the column inserted
//!    since: one scan of the table) and adds the check `column IS NOT NULL NOT VALID`, after
//!    which no row can be written without a value;
//! 5. fails, keeping what it filled, when the expression gives NULL for rows it filled (the
//!    message says how many), or when row-level security would hide rows from it.
//!
//! The validate phase then proves NOT NULL with the check (`VALIDATE`, `SET NOT NULL`
//! without a scan, `DROP CONSTRAINT`).

use crate::ir::{QualifiedName, BACKFILL_SETTING};
use crate::plan::Batched;
use crate::render::{quote_ident, quote_literal, quote_qualified};

/// `lock_timeout` of each batch and of the check: what the application may wait behind a
/// lock the backfill asks for.
pub const BATCH_LOCK_TIMEOUT: &str = "500ms";

/// How many times a batch or the check is retried after a lock timeout (with a growing pause,
/// about 3 minutes in all) before the backfill gives up.
pub const LOCK_ATTEMPTS: u32 = 60;

/// The `DO` block of a batched backfill of `table.column`.
pub fn backfill_sql(
    table: &QualifiedName,
    column: &str,
    expression: Option<&str>,
    batched: &Batched,
) -> String {
    let t = quote_qualified(table);
    let c = quote_ident(column);
    let value = match expression {
        Some(e) => format!("({e})"),
        None => "DEFAULT".to_string(),
    };
    let key: Vec<String> = batched.key.iter().map(|k| quote_ident(k)).collect();
    let key_list = key.join(", ");
    let key_desc = key
        .iter()
        .map(|k| format!("{k} DESC"))
        .collect::<Vec<_>>()
        .join(", ");
    let vars: Vec<String> = (1..=key.len()).map(|i| format!("_sa_k{i}")).collect();
    let cursor = vars.join(", ");
    let declare_keys: String = key
        .iter()
        .zip(&vars)
        .map(|(k, v)| format!("    {v} {t}.{k}%TYPE;\n"))
        .collect();
    let last_key: String = key.iter().map(|k| format!("last.{k}, ")).collect();
    let batch = |after: &str| {
        format!(
            "WITH batch AS MATERIALIZED (\n\
             \x20       SELECT {key_list} FROM {t}\n\
             \x20       WHERE {after}{c} IS NULL\n\
             \x20       ORDER BY {key_list} LIMIT {size}\n\
             \x20       FOR UPDATE SKIP LOCKED),\n\
             \x20   filled AS (\n\
             \x20       UPDATE {t} SET {c} = {value}\n\
             \x20       WHERE ({key_list}) IN (SELECT {key_list} FROM batch)\n\
             \x20       RETURNING {c} IS NULL AS still_null)\n\
             SELECT {last_key}(SELECT count(*) FROM batch), (SELECT count(*) FROM filled WHERE still_null)\n\
             FROM (SELECT {key_list} FROM batch ORDER BY {key_desc} LIMIT 1) last\n\
             INTO {cursor}, _sa_rows, _sa_nulls;",
            size = batched.batch_size,
        )
    };
    let first = batch("");
    let next = batch(&format!("({key_list}) > ({cursor}) AND "));
    let what = quote_literal(&format!("{table}.{column}"));
    let regclass = quote_literal(&t);
    let check = quote_ident(&batched.check);
    let check_literal = quote_literal(&batched.check);
    let setting = quote_literal(BACKFILL_SETTING);
    let timeout = quote_literal(BATCH_LOCK_TIMEOUT);
    let size = batched.batch_size;
    let retried = |indent: usize, statements: String| {
        retried_under_lock_timeout(indent, &statements, &timeout, &setting)
    };
    let batch_step = retried(
        12,
        format!(
            "IF _sa_first THEN\n{}\nELSE\n{}\nEND IF;\n_sa_got := FOUND;",
            indent_lines(4, &first),
            indent_lines(4, &next)
        ),
    );
    let last_step = retried(
        4,
        format!(
            "LOCK TABLE {t} IN ACCESS EXCLUSIVE MODE;\n\
             UPDATE {t} SET {c} = {value} WHERE {c} IS NULL;\n\
             GET DIAGNOSTICS _sa_rows = ROW_COUNT;\n\
             IF EXISTS (SELECT FROM {t} WHERE {c} IS NULL) THEN\n\
             \x20   RAISE EXCEPTION 'cannot backfill %: its backfill expression gives NULL for some rows', {what}\n\
             \x20       USING HINT = {NULL_HINT};\n\
             END IF;\n\
             ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;"
        ),
    );
    let body = format!(
        r#"
#variable_conflict use_column
DECLARE
{declare_keys}    _sa_rows bigint;
    _sa_nulls bigint;
    _sa_got boolean;
    _sa_first boolean;
    _sa_pass_rows bigint := {size};
    _sa_pass_filled bigint;
    _sa_filled bigint := 0;
    _sa_batches bigint := 0;
    _sa_attempt integer;
    _sa_started timestamptz := clock_timestamp();
BEGIN
    IF pg_catalog.row_security_active({regclass}) THEN
        RAISE EXCEPTION 'cannot backfill %: row-level security would hide rows of it from %', {what}, current_user
            USING HINT = 'run the migrations as a superuser, or as the tables'' owner with BYPASSRLS';
    END IF;
    -- The check exists once a run got to the end: every row had a value then, and every row
    -- written since must have one.
    IF EXISTS (SELECT FROM pg_catalog.pg_constraint
               WHERE conrelid = {regclass}::regclass AND conname = {check_literal}) THEN
        RETURN;
    END IF;
    -- Passes over the table in key order, until one finds less than a batch to fill.
    WHILE _sa_pass_rows >= {size} LOOP
        _sa_first := true;
        _sa_pass_rows := 0;
        _sa_pass_filled := 0;
        LOOP
{batch_step}
            COMMIT;
            EXIT WHEN NOT _sa_got;
            _sa_first := false;
            _sa_batches := _sa_batches + 1;
            _sa_pass_rows := _sa_pass_rows + _sa_rows;
            _sa_pass_filled := _sa_pass_filled + _sa_rows - _sa_nulls;
            _sa_filled := _sa_filled + _sa_rows - _sa_nulls;
        END LOOP;
        IF _sa_pass_rows > 0 AND _sa_pass_filled = 0 THEN
            RAISE EXCEPTION 'cannot backfill %: its backfill expression gives NULL for % row(s)', {what}, _sa_pass_rows
                USING HINT = {NULL_HINT};
        END IF;
    END LOOP;
    -- The last few (rows the application held during the passes, rows code deployed before
    -- the column inserted since) under the lock the check needs anyway, so none can appear
    -- between filling them and adding the check.
{last_step}
    COMMIT;
    RAISE NOTICE 'backfilled % row(s) of % in % batch(es) and % under lock, in % s', _sa_filled, {what}, _sa_batches, _sa_rows,
        round(extract(epoch FROM clock_timestamp() - _sa_started)::numeric, 1);
END
"#
    );
    let tag = dollar_tag("backfill", &body);
    format!("DO {tag}{body}{tag};")
}

/// The hint of a backfill whose expression gives NULL.
const NULL_HINT: &str = "'declare a `backfill` that gives every row a value, delete the migrations not yet applied, and generate them again; the rows filled so far keep their values'";

/// `statements` in a subtransaction under the batch lock timeout (with the backfill setting
/// on), retried with a growing pause when a lock is not granted in time, up to
/// [`LOCK_ATTEMPTS`] times; indented by `indent`.
fn retried_under_lock_timeout(
    indent: usize,
    statements: &str,
    timeout: &str,
    setting: &str,
) -> String {
    let attempts = LOCK_ATTEMPTS;
    let block = format!(
        "_sa_attempt := 0;\n\
         LOOP\n\
         \x20   BEGIN\n\
         \x20       PERFORM pg_catalog.set_config('lock_timeout', {timeout}, true);\n\
         \x20       PERFORM pg_catalog.set_config({setting}, 'on', true);\n\
         {}\n\
         \x20       EXIT;\n\
         \x20   EXCEPTION WHEN lock_not_available THEN\n\
         \x20       _sa_attempt := _sa_attempt + 1;\n\
         \x20       IF _sa_attempt >= {attempts} THEN\n\
         \x20           RAISE;\n\
         \x20       END IF;\n\
         \x20   END;\n\
         \x20   PERFORM pg_catalog.pg_sleep(0.1 * _sa_attempt);\n\
         END LOOP;",
        indent_lines(8, statements)
    );
    indent_lines(indent, &block)
}

fn indent_lines(indent: usize, text: &str) -> String {
    let pad = " ".repeat(indent);
    text.lines()
        .map(|line| format!("{pad}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A dollar-quote tag (`$name$`, `$name_1$`, …) that does not occur in `body`.
pub fn dollar_tag(name: &str, body: &str) -> String {
    let mut tag = format!("${name}$");
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("${name}_{n}$");
    }
    tag
}

/// The inverse of a batched backfill: the values stay (which rows were NULL is not recorded);
/// the check it added goes.
pub fn undo_backfill_sql(table: &QualifiedName, column: &str, batched: &Batched) -> String {
    format!(
        "-- The values backfilled into {} stay: which rows were NULL is not recorded.\nALTER TABLE {} DROP CONSTRAINT IF EXISTS {};",
        quote_ident(column),
        quote_qualified(table),
        quote_ident(&batched.check)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_is_one_statement_with_every_identifier_quoted() {
        let sql = backfill_sql(
            &QualifiedName::new("devices", "de\"vices"),
            "firm ware",
            Some("'$backfill$'"),
            &Batched {
                key: vec!["account_id".into(), "id".into()],
                batch_size: 500,
                check: "devices_firmware_not_null".into(),
            },
        );
        // The expression holds the default tag, so another is chosen.
        assert!(sql.starts_with("DO $backfill_1$\n"), "{sql}");
        assert!(sql.ends_with("$backfill_1$;"), "{sql}");
        assert!(sql.contains("\"devices\".\"de\"\"vices\""), "{sql}");
        assert!(sql.contains("SET \"firm ware\" = ('$backfill$')"), "{sql}");
        assert!(
            sql.contains("(\"account_id\", \"id\") > (_sa_k1, _sa_k2)"),
            "{sql}"
        );
        assert!(sql.contains("LIMIT 500"), "{sql}");
        assert_eq!(sql.matches("COMMIT;").count(), 2, "{sql}");
        assert_eq!(
            sql.matches("EXCEPTION WHEN lock_not_available").count(),
            2,
            "{sql}"
        );
    }
}
