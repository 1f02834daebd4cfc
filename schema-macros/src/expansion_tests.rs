//! Expansion snapshots: what `#[table]`, `schema!` and `#[derive(PgEnum)]` generate for a
//! representative declaration of each kind, pretty-printed, so every change to generated code
//! is reviewed (`cargo insta review`, or `INSTA_UPDATE=always` and read the diff). The
//! snapshots live in `tests/snapshots/expansion/`.

use proc_macro2::TokenStream;
use quote::quote;

fn pretty(tokens: TokenStream) -> String {
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        // Not a file (an expansion with errors): the tokens as they are.
        Err(_) => tokens.to_string(),
    }
}

fn table(args: TokenStream, item: TokenStream) -> String {
    pretty(crate::table::expand(args, item))
}

macro_rules! snapshot {
    ($name:literal, $value:expr) => {
        insta::with_settings!({
            snapshot_path => "../../tests/snapshots/expansion",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

#[test]
fn tenant_root() {
    snapshot!(
        "tenant_root",
        table(
            quote!(
                schema = "accounts",
                name = "accounts",
                tenant_root,
                tenant_updates(name)
            ),
            quote! {
                /// A customer account.
                pub struct Account {
                    #[column(primary_key, identity)]
                    pub id: i64,
                    #[column(varchar = 128)]
                    pub name: String,
                    #[column(default = "now()")]
                    pub created_at: DateTime<Utc>,
                    #[column(default = "now()")]
                    pub updated_at: DateTime<Utc>,
                    pub deleted_at: Option<DateTime<Utc>>,
                }
            },
        )
    );
}

#[test]
fn tenant_table_with_enum_typed_jsonb_and_composite_foreign_key() {
    snapshot!(
        "tenant",
        table(
            quote!(
                schema = "devices",
                name = "devices",
                tenant,
                unique_index(account_id, mac, where = "deleted_at IS NULL"),
                index(account_id, model, where = "deleted_at IS NULL"),
                foreign_key(
                    columns(account_id, owner_id),
                    references = crate::accounts::User,
                    target_columns(account_id, id),
                    on_delete = restrict
                ),
                check(name = "devices_mac_check", expr = "mac <> ''")
            ),
            quote! {
                pub struct Device {
                    #[column(primary_key, identity)]
                    pub id: i64,
                    #[column(references(crate::accounts::Account, on_delete = cascade))]
                    pub account_id: i64,
                    pub owner_id: Option<i64>,
                    #[column(varchar = 17)]
                    pub mac: String,
                    #[column(default = "'provisioning'")]
                    pub state: DeviceState,
                    pub model: String,
                    pub settings: Jsonb<DeviceSettings>,
                    pub codecs: Vec<String>,
                    #[column(default = "now()")]
                    pub created_at: DateTime<Utc>,
                    #[column(default = "now()")]
                    pub updated_at: DateTime<Utc>,
                    pub deleted_at: Option<DateTime<Utc>>,
                }
            },
        )
    );
}

#[test]
fn global_table() {
    snapshot!(
        "global",
        table(
            quote!(
                schema = "billing",
                name = "rates",
                global = "the platform's rate deck",
                hard_delete = "rates are replaced, not archived"
            ),
            quote! {
                pub struct Rate {
                    #[column(primary_key, identity)]
                    pub id: i32,
                    #[column(varchar = 16, unique)]
                    pub prefix: String,
                    #[column(numeric(10, 5), check = "per_minute >= 0")]
                    pub per_minute: BigDecimal,
                    #[column(default = "now()")]
                    pub created_at: DateTime<Utc>,
                    #[column(default = "now()")]
                    pub updated_at: DateTime<Utc>,
                }
            },
        )
    );
}

#[test]
fn append_only_table_partitioned_by_month() {
    snapshot!(
        "append_only_monthly",
        table(
            quote!(
                schema = "telecom",
                name = "calls",
                tenant,
                append_only(time = started_at),
                primary_key(id, started_at),
                index(account_id, started_at(desc)),
                partition_by(range(started_at)),
                monthly_partitions(from = "2026-11", months = 3),
                partition(name = "calls_default", default)
            ),
            quote! {
                pub struct Call {
                    #[column(identity)]
                    pub id: i64,
                    pub started_at: DateTime<Utc>,
                    #[column(references = crate::accounts::Account)]
                    pub account_id: i64,
                    pub caller: IpNetwork,
                    #[column(generated = "duration_ms / 1000")]
                    pub duration_s: i64,
                    pub duration_ms: i64,
                }
            },
        )
    );
}

#[test]
fn global_table_partitioned_by_list() {
    snapshot!(
        "list_partitioned",
        table(
            quote!(
                schema = "numbers",
                name = "inventory",
                global = "the platform's number inventory",
                hard_delete = "numbers are released, not archived",
                primary_key(country, e164),
                partition_by(list(country)),
                partition(name = "inventory_us", values("US", "CA")),
                partition(name = "inventory_rest", default)
            ),
            quote! {
                pub struct InventoryNumber {
                    #[column(varchar = 2)]
                    pub country: String,
                    #[column(varchar = 16)]
                    pub e164: String,
                    pub carrier: Option<String>,
                    #[column(default = "now()")]
                    pub created_at: DateTime<Utc>,
                    #[column(default = "now()")]
                    pub updated_at: DateTime<Utc>,
                }
            },
        )
    );
}

#[test]
fn an_invalid_declaration_is_its_errors_and_a_stand_in() {
    snapshot!(
        "errored",
        table(
            quote!(schema = "billing", name = "Invoices", global = "ui"),
            quote! {
                pub struct Invoice {
                    #[column(primary_key)]
                    pub id: uuid::Uuid,
                }
            },
        )
    );
}

#[test]
fn schema_list_and_pg_enum() {
    snapshot!(
        "schema_list",
        pretty(crate::schema_list::expand(quote!(
            roles(app = "voip_app");
            extensions("pgcrypto", "citext");
            accounts::Account,
            devices::Device
        )))
    );
    snapshot!(
        "pg_enum",
        pretty(crate::pg_enum::expand(quote! {
            #[pg_enum(schema = "devices", name = "device_state")]
            pub enum DeviceState {
                Provisioning,
                #[pg_enum(rename = "in-service")]
                InService,
            }
        }))
    );
}

#[test]
fn view_over_a_tenant_table() {
    snapshot!(
        "view",
        pretty(crate::view::expand(
            quote!(
                schema = "reports",
                name = "call_totals",
                key(account_id),
                read_by(app, monitor),
                query = "WITH answered AS (SELECT * FROM reports.calls WHERE status = 'answered') SELECT a.account_id, count(*) AS answered, max(d.state) AS state FROM answered a JOIN devices.devices d ON d.id = a.device_id GROUP BY a.account_id;"
            ),
            quote! {
                /// Answered calls per account.
                #[derive(Debug, Clone)]
                pub struct CallTotal {
                    pub account_id: Uuid,
                    pub answered: i64,
                    pub state: Option<DeviceState>,
                }
            },
        ))
    );
}

#[test]
fn a_configured_tenancy_names_its_column_setting_and_root_in_code_and_messages() {
    let tenancy = schema_rules::tenant::Tenancy {
        column: "organization_id".into(),
        setting: "app.current_organization_id".into(),
        root: "Organization".into(),
    };
    let expand = |args: TokenStream, item: TokenStream| {
        crate::tenancy::with(tenancy.clone(), || {
            crate::table::expand(args, item).to_string()
        })
    };
    // Without the tenant column: the message and its help name the configured ones.
    let missing = expand(
        quote!(
            schema = "orgs",
            name = "projects",
            tenant,
            hard_delete = "test"
        ),
        quote! {
            pub struct Project {
                #[column(primary_key)]
                pub id: i64,
                pub account_id: Uuid,
                #[column(default = "now()")]
                pub created_at: DateTime<Utc>,
                #[column(default = "now()")]
                pub updated_at: DateTime<Utc>,
            }
        },
    );
    assert!(
        missing.contains("needs the tenant column `organization_id`")
            && missing.contains("references(Organization)"),
        "{missing}"
    );
    // A unique key must include it; a nullable one is refused with its name.
    let keyed = expand(
        quote!(
            schema = "orgs",
            name = "projects",
            tenant,
            hard_delete = "test",
            unique(name)
        ),
        quote! {
            pub struct Project {
                #[column(primary_key)]
                pub id: i64,
                #[column(references(Organization))]
                pub organization_id: Option<Uuid>,
                pub name: String,
                #[column(default = "now()")]
                pub created_at: DateTime<Utc>,
                #[column(default = "now()")]
                pub updated_at: DateTime<Utc>,
            }
        },
    );
    assert!(
        keyed.contains("must include `organization_id`")
            && keyed.contains("`organization_id` cannot be `Option`")
            && !keyed.contains("account_id"),
        "{keyed}"
    );
    // A good declaration's policy reads the configured setting.
    let good = expand(
        quote!(
            schema = "orgs",
            name = "projects",
            tenant,
            hard_delete = "test"
        ),
        quote! {
            pub struct Project {
                #[column(primary_key)]
                pub id: i64,
                #[column(references(Organization))]
                pub organization_id: Uuid,
                #[column(default = "now()")]
                pub created_at: DateTime<Utc>,
                #[column(default = "now()")]
                pub updated_at: DateTime<Utc>,
            }
        },
    );
    assert!(
        good.contains("current_setting('app.current_organization_id', true)")
            && !good.contains("compile_error"),
        "{good}"
    );
}
