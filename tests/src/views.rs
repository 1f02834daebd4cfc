//! A tenant schema with a view over a tenant table, in two versions: v2 widens the column the
//! view sums (a type change PostgreSQL refuses under a view), so the view's own column type
//! changes too.

macro_rules! version {
    ($v:ident, $seconds:ty, $total:ty) => {
        pub mod $v {
            use chrono::{DateTime, Utc};
            use uuid::Uuid;

            #[schema_core::table(schema = "reports", name = "accounts", tenant_root)]
            #[derive(Debug, Clone, PartialEq)]
            pub struct Account {
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

            #[schema_core::table(schema = "reports", name = "calls", tenant, hard_delete = "test fixture")]
            #[derive(Debug, Clone, PartialEq)]
            pub struct Call {
                #[column(primary_key, identity)]
                pub id: i64,
                #[column(references(Account, on_delete = cascade), index)]
                pub account_id: Uuid,
                #[column(varchar = 16)]
                pub status: String,
                pub seconds: $seconds,
                #[column(default = "now()")]
                pub created_at: DateTime<Utc>,
                #[column(default = "now()")]
                pub updated_at: DateTime<Utc>,
            }

            /// Answered calls and their minutes, per account.
            #[schema_core::view(
                schema = "reports",
                name = "call_totals",
                key(account_id),
                read_by(app),
                query = "SELECT c.account_id, count(*) AS answered, sum(c.seconds) AS seconds, max(c.status) AS last_status
                         FROM reports.calls c WHERE c.status = 'answered' GROUP BY c.account_id"
            )]
            #[derive(Debug, Clone, PartialEq)]
            pub struct CallTotal {
                pub account_id: Uuid,
                pub answered: i64,
                pub seconds: Option<$total>,
                pub last_status: Option<String>,
            }

            schema_core::schema! {
                roles(app = "views_test_app");
                views(CallTotal);
                Account,
                Call,
            }
        }
    };
}

version!(v1, i32, i64);
version!(v2, i64, bigdecimal::BigDecimal);
