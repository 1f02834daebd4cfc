//! Collects every error of one expansion so a user sees all of them in one build
//! (serde_derive's `Ctxt`).

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::cell::{Cell, RefCell};
use std::fmt::Display;

pub struct Ctxt {
    errors: RefCell<Vec<syn::Error>>,
    /// The table's own name was refused: names derived from it add no errors of their own.
    pub bad_table_name: Cell<bool>,
    /// The crate's tenant column, setting and root (defaults when its configuration is
    /// invalid: `schema!` reports that).
    pub tenancy: schema_rules::tenant::Tenancy,
}

impl Default for Ctxt {
    fn default() -> Self {
        Ctxt {
            errors: RefCell::default(),
            bad_table_name: Cell::default(),
            tenancy: crate::tenancy::current().unwrap_or_default(),
        }
    }
}

impl Ctxt {
    pub fn error_spanned_by<T: ToTokens, M: Display>(&self, tokens: T, message: M) {
        self.errors
            .borrow_mut()
            .push(syn::Error::new_spanned(tokens.into_token_stream(), message));
    }

    pub fn syn_error(&self, error: syn::Error) {
        self.errors.borrow_mut().push(error);
    }

    pub fn into_compile_errors(self) -> Option<TokenStream> {
        let errors = self.errors.into_inner();
        if errors.is_empty() {
            return None;
        }
        Some(errors.iter().map(syn::Error::to_compile_error).collect())
    }
}

/// The closest known key to an unknown one, if it is close enough to be a typo.
pub fn did_you_mean<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (levenshtein(unknown, k), *k))
        .filter(|(d, k)| *d <= (k.len().max(unknown.len()) / 3).max(1))
        .min()
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

pub fn unknown_key_message(kind: &str, key: &str, known: &[&str]) -> String {
    let mut message = format!("unknown {kind} key `{key}`");
    if let Some(suggestion) = did_you_mean(key, known) {
        message.push_str(&format!("; did you mean `{suggestion}`?"));
    }
    message.push_str(&format!(
        "\nhelp: the known keys are {}",
        known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    message
}
