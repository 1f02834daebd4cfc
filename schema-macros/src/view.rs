//! `#[view]`: a read-only struct over a declared `SELECT`, created `WITH (security_invoker =
//! true)` so its readers stay under their own privileges and row-level security.
//!
//! The query is parsed at compile time: one `SELECT` (no `;`-separated second statement), and
//! every table it reads named with its schema, so the migrations know which tables it depends
//! on (a change of one drops and creates the view around it).

use crate::ctxt::{unknown_key_message, Ctxt};
use crate::names;
use crate::table::codegen::{base_sql_type, diesel_type, enum_sql_type_alias, type_descriptor};
use crate::table::table_type_alias;
use crate::types::{self, FieldType, Scalar};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use sqlparser::ast::{Query, Statement, Visit, Visitor};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};
use std::collections::BTreeSet;
use std::ops::ControlFlow;
use syn::ext::IdentExt as _;
use syn::spanned::Spanned;
use syn::{Ident, LitStr};

const KEYS: &[&str] = &["schema", "name", "query", "key", "read_by"];
const READERS: &[&str] = &["app", "identity", "provisioning", "monitor"];

#[derive(Default)]
struct Attrs {
    /// Known keys an unknown one was taken for: their "missing" errors would repeat it.
    misspelt: Vec<&'static str>,
    schema: Option<LitStr>,
    name: Option<LitStr>,
    query: Option<LitStr>,
    key: Option<Vec<Ident>>,
    read_by: Vec<Ident>,
}

fn parse_attrs(cx: &Ctxt, args: TokenStream) -> Attrs {
    let mut attrs = Attrs::default();
    let mut seen: Vec<String> = Vec::new();
    let parser = syn::meta::parser(|meta| {
        let key = meta
            .path
            .get_ident()
            .map(Ident::to_string)
            .unwrap_or_default();
        if seen.contains(&key) {
            cx.error_spanned_by(
                &meta.path,
                format!("duplicate `{key}`\nhelp: give each key once per attribute"),
            );
        }
        seen.push(key.clone());
        let list = |meta: &syn::meta::ParseNestedMeta| -> syn::Result<Vec<Ident>> {
            let content;
            syn::parenthesized!(content in meta.input);
            Ok(content
                .parse_terminated(Ident::parse_any, syn::Token![,])?
                .into_iter()
                .collect())
        };
        match key.as_str() {
            "schema" => attrs.schema = Some(meta.value()?.parse()?),
            "name" => attrs.name = Some(meta.value()?.parse()?),
            "query" => attrs.query = Some(meta.value()?.parse()?),
            "key" => attrs.key = Some(list(&meta)?),
            "read_by" => attrs.read_by = list(&meta)?,
            _ => {
                cx.error_spanned_by(&meta.path, unknown_key_message("view", &key, KEYS));
                attrs.misspelt.extend(crate::ctxt::did_you_mean(&key, KEYS));
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                } else if meta.input.peek(syn::token::Paren) {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let _: TokenStream = content.parse()?;
                }
            }
        }
        Ok(())
    });
    if let Err(e) = syn::parse::Parser::parse2(parser, args) {
        cx.syn_error(syn::Error::new(
            e.span(),
            format!("{e}\nhelp: the correct format looks like #[view(schema = \"billing\", name = \"open_invoices\", query = \"SELECT id, total FROM billing.invoices WHERE paid_at IS NULL\")]"),
        ));
    }
    attrs
}

/// The CTE names a query defines, at any depth: `FROM` may name them without a schema.
#[derive(Default)]
struct CteNames(BTreeSet<String>);

impl Visitor for CteNames {
    type Break = ();
    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        for cte in query.with.iter().flat_map(|w| &w.cte_tables) {
            self.0.insert(fold(&cte.alias.name));
        }
        ControlFlow::Continue(())
    }
}

