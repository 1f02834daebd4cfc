//! Compile-time behaviour of `#[table]` and `schema!`: what compiles, and the exact errors of
//! what does not (reviewed `.stderr` files; bless with `TRYBUILD=overwrite`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/*/pass/*.rs");
    t.compile_fail("ui/*/fail/*.rs");
}
