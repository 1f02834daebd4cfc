//! `#[table(...)]` and `#[column(...)]` → plain data. Every problem is reported to the
//! [`Ctxt`] with the span of the offending key, and parsing goes on so all of them show at once.

use crate::ctxt::{unknown_key_message, Ctxt};
use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Ident, LitInt, LitStr, Token};

pub const TABLE_KEYS: &[&str] = &[
    "schema",
    "name",
    "primary_key",
    "unique",
    "index",
    "unique_index",
    "foreign_key",
];
pub const COLUMN_KEYS: &[&str] = &[
    "primary_key",
    "identity",
    "serial",
    "default",
    "varchar",
    "numeric",
    "unique",
    "index",
    "references",
];
const FOREIGN_KEY_KEYS: &[&str] = &[
    "columns",
    "references",
    "target_columns",
    "on_delete",
    "on_update",
    "name",
    "no_join",
];
const REFERENCES_KEYS: &[&str] = &["column", "on_delete", "on_update", "name", "no_join"];
const ACTIONS: &[&str] = &[
    "no_action",
    "restrict",
    "cascade",
    "set_null",
    "set_default",
];

/// A referential action, spelled as PostgreSQL does (`NO ACTION` is one of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[allow(clippy::enum_variant_names)]
pub enum Action {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityKind {
    Always,
    ByDefault,
    Serial,
}

/// A list of columns with an optional explicit name: a key, unique constraint or index.
pub struct ColumnList {
    pub name: Option<LitStr>,
    pub columns: Vec<Ident>,
    pub span: Span,
}

pub struct ForeignKeySpec {
    pub name: Option<LitStr>,
    pub columns: Vec<Ident>,
    pub target: Option<syn::Path>,
    pub target_columns: Vec<Ident>,
    pub on_delete: Action,
    pub on_update: Action,
    pub join: bool,
    pub span: Span,
}

#[derive(Default)]
pub struct TableAttrs {
    pub schema: Option<LitStr>,
    pub name: Option<LitStr>,
    pub primary_key: Option<ColumnList>,
    pub uniques: Vec<ColumnList>,
    pub indexes: Vec<(ColumnList, bool)>,
    pub foreign_keys: Vec<ForeignKeySpec>,
}

#[derive(Default)]
pub struct ColumnAttrs {
    pub primary_key: Option<Span>,
    pub identity: Option<(IdentityKind, Span)>,
    pub default: Option<LitStr>,
    pub varchar: Option<LitInt>,
    pub numeric: Option<(LitInt, LitInt, Span)>,
    pub unique: Option<Span>,
    pub index: Option<Span>,
    pub references: Option<ForeignKeySpec>,
}

/// Tracks which keys one attribute already used, to reject duplicates.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    fn first(&mut self, cx: &Ctxt, meta: &ParseNestedMeta) -> bool {
        let key = path_key(&meta.path);
        if self.0.contains(&key) {
            cx.error_spanned_by(
                &meta.path,
                format!("duplicate `{key}`\nhelp: give each key once per attribute"),
            );
            return false;
        }
        self.0.push(key);
        true
    }
}

fn path_key(path: &syn::Path) -> String {
    path.get_ident()
        .map(Ident::to_string)
        .unwrap_or_else(|| quote::quote!(#path).to_string().replace(' ', ""))
}

/// Consumes whatever value an unknown or rejected key carries, so parsing can go on.
fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.input.parse::<Token![=]>()?;
        meta.input.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<TokenStream>()?;
    }
    Ok(())
}

