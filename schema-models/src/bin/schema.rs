fn main() -> std::process::ExitCode {
    schema_core::cli::main(schema_models::schema())
}
