//! Rust field types → PostgreSQL and Diesel SQL types.

use proc_macro2::TokenStream;
use quote::quote;

/// The Rust types a column can have (inside an optional `Option`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RustType {
    I16,
    I32,
    I64,
    Bool,
    F32,
    F64,
    String,
    Uuid,
    DateTimeUtc,
    NaiveDateTime,
    NaiveDate,
    BigDecimal,
    IpNetwork,
    /// `Vec<u8>`: bytea.
    Bytes,
    NaiveTime,
    /// `diesel::pg::data_types::PgInterval`.
    Interval,
    /// `[u8; 6]`: macaddr.
    MacAddr,
    JsonValue,
    /// `schema_core::Jsonb<T>`.
    JsonbTyped,
}

/// A column's element type.
#[derive(Clone)]
pub enum Scalar {
    Known(RustType),
    /// Any other single path: an enum with `#[derive(PgEnum)]`, checked by the compiler
    /// through the `PgEnum` trait.
    Enum(Box<syn::Type>),
}

#[derive(Clone)]
pub struct FieldType {
    pub scalar: Scalar,
    /// `Some(element_nullable)` for `Vec<T>` / `Vec<Option<T>>` (a PostgreSQL array).
    pub array: Option<bool>,
    pub nullable: bool,
}

impl FieldType {
    /// The Rust type when the column is a plain built-in scalar (not an array, not an enum).
    pub fn known(&self) -> Option<RustType> {
        match (&self.scalar, self.array) {
            (Scalar::Known(t), None) => Some(*t),
            _ => None,
        }
    }

