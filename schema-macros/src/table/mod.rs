//! `#[table]`: attributes → model (with the checks, each a rule of its own) → code.
//!
//! - [`model`]: resolves columns, keys, indexes, checks and foreign keys from the attributes.
//! - [`check`]: one `check_*` per rule a declaration must follow, grouped like `tests/ui/`.
//! - [`row_security`]: the tenant policies, the tenant root's and the declared ones.
//! - [`partitions`]: `PARTITION BY`, the partitions and their index copies.
//! - [`codegen`]: the struct's derives, `table!`, `joinable!`, the descriptor, one part each.
//! - [`soft_delete`]: the `live()` / `soft_delete()` scopes of a table with `deleted_at`.
//!
//! A declaration with errors expands to its errors and a stand-in (see [`errored_stand_in`]).

mod check;
pub(crate) mod codegen;
mod model;
mod partitions;
mod row_security;
mod soft_delete;

pub use codegen::table_type_alias;
pub(crate) use model::checked_doc_comment;

use crate::attr;
use crate::ctxt::Ctxt;
use crate::types::{self, RustType};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

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
    let model = model::build_model(&cx, &item, attrs);
    let stand_in_key = stand_in_key_type(&item);
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
                errored_stand_in(&item.ident, stand_in_key)
            } else {
                TokenStream::new()
            };
            quote!(#errors #item #stand_in)
        }
        (None, Ok(model)) => codegen::codegen(&mut item, &model),
    }
}

/// The Diesel SQL type of a declaration's single-column primary key, when its field is marked
/// `#[column(primary_key)]` and has a supported built-in type: the stand-in of a declaration
/// with errors keeps it, so the tables referencing it still type-check their joins.
fn stand_in_key_type(item: &syn::ItemStruct) -> Option<TokenStream> {
    let syn::Fields::Named(fields) = &item.fields else {
        return None;
    };
    let marked = |f: &&syn::Field| {
        f.attrs.iter().any(|a| {
            a.path().is_ident("column") && {
                let mut found = false;
                let _ = a.parse_nested_meta(|meta| {
                    found |= meta.path.is_ident("primary_key");
                    if meta.input.peek(syn::Token![=]) {
                        let _: syn::Expr = meta.value()?.parse()?;
                    } else if meta.input.peek(syn::token::Paren) {
                        let _content;
                        syn::parenthesized!(_content in meta.input);
                        let _: TokenStream = _content.parse()?;
                    }
                    Ok(())
                });
                found
            }
        })
    };
    let mut keys = fields.named.iter().filter(marked);
    let (Some(key), None) = (keys.next(), keys.next()) else {
        return None;
    };
    let ty = types::classify(&key.ty).ok()?;
    ty.known()
        .filter(|_| !ty.nullable)
        .map(RustType::diesel_sql_type)
}

/// For a declaration with errors: a placeholder table and descriptor, so `schema!` and other
/// uses of the struct compile and the user sees only the errors of the declaration itself
/// (thiserror's approach). The placeholder is the struct's `HasTable` table too, keyed by the
/// declared key's type when it has one, so foreign keys and joins onto it add no errors.
fn errored_stand_in(ident: &Ident, key: Option<TokenStream>) -> TokenStream {
    let module = format_ident!("__schema_errored_{}", ident);
    let alias = table_type_alias(ident);
    // Without a usable declared key, `bigint`: the most common key type, so most references
    // onto the declaration still type-check.
    let key = key.unwrap_or_else(|| quote!(::diesel::sql_types::BigInt));
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case)]
        pub mod #module {
            ::diesel::table! {
                errored (id) {
                    id -> #key,
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
        impl ::diesel::associations::HasTable for #ident {
            type Table = #module::errored::table;
            fn table() -> Self::Table {
                #module::errored::table
            }
        }
    }
}
