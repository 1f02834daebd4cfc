//! Live catalog → IR, for drift checks and round-trip tests.
//!
//! Split as sea-schema does: the query texts, the rows they return, and the assembly of rows
//! into [`Schema`]. Only what the IR models is read; system schemas are never looked at.

use crate::ir::{
    normalize_default, Check, Column, EnumType, ForeignKey, Identity, Index, IndexKey, IndexMethod,
    Partition, PartitionStrategy, Partitioning, Policy, PolicyCommand, PrimaryKey, QualifiedName,
    ReferentialAction, RowSecurity, Schema, SqlType, Table, TriggerFunction, Unique,
};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text};
use diesel::{sql_query, PgConnection};
use std::collections::BTreeMap;

const TABLES: &str = "
SELECT n.nspname AS schema_name, c.relname AS table_name,
       obj_description(c.oid, 'pg_class') AS comment,
       c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security,
       pt.partstrat::text AS partition_strategy,
       ARRAY(SELECT a.attname::text FROM unnest(pt.partattrs::int2[]) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
             ORDER BY k.ord) AS partition_columns
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1)
  -- Diesel's bookkeeping (in the first schema of search_path, usually `public`) is not ours.
  AND c.relname <> '__diesel_schema_migrations'
ORDER BY n.nspname, c.relname";

const COLUMNS: &str = "
SELECT n.nspname AS schema_name, c.relname AS table_name, a.attname::text AS column_name,
       format_type(a.atttypid, a.atttypmod) AS type_name,
       CASE WHEN t.typtype = 'e' THEN tn.nspname END AS enum_schema,
       CASE WHEN t.typtype = 'e' THEN t.typname::text END AS enum_name,
       CASE WHEN et.typtype = 'e' THEN etn.nspname END AS element_enum_schema,
       CASE WHEN et.typtype = 'e' THEN et.typname::text END AS element_enum_name,
       a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity::text AS identity,
       a.attgenerated::text AS generated,
       col_description(c.oid, a.attnum) AS comment,
       pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) IS NOT NULL AS owns_sequence
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace
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
       con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
       ARRAY(SELECT a.attname::text FROM unnest(con.confdelsetcols) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS on_delete_columns,
       pg_get_expr(con.conbin, con.conrelid) AS check_expr
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND con.contype IN ('p', 'u', 'f', 'c')
  AND n.nspname = ANY($1)
ORDER BY n.nspname, c.relname, con.conname";

const INDEXES: &str = "
SELECT n.nspname AS schema_name, c.relname AS table_name, ic.relname AS name,
       i.indisunique AS is_unique, am.amname::text AS method, i.indnkeyatts::int AS key_count,
       ARRAY(SELECT coalesce(a.attname::text, '') FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS columns,
       ARRAY(SELECT (o & 1) = 1 FROM unnest(i.indoption::int2[]) o) AS descending,
       pg_get_expr(i.indpred, i.indrelid) AS predicate
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid)
ORDER BY n.nspname, c.relname, ic.relname";

const PARTITIONS: &str = "
SELECT pn.nspname AS schema_name, p.relname AS table_name, ch.relname AS name,
       pg_get_expr(ch.relpartbound, ch.oid) AS bound
FROM pg_inherits inh
JOIN pg_class ch ON ch.oid = inh.inhrelid AND ch.relispartition AND ch.relkind IN ('r', 'p')
JOIN pg_class p ON p.oid = inh.inhparent
JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE pn.nspname = ANY($1)
ORDER BY pn.nspname, p.relname, ch.relname";

/// Every partition's copy of a partitioned table's index.
const INDEX_COPIES: &str = "
SELECT n.nspname AS schema_name, t.relname AS table_name, part.relname AS partition,
       parent_index.relname AS parent_index, c.relname AS name
FROM pg_index parent
JOIN pg_class parent_index ON parent_index.oid = parent.indexrelid
JOIN pg_class t ON t.oid = parent.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_inherits i ON i.inhparent = parent.indexrelid
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_index child ON child.indexrelid = c.oid
JOIN pg_class part ON part.oid = child.indrelid
WHERE n.nspname = ANY($1)
ORDER BY 1, 2, 3, 4";

const POLICIES: &str = "
SELECT n.nspname AS schema_name, c.relname AS table_name, pol.polname::text AS name,
       pol.polcmd::text AS command, pol.polpermissive AS permissive,
       ARRAY(SELECT r.rolname::text FROM pg_roles r WHERE r.oid = ANY(pol.polroles) ORDER BY r.rolname) AS roles,
       pg_get_expr(pol.polqual, pol.polrelid) AS using_expr,
       pg_get_expr(pol.polwithcheck, pol.polrelid) AS check_expr
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1)
ORDER BY n.nspname, c.relname, pol.polname";

