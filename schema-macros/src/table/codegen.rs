//! Model → tokens: the struct with Diesel's derives, `table!`, `joinable!`, the descriptor and
//! the compile-time checks that need other tables' descriptors.

use super::model::{ColumnModel, ForeignKeyModel, IndexModel, Model};
use crate::attr::Action;
use crate::conventions::Kind;
use crate::types::{RustType, Scalar};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::Ident;

/// The name of the type alias `#[table]` puts next to the struct for its Diesel table type
/// (`pub type __schema_table_Device = devices::table;`). `schema!` reaches the table through it:
/// a concrete path, where an associated type (`<Device as HasTable>::Table`) would be a
/// projection, and projections in the headers of `allow_tables_to_appear_in_same_query!`'s N²
/// impls make rustc's coherence check quadratic in the number of impls (minutes for 100 tables).
pub fn table_type_alias(struct_ident: &Ident) -> Ident {
    format_ident!("__schema_table_{}", struct_ident)
}

/// The alias `#[table]` declares beside the struct for an enum column's type (which is its own
/// Diesel SQL type), so the `table!` module can import it whatever path the field used.
pub(crate) fn enum_sql_type_alias(struct_ident: &Ident, field: &Ident) -> Ident {
    format_ident!("__schema_sql_{}_{}", struct_ident, field)
}

/// The element's `SqlType` descriptor variant (not an enum).
fn base_sql_type_tokens(c: &ColumnModel, rust: RustType) -> TokenStream {
    base_sql_type(rust, c.varchar, c.numeric, c.cidr)
}