/// An identifier as PostgreSQL reads it: unquoted ones fold to lower case.
fn fold(ident: &sqlparser::ast::Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// The query's text to store (trimmed, without a trailing `;`) and the (schema, table) names it
/// reads; `None` after reporting why it cannot be a view's query.
fn check_query(cx: &Ctxt, lit: &LitStr) -> Option<(String, Vec<(String, String)>)> {
    let text = lit.value();
    names::check_no_nul(cx, lit.span(), "the query", &text);
    let trimmed = text.trim().trim_end_matches(';').trim_end().to_string();
    let help = "help: a view's query is one SELECT, e.g. query = \"SELECT id, total FROM billing.invoices WHERE paid_at IS NULL\"";
    // The query is written into the migration as it is. A `;` anywhere in it (even where a
    // parser would see a string) could end the CREATE VIEW and start a statement of its own,
    // so none is accepted whatever the lexing; a comment would swallow what follows it.
    if trimmed.contains(';') {
        cx.syn_error(syn::Error::new(
            lit.span(),
            "the view's query contains `;`, which could end the CREATE VIEW in the migration and start another statement\nhelp: a view is one SELECT without `;`; inside a string, write it as chr(59)",
        ));
        return None;
    }
    if let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, &trimmed).tokenize() {
        if tokens.iter().any(|t| {
            matches!(
                t,
                Token::Whitespace(
                    Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)
                )
            )
        }) {
            cx.syn_error(syn::Error::new(
                lit.span(),
                "the view's query contains a SQL comment (`--` or `/* */`), which would comment out what the migration writes after it (and PostgreSQL does not keep it)\nhelp: remove it; explain the view in the struct's doc comment",
            ));
            return None;
        }
    }
    let statements = match Parser::parse_sql(&PostgreSqlDialect {}, &trimmed) {
        Ok(statements) => statements,
        Err(e) => {
            cx.syn_error(syn::Error::new(
                lit.span(),
                format!("the view's query does not parse: {e}\n{help}"),
            ));
            return None;
        }
    };
    let query = match statements.as_slice() {
        [Statement::Query(query)] => query,
        [_] => {
            cx.syn_error(syn::Error::new(
                lit.span(),
                format!("the view's query must be a SELECT, not another kind of statement\n{help}"),
            ));
            return None;
        }
        _ => {
            cx.syn_error(syn::Error::new(
                lit.span(),
                format!(
                    "the view's query holds {} statements; a view is one SELECT\n{help}",
                    statements.len()
                ),
            ));
            return None;
        }
    };
    let mut ctes = CteNames::default();
    let _ = query.visit(&mut ctes);
    let mut reads = BTreeSet::new();
    let mut bad = Vec::new();
    let _ = sqlparser::ast::visit_relations(query.as_ref(), |name| {
        let parts: Vec<String> = name
            .0
            .iter()
            .map(|p| p.as_ident().map(fold).unwrap_or_default())
            .collect();
        match parts.as_slice() {
            [schema, table] if !schema.is_empty() && !table.is_empty() => {
                reads.insert((schema.clone(), table.clone()));
            }
            [cte] if ctes.0.contains(cte) => {}
            _ => bad.push(name.to_string()),
        }
        ControlFlow::<()>::Continue(())
    });
    for name in bad {
        cx.syn_error(syn::Error::new(
            lit.span(),
            format!("the view's query reads `{name}`, which is not a `schema.table` name; name every table with its schema (the view must not depend on the search_path, and its migrations must know what it reads)\nhelp: e.g. `FROM billing.invoices`"),
        ));
    }
    Some((trimmed, reads.into_iter().collect()))
}

struct Field {
    ident: Ident,
    name: String,
    ty: FieldType,
}

