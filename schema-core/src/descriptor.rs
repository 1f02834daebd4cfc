//! Static table descriptors: what `#[table]` emits for each struct.
//!
//! Descriptors are `&'static` data with no builder code, so the compiler lays them out once and
//! the generated code stays small. [`Schema::from_descriptors`] turns a crate's list of
//! descriptors into the owned [`ir::Schema`], resolving foreign keys (which point at other
//! descriptors through function pointers, so tables may reference each other or themselves).

use crate::ir::{
    self, Identity, IndexMethod, PartitionStrategy, PolicyCommand, ReferentialAction, RoleKind,
    Schema, SqlType,
};
use std::collections::BTreeMap;
use std::fmt;

/// Implemented by `#[table]` for every declared table struct.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a table declared with `#[table]`",
    label = "not a `#[table]` struct",
    note = "foreign keys and `schema!` name the struct of a table declared with `#[schema_core::table(...)]`"
)]
pub trait Table {
    const DESCRIPTOR: &'static TableDescriptor;
}

/// Implemented by `#[view]` for each view struct.
pub trait View {
    const DESCRIPTOR: &'static ViewDescriptor;
}

/// What `#[view]` declares: the IR's [`ir::View`] in `'static` form.
#[derive(Debug)]
pub struct ViewDescriptor {
    pub rust_name: &'static str,
    pub schema: &'static str,
    pub name: &'static str,
    pub query: &'static str,
    /// (name, type) in the struct's order.
    pub columns: &'static [(&'static str, TypeDescriptor)],
    /// The (schema, table) names the query reads, as the macro found them in it.
    pub reads: &'static [(&'static str, &'static str)],
    pub read_by: &'static [RoleKind],
    pub comment: Option<&'static str>,
}

impl ViewDescriptor {
    /// What `#[view]` emits for a struct whose declaration has errors (see
    /// [`TableDescriptor::ERRORED`]).
    #[doc(hidden)]
    pub const ERRORED: ViewDescriptor = ViewDescriptor {
        rust_name: "",
        schema: "",
        name: "",
        query: "",
        columns: &[],
        reads: &[],
        read_by: &[],
        comment: None,
    };

    fn to_ir(&self) -> ir::View {
        let mut reads: Vec<ir::QualifiedName> = self
            .reads
            .iter()
            .map(|&(schema, table)| ir::QualifiedName::new(schema, table))
            .collect();
        reads.sort();
        reads.dedup();
        let mut read_by = self.read_by.to_vec();
        read_by.sort();
        read_by.dedup();
        ir::View {
            schema: self.schema.to_string(),
            name: self.name.to_string(),
            query: self.query.to_string(),
            columns: self
                .columns
                .iter()
                .map(|(name, ty)| ir::ViewColumn {
                    name: name.to_string(),
                    sql_type: ty.to_ir(),
                })
                .collect(),
            reads,
            read_by,
            comment: self.comment.map(str::to_string),
        }
    }
}

#[derive(Debug)]
pub struct TableDescriptor {
    /// The Rust struct, for messages (`Account`).
    pub rust_name: &'static str,
    pub schema: &'static str,
    pub name: &'static str,
    pub columns: &'static [ColumnDescriptor],
    pub primary_key: KeyDescriptor,
    pub foreign_keys: &'static [ForeignKeyDescriptor],
    pub uniques: &'static [KeyDescriptor],
    pub indexes: &'static [IndexDescriptor],
    pub checks: &'static [CheckDescriptor],
    /// The struct's doc comment.
    pub comment: Option<&'static str>,
    pub partitioning: Option<PartitioningDescriptor>,
    /// `Some` when row-level security is enabled (and forced) on the table.
    pub row_security: Option<&'static [PolicyDescriptor]>,
    pub updated_at_trigger: Option<&'static str>,
    pub append_only_trigger: Option<&'static str>,
    pub kind: TableKind,
    /// The tenant root's `tenant_updates(...)`: what a tenant may change in its own row.
    pub tenant_updates: &'static [&'static str],
    /// `renamed_from`: the table's previous name in the same schema.
    pub renamed_from: Option<&'static str>,
    /// The sequences PostgreSQL creates for the identity and serial columns
    /// (`<table>_<column>_seq`): relations of the schema like the table itself.
    pub sequences: &'static [&'static str],
}

/// The names of the roles a crate declares in `schema!` (`roles(app = "...", ...)`).
#[derive(Debug, Clone, Copy)]
pub struct RoleNames {
    pub app: &'static str,
    pub identity: &'static str,
    pub provisioning: &'static str,
    pub monitor: &'static str,
}