    /// The element's Rust type, array or not.
    pub fn element(&self) -> Option<RustType> {
        match &self.scalar {
            Scalar::Known(t) => Some(*t),
            Scalar::Enum(_) => None,
        }
    }
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        syn::Type::Group(g) => last_segment(&g.elem),
        syn::Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

fn single_generic(seg: &syn::PathSegment) -> Option<&syn::Type> {
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// Maps a field's type; `Err` carries the message for an unsupported one.
pub fn classify(ty: &syn::Type) -> Result<FieldType, String> {
    let unsupported = || {
        format!(
            "unsupported column type `{}`\nhelp: supported types are {}",
            quote!(#ty).to_string().replace(' ', ""),
            schema_rules::types::supported_list()
        )
    };
    if let Some(mac) = mac_address(ty) {
        return mac.map_err(|found| format!("unsupported column type `{found}`: the byte array PostgreSQL stores is a MAC address, `[u8; 6]` (macaddr)\nhelp: use `[u8; 6]`, or `Vec<u8>` (bytea) for other bytes"));
    }
    let seg = last_segment(ty).ok_or_else(unsupported)?;
    let name = seg.ident.to_string();
    if name == "Option" {
        let inner = single_generic(seg).ok_or_else(unsupported)?;
        let inner = classify(inner)?;
        if inner.nullable {
            return Err("`Option<Option<T>>` cannot be a column: a column is nullable or not\nhelp: use a single `Option<T>`".into());
        }
        return Ok(FieldType {
            nullable: true,
            ..inner
        });
    }
    if name == "Vec" {
        let inner = single_generic(seg).ok_or_else(unsupported)?;
        if is_u8(inner) {
            // Bytes are one value (bytea), not an array of numbers PostgreSQL does not have.
            return Ok(FieldType {
                scalar: Scalar::Known(RustType::Bytes),
                array: None,
                nullable: false,
            });
        }
        let inner = classify(inner)?;
        if inner.array.is_some() {
            return Err("`Vec<Vec<T>>` cannot be a column: the DSL declares one-dimensional arrays\nhelp: use `Vec<T>`, or a `Jsonb<T>` column for nested data".into());
        }
        return Ok(FieldType {
            scalar: inner.scalar,
            array: Some(inner.nullable),
            nullable: false,
        });
    }
    let plain = matches!(seg.arguments, syn::PathArguments::None);
    let rust = match name.as_str() {
        "i16" if plain => RustType::I16,
        "i32" if plain => RustType::I32,
        "i64" if plain => RustType::I64,
        "bool" if plain => RustType::Bool,
        "f32" if plain => RustType::F32,
        "f64" if plain => RustType::F64,
        "String" if plain => RustType::String,
        "Uuid" if plain => RustType::Uuid,
        "NaiveDateTime" if plain => RustType::NaiveDateTime,
        "NaiveDate" if plain => RustType::NaiveDate,
        "NaiveTime" if plain => RustType::NaiveTime,
        "PgInterval" if plain => RustType::Interval,
        "BigDecimal" if plain => RustType::BigDecimal,
        "IpNetwork" if plain => RustType::IpNetwork,
        "Value" | "JsonValue" if plain => RustType::JsonValue,
        "Jsonb" if single_generic(seg).is_some() => RustType::JsonbTyped,
        "DateTime" => match single_generic(seg).and_then(last_segment) {
            Some(tz) if tz.ident == "Utc" => RustType::DateTimeUtc,
            _ => {
                return Err(format!(
                    "unsupported column type `{}`: PostgreSQL's timestamptz maps to `DateTime<Utc>`\nhelp: use `chrono::DateTime<chrono::Utc>`",
                    quote!(#ty).to_string().replace(' ', "")
                ))
            }
        },
        // Types that are surely no `PgEnum`: refused here, as the only error, rather than
        // by the compiler after Diesel's impls have failed on them too.
        _ if plain && not_an_enum(ty).is_some() => {
            let (what, help) = not_an_enum(ty).unwrap_or_default();
            return Err(format!(
                "unsupported column type `{}`: {what}\nhelp: {help}",
                quote!(#ty).to_string().replace(' ', "")
            ));
        }
        // Any other plain path names a type that must implement `PgEnum`; the compiler
        // checks that, with the trait's message.
        _ if plain && is_plain_path(ty) => {
            return Ok(FieldType {
                scalar: Scalar::Enum(Box::new(ty.clone())),
                array: None,
                nullable: false,
            })
        }
        _ => return Err(unsupported()),
    };
    Ok(FieldType {
        scalar: Scalar::Known(rust),
        array: None,
        nullable: false,
    })
}

/// For a plain path that names a standard-library or primitive type (which cannot derive
/// `PgEnum` here): what it is and what to use instead.
fn not_an_enum(ty: &syn::Type) -> Option<(&'static str, String)> {
    let syn::Type::Path(p) = ty else {
        return None;
    };
    let first = p.path.segments.first()?.ident.to_string();
    let last = p.path.segments.last()?.ident.to_string();
    if p.path.segments.len() > 1 && matches!(first.as_str(), "std" | "core" | "alloc") {
        let help = match last.as_str() {
            "SystemTime" | "Instant" => "use `chrono::DateTime<chrono::Utc>` (timestamptz)".into(),
            "Duration" => "use `diesel::pg::data_types::PgInterval` (interval), or store a whole number of seconds or milliseconds (`i64`)".into(),
            _ => format!(
                "use one of the supported types: {}",
                schema_rules::types::supported_list()
            ),
        };
        return Some((
            "a standard-library type, which PostgreSQL has no column type for",
            help,
        ));
    }
    if p.path.segments.len() != 1 {
        return None;
    }
    let (what, help) = match last.as_str() {
        "u8" | "u16" => (
            "PostgreSQL has no unsigned integers",
            "use `i32` (integer), with a `check` if negative values must be refused",
        ),
        "u32" => (
            "PostgreSQL has no unsigned integers",
            "use `i64` (bigint), with a `check` if negative values must be refused",
        ),
        "u64" | "u128" | "usize" | "i128" | "isize" => (
            "PostgreSQL's integers are 16, 32 or 64 bits",
            "use `i64` (bigint), or `BigDecimal` (numeric) for wider values",
        ),
        "i8" => (
            "PostgreSQL's smallest integer is 16 bits",
            "use `i16` (smallint)",
        ),
        "char" | "str" => (
            "a column of text is a `String`",
            "use `String`, with `#[column(varchar = 1)]` for one character",
        ),
        "SystemTime" | "Instant" => (
            "a standard-library time, which PostgreSQL has no column type for",
            "use `chrono::DateTime<chrono::Utc>` (timestamptz)",
        ),
        "Duration" => (
            "a standard-library duration",
            "use `diesel::pg::data_types::PgInterval` (interval), or store a whole number of seconds or milliseconds (`i64`)",
        ),
        _ => return None,
    };
    Some((what, help.to_string()))
}

fn is_u8(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("u8"))
}

/// `Some(Ok)` for `[u8; 6]`, `Some(Err(spelling))` for any other array type, `None` for a
/// type that is no array.
fn mac_address(ty: &syn::Type) -> Option<Result<FieldType, String>> {
    let syn::Type::Array(array) = ty else {
        return None;
    };
    let six = matches!(&array.len, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) if n.base10_digits() == "6");
    Some(if is_u8(&array.elem) && six {
        Ok(FieldType {
            scalar: Scalar::Known(RustType::MacAddr),
            array: None,
            nullable: false,
        })
    } else {
        Err(quote!(#ty).to_string().replace(' ', ""))
    })
}

fn is_plain_path(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => {
            p.qself.is_none()
                && p.path
                    .segments
                    .iter()
                    .all(|s| matches!(s.arguments, syn::PathArguments::None))
        }
        syn::Type::Group(g) => is_plain_path(&g.elem),
        syn::Type::Paren(p) => is_plain_path(&p.elem),
        _ => false,
    }
}

impl RustType {
    /// The Diesel SQL type, without `Nullable`.
    pub fn diesel_sql_type(self) -> TokenStream {
        let name = match self {
            RustType::I16 => quote!(Int2),
            RustType::I32 => quote!(Int4),
            RustType::I64 => quote!(Int8),
            RustType::Bool => quote!(Bool),
            RustType::F32 => quote!(Float4),
            RustType::F64 => quote!(Float8),
            RustType::String => quote!(Text),
            RustType::Uuid => quote!(Uuid),
            RustType::DateTimeUtc => quote!(Timestamptz),
            RustType::NaiveDateTime => quote!(Timestamp),
            RustType::NaiveDate => quote!(Date),
            RustType::BigDecimal => quote!(Numeric),
            RustType::IpNetwork => quote!(Inet),
            RustType::Bytes => quote!(Binary),
            RustType::NaiveTime => quote!(Time),
            RustType::Interval => quote!(Interval),
            RustType::MacAddr => quote!(MacAddr),
            RustType::JsonValue | RustType::JsonbTyped => quote!(Jsonb),
        };
        quote!(::diesel::sql_types::#name)
    }

    pub fn is_integer(self) -> bool {
        matches!(self, RustType::I16 | RustType::I32 | RustType::I64)
    }
}