/// Every partition of a partitioned table in the given schemas, with its own row-level security
/// state: PostgreSQL checks a query that names a partition against the partition's policies.
const PARTITION_STATES: &str = "
SELECT pn.nspname AS schema_name, p.relname AS table_name, ch.relname AS name,
       ch.relrowsecurity AS row_security, ch.relforcerowsecurity AS force_row_security,
       inh.inhdetachpending AS detach_pending
FROM pg_inherits inh
JOIN pg_class ch ON ch.oid = inh.inhrelid AND ch.relispartition
JOIN pg_class p ON p.oid = inh.inhparent AND p.relkind = 'p'
JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE pn.nspname = ANY($1)
ORDER BY pn.nspname, p.relname, ch.relname";

const TRIGGERS: &str = "
SELECT n.nspname AS schema_name, c.relname AS table_name, t.tgname::text AS name,
       p.proname::text AS function_name, p.prosrc AS function_source
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid
WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND p.proname = ANY($2)
  AND p.pronamespace = c.relnamespace AND n.nspname = ANY($1)
ORDER BY n.nspname, c.relname, t.tgname";

const ENUMS: &str = "
SELECT n.nspname AS schema_name, t.typname::text AS name,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS enum_values
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND n.nspname = ANY($1)
ORDER BY n.nspname, t.typname";

#[derive(QueryableByName)]
struct TableRow {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    comment: Option<String>,
    #[diesel(sql_type = Bool)]
    row_security: bool,
    #[diesel(sql_type = Bool)]
    force_row_security: bool,
    #[diesel(sql_type = Nullable<Text>)]
    partition_strategy: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    partition_columns: Vec<String>,
}

#[derive(QueryableByName)]
struct PartitionRow {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    bound: String,
}

/// Every view in the given schemas: its definition as PostgreSQL prints it, its columns, the
/// tables its query reads, whether it runs as its invoker, and its comment.
const VIEWS: &str = "
SELECT n.nspname::text AS schema_name, c.relname::text AS name,
       pg_get_viewdef(c.oid) AS query,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS column_names,
       ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS column_types,
       ARRAY(SELECT DISTINCT dn.nspname || '.' || dc.relname FROM pg_rewrite r
             JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                             AND d.refclassid = 'pg_class'::regclass
             JOIN pg_class dc ON dc.oid = d.refobjid AND dc.oid <> c.oid
             JOIN pg_namespace dn ON dn.oid = dc.relnamespace
             WHERE r.ev_class = c.oid ORDER BY 1) AS reads,
       coalesce('security_invoker=true' = ANY(c.reloptions) OR 'security_invoker=on' = ANY(c.reloptions), false) AS security_invoker,
       obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'v' AND n.nspname = ANY($1)
ORDER BY n.nspname, c.relname";

#[derive(QueryableByName)]
pub struct ViewRow {
    #[diesel(sql_type = Text)]
    pub schema_name: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub query: String,
    #[diesel(sql_type = Array<Text>)]
    pub column_names: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub column_types: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub reads: Vec<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub security_invoker: bool,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    pub comment: Option<String>,
}

impl ViewRow {
    fn to_ir(&self) -> crate::ir::View {
        crate::ir::View {
            schema: self.schema_name.clone(),
            name: self.name.clone(),
            query: self.query.clone(),
            columns: self
                .column_names
                .iter()
                .zip(&self.column_types)
                .map(|(name, ty)| crate::ir::ViewColumn {
                    name: name.clone(),
                    sql_type: SqlType::from_format_type(ty),
                })
                .collect(),
            reads: self
                .reads
                .iter()
                .filter_map(|r| r.split_once('.'))
                .map(|(s, t)| QualifiedName::new(s, t))
                .collect(),
            read_by: Vec::new(),
            comment: self.comment.clone(),
        }
    }
}

/// The views of `schemas` as the catalog holds them.
pub fn views(conn: &mut PgConnection, schemas: &[&str]) -> QueryResult<Vec<ViewRow>> {
    let names: Vec<String> = schemas.iter().map(|s| s.to_string()).collect();
    load(conn, VIEWS, &names)
}