impl RoleNames {
    /// The names `schema!` uses when it declares none.
    pub const DEFAULT: RoleNames = RoleNames {
        app: "platform_app",
        identity: "platform_identity",
        provisioning: "platform_provisioning",
        monitor: "platform_monitor",
    };

    pub fn name(&self, kind: RoleKind) -> &'static str {
        match kind {
            RoleKind::App => self.app,
            RoleKind::Identity => self.identity,
            RoleKind::Provisioning => self.provisioning,
            RoleKind::Monitor => self.monitor,
        }
    }
}

pub use crate::ir::TableKind;

/// Implemented by `#[table(tenant_root)]`: the table a tenant table's `account_id` references.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the tenant root, so a tenant table's `account_id` cannot reference it",
    label = "not declared with `#[table(tenant_root)]`",
    note = "`account_id` of a tenant table references the accounts table, declared `#[table(..., tenant_root)]`"
)]
pub trait TenantRoot {}

/// The generated check that a tenant table's `account_id` references the tenant root.
pub const fn assert_tenant_root<T: TenantRoot + ?Sized>() {}

/// A foreign key column's SQL type matches the referenced key's, nullability aside.
#[diagnostic::on_unimplemented(
    message = "foreign key column of SQL type `{Self}` references a key of SQL type `{Key}`",
    label = "the column and the key it references have different types",
    note = "declare the field with the same Rust type as the referenced key (an `Option` of it if nullable)"
)]
pub trait SameKeyType<Key> {}
impl<T> SameKeyType<T> for T {}
impl<T> SameKeyType<T> for diesel::sql_types::Nullable<T> {}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A message assembled during constant evaluation, for the compile errors of `schema!` and
/// `#[table]` that only the compiler can detect (they need other declarations' names).
pub struct ConstMessage {
    buf: [u8; 2048],
    len: usize,
    full: bool,
}

impl ConstMessage {
    pub const fn new() -> Self {
        ConstMessage {
            buf: [0; 2048],
            len: 0,
            full: false,
        }
    }

