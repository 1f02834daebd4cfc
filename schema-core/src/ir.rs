//! The schema IR: plain, owned, deterministic data describing PostgreSQL objects.
//!
//! Everything that leaves the process (snapshots, SQL, drift reports) is computed from these
//! types. Collections are kept in a canonical order (tables by qualified name, constraints and
//! indexes by name; columns keep their declaration order because it is the physical order of
//! the table), so two equal schemas always serialize to identical bytes.

pub use crate::sql::QualifiedName;
pub use schema_rules::{
    Identity, IndexMethod, PartitionStrategy, PolicyCommand, ReferentialAction, RoleKind,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// A whole database schema: every table of every PostgreSQL schema the declarations own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// Native enum types (`CREATE TYPE ... AS ENUM`), sorted by `(schema, name)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumType>,
    /// Sorted by `(schema, name)`.
    pub tables: Vec<Table>,
    /// The declared database roles (see [`crate::role`]), sorted by name: created by the
    /// migrations (policies name them), granted by `cargo schema role`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    /// The revision of the bodies of the generated trigger functions (see
    /// [`TriggerFunction::body`]); snapshots written before revisions existed hold revision 1.
    /// A database whose functions have an older body than the declarations' gets them
    /// replaced (`CREATE OR REPLACE FUNCTION`).
    #[serde(default = "first_revision")]
    pub function_revision: u32,
    /// Whether the partitions' index copies have the project's names
    /// ([`crate::plan::child_index_name`]). Snapshots written before the project named them
    /// hold `false`: PostgreSQL named those copies, and the next migration renames them.
    #[serde(default)]
    pub index_copies_named: bool,
    /// The declared extensions (`schema!`'s `extensions(...)`), in the declared order, which
    /// is the order they are created in: an extension another requires comes first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
    /// Declared views (`#[view]`, `schema!`'s `views(...)`), sorted by `(schema, name)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<View>,
}

/// A view, created `WITH (security_invoker = true)`: PostgreSQL checks the privileges and the
/// row-level security of whoever queries it on the tables it reads, as if they were queried
/// directly (without it, a view runs as its owner and bypasses both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub schema: String,
    pub name: String,
    /// The `SELECT` as declared (PostgreSQL stores it in its own form; drift compares the
    /// two through PostgreSQL).
    pub query: String,
    /// Its columns in order, with the types the struct reads them as.
    pub columns: Vec<ViewColumn>,
    /// The declared tables it reads: it is dropped and created again around a migration that
    /// changes one of them (PostgreSQL refuses to change a column type under a view).
    pub reads: Vec<QualifiedName>,
    /// The declared roles that may `SELECT` from it (they also need their own access to the
    /// tables it reads).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_by: Vec<RoleKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewColumn {
    pub name: String,
    pub sql_type: SqlType,
}

impl View {
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }
}

/// The type a Diesel column of `sql_type` reads: `varchar(n)` and `text` are both Diesel's
/// `Text`, `numeric(p, s)` is `Numeric`. A view's column types are compared this way, since
/// the view takes `varchar(128)` from its table where the struct reads a `String`.
pub fn diesel_family(sql_type: &SqlType) -> SqlType {
    match sql_type {
        SqlType::Varchar(_) => SqlType::Text,
        SqlType::NumericPs(..) => SqlType::Numeric,
        SqlType::Array(element) => SqlType::Array(Box::new(diesel_family(element))),
        other => other.clone(),
    }
}

fn first_revision() -> u32 {
    1
}

/// The revision of the trigger functions this version generates. Revision 2: `set_updated_at`
/// keeps `updated_at` as it is for rows a batched backfill fills (run by the table's owner).
pub const FUNCTION_REVISION: u32 = 2;

/// The custom setting a batched backfill sets (transaction-local) so `set_updated_at` leaves
/// the rows it fills as they were; honoured only for a role that has its table owner's rights.
pub const BACKFILL_SETTING: &str = "schema_api.backfill";

impl Default for Schema {
    fn default() -> Self {
        Schema {
            enums: Vec::new(),
            tables: Vec::new(),
            roles: Vec::new(),
            function_revision: FUNCTION_REVISION,
            index_copies_named: true,
            extensions: Vec::new(),
            views: Vec::new(),
        }
    }
}

/// A declared role: `NOLOGIN`, `NOSUPERUSER NOBYPASSRLS`, owning nothing; services log in as
/// its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub kind: RoleKind,
    pub name: String,
}

