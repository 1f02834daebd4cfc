//! `schema!`: the explicit list of a crate's tables.

use crate::table::table_type_alias;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::Token;

/// `roles(app = "...", identity = "...", provisioning = "...", monitor = "...");` before the
/// list: the names of the declared roles (each kind not named keeps its default name).
struct RolesSpec {
    names: Vec<(String, syn::LitStr)>,
    /// Mistakes in the names, reported while the list still expands (with default names).
    errors: TokenStream,
}

fn parse_roles(input: syn::parse::ParseStream) -> syn::Result<Option<RolesSpec>> {
    if !(input.peek(syn::Ident) && input.peek2(syn::token::Paren)) {
        return Ok(None);
    }
    let fork = input.fork();
    if fork.parse::<syn::Ident>()? != "roles" {
        return Ok(None);
    }
    input.parse::<syn::Ident>()?;
    let content;
    syn::parenthesized!(content in input);
    let mut names = Vec::new();
    let mut errors = TokenStream::new();
    let entries = content.parse_terminated(
        |p: syn::parse::ParseStream| {
            let kind: syn::Ident = p.parse()?;
            p.parse::<Token![=]>()?;
            let name: syn::LitStr = p.parse()?;
            Ok((kind, name))
        },
        Token![,],
    )?;
    for (kind, name) in entries {
        let text = kind.to_string();
        if schema_rules::RoleKind::from_word(&text).is_none() {
            let words: Vec<&str> = schema_rules::RoleKind::words().collect();
            errors.extend(
                syn::Error::new(
                    kind.span(),
                    crate::ctxt::unknown_key_message("`roles`", &text, &words),
                )
                .to_compile_error(),
            );
            continue;
        }
        if names.iter().any(|(k, _)| *k == text) {
            errors.extend(
                syn::Error::new(
                    kind.span(),
                    format!("role `{text}` is named twice\nhelp: name each role once"),
                )
                .to_compile_error(),
            );
            continue;
        }
        let value = name.value();
        // Role names go into DO blocks and policies: plain lower-case identifiers only.
        let plain = !value.is_empty()
            && value.len() <= 63
            && value.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !plain || value.starts_with("pg_") {
            errors.extend(
                syn::Error::new(
                    name.span(),
                    "a role name is a lower-case identifier of at most 63 bytes (letters, digits, `_`), not starting with `pg_`\nhelp: e.g. roles(app = \"platform_app\")",
                )
                .to_compile_error(),
            );
            continue;
        }
        names.push((text, name));
    }
    input.parse::<Token![;]>()?;
    Ok(Some(RolesSpec { names, errors }))
}

/// `extensions("pgcrypto", "citext");` before the list: the PostgreSQL extensions the schema
/// needs, created in this order (an extension another requires comes first).
struct ExtensionsSpec {
    names: Vec<syn::LitStr>,
    errors: TokenStream,
}

fn parse_extensions(input: syn::parse::ParseStream) -> syn::Result<Option<ExtensionsSpec>> {
    if !(input.peek(syn::Ident) && input.peek2(syn::token::Paren)) {
        return Ok(None);
    }
    if input.fork().parse::<syn::Ident>()? != "extensions" {
        return Ok(None);
    }
    input.parse::<syn::Ident>()?;
    let content;
    syn::parenthesized!(content in input);
    let entries = Punctuated::<syn::LitStr, Token![,]>::parse_terminated(&content)?;
    input.parse::<Token![;]>()?;
    let mut names: Vec<syn::LitStr> = Vec::new();
    let mut errors = TokenStream::new();
    for name in entries {
        let value = name.value();
        // Extension names go into `CREATE EXTENSION`, quoted; the ones PostgreSQL ships are
        // lower-case words with `_` or `-` (`uuid-ossp`).
        let plain = !value.is_empty()
            && value.len() <= 63
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        let message = if !plain {
            Some("an extension name is a lower-case name of at most 63 bytes (letters, digits, `_`, `-`)\nhelp: e.g. extensions(\"pgcrypto\", \"citext\")".to_string())
        } else if value == "plpgsql" {
            Some("`plpgsql` is in every database already\nhelp: remove it".to_string())
        } else if names.iter().any(|n| n.value() == value) {
            Some(format!(
                "extension `{value}` is listed twice\nhelp: list each extension once"
            ))
        } else {
            None
        };
        match message {
            Some(message) => {
                errors.extend(syn::Error::new(name.span(), message).to_compile_error())
            }
            None => names.push(name),
        }
    }
    Ok(Some(ExtensionsSpec { names, errors }))
}