pub fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut item: syn::ItemStruct = match syn::parse2(input) {
        Ok(item) => item,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "`#[view]` applies to a struct with named fields, one per column of the view\nhelp: the correct format looks like #[view(schema = \"billing\", name = \"open_invoices\", query = \"SELECT ...\")] pub struct OpenInvoice { ... }",
            )
            .to_compile_error()
        }
    };
    let cx = Ctxt::default();
    let attrs = parse_attrs(&cx, args);
    let span = item.ident.span();
    let schema = match &attrs.schema {
        Some(lit) => {
            names::check_schema_name(&cx, lit.span(), &lit.value());
            lit.value()
        }
        None if attrs.misspelt.contains(&"schema") => String::new(),
        None => {
            cx.syn_error(syn::Error::new(span, "`#[view]` needs `schema = \"...\"`, the PostgreSQL schema that holds the view\nhelp: #[view(schema = \"billing\", name = \"open_invoices\", query = \"SELECT ...\")]"));
            String::new()
        }
    };
    let name = match &attrs.name {
        Some(lit) => {
            let name = lit.value();
            if names::check_identifier(&cx, lit.span(), "view name", &name) {
                names::check_rust_item_name(&cx, lit.span(), "view name", &name);
            }
            name
        }
        None if attrs.misspelt.contains(&"name") => String::new(),
        None => {
            cx.syn_error(syn::Error::new(span, "`#[view]` needs `name = \"...\"`, the view's name\nhelp: #[view(schema = \"billing\", name = \"open_invoices\", query = \"SELECT ...\")]"));
            String::new()
        }
    };
    let query = match &attrs.query {
        Some(lit) => check_query(&cx, lit),
        None if attrs.misspelt.contains(&"query") => None,
        None => {
            cx.syn_error(syn::Error::new(span, "`#[view]` needs `query = \"SELECT ...\"`, the view's query\nhelp: #[view(schema = \"billing\", name = \"open_invoices\", query = \"SELECT id, total FROM billing.invoices WHERE paid_at IS NULL\")]"));
            None
        }
    };
    if !item.generics.params.is_empty() {
        cx.error_spanned_by(
            &item.generics,
            "a view's struct cannot be generic\nhelp: remove the generic parameters",
        );
    }
    let mut fields = Vec::new();
    match &mut item.fields {
        syn::Fields::Named(named) => {
            for field in &mut named.named {
                let ident = field.ident.clone().expect("named fields");
                let name = ident.unraw().to_string();
                names::check_identifier(&cx, ident.span(), "column name", &name);
                if names::DIESEL_ITEMS.contains(&name.as_str()) {
                    cx.error_spanned_by(&ident, format!("a column named `{name}` clashes with the item of that name Diesel's `table!` generates\nhelp: rename it in the query (`AS {name}_`) and the field"));
                }
                if let Some(attr) = field.attrs.iter().find(|a| a.path().is_ident("column")) {
                    cx.error_spanned_by(attr, "a view's fields take no `#[column]`: the view's query decides its columns\nhelp: remove the attribute; the field's Rust type says how Diesel reads the column");
                }
                field.attrs.retain(|a| !a.path().is_ident("column"));
                match types::classify(&field.ty) {
                    Ok(ty) => fields.push(Field { ident, name, ty }),
                    Err(message) => cx.error_spanned_by(&field.ty, message),
                }
            }
        }
        _ => cx.error_spanned_by(&item.ident, "a view's struct has named fields, one per column of the view\nhelp: pub struct OpenInvoice { pub id: i64, pub total: bigdecimal::BigDecimal }"),
    }
    if fields.is_empty() && matches!(item.fields, syn::Fields::Named(_)) {
        cx.error_spanned_by(
            &item.ident,
            "a view has at least one column\nhelp: add a field per column of the query",
        );
    }
    let mut seen_fields = BTreeSet::new();
    for f in &fields {
        if !seen_fields.insert(f.name.clone()) {
            cx.error_spanned_by(&f.ident, format!("column `{}` is declared twice", f.name));
        }
    }
    let key: Vec<Ident> = match &attrs.key {
        Some(list) => {
            for k in list {
                if !fields.iter().any(|f| f.ident == *k) {
                    cx.error_spanned_by(k, format!("`key({k})` names no field of the view\nhelp: name the fields that identify a row, e.g. key(account_id)"));
                }
            }
            if list.is_empty() {
                cx.syn_error(syn::Error::new(span, "`key()` is empty\nhelp: name the fields that identify a row, e.g. key(account_id)"));
            }
            list.clone()
        }
        None => fields
            .first()
            .map(|f| f.ident.clone())
            .into_iter()
            .collect(),
    };
    let mut readers = Vec::new();
    for reader in &attrs.read_by {
        let word = reader.to_string();
        if READERS.contains(&word.as_str()) {
            readers.push(format_ident!("{}", upper_camel(&word)));
        } else {
            cx.error_spanned_by(
                reader,
                unknown_key_message("role", &word, READERS)
                    .replace("unknown role key", "unknown role"),
            );
        }
    }
    let comment = crate::table::checked_doc_comment(&cx, &item.attrs);
    if let Some(errors) = cx.into_compile_errors() {
        let stand_in = errored_stand_in(&item);
        return quote!(#errors #item #stand_in);
    }
    let (query, reads) = query.expect("no error, so the query was checked");
    codegen(
        &item, &schema, &name, &query, &reads, &fields, &key, &readers, comment,
    )
}

/// For a declaration with errors: a placeholder table and descriptor, so `schema!` and queries
/// using the struct compile and only the declaration's own errors are shown.
fn errored_stand_in(item: &syn::ItemStruct) -> TokenStream {
    if !item.generics.params.is_empty() {
        return TokenStream::new();
    }
    let ident = &item.ident;
    let module = format_ident!("__schema_errored_{}", ident);
    let alias = table_type_alias(ident);
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case)]
        pub mod #module {
            ::diesel::table! {
                errored (id) {
                    id -> ::diesel::sql_types::BigInt,
                }
            }
        }
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        pub type #alias = #module::errored::table;
        impl ::schema_core::__private::View for #ident {
            const DESCRIPTOR: &'static ::schema_core::__private::ViewDescriptor =
                &::schema_core::__private::ViewDescriptor::ERRORED;
        }
    }
}