impl Schema {
    /// The schema without migration hints (`renamed_from`, `backfill`): what a database
    /// holding it has, and what the snapshot records.
    pub fn without_hints(&self) -> Schema {
        Schema {
            tables: self.tables.iter().map(Table::without_hints).collect(),
            ..self.clone()
        }
    }

    /// Builds a schema from tables in any order, putting every collection in canonical order.
    pub fn new(tables: Vec<Table>) -> Self {
        Schema::with_enums(Vec::new(), tables)
    }

    /// Builds a schema from enum types and tables in any order.
    pub fn with_enums(mut enums: Vec<EnumType>, mut tables: Vec<Table>) -> Self {
        for table in &mut tables {
            table.canonicalize();
        }
        tables.sort_by_key(Table::qualified_name);
        enums.sort_by_key(EnumType::qualified_name);
        enums.dedup();
        Schema {
            enums,
            tables,
            ..Schema::default()
        }
    }

    /// The PostgreSQL schemas (namespaces) that hold at least one table, view or type, sorted.
    pub fn namespaces(&self) -> BTreeSet<&str> {
        self.tables
            .iter()
            .map(|t| t.schema.as_str())
            .chain(self.enums.iter().map(|e| e.schema.as_str()))
            .chain(self.views.iter().map(|v| v.schema.as_str()))
            .collect()
    }

    pub fn view(&self, name: &QualifiedName) -> Option<&View> {
        self.views.iter().find(|v| v.qualified_name() == *name)
    }

    /// The schemas that need `function`: those with a table whose trigger calls it.
    pub fn trigger_function_schemas(&self, function: TriggerFunction) -> BTreeSet<&str> {
        self.tables
            .iter()
            .filter(|t| t.trigger(function).is_some())
            .map(|t| t.schema.as_str())
            .collect()
    }

    pub fn enum_type(&self, name: &QualifiedName) -> Option<&EnumType> {
        self.enums.iter().find(|e| e.qualified_name() == *name)
    }

    pub fn table(&self, name: &QualifiedName) -> Option<&Table> {
        self.tables.iter().find(|t| t.qualified_name() == *name)
    }

    /// The schema with these extensions declared, in this order.
    pub fn with_extensions(mut self, extensions: &[&str]) -> Schema {
        self.extensions = extensions.iter().map(|e| e.to_string()).collect();
        self
    }

    /// The declared role of `kind`, if the schema declares roles.
    pub fn role(&self, kind: RoleKind) -> Option<&str> {
        self.roles
            .iter()
            .find(|r| r.kind == kind)
            .map(|r| r.name.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The PostgreSQL schema (namespace), e.g. `billing`.
    pub schema: String,
    pub name: String,
    /// In declaration order, which is the physical column order.
    pub columns: Vec<Column>,
    pub primary_key: PrimaryKey,
    /// Sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    /// Sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<Unique>,
    /// Sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// `CHECK` constraints, sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// `COMMENT ON TABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `PARTITION BY ...` and the table's partitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitioning: Option<Partitioning>,
    /// Row-level security: enabled and forced, with these policies. A partitioned table's
    /// partitions get the same (PostgreSQL does not propagate RLS to partitions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_security: Option<RowSecurity>,
    /// The name of the `BEFORE UPDATE` trigger that sets `updated_at`, if the table has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at_trigger: Option<String>,
    /// The name of the `BEFORE UPDATE` trigger that rejects updates of an append-only table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub append_only_trigger: Option<String>,
    /// Migration hint, not schema: the table's previous name in the same schema.
    #[serde(skip)]
    pub renamed_from: Option<String>,
    /// Not schema: who may do what with the table's rows, from which the roles' grants are
    /// computed (`cargo schema role`). Only declarations carry it; snapshots and introspected
    /// tables have the default.
    #[serde(skip)]
    pub access: Access,
}

/// What a table is to the role model: its kind and the columns that need care.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    pub kind: TableKind,
    /// `#[column(secret)]`: credentials the tenant-scoped application role may not read.
    pub secret_columns: Vec<String>,
    /// The tenant root's `tenant_updates(...)`: the columns a tenant may change in its own row.
    pub tenant_updates: Vec<String>,
}

/// What a table declares itself to be (see the conventions in README.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TableKind {
    /// Rows belong to one account; row-level security filters them.
    Tenant,
    /// Rows shared by every account, for a stated reason.
    #[default]
    Global,
    /// The accounts table: what tenant tables' `account_id` references.
    TenantRoot,
}

