//! `schema!`: the explicit list of a crate's tables.

use crate::table::table_type_alias;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::Token;

pub fn expand(input: TokenStream) -> TokenStream {
    let paths = match Punctuated::<syn::Path, Token![,]>::parse_terminated.parse2(input) {
        Ok(paths) => paths,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "expected a comma-separated list of table structs\nhelp: the correct format looks like schema_core::schema! { accounts::Account, accounts::User }",
            )
            .to_compile_error()
        }
    };
    // Mistakes are reported and the remaining entries still expanded, so one bad entry does
    // not also make every table "not listed".
    let mut errors = TokenStream::new();
    let mut unique_paths: Vec<&syn::Path> = Vec::new();
    for path in &paths {
        if path.segments.iter().any(|s| !s.arguments.is_empty()) {
            errors.extend(
                syn::Error::new_spanned(path, "list a table by the path of its struct, without generic arguments\nhelp: the correct format looks like schema_core::schema! { accounts::Account }")
                    .to_compile_error(),
            );
        } else if unique_paths.contains(&path) {
            errors.extend(
                syn::Error::new_spanned(path, "table listed twice\nhelp: list each table once")
                    .to_compile_error(),
            );
        } else {
            unique_paths.push(path);
        }
    }
    let paths = unique_paths;
    let listed = paths
        .iter()
        .map(|p| quote_spanned!(p.span()=> impl ::schema_core::__private::Listed for #p {}));
    let aliases: Vec<_> = (0..paths.len())
        .map(|i| format_ident!("__t{}", i))
        .collect();
    // `allow_tables_to_appear_in_same_query!` takes module names and only uses `<module>::table`
    // as a type: a private module per table with a `table` alias of the table's concrete type
    // (see `table_type_alias` for why not an associated-type projection).
    let modules = paths.iter().zip(&aliases).map(|(p, a)| {
        let mut table = path_from_child_module(p);
        let last = table.segments.last_mut().expect("non-empty path");
        last.ident = table_type_alias(&last.ident);
        last.ident.set_span(p.span());
        quote! {
            #[allow(non_camel_case_types)]
            mod #a {
                pub type table = #table;
            }
        }
    });
    let descriptors = paths
        .iter()
        .map(|p| quote!(<#p as ::schema_core::__private::Table>::DESCRIPTOR));
    quote! {
        #errors
        #(#listed)*

        const _: () = {
            #(#modules)*
            ::diesel::allow_tables_to_appear_in_same_query!(#(#aliases,)*);
        };

        /// Every table declared in this crate, in `schema!` order.
        pub const TABLES: &[&::schema_core::__private::TableDescriptor] = &[#(#descriptors),*];

        // Two tables must not give one name to relations (tables, partitions, indexes) of one
        // PostgreSQL schema: the compiler evaluates this, so a clash does not compile.
        const _: () = ::schema_core::__private::assert_unique_relation_names(TABLES);

        /// The declared schema, ready to diff, render or compare with a live database.
        pub fn schema() -> ::core::result::Result<
            ::schema_core::__private::Schema,
            ::schema_core::descriptor::SchemaError,
        > {
            ::schema_core::__private::Schema::from_descriptors(TABLES)
        }
    }
}

/// The same path, written from a module nested one level below the invocation site.
fn path_from_child_module(path: &syn::Path) -> syn::Path {
    let first = path.segments.first().map(|s| s.ident.to_string());
    match first.as_deref() {
        _ if path.leading_colon.is_some() => path.clone(),
        Some("crate") => path.clone(),
        Some("self") => {
            let mut p = path.clone();
            p.segments[0].ident = syn::Ident::new("super", p.segments[0].ident.span());
            p
        }
        _ => syn::parse_quote!(super::#path),
    }
}