#[derive(QueryableByName)]
struct ExtensionRow {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct PolicyRow {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    command: String,
    #[diesel(sql_type = Bool)]
    permissive: bool,
    #[diesel(sql_type = Array<Text>)]
    roles: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    using_expr: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    check_expr: Option<String>,
}

impl PolicyRow {
    fn into_policy(self) -> Policy {
        Policy {
            name: self.name,
            command: PolicyCommand::from_pg_code(&self.command).unwrap_or(PolicyCommand::All),
            permissive: self.permissive,
            roles: self.roles,
            using: self.using_expr,
            with_check: self.check_expr,
        }
    }
}

#[derive(QueryableByName)]
struct PartitionStateRow {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    row_security: bool,
    #[diesel(sql_type = Bool)]
    force_row_security: bool,
    #[diesel(sql_type = Bool)]
    detach_pending: bool,
}

#[derive(QueryableByName)]
struct IndexCopyRow {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    partition: String,
    #[diesel(sql_type = Text)]
    parent_index: String,
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct TriggerRow {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    function_name: String,
    #[diesel(sql_type = Text)]
    function_source: String,
}

#[derive(QueryableByName)]
struct EnumRow {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Array<Text>)]
    enum_values: Vec<String>,
}

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
    #[diesel(sql_type = Nullable<Text>)]
    enum_schema: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    enum_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    element_enum_schema: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    element_enum_name: Option<String>,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Nullable<Text>)]
    default_expr: Option<String>,
    #[diesel(sql_type = Text)]
    identity: String,
    #[diesel(sql_type = Text)]
    generated: String,
    #[diesel(sql_type = Nullable<Text>)]
    comment: Option<String>,
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
    #[diesel(sql_type = Array<Text>)]
    on_delete_columns: Vec<String>,
    #[diesel(sql_type = Nullable<Text>)]
    check_expr: Option<String>,
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
    #[diesel(sql_type = Text)]
    method: String,
    #[diesel(sql_type = Integer)]
    key_count: i32,
    #[diesel(sql_type = Array<Text>)]
    columns: Vec<String>,
    #[diesel(sql_type = Array<Bool>)]
    descending: Vec<bool>,
    #[diesel(sql_type = Nullable<Text>)]
    predicate: Option<String>,
}

fn column_from_row(row: ColumnRow) -> Column {
    let sql_type = match (
        row.enum_schema,
        row.enum_name,
        row.element_enum_schema,
        row.element_enum_name,
    ) {
        (Some(schema), Some(name), ..) => SqlType::Enum(QualifiedName::new(schema, name)),
        (_, _, Some(schema), Some(name)) => {
            SqlType::Array(Box::new(SqlType::Enum(QualifiedName::new(schema, name))))
        }
        _ => SqlType::from_format_type(&row.type_name),
    };
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
    // pg_attrdef holds a generated column's expression as well as defaults.
    let generated = row.generated == "s";
    let (default, generated) = match row.default_expr {
        Some(expr) if generated => (None, Some(expr)),
        // A serial's default is the sequence it owns: part of `serial`, not a declared default.
        Some(_) if serial => (None, None),
        Some(expr) => (Some(normalize_default(&expr, &sql_type)), None),
        None => (None, None),
    };
    Column {
        name: row.column_name,
        nullable: !row.not_null,
        default,
        identity,
        generated,
        comment: row.comment,
        sql_type,
        renamed_from: None,
        backfill: None,
        backfill_batch_size: None,
    }
}

fn table_of<'a>(
    tables: &'a mut BTreeMap<QualifiedName, Table>,
    schema: &str,
    name: &str,
) -> Option<&'a mut Table> {
    tables.get_mut(&QualifiedName::new(schema, name))
}

fn load<T: QueryableByName<diesel::pg::Pg> + 'static>(
    conn: &mut PgConnection,
    query: &str,
    schemas: &[String],
) -> QueryResult<Vec<T>> {
    sql_query(query).bind::<Array<Text>, _>(schemas).load(conn)
}