    /// Appends `s`, whole or not at all (past the buffer, "…" ends the message).
    pub const fn push(mut self, s: &str) -> Self {
        let bytes = s.as_bytes();
        let room = self.buf.len() - self.len;
        if self.full {
            return self;
        }
        if bytes.len() + 3 > room {
            self.full = true;
            {
                let ellipsis = "…".as_bytes();
                let mut i = 0;
                while i < ellipsis.len() {
                    self.buf[self.len] = ellipsis[i];
                    self.len += 1;
                    i += 1;
                }
            }
            return self;
        }
        let mut i = 0;
        while i < bytes.len() {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// `a`, `b`, `c`: each item in backticks.
    pub const fn push_list(mut self, items: &[&str]) -> Self {
        let mut i = 0;
        while i < items.len() {
            if i > 0 {
                self = self.push(", ");
            }
            self = self.push("`").push(items[i]).push("`");
            i += 1;
        }
        self
    }

    pub const fn as_str(&self) -> &str {
        let (head, _) = self.buf.split_at(self.len);
        match core::str::from_utf8(head) {
            Ok(s) => s,
            Err(_) => "(message not valid UTF-8)",
        }
    }
}

impl Default for ConstMessage {
    fn default() -> Self {
        Self::new()
    }
}

/// What `#[table]` evaluates for an enum column's literal default: it is one of the values.
pub const fn assert_enum_default(e: &EnumDescriptor, value: &str, column: &str) {
    let mut i = 0;
    while i < e.values.len() {
        if str_eq(e.values[i], value) {
            return;
        }
        i += 1;
    }
    let message = ConstMessage::new()
        .push("the `default` of column `")
        .push(column)
        .push("`, '")
        .push(value)
        .push("', is not a value of the enum `")
        .push(e.schema)
        .push(".")
        .push(e.name)
        .push("` (Rust `")
        .push(e.rust_name)
        .push("`)\nhelp: its values are ")
        .push_list(e.values);
    panic!("{}", message.as_str());
}

/// The `n`-th name a table puts in its schema's relation namespace (the table, its key's and
/// unique constraints' indexes, its indexes, its partitions, its sequences), with what it is,
/// or `None` past the last. One list for both checks: the const one in `schema!` and
/// `relation_names` at run time.
const fn relation_name(t: &TableDescriptor, n: usize) -> Option<(&'static str, &'static str)> {
    let mut n = n;
    if n == 0 {
        return Some((t.name, "the table"));
    }
    n -= 1;
    if n == 0 {
        return Some((t.primary_key.name, "the primary key's index"));
    }
    n -= 1;
    if n < t.uniques.len() {
        return Some((t.uniques[n].name, "a unique constraint's index"));
    }
    n -= t.uniques.len();
    if n < t.indexes.len() {
        return Some((t.indexes[n].name, "an index"));
    }
    n -= t.indexes.len();
    if let Some(p) = &t.partitioning {
        if n < p.partitions.len() {
            return Some((p.partitions[n].name, "a partition"));
        }
        n -= p.partitions.len();
        if n < p.index_copies.len() {
            return Some((p.index_copies[n], "a partition's copy of an index"));
        }
        n -= p.index_copies.len();
    }
    if n < t.sequences.len() {
        return Some((
            t.sequences[n],
            "the sequence of an identity or serial column",
        ));
    }
    None
}

/// What `schema!` evaluates at compile time: no two relations of one PostgreSQL schema share a
/// name. (Tables with declaration errors have an empty name and are skipped.)
pub const fn assert_unique_relation_names(tables: &[&TableDescriptor]) {
    let mut a = 0;
    while a < tables.len() {
        let ta = tables[a];
        let mut i = 0;
        while let Some((name_a, kind_a)) = relation_name(ta, i) {
            let mut b = a;
            while b < tables.len() {
                let tb = tables[b];
                if !ta.name.is_empty() && str_eq(ta.schema, tb.schema) {
                    let mut j = if a == b { i + 1 } else { 0 };
                    while let Some((name_b, kind_b)) = relation_name(tb, j) {
                        if str_eq(name_a, name_b) {
                            let message = ConstMessage::new()
                                .push("two relations of PostgreSQL schema `")
                                .push(ta.schema)
                                .push("` are named `")
                                .push(name_a)
                                .push("`: ")
                                .push(kind_a)
                                .push(if str_eq(kind_a, "the table") { " `" } else { " of `" })
                                .push(ta.schema)
                                .push(".")
                                .push(ta.name)
                                .push("` (struct `")
                                .push(ta.rust_name)
                                .push("`) and ")
                                .push(kind_b)
                                .push(if str_eq(kind_b, "the table") { " `" } else { " of `" })
                                .push(tb.schema)
                                .push(".")
                                .push(tb.name)
                                .push("` (struct `")
                                .push(tb.rust_name)
                                .push("`)\nhelp: rename one of them: `name = \"...\"` on the key, constraint or index, `#[table(name = \"...\")]` on a table");
                            panic!("{}", message.as_str());
                        }
                        j += 1;
                    }
                }
                b += 1;
            }
            i += 1;
        }
        a += 1;
    }
}

/// Whether `column` alone is the table's primary key (for `joinable!` on a tenant pair).
pub const fn is_primary_key(table: &TableDescriptor, column: &str) -> bool {
    // A table with declaration errors has an empty key: no second error for it.
    table.primary_key.columns.is_empty()
        || (table.primary_key.columns.len() == 1 && str_eq(table.primary_key.columns[0], column))
}

/// The generated check that a single-column foreign key has its target key's type.
pub const fn assert_key_type<Column: SameKeyType<Key>, Key>() {}

#[derive(Debug)]
pub struct ColumnDescriptor {
    pub name: &'static str,
    pub sql_type: TypeDescriptor,
    pub nullable: bool,
    pub default: Option<&'static str>,
    pub identity: Option<Identity>,
    pub generated: Option<&'static str>,
    /// The field's doc comment.
    pub comment: Option<&'static str>,
    /// `renamed_from`: the column's previous name.
    pub renamed_from: Option<&'static str>,
    /// `backfill`: what existing NULLs become when the column turns NOT NULL.
    pub backfill: Option<&'static str>,
    /// `backfill_batch_size`: rows per batch of that backfill.
    pub backfill_batch_size: Option<u32>,
    /// `secret`: a credential the tenant-scoped application role may not read.
    pub secret: bool,
}

/// A column's type: built in, a native enum, or an array of either.
#[derive(Debug)]
pub enum TypeDescriptor {
    Base(SqlType),
    Enum(&'static EnumDescriptor),
    Array(&'static TypeDescriptor),
}

impl TypeDescriptor {
    fn to_ir(&self) -> SqlType {
        match self {
            TypeDescriptor::Base(t) => t.clone(),
            TypeDescriptor::Enum(e) => SqlType::Enum(ir::QualifiedName::new(e.schema, e.name)),
            TypeDescriptor::Array(element) => SqlType::Array(Box::new(element.to_ir())),
        }
    }

    fn enum_type(&self) -> Option<&'static EnumDescriptor> {
        match self {
            TypeDescriptor::Base(_) => None,
            TypeDescriptor::Enum(e) => Some(e),
            TypeDescriptor::Array(element) => element.enum_type(),
        }
    }
}

/// What `#[derive(PgEnum)]` emits for a Rust enum.
#[derive(Debug)]
pub struct EnumDescriptor {
    pub rust_name: &'static str,
    pub schema: &'static str,
    pub name: &'static str,
    pub values: &'static [&'static str],
}

impl EnumDescriptor {
    fn to_ir(&self) -> ir::EnumType {
        ir::EnumType {
            schema: self.schema.to_string(),
            name: self.name.to_string(),
            values: self.values.iter().map(|v| v.to_string()).collect(),
        }
    }
}

/// Implemented by `#[derive(PgEnum)]`: the enum's PostgreSQL type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a column type",
    label = "not a supported column type",
    // `schema_rules::types::supported_list()` (an attribute takes a literal; a test pins it).
    note = "columns are i16, i32, i64, bool, f32, f64, String, uuid::Uuid, chrono::DateTime<Utc>, chrono::NaiveDateTime, chrono::NaiveDate, chrono::NaiveTime, diesel::pg::data_types::PgInterval, bigdecimal::BigDecimal, ipnetwork::IpNetwork, [u8; 6], Vec<u8>, serde_json::Value, schema_core::Jsonb<T>, an enum with #[derive(schema_core::PgEnum)], Vec<T> of these, and Option<T> of all of them"
)]
pub trait PgEnum {
    const DESCRIPTOR: &'static EnumDescriptor;
}

