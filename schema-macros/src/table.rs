//! `#[table]`: parse → model → checks → code.

use crate::attr::{self, Action, ColumnList, ForeignKeySpec, IdentityKind, TableAttrs};
use crate::ctxt::Ctxt;
use crate::types::{self, RustType};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, LitStr};

/// PostgreSQL truncates identifiers longer than this many bytes (NAMEDATALEN - 1).
const MAX_IDENTIFIER_BYTES: usize = 63;

struct ColumnModel {
    field: Ident,
    name: String,
    rust: RustType,
    nullable: bool,
    varchar: Option<u32>,
    numeric: Option<(u16, u16)>,
    default: Option<String>,
    identity: Option<IdentityKind>,
}

struct ForeignKeyModel {
    name: String,
    columns: Vec<String>,
    target: syn::Path,
    target_columns: Vec<String>,
    on_delete: Action,
    on_update: Action,
    join: bool,
}

struct Model {
    ident: Ident,
    schema: String,
    name: String,
    columns: Vec<ColumnModel>,
    primary_key: (String, Vec<String>),
    uniques: Vec<(String, Vec<String>)>,
    indexes: Vec<(String, Vec<String>, bool)>,
    foreign_keys: Vec<ForeignKeyModel>,
}

pub fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut item: syn::ItemStruct = match syn::parse2(input) {
        Ok(item) => item,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "`#[table]` applies to a struct with named fields, one per column\nhelp: the correct format looks like #[table(schema = \"billing\", name = \"invoices\")] pub struct Invoice { ... }",
            )
            .to_compile_error()
        }
    };
    let cx = Ctxt::default();
    let attrs = attr::parse_table_attrs(&cx, args);
    let model = build_model(&cx, &item, attrs);
    // The `#[column]` attributes are ours; the compiler must not see them.
    if let syn::Fields::Named(fields) = &mut item.fields {
        for field in &mut fields.named {
            field.attrs.retain(|a| !a.path().is_ident("column"));
        }
    }
    match (cx.into_compile_errors(), model) {
        (Some(errors), _) | (None, Err(errors)) => {
            // A generic struct cannot stand in for a table; its error says so.
            let stand_in = if item.generics.params.is_empty() {
                errored_stand_in(&item.ident)
            } else {
                TokenStream::new()
            };
            quote!(#errors #item #stand_in)
        }
        (None, Ok(model)) => codegen(&mut item, &model),
    }
}

/// For a declaration with errors: a placeholder table and descriptor, so `schema!` and other
/// uses of the struct compile and the user sees only the errors of the declaration itself
/// (thiserror's approach).
fn errored_stand_in(ident: &Ident) -> TokenStream {
    let module = format_ident!("__schema_errored_{}", ident);
    let alias = table_type_alias(ident);
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case)]
        pub mod #module {
            ::diesel::table! {
                errored (id) {
                    id -> ::diesel::sql_types::Int4,
                }
            }
        }
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        pub type #alias = #module::errored::table;
        impl ::schema_core::__private::Table for #ident {
            const DESCRIPTOR: &'static ::schema_core::__private::TableDescriptor =
                &::schema_core::__private::TableDescriptor::ERRORED;
        }
    }
}

fn is_snake_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// PostgreSQL identifiers the DSL writes must be snake_case and fit 63 bytes, so they are never
/// case-folded, quoted differently from the Rust name, or silently truncated.
fn check_identifier(cx: &Ctxt, span: Span, what: &str, name: &str) {
    if !is_snake_identifier(name) {
        cx.syn_error(syn::Error::new(
            span,
            format!("{what} `{name}` must be snake_case (a-z, 0-9, _; not starting with a digit)"),
        ));
    }
    check_length(cx, span, what, name);
}

fn check_length(cx: &Ctxt, span: Span, what: &str, name: &str) {
    if name.len() > MAX_IDENTIFIER_BYTES {
        cx.syn_error(syn::Error::new(
            span,
            format!(
                "{what} `{name}` is {} bytes; PostgreSQL truncates names to {MAX_IDENTIFIER_BYTES}\nhelp: give it a shorter name (`name = \"...\"`)",
                name.len()
            ),
        ));
    }
}

