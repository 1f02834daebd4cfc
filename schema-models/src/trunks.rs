//! PostgreSQL schema `trunks`: customers' SIP trunks and who may send traffic on them.

use crate::accounts::Account;
use crate::routing::RoutingPlan;
use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use uuid::Uuid;

/// A SIP trunk: a customer PBX connected to the platform.
#[schema_core::table(
    schema = "trunks",
    name = "trunks",
    index(account_id, routing_plan_id),
    tenant,
    unique(account_id, id),
    unique_index(account_id, name, where = "deleted_at IS NULL"),
    foreign_key(
        columns(account_id, routing_plan_id),
        references = RoutingPlan,
        target_columns(account_id, id),
        on_delete = set_null
    ),
    check(name = "trunks_max_channels_check", expr = "max_channels BETWEEN 1 AND 10000")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Trunk {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 64)]
    pub name: String,
    #[column(default = "30")]
    pub max_channels: i32,
    pub routing_plan_id: Option<Uuid>,
    #[column(varchar = 64)]
    pub auth_username: Option<String>,
    /// The trunk's SIP credential: read by the SIP edge (the owner's path), never by tenants.
    #[column(secret, varchar = 128)]
    pub auth_password_hash: Option<String>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A network allowed to send traffic on a trunk.
#[schema_core::table(
    schema = "trunks",
    name = "trunk_access_lists",
    tenant,
    hard_delete = "removing a network from the list is the change itself",
    foreign_key(
        columns(account_id, trunk_id),
        references = Trunk,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    unique(account_id, trunk_id, network),
    index(network, method = "spgist", name = "trunk_access_lists_network_idx")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct TrunkAccessList {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub trunk_id: Uuid,
    #[column(cidr)]
    pub network: IpNetwork,
    pub description: Option<String>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}
