//! The declared roles and their privileges as a database holds them: [`drift`] compares them
//! with [`crate::role::grants`].

use crate::ir::{QualifiedName, Schema};
use crate::role::{grants, serial_sequences, Grant, Privilege};
use crate::sql::{quote_ident, quote_qualified};
use diesel::pg::PgConnection;
use diesel::sql_types::{Array, Bool, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use std::collections::BTreeSet;

#[derive(QueryableByName)]
struct RoleRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    wrong: Option<Vec<String>>,
    #[diesel(sql_type = Array<Text>)]
    member_of: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    owns: Vec<String>,
}

#[derive(QueryableByName)]
struct AclRow {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    column_name: Option<String>,
    #[diesel(sql_type = Text)]
    grantee: String,
    #[diesel(sql_type = Text)]
    privilege: String,
    #[diesel(sql_type = Bool)]
    is_sequence: bool,
}

const ROLES: &str = "
SELECT d.name,
       CASE WHEN r.oid IS NULL THEN NULL ELSE array_remove(ARRAY[
           CASE WHEN r.rolsuper THEN 'SUPERUSER' END, CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END,
           CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END, CASE WHEN r.rolcreatedb THEN 'CREATEDB' END,
           CASE WHEN r.rolreplication THEN 'REPLICATION' END], NULL) END AS wrong,
       ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
             WHERE m.member = r.oid ORDER BY 1) AS member_of,
       ARRAY(SELECT n.nspname || '.' || c.relname FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relowner = r.oid
             UNION ALL SELECT n.nspname::text FROM pg_namespace n WHERE n.nspowner = r.oid
             UNION ALL SELECT n.nspname || '.' || t.typname FROM pg_type t
             JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE t.typowner = r.oid AND t.typtype IN ('e', 'd', 'c') AND t.typrelid = 0
             UNION ALL SELECT n.nspname || '.' || p.proname || '()' FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proowner = r.oid
             ORDER BY 1) AS owns
FROM unnest($1::text[]) AS d(name)
LEFT JOIN pg_roles r ON r.rolname = d.name
ORDER BY d.name";

/// Every privilege on the declared schemas' tables, columns and sequences held by a role other
/// than the object's owner (`PUBLIC` included).
const ACLS: &str = "
SELECT n.nspname::text AS schema_name, c.relname::text AS table_name, NULL::text AS column_name,
       coalesce(g.rolname::text, 'PUBLIC') AS grantee, a.privilege_type AS privilege,
       c.relkind = 'S' AS is_sequence
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(c.relacl) a
LEFT JOIN pg_roles g ON g.oid = a.grantee
WHERE n.nspname = ANY($1) AND a.grantee <> c.relowner
UNION ALL
SELECT n.nspname::text, c.relname::text, att.attname::text,
       coalesce(g.rolname::text, 'PUBLIC'), a.privilege_type, false
FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL aclexplode(att.attacl) a
LEFT JOIN pg_roles g ON g.oid = a.grantee
WHERE n.nspname = ANY($1) AND att.attnum > 0 AND NOT att.attisdropped AND a.grantee <> c.relowner
UNION ALL
SELECT n.nspname::text, '', NULL, coalesce(g.rolname::text, 'PUBLIC'), a.privilege_type, false
FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a
LEFT JOIN pg_roles g ON g.oid = a.grantee
WHERE n.nspname = ANY($1) AND a.grantee <> n.nspowner
ORDER BY 1, 2, 3, 4, 5";