#[derive(Debug)]
pub struct CheckDescriptor {
    pub name: &'static str,
    pub expression: &'static str,
}

#[derive(Debug)]
pub struct PartitioningDescriptor {
    pub strategy: PartitionStrategy,
    pub columns: &'static [&'static str],
    pub partitions: &'static [PartitionDescriptor],
    /// The names of the partitions' copies of the table's indexes (key, unique constraints,
    /// indexes), each partition's in turn: relations of the schema like the rest.
    pub index_copies: &'static [&'static str],
}

#[derive(Debug)]
pub struct PartitionDescriptor {
    pub name: &'static str,
    pub bound: &'static str,
}

#[derive(Debug)]
pub struct PolicyDescriptor {
    pub name: &'static str,
    pub command: PolicyCommand,
    pub permissive: bool,
    pub roles: &'static [&'static str],
    /// Declared roles by kind (`to(identity)`), named by `schema!`'s `roles(...)`.
    pub role_kinds: &'static [RoleKind],
    pub using: Option<&'static str>,
    pub with_check: Option<&'static str>,
}

/// A named list of columns: a primary key or a unique constraint.
#[derive(Debug)]
pub struct KeyDescriptor {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

pub struct ForeignKeyDescriptor {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    /// The referenced table (`<Target as Table>::descriptor`).
    pub target: fn() -> &'static TableDescriptor,
    /// Empty: the target's primary key.
    pub target_columns: &'static [&'static str],
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
}

impl fmt::Debug for ForeignKeyDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = (self.target)();
        f.debug_struct("ForeignKeyDescriptor")
            .field("name", &self.name)
            .field("columns", &self.columns)
            .field("target", &format_args!("{}.{}", target.schema, target.name))
            .field("target_columns", &self.target_columns)
            .field("on_delete", &self.on_delete)
            .field("on_update", &self.on_update)
            .finish()
    }
}

#[derive(Debug)]
pub struct IndexDescriptor {
    pub name: &'static str,
    /// Key columns with `true` for descending.
    pub columns: &'static [(&'static str, bool)],
    pub unique: bool,
    pub method: IndexMethod,
    pub include: &'static [&'static str],
    pub predicate: Option<&'static str>,
}

/// Returns the descriptor of `T`; generated foreign keys store this as a function pointer.
pub fn descriptor_of<T: Table + ?Sized>() -> &'static TableDescriptor {
    T::DESCRIPTOR
}