/// `views(billing::OpenInvoice, ...);` before the list: the crate's `#[view]` structs.
fn parse_views(
    input: syn::parse::ParseStream,
) -> syn::Result<Option<Punctuated<syn::Path, Token![,]>>> {
    if !(input.peek(syn::Ident) && input.peek2(syn::token::Paren)) {
        return Ok(None);
    }
    if input.fork().parse::<syn::Ident>()? != "views" {
        return Ok(None);
    }
    input.parse::<syn::Ident>()?;
    let content;
    syn::parenthesized!(content in input);
    let views = Punctuated::<syn::Path, Token![,]>::parse_terminated(&content)?;
    input.parse::<Token![;]>()?;
    Ok(Some(views))
}

pub fn expand(input: TokenStream) -> TokenStream {
    let parser = |stream: syn::parse::ParseStream| {
        // `roles(...);`, `extensions(...);` and `views(...);` in any order, each at most once.
        let mut roles = None;
        let mut extensions = None;
        let mut views = None;
        for _ in 0..3 {
            if roles.is_none() {
                if let Some(r) = parse_roles(stream)? {
                    roles = Some(r);
                    continue;
                }
            }
            if extensions.is_none() {
                if let Some(e) = parse_extensions(stream)? {
                    extensions = Some(e);
                    continue;
                }
            }
            if views.is_none() {
                if let Some(v) = parse_views(stream)? {
                    views = Some(v);
                    continue;
                }
            }
            break;
        }
        let paths = Punctuated::<syn::Path, Token![,]>::parse_terminated(stream)?;
        Ok((roles, extensions, views.unwrap_or_default(), paths))
    };
    let (roles, extensions, views, paths) = match parser.parse2(input) {
        Ok(parsed) => parsed,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "expected a comma-separated list of table structs\nhelp: the correct format looks like schema_core::schema! { accounts::Account, accounts::User }",
            )
            .to_compile_error()
        }
    };
    let role_names = {
        let name = |kind: &str| {
            roles
                .as_ref()
                .and_then(|r| r.names.iter().find(|(k, _)| k == kind))
                .map(|(_, lit)| quote!(#lit))
                .unwrap_or_else(|| {
                    let field = format_ident!("{}", kind);
                    quote!(::schema_core::__private::RoleNames::DEFAULT.#field)
                })
        };
        let (app, identity, provisioning, monitor) = (
            name("app"),
            name("identity"),
            name("provisioning"),
            name("monitor"),
        );
        quote!(::schema_core::__private::RoleNames {
            app: #app,
            identity: #identity,
            provisioning: #provisioning,
            monitor: #monitor,
        })
    };
    // Mistakes are reported and the remaining entries still expanded, so one bad entry does
    // not also make every table "not listed".
    let mut errors = roles.as_ref().map(|r| r.errors.clone()).unwrap_or_default();
    // The crate's tenancy: a bad `[package.metadata.schema-api]` is reported here, once.
    let tenancy = match crate::tenancy::current() {
        Ok(t) => t,
        Err(message) => {
            errors.extend(
                syn::Error::new(
                    proc_macro2::Span::call_site(),
                    format!("{message}\nhelp: fix [package.metadata.schema-api] in this crate's Cargo.toml; until then the default tenancy (`account_id`, `app.current_account_id`) applies"),
                )
                .to_compile_error(),
            );
            Default::default()
        }
    };
    let (tenant_column, tenant_setting) = (&tenancy.column, &tenancy.setting);
    // Editing the manifest's configuration must recompile the tables: make it an input.
    let manifest_input = std::env::var("CARGO_MANIFEST_DIR").ok().map(|_| {
        quote! {
            const _: &[u8] = ::core::include_bytes!(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"));
        }
    });
    let extension_names: Vec<&syn::LitStr> = match &extensions {
        Some(e) => {
            errors.extend(e.errors.clone());
            e.names.iter().collect()
        }
        None => Vec::new(),
    };
    let mut unique_paths: Vec<&syn::Path> = Vec::new();
    let mut view_paths: Vec<&syn::Path> = Vec::new();
    for (path, is_view) in paths
        .iter()
        .map(|p| (p, false))
        .chain(views.iter().map(|p| (p, true)))
    {
        let what = if is_view { "view" } else { "table" };
        if path.segments.iter().any(|s| !s.arguments.is_empty()) {
            errors.extend(
                syn::Error::new_spanned(path, format!("list a {what} by the path of its struct, without generic arguments\nhelp: the correct format looks like schema_core::schema! {{ accounts::Account }}"))
                    .to_compile_error(),
            );
        } else if unique_paths.contains(&path) || view_paths.contains(&path) {
            errors.extend(
                syn::Error::new_spanned(
                    path,
                    format!("{what} listed twice\nhelp: list each {what} once"),
                )
                .to_compile_error(),
            );
        } else if is_view {
            view_paths.push(path);
        } else {
            unique_paths.push(path);
        }
    }
    let paths = unique_paths;
    let view_descriptors = view_paths
        .iter()
        .map(|p| quote!(<#p as ::schema_core::__private::View>::DESCRIPTOR));
    let paths_and_views: Vec<&syn::Path> = paths.iter().chain(&view_paths).copied().collect();
    let listed = paths
        .iter()
        .map(|p| quote_spanned!(p.span()=> impl ::schema_core::__private::Listed for #p {}))
        .chain(view_paths.iter().map(
            |p| quote_spanned!(p.span()=> impl ::schema_core::__private::ListedView for #p {}),
        ));
    let aliases: Vec<_> = (0..paths_and_views.len())
        .map(|i| format_ident!("__t{}", i))
        .collect();
    // `allow_tables_to_appear_in_same_query!` takes module names and only uses `<module>::table`
    // as a type: a private module per table with a `table` alias of the table's concrete type
    // (see `table_type_alias` for why not an associated-type projection).
    let modules = paths_and_views.iter().zip(&aliases).map(|(p, a)| {
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

        /// The names of the roles the platform ships (`schema!`'s `roles(...)`).
        pub const ROLES: ::schema_core::__private::RoleNames = #role_names;

        /// The PostgreSQL extensions the schema needs (`schema!`'s `extensions(...)`), in the
        /// order they are created.
        pub const EXTENSIONS: &[&str] = &[#(#extension_names),*];

        #manifest_input

        /// The column that holds a tenant table's tenant (`[package.metadata.schema-api]`'s
        /// `tenant_column`, `account_id` by default).
        pub const TENANT_COLUMN: &str = #tenant_column;

        /// The setting the tenant policies read; pass it to `schema_core::tenant::with_tenant_in`
        /// (`schema_core::with_tenant` sets the default, `app.current_account_id`).
        pub const TENANT_SETTING: &str = #tenant_setting;

        /// Every view declared in this crate (`schema!`'s `views(...)`).
        pub const VIEWS: &[&::schema_core::__private::ViewDescriptor] = &[#(#view_descriptors),*];

        /// The declared schema, ready to diff, render or compare with a live database.
        pub fn schema() -> ::core::result::Result<
            ::schema_core::__private::Schema,
            ::schema_core::descriptor::SchemaError,
        > {
            ::schema_core::__private::Schema::from_descriptors_with_roles(TABLES, &ROLES)
                .and_then(|schema| schema.with_extensions(EXTENSIONS).with_views(VIEWS))
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