impl TableKind {
    pub const fn is_tenant(self) -> bool {
        matches!(self, TableKind::Tenant)
    }
}

/// The trigger functions the generator creates, once per PostgreSQL schema that uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerFunction {
    /// `set_updated_at()`: `NEW.updated_at := now()`.
    SetUpdatedAt,
    /// `reject_update()`: raises, for append-only tables.
    RejectUpdate,
}

impl TriggerFunction {
    pub const ALL: [TriggerFunction; 2] =
        [TriggerFunction::SetUpdatedAt, TriggerFunction::RejectUpdate];

    /// The function's name in its schema.
    pub fn name(self) -> &'static str {
        match self {
            TriggerFunction::SetUpdatedAt => "set_updated_at",
            TriggerFunction::RejectUpdate => "reject_update",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The PL/pgSQL statements of the function at `revision` (between `BEGIN` and `END;`);
    /// revision 0 stands for a body no revision has (read from a database) and gets the
    /// current one.
    pub fn body(self, revision: u32) -> String {
        match (self, revision) {
            (TriggerFunction::SetUpdatedAt, 1) => {
                "    NEW.\"updated_at\" := now();\n    RETURN NEW;".to_string()
            }
            // A batched backfill fills a column row by row; the rows' `updated_at` must keep
            // saying when the application last changed them. The setting alone is not enough:
            // the application role could set it too, so it counts only for a role with the
            // owner's rights, which the application roles never have.
            (TriggerFunction::SetUpdatedAt, _) => format!(
                "    IF current_setting('{BACKFILL_SETTING}', true) = 'on'\n\
                 \x20      AND pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'USAGE') THEN\n\
                 \x20       RETURN NEW;\n\
                 \x20   END IF;\n\
                 \x20   NEW.\"updated_at\" := now();\n\
                 \x20   RETURN NEW;"
            ),
            (TriggerFunction::RejectUpdate, _) => {
                "    RAISE EXCEPTION 'rows of %.% are never updated (append-only)', TG_TABLE_SCHEMA, TG_TABLE_NAME\n        USING ERRCODE = 'feature_not_supported', HINT = 'insert a new row instead';".to_string()
            }
        }
    }

    /// The function's source as PostgreSQL stores it (`pg_proc.prosrc`) at `revision`.
    pub fn source(self, revision: u32) -> String {
        format!("\nBEGIN\n{}\nEND;\n", self.body(revision))
    }

    /// The revision whose source is `prosrc`, if any.
    pub fn revision_of(self, prosrc: &str) -> Option<u32> {
        (1..=FUNCTION_REVISION)
            .rev()
            .find(|r| self.source(*r) == prosrc)
    }
}

impl Table {
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// A table with only these columns and key; every other part empty.
    pub fn new(
        schema: impl Into<String>,
        name: impl Into<String>,
        columns: Vec<Column>,
        primary_key: PrimaryKey,
    ) -> Self {
        Table {
            schema: schema.into(),
            name: name.into(),
            columns,
            primary_key,
            foreign_keys: Vec::new(),
            uniques: Vec::new(),
            indexes: Vec::new(),
            checks: Vec::new(),
            comment: None,
            partitioning: None,
            row_security: None,
            updated_at_trigger: None,
            append_only_trigger: None,
            renamed_from: None,
            access: Access::default(),
        }
    }

    /// The table without migration hints (its own or its columns'): what the database holds.
    pub fn without_hints(&self) -> Table {
        Table {
            renamed_from: None,
            access: Access::default(),
            columns: self.columns.iter().map(Column::without_hints).collect(),
            ..self.clone()
        }
    }

    /// The name of the table's trigger calling `function`, if it has one.
    pub fn trigger(&self, function: TriggerFunction) -> Option<&String> {
        match function {
            TriggerFunction::SetUpdatedAt => self.updated_at_trigger.as_ref(),
            TriggerFunction::RejectUpdate => self.append_only_trigger.as_ref(),
        }
    }

    /// The names of the table's partitions (empty for a plain table).
    pub fn partitions(&self) -> impl Iterator<Item = &Partition> {
        self.partitioning.iter().flat_map(|p| p.partitions.iter())
    }