fn required(cx: &Ctxt, value: Option<LitStr>, key: &str) -> Option<LitStr> {
    if value.is_none() {
        cx.syn_error(syn::Error::new(
            Span::call_site(),
            format!("missing `{key} = \"...\"` in `#[table]`\nhelp: the correct format looks like #[table(schema = \"billing\", name = \"invoices\")]"),
        ));
    }
    value
}

fn build_model(cx: &Ctxt, item: &syn::ItemStruct, attrs: TableAttrs) -> Result<Model, TokenStream> {
    if !item.generics.params.is_empty() {
        cx.error_spanned_by(
            &item.generics,
            "a table struct cannot be generic: each struct is one table with fixed column types",
        );
        return Err(TokenStream::new());
    }
    let fields = match &item.fields {
        syn::Fields::Named(named) => named.named.iter().collect::<Vec<_>>(),
        _ => {
            cx.error_spanned_by(
                &item.ident,
                "`#[table]` needs a struct with named fields, one per column",
            );
            Vec::new()
        }
    };
    let schema = required(cx, attrs.schema, "schema");
    let name = required(cx, attrs.name, "name");
    if let Some(s) = &schema {
        check_identifier(cx, s.span(), "schema name", &s.value());
    }
    if let Some(n) = &name {
        check_identifier(cx, n.span(), "table name", &n.value());
    }
    let table_name = name.as_ref().map(LitStr::value).unwrap_or_default();

    let mut columns = Vec::new();
    // Fields whose type was rejected: already reported, so keys naming them add no error.
    let mut unusable_fields = Vec::new();
    let mut field_pk = Vec::new();
    let mut uniques: Vec<ColumnList> = attrs.uniques;
    let mut indexes: Vec<(ColumnList, bool)> = attrs.indexes;
    let mut foreign_keys: Vec<ForeignKeySpec> = attrs.foreign_keys;
    for field in &fields {
        let ident = field.ident.clone().expect("named field");
        let column_attrs = attr::parse_column_attrs(cx, field, &ident);
        let column_name = ident.to_string().trim_start_matches("r#").to_string();
        check_identifier(cx, ident.span(), "column name", &column_name);
        let ty = match types::classify(&field.ty) {
            Ok(ty) => ty,
            Err(message) => {
                cx.error_spanned_by(&field.ty, message);
                unusable_fields.push(ident);
                continue;
            }
        };
        if let Some(varchar) = &column_attrs.varchar {
            if ty.rust != RustType::String {
                cx.error_spanned_by(varchar, "`varchar` applies to `String` columns only");
            }
        }
        if let Some((_, _, span)) = &column_attrs.numeric {
            if ty.rust != RustType::BigDecimal {
                cx.syn_error(syn::Error::new(
                    *span,
                    "`numeric(precision, scale)` applies to `BigDecimal` columns only",
                ));
            }
        }
        let varchar =
            column_attrs
                .varchar
                .as_ref()
                .and_then(|lit| match lit.base10_parse::<u32>() {
                    Ok(n) if (1..=10_485_760).contains(&n) => Some(n),
                    _ => {
                        cx.error_spanned_by(lit, "`varchar` length must be between 1 and 10485760");
                        None
                    }
                });
        let numeric = column_attrs.numeric.as_ref().and_then(|(p, s, _)| {
            match (p.base10_parse::<u16>(), s.base10_parse::<u16>()) {
                (Ok(p), Ok(s)) if (1..=1000).contains(&p) && s <= p => Some((p, s)),
                _ => {
                    cx.error_spanned_by(p, "`numeric(precision, scale)` needs 1 <= precision <= 1000 and 0 <= scale <= precision");
                    None
                }
            }
        });
        if let Some((kind, span)) = column_attrs.identity {
            let word = if kind == IdentityKind::Serial {
                "serial"
            } else {
                "identity"
            };
            if !ty.rust.is_integer() || ty.nullable {
                cx.syn_error(syn::Error::new(
                    span,
                    format!(
                        "`{word}` applies to `i16`, `i32` or `i64` columns that are not `Option`"
                    ),
                ));
            }
            if let Some(default) = &column_attrs.default {
                cx.error_spanned_by(default, format!("conflicting `default` and `{word}`: the column's values come from its sequence"));
            }
        }
        if let Some(default) = &column_attrs.default {
            if default.value().trim().is_empty() {
                cx.error_spanned_by(default, "`default` is empty\nhelp: give a SQL expression, e.g. #[column(default = \"now()\")]");
            }
        }
        if let Some(span) = column_attrs.primary_key {
            field_pk.push((ident.clone(), span));
        }
        if let Some(span) = column_attrs.unique {
            uniques.push(ColumnList {
                name: None,
                columns: vec![ident.clone()],
                span,
            });
        }
        if let Some(span) = column_attrs.index {
            indexes.push((
                ColumnList {
                    name: None,
                    columns: vec![ident.clone()],
                    span,
                },
                false,
            ));
        }
        if let Some(fk) = column_attrs.references {
            foreign_keys.push(fk);
        }
        columns.push(ColumnModel {
            field: ident,
            name: column_name,
            rust: ty.rust,
            nullable: ty.nullable,
            varchar,
            numeric,
            default: column_attrs.default.map(|d| d.value()),
            identity: column_attrs.identity.map(|(kind, _)| kind),
        });
    }

    let column_of = |ident: &Ident| columns.iter().find(|c| c.field == *ident);
    let resolve = |list: &[Ident], what: &str| -> Vec<String> {
        list.iter()
            .map(|ident| match column_of(ident) {
                Some(c) => c.name.clone(),
                None if unusable_fields.contains(ident) => ident.to_string(),
                None => {
                    cx.error_spanned_by(
                        ident,
                        format!("{what} names `{ident}`, which is not a field of this struct"),
                    );
                    ident.to_string()
                }
            })
            .collect()
    };

    // The primary key: on fields, or `primary_key(...)` on the struct, or a field named `id`.
    let pk_idents: Vec<Ident> = match (&attrs.primary_key, field_pk.as_slice()) {
        (Some(list), []) => list.columns.clone(),
        (None, []) => match columns.iter().find(|c| c.name == "id") {
            Some(c) => vec![c.field.clone()],
            None => {
                cx.error_spanned_by(
                    &item.ident,
                    "table has no primary key\nhelp: mark the key field with #[column(primary_key)], or list a composite key with #[table(primary_key(a, b))]",
                );
                Vec::new()
            }
        },
        (None, fields) => fields.iter().map(|(i, _)| i.clone()).collect(),
        (Some(list), [(_, span), ..]) => {
            cx.syn_error(syn::Error::new(
                *span,
                "conflicting primary keys: `#[column(primary_key)]` on a field and `primary_key(...)` on the struct\nhelp: declare the key in one place; a composite key goes on the struct",
            ));
            list.columns.clone()
        }
    };
    for ident in &pk_idents {
        if let Some(c) = column_of(ident) {
            if c.nullable {
                cx.error_spanned_by(ident, format!("primary key column `{}` cannot be `Option`: PostgreSQL makes key columns NOT NULL", c.name));
            }
        }
    }
    let primary_key = (
        format!("{table_name}_pkey"),
        resolve(&pk_idents, "`primary_key`"),
    );
    check_length(
        cx,
        item.ident.span(),
        "generated primary key name",
        &primary_key.0,
    );

    let constraint_name =
        |explicit: &Option<LitStr>, cols: &[String], suffix: &str, span: Span| match explicit {
            Some(lit) => {
                check_identifier(cx, lit.span(), "name", &lit.value());
                lit.value()
            }
            None => {
                let name = format!("{table_name}_{}_{suffix}", cols.join("_"));
                check_length(cx, span, "generated name", &name);
                name
            }
        };
    let uniques = uniques
        .iter()
        .map(|u| {
            let cols = resolve(&u.columns, "`unique`");
            (constraint_name(&u.name, &cols, "key", u.span), cols)
        })
        .collect();
    let indexes = indexes
        .iter()
        .map(|(i, unique)| {
            let cols = resolve(&i.columns, "`index`");
            (
                constraint_name(&i.name, &cols, "idx", i.span),
                cols,
                *unique,
            )
        })
        .collect();
    let mut joined: Vec<(String, String)> = Vec::new();
    let foreign_keys = foreign_keys
        .into_iter()
        .filter_map(|fk| {
            let target = fk.target?;
            let columns = resolve(&fk.columns, "`foreign_key`");
            // Diesel's `joinable!` joins on the target's primary key: only a single-column
            // reference to that key can have one. Self-references need aliases, not `joinable!`.
            let join = fk.join
                && columns.len() == 1
                && fk.target_columns.is_empty()
                && !target.is_ident(&item.ident)
                && !target.is_ident("Self");
            if join {
                let key = quote!(#target).to_string();
                if let Some((_, other)) = joined.iter().find(|(k, _)| *k == key) {
                    cx.syn_error(syn::Error::new(fk.span, format!(
                        "this table already joins `{key}` through `{other}`; Diesel allows one `joinable!` per pair of tables\nhelp: add `no_join` to this reference: #[column(references({key}, no_join))]"
                    )));
                }
                joined.push((key, columns.join(", ")));
            }
            Some(ForeignKeyModel {
                name: constraint_name(&fk.name, &columns, "fkey", fk.span),
                target_columns: fk.target_columns.iter().map(Ident::to_string).collect(),
                columns,
                target,
                on_delete: fk.on_delete,
                on_update: fk.on_update,
                join,
            })
        })
        .collect();

    let (Some(schema), Some(_)) = (schema, name) else {
        return Err(TokenStream::new());
    };
    Ok(Model {
        ident: item.ident.clone(),
        schema: schema.value(),
        name: table_name,
        columns,
        primary_key,
        uniques,
        indexes,
        foreign_keys,
    })
}

/// The name of the type alias `#[table]` puts next to the struct for its Diesel table type
/// (`pub type __schema_table_Device = devices::table;`). `schema!` reaches the table through it:
/// a concrete path, where an associated type (`<Device as HasTable>::Table`) would be a
/// projection, and projections in the headers of `allow_tables_to_appear_in_same_query!`'s N²
/// impls make rustc's coherence check quadratic in the number of impls (minutes for 100 tables).
pub fn table_type_alias(struct_ident: &Ident) -> Ident {
    format_ident!("__schema_table_{}", struct_ident)
}

fn sql_type_tokens(c: &ColumnModel) -> TokenStream {
    let variant = match (c.rust, c.varchar, c.numeric) {
        (RustType::String, Some(n), _) => quote!(Varchar(#n)),
        (RustType::BigDecimal, _, Some((p, s))) => quote!(NumericPs(#p, #s)),
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
        (RustType::JsonValue, ..) => quote!(Jsonb),
    };
    quote!(::schema_core::__private::SqlType::#variant)
}

fn action_tokens(action: Action) -> TokenStream {
    let variant = match action {
        Action::NoAction => quote!(NoAction),
        Action::Restrict => quote!(Restrict),
        Action::Cascade => quote!(Cascade),
        Action::SetNull => quote!(SetNull),
        Action::SetDefault => quote!(SetDefault),
    };
    quote!(::schema_core::__private::ReferentialAction::#variant)
}

fn option_str(value: &Option<String>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

fn codegen(item: &mut syn::ItemStruct, m: &Model) -> TokenStream {
    let ident = &m.ident;
    let table_mod = format_ident!("{}", m.name);
    let (schema, name) = (&m.schema, &m.name);
    let schema_ident = format_ident!("{}", m.schema);
    let rust_name = ident.to_string();

    let pk_fields: Vec<Ident> = m
        .primary_key
        .1
        .iter()
        .map(|c| format_ident!("{}", c))
        .collect();
    if let syn::Fields::Named(fields) = &mut item.fields {
        for (field, column) in fields.named.iter_mut().zip(&m.columns) {
            if column.identity.is_some() {
                // The database generates these values.
                field
                    .attrs
                    .push(syn::parse_quote!(#[diesel(skip_insertion)]));
            }
        }
    }

    let table_columns = m.columns.iter().map(|c| {
        let field = &c.field;
        let base = c.rust.diesel_sql_type();
        let ty = if c.nullable {
            quote!(::diesel::sql_types::Nullable<#base>)
        } else {
            base
        };
        quote!(#field -> #ty,)
    });
    let column_descriptors = m.columns.iter().map(|c| {
        let column = &c.name;
        let sql_type = sql_type_tokens(c);
        let nullable = c.nullable;
        let default = option_str(&c.default);
        let identity = match c.identity {
            Some(IdentityKind::Always) => quote!(::core::option::Option::Some(
                ::schema_core::__private::Identity::Always
            )),
            Some(IdentityKind::ByDefault) => quote!(::core::option::Option::Some(
                ::schema_core::__private::Identity::ByDefault
            )),
            Some(IdentityKind::Serial) => quote!(::core::option::Option::Some(
                ::schema_core::__private::Identity::Serial
            )),
            None => quote!(::core::option::Option::None),
        };
        quote! {
            ::schema_core::__private::ColumnDescriptor {
                name: #column,
                sql_type: #sql_type,
                nullable: #nullable,
                default: #default,
                identity: #identity,
            }
        }
    });
    let key = |name: &String, columns: &[String]| quote!(::schema_core::__private::KeyDescriptor { name: #name, columns: &[#(#columns),*] });
    let primary_key = key(&m.primary_key.0, &m.primary_key.1);
    let uniques = m.uniques.iter().map(|(n, c)| key(n, c));
    let indexes = m.indexes.iter().map(|(n, c, unique)| {
        quote!(::schema_core::__private::IndexDescriptor { name: #n, columns: &[#(#c),*], unique: #unique })
    });
    let foreign_keys = m.foreign_keys.iter().map(|fk| {
        let (n, cols, target_cols, target) =
            (&fk.name, &fk.columns, &fk.target_columns, &fk.target);
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
    });
    let joins = m.foreign_keys.iter().filter(|fk| fk.join).map(|fk| {
        // Diesel's `joinable!` wants the target's `table!` module path, which the struct path
        // does not give; its type form takes the target's table type through `HasTable`
        // (implemented by the `Identifiable` derive), so any path to the struct works.
        let target = &fk.target;
        let column = format_ident!("{}", fk.columns[0]);
        let target_table =
            quote_spanned!(target.span()=> <#target as ::diesel::associations::HasTable>::Table);
        let target_value = quote!(<#target as ::diesel::associations::HasTable>::table());
        let primary_key_ty = quote!(<#target_table as ::diesel::Table>::PrimaryKey);
        let primary_key_expr =
            quote!(<#target_table as ::diesel::Table>::primary_key(&#target_value));
        quote! {
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
        }
    });
    let alias = table_type_alias(ident);
    let vis = &item.vis;
    let listed = quote_spanned!(ident.span()=> const _: () = ::schema_core::__private::assert_listed::<#ident>(););

    quote! {
        #[derive(::diesel::Queryable, ::diesel::Selectable, ::diesel::Insertable, ::diesel::Identifiable)]
        #[diesel(table_name = #table_mod, primary_key(#(#pk_fields),*), check_for_backend(::diesel::pg::Pg))]
        #item

        ::diesel::table! {
            #schema_ident.#table_mod (#(#pk_fields),*) {
                #(#table_columns)*
            }
        }

        #(#joins)*

        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis type #alias = #table_mod::table;

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
                };
        }

        #listed
    }
}