/// Reads every table and enum type of the given PostgreSQL schemas into the IR.
///
/// Expressions (defaults, checks, index predicates, generated columns, partition bounds,
/// policies) come back as PostgreSQL prints them; compare them with declarations through
/// [`canonicalize`].
pub fn introspect(conn: &mut PgConnection, schemas: &[&str]) -> QueryResult<Schema> {
    let names: Vec<String> = schemas.iter().map(|s| s.to_string()).collect();
    let table_rows: Vec<TableRow> = load(conn, TABLES, &names)?;
    let columns: Vec<ColumnRow> = load(conn, COLUMNS, &names)?;
    let constraints: Vec<ConstraintRow> = load(conn, CONSTRAINTS, &names)?;
    let indexes: Vec<IndexRow> = load(conn, INDEXES, &names)?;
    let partitions: Vec<PartitionRow> = load(conn, PARTITIONS, &names)?;
    let policies: Vec<PolicyRow> = load(conn, POLICIES, &names)?;
    let index_copies: Vec<IndexCopyRow> = load(conn, INDEX_COPIES, &names)?;
    let triggers: Vec<TriggerRow> = sql_query(TRIGGERS)
        .bind::<Array<Text>, _>(&names)
        .bind::<Array<Text>, _>(
            TriggerFunction::ALL
                .iter()
                .map(|f| f.name().to_string())
                .collect::<Vec<_>>(),
        )
        .load(conn)?;
    let enums: Vec<EnumRow> = load(conn, ENUMS, &names)?;

    let mut tables: BTreeMap<QualifiedName, Table> = BTreeMap::new();
    for row in table_rows {
        let key = QualifiedName::new(&row.schema_name, &row.table_name);
        let mut table = Table::new(
            row.schema_name,
            row.table_name,
            Vec::new(),
            PrimaryKey {
                name: String::new(),
                columns: Vec::new(),
            },
        );
        table.comment = row.comment;
        table.partitioning = row.partition_strategy.map(|s| Partitioning {
            strategy: match s.as_str() {
                "r" => PartitionStrategy::Range,
                "l" => PartitionStrategy::List,
                _ => PartitionStrategy::Hash,
            },
            columns: row.partition_columns,
            partitions: Vec::new(),
        });
        // The IR models RLS as enabled and forced together; enabled without force (or the
        // reverse) shows as a difference from any declaration.
        if row.row_security && row.force_row_security {
            table.row_security = Some(RowSecurity {
                policies: Vec::new(),
            });
        }
        tables.insert(key, table);
    }
    for row in columns {
        if let Some(table) = table_of(&mut tables, &row.schema_name, &row.table_name) {
            table.columns.push(column_from_row(row));
        }
    }
    for row in constraints {
        let Some(table) = table_of(&mut tables, &row.schema_name, &row.table_name) else {
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
                on_delete_columns: row.on_delete_columns,
            }),
            "c" => table.checks.push(Check {
                name: row.name,
                expression: row.check_expr.unwrap_or_default(),
            }),
            _ => {}
        }
    }
    for row in indexes {
        if let Some(table) = table_of(&mut tables, &row.schema_name, &row.table_name) {
            let key_count = usize::try_from(row.key_count).unwrap_or(0);
            table.indexes.push(Index {
                name: row.name,
                columns: row
                    .columns
                    .iter()
                    .take(key_count)
                    .zip(row.descending.iter().chain(std::iter::repeat(&false)))
                    .map(|(column, descending)| IndexKey {
                        column: column.clone(),
                        descending: *descending,
                    })
                    .collect(),
                include: row.columns.iter().skip(key_count).cloned().collect(),
                unique: row.is_unique,
                // Every built-in access method has a variant; an extension's (bloom, ...) reads
                // back as btree, so a drift check does not see such an index's method.
                method: IndexMethod::from_word(&row.method).unwrap_or_default(),
                predicate: row.predicate,
            });
        }
    }
    for row in partitions {
        if let Some(p) = table_of(&mut tables, &row.schema_name, &row.table_name)
            .and_then(|t| t.partitioning.as_mut())
        {
            p.partitions.push(Partition {
                name: row.name,
                bound: row.bound,
            });
        }
    }
    for row in policies {
        if let Some(rls) = table_of(&mut tables, &row.schema_name, &row.table_name)
            .and_then(|t| t.row_security.as_mut())
        {
            rls.policies.push(row.into_policy());
        }
    }
    // The oldest revision any function's body has (0: a body no revision has, which drift
    // reports as a replacement).
    let mut function_revision = crate::ir::FUNCTION_REVISION;
    for row in triggers {
        if let Some(function) = TriggerFunction::from_name(&row.function_name) {
            function_revision =
                function_revision.min(function.revision_of(&row.function_source).unwrap_or(0));
        }
        if let Some(table) = table_of(&mut tables, &row.schema_name, &row.table_name) {
            match TriggerFunction::from_name(&row.function_name) {
                Some(TriggerFunction::SetUpdatedAt) => table.updated_at_trigger = Some(row.name),
                Some(TriggerFunction::RejectUpdate) => table.append_only_trigger = Some(row.name),
                None => {}
            }
        }
    }
    let enums = enums
        .into_iter()
        .map(|row| EnumType {
            schema: row.schema_name,
            name: row.name,
            values: row.enum_values,
        })
        .collect();
    let mut schema = Schema::with_enums(enums, tables.into_values().collect());
    schema.function_revision = function_revision;
    schema.views = load::<ViewRow>(conn, VIEWS, &names)?
        .iter()
        .map(ViewRow::to_ir)
        .collect();
    // Every database has plpgsql; any other extension is declared or reported.
    schema.extensions = sql_query(
        "SELECT extname::text AS name FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY extname",
    )
    .load::<ExtensionRow>(conn)?
    .into_iter()
    .map(|row| row.name)
    .collect();
    schema.index_copies_named = index_copies.iter().all(|copy| {
        copy.name
            == crate::plan::index_copy_name(&copy.table_name, &copy.partition, &copy.parent_index)
    });
    Ok(schema)
}