    fn canonicalize(&mut self) {
        self.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        self.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        self.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        self.checks.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(p) = &mut self.partitioning {
            p.partitions.sort_by(|a, b| a.name.cmp(&b.name));
        }
        if let Some(rls) = &mut self.row_security {
            rls.policies.sort_by(|a, b| a.name.cmp(&b.name));
            for policy in &mut rls.policies {
                policy.roles.sort();
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub sql_type: SqlType,
    pub nullable: bool,
    /// A SQL expression, in the normal form of [`normalize_default`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expression) STORED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    /// `COMMENT ON COLUMN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Migration hint, not schema: the column's previous name, so the differ renames it.
    #[serde(skip)]
    pub renamed_from: Option<String>,
    /// Migration hint, not schema: the expression that fills existing NULLs when the column
    /// becomes NOT NULL.
    #[serde(skip)]
    pub backfill: Option<String>,
    /// Migration hint, not schema: rows per batch of that backfill (default
    /// [`crate::plan::BACKFILL_BATCH_SIZE`]).
    #[serde(skip)]
    pub backfill_batch_size: Option<u32>,
}

impl Column {
    /// A column with only a name, a type and nullability.
    pub fn new(name: impl Into<String>, sql_type: SqlType, nullable: bool) -> Self {
        Column {
            name: name.into(),
            sql_type,
            nullable,
            default: None,
            identity: None,
            generated: None,
            comment: None,
            renamed_from: None,
            backfill: None,
            backfill_batch_size: None,
        }
    }

    /// The column without its migration hints: what the database holds.
    pub fn without_hints(&self) -> Column {
        Column {
            renamed_from: None,
            backfill: None,
            backfill_batch_size: None,
            ..self.clone()
        }
    }
}

/// The PostgreSQL column types the DSL can declare.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SqlType {
    SmallInt,
    Integer,
    BigInt,
    Boolean,
    Real,
    DoublePrecision,
    Text,
    Varchar(u32),
    Uuid,
    Timestamptz,
    Timestamp,
    Date,
    /// `numeric` without a declared precision.
    Numeric,
    /// `numeric(precision, scale)`.
    NumericPs(u16, u16),
    Inet,
    Cidr,
    Bytea,
    Time,
    Interval,
    MacAddr,
    Jsonb,
    /// A native enum type.
    Enum(QualifiedName),
    /// `element[]`.
    Array(Box<SqlType>),
    /// A type the DSL cannot declare, as PostgreSQL's `format_type` spells it. Only
    /// introspection of a live database produces it (so drift reports can name it).
    Other(String),
}

impl SqlType {
    /// The type as PostgreSQL's `format_type()` prints it, which is also valid DDL.
    pub fn to_sql(&self) -> String {
        match self {
            SqlType::SmallInt => "smallint".into(),
            SqlType::Integer => "integer".into(),
            SqlType::BigInt => "bigint".into(),
            SqlType::Boolean => "boolean".into(),
            SqlType::Real => "real".into(),
            SqlType::DoublePrecision => "double precision".into(),
            SqlType::Text => "text".into(),
            SqlType::Varchar(n) => format!("character varying({n})"),
            SqlType::Uuid => "uuid".into(),
            SqlType::Timestamptz => "timestamp with time zone".into(),
            SqlType::Timestamp => "timestamp without time zone".into(),
            SqlType::Date => "date".into(),
            SqlType::Numeric => "numeric".into(),
            SqlType::NumericPs(p, s) => format!("numeric({p},{s})"),
            SqlType::Inet => "inet".into(),
            SqlType::Cidr => "cidr".into(),
            SqlType::Bytea => "bytea".into(),
            SqlType::Time => "time without time zone".into(),
            SqlType::Interval => "interval".into(),
            SqlType::MacAddr => "macaddr".into(),
            SqlType::Jsonb => "jsonb".into(),
            SqlType::Enum(name) => crate::sql::quote_qualified(name),
            SqlType::Array(element) => format!("{}[]", element.to_sql()),
            SqlType::Other(s) => s.clone(),
        }
    }

    /// Parses `format_type()` output back into a type; anything unknown becomes `Other`.
    pub fn from_format_type(s: &str) -> SqlType {
        let numbers = |inner: &str| -> Option<Vec<u32>> {
            inner.split(',').map(|p| p.trim().parse().ok()).collect()
        };
        match s {
            "smallint" => SqlType::SmallInt,
            "integer" => SqlType::Integer,
            "bigint" => SqlType::BigInt,
            "boolean" => SqlType::Boolean,
            "real" => SqlType::Real,
            "double precision" => SqlType::DoublePrecision,
            "text" => SqlType::Text,
            "uuid" => SqlType::Uuid,
            "timestamp with time zone" => SqlType::Timestamptz,
            "timestamp without time zone" => SqlType::Timestamp,
            "date" => SqlType::Date,
            "numeric" => SqlType::Numeric,
            "inet" => SqlType::Inet,
            "cidr" => SqlType::Cidr,
            "bytea" => SqlType::Bytea,
            "time without time zone" => SqlType::Time,
            "interval" => SqlType::Interval,
            "macaddr" => SqlType::MacAddr,
            "jsonb" => SqlType::Jsonb,
            _ if s.ends_with("[]") => {
                SqlType::Array(Box::new(SqlType::from_format_type(&s[..s.len() - 2])))
            }
            _ => {
                let parsed = s.strip_suffix(')').and_then(|s| s.split_once('('));
                match parsed {
                    Some(("character varying", inner)) => match numbers(inner).as_deref() {
                        Some([n]) => SqlType::Varchar(*n),
                        _ => SqlType::Other(s.to_string()),
                    },
                    Some(("numeric", inner)) => match numbers(inner).as_deref() {
                        Some([p, s]) if *p <= 1000 && *s <= 1000 => {
                            SqlType::NumericPs(*p as u16, *s as u16)
                        }
                        _ => SqlType::Other(s.to_string()),
                    },
                    _ => SqlType::Other(s.to_string()),
                }
            }
        }
    }

    /// The keyword for a serial column of this type, if it can be one.
    pub fn serial_keyword(&self) -> Option<&'static str> {
        match self {
            SqlType::SmallInt => Some("smallserial"),
            SqlType::Integer => Some("serial"),
            SqlType::BigInt => Some("bigserial"),
            _ => None,
        }
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_sql())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub references: QualifiedName,
    pub referenced_columns: Vec<String>,
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
    /// `ON DELETE SET NULL (columns)` / `SET DEFAULT (columns)` (PostgreSQL 15): only these
    /// columns are reset, so a tenant reference `(account_id, x)` keeps its `account_id`.
    /// Empty: every column of the key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_delete_columns: Vec<String>,
}

/// A `UNIQUE` constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unique {
    pub name: String,
    pub columns: Vec<String>,
}

/// An index that backs no constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    pub columns: Vec<IndexKey>,
    pub unique: bool,
    #[serde(default, skip_serializing_if = "IndexMethod::is_btree")]
    pub method: IndexMethod,
    /// `INCLUDE (...)`: columns stored in the index but not part of its key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// `WHERE ...`: a partial index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
}

