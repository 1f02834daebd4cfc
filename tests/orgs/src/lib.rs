//! A tenant schema whose tenants are organizations: the tenant column is `organization_id`, the
//! setting `app.current_organization_id` (see `[package.metadata.schema-api]` in Cargo.toml).

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[schema_core::table(schema = "orgs", name = "organizations", tenant_root)]
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(varchar = 64)]
    pub name: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[schema_core::table(
    schema = "orgs",
    name = "projects",
    tenant,
    unique_index(organization_id, name, where = "deleted_at IS NULL")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Organization, on_delete = cascade))]
    pub organization_id: Uuid,
    #[column(varchar = 200)]
    pub name: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

schema_core::schema! {
    roles(app = "orgs_test_app");
    Organization,
    Project,
}
