#[schema_core::table(schema = "audit", name = "api_audit_log", global = "ui case", append_only)]
pub struct ApiAuditLog {
    pub request_id: uuid::Uuid,
    pub endpoint: String,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { ApiAuditLog }

fn main() {}
