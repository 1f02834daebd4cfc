//! The example service runs end to end on a throwaway PostgreSQL, as the application role.

#[test]
fn the_call_service_records_stores_and_bills_for_one_tenant() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_call-service"))
        .env_remove("DATABASE_URL")
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "devices [\"Front desk\", \"Warehouse\"]",
        "5 calls recorded",
        "transcribed as Some(\"Hi, please call me back about the invoice.\")",
        "billed 0.1375 EUR",
    ] {
        assert!(
            stdout.contains(expected),
            "`{expected}` missing from {stdout}"
        );
    }
}