impl Index {
    /// A plain btree index on these columns, ascending.
    pub fn on(name: impl Into<String>, columns: &[&str], unique: bool) -> Self {
        Index {
            name: name.into(),
            columns: columns.iter().map(|c| IndexKey::asc(*c)).collect(),
            unique,
            method: IndexMethod::Btree,
            include: Vec::new(),
            predicate: None,
        }
    }
}

/// One key column of an index. Serialized as the bare column name when ascending, so
/// snapshots of plain indexes read as a list of names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "IndexKeyRepr", into = "IndexKeyRepr")]
pub struct IndexKey {
    pub column: String,
    pub descending: bool,
}

impl IndexKey {
    pub fn asc(column: impl Into<String>) -> Self {
        IndexKey {
            column: column.into(),
            descending: false,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum IndexKeyRepr {
    Ascending(String),
    Full { column: String, descending: bool },
}

impl From<IndexKeyRepr> for IndexKey {
    fn from(r: IndexKeyRepr) -> Self {
        match r {
            IndexKeyRepr::Ascending(column) => IndexKey::asc(column),
            IndexKeyRepr::Full { column, descending } => IndexKey { column, descending },
        }
    }
}

impl From<IndexKey> for IndexKeyRepr {
    fn from(k: IndexKey) -> Self {
        if k.descending {
            IndexKeyRepr::Full {
                column: k.column,
                descending: true,
            }
        } else {
            IndexKeyRepr::Ascending(k.column)
        }
    }
}

/// A named `CHECK (expression)` constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub expression: String,
}

/// A native enum type: `CREATE TYPE schema.name AS ENUM (values...)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    pub schema: String,
    pub name: String,
    /// In declaration order, which is the sort order PostgreSQL gives the values.
    pub values: Vec<String>,
}

impl EnumType {
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }
}

/// `PARTITION BY strategy (columns)` and the partitions declared with the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partitioning {
    pub strategy: PartitionStrategy,
    pub columns: Vec<String>,
    /// Sorted by name.
    pub partitions: Vec<Partition>,
}