/// Why a list of descriptors does not form a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaError {
    DuplicateTable {
        table: String,
        first: &'static str,
        second: &'static str,
    },
    ForeignKeyTargetNotListed {
        table: String,
        foreign_key: &'static str,
        target: String,
    },
    ForeignKeyArity {
        table: String,
        foreign_key: &'static str,
        columns: usize,
        target_columns: usize,
    },
    UnknownTargetColumn {
        table: String,
        foreign_key: &'static str,
        column: String,
    },
    DuplicateName {
        schema: String,
        name: String,
    },
    ConflictingEnum {
        name: String,
        first: &'static str,
        second: &'static str,
    },
    /// A view reads a table that is not in the `schema!` list.
    ViewReadsUnlisted {
        view: String,
        table: String,
    },
    /// A view whose name is a table's (or another view's) in the same schema.
    ViewNameTaken {
        view: String,
        rust_name: &'static str,
    },
    /// A view read by a declared role that cannot read a table it reads: with
    /// `security_invoker`, every query of the view would fail with "permission denied".
    ViewReaderCannotRead {
        view: String,
        role: &'static str,
        table: String,
    },
    /// A foreign key column whose type is not the referenced column's (the compiler checks
    /// single-column references to a primary key; this catches the others).
    ForeignKeyType {
        table: String,
        foreign_key: &'static str,
        column: String,
        column_type: String,
        target_type: String,
    },
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaError::DuplicateTable { table, first, second } => write!(
                f,
                "table `{table}` is declared twice, by `{first}` and by `{second}`"
            ),
            SchemaError::ForeignKeyTargetNotListed {
                table,
                foreign_key,
                target,
            } => write!(
                f,
                "foreign key `{foreign_key}` of `{table}` references `{target}`, which is not in this schema; add it to the `schema!` list"
            ),
            SchemaError::ForeignKeyArity {
                table,
                foreign_key,
                columns,
                target_columns,
            } => write!(
                f,
                "foreign key `{foreign_key}` of `{table}` has {columns} column(s) but references {target_columns}"
            ),
            SchemaError::UnknownTargetColumn {
                table,
                foreign_key,
                column,
            } => write!(
                f,
                "foreign key `{foreign_key}` of `{table}` references column `{column}`, which the target table does not have"
            ),
            SchemaError::DuplicateName { schema, name } => write!(
                f,
                "two objects in schema `{schema}` are named `{name}`; PostgreSQL requires relation names (tables, partitions, indexes, constraints' indexes) and type names (enums and every table's row type) to be unique per schema"
            ),
            SchemaError::ForeignKeyType {
                table,
                foreign_key,
                column,
                column_type,
                target_type,
            } => write!(
                f,
                "foreign key `{foreign_key}` of `{table}`: column `{column}` is {column_type} but the column it references is {target_type}; declare both with the same Rust type"
            ),
            SchemaError::ViewReadsUnlisted { view, table } => write!(
                f,
                "view `{view}` reads `{table}`, which is no table of the `schema!` list (a view reads declared tables only; views over views are not supported): declare and list it, or fix the name in the query"
            ),
            SchemaError::ViewNameTaken { view, rust_name } => write!(
                f,
                "view `{view}` (`{rust_name}`) has the name of another table or view of its schema; PostgreSQL requires relation names to be unique per schema"
            ),
            SchemaError::ViewReaderCannotRead { view, role, table } => write!(
                f,
                "view `{view}` is read by role `{role}`, which has no SELECT on `{table}` that the view reads: the view runs with its reader's privileges (security_invoker), so every query would fail; drop the role from `read_by(...)` or read another table"
            ),
            SchemaError::ConflictingEnum { name, first, second } => write!(
                f,
                "enum type `{name}` is declared twice, by `{first}` and by `{second}`, with different values"
            ),
        }
    }
}

impl std::error::Error for SchemaError {}

impl TableDescriptor {
    /// What `#[table]` emits for a struct whose declaration has errors: the build fails on
    /// those errors, and this stand-in keeps code that uses the struct from adding more.
    #[doc(hidden)]
    pub const ERRORED: TableDescriptor = TableDescriptor {
        rust_name: "",
        schema: "",
        name: "",
        columns: &[],
        primary_key: KeyDescriptor {
            name: "",
            columns: &[],
        },
        foreign_keys: &[],
        uniques: &[],
        indexes: &[],
        checks: &[],
        comment: None,
        partitioning: None,
        row_security: None,
        updated_at_trigger: None,
        append_only_trigger: None,
        kind: TableKind::Global,
        tenant_updates: &[],
        renamed_from: None,
        sequences: &[],
    };

    pub fn qualified_name(&self) -> ir::QualifiedName {
        ir::QualifiedName::new(self.schema, self.name)
    }

