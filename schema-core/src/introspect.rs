//! Live catalog → IR, for drift checks and round-trip tests.
//!
//! Split as sea-schema does: the query texts, the rows they return, and the assembly of rows
//! into [`Schema`]. Only what the IR models is read; system schemas are never looked at.

use crate::ir::{
    normalize_default, Column, ForeignKey, Identity, Index, PrimaryKey, QualifiedName,
    ReferentialAction, Schema, SqlType, Table, Unique,
};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Nullable, Text};
use diesel::{sql_query, PgConnection};
use std::collections::BTreeMap;

const COLUMNS: &str = "
SELECT n.nspname AS schema_name, c.relname AS table_name, a.attname::text AS column_name,
       format_type(a.atttypid, a.atttypmod) AS type_name, a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity::text AS identity,
       pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) IS NOT NULL AS owns_sequence
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname = ANY($1)
ORDER BY n.nspname, c.relname, a.attnum";

const CONSTRAINTS: &str = "
SELECT n.nspname AS schema_name, c.relname AS table_name, con.conname::text AS name,
       con.contype::text AS kind,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS columns,
       fn.nspname AS ref_schema, fc.relname AS ref_table,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS ref_columns,
       con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND con.contype IN ('p', 'u', 'f')
  AND n.nspname = ANY($1)
ORDER BY n.nspname, c.relname, con.conname";

const INDEXES: &str = "
SELECT n.nspname AS schema_name, c.relname AS table_name, ic.relname AS name,
       i.indisunique AS is_unique,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS columns
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid)
ORDER BY n.nspname, c.relname, ic.relname";

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    type_name: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Nullable<Text>)]
    default_expr: Option<String>,
    #[diesel(sql_type = Text)]
    identity: String,
    #[diesel(sql_type = Bool)]
    owns_sequence: bool,
}

#[derive(QueryableByName)]
struct ConstraintRow {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Array<Text>)]
    columns: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    ref_schema: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    ref_table: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    ref_columns: Vec<String>,
    #[diesel(sql_type = Text)]
    on_delete: String,
    #[diesel(sql_type = Text)]
    on_update: String,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Array<Text>)]
    columns: Vec<String>,
}

fn column_from_row(row: ColumnRow) -> Column {
    let sql_type = SqlType::from_format_type(&row.type_name);
    let serial = row.owns_sequence
        && row.identity.is_empty()
        && row
            .default_expr
            .as_deref()
            .is_some_and(|d| d.starts_with("nextval("));
    let identity = match row.identity.as_str() {
        "a" => Some(Identity::Always),
        "d" => Some(Identity::ByDefault),
        _ if serial => Some(Identity::Serial),
        _ => None,
    };
    Column {
        name: row.column_name,
        nullable: !row.not_null,
        // A serial's default is the sequence it owns: part of `serial`, not a declared default.
        default: if serial {
            None
        } else {
            row.default_expr.map(|d| normalize_default(&d, &sql_type))
        },
        identity,
        sql_type,
    }
}

/// Reads every table of the given PostgreSQL schemas into the IR.
pub fn introspect(conn: &mut PgConnection, schemas: &[&str]) -> QueryResult<Schema> {
    let names: Vec<String> = schemas.iter().map(|s| s.to_string()).collect();
    let columns: Vec<ColumnRow> = sql_query(COLUMNS)
        .bind::<Array<Text>, _>(&names)
        .load(conn)?;
    let constraints: Vec<ConstraintRow> = sql_query(CONSTRAINTS)
        .bind::<Array<Text>, _>(&names)
        .load(conn)?;
    let indexes: Vec<IndexRow> = sql_query(INDEXES)
        .bind::<Array<Text>, _>(&names)
        .load(conn)?;

    let mut tables: BTreeMap<QualifiedName, Table> = BTreeMap::new();
    for row in columns {
        let key = QualifiedName::new(&row.schema_name, &row.table_name);
        let table = tables.entry(key).or_insert_with(|| Table {
            schema: row.schema_name.clone(),
            name: row.table_name.clone(),
            columns: Vec::new(),
            primary_key: PrimaryKey {
                name: String::new(),
                columns: Vec::new(),
            },
            foreign_keys: Vec::new(),
            uniques: Vec::new(),
            indexes: Vec::new(),
        });
        table.columns.push(column_from_row(row));
    }
    for row in constraints {
        let Some(table) = tables.get_mut(&QualifiedName::new(&row.schema_name, &row.table_name))
        else {
            continue;
        };
        match row.kind.as_str() {
            "p" => {
                table.primary_key = PrimaryKey {
                    name: row.name,
                    columns: row.columns,
                }
            }
            "u" => table.uniques.push(Unique {
                name: row.name,
                columns: row.columns,
            }),
            "f" => table.foreign_keys.push(ForeignKey {
                name: row.name,
                columns: row.columns,
                references: QualifiedName::new(
                    row.ref_schema.unwrap_or_default(),
                    row.ref_table.unwrap_or_default(),
                ),
                referenced_columns: row.ref_columns,
                on_delete: ReferentialAction::from_pg_code(&row.on_delete).unwrap_or_default(),
                on_update: ReferentialAction::from_pg_code(&row.on_update).unwrap_or_default(),
            }),
            _ => {}
        }
    }
    for row in indexes {
        if let Some(table) = tables.get_mut(&QualifiedName::new(&row.schema_name, &row.table_name))
        {
            table.indexes.push(Index {
                name: row.name,
                columns: row.columns,
                unique: row.is_unique,
            });
        }
    }
    Ok(Schema::new(tables.into_values().collect()))
}