/// The `SqlType` descriptor variant of a built-in element type with its modifiers.
pub(crate) fn base_sql_type(
    rust: RustType,
    varchar: Option<u32>,
    numeric: Option<(u16, u16)>,
    cidr: bool,
) -> TokenStream {
    let variant = match (rust, varchar, numeric) {
        (RustType::String, Some(n), _) => quote!(Varchar(#n)),
        (RustType::BigDecimal, _, Some((p, s))) => quote!(NumericPs(#p, #s)),
        (RustType::IpNetwork, ..) if cidr => quote!(Cidr),
        (RustType::I16, ..) => quote!(SmallInt),
        (RustType::I32, ..) => quote!(Integer),
        (RustType::I64, ..) => quote!(BigInt),
        (RustType::Bool, ..) => quote!(Boolean),
        (RustType::F32, ..) => quote!(Real),
        (RustType::F64, ..) => quote!(DoublePrecision),
        (RustType::String, ..) => quote!(Text),
        (RustType::Uuid, ..) => quote!(Uuid),
        (RustType::DateTimeUtc, ..) => quote!(Timestamptz),
        (RustType::NaiveDateTime, ..) => quote!(Timestamp),
        (RustType::NaiveDate, ..) => quote!(Date),
        (RustType::BigDecimal, ..) => quote!(Numeric),
        (RustType::IpNetwork, ..) => quote!(Inet),
        (RustType::Bytes, ..) => quote!(Bytea),
        (RustType::NaiveTime, ..) => quote!(Time),
        (RustType::Interval, ..) => quote!(Interval),
        (RustType::MacAddr, ..) => quote!(MacAddr),
        (RustType::JsonValue | RustType::JsonbTyped, ..) => quote!(Jsonb),
    };
    quote!(::schema_core::__private::SqlType::#variant)
}

/// The column's `TypeDescriptor`.
fn type_descriptor_tokens(c: &ColumnModel) -> TokenStream {
    type_descriptor(&c.ty, |rust| base_sql_type_tokens(c, rust))
}

/// The `TypeDescriptor` of a field type, its built-in elements by `base`.
pub(crate) fn type_descriptor(
    ty: &crate::types::FieldType,
    base: impl Fn(RustType) -> TokenStream,
) -> TokenStream {
    let element = match &ty.scalar {
        Scalar::Known(rust) => {
            let base = base(*rust);
            quote!(::schema_core::__private::TypeDescriptor::Base(#base))
        }
        Scalar::Enum(path) => quote_spanned! {path.span()=>
            ::schema_core::__private::TypeDescriptor::Enum(
                <#path as ::schema_core::__private::PgEnum>::DESCRIPTOR
            )
        },
    };
    match ty.array {
        Some(_) => quote!(::schema_core::__private::TypeDescriptor::Array(&#element)),
        None => element,
    }
}

/// The column's Diesel SQL type as the `table!` module (a child of the struct's module) sees it.
fn diesel_type_tokens(struct_ident: &Ident, c: &ColumnModel) -> TokenStream {
    diesel_type(struct_ident, &c.field, &c.ty, c.varchar.is_some(), c.cidr)
}

/// A field's Diesel SQL type as the `table!` module sees it (`varchar` arrays bind as
/// `varchar[]`; an enum through its alias, see [`enum_sql_type_alias`]).
pub(crate) fn diesel_type(
    struct_ident: &Ident,
    field: &Ident,
    field_type: &crate::types::FieldType,
    varchar: bool,
    cidr: bool,
) -> TokenStream {
    let mut ty = match &field_type.scalar {
        Scalar::Known(RustType::IpNetwork) if cidr => quote!(::diesel::sql_types::Cidr),
        Scalar::Known(rust) => rust.diesel_sql_type(),
        // Imported into the `table!` module with `use super::alias;` (see `codegen`).
        Scalar::Enum(_) => {
            let alias = enum_sql_type_alias(struct_ident, field);
            quote!(#alias)
        }
    };
    if let Some(element_nullable) = field_type.array {
        // Bound as `varchar[]`, so Diesel's `eq`, `contains` and `overlaps_with` work on a
        // `varchar(n)[]` column (see `schema_core::sql_types::Varchar`).
        if varchar {
            ty = quote!(::schema_core::sql_types::Varchar);
        }
        if element_nullable {
            ty = quote!(::diesel::sql_types::Nullable<#ty>);
        }
        ty = quote!(::diesel::sql_types::Array<#ty>);
    }
    if field_type.nullable {
        ty = quote!(::diesel::sql_types::Nullable<#ty>);
    }
    ty
}

fn action_tokens(action: Action) -> TokenStream {
    let variant = format_ident!("{}", action.variant());
    quote!(::schema_core::__private::ReferentialAction::#variant)
}

fn option_str(value: &Option<String>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

/// The whole expansion of a valid declaration: the struct with its derives, then each part.
pub fn codegen(item: &mut syn::ItemStruct, m: &Model) -> TokenStream {
    let ident = &m.ident;
    // A keyword (`type`) is a raw identifier; the path keywords were refused.
    let table_mod = crate::names::rust_ident(&m.name, Span::call_site());
    let pk_fields: Vec<Ident> = m
        .primary_key
        .1
        .iter()
        .map(|c| format_ident!("{}", c))
        .collect();
    skip_generated_on_insert(item, m);
    let table = TableMacro {
        m,
        table_mod: &table_mod,
        pk_fields: &pk_fields,
    };
    let joins = Joins {
        m,
        table_mod: &table_mod,
    };
    let enum_aliases = EnumAliases { m, vis: &item.vis };
    let vis = &item.vis;
    let alias = table_type_alias(ident);
    let descriptor = Descriptor { m };
    let tenant_root = (m.kind == Kind::TenantRoot)
        .then(|| quote!(impl ::schema_core::__private::TenantRoot for #ident {}));
    let reference_checks = ReferenceChecks {
        m,
        table_mod: &table_mod,
    };
    let enum_defaults = EnumDefaults { m };
    let soft_delete = super::soft_delete::scopes(item, m, &table_mod);
    let listed = quote_spanned!(ident.span()=> const _: () = ::schema_core::__private::assert_listed::<#ident>(););
    let write_types = WriteTypes {
        m,
        item,
        table_mod: &table_mod,
    };

    quote! {
        #[derive(::diesel::Queryable, ::diesel::Selectable, ::diesel::Insertable, ::diesel::Identifiable)]
        #[diesel(table_name = #table_mod, primary_key(#(#pk_fields),*), check_for_backend(::diesel::pg::Pg))]
        #item

        #write_types

        #table

        #joins

        #enum_aliases

        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis type #alias = #table_mod::table;

        #descriptor

        #tenant_root
        #reference_checks
        #enum_defaults
        #soft_delete

        #listed
    }
}

/// The database generates identity and generated columns' values: Diesel leaves them out of
/// inserts.
fn skip_generated_on_insert(item: &mut syn::ItemStruct, m: &Model) {
    if let syn::Fields::Named(fields) = &mut item.fields {
        for (field, column) in fields.named.iter_mut().zip(&m.columns) {
            if column.identity.is_some() || column.generated.is_some() {
                field
                    .attrs
                    .push(syn::parse_quote!(#[diesel(skip_insertion)]));
            }
        }
    }
}

/// Diesel's `table!`, schema-qualified, with the enum columns' SQL types imported.
struct TableMacro<'a> {
    m: &'a Model,
    table_mod: &'a Ident,
    pk_fields: &'a [Ident],
}

impl ToTokens for TableMacro<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let (m, table_mod, pk_fields) = (self.m, self.table_mod, self.pk_fields);
        let ident = &m.ident;
        let schema_ident = format_ident!("{}", m.schema);
        let table_columns = m.columns.iter().map(|c| {
            let field = &c.field;
            let ty = diesel_type_tokens(ident, c);
            quote!(#field -> #ty,)
        });
        // `table!` copies `use` items into its modules (adding a `super::` for the nested one).
        let enum_imports = m.columns.iter().filter_map(|c| match &c.ty.scalar {
            Scalar::Enum(_) => {
                let alias = enum_sql_type_alias(ident, &c.field);
                Some(quote!(use super::#alias;))
            }
            Scalar::Known(_) => None,
        });
        tokens.extend(quote! {
            ::diesel::table! {
                #(#enum_imports)*
                #schema_ident.#table_mod (#(#pk_fields),*) {
                    #(#table_columns)*
                }
            }
        });
    }
}

/// The aliases of the enum columns' types, which `table!` imports.
struct EnumAliases<'a> {
    m: &'a Model,
    vis: &'a syn::Visibility,
}

impl ToTokens for EnumAliases<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let vis = self.vis;
        for c in &self.m.columns {
            if let Scalar::Enum(path) = &c.ty.scalar {
                let alias = enum_sql_type_alias(&self.m.ident, &c.field);
                tokens.extend(quote_spanned! {path.span()=>
                    #[doc(hidden)]
                    #[allow(non_camel_case_types)]
                    #vis type #alias = #path;
                });
            }
        }
    }
}

/// `joinable!` both ways for each joined foreign key.
struct Joins<'a> {
    m: &'a Model,
    table_mod: &'a Ident,
}

impl ToTokens for Joins<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let table_mod = self.table_mod;
        for fk in self.m.foreign_keys.iter().filter(|fk| fk.join) {
            // Diesel's `joinable!` wants the target's `table!` module path, which the struct
            // path does not give; its type form takes the target's table type through
            // `HasTable` (implemented by the `Identifiable` derive), so any path to the struct
            // works.
            let target = &fk.target;
            let (column, key) = fk
                .join_column
                .clone()
                .expect("joined references have a column");
            let key_check = key.map(|key| {
                let message = format!(
                    "`joinable!` for foreign key `{}` joins `{column}` to the target's primary key, but `{key}` is not that key\nhelp: reference the target's key, or add `no_join`",
                    fk.name
                );
                quote_spanned! {target.span()=>
                    const _: () = if !::schema_core::__private::is_primary_key(
                        <#target as ::schema_core::__private::Table>::DESCRIPTOR,
                        #key,
                    ) {
                        ::core::panic!(#message)
                    };
                }
            });
            let column = format_ident!("{}", column);
            let target_table = quote_spanned!(target.span()=> <#target as ::diesel::associations::HasTable>::Table);
            let target_value = quote!(<#target as ::diesel::associations::HasTable>::table());
            let primary_key_ty = quote!(<#target_table as ::diesel::Table>::PrimaryKey);
            let primary_key_expr =
                quote!(<#target_table as ::diesel::Table>::primary_key(&#target_value));
            tokens.extend(quote! {
                #key_check
                ::diesel::joinable_inner!(
                    left_table_ty = #table_mod::table,
                    right_table_ty = #target_table,
                    right_table_expr = #target_value,
                    foreign_key = #table_mod::#column,
                    primary_key_ty = #primary_key_ty,
                    primary_key_expr = #primary_key_expr,
                );
                ::diesel::joinable_inner!(
                    left_table_ty = #target_table,
                    right_table_ty = #table_mod::table,
                    right_table_expr = #table_mod::table,
                    foreign_key = #table_mod::#column,
                    primary_key_ty = #primary_key_ty,
                    primary_key_expr = #primary_key_expr,
                );
            });
        }
    }
}

/// `impl schema_core::Table`: the static descriptor migrations are generated from.
struct Descriptor<'a> {
    m: &'a Model,
}

impl ToTokens for Descriptor<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let m = self.m;
        let ident = &m.ident;
        let (schema, name) = (&m.schema, &m.name);
        let rust_name = ident.to_string();
        let sequences: Vec<String> = m
            .columns
            .iter()
            .filter(|c| c.identity.is_some())
            .map(|c| format!("{}_{}_seq", m.name, c.name))
            .collect();
        let column_descriptors = m.columns.iter().map(column_descriptor);
        let key = |name: &String, columns: &[String]| quote!(::schema_core::__private::KeyDescriptor { name: #name, columns: &[#(#columns),*] });
        let primary_key = key(&m.primary_key.0, &m.primary_key.1);
        let uniques = m.uniques.iter().map(|(n, c)| key(n, c));
        let indexes = m.indexes.iter().map(index_descriptor);
        let checks = m.checks.iter().map(
            |(n, e)| quote!(::schema_core::__private::CheckDescriptor { name: #n, expression: #e }),
        );
        let comment = option_str(&m.comment);
        let partitioning = partitioning_descriptor(m);
        let row_security = row_security_descriptor(m);
        let updated_at_trigger = option_str(&m.updated_at_trigger);
        let append_only_trigger = option_str(&m.append_only_trigger);
        let renamed_from = option_str(&m.renamed_from);
        let tenant_updates = &m.tenant_updates;
        let kind = match m.kind {
            Kind::Tenant => quote!(Tenant),
            Kind::Global => quote!(Global),
            Kind::TenantRoot => quote!(TenantRoot),
        };
        let foreign_keys = m.foreign_keys.iter().map(foreign_key_descriptor);
        tokens.extend(quote! {
            impl ::schema_core::__private::Table for #ident {
                const DESCRIPTOR: &'static ::schema_core::__private::TableDescriptor =
                    &::schema_core::__private::TableDescriptor {
                        rust_name: #rust_name,
                        schema: #schema,
                        name: #name,
                        columns: &[#(#column_descriptors),*],
                        primary_key: #primary_key,
                        foreign_keys: &[#(#foreign_keys),*],
                        uniques: &[#(#uniques),*],
                        indexes: &[#(#indexes),*],
                        checks: &[#(#checks),*],
                        comment: #comment,
                        partitioning: #partitioning,
                        row_security: #row_security,
                        updated_at_trigger: #updated_at_trigger,
                        append_only_trigger: #append_only_trigger,
                        kind: ::schema_core::__private::TableKind::#kind,
                        tenant_updates: &[#(#tenant_updates),*],
                        renamed_from: #renamed_from,
                        sequences: &[#(#sequences),*],
                    };
            }
        });
    }
}

fn column_descriptor(c: &ColumnModel) -> TokenStream {
    let column = &c.name;
    let sql_type = type_descriptor_tokens(c);
    let nullable = c.ty.nullable;
    let default = option_str(&c.default);
    let generated = option_str(&c.generated);
    let comment = option_str(&c.comment);
    let renamed_from = option_str(&c.renamed_from);
    let backfill = option_str(&c.backfill);
    let backfill_batch_size = match c.backfill_batch_size {
        Some(n) => quote!(::core::option::Option::Some(#n)),
        None => quote!(::core::option::Option::None),
    };
    let secret = c.secret;
    let identity = match c.identity {
        Some(kind) => {
            let variant = format_ident!("{}", kind.variant());
            quote!(::core::option::Option::Some(::schema_core::__private::Identity::#variant))
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        ::schema_core::__private::ColumnDescriptor {
            name: #column,
            sql_type: #sql_type,
            nullable: #nullable,
            default: #default,
            identity: #identity,
            generated: #generated,
            comment: #comment,
            renamed_from: #renamed_from,
            backfill: #backfill,
            backfill_batch_size: #backfill_batch_size,
            secret: #secret,
        }
    }
}

fn index_descriptor(i: &IndexModel) -> TokenStream {
    let (n, unique, include) = (&i.name, i.unique, &i.include);
    let keys = i.columns.iter().map(|(c, desc)| quote!((#c, #desc)));
    let method = format_ident!("{}", i.method.variant());
    let predicate = option_str(&i.predicate);
    quote!(::schema_core::__private::IndexDescriptor {
        name: #n,
        columns: &[#(#keys),*],
        unique: #unique,
        method: ::schema_core::__private::IndexMethod::#method,
        include: &[#(#include),*],
        predicate: #predicate,
    })
}

fn partitioning_descriptor(m: &Model) -> TokenStream {
    let Some(p) = &m.partitioning else {
        return quote!(::core::option::Option::None);
    };
    let strategy = format_ident!("{}", p.strategy.variant());
    let cols = &p.columns;
    let partitions = p.partitions.iter().map(
        |(n, b)| quote!(::schema_core::__private::PartitionDescriptor { name: #n, bound: #b }),
    );
    let copies = &p.index_copies;
    quote!(::core::option::Option::Some(::schema_core::__private::PartitioningDescriptor {
        strategy: ::schema_core::__private::PartitionStrategy::#strategy,
        columns: &[#(#cols),*],
        partitions: &[#(#partitions),*],
        index_copies: &[#(#copies),*],
    }))
}

fn row_security_descriptor(m: &Model) -> TokenStream {
    let Some(policies) = &m.row_security else {
        return quote!(::core::option::Option::None);
    };
    let policies = policies.iter().map(|p| {
        let (n, permissive, roles) = (&p.name, p.permissive, &p.roles);
        let command = format_ident!("{}", p.command.variant());
        let (using, with_check) = (option_str(&p.using), option_str(&p.with_check));
        let role_kinds = p
            .role_kinds
            .iter()
            .map(|k| format_ident!("{}", k.variant()));
        quote!(::schema_core::__private::PolicyDescriptor {
            name: #n,
            command: ::schema_core::__private::PolicyCommand::#command,
            permissive: #permissive,
            roles: &[#(#roles),*],
            role_kinds: &[#(::schema_core::__private::RoleKind::#role_kinds),*],
            using: #using,
            with_check: #with_check,
        })
    });
    quote!(::core::option::Option::Some(&[#(#policies),*]))
}

fn foreign_key_descriptor(fk: &ForeignKeyModel) -> TokenStream {
    let (n, cols, target_cols, target) = (&fk.name, &fk.columns, &fk.target_columns, &fk.target);
    let (on_delete, on_update) = (action_tokens(fk.on_delete), action_tokens(fk.on_update));
    let target_fn =
        quote_spanned!(target.span()=> ::schema_core::__private::descriptor_of::<#target>);
    quote! {
        ::schema_core::__private::ForeignKeyDescriptor {
            name: #n,
            columns: &[#(#cols),*],
            target: #target_fn,
            target_columns: &[#(#target_cols),*],
            on_delete: #on_delete,
            on_update: #on_update,
        }
    }
}

/// Cross-struct conventions, checked by the compiler once the targets' descriptors are known:
/// a reference's type is its target key's, `account_id` references the tenant root, a tenant
/// table references tenant tables through `account_id`.
struct ReferenceChecks<'a> {
    m: &'a Model,
    table_mod: &'a Ident,
}

impl ToTokens for ReferenceChecks<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let (m, table_mod) = (self.m, self.table_mod);
        let (ident, table_name) = (&m.ident, &m.name);
        for fk in &m.foreign_keys {
            // These are module-level items, where `Self` means nothing: name the struct.
            let target: syn::Path = if fk.target.is_ident("Self") {
                let mut path: syn::Path = syn::parse_quote!(#ident);
                path.segments[0].ident.set_span(fk.target.span());
                path
            } else {
                fk.target.clone()
            };
            let target = &target;
            let column = format_ident!("{}", fk.columns[0]);
            if fk.to_primary_key {
                let target_table = quote!(<#target as ::diesel::associations::HasTable>::Table);
                tokens.extend(quote_spanned! {target.span()=>
                    const _: () = ::schema_core::__private::assert_key_type::<
                        <#table_mod::#column as ::diesel::Expression>::SqlType,
                        <<#target_table as ::diesel::Table>::PrimaryKey as ::diesel::Expression>::SqlType,
                    >();
                });
            }
            if fk.must_target_root {
                tokens.extend(quote_spanned! {target.span()=>
                    const _: () = ::schema_core::__private::assert_tenant_root::<#target>();
                });
            }
            if fk.must_target_non_tenant {
                let col = &self.m.tenant_column;
                let message = format!(
                    "foreign key `{}` of tenant table `{table_name}` references another tenant table without `{col}`: add `{col}` to both sides (foreign_key(columns({col}, {}), references = ..., target_columns({col}, id))) or state why it spans tenants: across_tenants = \"...\"",
                    fk.name,
                    fk.columns.join(", ")
                );
                tokens.extend(quote_spanned! {target.span()=>
                    const _: () = if <#target as ::schema_core::__private::Table>::DESCRIPTOR.kind.is_tenant() {
                        ::core::panic!(#message)
                    };
                });
            }
        }
    }
}

/// An enum column's literal default is one of the enum's values (a const check).
struct EnumDefaults<'a> {
    m: &'a Model,
}

impl ToTokens for EnumDefaults<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for c in &self.m.columns {
            let (Scalar::Enum(ty), Some((value, span))) = (&c.ty.scalar, &c.enum_default) else {
                continue;
            };
            let column = &c.name;
            tokens.extend(quote_spanned! {*span=>
                const _: () = ::schema_core::__private::assert_enum_default(
                    <#ty as ::schema_core::__private::PgEnum>::DESCRIPTOR,
                    #value,
                    #column,
                );
            });
        }
    }
}

/// The insert and change types: `New<Table>` without the columns the database fills (identity
/// and generated ones left out, defaulted ones optional: `None` sends `DEFAULT`), and
/// `<Table>Changes`, an `AsChangeset` with every column that may change as an `Option` (`None`
/// leaves it as it is; a nullable column's `Some(None)` sets NULL). A table whose rows never
/// change (append-only) gets no change type; nor do the key, generated and tenant columns.
struct WriteTypes<'a> {
    m: &'a Model,
    item: &'a syn::ItemStruct,
    table_mod: &'a Ident,
}

/// A column's role in the write types.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Written {
    /// The database fills it and nothing may set it (identity, generated).
    ByTheDatabase,
    /// A default fills it unless a value is given.
    Defaulted,
    /// The insert must give it.
    Given,
}

fn written(c: &ColumnModel) -> Written {
    if c.identity.is_some() || c.generated.is_some() {
        Written::ByTheDatabase
    } else if c.default.is_some() {
        Written::Defaulted
    } else {
        Written::Given
    }
}

/// The standard traits the struct derives (`Debug`, `Clone`, `PartialEq`, `Eq`), which its
/// write types derive too: the struct deriving one proves its field types have it, which
/// deriving it unasked would assume.
fn std_derives(item: &syn::ItemStruct) -> Vec<syn::Path> {
    let mut derives = Vec::new();
    for attr in item.attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        for path in paths {
            let last = path.segments.last().map(|s| s.ident.to_string());
            if matches!(
                last.as_deref(),
                Some("Debug" | "Clone" | "PartialEq" | "Eq")
            ) {
                derives.push(path);
            }
        }
    }
    derives
}

/// `New<Struct>` and `<Struct>Changes`, the names `#[table]` gives the write types.
pub fn write_type_names(ident: &Ident) -> (Ident, Ident) {
    (
        format_ident!("New{}", ident),
        format_ident!("{}Changes", ident),
    )
}

impl ToTokens for WriteTypes<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let (m, table_mod) = (self.m, self.table_mod);
        let syn::Fields::Named(fields) = &self.item.fields else {
            return;
        };
        let vis = &self.item.vis;
        let ident = &m.ident;
        let (new, changes) = write_type_names(ident);
        let columns: Vec<(&ColumnModel, &syn::Type)> = m
            .columns
            .iter()
            .zip(fields.named.iter().map(|f| &f.ty))
            .collect();

        let insert_fields = columns.iter().filter_map(|(c, ty)| {
            let field = &c.field;
            match written(c) {
                Written::ByTheDatabase => None,
                // A nullable column's `Option` already sends DEFAULT for `None`.
                Written::Defaulted if c.ty.nullable => Some(quote!(pub #field: #ty,)),
                Written::Defaulted => Some(quote!(pub #field: ::core::option::Option<#ty>,)),
                Written::Given => Some(quote!(pub #field: #ty,)),
            }
        });
        let insert_fields: Vec<TokenStream> = insert_fields.collect();
        let new_doc = format!(
            "A row to insert into `{}.{}`: [`{ident}`] without the columns the database fills. \
             Identity and generated columns are left out; a defaulted column is an `Option`, \
             whose `None` inserts the column's default.",
            m.schema, m.name
        );
        let derives = std_derives(self.item);
        // A table whose every column the database fills has nothing to insert (`DEFAULT
        // VALUES` is Diesel's `default_values()`).
        if !insert_fields.is_empty() {
            tokens.extend(quote! {
                #[doc = #new_doc]
            #[derive(#(#derives,)* ::diesel::Insertable)]
            #[diesel(table_name = #table_mod)]
            #vis struct #new {
                #(#insert_fields)*
            }
            });
        }

        if m.append_only_trigger.is_some() {
            return;
        }
        let key = &m.primary_key.1;
        let tenant = matches!(m.kind, Kind::Tenant);
        let change_fields: Vec<TokenStream> = columns
            .iter()
            .filter(|(c, _)| {
                let fixed = written(c) == Written::ByTheDatabase
                    || key.contains(&c.name)
                    || (tenant && c.name == m.tenant_column)
                    // The trigger sets it on every update, whatever the update says.
                    || (m.updated_at_trigger.is_some() && c.name == "updated_at");
                !fixed
            })
            .map(|(c, ty)| {
                let field = &c.field;
                quote!(pub #field: ::core::option::Option<#ty>,)
            })
            .collect();
        if change_fields.is_empty() {
            return;
        }
        let changes_doc = format!(
            "Changes to rows of `{}.{}`, for `diesel::update(..).set(..)`: each field that is \
             `Some` is set (a nullable column's `Some(None)` sets NULL), each `None` is left as \
             it is. The key, generated and tenant columns are not among them, nor `updated_at` \
             where a trigger sets it. All `None` is an error from Diesel (there is nothing to \
             set).",
            m.schema, m.name
        );
        tokens.extend(quote! {
            #[doc = #changes_doc]
            #[derive(#(#derives,)* ::core::default::Default, ::diesel::AsChangeset)]
            #[diesel(table_name = #table_mod)]
            #vis struct #changes {
                #(#change_fields)*
            }
        });
    }
}
