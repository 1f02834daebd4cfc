#!/usr/bin/env python3
"""Compile cost of `#[table]` against the same tables written by hand.

Generates two crates of N tables each (default 100) under target/compile-bench/:
  * macro/       - `#[schema_core::table]` structs listed in `schema_core::schema!`
  * handwritten/ - the same structs with Diesel derives, `diesel::table!`, `joinable!`
                   and one `allow_tables_to_appear_in_same_query!`
Both share one target directory, so dependencies are built once and only the bench crate is
timed. For each variant it measures, over --runs runs (median reported):
  * clean: `cargo clean -p <crate>` then `cargo build`
  * one table changed: a field added to one table, then `cargo build` (incremental)

Usage: python3 tests/bench/compile_cost.py [--tables 100] [--runs 3]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "target" / "compile-bench"

COLUMNS = [
    # (field, rust type, diesel type, column attribute for the macro variant)
    ("name", "String", "Text", '#[column(varchar = 100)]'),
    ("code", "Option<String>", "Nullable<Text>", '#[column(varchar = 20)]'),
    ("quantity", "i32", "Int4", '#[column(default = "0")]'),
    ("amount", "bigdecimal::BigDecimal", "Numeric", "#[column(numeric(12, 4))]"),
    ("active", "bool", "Bool", '#[column(default = "true")]'),
    ("payload", "serde_json::Value", "Jsonb", ""),
    ("created_at", "chrono::DateTime<chrono::Utc>", "Timestamptz", '#[column(default = "now()")]'),
    ("updated_at", "chrono::DateTime<chrono::Utc>", "Timestamptz", '#[column(default = "now()")]'),
]


def manifest(name: str) -> str:
    core = ROOT / "schema-core"
    return f"""[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
schema-core = {{ path = "{core}" }}
diesel = {{ version = "2.3", default-features = false, features = ["postgres", "chrono", "numeric", "network-address", "serde_json", "uuid", "with-deprecated", "32-column-tables"] }}
chrono = {{ version = "0.4", default-features = false, features = ["clock", "std"] }}
bigdecimal = "0.4"
serde_json = "1"
uuid = "1"
"""


def macro_table(i: int, extra: str) -> str:
    # Reference data that is really deleted: the conventions ask a table to say what it is and
    # how its rows go; neither adds code beyond the descriptor's kind.
    lines = [
        f'#[schema_core::table(schema = "bench", name = "table_{i}", global = "bench", hard_delete = "bench")]',
        f"pub struct Table{i} {{",
    ]
    lines += ["    #[column(primary_key, identity)]", "    pub id: i64,"]
    if i > 0:
        lines += [f"    #[column(references = Table{i - 1})]", f"    pub parent_id: i64,"]
    for field, rust, _, attr in COLUMNS:
        if attr:
            lines.append(f"    {attr}")
        lines.append(f"    pub {field}: {rust},")
    lines.append(extra)
    lines.append("}")
    return "\n".join(lines)


def handwritten_table(i: int, extra: str) -> str:
    cols = ["        id -> Int8,"]
    if i > 0:
        cols.append("        parent_id -> Int8,")
    cols += [f"        {field} -> {diesel}," for field, _, diesel, _ in COLUMNS]
    if extra:
        cols.append("        added -> Int4,")
    fields = ["    #[diesel(skip_insertion)]", "    pub id: i64,"]
    if i > 0:
        fields.append("    pub parent_id: i64,")
    fields += [f"    pub {field}: {rust}," for field, rust, _, _ in COLUMNS]
    fields.append(extra)
    out = [
        "diesel::table! {",
        "    use diesel::sql_types::*;",
        f"    bench.table_{i} (id) {{",
        *cols,
        "    }",
        "}",
        "#[derive(diesel::Queryable, diesel::Selectable, diesel::Insertable, diesel::Identifiable)]",
        f"#[diesel(table_name = table_{i}, primary_key(id), check_for_backend(diesel::pg::Pg))]",
        f"pub struct Table{i} {{",
        *fields,
        "}",
    ]
    if i > 0:
        out.append(f"diesel::joinable!(table_{i} -> table_{i - 1} (parent_id));")
    return "\n".join(out)


def write_crate(kind: str, n: int, changed: int | None) -> Path:
    crate = BENCH / kind
    (crate / "src").mkdir(parents=True, exist_ok=True)
    (crate / "Cargo.toml").write_text(manifest(f"bench-{kind}"))
    lock = ROOT / "Cargo.lock"
    if lock.exists() and not (crate / "Cargo.lock").exists():
        shutil.copy(lock, crate / "Cargo.lock")
    parts = ["#![allow(dead_code)]"]
    for i in range(n):
        extra = ""
        if changed == i:
            extra = ("    #[column(default = \"1\")]\n" if kind == "macro" else "") + "    pub added: i32,"
        parts.append(macro_table(i, extra) if kind == "macro" else handwritten_table(i, extra))
    if kind == "macro":
        parts.append("schema_core::schema! { " + ", ".join(f"Table{i}" for i in range(n)) + " }")
    else:
        parts.append("diesel::allow_tables_to_appear_in_same_query!(" + ", ".join(f"table_{i}" for i in range(n)) + ",);")
    (crate / "src" / "lib.rs").write_text("\n\n".join(parts) + "\n")
    return crate


def cargo(crate: Path, *args: str) -> float:
    env = dict(os.environ, CARGO_TARGET_DIR=str(BENCH / "target"))
    start = time.perf_counter()
    subprocess.run(["cargo", *args, "--quiet"], cwd=crate, env=env, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n, changed = args.tables, args.tables // 2
    results = {}
    for kind in ("handwritten", "macro"):
        crate = write_crate(kind, n, None)
        cargo(crate, "build")  # dependencies, once
        clean, rebuild = [], []
        for _ in range(args.runs):
            cargo(crate, "clean", "-p", f"bench-{kind}")
            clean.append(cargo(crate, "build"))
            write_crate(kind, n, changed)
            rebuild.append(cargo(crate, "build"))
            write_crate(kind, n, None)
            cargo(crate, "build")
        results[kind] = (statistics.median(clean), statistics.median(rebuild))
        print(f"{kind:12} clean {results[kind][0]:6.2f} s   one table changed {results[kind][1]:6.2f} s   (runs: clean {', '.join(f'{t:.2f}' for t in clean)}; changed {', '.join(f'{t:.2f}' for t in rebuild)})")
    (hc, hr), (mc, mr) = results["handwritten"], results["macro"]
    print(f"ratio macro/handwritten: clean {mc / hc:.3f}, one table changed {mr / hr:.3f}  (N = {n} tables, median of {args.runs})")


if __name__ == "__main__":
    main()
