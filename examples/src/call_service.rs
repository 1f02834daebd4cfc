//! A small downstream service on the platform schema, with typed queries only: it provisions a
//! tenant, then — as the application role, inside `with_tenant` — registers devices, records
//! CDRs, stores a voicemail and its transcription, bills the answered calls, and reports.
//!
//! `cargo run -p schema-examples --bin call-service` — on `$DATABASE_URL` (after
//! `cargo schema migrate`; the connecting user must be able to `SET ROLE platform_app`), or on a
//! throwaway PostgreSQL with the migrations applied when it is unset.

use bigdecimal::BigDecimal;
use chrono::{Duration, Utc};
use diesel::connection::SimpleConnection;
use diesel::dsl::sum;
use diesel::prelude::*;
use schema_core::with_tenant;
use schema_models::accounts::{accounts, Account};
use schema_models::billing::{billing_events, BillingEvent};
use schema_models::devices::{devices, Device, NewDevice};
use schema_models::telecom::{
    call_detail_records, CallDetailRecord, CallDirection, CallDisposition,
};
use schema_models::voicemail::{
    voicemail_boxes, voicemail_messages, TranscriptionStatus, VoicemailBox, VoicemailMessage,
    VoicemailMessageChanges,
};
use std::str::FromStr;
use uuid::Uuid;

mod throwaway;
use throwaway::Error;

fn main() -> Result<(), Error> {
    let (url, cluster) = throwaway::database(|conn| {
        conn.batch_execute(&schema_core::role::roles_sql(&schema_models::schema()?))?;
        Ok(())
    })?;
    let mut conn = PgConnection::establish(&url)?;

    // Provisioning an account is the platform's job (accounts are the tenants themselves).
    let account: Account = diesel::insert_into(accounts::table)
        .values((
            accounts::name.eq("Call Service Demo"),
            accounts::realm.eq(format!("{}.sip.example.net", Uuid::new_v4().simple())),
        ))
        .returning(Account::as_returning())
        .get_result(&mut conn)?;

    // Everything else runs as the application role, scoped to the tenant.
    conn.batch_execute("SET ROLE platform_app")?;
    let report = with_tenant(&mut conn, account.id, |conn| -> Result<String, Error> {
        let desk = register_device(conn, account.id, "Front desk", "frontdesk")?;
        register_device(conn, account.id, "Warehouse", "warehouse")?;
        let calls = record_calls(conn, account.id)?;
        let vm = store_voicemail(conn, account.id)?;
        let billed = bill_usage(conn, account.id)?;
        let devices: Vec<String> = Device::live()
            .select(devices::name)
            .order_by(devices::name)
            .load(conn)?;
        Ok(format!(
            "account {}: devices {devices:?} (first: {}), {calls} calls recorded, voicemail {} transcribed as {:?}, billed {billed} EUR",
            account.name, desk.sip_username, vm.id, vm.transcription_text
        ))
    })?;
    println!("{report}");
    conn.batch_execute("RESET ROLE")?;
    drop(cluster);
    Ok(())
}

fn register_device(
    conn: &mut PgConnection,
    account_id: Uuid,
    name: &str,
    sip_username: &str,
) -> QueryResult<Device> {
    diesel::insert_into(devices::table)
        .values(&NewDevice {
            id: None,
            account_id,
            owner_user_id: None,
            name: name.into(),
            device_type: None,
            mac_address: None,
            sip_username: sip_username.into(),
            custom_metadata: Some(serde_json::json!({"provisioned_by": "call-service"})),
            enabled: None,
            created_at: None,
            updated_at: None,
            deleted_at: None,
        })
        .returning(Device::as_returning())
        .get_result(conn)
}

