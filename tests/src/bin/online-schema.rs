//! The `schema` command over one version of `schema_tests::online` (`ONLINE_VERSION=v1|v2|v3`,
//! default v3) or of the scenario (`scenario`), for tests that run the real CLI: concurrent
//! `migrate` runs, a `migrate` killed mid-build, argument and environment checks.

use std::process::ExitCode;

fn main() -> ExitCode {
    let schema = match std::env::var("ONLINE_VERSION").as_deref() {
        Ok("v1") => schema_tests::online::v1::schema(),
        Ok("v2") => schema_tests::online::v2::schema(),
        Ok("scenario") => schema_tests::scenario::v11::schema(),
        _ => schema_tests::online::v3::schema(),
    };
    schema_core::cli::main(schema)
}
