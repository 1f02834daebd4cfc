//! `#[derive(PgEnum)]`: a Rust enum as a native PostgreSQL enum type.

use crate::ctxt::{unknown_key_message, Ctxt};
use crate::names::{check_identifier, MAX_IDENTIFIER_BYTES};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;

fn snake_case(ident: &str) -> String {
    let mut out = String::new();
    for (i, c) in ident.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub fn expand(input: TokenStream) -> TokenStream {
    let item: syn::DeriveInput = match syn::parse2(input) {
        Ok(item) => item,
        Err(e) => return e.to_compile_error(),
    };
    let cx = Ctxt::default();
    let mut schema: Option<LitStr> = None;
    let mut name: Option<LitStr> = None;
    for attr in item.attrs.iter().filter(|a| a.path().is_ident("pg_enum")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("schema") {
                schema = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("name") {
                name = Some(meta.value()?.parse()?);
            } else {
                let key = meta
                    .path
                    .get_ident()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                cx.error_spanned_by(
                    &meta.path,
                    unknown_key_message("`pg_enum`", &key, &["schema", "name"]),
                );
                if meta.input.peek(syn::Token![=]) {
                    meta.value()?.parse::<syn::Expr>()?;
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    let ident = &item.ident;
    if schema.is_none() {
        cx.error_spanned_by(
            ident,
            "missing `#[pg_enum(schema = \"...\")]`\nhelp: the correct format looks like #[pg_enum(schema = \"voicemail\", name = \"transcription_status\")]; `name` defaults to the enum's name in snake_case",
        );
    }
    let type_name = name
        .as_ref()
        .map(LitStr::value)
        .unwrap_or_else(|| snake_case(&ident.to_string()));
    let name_span = name.as_ref().map(LitStr::span).unwrap_or(ident.span());
    if let Some(schema) = &schema {
        crate::names::check_schema_name(&cx, schema.span(), &schema.value());
        check_identifier(&cx, name_span, "type name", &type_name);
    }

    let mut variants = Vec::new();
    match &item.data {
        syn::Data::Enum(data) => {
            if data.variants.is_empty() {
                cx.error_spanned_by(ident, "a PostgreSQL enum needs at least one value");
            }
            for variant in &data.variants {
                if !matches!(variant.fields, syn::Fields::Unit) {
                    cx.error_spanned_by(
                        &variant.fields,
                        "`PgEnum` variants carry no data: each is one value of the PostgreSQL enum",
                    );
                }
                let mut value = snake_case(&variant.ident.to_string());
                let mut span = variant.ident.span();
                for attr in variant
                    .attrs
                    .iter()
                    .filter(|a| a.path().is_ident("pg_enum"))
                {
                    let result = attr.parse_nested_meta(|meta| {
                        if meta.path.is_ident("rename") {
                            let lit: LitStr = meta.value()?.parse()?;
                            value = lit.value();
                            span = lit.span();
                        } else {
                            cx.error_spanned_by(
                                &meta.path,
                                "unknown `pg_enum` key on a variant\nhelp: the correct format looks like #[pg_enum(rename = \"not_requested\")]",
                            );
                            if meta.input.peek(syn::Token![=]) {
                                meta.value()?.parse::<syn::Expr>()?;
                            }
                        }
                        Ok(())
                    });
                    if let Err(e) = result {
                        cx.syn_error(e);
                    }
                }
                crate::names::check_no_nul(&cx, span, "enum value", &value);
                if value.is_empty() || value.len() > MAX_IDENTIFIER_BYTES {
                    cx.syn_error(syn::Error::new(
                        span,
                        format!("enum value `{value}` must be 1 to {MAX_IDENTIFIER_BYTES} bytes"),
                    ));
                }
                if variants
                    .iter()
                    .any(|(_, v, _): &(syn::Ident, String, Span)| *v == value)
                {
                    cx.syn_error(syn::Error::new(
                        span,
                        format!("enum value `{value}` is used twice\nhelp: rename one with #[pg_enum(rename = \"...\")]"),
                    ));
                }
                variants.push((variant.ident.clone(), value, span));
            }
        }
        _ => cx.error_spanned_by(
            ident,
            "`PgEnum` derives a PostgreSQL enum from a Rust enum of unit variants",
        ),
    }
    if !item.generics.params.is_empty() {
        cx.error_spanned_by(&item.generics, "a `PgEnum` cannot be generic");
    }
    if let Some(errors) = cx.into_compile_errors() {
        return errors;
    }
    let schema = schema.expect("checked above").value();
    let sql_type = ident;
    let rust_name = ident.to_string();
    let values: Vec<&String> = variants.iter().map(|(_, v, _)| v).collect();
    let idents: Vec<&syn::Ident> = variants.iter().map(|(i, _, _)| i).collect();
    let bytes: Vec<syn::LitByteStr> = values
        .iter()
        .map(|v| syn::LitByteStr::new(v.as_bytes(), Span::call_site()))
        .collect();
    let unknown = format!("unknown `{schema}.{type_name}` value `{{}}` for `{ident}`");
    let bound = quote!(::diesel::internal::derives::as_expression::Bound);
    let expr_impls = |target: TokenStream, generics: TokenStream| {
        quote! {
            impl #generics ::diesel::expression::AsExpression<#sql_type> for #target {
                type Expression = #bound<#sql_type, Self>;
                fn as_expression(self) -> Self::Expression { #bound::new(self) }
            }
            impl #generics ::diesel::expression::AsExpression<::diesel::sql_types::Nullable<#sql_type>> for #target {
                type Expression = #bound<::diesel::sql_types::Nullable<#sql_type>, Self>;
                fn as_expression(self) -> Self::Expression { #bound::new(self) }
            }
        }
    };
    let owned = expr_impls(quote!(#ident), quote!());
    let by_ref = expr_impls(quote!(&'__expr #ident), quote!(<'__expr>));
    let by_ref_ref = expr_impls(
        quote!(&'__expr2 &'__expr #ident),
        quote!(<'__expr, '__expr2>),
    );
    // The enum is its own Diesel SQL type (as `diesel::sql_types::Text` is a type): a
    // separate marker type could only be named through `<Enum as PgEnum>::SqlType`, and that
    // projection defeats trait resolution in the impls `table!` writes for each column.
    quote! {
        impl ::schema_core::__private::PgEnum for #ident {
            const DESCRIPTOR: &'static ::schema_core::__private::EnumDescriptor =
                &::schema_core::__private::EnumDescriptor {
                    rust_name: #rust_name,
                    schema: #schema,
                    name: #type_name,
                    values: &[#(#values),*],
                };
        }

        const _: () = {
            impl ::diesel::sql_types::SqlType for #ident {
                type IsNull = ::diesel::sql_types::is_nullable::NotNull;
                const IS_ARRAY: bool = false;
            }

            impl ::diesel::sql_types::SingleValue for #ident {}

            impl ::diesel::sql_types::HasSqlType<#ident> for ::diesel::pg::Pg {
                fn metadata(lookup: &mut Self::MetadataLookup) -> ::diesel::pg::PgTypeMetadata {
                    ::diesel::pg::PgMetadataLookup::lookup_type(lookup, #type_name, ::core::option::Option::Some(#schema))
                }
            }

            impl ::diesel::query_builder::QueryId for #ident {
                type QueryId = #ident;
                const HAS_STATIC_QUERY_ID: bool = true;
            }

            impl ::diesel::serialize::ToSql<#sql_type, ::diesel::pg::Pg> for #ident {
                fn to_sql<'__b>(
                    &'__b self,
                    out: &mut ::diesel::serialize::Output<'__b, '_, ::diesel::pg::Pg>,
                ) -> ::diesel::serialize::Result {
                    let bytes: &[u8] = match self {
                        #(#ident::#idents => #bytes,)*
                    };
                    ::std::io::Write::write_all(out, bytes)?;
                    ::diesel::serialize::Result::Ok(::diesel::serialize::IsNull::No)
                }
            }

            impl ::diesel::serialize::ToSql<::diesel::sql_types::Nullable<#sql_type>, ::diesel::pg::Pg> for #ident {
                fn to_sql<'__b>(
                    &'__b self,
                    out: &mut ::diesel::serialize::Output<'__b, '_, ::diesel::pg::Pg>,
                ) -> ::diesel::serialize::Result {
                    ::diesel::serialize::ToSql::<#sql_type, ::diesel::pg::Pg>::to_sql(self, out)
                }
            }

            impl ::diesel::deserialize::FromSql<#sql_type, ::diesel::pg::Pg> for #ident {
                fn from_sql(value: ::diesel::pg::PgValue<'_>) -> ::diesel::deserialize::Result<Self> {
                    match value.as_bytes() {
                        #(#bytes => ::core::result::Result::Ok(#ident::#idents),)*
                        other => ::core::result::Result::Err(::std::format!(#unknown, ::std::string::String::from_utf8_lossy(other)).into()),
                    }
                }
            }

            impl<__DB, __ST> ::diesel::deserialize::Queryable<__ST, __DB> for #ident
            where
                __DB: ::diesel::backend::Backend,
                __ST: ::diesel::sql_types::SingleValue,
                Self: ::diesel::deserialize::FromSql<__ST, __DB>,
            {
                type Row = Self;
                fn build(row: Self) -> ::diesel::deserialize::Result<Self> {
                    ::diesel::deserialize::Result::Ok(row)
                }
            }

            #owned
            #by_ref
            #by_ref_ref
        };
    }
}