fn upper_camel(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn codegen(
    item: &syn::ItemStruct,
    schema: &str,
    name: &str,
    query: &str,
    reads: &[(String, String)],
    fields: &[Field],
    key: &[Ident],
    readers: &[Ident],
    comment: Option<String>,
) -> TokenStream {
    let ident = &item.ident;
    let vis = &item.vis;
    let module = names::rust_ident(name, Span::call_site());
    let schema_ident = format_ident!("{}", schema);
    let alias = table_type_alias(ident);
    let rust_name = ident.to_string();
    let columns = fields.iter().map(|f| {
        let field = &f.ident;
        let ty = diesel_type(ident, &f.ident, &f.ty, false, false);
        quote!(#field -> #ty,)
    });
    let enum_aliases = fields.iter().filter_map(|f| match &f.ty.scalar {
        Scalar::Enum(path) => {
            let alias = enum_sql_type_alias(ident, &f.ident);
            Some(quote_spanned! {path.span()=>
                #[doc(hidden)]
                #[allow(non_camel_case_types)]
                #vis type #alias = #path;
            })
        }
        Scalar::Known(_) => None,
    });
    let enum_imports = fields.iter().filter_map(|f| match &f.ty.scalar {
        Scalar::Enum(_) => {
            let alias = enum_sql_type_alias(ident, &f.ident);
            Some(quote!(use super::#alias;))
        }
        Scalar::Known(_) => None,
    });
    let column_descriptors = fields.iter().map(|f| {
        let name = &f.name;
        let ty = type_descriptor(&f.ty, |rust| base_sql_type(rust, None, None, false));
        quote!((#name, #ty))
    });
    let reads = reads.iter().map(|(s, t)| quote!((#s, #t)));
    let comment = match comment {
        Some(c) => quote!(::core::option::Option::Some(#c)),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #[derive(::diesel::Queryable, ::diesel::Selectable)]
        #[diesel(table_name = #module, check_for_backend(::diesel::pg::Pg))]
        #item
        #(#enum_aliases)*
        ::diesel::table! {
            #(#enum_imports)*
            #schema_ident.#module (#(#key),*) {
                #(#columns)*
            }
        }
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis type #alias = #module::table;
        impl ::schema_core::__private::View for #ident {
            const DESCRIPTOR: &'static ::schema_core::__private::ViewDescriptor =
                &::schema_core::__private::ViewDescriptor {
                    rust_name: #rust_name,
                    schema: #schema,
                    name: #name,
                    query: #query,
                    columns: &[#(#column_descriptors),*],
                    reads: &[#(#reads),*],
                    read_by: &[#(::schema_core::__private::RoleKind::#readers),*],
                    comment: #comment,
                };
        }
        const _: () = ::schema_core::__private::assert_view_listed::<#ident>();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str) -> Result<Vec<(String, String)>, String> {
        let cx = Ctxt::default();
        let lit = LitStr::new(query, Span::call_site());
        let out = check_query(&cx, &lit);
        match cx.into_compile_errors() {
            Some(errors) => Err(errors.to_string()),
            None => Ok(out.expect("checked").1),
        }
    }

    #[test]
    fn a_query_cannot_smuggle_a_second_statement_or_a_comment() {
        for hostile in [
            "SELECT 1 AS x FROM billing.invoices; DROP TABLE billing.invoices",
            // PostgreSQL reads 'a\' as a whole string (standard_conforming_strings), so the
            // `;` after it would end the statement whatever a parser makes of the backslash.
            "SELECT 'a\\'; DROP TABLE billing.invoices; --' AS x FROM billing.invoices",
            "SELECT $$;$$ AS x FROM billing.invoices",
            "SELECT E'\\';' AS x FROM billing.invoices",
            "SELECT 1 AS \"a;b\" FROM billing.invoices",
            "SELECT 1 AS x FROM billing.invoices /* ; */",
            "SELECT 1 AS x FROM billing.invoices -- trailing",
            "SELECT 1 AS x FROM billing.invoices /* nested /* */ */",
        ] {
            assert!(check(hostile).is_err(), "accepted: {hostile}");
        }
        // A trailing `;` is trimmed; `--` inside a string is no comment.
        assert_eq!(
            check("SELECT '--' AS x FROM billing.invoices;").unwrap(),
            [("billing".to_string(), "invoices".to_string())]
        );
    }

    #[test]
    fn the_tables_read_are_found_and_ctes_need_no_schema() {
        assert_eq!(
            check("WITH open AS (SELECT * FROM Billing.\"Invoices\") SELECT o.id FROM open o JOIN devices.devices d ON true").unwrap(),
            [
                ("billing".to_string(), "Invoices".to_string()),
                ("devices".to_string(), "devices".to_string())
            ]
        );
        assert!(check("SELECT id FROM invoices")
            .unwrap_err()
            .contains("not a `schema.table` name"));
        assert!(check("SELECT id FROM a.b.c")
            .unwrap_err()
            .contains("not a `schema.table` name"));
        assert!(check("UPDATE billing.invoices SET id = 1")
            .unwrap_err()
            .contains("must be a SELECT"));
    }
}
