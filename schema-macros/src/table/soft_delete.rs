//! The scopes of a soft-delete table.

use super::model::Model;
use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

/// For a soft-delete table (one with `deleted_at`): `live()` (the usual read), `deleted()`,
/// `with_deleted()` (reading deleted rows is explicit), and `soft_delete` / `restore` by key,
/// which are UPDATEs of `deleted_at`.
pub fn scopes(item: &syn::ItemStruct, m: &Model, table_mod: &Ident) -> TokenStream {
    if !m.columns.iter().any(|c| c.name == "deleted_at") {
        return TokenStream::new();
    }
    let ident = &m.ident;
    let vis = &item.vis;
    let syn::Fields::Named(fields) = &item.fields else {
        return TokenStream::new();
    };
    let mut key_types = Vec::new();
    for column in &m.primary_key.1 {
        match fields.named.iter().find(|f| {
            f.ident
                .as_ref()
                .is_some_and(|i| i.to_string().trim_start_matches("r#") == column)
        }) {
            Some(field) => key_types.push(field.ty.clone()),
            None => return TokenStream::new(),
        }
    }
    let key_ty = if key_types.len() == 1 {
        let ty = &key_types[0];
        quote!(#ty)
    } else {
        quote!((#(#key_types),*))
    };
    let live_doc = format!(
        "Live rows of `{}.{}` (`deleted_at IS NULL`): the usual way to read it.",
        m.schema, m.name
    );
    quote! {
        #[allow(dead_code)]
        impl #ident {
            #[doc = #live_doc]
            #vis fn live() -> ::diesel::dsl::Filter<#table_mod::table, ::diesel::dsl::IsNull<#table_mod::deleted_at>> {
                use ::diesel::{ExpressionMethods as _, QueryDsl as _};
                #table_mod::table.filter(#table_mod::deleted_at.is_null())
            }

            /// Soft-deleted rows only.
            #vis fn deleted() -> ::diesel::dsl::Filter<#table_mod::table, ::diesel::dsl::IsNotNull<#table_mod::deleted_at>> {
                use ::diesel::{ExpressionMethods as _, QueryDsl as _};
                #table_mod::table.filter(#table_mod::deleted_at.is_not_null())
            }

            /// Every row, live or soft-deleted.
            #vis fn with_deleted() -> #table_mod::table {
                #table_mod::table
            }

            /// Soft-deletes the row with this key (`UPDATE ... SET deleted_at = now()` if it is
            /// live); returns how many rows changed (0 or 1).
            #vis fn soft_delete(
                conn: &mut ::diesel::PgConnection,
                key: #key_ty,
            ) -> ::diesel::QueryResult<usize> {
                use ::diesel::{ExpressionMethods as _, QueryDsl as _, RunQueryDsl as _};
                ::diesel::update(#table_mod::table.find(key).filter(#table_mod::deleted_at.is_null()))
                    .set(#table_mod::deleted_at.eq(::diesel::dsl::sql::<::diesel::sql_types::Nullable<::diesel::sql_types::Timestamptz>>("now()")))
                    .execute(conn)
            }

            /// Brings a soft-deleted row back; returns how many rows changed (0 or 1).
            #vis fn restore(
                conn: &mut ::diesel::PgConnection,
                key: #key_ty,
            ) -> ::diesel::QueryResult<usize> {
                use ::diesel::{ExpressionMethods as _, QueryDsl as _, RunQueryDsl as _};
                ::diesel::update(#table_mod::table.find(key).filter(#table_mod::deleted_at.is_not_null()))
                    .set(#table_mod::deleted_at.eq(::diesel::dsl::sql::<::diesel::sql_types::Nullable<::diesel::sql_types::Timestamptz>>("NULL")))
                    .execute(conn)
            }
        }
    }
}