    fn has_column(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c.name == name)
    }

    fn to_ir(
        &self,
        listed: &BTreeMap<ir::QualifiedName, &str>,
        roles: &RoleNames,
    ) -> Result<ir::Table, SchemaError> {
        let table = self.qualified_name().to_string();
        let strings = |cols: &[&str]| cols.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let mut foreign_keys = Vec::new();
        for fk in self.foreign_keys {
            let target = (fk.target)();
            let target_name = target.qualified_name();
            if !listed.contains_key(&target_name) {
                return Err(SchemaError::ForeignKeyTargetNotListed {
                    table,
                    foreign_key: fk.name,
                    target: target_name.to_string(),
                });
            }
            let referenced = if fk.target_columns.is_empty() {
                target.primary_key.columns
            } else {
                fk.target_columns
            };
            if referenced.len() != fk.columns.len() {
                return Err(SchemaError::ForeignKeyArity {
                    table,
                    foreign_key: fk.name,
                    columns: fk.columns.len(),
                    target_columns: referenced.len(),
                });
            }
            if let Some(missing) = referenced.iter().find(|c| !target.has_column(c)) {
                return Err(SchemaError::UnknownTargetColumn {
                    table,
                    foreign_key: fk.name,
                    column: missing.to_string(),
                });
            }
            for (column, target_column) in fk.columns.iter().zip(referenced) {
                let ty = |t: &TableDescriptor, c: &str| {
                    t.columns
                        .iter()
                        .find(|d| d.name == c)
                        .map(|d| d.sql_type.to_ir())
                };
                if let (Some(a), Some(b)) = (ty(self, column), ty(target, target_column)) {
                    if a != b {
                        return Err(SchemaError::ForeignKeyType {
                            table,
                            foreign_key: fk.name,
                            column: column.to_string(),
                            column_type: a.to_sql(),
                            target_type: b.to_sql(),
                        });
                    }
                }
            }
            foreign_keys.push(ir::ForeignKey {
                name: fk.name.to_string(),
                columns: strings(fk.columns),
                references: target_name,
                referenced_columns: strings(referenced),
                on_delete: fk.on_delete,
                on_update: fk.on_update,
                on_delete_columns: self.set_null_columns(fk),
            });
        }
        let text = |s: Option<&str>| s.map(str::to_string);
        Ok(ir::Table {
            schema: self.schema.to_string(),
            name: self.name.to_string(),
            columns: self
                .columns
                .iter()
                .map(|c| {
                    let sql_type = c.sql_type.to_ir();
                    ir::Column {
                        name: c.name.to_string(),
                        default: c.default.map(|d| ir::normalize_default(d, &sql_type)),
                        sql_type,
                        nullable: c.nullable,
                        identity: c.identity,
                        generated: text(c.generated),
                        comment: text(c.comment),
                        renamed_from: text(c.renamed_from),
                        backfill: text(c.backfill),
                        backfill_batch_size: c.backfill_batch_size,
                    }
                })
                .collect(),
            primary_key: ir::PrimaryKey {
                name: self.primary_key.name.to_string(),
                columns: strings(self.primary_key.columns),
            },
            foreign_keys,
            uniques: self
                .uniques
                .iter()
                .map(|u| ir::Unique {
                    name: u.name.to_string(),
                    columns: strings(u.columns),
                })
                .collect(),
            indexes: self
                .indexes
                .iter()
                .map(|i| ir::Index {
                    name: i.name.to_string(),
                    columns: i
                        .columns
                        .iter()
                        .map(|(column, descending)| ir::IndexKey {
                            column: column.to_string(),
                            descending: *descending,
                        })
                        .collect(),
                    unique: i.unique,
                    method: i.method,
                    include: strings(i.include),
                    predicate: text(i.predicate),
                })
                .collect(),
            checks: self
                .checks
                .iter()
                .map(|c| ir::Check {
                    name: c.name.to_string(),
                    expression: c.expression.to_string(),
                })
                .collect(),
            comment: text(self.comment),
            renamed_from: text(self.renamed_from),
            partitioning: self.partitioning.as_ref().map(|p| ir::Partitioning {
                strategy: p.strategy,
                columns: strings(p.columns),
                partitions: p
                    .partitions
                    .iter()
                    .map(|part| ir::Partition {
                        name: part.name.to_string(),
                        bound: part.bound.to_string(),
                    })
                    .collect(),
            }),
            row_security: self.row_security.map(|policies| ir::RowSecurity {
                policies: policies
                    .iter()
                    .map(|p| ir::Policy {
                        name: p.name.to_string(),
                        command: p.command,
                        permissive: p.permissive,
                        roles: p
                            .roles
                            .iter()
                            .copied()
                            .chain(p.role_kinds.iter().map(|k| roles.name(*k)))
                            .map(str::to_string)
                            .collect(),
                        using: text(p.using),
                        with_check: text(p.with_check),
                    })
                    .collect(),
            }),
            updated_at_trigger: text(self.updated_at_trigger),
            append_only_trigger: text(self.append_only_trigger),
            access: ir::Access {
                kind: self.kind,
                secret_columns: self
                    .columns
                    .iter()
                    .filter(|c| c.secret)
                    .map(|c| c.name.to_string())
                    .collect(),
                tenant_updates: strings(self.tenant_updates),
            },
        })
    }

    /// What `ON DELETE SET NULL` resets: a key with a NOT NULL column (the `account_id` of a
    /// tenant reference) resets only its nullable columns, which PostgreSQL 15 spells
    /// `SET NULL (columns)`; a key of nullable columns resets them all (empty list).
    fn set_null_columns(&self, fk: &ForeignKeyDescriptor) -> Vec<String> {
        if fk.on_delete != ReferentialAction::SetNull {
            return Vec::new();
        }
        let nullable = |name: &str| self.columns.iter().any(|c| c.name == name && c.nullable);
        if fk.columns.iter().all(|c| nullable(c)) {
            return Vec::new();
        }
        fk.columns
            .iter()
            .filter(|c| nullable(c))
            .map(|c| c.to_string())
            .collect()
    }

    /// The enum types the table's columns use.
    fn enum_types(&self) -> impl Iterator<Item = &'static EnumDescriptor> + '_ {
        self.columns.iter().filter_map(|c| c.sql_type.enum_type())
    }

    /// Names PostgreSQL keeps in the schema's relation namespace (see [`relation_name`]).
    fn relation_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        (0..).map_while(|n| relation_name(self, n).map(|(name, _)| name))
    }
}