/// How the database's roles and privileges differ from the declared ones: each finding names
/// what is wrong and what fixes it (`cargo schema role` for privileges).
pub fn drift(conn: &mut PgConnection, schema: &Schema) -> diesel::QueryResult<Vec<String>> {
    let mut findings = Vec::new();
    if schema.roles.is_empty() {
        return Ok(findings);
    }
    let names: Vec<String> = schema.roles.iter().map(|r| r.name.clone()).collect();
    let namespaces: Vec<String> = schema
        .namespaces()
        .into_iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<RoleRow> = diesel::sql_query(ROLES)
        .bind::<Array<Text>, _>(&names)
        .load(conn)?;
    for row in rows {
        let Some(wrong) = row.wrong else {
            findings.push(format!(
                "role `{}` does not exist (the migrations create it; `cargo schema role` too)",
                row.name
            ));
            continue;
        };
        if !wrong.is_empty() {
            findings.push(format!(
                "role `{}` is {}, which bypasses the role model (`cargo schema role` narrows it)",
                row.name,
                wrong.join(" ")
            ));
        }
        for group in row.member_of {
            findings.push(format!(
                "role `{}` is a member of `{group}` and holds its privileges (`REVOKE {} FROM {}`)",
                row.name,
                quote_ident(&group),
                quote_ident(&row.name)
            ));
        }
        for object in row.owns {
            findings.push(format!(
                "role `{}` owns `{object}`, so row-level security does not bind it there (`ALTER ... OWNER TO` the migrations' role)",
                row.name
            ));
        }
    }
    let expected = grants(schema);
    // The serial sequences each role should draw from, by the names PostgreSQL gave them.
    let mut sequences: BTreeSet<(String, String, String)> = BTreeSet::new();
    for (table, column, role) in serial_sequences(schema, &expected) {
        #[derive(QueryableByName)]
        struct Sequence {
            #[diesel(sql_type = Nullable<Text>)]
            name: Option<String>,
        }
        let found: Sequence = diesel::sql_query(
            "SELECT (SELECT c.relname::text FROM pg_class c WHERE c.oid = pg_get_serial_sequence($1, $2)::regclass) AS name",
        )
        .bind::<Text, _>(quote_qualified(&table))
        .bind::<Text, _>(&column)
        .get_result(conn)?;
        if let Some(name) = found.name {
            sequences.insert((table.schema.clone(), name, role));
        }
    }
    let acls: Vec<AclRow> = diesel::sql_query(ACLS)
        .bind::<Array<Text>, _>(&namespaces)
        .load(conn)?;
    let mut live = BTreeSet::new();
    let mut held_sequences = BTreeSet::new();
    for acl in acls {
        let declared_role = names.contains(&acl.grantee);
        let what = match &acl.column_name {
            Some(c) => format!("{} ({c})", acl.privilege),
            None => acl.privilege.clone(),
        };
        if acl.table_name.is_empty() {
            if !(declared_role && acl.privilege == "USAGE") {
                findings.push(format!(
                    "`{}` has {} on schema `{}`, which the declarations do not grant (`cargo schema role` revokes it)",
                    acl.grantee, acl.privilege, acl.schema_name
                ));
            }
            continue;
        }
        if acl.is_sequence {
            let key = (
                acl.schema_name.clone(),
                acl.table_name.clone(),
                acl.grantee.clone(),
            );
            if acl.privilege == "USAGE" && sequences.contains(&key) {
                held_sequences.insert(key);
            } else {
                findings.push(format!(
                    "`{}` has {what} on sequence `{}.{}`, which the declarations do not grant (`cargo schema role` revokes it)",
                    acl.grantee, acl.schema_name, acl.table_name
                ));
            }
            continue;
        }
        let privilege = match acl.privilege.as_str() {
            "SELECT" => Some(Privilege::Select),
            "INSERT" => Some(Privilege::Insert),
            "UPDATE" => Some(Privilege::Update),
            "DELETE" => Some(Privilege::Delete),
            _ => None,
        };
        let grant = privilege.map(|privilege| Grant {
            table: QualifiedName::new(&acl.schema_name, &acl.table_name),
            role: acl.grantee.clone(),
            privilege,
            column: acl.column_name.clone(),
        });
        match grant {
            Some(g) if expected.contains(&g) => {
                live.insert(g);
            }
            _ => findings.push(format!(
                "`{}` has {what} on `{}.{}`, which the declarations do not grant (`cargo schema role` revokes it)",
                acl.grantee, acl.schema_name, acl.table_name
            )),
        }
    }
    for missing in expected.difference(&live) {
        findings.push(format!(
            "role `{}` lacks {missing} (`cargo schema role` grants it)",
            missing.role
        ));
    }
    for (namespace, sequence, role) in sequences.difference(&held_sequences) {
        findings.push(format!(
            "role `{role}` lacks USAGE on sequence `{namespace}.{sequence}`, which its inserts draw from (`cargo schema role` grants it)"
        ));
    }
    Ok(findings)
}
