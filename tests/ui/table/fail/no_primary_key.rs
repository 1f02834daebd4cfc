#[schema_core::table(schema = "audit", name = "api_audit_log")]
pub struct ApiAuditLog {
    pub request_id: uuid::Uuid,
    pub endpoint: String,
}

schema_core::schema! { ApiAuditLog }

fn main() {}