impl Schema {
    /// Builds the IR from a crate's table descriptors, with the default role names.
    pub fn from_descriptors(tables: &[&'static TableDescriptor]) -> Result<Schema, SchemaError> {
        Schema::from_descriptors_with_roles(tables, &RoleNames::DEFAULT)
    }

    /// Builds the IR from a crate's table descriptors (what `schema!` lists) and its roles.
    /// The roles are part of the schema once it has a tenant root or a policy names one.
    pub fn from_descriptors_with_roles(
        tables: &[&'static TableDescriptor],
        roles: &RoleNames,
    ) -> Result<Schema, SchemaError> {
        let mut listed = BTreeMap::new();
        for t in tables {
            if let Some(first) = listed.insert(t.qualified_name(), t.rust_name) {
                return Err(SchemaError::DuplicateTable {
                    table: t.qualified_name().to_string(),
                    first,
                    second: t.rust_name,
                });
            }
        }
        let mut relations = BTreeMap::new();
        let mut enums: BTreeMap<(&str, &str), &'static EnumDescriptor> = BTreeMap::new();
        for t in tables {
            for name in t.relation_names() {
                if relations.insert((t.schema, name), ()).is_some() {
                    return Err(SchemaError::DuplicateName {
                        schema: t.schema.to_string(),
                        name: name.to_string(),
                    });
                }
            }
            for e in t.enum_types() {
                match enums.insert((e.schema, e.name), e) {
                    Some(first) if first.values != e.values => {
                        return Err(SchemaError::ConflictingEnum {
                            name: format!("{}.{}", e.schema, e.name),
                            first: first.rust_name,
                            second: e.rust_name,
                        })
                    }
                    _ => {}
                }
            }
        }
        // Every table has a row type of its own name, which an enum cannot share.
        if let Some((schema, name)) = enums.keys().find(|k| relations.contains_key(*k)) {
            return Err(SchemaError::DuplicateName {
                schema: schema.to_string(),
                name: name.to_string(),
            });
        }
        let uses_roles = tables.iter().any(|t| {
            t.kind == TableKind::TenantRoot
                || t.row_security
                    .is_some_and(|p| p.iter().any(|p| !p.role_kinds.is_empty()))
        });
        let tables = tables
            .iter()
            .map(|t| t.to_ir(&listed, roles))
            .collect::<Result<Vec<_>, _>>()?;
        let mut schema = Schema::with_enums(enums.values().map(|e| e.to_ir()).collect(), tables);
        if uses_roles {
            schema.roles = RoleKind::ALL
                .iter()
                .map(|&kind| ir::Role {
                    kind,
                    name: roles.name(kind).to_string(),
                })
                .collect();
        }
        Ok(schema)
    }

    /// The schema with these views: each reads only listed tables, takes a name no table,
    /// enum or other view of its schema has, and is read only by roles that can read what it
    /// reads.
    pub fn with_views(mut self, views: &[&'static ViewDescriptor]) -> Result<Schema, SchemaError> {
        let mut irs: Vec<ir::View> = Vec::new();
        for v in views {
            let view = v.to_ir();
            let name = view.qualified_name();
            if let Some(table) = view.reads.iter().find(|t| self.table(t).is_none()) {
                return Err(SchemaError::ViewReadsUnlisted {
                    view: name.to_string(),
                    table: table.to_string(),
                });
            }
            let taken = self.table(&name).is_some()
                || self.enum_type(&name).is_some()
                || irs.iter().any(|other| other.qualified_name() == name)
                || self.tables.iter().any(|t| {
                    t.schema == view.schema
                        && (t.indexes.iter().any(|i| i.name == view.name)
                            || t.partitions().any(|p| p.name == view.name))
                });
            if taken {
                return Err(SchemaError::ViewNameTaken {
                    view: name.to_string(),
                    rust_name: v.rust_name,
                });
            }
            irs.push(view);
        }
        let grants = crate::role::grants(&self);
        for view in &irs {
            for kind in &view.read_by {
                let Some(role) = self.roles.iter().find(|r| r.kind == *kind) else {
                    continue;
                };
                for table in &view.reads {
                    let reads = grants.iter().any(|g| {
                        g.role == role.name
                            && g.table == *table
                            && g.privilege == crate::role::Privilege::Select
                    });
                    if !reads {
                        return Err(SchemaError::ViewReaderCannotRead {
                            view: view.qualified_name().to_string(),
                            role: kind.word(),
                            table: table.to_string(),
                        });
                    }
                }
            }
        }
        irs.sort_by_key(ir::View::qualified_name);
        self.views = irs;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two "supported types" texts that cannot be generated from
    /// `schema_rules::types` (an attribute's literal, a Markdown file) say what it says.
    #[test]
    fn supported_types_texts_are_the_rules_table() {
        let note = format!(
            "note = \"columns are {}\"",
            schema_rules::types::supported_list()
        );
        assert!(
            include_str!("descriptor.rs").contains(&note),
            "PgEnum's on_unimplemented note must read: {note}"
        );
        let table = schema_rules::types::markdown_table();
        assert!(
            include_str!("../../README.md").contains(&table),
            "README's Types table must read:\n{table}"
        );
    }

    const fn column(name: &'static str, sql_type: SqlType) -> ColumnDescriptor {
        ColumnDescriptor {
            name,
            sql_type: TypeDescriptor::Base(sql_type),
            nullable: false,
            default: None,
            identity: None,
            generated: None,
            comment: None,
            renamed_from: None,
            backfill: None,
            backfill_batch_size: None,
            secret: false,
        }
    }

    static PLANS: TableDescriptor = TableDescriptor {
        rust_name: "Plan",
        schema: "billing",
        name: "plans",
        columns: &[
            column("id", SqlType::BigInt),
            column("code", SqlType::Varchar(16)),
        ],
        primary_key: KeyDescriptor {
            name: "plans_pkey",
            columns: &["id"],
        },
        uniques: &[KeyDescriptor {
            name: "plans_code_key",
            columns: &["code"],
        }],
        ..TableDescriptor::ERRORED
    };

    fn plans() -> &'static TableDescriptor {
        &PLANS
    }

    static PRICES: TableDescriptor = TableDescriptor {
        rust_name: "Price",
        schema: "billing",
        name: "prices",
        columns: &[
            column("id", SqlType::BigInt),
            column("plan_code", SqlType::Text),
        ],
        primary_key: KeyDescriptor {
            name: "prices_pkey",
            columns: &["id"],
        },
        foreign_keys: &[ForeignKeyDescriptor {
            name: "prices_plan_code_fkey",
            columns: &["plan_code"],
            target: plans,
            target_columns: &["code"],
            on_delete: ReferentialAction::NoAction,
            on_update: ReferentialAction::NoAction,
        }],
        ..TableDescriptor::ERRORED
    };

    #[test]
    fn a_reference_to_a_column_of_another_type_is_refused_with_both_types() {
        let err = Schema::from_descriptors(&[&PLANS, &PRICES]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "foreign key `prices_plan_code_fkey` of `billing.prices`: column `plan_code` is text but the column it references is character varying(16); declare both with the same Rust type"
        );
    }

    #[test]
    fn relation_names_clash_across_tables_at_compile_time_too() {
        // `assert_unique_relation_names` is a const fn; here it runs at run time to show the
        // clash it panics on.
        static CLASH: TableDescriptor = TableDescriptor {
            rust_name: "Clash",
            schema: "billing",
            name: "plans_code_key",
            columns: &[column("id", SqlType::BigInt)],
            primary_key: KeyDescriptor {
                name: "clash_pkey",
                columns: &["id"],
            },
            ..TableDescriptor::ERRORED
        };
        let payload = std::panic::catch_unwind(|| assert_unique_relation_names(&[&PLANS, &CLASH]))
            .unwrap_err();
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        // Both relations, what they are, and the structs that declare them.
        for part in [
            "`billing` are named `plans_code_key`",
            "a unique constraint's index of `billing.plans`",
            "the table `billing.plans_code_key` (struct `Clash`)",
            "help: rename one",
        ] {
            assert!(message.contains(part), "{part}: {message}");
        }
        assert_unique_relation_names(&[&PLANS, &PRICES]);
    }
}
