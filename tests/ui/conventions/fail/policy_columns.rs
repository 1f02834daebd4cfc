// Policy expressions name only this table's columns; their subqueries may read other tables.
use chrono::{DateTime, Utc};

#[schema_core::table(
    schema = "devices",
    name = "shared_devices",
    global = "devices shared between accounts by their owners",
    append_only,
    policy(name = "shared_devices_read", command = select, using = "ownr_id = current_user::text"),
    policy(
        name = "shared_devices_grants",
        command = select,
        using = "id IN (SELECT g.device_id FROM devices.grants g WHERE g.grantee = current_user)"
    )
)]
pub struct SharedDevice {
    pub id: i64,
    pub owner_id: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { SharedDevice }

fn main() {}