/// A partition's copy of an index of its table whose name is not the project's (PostgreSQL
/// named it, or the index or partition was renamed since).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MisnamedCopy {
    pub table: QualifiedName,
    pub partition: String,
    pub parent_index: String,
    pub name: String,
    /// The project's name for it ([`crate::plan::index_copy_name`]).
    pub wanted: String,
}

/// The index copies of the partitioned tables of `schemas` not named as the project names
/// them ([`crate::render::name_index_copies`] renames them).
pub fn misnamed_index_copies(
    conn: &mut PgConnection,
    schemas: &[&str],
) -> QueryResult<Vec<MisnamedCopy>> {
    let names: Vec<String> = schemas.iter().map(|s| s.to_string()).collect();
    let rows: Vec<IndexCopyRow> = load(conn, INDEX_COPIES, &names)?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let wanted =
                crate::plan::index_copy_name(&row.table_name, &row.partition, &row.parent_index);
            (row.name != wanted).then(|| MisnamedCopy {
                table: QualifiedName::new(&row.schema_name, &row.table_name),
                partition: row.partition,
                parent_index: row.parent_index,
                name: row.name,
                wanted,
            })
        })
        .collect())
}

/// One partition as the catalog holds it: what [`introspect`] does not model, because the
/// declarations give every partition its table's row-level security rather than its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionState {
    pub table: QualifiedName,
    pub name: String,
    pub row_security: bool,
    pub force_row_security: bool,
    /// `DETACH PARTITION ... CONCURRENTLY` was interrupted; `... FINALIZE` completes it.
    pub detach_pending: bool,
    /// Sorted by name.
    pub policies: Vec<Policy>,
}

impl PartitionState {
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(&self.table.schema, &self.name)
    }
}

/// Every partition of the partitioned tables of the given schemas, with its row-level
/// security and policies, sorted by table and name.
pub fn partition_states(
    conn: &mut PgConnection,
    schemas: &[&str],
) -> QueryResult<Vec<PartitionState>> {
    let names: Vec<String> = schemas.iter().map(|s| s.to_string()).collect();
    let rows: Vec<PartitionStateRow> = load(conn, PARTITION_STATES, &names)?;
    let mut policies: BTreeMap<(String, String), Vec<Policy>> = BTreeMap::new();
    for row in load::<PolicyRow>(conn, POLICIES, &names)? {
        policies
            .entry((row.schema_name.clone(), row.table_name.clone()))
            .or_default()
            .push(row.into_policy());
    }
    Ok(rows
        .into_iter()
        .map(|row| PartitionState {
            policies: policies
                .remove(&(row.schema_name.clone(), row.name.clone()))
                .unwrap_or_default(),
            table: QualifiedName::new(row.schema_name, row.table_name),
            name: row.name,
            row_security: row.row_security,
            force_row_security: row.force_row_security,
            detach_pending: row.detach_pending,
        })
        .collect())
}

#[derive(QueryableByName)]
struct ExprRow {
    #[diesel(sql_type = Nullable<Text>)]
    expr: Option<String>,
}

fn single_expr(conn: &mut PgConnection, query: &str) -> QueryResult<String> {
    let row: ExprRow = sql_query(query).get_result(conn)?;
    row.expr.ok_or(diesel::result::Error::NotFound)
}

/// Rewrites every expression of a declared schema (defaults, checks, index predicates,
/// generated columns, partition bounds, policies) into the form PostgreSQL prints it in, so
/// the declaration compares equal to what [`introspect`] reads back.
///
/// PostgreSQL does the rewriting itself: each expression is attached to a scratch temporary
/// table and read back from the catalog, inside a transaction that is rolled back. The
/// declared enum types must exist in the database (they do once the schema is applied).
pub fn canonicalize(conn: &mut PgConnection, declared: &Schema) -> QueryResult<Schema> {
    let mut result = None;
    let _ = conn.transaction::<(), diesel::result::Error, _>(|conn| {
        result = Some(canonicalize_in_transaction(conn, &declared.without_hints()));
        Err(diesel::result::Error::RollbackTransaction)
    });
    result.unwrap_or(Err(diesel::result::Error::RollbackTransaction))
}