/// One partition: a table in the parent's schema, `PARTITION OF` the parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    pub name: String,
    /// The bound as DDL: `FOR VALUES FROM (...) TO (...)`, `FOR VALUES IN (...)`,
    /// `FOR VALUES WITH (MODULUS m, REMAINDER r)` or `DEFAULT`.
    pub bound: String,
}

/// `ENABLE` and `FORCE ROW LEVEL SECURITY` with these policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowSecurity {
    /// Sorted by name.
    pub policies: Vec<Policy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub name: String,
    pub command: PolicyCommand,
    /// `AS PERMISSIVE` (true) or `AS RESTRICTIVE`.
    pub permissive: bool,
    /// Sorted; empty means `PUBLIC`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<String>,
}

/// Puts a column default into the form PostgreSQL reports for it, so that a declared default
/// and an introspected one compare equal: surrounding whitespace goes, and a literal cast to the
/// column's own type (`'active'::character varying` on a varchar column) is dropped, because
/// PostgreSQL adds that cast itself when it stores an untyped literal.
pub fn normalize_default(expr: &str, sql_type: &SqlType) -> String {
    let expr = expr.trim();
    // PostgreSQL casts to the type without its modifier: `'x'::character varying` on a
    // `character varying(20)` column; an enum's cast is schema-qualified unless the schema is
    // on the search path.
    let full = sql_type.to_sql();
    let base = full.split('(').next().unwrap_or(&full).to_string();
    let mut casts = vec![format!("::{full}"), format!("::{base}")];
    if let SqlType::Enum(name) = sql_type {
        casts.push(format!("::{}.{}", name.schema, name.name));
        casts.push(format!("::{}", name.name));
    }
    for cast in casts {
        // Case-insensitively: the macros render type names in upper case (`'{}'::JSONB`).
        let Some(split) = expr.len().checked_sub(cast.len()) else {
            continue;
        };
        let (Some(literal), Some(suffix)) = (expr.get(..split), expr.get(split..)) else {
            continue;
        };
        if suffix.eq_ignore_ascii_case(&cast) && is_single_string_literal(literal) {
            return literal.to_string();
        }
    }
    expr.to_string()
}

fn is_single_string_literal(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) else {
        return false;
    };
    // Inside, quotes only appear doubled.
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next() != Some('\'') {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_type_round_trips() {
        for ty in [
            SqlType::SmallInt,
            SqlType::Integer,
            SqlType::BigInt,
            SqlType::Boolean,
            SqlType::Real,
            SqlType::DoublePrecision,
            SqlType::Text,
            SqlType::Varchar(32),
            SqlType::Uuid,
            SqlType::Timestamptz,
            SqlType::Timestamp,
            SqlType::Date,
            SqlType::Numeric,
            SqlType::NumericPs(12, 4),
            SqlType::Inet,
            SqlType::Cidr,
            SqlType::Bytea,
            SqlType::Time,
            SqlType::Interval,
            SqlType::MacAddr,
            SqlType::Jsonb,
            SqlType::Array(Box::new(SqlType::Text)),
            SqlType::Array(Box::new(SqlType::Time)),
            SqlType::Array(Box::new(SqlType::Varchar(20))),
        ] {
            assert_eq!(SqlType::from_format_type(&ty.to_sql()), ty);
        }
        assert_eq!(
            SqlType::from_format_type("tsvector"),
            SqlType::Other("tsvector".into())
        );
    }

    #[test]
    fn defaults_drop_only_the_columns_own_literal_cast() {
        let vc = SqlType::Varchar(20);
        assert_eq!(
            normalize_default("'active'::character varying", &vc),
            "'active'"
        );
        assert_eq!(
            normalize_default(" 'it''s'::text ", &SqlType::Text),
            "'it''s'"
        );
        assert_eq!(normalize_default("'{}'::jsonb", &SqlType::Jsonb), "'{}'");
        assert_eq!(normalize_default("'{}'::JSONB", &SqlType::Jsonb), "'{}'");
        // Not a single literal: the cast is part of the expression.
        assert_eq!(
            normalize_default("'a'::text || 'b'::text", &SqlType::Text),
            "'a'::text || 'b'::text"
        );
        // A cast to another type stays.
        assert_eq!(
            normalize_default("'1'::text", &SqlType::Integer),
            "'1'::text"
        );
        assert_eq!(normalize_default("now()", &SqlType::Timestamptz), "now()");
    }
}