fn parse_action(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Action> {
    let value: syn::Expr = meta.value()?.parse()?;
    let text = match &value {
        syn::Expr::Path(p) => p.path.get_ident().map(Ident::to_string),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    };
    Ok(match text.as_deref() {
        Some("no_action") => Action::NoAction,
        Some("restrict") => Action::Restrict,
        Some("cascade") => Action::Cascade,
        Some("set_null") => Action::SetNull,
        Some("set_default") => Action::SetDefault,
        _ => {
            cx.error_spanned_by(
                &value,
                format!(
                    "unknown referential action\nhelp: use one of {}, e.g. `on_delete = cascade`",
                    ACTIONS
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            Action::NoAction
        }
    })
}

fn parse_ident_list(meta: &ParseNestedMeta) -> syn::Result<Vec<Ident>> {
    let mut idents = Vec::new();
    meta.parse_nested_meta(|inner| {
        match inner.path.get_ident() {
            Some(ident) if inner.input.is_empty() || inner.input.peek(Token![,]) => {
                idents.push(ident.clone())
            }
            _ => return Err(inner.error("expected a column name")),
        }
        Ok(())
    })?;
    Ok(idents)
}

/// `unique(a, b)`, `index(a, b, name = "...")`.
fn parse_column_list(cx: &Ctxt, meta: &ParseNestedMeta, what: &str) -> syn::Result<ColumnList> {
    let span = meta.path.span();
    let mut list = ColumnList {
        name: None,
        columns: Vec::new(),
        span,
    };
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("name") && inner.input.peek(Token![=]) {
            list.name = Some(inner.value()?.parse()?);
        } else if let Some(ident) = inner.path.get_ident() {
            list.columns.push(ident.clone());
        } else {
            cx.error_spanned_by(
                &inner.path,
                format!("expected a column name in `{what}(...)`"),
            );
            skip_value(&inner)?;
        }
        Ok(())
    })?;
    if list.columns.is_empty() {
        cx.error_spanned_by(
            &meta.path,
            format!("`{what}` needs at least one column\nhelp: the correct format looks like #[table({what}(first_column, second_column))]"),
        );
    }
    Ok(list)
}

fn empty_foreign_key(span: Span) -> ForeignKeySpec {
    ForeignKeySpec {
        name: None,
        columns: Vec::new(),
        target: None,
        target_columns: Vec::new(),
        on_delete: Action::NoAction,
        on_update: Action::NoAction,
        join: true,
        span,
    }
}

/// `foreign_key(columns(a, b), references = Target, target_columns(x, y), on_delete = cascade)`.
fn parse_table_foreign_key(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<ForeignKeySpec> {
    let mut fk = empty_foreign_key(meta.path.span());
    let mut seen = Seen::default();
    meta.parse_nested_meta(|inner| {
        if !seen.first(cx, &inner) {
            return skip_value(&inner);
        }
        let key = path_key(&inner.path);
        match key.as_str() {
            "columns" => fk.columns = parse_ident_list(&inner)?,
            "target_columns" => fk.target_columns = parse_ident_list(&inner)?,
            "references" => fk.target = Some(inner.value()?.parse()?),
            "on_delete" => fk.on_delete = parse_action(cx, &inner)?,
            "on_update" => fk.on_update = parse_action(cx, &inner)?,
            "name" => fk.name = Some(inner.value()?.parse()?),
            "no_join" => fk.join = false,
            _ => {
                cx.error_spanned_by(
                    &inner.path,
                    unknown_key_message("`foreign_key`", &key, FOREIGN_KEY_KEYS),
                );
                skip_value(&inner)?;
            }
        }
        Ok(())
    })?;
    if fk.columns.is_empty() || fk.target.is_none() {
        cx.error_spanned_by(
            &meta.path,
            "`foreign_key` needs `columns(...)` and `references = Table`\nhelp: the correct format looks like #[table(foreign_key(columns(account_id, user_id), references = Membership, target_columns(account_id, user_id)))]",
        );
    }
    Ok(fk)
}

/// `references = Target` or `references(Target, column = id, on_delete = cascade, no_join)`.
fn parse_column_references(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    field: &Ident,
) -> syn::Result<ForeignKeySpec> {
    let mut fk = empty_foreign_key(meta.path.span());
    fk.columns.push(field.clone());
    if meta.input.peek(Token![=]) {
        fk.target = Some(meta.value()?.parse()?);
        return Ok(fk);
    }
    let mut seen = Seen::default();
    meta.parse_nested_meta(|inner| {
        let key = path_key(&inner.path);
        let is_key = REFERENCES_KEYS.contains(&key.as_str());
        let bare = inner.input.is_empty() || inner.input.peek(Token![,]);
        if bare && !is_key && fk.target.is_none() {
            fk.target = Some(inner.path.clone());
            return Ok(());
        }
        if !seen.first(cx, &inner) {
            return skip_value(&inner);
        }
        match key.as_str() {
            "column" => {
                let column: Ident = inner.value()?.parse()?;
                fk.target_columns = vec![column];
            }
            "on_delete" => fk.on_delete = parse_action(cx, &inner)?,
            "on_update" => fk.on_update = parse_action(cx, &inner)?,
            "name" => fk.name = Some(inner.value()?.parse()?),
            "no_join" => fk.join = false,
            _ => {
                cx.error_spanned_by(
                    &inner.path,
                    unknown_key_message("`references`", &key, REFERENCES_KEYS),
                );
                skip_value(&inner)?;
            }
        }
        Ok(())
    })?;
    if fk.target.is_none() {
        cx.error_spanned_by(
            &meta.path,
            "`references` needs the referenced table's struct\nhelp: the correct format looks like #[column(references(Account, on_delete = cascade))]",
        );
    }
    Ok(fk)
}

pub fn parse_table_attrs(cx: &Ctxt, args: TokenStream) -> TableAttrs {
    let mut attrs = TableAttrs::default();
    let mut seen = Seen::default();
    let parser = syn::meta::parser(|meta| {
        let key = path_key(&meta.path);
        let repeatable = matches!(
            key.as_str(),
            "unique" | "index" | "unique_index" | "foreign_key"
        );
        if !repeatable && !seen.first(cx, &meta) {
            return skip_value(&meta);
        }
        match key.as_str() {
            "schema" => attrs.schema = Some(meta.value()?.parse()?),
            "name" => attrs.name = Some(meta.value()?.parse()?),
            "primary_key" => attrs.primary_key = Some(parse_column_list(cx, &meta, "primary_key")?),
            "unique" => attrs.uniques.push(parse_column_list(cx, &meta, "unique")?),
            "index" => attrs
                .indexes
                .push((parse_column_list(cx, &meta, "index")?, false)),
            "unique_index" => attrs
                .indexes
                .push((parse_column_list(cx, &meta, "unique_index")?, true)),
            "foreign_key" => attrs.foreign_keys.push(parse_table_foreign_key(cx, &meta)?),
            _ => {
                cx.error_spanned_by(&meta.path, unknown_key_message("`table`", &key, TABLE_KEYS));
                skip_value(&meta)?;
            }
        }
        Ok(())
    });
    if let Err(e) = syn::parse::Parser::parse2(parser, args) {
        cx.syn_error(e);
    }
    attrs
}

pub fn parse_column_attrs(cx: &Ctxt, field: &syn::Field, ident: &Ident) -> ColumnAttrs {
    let mut attrs = ColumnAttrs::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("column")) {
        let mut seen = Seen::default();
        let result = attr.parse_nested_meta(|meta| {
            if !seen.first(cx, &meta) {
                return skip_value(&meta);
            }
            let key = path_key(&meta.path);
            let span = meta.path.span();
            match key.as_str() {
                "primary_key" => attrs.primary_key = Some(span),
                "identity" => {
                    let kind = if meta.input.peek(Token![=]) {
                        let lit: LitStr = meta.value()?.parse()?;
                        match lit.value().as_str() {
                            "always" => IdentityKind::Always,
                            "by_default" => IdentityKind::ByDefault,
                            _ => {
                                cx.error_spanned_by(&lit, "unknown identity kind\nhelp: use `identity` (GENERATED ALWAYS), `identity = \"always\"` or `identity = \"by_default\"`");
                                IdentityKind::Always
                            }
                        }
                    } else {
                        IdentityKind::Always
                    };
                    set_identity(cx, &mut attrs, kind, span, &meta.path);
                }
                "serial" => set_identity(cx, &mut attrs, IdentityKind::Serial, span, &meta.path),
                "default" => attrs.default = Some(meta.value()?.parse()?),
                "varchar" => attrs.varchar = Some(meta.value()?.parse()?),
                "numeric" => {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let precision: LitInt = content.parse()?;
                    content.parse::<Token![,]>()?;
                    let scale: LitInt = content.parse()?;
                    attrs.numeric = Some((precision, scale, span));
                }
                "unique" => attrs.unique = Some(span),
                "index" => attrs.index = Some(span),
                "references" => attrs.references = Some(parse_column_references(cx, &meta, ident)?),
                _ => {
                    cx.error_spanned_by(&meta.path, unknown_key_message("`column`", &key, COLUMN_KEYS));
                    skip_value(&meta)?;
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    attrs
}

fn set_identity(
    cx: &Ctxt,
    attrs: &mut ColumnAttrs,
    kind: IdentityKind,
    span: Span,
    path: &syn::Path,
) {
    if attrs.identity.is_some() {
        cx.error_spanned_by(
            path,
            "conflicting `identity` and `serial`: a column generates its values one way\nhelp: prefer `identity` (the SQL-standard form); `serial` is for existing serial columns",
        );
        return;
    }
    attrs.identity = Some((kind, span));
}