/// Adds a scratch column of type `ty` with `clause` (a default or a generation expression) to
/// `pg_temp.__canon`, reads the expression back as PostgreSQL stored it, and drops the column.
fn column_expression(conn: &mut PgConnection, ty: &str, clause: &str) -> QueryResult<String> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(&format!(
        "ALTER TABLE pg_temp.__canon ADD COLUMN __canon_value {ty} {clause}"
    ))?;
    let expr = single_expr(conn, "SELECT pg_get_expr(d.adbin, d.adrelid) AS expr FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'pg_temp.__canon'::regclass AND a.attname = '__canon_value'")?;
    conn.batch_execute("ALTER TABLE pg_temp.__canon DROP COLUMN __canon_value")?;
    Ok(expr)
}

fn canonicalize_in_transaction(conn: &mut PgConnection, declared: &Schema) -> QueryResult<Schema> {
    use crate::render::quote_ident;
    use diesel::connection::SimpleConnection;
    let mut schema = declared.clone();
    for table in &mut schema.tables {
        let columns = table
            .columns
            .iter()
            .map(|c| format!("{} {}", quote_ident(&c.name), c.sql_type.to_sql()))
            .collect::<Vec<_>>()
            .join(", ");
        conn.batch_execute(&format!(
            "CREATE TEMPORARY TABLE __canon ({columns}) ON COMMIT DROP"
        ))?;
        for column in &mut table.columns {
            let ty = column.sql_type.to_sql();
            if let Some(default) = &column.default {
                let expr = column_expression(conn, &ty, &format!("DEFAULT {default}"))?;
                column.default = Some(crate::ir::normalize_default(&expr, &column.sql_type));
            }
            if let Some(generated) = &column.generated {
                let clause = format!("GENERATED ALWAYS AS ({generated}) STORED");
                column.generated = Some(column_expression(conn, &ty, &clause)?);
            }
        }
        for check in &mut table.checks {
            conn.batch_execute(&format!(
                "ALTER TABLE pg_temp.__canon ADD CONSTRAINT __canon_check CHECK ({})",
                check.expression
            ))?;
            check.expression = single_expr(conn, "SELECT pg_get_expr(conbin, conrelid) AS expr FROM pg_constraint WHERE conrelid = 'pg_temp.__canon'::regclass AND conname = '__canon_check'")?;
            conn.batch_execute("ALTER TABLE pg_temp.__canon DROP CONSTRAINT __canon_check")?;
        }
        let first_column = table
            .columns
            .first()
            .map(|c| quote_ident(&c.name))
            .unwrap_or_default();
        for index in &mut table.indexes {
            if let Some(predicate) = &index.predicate {
                conn.batch_execute(&format!(
                    "CREATE INDEX __canon_index ON pg_temp.__canon ({first_column}) WHERE ({predicate})"
                ))?;
                index.predicate = Some(single_expr(conn, "SELECT pg_get_expr(indpred, indrelid) AS expr FROM pg_index WHERE indexrelid = 'pg_temp.__canon_index'::regclass")?);
                conn.batch_execute("DROP INDEX pg_temp.__canon_index")?;
            }
        }
        if let Some(rls) = &mut table.row_security {
            for policy in &mut rls.policies {
                let mut sql = "CREATE POLICY __canon_policy ON pg_temp.__canon".to_string();
                if let Some(using) = &policy.using {
                    sql.push_str(&format!(" USING ({using})"));
                }
                if let Some(check) = &policy.with_check {
                    sql.push_str(&format!(" WITH CHECK ({check})"));
                }
                conn.batch_execute(&sql)?;
                let read = |conn: &mut PgConnection, column: &str| {
                    single_expr(conn, &format!("SELECT pg_get_expr({column}, polrelid) AS expr FROM pg_policy WHERE polrelid = 'pg_temp.__canon'::regclass AND polname = '__canon_policy'"))
                };
                if policy.using.is_some() {
                    policy.using = Some(read(conn, "polqual")?);
                }
                if policy.with_check.is_some() {
                    policy.with_check = Some(read(conn, "polwithcheck")?);
                }
                conn.batch_execute("DROP POLICY __canon_policy ON pg_temp.__canon")?;
            }
        }
        if let Some(partitioning) = &mut table.partitioning {
            let key = partitioning
                .columns
                .iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", ");
            conn.batch_execute(&format!(
                "CREATE TEMPORARY TABLE __canon_parent ({columns}) PARTITION BY {} ({key})",
                partitioning.strategy.to_sql()
            ))?;
            for partition in &mut partitioning.partitions {
                conn.batch_execute(&format!(
                    "CREATE TEMPORARY TABLE __canon_partition PARTITION OF pg_temp.__canon_parent {}",
                    partition.bound
                ))?;
                partition.bound = single_expr(conn, "SELECT pg_get_expr(relpartbound, oid) AS expr FROM pg_class WHERE oid = 'pg_temp.__canon_partition'::regclass")?;
                conn.batch_execute("DROP TABLE pg_temp.__canon_partition")?;
            }
            conn.batch_execute("DROP TABLE pg_temp.__canon_parent")?;
        }
        conn.batch_execute("DROP TABLE pg_temp.__canon")?;
    }
    // A view's query as PostgreSQL prints it: created as a temporary view over the database's
    // own tables, with the declared column names.
    for view in &mut schema.views {
        let columns: Vec<String> = view.columns.iter().map(|c| quote_ident(&c.name)).collect();
        conn.batch_execute(&format!(
            "CREATE TEMPORARY VIEW __canon_view ({}) AS {}",
            columns.join(", "),
            view.query
        ))?;
        view.query = single_expr(
            conn,
            "SELECT pg_get_viewdef('pg_temp.__canon_view'::regclass) AS expr",
        )?;
        conn.batch_execute("DROP VIEW pg_temp.__canon_view")?;
    }
    Ok(schema)
}