/// Records a few calls, as the switch would report them.
fn record_calls(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<usize> {
    let start = Utc::now() - Duration::hours(1);
    let calls: Vec<CallDetailRecord> = (0..5)
        .map(|i| {
            let started_at = start + Duration::minutes(i * 7);
            let answered = i % 4 != 3;
            CallDetailRecord {
                id: 0,
                account_id,
                call_id: format!("{}@call-service", Uuid::new_v4().simple()),
                direction: CallDirection::Outbound,
                caller_number: Some("+3220000100".into()),
                callee_number: Some(format!("+3250000{i:03}")),
                started_at,
                answered_at: answered.then(|| started_at + Duration::seconds(4)),
                ended_at: Some(started_at + Duration::seconds(60 + i * 30)),
                duration_seconds: None,
                disposition: Some(if answered {
                    CallDisposition::Answered
                } else {
                    CallDisposition::NoAnswer
                }),
                source_ip: Some("192.0.2.20".parse().unwrap()),
                carrier_network: None,
                codecs: vec!["opus".into()],
                cost: answered
                    .then(|| BigDecimal::from_str("0.0125").unwrap() * BigDecimal::from(1 + i)),
                created_at: started_at,
            }
        })
        .collect();
    diesel::insert_into(call_detail_records::table)
        .values(&calls)
        .execute(conn)
}

/// Stores a voicemail, then its transcription when the engine returns it.
fn store_voicemail(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<VoicemailMessage> {
    let now = Utc::now();
    let mailbox: VoicemailBox = diesel::insert_into(voicemail_boxes::table)
        .values((
            voicemail_boxes::account_id.eq(account_id),
            voicemail_boxes::mailbox_number.eq("8000"),
        ))
        .returning(VoicemailBox::as_returning())
        .get_result(conn)?;
    let message: VoicemailMessage = diesel::insert_into(voicemail_messages::table)
        .values((
            voicemail_messages::account_id.eq(account_id),
            voicemail_messages::box_id.eq(mailbox.id),
            voicemail_messages::caller_number.eq("+3220000999"),
            voicemail_messages::duration_seconds.eq(14),
            voicemail_messages::recording_key.eq(format!("vm/{}.wav", Uuid::new_v4())),
            voicemail_messages::transcription_status.eq(TranscriptionStatus::Processing),
        ))
        .returning(VoicemailMessage::as_returning())
        .get_result(conn)?;
    // `VoicemailMessageChanges` sets what is `Some` and leaves the rest as it is.
    diesel::update(voicemail_messages::table.find(message.id))
        .set(&VoicemailMessageChanges {
            transcription_status: Some(TranscriptionStatus::Completed),
            transcription_text: Some(Some("Hi, please call me back about the invoice.".into())),
            transcription_confidence: Some(Some(BigDecimal::from_str("0.942").unwrap())),
            transcription_service: Some(Some("whisper".into())),
            transcription_completed_at: Some(Some(now)),
            ..Default::default()
        })
        .returning(VoicemailMessage::as_returning())
        .get_result(conn)
}

/// One billing event per answered, not yet billed call; returns the total billed.
fn bill_usage(conn: &mut PgConnection, account_id: Uuid) -> QueryResult<BigDecimal> {
    let answered: Vec<CallDetailRecord> = call_detail_records::table
        .filter(call_detail_records::disposition.eq(CallDisposition::Answered))
        .select(CallDetailRecord::as_select())
        .load(conn)?;
    let events: Vec<BillingEvent> = answered
        .iter()
        .map(|c| BillingEvent {
            id: 0,
            account_id,
            subscription_id: None,
            event_type: "call_usage".into(),
            amount: c.cost.clone().unwrap_or_default(),
            currency: "EUR".into(),
            quantity: BigDecimal::from(c.duration_seconds.unwrap_or(0)),
            unit_type: Some("second".into()),
            description: c.callee_number.clone(),
            metadata: serde_json::json!({"call_id": c.call_id}),
            occurred_at: c.ended_at.unwrap_or(c.started_at),
            processed_at: None,
        })
        .collect();
    diesel::insert_into(billing_events::table)
        .values(&events)
        .execute(conn)?;
    let total: Option<BigDecimal> = billing_events::table
        .select(sum(billing_events::amount))
        .get_result(conn)?;
    Ok(total.unwrap_or_default())
}