/// How a live database differs from the declarations: the changes that would make it match
/// (as `cargo schema generate` would name them), or why they cannot be computed. Empty when
/// the database holds exactly the declared schema.
///
/// The declared expressions are first put in PostgreSQL's own form ([`canonicalize`]), so a
/// CHECK written `version BETWEEN 1 AND 10` matches the `(version >= 1) AND (version <= 10)`
/// the catalog holds.
///
/// Monthly-partitioned tables are compared as partition maintenance leaves them (see
/// [`crate::partitions`]): months created after the declared ones and declared months detached
/// by retention are not drift. Every partition of a table with row-level security must have
/// the table's row-level security and policies: a partition missing them is drift.
/// A part of the database [`drift`] could not read: nothing was compared, so this is no
/// difference (a `check` that cannot read says so, and says it found nothing).
#[derive(Debug)]
pub struct ReadError {
    /// What could not be read, e.g. "the catalog".
    pub what: &'static str,
    pub source: diesel::result::Error,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read {}: {}", self.what, self.source)
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl ReadError {
    pub fn of(what: &'static str) -> impl FnOnce(diesel::result::Error) -> ReadError {
        move |source| ReadError { what, source }
    }
}

/// How the database differs from the declarations, one finding per difference (empty: it
/// matches); `Err` when it could not be read.
pub fn drift(conn: &mut PgConnection, declared: &Schema) -> Result<Vec<String>, ReadError> {
    let schemas: Vec<&str> = declared.namespaces().into_iter().collect();
    let mut live = introspect(conn, &schemas).map_err(ReadError::of("the catalog"))?;
    let states =
        partition_states(conn, &schemas).map_err(ReadError::of("the partitions' security"))?;
    let layouts = crate::partitions::monthly_tables(declared);
    // Months detached by `cargo schema partitions retain` are tables of their own now, kept
    // for archiving; they are not part of the declared schema.
    let archived: std::collections::BTreeSet<QualifiedName> = layouts
        .iter()
        .flat_map(|l| {
            l.detached_months(&live, declared)
                .into_values()
                .map(|name| QualifiedName::new(&l.table.schema, name))
        })
        .collect();
    live.tables
        .retain(|t| !archived.contains(&t.qualified_name()));
    // Roles are cluster-wide; `role::drift` compares them and their privileges.
    live.roles = declared.roles.clone();
    // Misnamed index copies are reported one by one below.
    live.index_copies_named = declared.index_copies_named;
    let expected = match canonicalize(conn, &with_live_months(declared, &live, &layouts)) {
        Ok(expected) => expected,
        // Typically a declared enum type the database does not have.
        Err(e) => {
            return Ok(vec![format!(
                "cannot compare the declared expressions with the catalog's: {e}"
            )])
        }
    };
    let mut findings = Vec::new();
    let view_rows = views(conn, &schemas).map_err(ReadError::of("the views"))?;
    for row in &view_rows {
        let name = QualifiedName::new(&row.schema_name, &row.name);
        let (Some(declared_view), Some(live_view)) = (
            expected.views.iter().find(|v| v.qualified_name() == name),
            live.views.iter_mut().find(|v| v.qualified_name() == name),
        ) else {
            continue;
        };
        findings.extend(view_differences(row, live_view, declared_view));
        // Reported above, in the view's own terms.
        *live_view = declared_view.clone();
    }
    // The declared order is the order of creation; the catalog's is alphabetical.
    let sorted = |list: &[String]| {
        let mut list = list.to_vec();
        list.sort();
        list
    };
    if sorted(&live.extensions) == sorted(&expected.extensions) {
        live.extensions = expected.extensions.clone();
    }
    findings.extend(if live == expected {
        Vec::new()
    } else {
        match crate::diff::diff(&live, &expected) {
            Ok(changes) if !changes.is_empty() => changes.iter().map(|c| c.to_string()).collect(),
            Ok(_) => expected
                .tables
                .iter()
                .filter(|t| live.table(&t.qualified_name()) != Some(*t))
                .map(|t| {
                    format!(
                        "table `{}` differs in a way no migration step names",
                        t.qualified_name()
                    )
                })
                .collect(),
            Err(unsupported) => unsupported.iter().map(|u| u.to_string()).collect(),
        }
    });
    let copies = misnamed_index_copies(conn, &schemas)
        .map_err(ReadError::of("the partitions' index copies"))?;
    findings.extend(
        copies
            .iter()
            .filter(|c| declared.table(&c.table).is_some())
            .map(|c| {
                format!(
                    "partition `{}.{}`: its copy of index `{}` is named `{}`, not the project's `{}` (`cargo schema partitions ensure` renames it, as does the next migration of `{}`)",
                    c.table.schema, c.partition, c.parent_index, c.name, c.wanted, c.table
                )
            }),
    );
    for state in &states {
        let Some(table) = live
            .table(&state.table)
            .filter(|_| declared.table(&state.table).is_some())
        else {
            continue;
        };
        for gap in crate::live::partitions::security_gaps(table, state) {
            findings.push(format!(
                "partition `{}`: {gap}; a query naming the partition is not held to `{}`'s row-level security (`cargo schema partitions ensure` gives it the table's)",
                state.qualified_name(),
                state.table
            ));
        }
    }
    Ok(findings)
}

/// How a view the database has differs from its declaration (`declared` is canonicalized).
fn view_differences(
    row: &ViewRow,
    live: &crate::ir::View,
    declared: &crate::ir::View,
) -> Vec<String> {
    let name = declared.qualified_name();
    let mut out = Vec::new();
    if !row.security_invoker {
        out.push(format!(
            "view `{name}` runs with its owner's privileges (no security_invoker), so its readers bypass the row-level security of the tables it reads: `ALTER VIEW {} SET (security_invoker = true)`",
            crate::render::quote_qualified(&name)
        ));
    }
    if live.query != declared.query {
        out.push(format!(
            "view `{name}`'s query is not the declared one (changed by hand?); recreate it from the declaration (`cargo schema sql` prints it)"
        ));
    }
    let columns = |view: &crate::ir::View| -> Vec<(String, crate::ir::SqlType)> {
        view.columns
            .iter()
            .map(|c| (c.name.clone(), crate::ir::diesel_family(&c.sql_type)))
            .collect()
    };
    if columns(live) != columns(declared) {
        let list = |view: &crate::ir::View| {
            view.columns
                .iter()
                .map(|c| format!("{} {}", c.name, c.sql_type.to_sql()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(format!(
            "view `{name}` has the columns ({}) where its struct reads ({}): a read through Diesel fails; declare the fields with the view's types",
            list(live),
            list(declared)
        ));
    }
    let mut reads = live.reads.clone();
    reads.sort();
    if reads != declared.reads && live.query == declared.query {
        out.push(format!(
            "view `{name}` reads {:?} where its declaration reads {:?}",
            reads.iter().map(ToString::to_string).collect::<Vec<_>>(),
            declared
                .reads
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        ));
    }
    if live.comment != declared.comment {
        out.push(format!("view `{name}`'s comment is not the declared one"));
    }
    out
}

/// The declarations with each monthly table's partitions as maintenance left them: the months
/// `cargo schema partitions ensure` created after the declared ones are expected, and the
/// declared months before the oldest attached one are not (`partitions retain` detached them).
fn with_live_months(
    declared: &Schema,
    live: &Schema,
    layouts: &[crate::partitions::MonthlyLayout],
) -> Schema {
    let mut schema = declared.clone();
    for table in &mut schema.tables {
        let name = table.qualified_name();
        let (Some(layout), Some(live_table), Some(partitioning)) = (
            layouts.iter().find(|l| l.table == name),
            live.table(&name),
            table.partitioning.as_mut(),
        ) else {
            continue;
        };
        let live_months = layout.attached_months(live_table);
        let Some(oldest) = live_months.keys().next().copied() else {
            continue;
        };
        partitioning
            .partitions
            .retain(|p| layout.month_named(&p.name).map_or(true, |m| m >= oldest));
        for month in live_months.into_keys() {
            let partition_name = layout.partition_name(month);
            if !partitioning
                .partitions
                .iter()
                .any(|p| p.name == partition_name)
            {
                partitioning.partitions.push(Partition {
                    name: partition_name,
                    bound: layout.bound(month),
                });
            }
        }
        partitioning.partitions.sort_by(|a, b| a.name.cmp(&b.name));
    }
    schema
}
